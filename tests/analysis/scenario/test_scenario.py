"""Scenarios: reading the YAML, applying changes, indicators before and after."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.scenario.apply import apply_changes
from maillage.analysis.scenario.file import load_scenario, parse_scenario
from maillage.analysis.scenario import run_scenario
from maillage.errors import InputError
from tests import paths

FIXTURES = paths.FIXTURES / "analysis"


class GridTimer:
    """Minutes = 100 × (|Δlon| + |Δlat|): communes 0.1° apart are 10 minutes apart."""

    estimated = True
    description = "grille de test"

    def matrix(self, origins, destinations):
        ox, oy = origins.geometry.x.to_numpy(), origins.geometry.y.to_numpy()
        dx, dy = destinations.geometry.x.to_numpy(), destinations.geometry.y.to_numpy()
        minutes = 100 * (np.abs(ox[:, None] - dx[None]) + np.abs(oy[:, None] - dy[None]))
        return pd.DataFrame(minutes.round(9), index=origins.index, columns=destinations.index)


def territory():
    """Four Grand Cahors communes on a line, 10 minutes apart, and one outside.

    lon: Cahors 1.40, Calamane 1.30, Catus 1.20, Lherm 1.00 (all at lat 44.50).
    Children 3–11 (pop_3_5 + pop_6_10 + the 11-year-olds, 1/7 of pop_11_17): Cahors
    1,000 + 900/7, Calamane 50 + 50/7, Catus 100 + 90/7, Lherm 30 + 30/7 (:data:`CHILDREN`).
    """
    communes = pd.DataFrame({
        "code": ["46042", "46046", "46064", "46169", "46127"],
        "name": ["Cahors", "Calamane", "Catus", "Lherm", "Gourdon"],
        "epci": ["200023737"] * 4 + ["244600482"],
        "epci_name": ["Grand Cahors"] * 4 + ["Quercy-Bouriane"],
        "population": [20000, 500, 900, 300, 4000],
        "pop_0_2": [500.0, 10, 20, 5, 90], "pop_3_5": [400.0, 20, 40, 10, 100],
        "pop_6_10": [600.0, 30, 60, 20, 150], "pop_11_17": [900.0, 50, 90, 30, 300],
        "point_lon": [1.40, 1.30, 1.20, 1.00, 1.33], "point_lat": [44.5] * 4 + [44.74],
    }).set_index("code", drop=False)
    facilities = pd.DataFrame({
        "id": ["gc-alsh-croix-de-fer", "gc-alsh-catus-2020", "gc-alsh-catus", "gc-fs-bus",
               "qbo-alsh-gourdon"],
        "name": ["Croix-de-Fer", "Catus", "Catus", "Bus France services", "Gourdon"],
        "kind": ["alsh", "alsh", "alsh", "france_services", "alsh"],
        "commune_code": ["46042", "46064", "46064", "46042", "46127"],
        "epci": ["200023737"] * 4 + ["244600482"],
        "lon": [1.40, 1.20, 1.20, 1.40, 1.33], "lat": [44.5] * 4 + [44.74],
        "capacity": [130.0, 40.0, 48.0, np.nan, np.nan],
        "age_min": [3.0] * 3 + [np.nan] * 2, "age_max": [12.0] * 3 + [np.nan] * 2,
        "valid_from": pd.to_datetime([None, None, "2024-09-01", None, None]),
        "valid_to": pd.to_datetime([None, "2024-08-31", None, None, None]),
        "itinerant": [False, False, False, True, False],
    }).set_index("id", drop=False)
    stops = pd.DataFrame({"service_id": ["gc-fs-bus"], "stop_id": ["bus-catus"],
                          "commune_code": ["46064"], "lon": [1.20], "lat": [44.5],
                          "days_per_month": [2.0]})
    return SimpleNamespace(communes=communes, facilities=facilities, itinerant_stops=stops)


#: Children 3–11 of the fixture: 3–5 + 6–10 + 1/7 of 11–17 (the CAF band, 11 included).
CHILDREN = (territory().communes.eval("pop_3_5 + pop_6_10 + pop_11_17 / 7")).to_dict()


def scenario(text: str, date="2025-03-31"):
    return parse_scenario(f"nom: test\ndate: {date}\nepci: \"200023737\"\n" + text,
                          file="test.yaml")


CALAMANE = """changements:
  - ouvrir:
      id: gc-alsh-calamane-scenario
      nom: "ALSH de Calamane"
      type: alsh
      commune: "46046"
      places: 20
      ages: [3, 12]
"""


def test_calamane_opens_with_20_places():
    result = run_scenario(territory(), scenario(CALAMANE), timer=GridTimer())
    calamane = result.by_commune.loc["46046"]
    # Calamane: 0 → 20 places for 50 + 50/7 children (35 per 100).
    assert calamane["places_per_100_children_before"] == 0
    assert calamane["places_per_100_children_after"] == pytest.approx(100 * 20 / CHILDREN["46046"])
    assert CHILDREN["46046"] == pytest.approx(400 / 7)
    # Nearest ALSH: Croix-de-Fer or Catus at 10 min → the new centre at 0 min.
    assert calamane["minutes_nearest_difference"] == pytest.approx(-10.0)
    # 2SFCA at 20 min. Croix-de-Fer (130) reaches Cahors, Calamane, Catus; Catus (48 places
    # in 2025) reaches all four. The new centre (20) reaches Cahors, Calamane and Catus
    # (10 min each) but not Lherm (30).
    three = CHILDREN["46042"] + CHILDREN["46046"] + CHILDREN["46064"]  # 1,150 + 1,040/7
    four = three + CHILDREN["46169"]  # 1,180 + 1,070/7
    before = 100 * (130 / three + 48 / four)
    assert calamane["access_per_100_children_before"] == pytest.approx(before)
    assert calamane["access_per_100_children_after"] == pytest.approx(before + 100 * 20 / three)
    assert result.by_commune.loc["46169", "access_per_100_children_difference"] == 0
    # Grand Cahors: 178 → 198 places for 1,180 + 1,070/7 children; Gourdon is outside.
    epci = result.by_epci.loc["200023737"]
    assert epci["places_difference"] == 20
    assert epci["places_per_100_children_after"] == pytest.approx(100 * 198 / four)
    assert list(result.by_epci.index) == ["200023737"]
    summary = result.table()
    assert summary.loc["ALSH (3-11 ans) : places", "Écart"] == 20
    assert "gc-alsh-calamane-scenario" in result.after.index
    assert "gc-alsh-calamane-scenario" not in result.before.index


def test_catus_grows_from_40_to_48_places():
    text = "changements:\n  - redimensionner: {id: gc-alsh-catus-2020, places: 48}\n"
    result = run_scenario(territory(), scenario(text, date="2024-08-31"), timer=GridTimer())
    assert result.before.loc["gc-alsh-catus-2020", "capacity"] == 40
    assert result.by_commune.loc["46064", "places_difference"] == 8
    # Catus: 48 places for 100 + 90/7 children.
    assert result.by_commune.loc["46064", "places_per_100_children_after"] == pytest.approx(
        100 * 48 / CHILDREN["46064"])


def test_close_and_move():
    text = ("changements:\n  - fermer: {id: gc-alsh-croix-de-fer}\n"
            "  - deplacer: {id: gc-alsh-catus, commune: \"46169\"}\n")
    before, after, _ = apply_changes(scenario(text), territory().facilities,
                                     territory().communes)
    assert "gc-alsh-croix-de-fer" not in after.index
    assert after.loc["gc-alsh-catus", "commune_code"] == "46169"
    assert after.loc["gc-alsh-catus", "lon"] == pytest.approx(1.00)
    assert len(before) == 4  # the 2020 Catus line is no longer in force on 2025-03-31


def test_new_bus_round_brings_france_services_closer_to_lherm():
    text = ("indicateurs: [france_services]\nchangements:\n"
            "  - itinerance: {id: gc-fs-bus, arrets: [{commune: \"46169\", jours_par_mois: 1}]}\n")
    result = run_scenario(territory(), scenario(text), timer=GridTimer())
    lherm = result.by_commune.loc["46169"]
    # Before: the bus's only stop is at Catus (20 min from Lherm); after, its only stop is at
    # Lherm (0 min) and Catus's nearest point is Lherm's stop, 20 min away (the bus's base in
    # Cahors is no point of presence).
    assert lherm["minutes_nearest_before"] == pytest.approx(20.0)
    assert lherm["minutes_nearest_after"] == pytest.approx(0.0)
    assert result.by_commune.loc["46064", "minutes_nearest_after"] == pytest.approx(20.0)
    assert "part des habitants à 15 min ou moins" in result.table().index[-2]


def test_closing_an_unknown_id_names_the_file_and_the_line():
    text = "changements:\n  - fermer: {id: gc-alsh-calamane}\n  - fermer: {id: x}\n"
    with pytest.raises(InputError) as error:
        apply_changes(scenario(text), territory().facilities, territory().communes)
    message = str(error.value)
    assert "le scénario ferme « gc-alsh-calamane » qui n'existe pas dans le registre" in message
    assert "test.yaml" in message and "ligne 5" in message and "Correction" in message


def test_resizing_a_line_not_in_force_says_so():
    text = "changements:\n  - redimensionner: {id: gc-alsh-catus-2020, places: 50}\n"
    with pytest.raises(InputError, match="n'est pas en service au 2025-03-31"):
        apply_changes(scenario(text), territory().facilities, territory().communes)


@pytest.mark.parametrize(("body", "expected"), [
    ("changements:\n  - agrandir: {id: a}\n", "type de changement inconnu « agrandir »"),
    ("changements:\n  - redimensionner: {id: a, places: -4}\n", "« places » vaut -4"),
    ("changements:\n  - ouvrir: {id: a, type: alsh, places: 5}\n", "sans lieu"),
    ("changements:\n  - fermer: {id: a, places: 3}\n", "clé inconnue « places »"),
    ("changements:\n  - ouvrir: {id: a, type: alsh, commune: \"46046\", places: 5, "
     "ages: [12, 3]}\n", "âges illisibles"),
    ("changements:\n  - ouvrir: {id: a, type: eaje, commune: \"46046\"}\n",
     "« ouvrir » un service eaje sans « places »"),
])
def test_bad_changes_are_input_errors_with_a_line(body, expected):
    with pytest.raises(InputError, match=expected) as error:
        scenario(body)
    assert error.value.row == 5 and error.value.fix


def test_a_scenario_without_changes_is_an_input_error():
    with pytest.raises(InputError, match="aucun changement"):
        parse_scenario("nom: x\ndate: 2025-03-31\n", file="x.yaml")


def test_french_date_is_day_first():
    text = "nom: x\ndate: 01/04/2025\nchangements:\n  - fermer: {id: a}\n"
    assert parse_scenario(text).date == pd.Timestamp("2025-04-01")


def test_bad_date_is_an_input_error():
    with pytest.raises(InputError, match="date de base illisible") as error:
        parse_scenario("nom: x\ndate: 2025-13-45\nchangements: []\n", file="x.yaml")
    assert error.value.row == 2


def test_fixture_file_loads_with_its_lines():
    loaded = load_scenario(FIXTURES / "ouverture-et-fermeture.yaml")
    assert [c.action for c in loaded.changes] == ["ouvrir", "fermer"]
    assert loaded.changes[1].line == 14
    assert loaded.date == pd.Timestamp("2025-03-31")
    with pytest.raises(InputError, match="introuvable"):
        load_scenario(FIXTURES / "absent.yaml")


def test_france_services_target_counts_bus_stops_only_when_present_enough():
    from maillage.analysis.coverage import france_services_target
    from maillage.analysis.itinerant import minutes_to_nearest

    lot = territory()
    # The only France services is the bus (base in Cahors, not a point), stopping at Catus
    # 2 days a month. Cahors 20 min, Calamane 10, Catus 0, Lherm 20, Gourdon 13 + 24 = 37.
    any_stop = minutes_to_nearest(lot, ["france_services"], timer=GridTimer())
    assert any_stop.round(6).to_dict() == {"46042": 20, "46046": 10, "46064": 0, "46169": 20,
                                           "46127": 37}
    check = france_services_target(any_stop, lot.communes["population"], lot.communes)
    assert not check.passed and check.failing.index.tolist() == ["46127"]
    # A stop served 2 days a month is not a point open at least 4 days a month.
    weekly = minutes_to_nearest(lot, ["france_services"], timer=GridTimer(), min_days=4)
    assert np.isinf(weekly).all()


def test_an_alsh_for_6_to_15_counts_two_thirds_of_its_places_for_3_to_11():
    text = ("changements:\n  - ouvrir: {id: lherm, type: alsh, commune: \"46169\", places: 18, "
            "ages: [6, 15]}\n")
    result = run_scenario(territory(), scenario(text), timer=GridTimer())
    lherm = result.by_commune.loc["46169"]
    # Ages [6, 15): 6 of 9 years in [3, 12) → 12 places, in the ratio and in the 2SFCA.
    # The new centre reaches Lherm (0 min) and Catus (20): R = 12 / (Lherm + Catus children).
    # Before, Lherm reaches only Catus (48 places for the children of all four communes).
    four = sum(CHILDREN[c] for c in ("46042", "46046", "46064", "46169"))
    near = CHILDREN["46169"] + CHILDREN["46064"]
    assert lherm["places_after"] == pytest.approx(12.0)
    assert lherm["access_per_100_children_before"] == pytest.approx(100 * 48 / four)
    assert lherm["access_per_100_children_after"] == pytest.approx(100 * (48 / four + 12 / near))


def test_load_scenario_checks_ids_against_a_registry(tmp_path):
    registry = territory().facilities
    path = tmp_path / "s.yaml"
    path.write_text("nom: x\ndate: 2025-03-31\nchangements:\n"
                    "  - ouvrir: {id: neuf, type: alsh, commune: \"46046\", places: 20}\n"
                    "  - redimensionner: {id: neuf, places: 24}\n"
                    "  - fermer: {id: gc-alsh-catus}\n"
                    "  - deplacer: {id: gc-alsh-catus, commune: \"46046\"}\n", encoding="utf-8")
    # Resizing the centre opened just before is fine; moving the one closed just before is not.
    closed_above = r"déplace « gc-alsh-catus » qu'il ferme plus haut \(ligne 6\)"
    with pytest.raises(InputError, match=closed_above) as error:
        load_scenario(path, registry=registry)
    assert error.value.row == 7
    assert len(load_scenario(path).changes) == 4


def test_moving_to_a_point_finds_its_commune():
    # Without polygons, the nearest commune point: (1.02, 44.5) is nearest Lherm (1.00).
    text = "changements:\n  - deplacer: {id: gc-alsh-catus, lat: 44.5, lon: 1.02}\n"
    _, after, _ = apply_changes(scenario(text), territory().facilities, territory().communes)
    assert after.loc["gc-alsh-catus", "commune_code"] == "46169"
    assert after.loc["gc-alsh-catus", "location_precision"] == "adresse"


def test_an_opened_facility_can_be_resized_moved_and_closed_in_order():
    text = CALAMANE + ("  - redimensionner: {id: gc-alsh-calamane-scenario, places: 24}\n"
                       "  - deplacer: {id: gc-alsh-calamane-scenario, commune: \"46064\"}\n"
                       "  - redimensionner: {id: gc-alsh-catus, places: 60}\n"
                       "  - fermer: {id: gc-alsh-croix-de-fer}\n")
    before, after, _ = apply_changes(scenario(text), territory().facilities,
                                     territory().communes)
    assert list(after.index) == ["gc-alsh-catus", "gc-fs-bus", "qbo-alsh-gourdon",
                                 "gc-alsh-calamane-scenario"]
    assert after.loc["gc-alsh-calamane-scenario", "capacity"] == 24
    assert after.loc["gc-alsh-calamane-scenario", "commune_code"] == "46064"
    assert after.loc["gc-alsh-catus", "capacity"] == 60
    assert before.loc["gc-alsh-catus", "capacity"] == 48  # the base state is left as it was
    closed_twice = text + "  - redimensionner: {id: gc-alsh-croix-de-fer, places: 1}\n"
    with pytest.raises(InputError, match="qu'il ferme plus haut"):
        apply_changes(scenario(closed_twice), territory().facilities, territory().communes)


def test_moving_into_a_commune_polygon_finds_that_commune():
    import geopandas as gpd
    from shapely.geometry import box

    communes = territory().communes
    # Boxes 0.1° wide around each point; Calamane's reaches west to 1.22, over Catus's.
    west = {"46046": 0.08}
    shapes = gpd.GeoDataFrame(
        communes, geometry=[box(lon - west.get(code, 0.05), 44.45, lon + 0.05, 44.55)
                            for code, lon in communes["point_lon"].items()], crs="EPSG:4326")
    # (1.23, 44.5) is nearer Catus's point (1.20) than Calamane's (1.30), and in both boxes:
    # a polygon decides, and of two the first commune in the table's order.
    text = "changements:\n  - deplacer: {id: gc-alsh-croix-de-fer, lat: 44.5, lon: 1.23}\n"
    _, after, _ = apply_changes(scenario(text), territory().facilities, shapes)
    assert after.loc["gc-alsh-croix-de-fer", "commune_code"] == "46046"  # Calamane


def test_a_memo_gives_the_same_numbers_and_measures_a_known_state_once():
    calls = []

    class CountingTimer(GridTimer):
        def matrix(self, origins, destinations):
            calls.append(len(destinations))
            return super().matrix(origins, destinations)

    memo = {}
    plain = run_scenario(territory(), scenario(CALAMANE), timer=GridTimer())
    first = run_scenario(territory(), scenario(CALAMANE), timer=CountingTimer(), memo=memo)
    pd.testing.assert_frame_equal(plain.by_commune, first.by_commune)
    pd.testing.assert_frame_equal(plain.by_epci, first.by_epci)
    assert calls == [2, 3]  # the ALSH before (2 in force) and after (3)
    resize = "changements:\n  - redimensionner: {id: gc-alsh-catus, places: 60}\n"
    second = run_scenario(territory(), scenario(resize), timer=CountingTimer(), memo=memo)
    assert calls == [2, 3, 2]  # the base state is remembered: only the state after is new
    expected = run_scenario(territory(), scenario(resize), timer=GridTimer())
    pd.testing.assert_frame_equal(expected.by_commune, second.by_commune)
    assert second.by_commune.loc["46064", "places_after"] == 60


def test_a_point_far_from_every_commune_is_refused_not_attached():
    # Without polygons: (1.0, 45.0) is 38.7 km from Gourdon's point (1.33, 44.74), the
    # nearest: 0.33° × cos 45° × 111.32 km east-west, 0.26° × 110.57 km north-south.
    text = "changements:\n  - deplacer: {id: gc-alsh-catus, lat: 45.0, lon: 1.0}\n"
    with pytest.raises(InputError) as error:
        apply_changes(scenario(text), territory().facilities, territory().communes)
    message = str(error.value)
    assert "le point de « gc-alsh-catus » (lat 45, lon 1) est hors du territoire" in message
    assert "à 38,7 km de la commune la plus proche (Gourdon, 46127)" in message
    assert error.value.row == 5 and error.value.column == "lat"


def test_with_contours_a_point_outside_the_lot_is_refused(lot_territory):
    communes = lot_territory.communes
    opened = ("changements:\n  - ouvrir: {id: alsh-x, type: alsh, places: 20, "
              "lat: LAT, lon: LON}\n")
    # Inside Calamane's contour: attached to Calamane.
    point = communes.loc["46046"].geometry.representative_point()
    text = opened.replace("LAT", f"{point.y:.5f}").replace("LON", f"{point.x:.5f}")
    _, after, _ = apply_changes(scenario(text), lot_territory.facilities, communes)
    assert after.loc["alsh-x", "commune_code"] == "46046"
    # Toulouse (43.6045 N, 1.4440 E) is far outside the Lot: refused, with the distance.
    text = opened.replace("LAT", "43.6045").replace("LON", "1.444")
    with pytest.raises(InputError, match=r"hors du territoire, à \d+,\d km de la commune"):
        apply_changes(scenario(text), lot_territory.facilities, communes)
