"""Filosofi 200 m cells fetched online for any territory, from recorded tiles.

``filosofi_tiles/16_16.csv`` and ``16_17.csv`` are HAND-MADE tiles in the real format of the
tiled mirror of INSEE's grid (jgaffuri/tiled-grid-france-filosofi, ``x``/``y`` = column/row in
the 128 × 128 tile, ``imputed``, ``ind``, ``ind_0_3`` … ``ind_inc``): one inhabited cell placed
in each of Cazals, Salviac and Dégagnac, one far away; invented counts. Tiles 17/16 and 17/17
answer 404 (no inhabited cell), as the mirror does.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from maillage import layers
from maillage.errors import NetworkError
from maillage.layers import filosofi
from maillage.layers.filosofi_online import TILE_URL, fetch_cells, tiles_for

FIXTURES = Path(__file__).parent.parent / "fixtures" / "layers"
CAZALS_SALVIAC = "200035327"


@pytest.fixture
def communes():
    return layers.load_communes(FIXTURES / "geo_api_communes_cazals_salviac.geojson",
                                epci=CAZALS_SALVIAC, report=layers.ValidationReport())


@pytest.fixture
def mirror(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "0")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    asked = []

    def fake(request, timeout):
        asked.append(request.full_url)
        tile = "_".join(request.full_url.rsplit("/", 2)[-2:]).removesuffix(".csv")
        path = FIXTURES / "filosofi_tiles" / f"{tile}.csv"
        if not path.is_file():
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
        return io.BytesIO(path.read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", fake)
    return asked


def test_tiles_are_those_covering_the_territory():
    # 128 cells of 200 m = 25.6 km per tile, from (3,200,000, 2,000,000) in EPSG:3035.
    assert tiles_for((3_609_600, 2_409_600, 3_635_199, 2_435_199)) == [(16, 16)]
    assert tiles_for((3_623_464, 2_432_383, 3_635_241, 2_439_310)) == [
        (16, 16), (16, 17), (17, 16), (17, 17)]


def test_cells_are_fetched_assigned_to_communes_and_cached(communes, mirror, monkeypatch):
    report = layers.ValidationReport()
    path = fetch_cells(communes, report=report)
    assert sorted(mirror) == sorted(TILE_URL.format(
        commit="b2a4c7fdc537ecf67a615c5796ac0bbc65ea80e0", tx=tx, ty=ty)
        for tx, ty in [(16, 16), (16, 17), (17, 16), (17, 17)])
    cells = filosofi.read_cells(path)
    assert sorted(cells["commune"]) == ["46066", "46087", "46297"]  # the far cell is dropped
    cazals = cells[cells["commune"] == "46066"].iloc[0]
    # Column 16 × 128 + 74, row 16 × 128 + 121: centre 100 m inside the lower-left corner.
    assert (cazals["x"], cazals["y"]) == (3_200_000 + 2122 * 200 + 100, 2_000_000 + 2169 * 200 + 100)
    assert (cazals["ind"], cazals["ind_0_3"], cazals["imputed"]) == (120.0, 8.0, False)
    assert "4 tuile(s), 3 carreaux dans 3 communes" in report.entries[-1].message
    # Second run offline: from the cache, same cells.
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    again = fetch_cells(communes)
    assert len(mirror) == 4 and again.read_bytes() == path.read_bytes()


def test_the_fetched_cells_give_children_and_origins(communes, mirror):
    path = fetch_cells(communes)
    territory = layers.load_territory(CAZALS_SALVIAC, offline=True, ages=path)
    assert territory.cells is not None and len(territory.cells) == 3
    cazals = territory.communes.loc["46066"]
    assert cazals["pop_0_2"] == round(0.75 * 8 * cazals["population"] / 120, 1)


def test_offline_without_cache_says_so(communes, monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "vide"))
    with pytest.raises(NetworkError, match="hors ligne"):
        fetch_cells(communes)
