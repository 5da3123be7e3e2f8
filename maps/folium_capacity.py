"""Map of places per 100 children by commune, with the facilities and their context."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from .classes import NO_DATA_LABEL, Classes, classify
from .folium_layers import add_commune_values, add_context, has_contours
from .labels import fr_number, kind_label
from .leaflet import LayerControl, add_legend, add_title, base_map, legend_html
from .secret import SECRET_LABEL, is_secret, publishable_ratio, threshold

#: Unit written in the capacity legend.
CAPACITY_UNIT = "places pour 100 enfants"


def mapped_ratio(indicator: pd.DataFrame, small: int | None = None) -> pd.Series:
    """Places per 100 children as mapped: NaN where secret, without children, or where the
    commune's only facilities have unknown places (``capacity_unknown``)."""
    values = publishable_ratio(indicator["places_per_100_children"], indicator["children"],
                               indicator["places"], small=small)
    values = values.where(indicator["children"] > 0)
    if "capacity_unknown" in indicator:
        unknown_only = (indicator["capacity_unknown"].fillna(0) > 0) & (indicator["places"] == 0)
        values = values.mask(unknown_only)
    return values


def capacity_classes(indicator: pd.DataFrame, *, scheme: str = "FisherJenks",
                     k: int = 5, small: int | None = None) -> Classes:
    """Classes of places per 100 children over the publishable communes."""
    classes = classify(mapped_ratio(indicator, small), k=k, scheme=scheme,
                       unit=CAPACITY_UNIT, zero_label="aucune place dans la commune")
    classes.no_data_label = f"{NO_DATA_LABEL}, places inconnues ou {SECRET_LABEL}"
    return classes


def capacity_tooltip(indicator: pd.DataFrame, small: int | None = None) -> dict[str, pd.Series]:
    """Hover texts per commune: places, children (protected) and the ratio (protected)."""
    limit = threshold(small)
    secret = is_secret(indicator["children"], indicator["places"], small=limit)
    children = indicator["children"].map(
        lambda v: "–" if pd.isna(v) else (f"< {limit}" if v < limit else fr_number(v)))
    ratio = indicator["places_per_100_children"].map(lambda v: fr_number(v, 1))
    ratio = ratio.where(~secret, SECRET_LABEL).where(indicator["children"] > 0, "pas d'enfant")
    ratio = ratio.where(indicator["children"].isna() | (indicator["children"] <= 0)
                        | indicator["places"].notna(), "hors registre")
    places = indicator["places"].map(fr_number)
    if "capacity_unknown" in indicator:
        unknown = pd.to_numeric(indicator["capacity_unknown"], errors="coerce").fillna(0)
        places = places.where(unknown <= 0, places + unknown.map(
            lambda n: f" + {n:.0f} équipement(s) aux places inconnues"))
        ratio = ratio.where(~((unknown > 0) & (indicator["places"] == 0)), "places inconnues")
    return {"Places": places, "Enfants": children, "Places pour 100 enfants": ratio}


def capacity_map(territory, indicator: pd.DataFrame, *, kind: str = "alsh",
                 age_label: str = "", isochrones: gpd.GeoDataFrame | None = None,
                 estimated: bool = False, tiles: bool = False, classes: Classes | None = None,
                 small: int | None = None) -> folium.Map:
    """Choropleth of places per 100 children by commune (proportional symbols without contours).

    Parameters
    ----------
    territory : Territory
        Layers (communes, facilities, itinerant stops, bus stops).
    indicator : DataFrame
        By commune code: ``places``, ``children``, ``places_per_100_children``
        (as ``maillage.analysis.places_per_100_children(..., by="commune")``).
    kind : str
        Facility kind measured (``"alsh"``, ``"eaje"`` …).
    age_label : str
        Ages counted as children (``"3 à 11 ans"``), for the title.
    isochrones : GeoDataFrame, optional
        Access-time bands (``kind``, ``minutes``, polygons), drawn as hidden layers.
    estimated : bool
        Times are straight-line estimates (said on the map).
    tiles : bool
        OpenStreetMap tiles (internet needed); without them the communes are the base.
    classes : Classes, optional
        Classes to use (default: Fisher-Jenks over the publishable values).
    small : int, optional
        Small-count threshold (default ``SMALL_COUNT_THRESHOLD``).

    Returns
    -------
    folium.Map
        The interactive map (places per 100 children by commune), French legend and tooltips.

    Examples
    --------
    >>> from maillage.analysis import places_per_100_children
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> table = places_per_100_children(grand_cahors, kind="alsh", at="2025-06-01")
    >>> capacity_map(grand_cahors, table, kind="alsh")
    <folium.folium.Map object at ...>
    """
    communes = territory.communes
    m = base_map(communes, tiles=tiles)
    indicator = indicator.reindex(communes.index)
    classes = classes or capacity_classes(indicator, small=small)
    values = mapped_ratio(indicator, small)
    title = f"{kind_label(kind)} : places pour 100 enfants" + (f" ({age_label})"
                                                                if age_label else "")
    rows = add_commune_values(m, communes, values, classes, name=title,
                              tooltip=capacity_tooltip(indicator, small),
                              size=indicator["children"])
    sections = [("Places pour 100 enfants, par commune", rows)]
    sections += add_context(m, territory, show_kinds=[kind, "france_services"],
                            isochrones=isochrones, estimated=estimated)
    notes = [f"Effectifs d'enfants inférieurs à {threshold(small)} masqués "
             "(secret statistique)."]
    if not has_contours(communes):
        notes.insert(0, "Contours des communes indisponibles hors ligne : communes figurées "
                        "par des cercles proportionnels au nombre d'enfants.")
    if estimated:
        notes.append("Temps d'accès estimés à vol d'oiseau (pas de réseau routier).")
    add_legend(m, legend_html(title, sections, notes))
    add_title(m, f"{territory.name} – {title}")
    LayerControl(collapsed=True).add_to(m)
    return m
