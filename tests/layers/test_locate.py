"""The vectorised location step answers exactly as locating each row alone did.

The reference keeps the previous code, with one precision: where a point touches several
contours, the first commune in the layer's order wins (the spatial index order was unspecified).

``Locator.communes_of_points`` (all points at once) and ``Locator.commune_of_point`` (one,
through the same code) are compared with the previous per-row code, kept below as the
reference, on random points around and inside the Lot: with commune points only (the
embedded layer) and with contours (a synthetic grid of square communes with gaps, so that the
300 m tolerance is exercised). And a file of many rows gives the same layer and the same
report whether its points are located in one batch or row by row.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from maillage import layers
from maillage.errors import InputError
from maillage.layers.locate import CONTOUR_TOLERANCE_DEG, MAX_KM_FROM_COMMUNE_POINT, Locator


def _reference(communes, lon: float, lat: float):
    """The per-row code before vectorisation (layers/locate.py, commune_of_point)."""
    if bool((communes["geometry_kind"] == "polygone").all()):
        point = Point(lon, lat)
        hits = communes.sindex.query(point, predicate="intersects", sort=True)
        if len(hits) == 0:
            hits = communes.sindex.query(point.buffer(CONTOUR_TOLERANCE_DEG),
                                         predicate="intersects", sort=True)
        return None if len(hits) == 0 else communes.index[hits[0]]

    def km(lon1, lat1, lon2, lat2):
        x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
        y = math.radians(lat2 - lat1)
        return 6371.0 * math.hypot(x, y)

    distances = [km(lon, lat, x, y) for x, y in zip(communes["point_lon"], communes["point_lat"])]
    best = min(range(len(distances)), key=distances.__getitem__)
    return communes.index[best] if distances[best] <= MAX_KM_FROM_COMMUNE_POINT else None


def _grid_communes():
    """12 square communes 0.05° wide with 0.004° gaps (≈ 300 m), south of Cahors."""
    cells = [(i, j) for i in range(4) for j in range(3)]
    codes = [f"46{100 + k:03d}" for k in range(len(cells))]
    geometry = [box(1.3 + 0.054 * i, 44.3 + 0.054 * j, 1.35 + 0.054 * i, 44.35 + 0.054 * j)
                for i, j in cells]
    frame = gpd.GeoDataFrame({"code": codes, "name": [f"Commune {c}" for c in codes],
                              "geometry_kind": "polygone"}, geometry=geometry, crs="EPSG:4326",
                             index=pd.Index(codes))
    frame["point_lon"] = frame.geometry.representative_point().x
    frame["point_lat"] = frame.geometry.representative_point().y
    return frame


@pytest.fixture(scope="module")
def layers_by_kind(lot_points):
    return {"points": lot_points, "polygones": _grid_communes()}


#: Inside the grid and the Lot, and beyond them (points farther than 12 km from any commune).
coordinates = st.one_of(
    st.tuples(st.floats(1.2, 1.6, allow_nan=False), st.floats(44.2, 44.6, allow_nan=False)),
    st.tuples(st.floats(0.3, 2.6, allow_nan=False), st.floats(43.7, 45.6, allow_nan=False)))


@settings(max_examples=60, deadline=None)
@given(points=st.lists(coordinates, min_size=1, max_size=40))
@pytest.mark.parametrize("kind", ["points", "polygones"])
def test_batch_location_equals_the_per_row_code(kind, points, layers_by_kind):
    communes = layers_by_kind[kind]
    locator = Locator(communes, "f.csv", layers.ValidationReport())
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    expected = [_reference(communes, x, y) for x, y in points]
    assert locator.communes_of_points(lon, lat) == expected
    assert [locator.commune_of_point(x, y) for x, y in points] == expected


@pytest.mark.parametrize("kind", ["points", "polygones"])
def test_a_file_gives_the_same_layer_and_report_in_one_batch_or_row_by_row(
        kind, layers_by_kind, tmp_path, monkeypatch):
    communes = layers_by_kind[kind]
    rng = np.random.default_rng(3)
    lines = ["nom;type;code_insee;latitude;longitude;places"]
    codes = list(communes.index)
    for i in range(300):
        lon, lat = rng.uniform(1.25, 1.55), rng.uniform(44.25, 44.55)
        code = codes[i % len(codes)] if i % 3 == 0 else ""
        point = f"{lat:.5f}".replace(".", ","), f"{lon:.5f}"
        if i % 5 == 0:
            point = ("", "")
            code = code or codes[0]
        lines.append(f"Structure {i};alsh;{code};{point[0]};{point[1]};{i % 40}")
    path = tmp_path / "structures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def load():
        report = layers.ValidationReport()
        try:
            layer = layers.load_facilities(path, communes=communes, report=report)
        except InputError:
            layer = None
        return layer, report.to_text()

    batch_layer, batch_report = load()
    monkeypatch.setattr(Locator, "prepare", lambda self, lat, lon: None)  # row by row
    row_layer, row_report = load()
    assert batch_report == row_report
    assert "hors de toutes les communes" in batch_report or kind == "points"
    if batch_layer is not None:
        pd.testing.assert_frame_equal(batch_layer.drop(columns="geometry"),
                                      row_layer.drop(columns="geometry"))
