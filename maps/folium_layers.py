"""Folium layers drawn from maillage's layer schemas (docs/DESIGN.md).

Each ``add_*`` function adds one layer (a ``folium.FeatureGroup`` listed in the layer control)
and returns the legend rows that describe it, so a map module can assemble one legend.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.settings import METRIC_CRS

from .classes import Classes
from .labels import ages_label, fr_number, is_missing, kind_color, kind_label, opening_label
from .leaflet import (COMMUNES_PANE, ISOCHRONES_PANE, GeoJson, GeoJsonTooltip, add_popup,
                      add_tooltip, dot, line, swatch)

#: Largest marker radius, pixels.
MAX_RADIUS = 16.0
#: Smallest marker radius, pixels.
MIN_RADIUS = 4.0
#: Colour of commune borders.
COMMUNE_BORDER = "#8c8c8c"
#: Itinerant stop symbol: a diamond (plain Leaflet DivIcon, no plugin).
_STOP_ICON = ("<div style='display:inline-block;width:10px;height:10px;background:{color};"
              "border:1px solid #222;transform:rotate(45deg)'></div>")


def has_contours(communes: gpd.GeoDataFrame) -> bool:
    """True when the communes are polygons (False when only representative points are known)."""
    if "geometry_kind" in communes:
        return bool((communes["geometry_kind"] == "polygone").any())
    return bool(communes.geom_type.isin(["Polygon", "MultiPolygon"]).any())


def radius_scale(values: pd.Series, max_radius: float = MAX_RADIUS):
    """A function ``value -> radius (px)`` whose circle *area* is proportional to ``value``."""
    top = float(pd.to_numeric(values, errors="coerce").max()) if len(values) else 0.0
    top = top if top and np.isfinite(top) and top > 0 else 1.0

    def radius(value) -> float:
        if is_missing(value) or float(value) <= 0:
            return MIN_RADIUS
        return max(MIN_RADIUS, max_radius * math.sqrt(float(value) / top))

    return radius


def add_commune_values(m: folium.Map, communes: gpd.GeoDataFrame, values: pd.Series,
                       classes: Classes, *, name: str, tooltip: dict[str, pd.Series],
                       size: pd.Series | None = None, show: bool = True,
                       size_label: str = "enfants") -> list[str]:
    """Communes coloured by ``values``: a choropleth, or proportional symbols without contours.

    Parameters
    ----------
    m : folium.Map or folium.FeatureGroup
        Where to add the layer.
    communes : GeoDataFrame
        Communes (DESIGN schema, index = code).
    values : Series of float
        Indicator per commune code (NaN = no data, drawn grey and dashed).
    classes : Classes
        Colours and labels.
    name : str
        Layer name in the layer control (French).
    tooltip : dict of str to Series
        French label -> text per commune code, shown on hover.
    size : Series of float, optional
        Symbol size variable when communes are points (area proportional, e.g. children).
    show : bool
        Layer visible when the map opens.
    size_label : str
        What ``size`` counts, for the legend.

    Returns
    -------
    list of str
        Legend rows (HTML).
    """
    frame = communes[["name", "geometry"]].copy()
    frame["code"] = communes.index.astype(str)
    vals = values.reindex(communes.index)
    frame["_fill"] = [classes.color(v) for v in vals]
    frame["_missing"] = vals.isna().to_numpy()
    fields = []
    for i, (label, series) in enumerate(tooltip.items()):
        column = f"t{i}"
        frame[column] = series.reindex(communes.index).fillna("–").astype(str).to_numpy()
        fields.append((column, label))
    group = folium.FeatureGroup(name=name, show=show)
    rows = [swatch(c, lab) for c, lab in zip(classes.colors, classes.labels)]
    if frame["_missing"].any():
        rows.append(swatch(classes.no_data_color, classes.no_data_label, dashed=True))
    if has_contours(communes):
        polygons = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
        GeoJson(
            polygons[["code", "name", "_fill", "_missing", *[f for f, _ in fields], "geometry"]],
            name=name,
            style_function=lambda f: {
                "fillColor": f["properties"]["_fill"], "fillOpacity": 0.75,
                "color": "#555555" if f["properties"]["_missing"] else COMMUNE_BORDER,
                "weight": 0.7, "dashArray": "4 3" if f["properties"]["_missing"] else None},
            highlight_function=lambda f: {"weight": 3, "color": "#222222"},
            pane=COMMUNES_PANE,
            tooltip=GeoJsonTooltip(fields=["name", *[f for f, _ in fields]],
                                   aliases=["Commune", *[a for _, a in fields]], sticky=True),
        ).add_to(group)
    else:
        sizes = (size if size is not None else pd.Series(1.0, index=communes.index))
        sizes = sizes.reindex(communes.index)
        radius = radius_scale(sizes)
        points = communes.geometry.representative_point()
        for code, point in points.items():
            missing = bool(frame.at[code, "_missing"])
            marker = folium.CircleMarker(
                location=[point.y, point.x], radius=radius(sizes.get(code)),
                color="#555555" if missing else "#333333", weight=1,
                dash_array="3 2" if missing else None,
                fill=True, fill_color=frame.at[code, "_fill"], fill_opacity=0.85)
            marker.options["pane"] = COMMUNES_PANE
            add_tooltip(marker, str(frame.at[code, "name"]),
                        [(lab, frame.at[code, col]) for col, lab in fields])
            marker.add_to(group)
        rows.append(dot("#ffffff", f"surface du cercle proportionnelle aux {size_label}", 14))
    group.add_to(m)
    return rows


def add_outlines(m: folium.Map, communes: gpd.GeoDataFrame) -> list[str]:
    """EPCI outlines (communes' own borders are drawn by the indicator layer).

    Not drawn when only commune points are known.
    """
    if not has_contours(communes):
        return []
    polygons = communes[communes.geom_type.isin(["Polygon", "MultiPolygon"])]
    epcis = polygons[["epci", "epci_name", "geometry"]].dissolve(by="epci", as_index=False)
    epcis["geometry"] = epcis.geometry.buffer(0)
    GeoJson(
        epcis, name="Limites des EPCI",
        style_function=lambda f: {"fill": False, "color": "#222222", "weight": 2.5},
        interactive=False,
    ).add_to(m)
    return [line(COMMUNE_BORDER, "limite de commune", weight=1), line("#222222", "limite d'EPCI")]


def facility_rows(row) -> list[tuple[str, str]]:
    """Popup rows of one facility (French labels)."""
    kind = kind_label(row.get("kind", ""))
    subtype = row.get("subtype")
    places = row.get("capacity")
    validity = ""
    if not is_missing(row.get("valid_from")):
        validity = f"depuis le {pd.Timestamp(row['valid_from']):%d/%m/%Y}"
    if not is_missing(row.get("valid_to")):
        validity += f" jusqu'au {pd.Timestamp(row['valid_to']):%d/%m/%Y}"
    return [
        ("Type", kind + (f" – {subtype}" if isinstance(subtype, str) and subtype else "")),
        ("Places", "" if is_missing(places) else fr_number(places)),
        ("Âges", ages_label(row.get("age_min"), row.get("age_max"))),
        ("Ouverture", opening_label(row.get("opening"))),
        ("Adresse", row.get("address") or ""),
        ("Gestionnaire", row.get("operator") or ""),
        ("Validité", validity.strip()),
        ("Localisation", "à la commune (adresse inconnue)"
         if row.get("location_precision") == "commune" else ""),
        ("Source", row.get("source") or ""),
    ]


def add_facilities(m: folium.Map, facilities: gpd.GeoDataFrame, *, kinds=None,
                   show_kinds=None) -> list[str]:
    """Facilities as circles sized by places, one layer per kind, with popups.

    Parameters
    ----------
    facilities : GeoDataFrame
        Facilities (DESIGN schema).
    kinds : sequence of str, optional
        Kinds drawn (default: every kind present).
    show_kinds : sequence of str, optional
        Kinds visible when the map opens (default: all drawn kinds).

    Returns
    -------
    list of str
        Legend rows: one coloured dot per kind, and the size meaning.
    """
    present = list(dict.fromkeys(facilities["kind"].astype(str)))
    kinds = [k for k in (kinds or present) if k in present]
    radius = radius_scale(facilities["capacity"])
    rows = []
    for kind in kinds:
        group = folium.FeatureGroup(name=kind_label(kind),
                                    show=show_kinds is None or kind in show_kinds)
        subset = facilities[facilities["kind"].astype(str) == kind]
        for _, row in subset.iterrows():
            point = row.geometry
            marker = folium.CircleMarker(
                location=[point.y, point.x], radius=radius(row.get("capacity")),
                color="#222222", weight=1.2, fill=True, fill_color=kind_color(kind),
                fill_opacity=0.9)
            add_popup(marker, facility_rows(row), title=str(row.get("name", "")))
            add_tooltip(marker, f"{row.get('name', '')} ({kind_label(kind)})")
            marker.add_to(group)
        group.add_to(m)
        rows.append(dot(kind_color(kind), f"{kind_label(kind)} ({len(subset)})"))
    if facilities["capacity"].notna().any():
        rows.append("<span style='font-size:11px'>taille du cercle : nombre de places</span>")
    return rows


def add_isochrones(m: folium.Map, isochrones: gpd.GeoDataFrame, *, estimated: bool = False,
                   show: bool = False) -> list[str]:
    """Zones reached within N minutes, one layer per facility kind (nested bands).

    Parameters
    ----------
    isochrones : GeoDataFrame
        Polygons with columns ``kind`` and ``minutes`` (one row per kind and band, dissolved).
    estimated : bool
        Times come from the straight-line fallback: said in the layer name.
    """
    if isochrones is None or isochrones.empty:
        return []
    # Road-following polygons carry many vertices: simplify to 50 m for display.
    isochrones = isochrones.to_crs(METRIC_CRS)
    isochrones["geometry"] = isochrones.geometry.simplify(50)
    isochrones = isochrones.to_crs("EPSG:4326")
    bands = sorted(isochrones["minutes"].unique())
    opacities = {b: 0.35 - 0.2 * i / max(len(bands) - 1, 1) for i, b in enumerate(bands)}
    suffix = " (estimation à vol d'oiseau)" if estimated else ""
    for kind, part in isochrones.groupby("kind", sort=True):
        group = folium.FeatureGroup(name=f"Isochrones {kind_label(kind)}{suffix}", show=show)
        for minutes in sorted(part["minutes"].unique(), reverse=True):
            band = part[part["minutes"] == minutes][["minutes", "geometry"]]
            color = kind_color(kind)
            layer = GeoJson(
                band, style_function=lambda f, c=color, o=opacities[minutes]: {
                    "fillColor": c, "fillOpacity": o, "stroke": False},
                pane=ISOCHRONES_PANE)
            add_tooltip(layer, f"{kind_label(kind)} : moins de {minutes:g} min")
            layer.add_to(group)
        group.add_to(m)
    return [swatch("#888888", f"à moins de {b:g} min (couleur du type d'équipement)",
                   opacity=opacities[b] + 0.2) for b in bands]


def add_bus_stops(m: folium.Map, bus_stops: gpd.GeoDataFrame | None) -> list[str]:
    """Bus stops styled by frequency (mean departures per weekday)."""
    if bus_stops is None or bus_stops.empty:
        return []
    edges = [(0, 4, "#bdbdbd", "moins de 4 départs par jour"),
             (4, 12, "#6baed6", "de 4 à 12 départs par jour"),
             (12, math.inf, "#08519c", "12 départs par jour ou plus")]
    group = folium.FeatureGroup(name="Arrêts de bus (fréquence)", show=False)
    for _, row in bus_stops.iterrows():
        departures = float(row.get("departures_weekday") or 0)
        color = next(c for lo, hi, c, _ in edges if lo <= departures < hi)
        marker = folium.CircleMarker(location=[row.geometry.y, row.geometry.x],
                                     radius=3 + min(departures, 30) / 6, color=color,
                                     weight=1, fill=True, fill_opacity=0.9)
        add_popup(marker, [("Départs par jour de semaine", fr_number(departures, 1)),
                           ("Lignes", str(row.get("routes") or ""))],
                  title=str(row.get("name", "")))
        marker.add_to(group)
    group.add_to(m)
    return [dot(c, label, 8) for *_, c, label in edges]


def add_itinerant(m: folium.Map, facilities: gpd.GeoDataFrame,
                  itinerant_stops: gpd.GeoDataFrame) -> list[str]:
    """Itinerant services (France services bus…): base, stops and their days, schematic route."""
    if itinerant_stops is None or itinerant_stops.empty:
        return []
    rows = []
    for service_id, stops in itinerant_stops.groupby("service_id", sort=True):
        base = facilities.loc[service_id] if service_id in facilities.index else None
        title = str(base["name"]) if base is not None else str(service_id)
        color = kind_color(base["kind"]) if base is not None else "#CC79A7"
        group = folium.FeatureGroup(name=f"Itinérance : {title}")
        path = [[p.y, p.x] for p in stops.geometry]
        if base is not None:
            path = [[base.geometry.y, base.geometry.x], *path]
        route = folium.PolyLine(path, color=color, weight=3, dash_array="6 6", opacity=0.9)
        add_tooltip(route, f"{title} : tracé schématique (ordre des arrêts)")
        route.add_to(group)
        for _, stop in stops.iterrows():
            marker = folium.Marker(
                location=[stop.geometry.y, stop.geometry.x],
                icon=folium.DivIcon(html=_STOP_ICON.format(color=color), icon_size=(12, 12),
                                    icon_anchor=(6, 6), class_name="maillage-stop"))
            per_month = stop.get("days_per_month")
            add_popup(marker, [
                ("Service", title),
                ("Jours", str(stop.get("weekdays") or "")),
                ("Passages par mois", "" if is_missing(per_month) else fr_number(per_month, 0)),
                ("Horaires", str(stop.get("hours") or "")),
                ("Source", str(stop.get("source") or "")),
            ], title=f"Arrêt : {stop.get('name', '')}")
            marker.add_to(group)
        group.add_to(m)
        rows.append(line(color, f"{title} : tracé schématique", dash="6 6"))
    rows.append(_STOP_ICON.format(color="#CC79A7").replace("<div", "<span", 1)
                .replace("</div>", "</span>") + "&nbsp;&nbsp;arrêt (jours de passage au clic)")
    return rows


def add_context(m: folium.Map, territory, *, show_kinds=None,
                isochrones: gpd.GeoDataFrame | None = None,
                estimated: bool = False) -> list[tuple[str, list[str]]]:
    """Everything around an indicator: outlines, facilities, isochrones, itinerance, bus stops.

    Returns
    -------
    list of (str, list of str)
        Legend sections (subtitle, rows).
    """
    sections = []
    outlines = add_outlines(m, territory.communes)
    if outlines:
        sections.append(("Limites", outlines))
    iso = add_isochrones(m, isochrones, estimated=estimated)
    if iso:
        sections.append(("Temps d'accès (isochrones, calques)", iso))
    sections.append(("Équipements", add_facilities(m, territory.facilities,
                                                   show_kinds=show_kinds)))
    itinerant = add_itinerant(m, territory.facilities, territory.itinerant_stops)
    if itinerant:
        sections.append(("Services itinérants", itinerant))
    bus = add_bus_stops(m, territory.bus_stops)
    if bus:
        sections.append(("Arrêts de bus (calque)", bus))
    return sections
