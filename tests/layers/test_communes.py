"""Communes: the recorded geo.api.gouv.fr file, former codes dissolved, INSEE children by age."""

from __future__ import annotations


import pytest
from shapely import Point

from maillage import layers, settings
from maillage.errors import NetworkError
from maillage.layers.ages import AGE_SHARES
from maillage.layers.communes import embedded_communes, points_layer
from tests import paths

FIXTURES = paths.FIXTURES / "layers"


pytestmark = pytest.mark.usefixtures("offline")


def test_the_recorded_geo_api_file_gives_contours_to_three_communes():
    report = layers.ValidationReport()
    communes = layers.load_communes(FIXTURES / "geo_api_communes_cazals_salviac.geojson",
                                    epci="200035327", report=report)
    assert len(communes) == 15
    kinds = communes["geometry_kind"]
    assert sorted(kinds[kinds == "polygone"].index) == ["46066", "46087", "46297"]
    assert communes.attrs["source"].kind == "fichier utilisateur"
    assert communes.attrs["source"].missing == "12 communes sans contour (points)"
    cazals = communes.loc["46066"]
    assert cazals.geometry.contains(Point(cazals["point_lon"], cazals["point_lat"]))


def test_former_codes_are_dissolved_into_the_current_commune():
    report = layers.ValidationReport()
    contours = layers.read_contours(FIXTURES / "contours_2015_porte_du_quercy.geojson", report)
    assert list(contours.index) == ["46033"]
    porte = contours.loc["46033"]
    assert porte["population"] == 150 + 200  # Fargues + Saux
    assert porte.geometry.area == pytest.approx(2 * 0.02 * 0.02)
    assert [e.level for e in report.entries] == ["converti", "converti"]
    assert report.entries[0].message.startswith("ancien code 46099 fusionné dans la commune "
                                                "actuelle 46033")


def test_current_code_of_a_merged_commune():
    assert layers.current_code("46300") == "46033"  # Saux -> Porte-du-Quercy
    assert layers.current_code("46042") == "46042"  # Cahors is unchanged


def test_insee_age_counts_replace_the_estimates():
    communes = points_layer(embedded_communes())
    report = layers.ValidationReport()
    counted = layers.apply_insee_ages(communes, FIXTURES / "insee_ages_cazals_salviac.csv",
                                      report)
    cazals = counted.loc["46066"]
    assert (cazals["pop_0_2"], cazals["pop_3_5"], cazals["pop_6_10"], cazals["pop_11_17"]) == \
        (12.0, 18.5, 30.0, 51.25)
    assert cazals["age_source"].startswith("INSEE RP2021")
    porte = counted.loc["46033"]  # Fargues (46099) + Saint-Matré (46278)
    assert porte["pop_11_17"] == 8 + 6
    assert counted.loc["46042", "age_source"].startswith("estimation")
    assert counted.loc["46042", "pop_0_2"] == communes.loc["46042", "pop_0_2"]
    summary = [e.message for e in report.entries if e.message.startswith("enfants par âge")]
    assert summary[0].startswith("enfants par âge : 3 communes avec comptages INSEE RP2021, "
                                 "309 en estimation")


def test_estimated_children_follow_the_cahors_arrondissement_shares():
    # INSEE RP2018, arrondissement of Cahors: 1,707 children aged 0-2 for 72,848 inhabitants
    assert AGE_SHARES["pop_0_2"] == pytest.approx(1_707 / 72_848)
    cahors = embedded_communes().set_index("code").loc["46042"]
    assert cahors["population"] == 19_902
    assert cahors["pop_0_2"] == pytest.approx(466.3, abs=0.1)
    assert cahors["age_source"].startswith("estimation : ")


def test_representative_points_lie_in_their_dissolved_commune():
    if settings.shared_data_dir() is None:
        pytest.skip("../shared/data absent: no contours to check the points against")
    communes = layers.load_communes(offline=True)
    outside = [code for code, row in communes.iterrows()
               if not row.geometry.buffer(1e-4).contains(Point(row["point_lon"],
                                                               row["point_lat"]))]
    assert outside == []


def test_fetching_contours_offline_is_refused():
    with pytest.raises(NetworkError, match="hors ligne"):
        layers.fetch_geo_api("46")


def test_a_lambert93_shapefile_of_contours_is_reprojected(tmp_path):
    import geopandas as gpd

    recorded = gpd.read_file(FIXTURES / "geo_api_communes_cazals_salviac.geojson")
    recorded.to_crs("EPSG:2154").rename(columns={"code": "INSEE_COM"}).to_file(
        tmp_path / "communes.shp")
    report = layers.ValidationReport()
    contours = layers.read_contours(tmp_path / "communes.shp", report)
    assert sorted(contours.index) == ["46066", "46087", "46297"]
    assert contours.crs.to_epsg() == 4326
    assert contours.loc["46066"].geometry.contains(Point(1.21479, 44.64659))  # Cazals
    assert report.entries[0].message.startswith("coordonnées converties de EPSG:2154")


def test_a_download_is_cached_and_read_back_offline(monkeypatch, tmp_path):
    import io
    import urllib.request

    recorded = (FIXTURES / "geo_api_communes_cazals_salviac.geojson").read_bytes()
    asked = []

    def fake_urlopen(request, timeout):
        asked.append(request.full_url)
        return io.BytesIO(recorded)

    monkeypatch.setenv("MAILLAGE_OFFLINE", "0")
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    cached = layers.fetch_geo_api(epci="200035327")
    assert asked == ["https://geo.api.gouv.fr/communes?codeEpci=200035327"
                     "&fields=code,nom,codeEpci,population&format=geojson&geometry=contour"]
    assert cached.read_bytes() == recorded
    assert cached.is_relative_to(tmp_path / "cache")


def test_a_cached_intercommunality_download_is_used_offline(tmp_path):
    cached = tmp_path / "cache" / "geo.api.gouv.fr" / "communes-epci-200035327.geojson"
    cached.parent.mkdir(parents=True)
    cached.write_bytes((FIXTURES / "geo_api_communes_cazals_salviac.geojson").read_bytes())
    communes = layers.load_communes(epci="200035327", offline=True)
    assert communes.attrs["source"].kind == "cache"
    assert (communes["geometry_kind"] == "polygone").sum() == 3


def test_quercy_bouriane_under_threes_add_up_to_the_174_of_its_ctg_plan():
    # The plan d'action counts 174 children under 3 in 2021; the embedded estimates of its 20
    # communes are scaled to that total, and say so.
    from maillage.layers import embedded_communes

    communes = embedded_communes()
    bouriane = communes[communes["epci"] == "244600482"]
    assert len(bouriane) == 20
    assert bouriane["pop_0_2"].sum() == pytest.approx(174, abs=0.5)
    assert bouriane["age_source"].str.contains("recalé sur le total de l'EPCI (174", regex=False).all()
    # Other bands and other EPCIs keep the plain estimate.
    assert not communes.loc[communes["epci"] != "244600482", "age_source"].str.contains(
        "recalé").any()
