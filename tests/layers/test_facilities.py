"""Facilities from planners' files (CSV from Excel, XLSX, GeoPackage), itinerant stops and the
ANCT France services list."""

from __future__ import annotations


import pandas as pd
import pytest

from maillage import layers, settings
from tests import paths

BAD = paths.BAD_INPUTS


@pytest.fixture(scope="module")
def lot(lot_points):
    """The embedded Lot as points: every loader below checks codes and points against it."""
    return lot_points


def test_decimal_commas_and_semicolons_from_excel(lot):
    alsh = layers.load_facilities(BAD / "semicolon_decimal_commas.csv", communes=lot)
    catus = alsh.iloc[0]
    assert (catus["capacity"], catus["lat"], catus["lon"]) == (47.5, 44.55979, 1.33856)
    assert (catus["commune_code"], catus["location_precision"]) == ("46064", "adresse")


def test_calamane_opens_on_1_april_2025_written_the_french_way(lot):
    calamane = layers.load_facilities(BAD / "french_dates.csv", communes=lot).iloc[0]
    assert calamane["valid_from"] == pd.Timestamp("2025-04-01")
    assert pd.isna(calamane["valid_to"])
    assert calamane["epci"] == "200023737"


def test_a_facility_without_coordinates_is_placed_at_its_commune(lot):
    crèche = layers.load_facilities(BAD / "cp1252.csv", communes=lot).iloc[0]
    assert crèche["name"] == "Crèche « Écoute s'il joue »"
    assert crèche["location_precision"] == "commune"
    assert (crèche["lon"], crèche["lat"]) == (lot.at["46127", "point_lon"],
                                               lot.at["46127", "point_lat"])


def test_xlsx_with_french_headers(lot, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Type", "Code INSEE", "Places", "Tranche d'âge", "Ouverture"])
    sheet.append(["ALSH de Calamane", "ALSH", 46046, 20, "3-12", "mercredis; vacances"])
    book.save(tmp_path / "alsh.xlsx")
    alsh = layers.load_facilities(tmp_path / "alsh.xlsx", communes=lot).iloc[0]
    assert (alsh["kind"], alsh["capacity"], alsh["age_min"], alsh["age_max"]) == \
        ("alsh", 20.0, 3.0, 12.0)
    assert alsh["opening"] == "mercredis;vacances"


def test_a_lambert93_geopackage_is_converted_and_reported(lot, tmp_path):
    import geopandas as gpd
    from shapely import Point

    gdf = gpd.GeoDataFrame({"nom": ["ALSH de Catus"], "type": ["alsh"], "places": [48]},
                           geometry=[Point(1.33856, 44.55979)], crs="EPSG:4326")
    gdf.to_crs("EPSG:2154").to_file(tmp_path / "alsh.gpkg")
    report = layers.ValidationReport()
    catus = layers.load_facilities(tmp_path / "alsh.gpkg", communes=lot, report=report).iloc[0]
    assert catus["lon"] == pytest.approx(1.33856, abs=1e-6)
    assert catus["commune_code"] == "46064"
    assert any(e.message.startswith("coordonnées converties de EPSG:2154") for e in report.entries)


def test_an_rpe_has_no_places(lot, tmp_path):
    path = tmp_path / "rpe.csv"
    path.write_text("nom;type;code_insee;places\nRPE de Catus;rpe;46064;12\n", encoding="utf-8")
    report = layers.ValidationReport()
    rpe = layers.load_facilities(path, communes=lot, report=report).iloc[0]
    assert pd.isna(rpe["capacity"])
    assert "places ignorées : un service rpe n'a pas de places" in [e.message for e in
                                                                     report.entries]


def test_kind_option_fills_rows_without_a_type(lot, tmp_path):
    path = tmp_path / "alsh.csv"
    path.write_text("nom,code_insee,places\nALSH de Catus,46064,48\n", encoding="utf-8")
    assert layers.load_facilities(path, kind="alsh", communes=lot)["kind"].tolist() == ["alsh"]


def test_the_embedded_itinerant_stops_belong_to_registry_services(lot):
    from importlib.resources import as_file, files

    with as_file(files("maillage.data") / "facilities_lot.csv") as registry:
        facilities = layers.load_facilities(registry, communes=lot, require_capacity=False)
    with as_file(files("maillage.data") / "itinerant_stops_lot.csv") as path:
        stops = layers.load_itinerant_stops(path, lot, facilities)
    douelle = stops.set_index("stop_id").loc["gc-rpe-douelle"]
    assert (douelle["weekdays"], douelle["days_per_month"]) == ("mardi", 2.17)
    assert douelle["location_precision"] == "commune"


def test_the_lot_france_services_list_flags_its_two_buses(lot):
    shared = settings.shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data absent: no France services list")
    path = shared / "france_services" / "france_services_lot46_20240801.csv"
    services = layers.load_france_services(path, communes=lot)
    assert len(services) == 24
    assert (services["kind"] == "france_services").all()
    buses = services[services["itinerant"]]
    assert sorted(buses.index) == ["fs-262", "fs-890"]  # Grand Cahors, Cauvaldor
    assert set(buses["subtype"]) == {"bus"}
    assert services.loc["fs-262", "commune_code"] == "46042"


def test_the_national_france_services_list_keeps_the_lot(lot, monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path))  # an empty cache: shared data is next
    shared = settings.shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data absent: no France services list")
    services = layers.load_france_services(offline=True, communes=lot)
    assert len(services) == 24
    assert services.attrs["source"].kind == "données partagées"
