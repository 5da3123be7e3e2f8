"""Leaflet plumbing shared by every Folium map: the base map, popups, legends, saving.

A map saved ``self_contained=True`` opens without internet: Leaflet's JS and CSS (vendored in
``maps/static/leaflet``, BSD-2, from the npm package ``leaflet``) are inlined, the CDN links
Folium adds are dropped, and no tile layer is drawn (the communes are the base). Nothing in
these maps needs jQuery or Bootstrap: popups and legends are bound with plain Leaflet calls.
"""

from __future__ import annotations

import base64
import os
import re
from functools import cache
from importlib.resources import files

import folium
import geopandas as gpd
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from maillage.atomic import write_text
from maillage.safe import html_text

#: Version of the vendored Leaflet (maps/static/leaflet).
LEAFLET_VERSION = "1.9.4"
#: Map pane of the communes' indicator layers (under facilities and outlines).
COMMUNES_PANE = "communes"
#: Map pane of the isochrones (over the communes, under facilities).
ISOCHRONES_PANE = "isochrones"
#: Background of self-contained maps, where there are no tiles.
OFFLINE_BACKGROUND = "#eef2f3"

_LEGEND_CSS = """
.maillage-legend{background:rgba(255,255,255,.93);padding:8px 10px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 system-ui,sans-serif;max-width:300px;
 color:#222;max-height:55vh;overflow-y:auto}
.maillage-legend h4{margin:4px 0;font-size:13px}
.maillage-legend summary{cursor:pointer}
.maillage-legend h5{margin:6px 0 2px;font-size:12px}
.maillage-legend .row{display:flex;align-items:center;margin:2px 0}
.maillage-legend .sw{display:inline-block;width:18px;height:12px;margin-right:6px;
 border:1px solid #777;flex:none}
.maillage-legend .dot{display:inline-block;border-radius:50%;margin-right:6px;
 border:1px solid #333;flex:none}
.maillage-legend .line{display:inline-block;width:18px;height:0;margin-right:6px;flex:none}
.maillage-legend .note{margin-top:5px;color:#555;font-style:italic}
.maillage-title{background:rgba(255,255,255,.93);padding:6px 10px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.35);font:bold 14px system-ui,sans-serif;color:#222}
"""


@cache
def _asset(name: str) -> bytes:
    return files("maillage.maps").joinpath("static", "leaflet", name).read_bytes()


def leaflet_js() -> str:
    """Leaflet's JavaScript (vendored copy), without its source-map comment."""
    text = _asset("leaflet.js").decode("utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", text)


def leaflet_css() -> str:
    """Leaflet's CSS with its control images inlined as data URIs."""
    text = _asset("leaflet.css").decode("utf-8")

    def inline(match: re.Match) -> str:
        name = match.group(1)
        data = base64.b64encode(_asset(f"images/{name}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    text = re.sub(r"url\(images/(layers(?:-2x)?\.png)\)", inline, text)
    # The default marker icon is never used (markers are circles): drop its remote image.
    return re.sub(r"url\(images/[^)]*\)", "none", text)


def base_map(frame: gpd.GeoDataFrame, *, tiles: bool = False) -> folium.Map:
    """An empty map fitted to ``frame`` with a metric scale.

    Parameters
    ----------
    frame : GeoDataFrame
        Layer whose bounds the map shows (any CRS; reprojected to EPSG:4326).
    tiles : bool
        Draw the OpenStreetMap tile layer (needs internet). Without tiles the communes drawn
        on the map serve as the base.

    Returns
    -------
    folium.Map
    """
    frame = frame.to_crs("EPSG:4326")
    west, south, east, north = frame.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=10,
                   tiles=None, control_scale=False, zoom_snap=0.25, zoom_delta=0.5)
    m.add_child(_MetricScale())
    # Communes (and isochrones) lie in panes under the overlay pane (z-index 400), so that
    # facilities stay on top whichever indicator view is switched on.
    for pane, z_index in ((COMMUNES_PANE, 350), (ISOCHRONES_PANE, 380)):
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=True).add_to(m)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="Fond OpenStreetMap", overlay=True,
                         control=False,
                         attr="© contributeurs OpenStreetMap").add_to(m)
    m.fit_bounds([[south, west], [north, east]], padding=(24, 24))
    page = m.get_root()
    assert isinstance(page, Figure), "a folium Map's root is its page (branca Figure)"
    page.header.add_child(Element(f"<style>{_LEGEND_CSS}</style>"), name="maillage_css")
    if not tiles:
        page.header.add_child(
            Element(f"<style>.leaflet-container{{background:{OFFLINE_BACKGROUND}}}</style>"),
            name="maillage_offline_bg")
    return m


class _Text(Element):
    """Text already rendered, written as is (never read again as a template)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = str(text)

    def render(self, **kwargs) -> str:
        """The text itself."""
        return self._text


class Verbatim(MacroElement):
    """A Folium element whose rendered JavaScript is not rendered a second time by Jinja.

    branca's ``MacroElement.render`` wraps each macro's output in ``Element(output)``, whose
    constructor reads its argument as a Jinja *template*: any ``{{ … }}`` in user text (a
    facility named ``{{ cycler.__init__.__globals__.os.popen('…') }}``) would be evaluated —
    server-side template injection, i.e. code execution. Elements carrying user text mix this
    class in (``class GeoJson(folium.GeoJson, Verbatim)``): same output, rendered once.
    """

    def render(self, **kwargs):
        """Add the header, html and script macros' output as plain text, then the children."""
        figure = self.get_root()
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class GeoJson(folium.GeoJson, Verbatim):
    """``folium.GeoJson`` whose data (user text in the properties) is rendered once."""


class _Control(Verbatim):
    """A Leaflet control holding fixed HTML (legend, title)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, html_text: str, position: str, css_class: str):
        super().__init__()
        self._name = "Control"
        self.html = html_text
        self.position = position
        self.css_class = css_class


class _MetricScale(MacroElement):
    """A metric-only scale bar (Leaflet's default also shows feet and miles)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class _Popup(Verbatim):
    """Bind an HTML popup to its parent layer with plain Leaflet (folium.Popup needs jQuery)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {maxWidth: 320});
        {% endmacro %}
    """)

    def __init__(self, html_text: str):
        super().__init__()
        self._name = "Popup"
        self.html = html_text


def _rows_html(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th style='text-align:left;padding-right:6px'>{html_text(k)}</th>"
                   f"<td>{html_text(v)}</td></tr>" for k, v in rows if v not in ("", None))


def add_popup(layer, rows: list[tuple[str, str]], title: str = "") -> None:
    """Bind a popup to ``layer`` showing ``title`` and a two-column table of ``rows``.

    Titles, labels and values are text (HTML-escaped): user text never runs as HTML.
    """
    head = f"<b>{html_text(title)}</b>" if title else ""
    layer.add_child(_Popup(f"{head}<table style='font-size:12px'>{_rows_html(rows)}</table>"))


class _Tooltip(Verbatim):
    """Bind a tooltip (ready HTML, passed as a JSON string) to its parent layer.

    ``folium.Tooltip`` pastes its text raw into a JavaScript template literal: a name holding
    a backtick, ``${…}`` or ``</script>`` would run. This one never does.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }}, {sticky: true});
        {% endmacro %}
    """)

    def __init__(self, html_text_: str):
        super().__init__()
        self._name = "Tooltip"
        self.html = html_text_


def add_tooltip(layer, title: str, rows: list[tuple[str, str]] = ()) -> None:
    """Bind a hover tooltip to ``layer``: ``title`` in bold, then ``label : value`` lines.

    Everything is text (HTML-escaped): user text never runs as HTML or script.
    """
    lines = [f"<b>{html_text(title)}</b>" if title else "",
             *(f"{html_text(k)} : {html_text(v)}" for k, v in rows)]
    layer.add_child(_Tooltip("<br>".join(line for line in lines if line)))


class GeoJsonTooltip(folium.GeoJsonTooltip, Verbatim):
    """``folium.GeoJsonTooltip`` that shows the properties as text.

    Folium's own builds the table with ``innerHTML`` from the feature's properties, so a
    commune name such as ``<img src=x onerror=…>`` would run; this one sets ``textContent``.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function (layer) {
            var fields = {{ this.fields|tojson }};
            var aliases = {{ this.aliases|tojson }};
            var props = layer.feature.properties || {};
            var div = L.DomUtil.create('div');
            var table = L.DomUtil.create('table', '', div);
            fields.forEach(function (field, i) {
                var tr = L.DomUtil.create('tr', '', table);
                L.DomUtil.create('th', '', tr).textContent = aliases[i];
                var value = props[field];
                L.DomUtil.create('td', '', tr).textContent =
                    (value === null || value === undefined) ? '' : String(value);
            });
            return div;
        }, {{ this.tooltip_options|tojavascript }});
        {% endmacro %}
    """)


class LayerControl(folium.LayerControl, Verbatim):
    """``folium.LayerControl`` whose layer names are shown as text.

    Leaflet writes each layer name with ``innerHTML``: a facility name or a scenario ``type``
    in a layer name would run as HTML. The names are escaped here, once for every map, and
    rendered once (:class:`Verbatim`).
    """

    def render(self, **kwargs):
        """Collect the parent map's layers under escaped names, then render."""
        self.reset()
        for item in self._parent._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            key = html_text(item.layer_name)
            (self.overlays if item.overlay else self.base_layers)[key] = item.get_name()
        Verbatim.render(self, **kwargs)


def legend_html(title: str, sections: list[tuple[str, list[str]]], notes: list[str] = ()) -> str:
    """HTML of a legend: a title, sections (subtitle, rows of ready-made HTML), notes.

    The title, subtitles and notes are escaped; rows are HTML built by :func:`swatch`,
    :func:`dot` and :func:`line`, which escape their labels.
    """
    parts = [f"<details open><summary><b>Légende</b></summary><h4>{html_text(title)}</h4>"]
    for subtitle, rows in sections:
        if subtitle:
            parts.append(f"<h5>{html_text(subtitle)}</h5>")
        parts.extend(f"<div class='row'>{row}</div>" for row in rows)
    parts.extend(f"<div class='note'>{html_text(note)}</div>" for note in notes)
    return "".join(parts) + "</details>"


def swatch(color: str, label: str, *, dashed: bool = False, opacity: float = 0.8) -> str:
    """A legend row: a filled square and its label."""
    border = "border-style:dashed;" if dashed else ""
    return (f"<span class='sw' style='background:{color};opacity:{opacity};{border}'></span>"
            f"{html_text(label)}")


def dot(color: str, label: str, diameter: float = 12) -> str:
    """A legend row: a circle of ``diameter`` pixels and its label."""
    return (f"<span class='dot' style='background:{color};width:{diameter:.0f}px;"
            f"height:{diameter:.0f}px'></span>{html_text(label)}")


def line(color: str, label: str, *, dash: str = "", weight: int = 3) -> str:
    """A legend row: a line and its label."""
    style = "dashed" if dash else "solid"
    return (f"<span class='line' style='border-top:{weight}px {style} {color}'></span>"
            f"{html_text(label)}")


def add_legend(m: folium.Map, legend: str, position: str = "bottomright") -> None:
    """Add a legend control (HTML from :func:`legend_html`) to ``m``."""
    m.add_child(_Control(legend, position, "maillage-legend"))


def add_title(m: folium.Map, title: str) -> None:
    """Add the map's title in the top left corner."""
    m.add_child(_Control(html_text(title), "topleft", "maillage-title"))


_SCRIPT_LINK = re.compile(r'<script[^>]*\ssrc="(?P<url>[^"]+)"[^>]*>\s*</script>\s*')
_CSS_LINK = re.compile(r'<link[^>]*\shref="(?P<url>[^"]+)"[^>]*/?>\s*')


def render_html(m: folium.Map, *, self_contained: bool = True) -> str:
    """The HTML page of ``m``.

    With ``self_contained`` Leaflet is inlined and every other remote script or stylesheet link
    Folium adds (jQuery, Bootstrap, icon fonts) is removed: the page then loads nothing from the
    network. Maps built here use none of those libraries.

    Parameters
    ----------
    m : folium.Map
        The map.
    self_contained : bool
        Inline Leaflet and drop remote links (the page works offline).

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> import folium
    >>> page = render_html(folium.Map(location=[44.45, 1.44], zoom_start=10, tiles=None))
    >>> page.lstrip().lower().startswith("<!doctype html>"), "unpkg.com" in page
    (True, False)
    """
    page = m.get_root().render()
    if not self_contained:
        return page

    def script(match: re.Match) -> str:
        url = match.group("url")
        if "leaflet" in url and url.endswith("leaflet.js"):
            return "<script>" + leaflet_js().replace("</script", "<\\/script") + "</script>\n"
        return ""

    def css(match: re.Match) -> str:
        url = match.group("url")
        if url.endswith("leaflet.css"):
            return "<style>" + leaflet_css() + "</style>\n"
        return ""

    page = _SCRIPT_LINK.sub(script, page)
    return _CSS_LINK.sub(css, page)


def save_map(m: folium.Map, path: str | os.PathLike, *, self_contained: bool = True):
    """Write ``m`` as an HTML page at ``path`` (atomically); see :func:`render_html`.

    Parameters
    ----------
    m : folium.Map
        The map.
    path : str or path-like
        The HTML file to write (replaced at once).
    self_contained : bool
        Inline Leaflet and drop remote links (the page works offline).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import folium
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_map(folium.Map(location=[44.45, 1.44], tiles=None), Path(folder) / "carte.html")
    ...     print(path.name, path.stat().st_size > 1000)
    carte.html True
    """
    return write_text(path, render_html(m, self_contained=self_contained))
