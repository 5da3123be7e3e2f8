"""Static maps (matplotlib) for Word and PDF reports: PNG and SVG with legend, scale bar,
north arrow and source line, in Lambert-93 (EPSG:2154) so that the scale bar is true.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from maillage.atomic import write_bytes  # noqa: E402
from maillage.settings import METRIC_CRS  # noqa: E402

from .classes import Classes  # noqa: E402
from .folium_layers import has_contours  # noqa: E402
from .labels import kind_color, kind_label  # noqa: E402

#: Figure size, inches: the text width of an A4 page with 15 mm margins (180 mm), so that
#: the figure prints at full text width with its fonts at their nominal size.
FIGSIZE = (180 / 25.4, 7.0)
#: Font sizes, points, at that width: title, legend, source line (readable in print: ≥ 7 pt).
TITLE_PT, LEGEND_PT, SOURCE_PT = 12, 8.5, 7.5
#: Characters per line of the title, the source lines and the legend at these sizes.
TITLE_WRAP, SOURCE_WRAP, LEGEND_WRAP = 70, 125, 26
#: Share of the width taken by the map; the legend sits on the right of it.
MAP_WIDTH = 0.66
#: Tallest map, inches (with its title and sources the figure still fits an A4 page).
MAX_MAP_HEIGHT = 7.5


def _nice_length(metres: float) -> float:
    """Largest 1-2-5 × 10^n length not above ``metres``."""
    exp = 10 ** math.floor(math.log10(metres))
    return max(m * exp for m in (1, 2, 5) if m * exp <= metres)


def add_scale_bar(ax, *, fraction: float = 0.25) -> float:
    """Draw a scale bar (km) in the lower left corner of a metric-CRS axis.

    Returns
    -------
    float
        Bar length, metres.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length((x1 - x0) * fraction)
    x, y = x0 + 0.02 * (x1 - x0), y0 + 0.03 * (y1 - y0)
    height = 0.012 * (y1 - y0)
    half = length / 2
    ax.add_patch(Rectangle((x, y), half, height, facecolor="black", edgecolor="black"))
    ax.add_patch(Rectangle((x + half, y), half, height, facecolor="white", edgecolor="black"))
    km = length / 1000
    label = f"{km:g} km".replace(".", ",")
    ax.text(x, y + 1.8 * height, "0", ha="center", va="bottom", fontsize=8)
    ax.text(x + length, y + 1.8 * height, label, ha="center", va="bottom", fontsize=8)
    return length


def add_north_arrow(ax) -> None:
    """Draw a north arrow in the upper right corner (Lambert-93 north is up, near enough)."""
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.86), xycoords="axes fraction",
                ha="center", va="center", fontsize=12, fontweight="bold",
                arrowprops={"facecolor": "black", "width": 4, "headwidth": 11, "headlength": 10})


def _legend_label(text: str) -> str:
    """A legend entry wrapped to the legend's column (right of the map)."""
    return "\n".join(textwrap.wrap(str(text), LEGEND_WRAP)) or str(text)


def _save(fig, stem: Path) -> list[Path]:
    """Write ``stem``.png and ``stem``.svg atomically (SVG without date, ids salted)."""
    paths = []
    # Text stays text in the SVG (editable in Word / Inkscape); ids are reproducible.
    with plt.rc_context({"svg.hashsalt": "maillage", "svg.fonttype": "none"}):
        for ext, kwargs in (("png", {"dpi": 150, "metadata": {"Software": None}}),
                            ("svg", {"metadata": {"Date": None, "Creator": None}})):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=ext, **kwargs)
            paths.append(write_bytes(stem.with_suffix(f".{ext}"), buffer.getvalue()))
    plt.close(fig)
    return paths


def static_map(territory, values: pd.Series, classes: Classes, stem: str | os.PathLike, *,
               title: str, source: str, size: pd.Series | None = None,
               kinds=(), notes=()) -> list[Path]:
    """A printable map of communes coloured by ``values``, with facilities of ``kinds``.

    Parameters
    ----------
    territory : Territory
        Layers (communes, facilities).
    values : Series of float
        Indicator by commune code (NaN = no data, hatched grey).
    classes : Classes
        Colours and legend labels (the same as the interactive map's).
    stem : path
        Output path without extension: ``stem.png`` and ``stem.svg`` are written.
    title : str
        Title (French).
    source : str
        Source line printed under the map (French), e.g. "Sources : INSEE RP 2021 …".
    size : Series of float, optional
        Symbol size variable when communes are points (area proportional).
    kinds : sequence of str
        Facility kinds drawn on top.
    notes : sequence of str
        Extra lines printed with the source.

    Returns
    -------
    list of Path
        The PNG and SVG written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.analysis import places_per_100_children
    >>> from maillage.layers import load_territory
    >>> from maillage.maps.folium_capacity import capacity_classes
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> table = places_per_100_children(grand_cahors, kind="alsh", at="2025-06-01")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = static_map(grand_cahors, table["places_per_100_children"],
    ...                          capacity_classes(table), Path(folder) / "capacite_alsh",
    ...                          title="ALSH : places pour 100 enfants de 3 à 11 ans",
    ...                          source="Sources : registre CTG, INSEE", kinds=["alsh"])
    ...     [(path.name, path.stat().st_size > 10_000) for path in written]
    [('capacite_alsh.png', True), ('capacite_alsh.svg', True)]
    """
    communes = territory.communes.to_crs(METRIC_CRS)
    vals = values.reindex(communes.index)
    colors = [classes.color(v) for v in vals]
    missing = vals.isna().to_numpy()
    fig = plt.figure(figsize=FIGSIZE)
    ax = fig.add_axes((0.0, 0.1, MAP_WIDTH, 0.8))
    if has_contours(communes):
        communes.plot(ax=ax, color=colors, edgecolor="white", linewidth=0.4)
        if missing.any():
            communes[missing].plot(ax=ax, facecolor="none", edgecolor="#8c8c8c", hatch="////",
                                   linewidth=0)
        epcis = communes.dissolve(by="epci")
        epcis.boundary.plot(ax=ax, color="#222222", linewidth=1.2)
    else:
        sizes = (size if size is not None else pd.Series(1.0, index=communes.index))
        sizes = pd.to_numeric(sizes.reindex(communes.index), errors="coerce").fillna(0)
        largest = max(float(sizes.max()), 1.0)
        points = communes.geometry.representative_point()
        ax.scatter(points.x, points.y, s=10 + 400 * sizes / largest, c=colors, edgecolors="#333333",
                   linewidths=0.5, zorder=2)
    handles = [Patch(facecolor=c, edgecolor="#777777", label=_legend_label(lab))
               for c, lab in zip(classes.colors, classes.labels)]
    if missing.any():
        handles.append(Patch(facecolor=classes.no_data_color, edgecolor="#8c8c8c", hatch="////",
                             label=_legend_label(classes.no_data_label)))
    facilities = territory.facilities.to_crs(METRIC_CRS)
    for kind in kinds:
        subset = facilities[facilities["kind"] == kind]
        if subset.empty:
            continue
        capacity = pd.to_numeric(subset["capacity"], errors="coerce").fillna(0)
        ax.scatter(subset.geometry.x, subset.geometry.y, s=12 + capacity.clip(upper=120),
                   color=kind_color(kind), edgecolors="black", linewidths=0.5, zorder=3)
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=kind_color(kind),
                              markeredgecolor="black", label=_legend_label(kind_label(kind))))
    ax.set_axis_off()
    ax.set_aspect("equal")
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # Room for the scale bar below and the north arrow on the right, off the communes.
    x1, y0 = x1 + 0.1 * (x1 - x0), y0 - 0.12 * (y1 - y0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _layout(fig, ax, aspect=(y1 - y0) / max(x1 - x0, 1e-9), title=title,
            foot=[source, *notes], legend_rows=len(handles))
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
              fontsize=LEGEND_PT, frameon=False)
    return _save(fig, Path(stem))


def _layout(fig, ax, *, aspect: float, title: str, foot, legend_rows: int) -> None:
    """Size the figure to the map: full text width, the height of the map (height / width
    ``aspect``) plus its title above and its source lines below; place the three."""
    lines = [line for text in foot for part in str(text).splitlines()
             for line in (textwrap.wrap(part, SOURCE_WRAP) or [""])]
    title_lines = textwrap.wrap(title, TITLE_WRAP) or [""]
    width = FIGSIZE[0]
    title_h = 0.12 + len(title_lines) * TITLE_PT * 1.35 / 72
    foot_h = 0.1 + len(lines) * SOURCE_PT * 1.3 / 72
    legend_h = legend_rows * 2.6 * LEGEND_PT / 72
    map_h = min(max(width * MAP_WIDTH * aspect, legend_h, 3.0), MAX_MAP_HEIGHT)
    height = title_h + map_h + foot_h
    fig.set_size_inches(width, height)
    ax.set_position((0.0, foot_h / height, MAP_WIDTH, map_h / height))
    fig.text(0.005, 1 - 0.06 / height, "\n".join(title_lines), fontsize=TITLE_PT,
             ha="left", va="top")
    fig.text(0.005, 0.04 / height, "\n".join(lines), fontsize=SOURCE_PT, color="#333333",
             ha="left", va="bottom", linespacing=1.3)
