"""``maillage scenario run`` on the embedded Lot: Calamane opens with 20 places."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd
import pytest

from maillage.cli import main


def calamane_file():
    path = files("maillage.data") / "scenarios" / "calamane-2025.yaml"
    if not path.is_file():
        pytest.skip("data/scenarios/calamane-2025.yaml pas encore livré")
    try:
        from maillage.layers import load_territory  # noqa: F401
    except ImportError:
        pytest.skip("maillage.layers.load_territory pas encore livré")
    return path


def test_calamane_scenario_prints_before_after_and_writes_csv(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("COLUMNS", "160")
    path = calamane_file()
    assert main(["scenario", "run", str(path), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Ouverture de l'ALSH de Calamane" in printed
    assert "avant / après" in printed and "Calamane" in printed
    summary = pd.read_csv(tmp_path / "calamane-2025-resume.csv", index_col=0)
    # The registry documents 246 places in force on 31 March 2025; Calamane adds 20.
    places = summary.loc["ALSH (3-11 ans) : places"]
    assert places["Écart"] == 20
    assert places["Après"] - places["Avant"] == 20
    communes = pd.read_csv(tmp_path / "calamane-2025-communes.csv", dtype={"code": str},
                           index_col="code")
    assert communes.loc["46046", "places_difference"] == 20
    assert communes.loc["46046", "places_per_100_children_before"] == 0
    assert set(communes["epci"].astype(str)) == {"200023737"}
    assert (tmp_path / "calamane-2025-validation.txt").is_file()


def test_unknown_id_in_a_scenario_file_exits_2_with_the_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    calamane_file()
    bad = tmp_path / "bad.yaml"
    bad.write_text("nom: x\nepci: \"200023737\"\ndate: 2025-03-31\nchangements:\n"
                   "  - fermer: {id: x}\n", encoding="utf-8")
    assert main(["scenario", "run", str(bad)]) == 2
    error = capsys.readouterr().err
    assert "ligne 5" in error and "« x » qui n'existe pas dans le registre" in error
