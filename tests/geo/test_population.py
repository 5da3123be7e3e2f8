"""Several population-weighted origins per commune from the Filosofi 1 km grid of the Lot."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from maillage.errors import InputError
from maillage.geo import aggregate_by_commune, population_points, read_population_grid
from maillage.settings import shared_data_dir


def test_two_communes_get_their_cells_and_a_cellless_commune_keeps_one_point(tmp_path):
    grid_csv = tmp_path / "carreaux.csv"
    # Three 1 km cells (EPSG:3035 centres) around Cahors, one empty cell.
    grid_csv.write_text('"x","y","Ind"\n3620500,2380500,120\n3621500,2380500,30\n3640500,2380500,50\n3660500,2380500,0\n')
    grid = read_population_grid(grid_csv)
    west, east = grid.geometry.iloc[0], grid.geometry.iloc[2]
    communes = gpd.GeoDataFrame(
        {"population": [160, 55, 80]},
        geometry=[west.buffer(0.03), east.buffer(0.005), shapely.Point(2.5, 44.9)],
        index=pd.Index(["46042", "46102", "46201"], name="code"),
        crs="EPSG:4326",
    )
    points = population_points(communes, grid)
    assert points.groupby("commune")["weight"].sum().to_dict() == {
        "46042": 150.0,
        "46102": 50.0,
        "46201": 80.0,
    }
    assert list(points.index[:2]) == ["46042#1", "46042#2"]
    times = pd.DataFrame({"ALSH": [10.0, 40.0, 5.0, np.inf]}, index=points.index)
    mean = aggregate_by_commune(times, points)
    assert mean.loc["46042", "ALSH"] == pytest.approx((10 * 120 + 40 * 30) / 150)
    assert mean.loc["46102", "ALSH"] == 5.0 and np.isinf(mean.loc["46201", "ALSH"])


def test_grid_with_a_bad_value_names_the_line(tmp_path):
    bad = tmp_path / "carreaux.csv"
    bad.write_text("x,y,Ind\n3620500,2380500,120\n3621500,,30\n")
    with pytest.raises(InputError) as info:
        read_population_grid(bad)
    assert (info.value.row, info.value.column) == (3, "y")


@pytest.mark.shared
def test_every_inhabitant_of_the_lot_grid_lands_in_a_lot_commune():
    shared = shared_data_dir()
    if shared is None:
        pytest.skip("shared/data absent: no commune contours or population grid")
    communes = gpd.read_file(shared / "communes" / "communes-46-lot.geojson").set_index("code")
    points = population_points(communes, shared / "population" / "filosofi2015_1km_lot.csv")
    assert points["weight"].sum() == 175_098  # the grid's total, README of shared/data
    assert points.attrs["outside_population"] == 0
    assert (points["commune"] == "46042").sum() > 20, "Cahors spreads over many 1 km cells"
