"""The chain end to end: indicators, the scenario, the registry's scope, the CLI."""

import math

import pandas as pd
import pytest

from tests.fixtures.maps import synthetic
from maillage.cli import main
from maillage.errors import InputError
from maillage.geo import StraightLineTimer
from maillage.pipeline import build_diagnostic, demo_scenario_path, registry_scope, with_layers


@pytest.fixture(scope="module")
def diag(synthetic_diagnostic):
    return synthetic_diagnostic


def test_calamane_test_opens_with_20_places(diag):
    view = diag.scenario
    assert view.before.loc["46004", "places"] == 0
    assert view.after.loc["46004", "places"] == 20
    # Calamane-Test: 18 (3–5) + 30 (6–10) + 40/7 (the 11-year-olds) children aged 3–11.
    assert view.after.loc["46004", "places_per_100_children"] == pytest.approx(
        100 * 20 / (48 + 40 / 7))
    places = view.table.set_index("Indicateur").filter(like=": places", axis=0).iloc[0]
    assert places["Écart"] == 20
    assert "t-alsh-calamane" in view.after_territory.facilities.index


def test_capacity_access_and_coverage_are_computed_per_commune(diag):
    alsh = next(c for c in diag.capacity if c.kind == "alsh")
    assert alsh.label == "3 à 11 ans"
    # Bourgville: 60 places for 70 + 110 + 160/7 children aged 3–11 (11 included).
    assert alsh.by_commune.loc["46001", "places_per_100_children"] == pytest.approx(
        100 * 60 / (180 + 160 / 7))
    assert alsh.fca is not None and (alsh.fca >= 0).all()
    access = {a.kind: a for a in diag.access}
    assert access["alsh"].nearest.loc["46001", "minutes"] == pytest.approx(0, abs=0.01)
    assert access["alsh"].coverage["share_within"].between(0, 1).all()
    # The bus's stop in Lointaine counts as a France services presence there.
    assert access["france_services"].nearest.loc["46006", "destination"] == "t-fs-bus"
    assert diag.estimated and "vol d'oiseau" in diag.timer_description
    assert any("réseau routier" in note for note in diag.notes)  # no isochrones without one


def test_communes_outside_the_registry_are_no_data_not_zero():
    territory = synthetic.territory()
    north = territory.facilities[territory.facilities["epci"] == "200000001"]
    territory = with_layers(territory, facilities=north)
    assert registry_scope(territory).sum() == 3
    diag = build_diagnostic(territory, StraightLineTimer(), at="2025-06-01")
    alsh = next(c for c in diag.capacity if c.kind == "alsh").by_commune
    assert math.isnan(alsh.loc["46005", "places"])  # Catus-Test: CA Sud, not in the registry
    assert alsh.loc["46003", "places"] == 0  # Videville: covered, truly no place
    access = next(a for a in diag.access if a.kind == "alsh")
    assert "46005" not in access.nearest.index
    assert any("hors registre" in note for note in diag.notes)


def test_an_unreadable_date_is_an_input_error():
    with pytest.raises(InputError, match="AAAA-MM-JJ"):
        build_diagnostic(synthetic.territory(), StraightLineTimer(), at="31/02/2025")


def test_the_demo_scenario_ships_with_maillage():
    assert demo_scenario_path().is_file()
    assert "Calamane" in demo_scenario_path().read_text(encoding="utf-8")


def test_report_command_writes_the_diagnostic_of_cazals_salviac(tmp_path, capsys):
    out = tmp_path / "cazals"
    assert main(["report", "--epci", "200035327", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Rapport :" in printed and "rapport.html" in printed
    page = (out / "rapport.html").read_text(encoding="utf-8")
    assert "CC Cazals-Salviac" in page
    communes = pd.read_csv(out / "tableaux" / "communes.csv", sep=";", decimal=",",
                           encoding="utf-8-sig", dtype={"code": str})
    assert len(communes) == 15 and communes["code"].str.startswith("46").all()


def test_report_command_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("à garder")
    assert main(["report", "--out", str(tmp_path)]) == 2
    assert "n'a pas été créé par maillage" in capsys.readouterr().err.replace("\n", " ")
    assert (tmp_path / "notes.txt").read_text() == "à garder"


def test_an_epci_whose_registry_names_no_alsh_gets_a_note_not_a_silent_zero(diag):
    # CA Sud has no ALSH in the synthetic registry (Calamane-Test opens only in the scenario):
    # its zero places are kept, and the report says the zero may be a gap of the registry.
    notes = [n for n in diag.notes if n.startswith("Accueil de loisirs")]
    assert len(notes) == 1 and "CA Sud" in notes[0] and "CC Nord" not in notes[0]
    assert "lacune du registre" in notes[0]
    # CC Nord has no crèche, CA Sud has one.
    crèche = [n for n in diag.notes if "EAJE" in n]
    assert len(crèche) == 1 and "CC Nord" in crèche[0] and "CA Sud" not in crèche[0]
