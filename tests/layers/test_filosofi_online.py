"""Filosofi 200 m cells fetched online for any territory: INSEE's archive, else the mirror.

``filosofi_insee_2021/carreaux_200m_met.csv`` is a HAND-MADE extract in the exact format of
the member of INSEE's ``Filosofi2021_carreaux_200m_csv.zip`` (the 34 columns of the 2021 file,
``,``-separated, ``idcar_200m`` = lower-left corner, ``lcog_geo`` = the commune codes of the
cell, concatenated): the cells of the tiles below plus one cell across Cazals and a commune
outside the territory; invented counts. The test zips it as INSEE ships it.

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
import zipfile
from pathlib import Path

import pytest

from maillage import layers
from maillage.errors import InputError, NetworkError
from maillage.layers import filosofi
from maillage.layers.filosofi_online import (INSEE_URL, TILE_URL, archive_path, fetch_cells,
                                             read_insee_cells, tiles_for)

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
    path = fetch_cells(communes, report=report, source="miroir")
    assert sorted(mirror) == sorted(TILE_URL.format(
        commit="b2a4c7fdc537ecf67a615c5796ac0bbc65ea80e0", tx=tx, ty=ty)
        for tx, ty in [(16, 16), (16, 17), (17, 16), (17, 17)])
    cells = filosofi.read_cells(path)
    assert sorted(cells["commune"]) == ["46066", "46087", "46297"]  # the far cell is dropped
    cazals = cells[cells["commune"] == "46066"].iloc[0]
    # Column 16 × 128 + 74, row 16 × 128 + 121: centre 100 m inside the lower-left corner.
    assert (cazals["x"], cazals["y"]) == (3_200_000 + 2122 * 200 + 100, 2_000_000 + 2169 * 200 + 100)
    assert (cazals["ind"], cazals["ind_0_3"], cazals["imputed"]) == (120.0, 8.0, False)
    assert "(miroir en tuiles, 4 tuile(s)) : 3 carreaux dans 3 communes" in \
        report.entries[-1].message
    # Second run offline: from the cache, same cells.
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    again = fetch_cells(communes, source="miroir")
    assert len(mirror) == 4 and again.read_bytes() == path.read_bytes()


def test_the_fetched_cells_give_children_and_origins(communes, mirror):
    path = fetch_cells(communes, source="miroir")
    territory = layers.load_territory(CAZALS_SALVIAC, offline=True, ages=path)
    assert territory.cells is not None and len(territory.cells) == 3
    cazals = territory.communes.loc["46066"]
    assert cazals["pop_0_2"] == round(0.75 * 8 * cazals["population"] / 120, 1)


def test_offline_without_cache_says_so(communes, monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "vide"))
    with pytest.raises(NetworkError, match="hors ligne"):
        fetch_cells(communes)


# ------------------------------------------------------------------ INSEE's national archive

INSEE_CSV = FIXTURES / "filosofi_insee_2021" / "carreaux_200m_met.csv"


@pytest.fixture
def insee(monkeypatch, tmp_path):
    """INSEE answers with a zip holding the recorded ``carreaux_200m_met.csv``; the mirror
    answers 404 (it must not be asked); the URLs asked are kept."""
    monkeypatch.setenv("MAILLAGE_OFFLINE", "0")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    archive = tmp_path / "Filosofi2021_carreaux_200m_csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(INSEE_CSV, "carreaux_200m_met.csv")
    asked = []

    def fake(request, timeout):
        asked.append(request.full_url)
        if request.full_url == INSEE_URL:
            return io.BytesIO(archive.read_bytes())
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", fake)
    return asked


def test_cells_come_from_insee_s_archive_first(communes, insee, monkeypatch):
    report = layers.ValidationReport()
    path = fetch_cells(communes, report=report)
    assert insee == [INSEE_URL]  # one download, the mirror untouched
    assert INSEE_URL == ("https://www.insee.fr/fr/statistiques/fichier/8735162/"
                         "Filosofi2021_carreaux_200m_csv.zip")
    cells = filosofi.read_cells(path)
    # The far cell (46033) is left out; the cell across 46033 | 46066 goes to Cazals.
    assert sorted(cells["commune"]) == ["46066", "46066", "46087", "46297"]
    cazals = cells[(cells["commune"] == "46066") & (cells["ind"] == 120)].iloc[0]
    # idcar_200m CRS3035RES200mN2433800E3624400 = lower-left corner: centre 100 m inside.
    assert (cazals["x"], cazals["y"]) == (3_624_500, 2_433_900)
    assert (cazals["ind_0_3"], cazals["ind_11_17"], cazals["imputed"]) == (8.0, 14.0, False)
    assert cells.loc[cells["commune"] == "46297", "imputed"].tolist() == [True]
    assert report.entries[-1].message == (
        "carroyage Filosofi 2021 (INSEE, Filosofi2021_carreaux_200m_csv.zip) : 4 carreaux "
        "dans 3 communes (233 habitants fiscaux)")
    # The archive is cached: offline, the same cells again, nothing asked.
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    assert fetch_cells(communes).read_bytes() == path.read_bytes() and len(insee) == 1


def test_the_same_cells_as_the_mirror_give_the_same_children(communes, insee, tmp_path):
    territory = layers.load_territory(CAZALS_SALVIAC, offline=True,
                                      ages=fetch_cells(communes))
    cazals = territory.communes.loc["46066"]
    # Cazals: two cells, 120 + 12.5 inhabitants, 8 + 1 children aged 0–3.
    assert cazals["pop_0_2"] == round(0.75 * 9 * cazals["population"] / 132.5, 1)


def test_without_insee_the_mirror_is_the_documented_fallback(communes, mirror):
    report = layers.ValidationReport()
    path = fetch_cells(communes, report=report)
    assert mirror[0] == INSEE_URL and all("jgaffuri" in url for url in mirror[1:])
    assert sorted(filosofi.read_cells(path)["commune"]) == ["46066", "46087", "46297"]
    assert "INSEE indisponible" in report.entries[0].message
    assert "miroir en tuiles, 4 tuile(s)" in report.entries[-1].message


def test_an_archive_without_the_metropolitan_file_is_refused(tmp_path):
    archive = tmp_path / "autre.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("lisezmoi.txt", "rien")
    with pytest.raises(InputError, match="carreaux_200m_met.csv"):
        read_insee_cells(archive, ["46066"])


def test_an_error_page_is_not_cached(communes, monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "0")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda request, timeout: io.BytesIO(b"<html>maintenance</html>"))
    with pytest.raises(NetworkError, match="pas une archive zip"):
        fetch_cells(communes, source="insee")
    assert not archive_path().exists()
