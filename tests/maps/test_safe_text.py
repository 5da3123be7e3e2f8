"""User text in the maps, without a browser: never evaluated as a template, never raw HTML.

branca renders each element's script a second time as a Jinja template: before the fix a
facility named ``{{ cycler.__init__.__globals__.os.getpid() }}`` ran Python code while the
map was written. The browser test (tests/maps/test_injection_browser.py) shows the same corpus
inert in Chromium; this one needs no browser.
"""

from __future__ import annotations

import json
import re

import folium
import markupsafe
import pytest

from tests.fixtures.maps import synthetic
from maillage.maps.leaflet import (GeoJson, LayerControl, add_popup, add_title, add_tooltip,
                                   render_html)
from maillage.safe import html_text, script_json

CODE = "{{ cycler.__init__.__globals__.os.name ~ 'EXECUTE' }}"
#: What the page would hold had CODE run.
RAN = "posixEXECUTE"


def _strings(page: str) -> list[str]:
    """Every JSON string literal of the page's scripts, decoded (others skipped)."""
    found = []
    for literal in re.findall(r'"(?:[^"\\\n]|\\.)*"', page):
        try:
            found.append(json.loads(literal))
        except json.JSONDecodeError:
            continue
    return found


@pytest.mark.parametrize("where", ["popup", "tooltip", "title", "layer", "geojson"])
def test_template_code_in_user_text_is_not_run(where):
    m = folium.Map(tiles=None)
    group = folium.FeatureGroup(name=CODE if where == "layer" else "calque")
    marker = folium.CircleMarker([44.4, 1.4])
    if where == "popup":
        add_popup(marker, [("Gestionnaire", CODE)], title=CODE)
    if where == "tooltip":
        add_tooltip(marker, CODE, [("Adresse", CODE)])
    if where == "title":
        add_title(m, CODE)
    if where == "geojson":
        GeoJson({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": CODE},
             "geometry": {"type": "Point", "coordinates": [1.4, 44.4]}}]}).add_to(m)
    marker.add_to(group)
    group.add_to(m)
    LayerControl().add_to(m)
    page = render_html(m)
    assert RAN not in page
    # HTML-escaped where Leaflet writes HTML; as is in GeoJSON data (shown as textContent).
    shown = html_text(CODE) if where != "geojson" else CODE
    assert any(shown in text for text in _strings(page))


def test_every_map_of_the_report_keeps_template_code_as_text(tmp_path):
    from maillage.geo import StraightLineTimer
    from maillage.maps.report import write_report
    from maillage.pipeline import build_diagnostic

    territory = synthetic.territory()
    communes = territory.communes.copy()
    communes.loc["46002", "name"] = CODE
    territory.communes = communes
    facilities = territory.facilities.copy()
    facilities.loc["t-alsh-bourg", ["name", "operator", "address"]] = [CODE, "{{7*7}}", "${7*7}"]
    territory.facilities = facilities
    out = tmp_path / "sortie"
    write_report(build_diagnostic(territory, StraightLineTimer(), at="2025-06-01"), out)
    for path in sorted((out / "cartes").glob("*.html")):
        page = path.read_text(encoding="utf-8")
        strings = "\n".join(_strings(page))
        assert RAN not in page, path.name
        assert html_text(CODE) in strings and "{{7*7}}" in strings, path.name
        assert "${7*7}" in strings, path.name
    report = (out / "rapport.html").read_text(encoding="utf-8")
    assert RAN not in report
    assert str(markupsafe.escape(CODE)) in report  # the communes table (Jinja autoescape)


def test_script_json_cannot_close_the_script_or_the_string():
    text = script_json({"nom": "</script><!--'\u2028"})
    assert "<" not in text and ">" not in text and "'" not in text and "\u2028" not in text
    assert json.loads(text) == {"nom": "</script><!--'\u2028"}


def test_html_text_escapes_markup_and_quotes():
    assert html_text("\"'><svg onload=x>") == "&quot;&#x27;&gt;&lt;svg onload=x&gt;"
    assert html_text(None) == ""
