"""Travel-time origins: commune points, or the inhabited Filosofi cells where children live."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from maillage.analysis.origins import cell_origins, commune_origins, territory_origins
from maillage.geo import StraightLineTimer

BANDS = ["pop_0_2", "pop_3_5", "pop_6_10", "pop_11_17"]


def _communes():
    """Two communes: A (two cells, 10 km apart) and B (no inhabited cell)."""
    return pd.DataFrame({
        "code": ["46001", "46002"], "epci": ["E1", "E1"], "population": [300, 50],
        "pop_0_2": [6.0, 1.0], "pop_3_5": [12.0, 2.0], "pop_6_10": [20.0, 3.0],
        "pop_11_17": [30.0, 4.0], "point_lon": [1.40, 1.60], "point_lat": [44.45, 44.45],
    }).set_index("code", drop=False).rename_axis(None)


def _cells():
    """Filosofi cells of commune A: the first holds 3/4 of its 0–3 year-olds."""
    return pd.DataFrame({
        "x": [3_650_100.0, 3_660_100.0, 3_670_100.0], "y": [2_400_100.0] * 3,
        "ind": [150.0, 100.0, 0.0], "ind_0_3": [6.0, 2.0, 0.0], "ind_4_5": [3.0, 3.0, 0.0],
        "ind_6_10": [10.0, 10.0, 0.0], "ind_11_17": [12.0, 12.0, 0.0],
        "imputed": [False, True, True], "commune": ["46001", "46001", "46001"]})


def test_cell_children_add_up_to_the_commune_counts():
    origins = cell_origins(_communes(), _cells())
    assert origins.cells
    a = origins.people[origins.people["commune"] == "46001"]
    assert len(a) == 2  # the empty cell is not an origin
    for band in BANDS:
        assert a[band].sum() == pytest.approx(_communes().at["46001", band])
    assert a["population"].sum() == pytest.approx(300)
    # 0–2 = ¾ of 0–3: 4.5 and 1.5 in Filosofi, scaled to the commune's 6 children.
    assert a["pop_0_2"].tolist() == pytest.approx([4.5, 1.5])
    # B has no inhabited cell: its representative point stands for it, with its counts.
    b = origins.people.loc["46002"]
    assert b["pop_3_5"] == 2.0 and origins.points.loc["46002"].geometry.x == pytest.approx(1.60)


def test_commune_means_are_weighted_by_the_children_of_the_cells():
    origins = cell_origins(_communes(), _cells())
    minutes = pd.Series([10.0, 30.0, 5.0], index=["46001#1", "46001#2", "46002"])
    weights = origins.weights(["pop_0_2"])
    means = origins.to_communes(minutes, weights)
    assert means["46001"] == pytest.approx((4.5 * 10 + 1.5 * 30) / 6)
    assert means["46002"] == 5.0
    assert origins.heaviest(weights)["46001"] == "46001#1"


def test_an_unreachable_cell_with_children_makes_its_commune_unreachable():
    origins = cell_origins(_communes(), _cells())
    minutes = pd.Series([10.0, np.inf, 5.0], index=["46001#1", "46001#2", "46002"])
    assert np.isinf(origins.to_communes(minutes, origins.weights(["pop_0_2"]))["46001"])


def test_commune_origins_are_one_point_each_and_means_are_the_values():
    origins = commune_origins(_communes())
    assert not origins.cells and list(origins.points.index) == ["46001", "46002"]
    values = pd.Series([7.0, 9.0], index=["46001", "46002"])
    assert origins.to_communes(values, origins.weights(["pop_0_2"])).tolist() == [7.0, 9.0]


def test_cells_are_placed_where_filosofi_puts_them():
    origins = cell_origins(_communes(), _cells())
    timer = StraightLineTimer()
    site = gpd.GeoDataFrame(geometry=[origins.points.loc["46001#1"].geometry], index=["s"],
                            crs="EPSG:4326")
    near = timer.nearest(origins.points, site)
    assert near.at["46001#1", "minutes"] == pytest.approx(0, abs=1e-6)
    # 10 km in EPSG:3035, × 1.3 detour at 60 km/h = 13 minutes.
    assert near.at["46001#2", "minutes"] == pytest.approx(13, rel=0.01)


def test_a_territory_without_cells_keeps_commune_points(lot_territory):
    origins = territory_origins(lot_territory)
    assert origins.cells == (getattr(lot_territory, "cells", None) is not None)
    if not origins.cells:
        assert len(origins.points) == len(lot_territory.communes)
