"""The largest threshold in use reaches the engine as its cutoff, and changes no result.

Where times are only compared with thresholds (2SFCA, sensitivity, presence of itinerant
services, set cover), the searches stop at ``DiagnosticSettings.cutoff_minutes``; where a
time is reported (time to the nearest service), they do not.
"""

from __future__ import annotations

import pandas as pd
import pytest

from maillage.analysis.siting import set_cover
from maillage.analysis.siting.territory import siting_inputs
from maillage.cli import main
from maillage.geo import StraightLineTimer
from maillage.pipeline import build_diagnostic
from maillage.settings import DEFAULT_SETTINGS
from tests.fixtures.maps import synthetic


class Recording:
    """A timer that records the cutoffs it is asked for, and may ignore them."""

    estimated = True
    description = "temps synthétiques"

    def __init__(self, honour: bool):
        self.timer, self.honour, self.cutoffs = StraightLineTimer(), honour, []

    def matrix(self, origins, destinations, cutoff=None):
        self.cutoffs.append(("matrix", cutoff))
        return self.timer.matrix(origins, destinations, cutoff if self.honour else None)

    def nearest(self, origins, destinations, cutoff=None):
        self.cutoffs.append(("nearest", cutoff))
        return self.timer.nearest(origins, destinations, cutoff if self.honour else None)


@pytest.fixture(scope="module")
def both():
    """The synthetic diagnostic with bounded searches and with whole ones."""
    land = synthetic.territory()
    bounded, whole = Recording(honour=True), Recording(honour=False)
    return (build_diagnostic(land, bounded, at="2025-06-01"), bounded,
            build_diagnostic(land, whole, at="2025-06-01"))


def test_matrices_compared_with_thresholds_are_bounded_nearest_times_are_not(both):
    _, bounded, _ = both
    assert ("matrix", DEFAULT_SETTINGS.cutoff_minutes) in bounded.cutoffs
    assert all(cutoff == 30 for call, cutoff in bounded.cutoffs if call == "matrix")
    assert all(cutoff is None for call, cutoff in bounded.cutoffs if call == "nearest")


def test_the_bound_changes_no_indicator(both):
    diag, _, whole = both
    for mine, full in zip(diag.capacity, whole.capacity, strict=True):
        pd.testing.assert_series_equal(mine.fca, full.fca)
        pd.testing.assert_frame_equal(mine.sensitivity, full.sensitivity)
    for mine, full in zip(diag.access, whole.access, strict=True):
        pd.testing.assert_frame_equal(mine.nearest, full.nearest)
        if full.presence is not None:
            pd.testing.assert_frame_equal(mine.presence, full.presence)
    pd.testing.assert_frame_equal(diag.zones_blanches, whole.zones_blanches)
    pd.testing.assert_frame_equal(diag.equity, whole.equity)


def test_set_cover_on_bounded_costs_picks_the_same_sites(lot_territory):
    timer = StraightLineTimer()
    whole = siting_inputs(lot_territory, "alsh", timer=timer, at="2025-06-01")
    bounded = siting_inputs(lot_territory, "alsh", timer=timer, at="2025-06-01", cutoff=15)
    assert bounded.cost.equals(whole.cost.where(whole.cost <= 15, float("inf")))
    a = set_cover(whole.demand, whole.cost, 15, candidates=whole.candidates,
                  existing=whole.existing)
    b = set_cover(bounded.demand, bounded.cost, 15, candidates=bounded.candidates,
                  existing=bounded.existing)
    assert a.selected == b.selected and a.total_cost == pytest.approx(b.total_cost)


def test_an_impossible_cover_still_says_how_far_the_nearest_site_is(offline, capsys,
                                                                    tmp_path):
    # One candidate, at Calamane: the communes far from it and from every ALSH cannot be
    # covered within 5 minutes; the message says how far their nearest site is.
    candidates = tmp_path / "candidats.csv"
    candidates.write_text("nom;commune\nÉcole de Calamane;46046\n", encoding="utf-8")
    status = main(["site", "cover", "--kind", "alsh", "--minutes", "5", "--epci", "200023737",
                   "--date", "2025-06-01", "--candidates", str(candidates)])
    err = capsys.readouterr().err
    assert status != 0 and "Traceback" not in err
    assert "relever le seuil à au moins" in err and "au moins 0 min" not in err
    assert "site le plus proche à" in err
