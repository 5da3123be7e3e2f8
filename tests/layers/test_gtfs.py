"""Bus stops from a GTFS feed: departures per weekday and routes (reference sample feed)."""

from __future__ import annotations

import zipfile

import pytest

from maillage import layers


@pytest.fixture(scope="module")
def feed(shared_data):
    return shared_data / "gtfs" / "sample-feed"


def test_stagecoach_has_84_departures_per_weekday(feed):
    stops = layers.load_gtfs_stops(feed).set_index("stop_id")
    # STBA every 30 min from 6:00 to 22:00 (32) + CITY1 by frequencies (4+12+12+18+6 = 52);
    # CITY2 ends at Stagecoach: an arrival, not a departure.
    assert stops.loc["STAGECOACH", "departures_weekday"] == 84
    assert stops.loc["STAGECOACH", "routes"] == "30;40"
    assert stops.crs.to_epsg() == 4326


def test_a_zipped_feed_gives_the_same_stops(feed, tmp_path):
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in feed.iterdir():
            z.write(path, path.name)
    folder = layers.load_gtfs_stops(feed)
    zipped = layers.load_gtfs_stops(archive)
    assert zipped.drop(columns="geometry").equals(folder.drop(columns="geometry"))


def test_stations_are_skipped_and_reported(feed):
    report = layers.ValidationReport()
    stops = layers.load_gtfs_stops(feed, report=report)
    assert len(stops) == 10
    assert "1 gares ou entrées ignorées (location_type ≠ 0)" in [e.message for e in
                                                                 report.entries]
