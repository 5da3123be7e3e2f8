"""The diagnostic computed from where children live (Filosofi 200 m cells of shared/data)."""

from __future__ import annotations

import numpy as np
import pytest

from maillage.analysis import load_scenario, run_scenario
from maillage.geo import StraightLineTimer
from maillage.layers import load_territory
from maillage.maps.report_text import methodology
from maillage.pipeline import build_diagnostic, demo_scenario_path, with_layers

GRAND_CAHORS = "200023737"


@pytest.fixture(scope="module")
def grand_cahors(shared_data):
    territory = load_territory(epci=GRAND_CAHORS, offline=True)
    assert territory.cells is not None, "shared/data sans carroyage Filosofi 200 m"
    return territory


@pytest.fixture(scope="module")
def diagnostics(grand_cahors):
    timer = StraightLineTimer()
    cells = build_diagnostic(grand_cahors, timer, at="2025-06-01")
    points = build_diagnostic(with_layers(grand_cahors, cells=None), timer, at="2025-06-01")
    return cells, points


def test_the_cells_are_those_of_grand_cahors(grand_cahors):
    cells = grand_cahors.cells
    assert set(cells["commune"]) == set(grand_cahors.communes.index)
    assert len(cells[cells["ind"] > 0]) == 3_323


def test_coverage_counts_every_child_once_from_the_cells(grand_cahors, diagnostics):
    cells, points = diagnostics
    alsh = next(a for a in cells.access if a.kind == "alsh")
    children = grand_cahors.communes[["pop_3_5", "pop_6_10", "pop_11"]].sum().sum()  # 3–11
    assert alsh.coverage["population_within"].max() == pytest.approx(children)
    # Per commune: a children-weighted mean of the cells, for each of the 36 communes.
    assert sorted(alsh.nearest.index) == sorted(grand_cahors.communes.index)
    assert np.isfinite(alsh.nearest["minutes"].astype(float)).all()
    before = next(a for a in points.access if a.kind == "alsh")
    assert not np.allclose(alsh.coverage["share_within"], before.coverage["share_within"])


def test_the_methodology_says_where_times_start(diagnostics):
    cells, points = diagnostics
    assert "carreaux habités de 200 m" in " ".join(methodology(cells))
    assert "depuis le point représentatif de chaque commune" in " ".join(methodology(points))


def test_the_calamane_scenario_is_computed_from_where_children_live(grand_cahors):
    scenario = load_scenario(demo_scenario_path())
    result = run_scenario(grand_cahors, scenario, timer=StraightLineTimer())
    rows = result.by_commune[result.by_commune["indicator"] == "alsh"]
    shares = rows["share_within_15_after"].astype(float)
    # From cells, a commune can be partly within 15 minutes (a share strictly between 0 and 1);
    # from one point per commune it is 0 or 1.
    assert ((shares > 0) & (shares < 1)).any()
    calamane = rows.loc["46046"]
    assert calamane["places_after"] - calamane["places_before"] == 20
