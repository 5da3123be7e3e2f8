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


def test_a_commune_out_of_reach_before_and_after_prints_no_warning(capsys, monkeypatch):
    """Lherm (46171) reaches no ALSH, before or after Calamane opens: the Grand Cahors mean
    time reads « inaccessible » before and after, and its change « — » (not a number),
    computed without numpy's "invalid value" RuntimeWarning."""
    import warnings

    import numpy as np

    from maillage import geo

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    path = calamane_file()
    real = geo.default_timer

    class LhermCutOff:
        def __init__(self, timer):
            self.timer = timer
            self.description = timer.description
            self.estimated = getattr(timer, "estimated", False)

        def matrix(self, origins, destinations):
            minutes = self.timer.matrix(origins, destinations)
            lherm = minutes.index.astype(str).str.match(r"^46171(#|$)")
            minutes.loc[lherm] = np.inf
            return minutes

    monkeypatch.setattr(geo, "default_timer", lambda base: LhermCutOff(real(base)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert main(["scenario", "run", str(path)]) == 0
    printed = capsys.readouterr().out
    mean_time = next(line for line in printed.splitlines() if "temps moyen" in line)
    cells = [cell.strip() for cell in mean_time.split("│") if cell.strip()]
    assert cells[-3:] == ["inaccessible", "inaccessible", "—"]
    assert "Calamane" in printed  # the communes whose times do move are still listed


def test_a_change_to_or_from_out_of_reach_reads_a_dash_not_plus_inaccessible():
    from maillage.cli.scenario import _format

    name = "Relais petite enfance : temps moyen jusqu'au plus proche (min)"
    assert _format(name, float("inf")) == "inaccessible"
    assert _format(name, float("inf"), signed=True) == "—"
    assert _format(name, -float("inf"), signed=True) == "—"
    assert _format(name, 1.25, signed=True) == "+1,2"
