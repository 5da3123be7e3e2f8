"""User text on the console is text: Rich markup in a name (« [/] », « [bold] ») is printed as
typed, never read as markup (it used to raise ``MarkupError`` with a traceback)."""

from __future__ import annotations

from tests import paths

SCENARIO = paths.BAD_INPUTS / "scenarios" / "balisage-rich.yaml"


def test_a_scenario_name_with_markup_is_printed_as_typed(offline, capsys):
    from maillage.cli import main

    status = main(["scenario", "run", str(SCENARIO)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "[/] [bold]Calamane[/bold] [link=http://x]lien[/link] [red" in out
    assert "ouvrir alsh « ALSH [/] de Calamane » à 46046 (20 places)" in out


def test_a_facility_file_with_markup_is_echoed_as_typed(offline, capsys, tmp_path):
    from maillage.cli import main

    path = tmp_path / "balisage.csv"
    path.write_text("nom;type;code_insee;places\n[/] ALSH [red]Catus;alsh;46064;25\n"
                    "Crèche [/b];[bold];46064;10\n", encoding="utf-8")
    status = main(["layers", "check", str(path), "--kind", "alsh"])
    out, err = capsys.readouterr()
    assert status == 2
    assert "type de service « [bold] » inconnu" in out
    assert err.startswith("Erreur : ") and "Traceback" not in err


def test_an_error_quoting_markup_is_printed_as_typed(offline, capsys, tmp_path):
    from maillage.cli import main

    path = tmp_path / "[bold]scénario[red].yaml"
    path.write_text("nom: x\ndate: 9999-01-01\nchangements: [{fermer: {id: a}}]\n",
                    encoding="utf-8")
    status = main(["scenario", "run", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"Erreur : fichier {path}, ligne 2, colonne « date » : date de base improbable" in err
