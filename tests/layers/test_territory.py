"""The embedded Lot territory: communes of the four CTG intercommunalities, their populations,
facilities, and the explicit source of every layer."""

from __future__ import annotations

import json
import shutil

import pytest

from maillage import layers, settings
from maillage.errors import InputError
from tests import paths

FIXTURES = paths.FIXTURES / "layers"
#: Populations municipales 2026 of the four CTG intercommunalities (INSEE, COG 2026).
CTG_EPCIS = {"200023737": ("CA du Grand Cahors", 36, 42_094),
             "200039519": ("CC du Quercy Blanc", 9, 7_704),
             "244600482": ("CC Quercy - Bouriane", 20, 10_247),
             "200035327": ("CC Cazals-Salviac", 15, 5_432)}


pytestmark = pytest.mark.usefixtures("offline")


@pytest.fixture(scope="module")
def lot(lot_territory):
    return lot_territory


def test_the_lot_has_its_312_communes_each_with_population(lot):
    assert len(lot.communes) == 312
    assert lot.communes.index.is_unique
    assert (lot.communes["population"] > 0).all()
    assert lot.communes.crs.to_epsg() == 4326
    assert lot.communes[["pop_0_2", "pop_3_5", "pop_6_10", "pop_11_17"]].notna().all().all()


@pytest.mark.parametrize("code", sorted(CTG_EPCIS))
def test_each_ctg_intercommunality_has_its_communes_and_population(lot, code):
    name, n_communes, population = CTG_EPCIS[code]
    row = lot.epcis.set_index("code").loc[code]
    assert (row["name"], row["n_communes"], row["population"]) == (name, n_communes, population)


def test_epci_totals_match_the_shared_intercommunality_file(lot):
    shared = settings.shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data absent: no intercommunality file to compare with")
    epcis = json.loads((shared / "admin" / "epci_4_territoires_cog2026.json").read_text("utf-8"))
    for epci in epcis:
        members = lot.communes[lot.communes["epci"] == epci["code"]]
        assert set(members.index) == {m["code"] for m in epci["membres"]}
        assert members["population"].sum() == epci["populationMunicipale"]


def test_grand_cahors_alone(lot):
    gc = layers.load_territory(epci="200023737", offline=True)
    assert gc.name == "CA du Grand Cahors"
    assert len(gc.communes) == 36 and gc.communes["population"].sum() == 42_094
    assert set(gc.facilities["epci"]) == {"200023737"}
    assert set(gc.itinerant_stops["service_id"]) <= set(gc.facilities.index)
    assert len(gc.facilities) < len(lot.facilities)


def test_an_epci_siren_is_also_a_territory_name():
    assert layers.load_territory("200035327", offline=True).name == "CC Cazals-Salviac"


def test_a_territory_siren_and_a_different_epci_are_refused_not_overridden():
    with pytest.raises(InputError, match="territoire « 200035327 » et intercommunalité "
                                         "« 200023737 » contradictoires"):
        layers.load_territory("200035327", epci="200023737", offline=True)
    same = layers.load_territory("200035327", epci="200035327", offline=True)
    assert same.name == "CC Cazals-Salviac"


def test_an_unknown_territory_or_intercommunality_is_an_input_error():
    with pytest.raises(InputError, match="territoire « gironde » inconnu"):
        layers.load_territory("gironde")
    with pytest.raises(InputError, match="intercommunalité 123456789 inconnue dans le Lot"):
        layers.load_territory(epci="123456789")


def test_catus_has_48_places_since_september_2024(lot):
    catus = lot.facilities.loc["gc-alsh-catus"]
    assert catus["capacity"] == 48
    assert str(catus["valid_from"].date()) == "2024-09-01"
    assert catus["location_precision"] == "commune"
    assert catus["commune_code"] == "46064"


def test_every_layer_says_where_it_came_from(lot):
    assert set(lot.sources) == {"communes", "facilities", "itinerant_stops", "bus_stops"}
    assert lot.sources["facilities"].kind == "intégré"
    assert lot.bus_stops is None
    assert "GTFS" in lot.sources["bus_stops"].missing


def test_with_shared_data_communes_get_dissolved_2018_contours(lot):
    if settings.shared_data_dir() is None:
        pytest.skip("../shared/data absent: no contours")
    assert lot.sources["communes"].kind == "données partagées"
    assert (lot.communes["geometry_kind"] == "polygone").all()
    # Porte-du-Quercy (46033) took in Fargues, Saint-Matré and Saux after the 2018 contours
    merged = [e.message for e in lot.report.entries
              if e.message.endswith("fusionné dans la commune actuelle 46033 (contour réuni, "
                                    "population additionnée)")]
    assert [m.split()[2] for m in merged] == ["46099", "46278", "46300"]
    assert lot.communes.loc["46033"].geometry.geom_type in ("Polygon", "MultiPolygon")


def test_without_any_contour_communes_are_points_and_the_source_says_so(monkeypatch):
    monkeypatch.setattr(settings, "shared_data_dir", lambda: None)
    lot = layers.load_territory("lot", offline=True)
    assert (lot.communes["geometry_kind"] == "point").all()
    assert lot.sources["communes"].kind == "intégré"
    assert lot.sources["communes"].missing == ("pas de contours : symboles proportionnels au "
                                               "lieu d'une carte choroplèthe")


def test_the_geo_api_cache_comes_before_shared_data(monkeypatch, tmp_path):
    cached = tmp_path / "cache" / "geo.api.gouv.fr" / "communes-46.geojson"
    cached.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "geo_api_communes_cazals_salviac.geojson", cached)
    territory = layers.load_territory(epci="200035327", offline=True)
    assert territory.sources["communes"].kind == "cache"
    polygons = territory.communes[territory.communes["geometry_kind"] == "polygone"]
    assert sorted(polygons.index) == ["46066", "46087", "46297"]
