"""The page of ``maillage app`` in Debian's headless Chromium (playwright client, never a
downloaded browser): open it, open a facility by clicking the map, see the numbers change,
resize and close, undo, upload a bad file and read the report, save the scenario and check
that ``maillage scenario run`` on it gives the same table; injected text stays text.

Skipped, with the reason, when Chromium or the playwright package is absent.
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from maillage.app.server import new_token
from maillage.app.session import Session
from maillage.geo import default_timer

from tests.browser import playwright_or_skip
from tests.app.scenarios import GRAND_CAHORS
from tests.app.servers import running_server

playwright_or_skip()  # the module is skipped, with the reason, without them
XSS = "</script><script>document.title='x'</script>"
PLACES = "ALSH (3-11 ans) : places"


@pytest.fixture(scope="module")
def app_url(lot_territory, tmp_path_factory):
    """A server on the Lot with the same timer as ``maillage scenario run`` (so that the
    command line and the page can be compared)."""
    session = Session(lot_territory, default_timer(lot_territory), epci=GRAND_CAHORS,
                      date="2025-03-31", workdir=tmp_path_factory.mktemp("app-page"))
    token = new_token()
    with running_server(session, token) as url:
        yield url, token, session
    session.close()


@pytest.fixture
def page(browser, app_url):
    url, token, _ = app_url
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.errors, tab.remote = [], []
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))

    def route(request_route):
        if request_route.request.url.startswith((url, "data:", "blob:")):
            request_route.continue_()
        else:
            tab.remote.append(request_route.request.url)
            request_route.abort()

    tab.route("**/*", route)
    tab.goto(f"{url}/?token={token}")
    tab.wait_for_selector("body[data-ready='1']", timeout=60_000)
    yield tab
    context.close()


def summary(page) -> pd.DataFrame:
    """The before/after summary table as the page shows it (raw values of its cells)."""
    rows = page.eval_on_selector_all("#summary tbody tr", """rows => rows.map(r => [
        r.querySelector('th').textContent,
        ...[...r.querySelectorAll('td')].map(td => td.dataset.value)])""")
    frame = pd.DataFrame(rows, columns=["Indicateur", "Avant", "Après", "Écart"])
    for column in ("Avant", "Après", "Écart"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    return frame.set_index("Indicateur")


def wait_until(page, predicate: str, timeout: float = 30.0) -> None:
    """Poll ``predicate`` (a JS arrow function) until true; the page's CSP forbids the string
    evaluation ``wait_for_function`` relies on."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            shown = page.evaluate("() => [document.getElementById('message').textContent, "
                                  "document.getElementById('status').textContent]")
            raise AssertionError(f"la page n'a pas atteint l'état attendu : {predicate} "
                                 f"(message, état : {shown})")
        page.wait_for_timeout(100)


def wait_for_changes(page, n: int) -> None:
    wait_until(page, f"""() => document.querySelectorAll('#changes li:not(.empty)').length === {n}
        && !document.getElementById('status').textContent.startsWith('Calcul')""")


def test_the_page_opens_offline_with_communes_facilities_and_figures(page):
    assert page.title().startswith("maillage")
    assert page.locator("path.leaflet-interactive").count() >= 36  # Grand Cahors and around
    assert page.locator(".facility").count() >= 5
    assert page.locator(".legend li").count() >= 5
    assert summary(page).loc[PLACES, "Écart"] == 0
    assert "token" not in page.url  # the token left the address bar
    assert page.errors == [] and page.remote == []


def test_open_a_facility_by_clicking_the_map_then_undo(page):
    before = summary(page).loc[PLACES, "Après"]
    x, y = page.evaluate("""() => {
        const box = document.getElementById('map').getBoundingClientRect();
        for (let i = 1; i < 12; i += 1) for (let j = 1; j < 12; j += 1) {
            const x = box.left + box.width * (0.3 + 0.4 * i / 12);
            const y = box.top + box.height * (0.3 + 0.4 * j / 12);
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.matches('path.leaflet-interactive')) return [x, y];
        }
        return [box.left + box.width / 2, box.top + box.height / 2];
    }""")  # a commune, not a facility marker
    page.mouse.click(x, y)
    assert "point cliqué" in page.locator("#open-where").inner_text()
    page.select_option("#open-kind", "alsh")
    page.fill("#open-name", "ALSH du test")
    page.fill("#open-places", "25")
    page.click("#open-submit")
    wait_for_changes(page, 1)
    table = summary(page)
    assert table.loc[PLACES, "Après"] == before + 25
    assert table.loc[PLACES, "Écart"] == 25
    assert "ALSH du test" in page.locator("#changes").inner_text()
    page.click("#undo")
    wait_for_changes(page, 0)
    assert summary(page).loc[PLACES, "Écart"] == 0
    assert page.errors == [] and page.remote == []


def test_resize_and_close_a_clicked_facility_with_the_keyboard(page):
    catus = page.locator(".facility[title^='ALSH de Catus']")
    catus.click()
    page.wait_for_selector("#selected:not([hidden])")
    assert page.locator("#selected-title").inner_text() == "ALSH de Catus"
    page.fill("#resize-places", "60")
    page.locator("#resize-places").press("Enter")  # the form submits from the keyboard
    wait_for_changes(page, 1)
    assert summary(page).loc[PLACES, "Écart"] == 12  # 48 → 60 places
    page.locator("#close-submit").focus()
    page.keyboard.press("Enter")
    wait_for_changes(page, 2)
    assert summary(page).loc[PLACES, "Écart"] == -48
    assert page.locator(".facility.ghost").count() >= 1  # the closed one, greyed
    assert page.errors == []


def test_move_a_facility_with_the_arrow_keys_or_coordinates_announced_aloud(page):
    page.locator(".facility[title^='ALSH de Catus']").click()
    page.wait_for_selector("#selected:not([hidden])")
    lat0, lon0 = float(page.input_value("#move-lat")), float(page.input_value("#move-lon"))
    announced = page.locator("#move-status")
    assert announced.get_attribute("aria-live") == "polite"
    assert "1 000 m" in page.locator("#move-step").inner_text()  # the step is shown
    page.select_option("#move-step", "1000")
    assert "pas de 1\u202f000 m" in page.get_attribute("#move-pad", "aria-label")  # fr-FR
    page.locator("#move-pad").focus()
    page.keyboard.press("ArrowUp")
    wait_for_changes(page, 1)
    wait_until(page, "() => document.getElementById('move-status').textContent.includes('nord')")
    text = announced.inner_text()
    assert text.startswith("ALSH de Catus déplacé de 1\u202f000 m vers le nord")
    assert "commune" in text
    lat1 = float(page.input_value("#move-lat"))
    assert lat1 - lat0 == pytest.approx(1000 / 111320, abs=2e-5)  # shown to 5 decimals
    page.keyboard.press("ArrowRight")  # a second step replaces the first move (one change)
    wait_until(page, "() => document.getElementById('move-status').textContent.includes('est')")
    assert page.locator("#changes li:not(.empty)").count() == 1
    lon1 = float(page.input_value("#move-lon"))
    assert (lon1 - lon0) * 111320 * np.cos(np.radians(lat1)) == pytest.approx(1000, abs=3)
    # Typed coordinates: the ALSH goes there, and the page says so.
    page.fill("#move-lat", "44.5407")
    page.fill("#move-lon", "1.4242")
    page.locator("#move-lon").press("Enter")
    wait_until(page, "() => document.getElementById('move-status').textContent"
                     ".includes('placé aux coordonnées')")
    assert "44,5407" in announced.inner_text()
    assert page.locator("#changes li:not(.empty)").count() == 1
    assert float(page.input_value("#move-lat")) == pytest.approx(44.5407)
    assert page.errors == []


def test_a_refused_edit_shows_the_french_message_and_changes_nothing(page):
    page.select_option("#open-commune", "46046")
    page.select_option("#open-kind", "alsh")
    page.fill("#open-places", "")
    page.click("#open-submit")
    message = page.locator("#message")
    message.wait_for(state="visible")
    assert "sans « places »" in message.inner_text() and "Correction" in message.inner_text()
    assert page.locator("#changes li.empty").count() == 1
    page.fill("#open-places", "20")
    page.click("#open-submit")
    wait_for_changes(page, 1)  # the session goes on
    assert page.locator("#message").is_hidden()


def test_a_bad_upload_shows_its_validation_report(page, tmp_path):
    bad = tmp_path / "mes-structures.csv"
    bad.write_text("nom;type;code_insee;places\nALSH fantôme;alsh;46999;20\n", encoding="utf-8")
    page.set_input_files("#upload", str(bad))
    report = page.locator("#upload-report")
    report.locator("table").wait_for(timeout=30_000)
    text = report.inner_text()
    assert "Fichier refusé" in text and "mes-structures.csv" in text and "46999" in text
    assert "Correction" in text
    assert "/tmp" not in text
    assert page.errors == [] or all("400" in e for e in page.errors)


def test_injected_names_stay_text_in_the_page(page, tmp_path):
    upload = tmp_path / "injection.csv"
    upload.write_text(f"nom;type;code_insee;places\n\"{XSS}\";alsh;46046;20\n", encoding="utf-8")
    page.set_input_files("#upload", str(upload))
    wait_until(page, """() => document.querySelector('#upload-report').textContent
        .includes('ajouté') && !document.getElementById('status').textContent
        .startsWith('Calcul')""")
    marker = page.locator(".facility[title^='</script>']")
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert page.locator("#selected-title").inner_text() == XSS
    page.fill("#open-name", XSS)
    page.select_option("#open-commune", "46046")
    page.fill("#open-places", "12")
    page.click("#open-submit")
    wait_for_changes(page, 1)
    assert XSS in page.locator("#changes").inner_text()
    assert page.title() != "x" and page.title().startswith("maillage")
    page.click("#upload-reset")
    wait_until(page, "() => document.querySelector('#upload-report').textContent"
                     ".includes('rétabli')")


def save_and_run(page, tmp_path, shown: pd.DataFrame):
    """Save the scenario from the page, run it with ``maillage scenario run``, and check that
    its summary table is the one the page shows; returns the saved YAML's path."""
    with page.expect_download() as info:
        page.click("#save")
    saved = tmp_path / "scenario.yaml"
    info.value.save_as(saved)
    out = tmp_path / "tables"
    run = subprocess.run([sys.executable, "-m", "maillage", "scenario", "run", str(saved),
                          "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    table = pd.read_csv(out / "scenario-resume.csv", index_col="Indicateur")
    assert list(table.index) == list(shown.index)
    for column in ("Avant", "Après", "Écart"):
        expected = table[column].astype(float).where(lambda s: s.abs() != float("inf"))
        pd.testing.assert_series_equal(shown[column], expected, check_names=False,
                                       rtol=1e-4, atol=1e-4)
    return saved


def test_the_saved_scenario_gives_the_same_table_with_maillage_scenario_run(page, tmp_path):
    page.select_option("#open-commune", "46046")
    page.select_option("#open-kind", "alsh")
    page.fill("#open-name", "ALSH de Calamane")
    page.fill("#open-places", "20")
    page.click("#open-submit")
    wait_for_changes(page, 1)
    page.locator(".facility[title^='ALSH de Catus']").click()
    page.fill("#resize-places", "52")
    page.locator("#resize-places").press("Enter")
    wait_for_changes(page, 2)
    shown = summary(page)
    save_and_run(page, tmp_path, shown)


def test_a_scenario_saved_after_an_upload_carries_it_to_maillage_scenario_run(page, tmp_path):
    mine = tmp_path / "mes-alsh.csv"
    mine.write_text("id;nom;type;code_insee;places;age_min;age_max\n"
                    "mon-alsh-pradines;ALSH de Pradines;alsh;46224;16;3;11\n", encoding="utf-8")
    page.set_input_files("#upload", str(mine))
    wait_until(page, "() => document.querySelector('.facility[title^=\"ALSH de Pradines\"]')")
    try:
        page.select_option("#open-commune", "46046")
        page.select_option("#open-kind", "alsh")
        page.fill("#open-name", "ALSH de Calamane")
        page.fill("#open-places", "20")
        page.click("#open-submit")
        wait_for_changes(page, 1)
        shown = summary(page)
        saved = save_and_run(page, tmp_path, shown)
        assert "mon-alsh-pradines" in saved.read_text(encoding="utf-8")
    finally:
        page.click("#upload-reset")
        wait_until(page, "() => document.querySelector('#upload-report').textContent"
                         ".includes('rétabli')")


def test_the_injection_corpus_stays_text_in_markers_popups_and_panels(page, tmp_path):
    import csv

    from tests.fixtures.payloads import PAYLOADS, PWNED_TITLE

    upload = tmp_path / "corpus.csv"
    with upload.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(["id", "nom", "type", "code_insee", "places", "gestionnaire"])
        for n, payload in enumerate(PAYLOADS):
            writer.writerow([f"corpus-{n}", payload, "alsh", "46046", 10, payload])
    page.set_input_files("#upload", str(upload))
    wait_until(page, """() => document.querySelector('#upload-report').textContent
        .includes('ajouté') && !document.getElementById('status').textContent
        .startsWith('Calcul')""")
    markers = page.locator(".facility[title]")
    titles = [markers.nth(i).get_attribute("title") for i in range(markers.count())]
    assert sum(any(t.startswith(p) for t in titles) for p in PAYLOADS) == len(PAYLOADS)
    for payload in PAYLOADS[:4]:
        page.locator(f".facility[title^={payload[:12]!r}]").first.click(force=True)
        popup = page.locator(".leaflet-popup-content").last
        popup.wait_for()
        assert payload in popup.inner_text()
    page.fill("#open-name", PAYLOADS[1])
    page.select_option("#open-commune", "46046")
    page.fill("#open-places", "8")
    page.click("#open-submit")
    wait_for_changes(page, 1)
    assert PAYLOADS[1] in page.locator("#changes").inner_text()
    assert page.evaluate("() => window.__injected === undefined")
    assert page.title() != PWNED_TITLE
    page.click("#upload-reset")
    wait_until(page, "() => document.querySelector('#upload-report').textContent"
                     ".includes('rétabli')")
