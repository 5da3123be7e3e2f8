"""The embedded commune contours: the offline default draws polygons, not circles."""

from __future__ import annotations

import importlib.resources
import json

import geopandas as gpd
import pytest
from shapely import Point

from maillage import layers
from maillage.layers.communes import embedded_communes


@pytest.fixture
def no_shared(monkeypatch, tmp_path):
    """A fresh machine: no ../shared/data, offline, an empty cache."""
    empty = tmp_path / "vide"
    empty.mkdir()
    monkeypatch.setenv("MAILLAGE_SHARED_DATA", str(empty))
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))


def _embedded_file():
    return importlib.resources.files("maillage.data").joinpath("communes_lot.geojson")


def test_the_embedded_contours_are_the_312_communes_and_stay_small():
    resource = _embedded_file()
    data = resource.read_bytes()
    assert len(data) < 600_000  # the whole embedded set must stay at a few MB
    features = json.loads(data)["features"]
    codes = [f["properties"]["code"] for f in features]
    assert sorted(codes) == sorted(embedded_communes()["code"])
    with importlib.resources.as_file(resource) as path:
        contours = gpd.read_file(path).set_index("code")
    assert contours.is_valid.all()
    assert set(contours.geom_type) <= {"Polygon", "MultiPolygon"}
    # The Lot covers 5,217 km²; simplified contours keep it within 1 %.
    assert contours.to_crs("EPSG:2154").area.sum() / 1e6 == pytest.approx(5_217, rel=0.01)


def test_representative_points_lie_in_the_embedded_contours():
    with importlib.resources.as_file(_embedded_file()) as path:
        contours = gpd.read_file(path).set_index("code")
    table = embedded_communes().set_index("code")
    outside = [code for code, row in table.iterrows()
               if not contours.at[code, "geometry"].buffer(0.002).contains(
                   Point(row["point_lon"], row["point_lat"]))]
    assert outside == []


def test_without_shared_data_nor_network_the_communes_are_polygons(no_shared):
    from maillage.settings import shared_data_dir

    assert shared_data_dir() is None
    report = layers.ValidationReport()
    communes = layers.load_communes(report=report)
    assert len(communes) == 312
    assert (communes["geometry_kind"] == "polygone").all()
    assert set(communes.geom_type) <= {"Polygon", "MultiPolygon"}
    source = communes.attrs["source"]
    assert source.kind == "intégré" and "communes_lot.geojson" in source.description
    assert "Licence Ouverte" in source.licence and not source.missing


def test_the_offline_demo_draws_polygons(no_shared, tmp_path):
    from maillage.pipeline import run_diagnostic

    report = run_diagnostic(tmp_path / "sortie", epci="200035327")
    layer = gpd.read_file(report.parent / "couches.gpkg", layer="communes")
    assert len(layer) == 15 and set(layer.geom_type) <= {"Polygon", "MultiPolygon"}
    import re

    html = (report.parent / "cartes" / "capacite_alsh.html").read_text(encoding="utf-8")
    polygons = re.findall(r'"type": ?"(?:Multi)?Polygon"', html)
    assert len(polygons) >= 15  # each commune drawn as its contour, not as a circle
