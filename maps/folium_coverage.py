"""Map of the travel time from each commune to its nearest service of a kind."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from maillage.settings import DEFAULT_SETTINGS

from .classes import Classes, fixed_classes
from .folium_layers import add_commune_values, add_context, has_contours
from .labels import fr_number, kind_label
from .leaflet import LayerControl, add_legend, add_title, base_map, legend_html

#: Access-time class bounds, minutes: 0 then the CTG thresholds of the default
#: :class:`~maillage.settings.DiagnosticSettings` (10, 15, 20, 30 min).
TIME_EDGES = DEFAULT_SETTINGS.time_classes


def time_classes(edges=TIME_EDGES) -> Classes:
    """Fixed access-time classes in minutes; "aucun service joignable" for no value."""
    return fixed_classes(edges, unit="min", cmap="YlOrRd",
                         no_data_label="aucun service joignable / hors registre")


def minutes_label(value) -> str:
    """``12.4`` → ``"12 min"``; unreachable (inf) → ``"non joignable"``; NaN → no data."""
    if value is None or np.isnan(float(value)):
        return "hors registre / donnée absente"
    if not np.isfinite(float(value)):
        return "non joignable"
    return f"{fr_number(value)} min"


def coverage_map(territory, access: pd.DataFrame, *, kind: str, size: pd.Series | None = None,
                 size_label: str = "habitants", estimated: bool = False, tiles: bool = False,
                 timer_description: str = "", edges=TIME_EDGES) -> folium.Map:
    """Communes coloured by the time to the nearest service of ``kind``.

    Parameters
    ----------
    territory : Territory
        Layers.
    access : DataFrame
        By commune code: ``minutes`` (float, inf = unreachable) and ``destination``
        (facility id), as ``maillage.geo.nearest``.
    kind : str
        Facility kind reached.
    size : Series of float, optional
        Symbol size (area) per commune when communes are points, e.g. inhabitants.
    size_label : str
        What ``size`` counts (French plural), for the legend.
    estimated : bool
        Straight-line estimates (said in the legend).
    tiles : bool
        OpenStreetMap tiles (internet needed).
    timer_description : str
        How times were computed (French), shown in the legend.
    edges : sequence of float
        Class bounds, minutes (default :data:`TIME_EDGES`).

    Returns
    -------
    folium.Map
        The interactive map (minutes to the nearest service by commune), French legend and tooltips.

    Examples
    --------
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> communes = grand_cahors.communes.set_geometry(grand_cahors.communes.representative_point())
    >>> alsh = grand_cahors.facilities[grand_cahors.facilities["kind"] == "alsh"]
    >>> access = StraightLineTimer().nearest(communes, alsh)
    >>> coverage_map(grand_cahors, access, kind="alsh")
    <folium.folium.Map object at ...>
    """
    communes = territory.communes
    access = access.reindex(communes.index)
    minutes = pd.to_numeric(access["minutes"], errors="coerce").astype(float)
    minutes = minutes.where(np.isfinite(minutes))
    names = territory.facilities["name"]
    nearest = access["destination"].map(lambda d: names.get(d, "") if isinstance(d, str) else "")
    m = base_map(communes, tiles=tiles)
    title = f"Temps d'accès au plus proche : {kind_label(kind)}"
    rows = add_commune_values(
        m, communes, minutes, time_classes(edges), name=title,
        tooltip={"Temps d'accès": access["minutes"].map(minutes_label),
                 "Équipement le plus proche": nearest},
        size=size, size_label=size_label)
    sections = [("Temps de trajet en voiture depuis le centre de la commune", rows)]
    sections += add_context(m, territory, show_kinds=[kind], estimated=estimated)
    notes = []
    if timer_description:
        notes.append(timer_description)
    if estimated:
        notes.append("Temps estimés à vol d'oiseau : à confirmer avec un réseau routier.")
    if not has_contours(communes):
        notes.append("Contours des communes indisponibles hors ligne : communes figurées "
                     "par des cercles.")
    add_legend(m, legend_html(title, sections, notes))
    add_title(m, f"{territory.name} – {title}")
    LayerControl(collapsed=True).add_to(m)
    return m
