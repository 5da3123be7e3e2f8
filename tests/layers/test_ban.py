"""Geocoding with the Base Adresse Nationale: one batch request, cached, scores kept.

``ban_search_csv_response.csv`` (registry ids) and ``ban_search_csv_structures.csv`` (the
planner's file ``structures_adresses.csv``) are HAND-MADE answers in the real format of the BAN's
``/search/csv/`` endpoint (the request's columns, then ``latitude``, ``longitude``,
``result_label``, ``result_score``, ``result_type``, ``result_citycode``… ``result_status``):
its coordinates and scores are invented; the service cannot be reached offline.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from maillage import layers
from maillage.layers.ban import BAN_CSV_URL, geocode_addresses, geocode_facilities

FIXTURES = Path(__file__).parent.parent / "fixtures" / "layers"
QUERY = pd.DataFrame({
    "id": ["gc-alsh-croix-de-fer", "gc-alsh-terre-rouge", "gc-fs-catus", "gc-rpe"],
    "adresse": ["180 rue Albert-Camus, Cahors", "quartier de Terre-Rouge, Cahors",
                "Place de la Halle, Catus", "Cahors Centre"],
    "citycode": ["46042", "46042", "46064", "46042"]})


@pytest.fixture
def recorded(monkeypatch, tmp_path):
    """The BAN answers with the recorded file; the requests are kept."""
    return _answer_with("ban_search_csv_response.csv", monkeypatch, tmp_path)


@pytest.fixture
def recorded_structures(monkeypatch, tmp_path):
    """The BAN answers the planner's file with its recorded answer; the requests are kept."""
    return _answer_with("ban_search_csv_structures.csv", monkeypatch, tmp_path)


def _answer_with(name, monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "0")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    asked = []

    def fake(request, timeout):
        # Only the BAN answers here; any other source (commune contours when ../shared is
        # absent) is unreachable, as on a machine without internet.
        if getattr(request, "full_url", request) != BAN_CSV_URL:
            raise urllib.error.URLError("hors ligne (test)")
        asked.append(request)
        return io.BytesIO((FIXTURES / name).read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", fake)
    return asked


def test_one_batch_request_places_the_trusted_addresses(recorded):
    report = layers.ValidationReport()
    result = geocode_addresses(QUERY, report=report)
    assert len(recorded) == 1 and recorded[0].full_url == BAN_CSV_URL
    body = recorded[0].data.decode()
    assert 'name="columns"\r\n\r\nadresse' in body and 'name="citycode"\r\n\r\ncitycode' in body
    assert "gc-fs-catus,\"Place de la Halle, Catus\",46064" in body
    camus = result.loc["gc-alsh-croix-de-fer"]
    assert (camus["lat"], camus["lon"], camus["score"]) == (44.457812, 1.450873, 0.8912)
    assert camus["location_precision"] == "adresse" and camus["result_type"] == "housenumber"
    # Below the 0.6 threshold, or not found: the commune point, with the score kept.
    rouge = result.loc["gc-alsh-terre-rouge"]
    assert rouge["location_precision"] == "commune" and rouge["score"] == 0.4187
    assert pd.isna(rouge["lat"])
    assert result.at["gc-rpe", "location_precision"] == "commune"
    messages = [e.message for e in report.entries]
    assert "gc-alsh-terre-rouge : géocodage BAN peu sûr (score 0,42 < 0,60), point de la " \
           "commune" in messages
    assert messages[-1] == ("géocodage BAN : 2 adresse(s) sur 4 placées (score ≥ 0,60 ; "
                            "scores de 0,77 à 0,89, médiane 0,83) ; 2 au point de leur "
                            "commune : gc-alsh-terre-rouge, gc-rpe")


def test_the_answer_is_cached_and_read_back_offline(recorded, monkeypatch):
    first = geocode_addresses(QUERY)
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    again = geocode_addresses(QUERY)
    assert len(recorded) == 1
    pd.testing.assert_frame_equal(first, again)


def test_offline_without_cache_every_address_keeps_its_commune(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    report = layers.ValidationReport()
    result = geocode_addresses(QUERY, report=report)
    assert (result["location_precision"] == "commune").all()
    assert report.entries[0].message.startswith("géocodage BAN non fait (hors ligne")


def test_a_threshold_is_the_planner_s_choice(recorded):
    result = geocode_addresses(QUERY, min_score=0.4)
    assert result.at["gc-alsh-terre-rouge", "location_precision"] == "adresse"


def test_registry_facilities_move_to_their_address(recorded):
    lot = layers.load_territory("lot", offline=True)
    placed = geocode_facilities(lot.facilities)
    catus = placed.loc["gc-fs-catus"]
    assert catus["location_precision"] == "adresse"
    assert (catus.geometry.x, catus.geometry.y) == (1.333502, 44.558012)
    assert catus["source"].endswith("géocodé BAN (score 0,77)")
    assert placed.at["gc-rpe", "location_precision"] == "commune"
    assert placed.attrs["geocoding"].at["gc-fs-catus", "score"] == 0.7731


PLANNER_FILE = FIXTURES / "structures_adresses.csv"


def test_a_planner_s_addresses_are_geocoded_when_the_territory_loads(recorded_structures):
    territory = layers.load_territory("lot", facilities=PLANNER_FILE)
    assert len(recorded_structures) == 1
    body = recorded_structures[0].data.decode()
    # Only the rows with an address and no coordinates are sent.
    assert "alsh-calamane" not in body and "alsh-le-montat" not in body
    facilities = territory.facilities
    camus = facilities.loc["alsh-croix-de-fer"]
    assert camus["location_precision"] == "adresse"
    assert (camus.geometry.x, camus.geometry.y) == (1.450873, 44.457812)
    assert camus["source"].endswith("géocodé BAN (score 0,89)")
    assert facilities.at["alsh-terre-rouge", "location_precision"] == "commune"  # 0.42
    assert facilities.at["rpe-cahors", "location_precision"] == "commune"  # not found
    assert facilities.at["alsh-calamane", "location_precision"] == "commune"  # no address
    assert facilities.at["alsh-le-montat", "location_precision"] == "adresse"  # given point
    summary = ("géocodage BAN : 2 adresse(s) sur 4 placées (score ≥ 0,60 ; scores de 0,77 à "
               "0,89, médiane 0,83) ; 2 au point de leur commune : alsh-terre-rouge, "
               "rpe-cahors")
    assert summary in [e.message for e in territory.report.entries]
    assert "rpe-cahors : adresse introuvable par la BAN, point de la commune" in [
        e.message for e in territory.report.entries]
    assert territory.sources["facilities"].description.endswith(summary)


def test_no_geocode_keeps_every_commune_point_and_asks_nothing(recorded_structures):
    territory = layers.load_territory("lot", facilities=PLANNER_FILE, geocode=False)
    assert recorded_structures == []
    precision = territory.facilities["location_precision"]
    assert precision.drop("alsh-le-montat").eq("commune").all()
    assert not any("BAN" in e.message for e in territory.report.entries)


def test_offline_the_planner_s_file_loads_at_commune_points(recorded_structures, monkeypatch):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    territory = layers.load_territory("lot", facilities=PLANNER_FILE)
    assert recorded_structures == []
    assert territory.facilities.at["alsh-croix-de-fer", "location_precision"] == "commune"
    messages = [e.message for e in territory.report.entries]
    assert ("géocodage BAN non fait (hors ligne, pas de cache) : 4 adresse(s) au point de "
            "leur commune") in messages


def test_the_embedded_registry_is_never_geocoded(recorded):
    layers.load_territory("lot")
    assert recorded == []


def test_layers_check_geocodes_unless_told_not_to(recorded_structures, capsys, monkeypatch):
    from maillage.cli import main

    monkeypatch.setenv("COLUMNS", "250")
    assert main(["layers", "check", str(PLANNER_FILE)]) == 0
    out = capsys.readouterr().out
    assert "géocodage BAN : 2 adresse(s) sur 4 placées" in out
    assert len(recorded_structures) == 1
    assert main(["layers", "check", str(PLANNER_FILE), "--no-geocode"]) == 0
    assert "géocodage BAN" not in capsys.readouterr().out
    assert len(recorded_structures) == 1


def test_report_passes_the_planner_s_file_and_the_geocoding_choice(monkeypatch, tmp_path):
    from maillage import pipeline
    from maillage.cli import main

    seen = {}

    def run(out, **options):  # the CLI's arguments, without the work
        seen.update(options)
        return Path(out) / "rapport.html"

    monkeypatch.setattr(pipeline, "run_diagnostic", run)
    out = tmp_path / "sortie"
    assert main(["report", "-o", str(out), "--facilities", str(PLANNER_FILE),
                 "--no-geocode"]) == 0
    assert seen["facilities"] == [PLANNER_FILE] and seen["geocode"] is False
    assert main(["report", "-o", str(out), "--facilities", str(PLANNER_FILE)]) == 0
    assert seen["geocode"] is True
