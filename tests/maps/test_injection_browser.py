"""No user text runs as script in the maps or the report: the payload corpus in headless Chromium.

The synthetic territory gets hostile text (tests/fixtures/payloads.py) in every field a user
controls: facility names, ids, types (through the Python API), sub-types, operators,
addresses and sources; commune, EPCI and territory names; itinerant stops; bus stops; and the
scenario's name, id and facility name. The real pipeline computes the diagnostic and writes
the maps and rapport.html. Each page is opened, every popup and tooltip is opened, and the
test asserts that no payload ran (no ``window.__injected``, title unchanged, no dialog, no
injected element) and that the payloads are shown as text. Skipped, with the reason, when
Chromium or the playwright package is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from tests.browser import playwright_or_skip
from tests.fixtures.maps import synthetic
from tests.fixtures.payloads import PAYLOADS, PWNED_TITLE

playwright_or_skip()  # the module is skipped, with the reason, without them


def _pick(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def hostile_territory():
    """The synthetic territory with a payload in every user-controlled text field."""
    territory = synthetic.territory()
    communes = territory.communes.copy()
    communes.loc["46002", "name"] = _pick(0)
    communes.loc["46006", "name"] = _pick(1)
    communes.loc[communes["epci"] == "200000002", "epci_name"] = _pick(2)
    territory.communes = communes
    territory.epcis.loc[territory.epcis["code"] == "200000002", "name"] = _pick(2)
    territory.name = _pick(3)
    base = territory.facilities
    template = base.loc["t-alsh-bourg"]
    rows = []
    for i, payload in enumerate(PAYLOADS):
        row = template.copy()
        row["id"] = f"{payload} #{i}"
        row["name"] = payload
        row["operator"] = _pick(i + 1)
        row["address"] = _pick(i + 2)
        row["subtype"] = _pick(i + 3)
        row["source"] = _pick(i + 4)
        row["capacity"] = 5.0 + i
        rows.append(row)
    odd = base.loc["t-rpe-bourg"].copy()  # a type only the Python API lets through
    odd["id"], odd["name"], odd["kind"] = "t-odd", "Type inventé", _pick(4)
    rows.append(odd)
    extra = pd.DataFrame(rows).set_index("id", drop=False).rename_axis(None)
    facilities = pd.concat([base, extra])
    facilities.loc["t-fs-bus", "name"] = _pick(5)
    territory.facilities = type(base)(facilities, geometry="geometry", crs=base.crs)
    stops = territory.itinerant_stops.copy()
    for column, shift in (("name", 6), ("hours", 7), ("weekdays", 8), ("source", 9)):
        stops[column] = [_pick(shift + i) for i in range(len(stops))]
    territory.itinerant_stops = stops
    bus = territory.bus_stops.copy()
    bus["name"] = [_pick(10 + i) for i in range(len(bus))]
    bus["routes"] = [_pick(i) for i in range(len(bus))]
    territory.bus_stops = bus
    return territory


def hostile_scenario(folder: Path) -> Path:
    """The Calamane-Test scenario with payloads as its name, facility id and facility name."""
    data = yaml.safe_load(synthetic.SCENARIO.read_text(encoding="utf-8"))
    data["nom"] = _pick(0) + " " + _pick(4)
    data["description"] = _pick(1)
    opening = data["changements"][0]["ouvrir"]
    opening["id"] = _pick(2)
    opening["nom"] = _pick(5)
    path = folder / "scenario-hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    from maillage.geo import StraightLineTimer
    from maillage.maps.report import write_report

    from maillage.pipeline import build_diagnostic

    work = tmp_path_factory.mktemp("injection")
    diag = build_diagnostic(hostile_territory(), StraightLineTimer(), at="2025-06-01",
                            scenario=hostile_scenario(work))
    out = work / "sortie"
    write_report(diag, out)
    return out


#: Open every popup and every tooltip of every Leaflet map of the page; return their texts.
_OPEN_ALL = """() => {
  const texts = [];
  const maps = Object.values(window).filter(v => v instanceof L.Map);
  // Switch every layer of the layer control on (hidden kinds, before / after views).
  for (const v of Object.values(window)) {
    if (v && typeof v === 'object' && v.overlays && v.base_layers) {
      for (const l of [...Object.values(v.overlays), ...Object.values(v.base_layers)]) {
        maps.forEach(map => map.addLayer(l));
      }
    }
  }
  for (const map of maps) {
    const layers = [];
    map.eachLayer(l => layers.push(l));
    for (const l of layers) {
      const at = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : null);
      if (!at) continue;
      l.fire('mouseover', {latlng: at, layer: l}, true);
      document.querySelectorAll('.leaflet-tooltip').forEach(t => texts.push(t.textContent));
      l.fire('mouseout', {latlng: at, layer: l}, true);
      if (l.getPopup && l.getPopup()) {
        l.openPopup(at);
        document.querySelectorAll('.leaflet-popup-content')
          .forEach(p => texts.push(p.textContent));
        l.closePopup();
      }
    }
  }
  document.querySelectorAll('.leaflet-control-layers-list, .maillage-legend, .maillage-title')
    .forEach(c => texts.push(c.textContent));
  return texts;
}"""

#: Elements or attributes a payload would have injected.
_INJECTED = """() => document.querySelectorAll(
  'img[src="x"], iframe[srcdoc], [onerror], [onload], [ontoggle], a[href^="javascript"], '
  + 'body style, details[ontoggle]').length"""


def _visit(browser, url: str):
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        ("file:", "data:", "about:")) else r.abort())
    page.goto(url)
    page.wait_for_load_state("load")
    return page, dialogs, errors


def _assert_nothing_ran(page, dialogs, title=None):
    page.wait_for_timeout(300)  # onerror / onload handlers fire asynchronously
    for frame in page.frames:
        assert frame.evaluate("() => window.__injected") is None, frame.url
        assert frame.evaluate(_INJECTED) == 0, frame.url
    assert page.title() != PWNED_TITLE
    assert title is None or page.title() == title
    assert dialogs == []


MAPS = ["capacite_alsh", "capacite_eaje", "acces_alsh", "acces_eaje", "acces_rpe",
        "acces_france_services", "scenario"]


@pytest.mark.parametrize("name", MAPS)
def test_no_payload_runs_in_a_map_and_each_shows_as_text(browser, folder, name):
    page, dialogs, errors = _visit(browser, (folder / "cartes" / f"{name}.html").as_uri())
    try:
        _assert_nothing_ran(page, dialogs)  # as the page loads
        page.wait_for_selector(".leaflet-container", timeout=10_000)
        title = page.title()
        texts = page.evaluate(_OPEN_ALL)
        _assert_nothing_ran(page, dialogs, title)
        assert errors == []
        shown = "\n".join(texts)
        # Names of facilities (popups, tooltips), operators, addresses, stops, bus stops,
        # communes, and the invented type in the layer control: all shown verbatim.
        missing = [p for p in PAYLOADS if p.replace("\u2028", " ").replace("\u2029", " ")
                   not in shown.replace("\u2028", " ").replace("\u2029", " ")]
        assert missing == []
        assert _pick(4) in page.evaluate(
            "() => document.querySelector('.leaflet-control-layers-list').textContent")
    finally:
        page.close()


def test_no_payload_runs_in_the_report_and_each_shows_as_text(browser, folder):
    page, dialogs, errors = _visit(browser, (folder / "rapport.html").as_uri())
    try:
        title = page.title()
        page.wait_for_timeout(1500)  # let the embedded maps load
        _assert_nothing_ran(page, dialogs, title)
        assert errors == []
        body = page.evaluate("() => document.body.textContent")
        assert _pick(0) + " " + _pick(4) in body  # the scenario's name, as text
        assert _pick(3) in title or _pick(3) in body  # the territory's name
        assert "{{7*7}}" in body and "49" not in title
    finally:
        page.close()


def test_payloads_reach_the_pages_escaped_not_raw(folder):
    """Without a browser's help: the raw markup of a payload appears in no page."""
    for path in [folder / "rapport.html", *sorted((folder / "cartes").glob("*.html"))]:
        page = path.read_text(encoding="utf-8")
        assert "<script>window.__injected" not in page, path.name
        assert "<img src=x onerror" not in page, path.name
        assert "<svg onload" not in page, path.name
