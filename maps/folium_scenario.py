"""Scenario map: places per 100 children before, after, and the difference, by commune."""

from __future__ import annotations

import folium
import pandas as pd

from .classes import diverging_classes
from .folium_capacity import CAPACITY_UNIT, capacity_classes, capacity_tooltip, mapped_ratio
from .folium_layers import add_commune_values, add_context
from .labels import fr_number, kind_label
from .leaflet import LayerControl, add_legend, add_title, base_map, legend_html


def scenario_difference(before: pd.DataFrame, after: pd.DataFrame,
                        small: int | None = None) -> pd.Series:
    """After − before places per 100 children by commune (NaN where secret or no child)."""
    return mapped_ratio(after, small) - mapped_ratio(before, small)


def scenario_map(territory, before: pd.DataFrame, after: pd.DataFrame, *, kind: str,
                 title: str, after_territory=None, tiles: bool = False,
                 small: int | None = None) -> folium.Map:
    """Three switchable views of a scenario: before, after, difference (after − before).

    Parameters
    ----------
    territory : Territory
        Base layers (before).
    before, after : DataFrame
        By commune code: ``places``, ``children``, ``places_per_100_children``.
    kind : str
        Facility kind compared.
    title : str
        Scenario name (French).
    after_territory : Territory, optional
        Layers after the scenario (its facilities are drawn); default: ``territory``.
    tiles : bool
        OpenStreetMap tiles (internet needed).
    small : int, optional
        Small-count threshold.

    Returns
    -------
    folium.Map
        The interactive map (before, after and the difference by commune), French legend and tooltips.

    Examples
    --------
    The ALSH of Calamane opened in April 2025: the registry before (31 March) and after (1 June):

    >>> import folium
    >>> from maillage.analysis import places_per_100_children
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> before = places_per_100_children(grand_cahors, kind="alsh", at="2025-03-31")
    >>> after = places_per_100_children(grand_cahors, kind="alsh", at="2025-06-01")
    >>> m = scenario_map(grand_cahors, before, after, kind="alsh", title="Calamane ouvre")
    >>> views = [layer.layer_name for layer in m._children.values()
    ...          if isinstance(layer, folium.FeatureGroup) and not layer.overlay]
    >>> views
    ['Avant : places pour 100 enfants', 'Après : places pour 100 enfants', 'Différence (après − avant)']
    """
    communes = territory.communes
    before = before.reindex(communes.index)
    after = after.reindex(communes.index)
    both = pd.concat([before, after])
    classes = capacity_classes(both, small=small)
    diff = scenario_difference(before, after, small)
    change = diverging_classes(diff, unit=CAPACITY_UNIT)
    m = base_map(communes, tiles=tiles)
    views = [("Avant", before), ("Après", after)]
    legend_rows = None
    for label, frame in views:
        group = folium.FeatureGroup(name=f"{label} : places pour 100 enfants", overlay=False,
                                    show=label == "Après")
        values = mapped_ratio(frame, small)
        legend_rows = add_commune_values(group, communes, values, classes,
                                         name=f"{label} ({kind_label(kind)})",
                                         tooltip=capacity_tooltip(frame, small),
                                         size=frame["children"])
        group.add_to(m)
    group = folium.FeatureGroup(name="Différence (après − avant)", overlay=False, show=False)
    diff_text = diff.map(lambda v: "–" if pd.isna(v) else
                         ("+" if v > 0 else "") + fr_number(v, 1))
    diff_rows = add_commune_values(
        group, communes, diff, change, name="Différence",
        tooltip={"Places avant": before["places"].map(fr_number),
                 "Places après": after["places"].map(fr_number),
                 "Écart (places pour 100 enfants)": diff_text},
        size=after["children"])
    group.add_to(m)
    sections = [("Avant / après : places pour 100 enfants", legend_rows),
                ("Différence (après − avant)", diff_rows)]
    sections += add_context(m, after_territory or territory, show_kinds=[kind])
    add_legend(m, legend_html(title, sections,
                              ["Choisir la vue (avant, après, différence) dans le sélecteur "
                               "de calques en haut à droite."]), position="bottomleft")
    add_title(m, f"Scénario – {title}")
    LayerControl(collapsed=False).add_to(m)
    return m
