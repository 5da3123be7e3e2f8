"""`maillage site center`, `cover --places / --backup`, `median --single-site / --fill-existing`
on Grand Cahors (embedded registry, straight-line times): French answers, exit status 0."""

from __future__ import annotations

import pytest

from maillage.cli import main

pytestmark = pytest.mark.usefixtures("offline")
GRAND_CAHORS = "200023737"


@pytest.fixture(autouse=True)
def straight_line(monkeypatch, straight_line_timer):
    import maillage.geo

    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None:
                        straight_line_timer)


def _run(args, capsys):
    status = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, " ".join(captured.out.split()), captured.err


def test_site_center_reports_the_longest_trip(capsys):
    status, out, _ = _run(["site", "center", "--kind", "alsh", "--p", "2", "--epci",
                           GRAND_CAHORS, "--date", "2025-03-31"], capsys)
    assert status == 0
    assert "Trajet le plus long :" in out and "Sites retenus (2)" in out


def test_site_cover_with_backup_reports_children_within_reach_of_two_sites(capsys):
    status, out, _ = _run(["site", "cover", "--kind", "alsh", "--minutes", "15", "--backup",
                           "--epci", GRAND_CAHORS, "--date", "2025-03-31"], capsys)
    assert status == 0
    assert "nécessaire(s)" in out and "de deux sites" in out


def test_site_cover_with_places_gives_each_child_a_place(capsys):
    status, out, _ = _run(["site", "cover", "--kind", "alsh", "--minutes", "20", "--places",
                           "400", "--epci", GRAND_CAHORS, "--date", "2025-03-31"], capsys)
    assert status == 0
    assert "avec une place" in out


def test_site_median_single_site_and_fill_need_places(capsys):
    status, _, err = _run(["site", "median", "--single-site", "--epci", GRAND_CAHORS], capsys)
    assert status == 2
    assert "--places" in err
    status, out, _ = _run(["site", "median", "--kind", "alsh", "--p", "1", "--places", "3500",
                           "--single-site", "--epci", GRAND_CAHORS, "--date", "2025-03-31"],
                          capsys)
    assert status == 0
    assert "Sites retenus (1)" in out


def test_site_spread_reports_the_smallest_gap_between_sites(capsys):
    status, out, _ = _run(["site", "spread", "--kind", "alsh", "--p", "2", "--epci",
                           GRAND_CAHORS, "--date", "2025-03-31"], capsys)
    assert status == 0
    assert "Écart minimal entre deux sites" in out and "Sites retenus (2)" in out
