"""The maps and the report in a real browser (headless Chromium, Debian's package).

Each page must load with no console error and without any network request (the maps are
self-contained), and show polygons and markers. Skipped, with the reason, when Chromium or
the Python playwright package is absent (CI installs both: see .ci/run).
"""

from pathlib import Path

import pytest

from tests.browser import playwright_or_skip
from tests.fixtures.maps import synthetic
from maillage.maps.report import write_report

playwright_or_skip()  # the module is skipped, with the reason, without them


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("navigateur") / "sortie"
    write_report(synthetic.diagnostic(), out)
    return out


def open_page(browser, path: Path):
    """Open ``path``; return the page, its console errors and the remote requests it made."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors, remote = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def route(request_route):
        if request_route.request.url.startswith(("file:", "data:", "about:")):
            request_route.continue_()
        else:
            remote.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container", timeout=10_000) if "cartes" in str(path) \
        else page.wait_for_load_state("load")
    return page, errors, remote


MAPS = ["capacite_alsh", "capacite_eaje", "acces_alsh", "acces_eaje", "acces_rpe",
        "acces_france_services", "scenario"]


@pytest.mark.parametrize("name", MAPS)
def test_each_map_opens_offline_without_error_and_shows_communes_and_markers(
        browser, folder, name, tmp_path):
    page, errors, remote = open_page(browser, folder / "cartes" / f"{name}.html")
    try:
        assert errors == []
        assert remote == []
        assert page.locator("path.leaflet-interactive").count() >= 6  # communes + circles
        assert page.locator(".leaflet-marker-icon").count() >= 3  # the bus's stops
        assert page.locator(".maillage-legend").count() == 1
        assert page.locator(".leaflet-control-scale").count() == 1
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
    finally:
        page.close()


def test_a_facility_popup_opens_on_click(browser, folder):
    page, errors, _ = open_page(browser, folder / "cartes" / "capacite_alsh.html")
    try:
        page.locator(".leaflet-marker-icon").first.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        assert "Arrêt" in popup.inner_text() and "Jours" in popup.inner_text()
        assert errors == []
    finally:
        page.close()


def test_the_report_shows_every_map_in_its_frame(browser, folder):
    page, errors, remote = open_page(browser, folder / "rapport.html")
    try:
        assert errors == [] and remote == []
        frames = page.locator("iframe")
        assert frames.count() == len(MAPS) == len(list((folder / "cartes").glob("*.html")))
        for i in range(frames.count()):
            frames.nth(i).scroll_into_view_if_needed()
            frame = page.frame_locator("iframe").nth(i)
            frame.locator(".leaflet-container").wait_for(timeout=10_000)
            assert frame.locator("path.leaflet-interactive").count() > 0
        assert "Diagnostic de couverture" in page.title()
    finally:
        page.close()
