"""Run a scenario: indicators before and after its changes, per commune and per EPCI.

For each compared indicator (a key of :data:`~maillage.analysis.capacity.AGE_BANDS` such as
``alsh``, or a facility kind without places such as ``france_services``):

- places per 100 children of the band (communes, EPCI);
- 2SFCA places accessible per 100 children within the settings' catchment (facilities with a
  known capacity only);
- minutes to the nearest facility of the band's kinds, and children within 15 / 20 minutes.

When the scenario names an EPCI, the analysis is the EPCI's: its communes and the facilities
located in it (a CTG is signed per EPCI; its ALSH serve its families).

Reading and validating the YAML file, and applying its changes to the registry, is
:mod:`maillage.analysis.scenario.file` and :mod:`maillage.analysis.scenario.apply`
(the package :mod:`maillage.analysis.scenario` exports them all).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from maillage import geo
from maillage.kinds import service_kind
from maillage.settings import DEFAULT_SETTINGS, DiagnosticSettings

from ..capacity import AGE_BANDS, AgeBand, counted_places, places_per_100_children
from ..coverage import time_to_nearest
from ..fca import two_step_fca
from ..itinerant import as_points, presence_points
from ..origins import Origins, territory_origins
from .apply import apply_changes, with_scenario_facilities
from .file import Scenario, load_scenario

__all__ = ["FCA_MINUTES", "ScenarioResult", "indicator_band", "run_scenario"]

#: 2SFCA catchment of scenario runs, minutes (default of :class:`DiagnosticSettings`).
FCA_MINUTES = DEFAULT_SETTINGS.catchment_minutes


@dataclass
class ScenarioResult:
    """Indicators before and after a scenario.

    Attributes
    ----------
    scenario : Scenario
    before, after : DataFrame
        Facilities in force before (at the scenario date) and after the changes.
    by_commune : DataFrame
        Index = commune code (repeated when several indicators are compared); ``indicator``,
        ``name``, ``epci``, ``children``, then ``<measure>_before``, ``_after``,
        ``_difference`` for ``places``, ``places_per_100_children``, ``access_per_100_children``
        (2SFCA, places per 100 children) and ``minutes_nearest`` (minutes).
    by_epci : DataFrame
        One row per (indicator, EPCI): same measures summed or children-weighted, plus
        ``share_within_15``/``share_within_20`` (0–1) before/after/difference.
    timer_description : str
        How travel times were obtained (French); ``estimated`` True for straight-line times.

    Examples
    --------
    The ALSH of Calamane opens with 20 places in the Grand Cahors:

    >>> from importlib.resources import files
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> result = run_scenario(grand_cahors, files("maillage.data") / "scenarios" / "calamane-2025.yaml",
    ...                       timer=StraightLineTimer())
    >>> result.table().loc["ALSH (3-11 ans) : places"].tolist()
    [246.0, 266.0, 20.0]
    >>> result.by_commune.loc["46046", ["places_before", "places_after"]].tolist()
    [0.0, 20.0]
    >>> "gc-alsh-calamane-scenario" in result.after.index, result.estimated
    (True, True)
    """

    scenario: Scenario
    before: pd.DataFrame
    after: pd.DataFrame
    by_commune: pd.DataFrame
    by_epci: pd.DataFrame
    timer_description: str = ""
    estimated: bool = False
    notes: list[str] = field(default_factory=list)
    settings: DiagnosticSettings = DEFAULT_SETTINGS

    def table(self) -> pd.DataFrame:
        """French before/after summary: one row per indicator measure, over the whole
        analysed territory (columns ``Avant``, ``Après``, ``Écart``)."""
        rows = []
        catchment, thresholds = self.settings.catchment_minutes, self.settings.scenario_thresholds
        for indicator, group in self.by_epci.groupby("indicator", sort=False):
            label = indicator_band(indicator).label
            children = group["children"].sum()

            def total(measure, group=group):
                return [group[f"{measure}_{s}"].sum() for s in ("before", "after")]

            def weighted(measure, group=group, children=children):
                return [(group[f"{measure}_{s}"] * group["children"]).sum() / children
                        if children > 0 else np.nan for s in ("before", "after")]

            places = total("places")
            people = "enfants" if indicator in AGE_BANDS else "habitants"
            measures = [("places", places),
                        ("places pour 100 enfants",
                         [100 * p / children if children > 0 else np.nan for p in places]),
                        (f"places accessibles à {catchment:g} min pour 100 enfants (2SFCA)",
                         weighted("access_per_100_children"))] if indicator in AGE_BANDS else []
            measures += [("temps moyen jusqu'au plus proche (min)", weighted("minutes_nearest"))]
            measures += [(f"part des {people} à {m:g} min ou moins",
                          weighted(f"share_within_{m:g}")) for m in thresholds]
            for name, (before, after) in measures:
                rows.append({"Indicateur": f"{label} : {name}", "Avant": before, "Après": after,
                             "Écart": _change(before, after)})
        return pd.DataFrame(rows).set_index("Indicateur")


def _change(before: float, after: float) -> float:
    """``after - before``; NaN when both are infinite (a mean time out of reach before and
    after: no number, and no numpy "invalid value" warning)."""
    if np.isinf(before) and np.isinf(after):
        return float("nan")
    return float(after - before)


def indicator_band(indicator: str) -> AgeBand:
    """The band of an indicator; a kind without places is compared over all inhabitants.

    Parameters
    ----------
    indicator : str
        An age band of :data:`AGE_BANDS` (e.g. ``"alsh"``) or a service kind.

    Returns
    -------
    AgeBand
        Kinds counted, children counted (commune columns) and ages served (years).

    Examples
    --------
    >>> band = indicator_band("alsh")
    >>> band.children  # 3-5, 6-10 and the 11-year-olds (1/7 of 11-17)
    ('pop_3_5', 'pop_6_10', 'pop_11')
    """
    if indicator in AGE_BANDS:
        return AGE_BANDS[indicator]
    kind = service_kind(indicator)
    label = kind.name if kind else indicator
    return AgeBand((indicator,), ("population",), (0, 200), label[:1].upper() + label[1:])


def _measures(communes, facilities, stops, band, indicator, origins: Origins, timer, settings):
    """Per-commune measures of one state of the registry (facilities and itinerant stops).

    Times start from ``origins`` (commune points, or the cells where children live: then a
    commune's minutes, accessibility and shares within N minutes are means over its cells
    weighted by the children of the band).
    """
    table = places_per_100_children(communes, facilities, kind=indicator, bands={indicator: band})
    children = table["children"]
    weights = origins.weights(band.children)
    points = presence_points(facilities, stops, kinds=band.kinds)
    points = points[points["lon"].notna() & points["lat"].notna()]
    if len(points):
        cost = timer.matrix(origins.points, as_points(points))
        # Supply: the places counted in the band (capacity × share of ages), fixed sites only.
        places = counted_places(facilities, band).dropna()
        places.index = places.index.astype(str)
        supply = places[places.index.isin(points.index[~points["itinerant"]])]
        access = origins.to_communes(
            100 * two_step_fca(weights, supply, cost, settings.catchment_minutes), weights)
        nearest = time_to_nearest(cost)
    else:
        access = pd.Series(0.0, index=children.index)
        nearest = pd.Series(np.inf, index=origins.points.index)
    measures = pd.DataFrame({"places": table["places"],
                             "places_per_100_children": table["places_per_100_children"],
                             "access_per_100_children": access.reindex(children.index),
                             "minutes_nearest": origins.to_communes(nearest, weights)
                             .reindex(children.index)})
    for minutes in settings.scenario_thresholds:
        within = origins.to_communes((nearest <= minutes).astype(float), weights)
        measures[f"share_within_{minutes:g}"] = within.reindex(children.index)
    return measures, children, table.attrs.get("capacity_unknown", [])


#: States remembered by a ``memo`` of :func:`run_scenario` before it is emptied.
MEMO_STATES = 512


def _state_key(*frames) -> str:
    """Digest of the content of frames (facilities, stops): index, columns, values, points."""
    digest = hashlib.blake2b(digest_size=16)
    for frame in frames:
        if frame is None:
            digest.update(b"-")
            continue
        # A few hundred rows at most: their JSON text (pandas' C writer, 15 significant
        # digits) is the cheapest key; the points are their lon/lat columns.
        plain = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
        digest.update(plain.to_json(orient="split", date_format="iso", double_precision=15,
                                    default_handler=str).encode())
        digest.update(b"#")
    return digest.hexdigest()


def _remembered_measures(memo, key, *args):
    """``_measures(*args)``, once per ``key`` in ``memo`` (a dict the caller keeps)."""
    if memo is None:
        return _measures(*args)
    if key not in memo:
        if len(memo) >= MEMO_STATES:
            memo.clear()
        memo[key] = _measures(*args)
    measures, children, unknown = memo[key]
    return measures.copy(), children.copy(), list(unknown)


def _compare(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in before.columns:
        out[f"{column}_before"] = before[column]
        out[f"{column}_after"] = after[column]
        out[f"{column}_difference"] = after[column] - before[column]
    return pd.DataFrame(out)


def _per_epci(communes, children, before, after) -> pd.DataFrame:
    key = communes["epci"].astype(str).set_axis(children.index)
    summed = pd.DataFrame({"children": children})
    for label, measures in (("before", before), ("after", after)):
        summed[f"places_{label}"] = measures["places"]
        for column in measures.columns.drop(["places", "places_per_100_children"]):
            # Children-weighted; an unreachable commune with children makes the mean inf.
            summed[f"{column}_{label}"] = (measures[column] * children).where(children > 0, 0.0)
    grouped = summed.groupby(key).sum()
    kids = grouped["children"].where(grouped["children"] > 0)
    result = pd.DataFrame(index=grouped.index)
    if "epci_name" in communes:
        result["name"] = communes.groupby(communes["epci"].astype(str))["epci_name"].first()
    result["children"] = grouped["children"]
    parts = {}
    for label in ("before", "after"):
        parts[label] = pd.DataFrame({
            "places": grouped[f"places_{label}"],
            "places_per_100_children": 100 * grouped[f"places_{label}"] / kids,
            **{c: grouped[f"{c}_{label}"] / kids for c in before.columns.drop(
                ["places", "places_per_100_children"])}})
    return pd.concat([result, _compare(parts["before"], parts["after"])], axis=1)


def run_scenario(base, scenario, *, timer=None, epci: str | None = None,
                 settings: DiagnosticSettings | None = None,
                 origins: Origins | None = None, memo: dict | None = None) -> ScenarioResult:
    """Indicators before and after a scenario's changes, per commune and per EPCI.

    Parameters
    ----------
    base : maillage.layers.Territory
        The territory: ``communes``, ``facilities`` (every date), ``itinerant_stops``.
    scenario : Scenario or path
        A scenario, or the path of its YAML file.
    timer : Timer, optional
        Source of travel times (``.matrix(origins, destinations)`` in minutes); default
        :func:`maillage.geo.default_timer` for the territory.
    epci : str, optional
        Restrict the analysis to this EPCI (SIREN); default the scenario's ``epci``.
    settings : DiagnosticSettings, optional
        2SFCA catchment and coverage thresholds (minutes); default
        :data:`maillage.settings.DEFAULT_SETTINGS` (20 min; 15 and 20 min).
    origins : Origins, optional
        Where travel times start from; default :func:`maillage.analysis.origins.
        territory_origins` (the Filosofi cells where children live when the territory has
        them, else commune points).
    memo : dict, optional
        Remembers the per-commune measures of each state (indicator, communes, facilities
        and itinerant stops in force) across calls: a caller running many scenarios on the
        same territory, timer, origins and settings (``maillage app``, one per session)
        passes the same dict, and a state already measured (the base state of every edit)
        is not measured again. Emptied past :data:`MEMO_STATES` states.

    Returns
    -------
    ScenarioResult
        Places, places per 100 children, 2SFCA access, minutes to the nearest and coverage
        shares, before and after, per commune and per EPCI.

    Examples
    --------
    >>> from importlib.resources import files
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> result = run_scenario(grand_cahors, files("maillage.data") / "scenarios" / "calamane-2025.yaml",
    ...                       timer=StraightLineTimer())
    >>> result.by_epci[["places_before", "places_after"]]
               places_before  places_after
    epci
    200023737          246.0         266.0
    """
    settings = DEFAULT_SETTINGS if settings is None else settings
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    communes = base.communes.copy()
    communes.index = communes.index.astype(str)
    # The scenario's own facilities (``equipements``) join the registry, placed among all
    # the territory's communes (the analysis may then keep one EPCI's).
    facilities = with_scenario_facilities(scenario, base.facilities, communes)
    epci = epci or scenario.epci
    if epci:
        if epci not in set(communes["epci"].astype(str)):
            raise scenario.error(f"l'EPCI « {epci} » n'est pas dans le territoire", column="epci",
                                 fix="donner le SIREN d'un EPCI du territoire (9 chiffres)")
        communes = communes[communes["epci"].astype(str) == epci]
    stops = getattr(base, "itinerant_stops", None)
    before, after, stops_after = apply_changes(scenario, facilities, communes, stops)
    # The polygons only place moved facilities (above); the measures read plain columns.
    communes = pd.DataFrame(communes.drop(columns="geometry", errors="ignore"))
    if epci:
        before = before[before["commune_code"].astype(str).isin(communes.index)]
        after = after[after["commune_code"].astype(str).isin(communes.index)]
    if timer is None:
        timer = geo.default_timer(base)
    origins = (territory_origins(base) if origins is None else origins).within(communes.index)
    by_commune, by_epci, notes = [], [], []
    keys = None
    if memo is not None:  # a state is its communes, facilities and stops (and the settings)
        where = "|".join(communes.index)
        keys = {"before": (where, settings, _state_key(before, stops)),
                "after": (where, settings, _state_key(after, stops_after))}
    for indicator in scenario.indicators:
        band = indicator_band(indicator)
        if indicator not in AGE_BANDS and not facilities["kind"].isin(band.kinds).any():
            raise scenario.error(f"indicateur inconnu « {indicator} »", column="indicateurs",
                                 fix="choisir parmi " + ", ".join(AGE_BANDS) +
                                     " ou un type d'équipement du registre")
        old, children, unknown = _remembered_measures(
            memo, keys and (indicator, *keys["before"]), communes, before, stops, band,
            indicator, origins, timer, settings)
        new, _, unknown_after = _remembered_measures(
            memo, keys and (indicator, *keys["after"]), communes, after, stops_after, band,
            indicator, origins, timer, settings)
        if indicator in AGE_BANDS:
            notes += [f"{band.label} : capacité inconnue pour « {fid} » (non comptée)"
                      for fid in sorted(set(unknown) | set(unknown_after))]
        table = _compare(old, new)
        table.insert(0, "children", children)
        for column in ("epci", "name"):
            table.insert(0, column, communes[column].astype(str) if column in communes else "")
        table.insert(0, "indicator", indicator)
        by_commune.append(table)
        by_epci.append(_per_epci(communes, children, old, new).assign(indicator=indicator))
    by_epci_frame = pd.concat(by_epci)
    by_epci_frame = by_epci_frame[["indicator", *by_epci_frame.columns.drop("indicator")]]
    return ScenarioResult(scenario=scenario, before=before, after=after,
                          by_commune=pd.concat(by_commune).rename_axis("code"),
                          by_epci=by_epci_frame.rename_axis("epci"),
                          timer_description=getattr(timer, "description", ""),
                          estimated=bool(getattr(timer, "estimated", False)), notes=notes,
                          settings=settings)
