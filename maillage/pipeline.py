"""The whole chain, end to end: layers → travel times → indicators → scenario → report.

``run_diagnostic`` is what ``maillage demo`` and ``maillage report`` call. Each step is
announced by a French name (``on_step``) so that the CLI can show progress.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.resources
import os
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from maillage.analysis.capacity import in_force, places_per_100_children
from maillage.analysis.coverage import access_population, coverage
from maillage.analysis.diagnostic import AccessResult, CapacityResult, Diagnostic, ScenarioView
from maillage.analysis.fca import two_step_fca
from maillage.analysis.itinerant import presence_coverage, presence_points
from maillage.analysis.origins import Origins, territory_origins
from maillage.analysis.sensitivity import sensitivity
from maillage.errors import InputError
from maillage.kinds import age_text, counted_kinds, indicator_bands, kind_label
from maillage.settings import DEFAULT_SETTINGS, DiagnosticSettings

#: The demo scenario shipped with maillage.
DEMO_SCENARIO = "calamane-2025.yaml"

#: Step names shown while the chain runs (French), in order.
STEPS = ("Chargement des couches", "Réseau routier et temps de trajet",
         "Places pour 100 enfants", "Temps d'accès et couverture",
         "Accessibilité (2SFCA) et isochrones", "Scénario", "Cartes et figures",
         "Tableaux et couches SIG", "Rapport")

Step = Callable[[str], None]


def demo_scenario_path() -> Path:
    """Path of the Calamane scenario shipped in ``maillage.data/scenarios``."""
    resource = importlib.resources.files("maillage.data").joinpath("scenarios", DEMO_SCENARIO)
    return Path(str(resource))


def commune_points(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Representative points of the communes (``point_lon``/``point_lat``), index = code."""
    return gpd.GeoDataFrame(index=communes.index.astype(str), crs="EPSG:4326",
                            geometry=gpd.points_from_xy(communes["point_lon"].astype(float),
                                                        communes["point_lat"].astype(float)))


def with_layers(territory, **layers):
    """A shallow copy of ``territory`` with some layers replaced (e.g. ``facilities=``)."""
    view = copy.copy(territory)
    for name, value in layers.items():
        setattr(view, name, value)
    return view


def _presence(territory, kind: str, at) -> gpd.GeoDataFrame:
    """Fixed sites and itinerant stops where a service of ``kind`` can be met."""
    kinds = counted_kinds(kind)
    points = presence_points(territory.facilities, territory.itinerant_stops, kinds=kinds, at=at)
    points = points[points["lon"].notna() & points["lat"].notna()]
    return gpd.GeoDataFrame(points, crs="EPSG:4326",
                            geometry=gpd.points_from_xy(points["lon"], points["lat"]))


def registry_scope(territory, kinds=None) -> pd.Series:
    """Which communes the facility registry covers (bool by commune code).

    The embedded registry lists the services of the four CTG intercommunalities only: in
    the other EPCIs "no facility" means "not recorded", not "none". With ``kinds``, an EPCI
    is covered for those kinds only when the registry records at least one facility of them
    there (at any date); the report then notes that the documents of the others name none
    (their zero may be a gap of the documents rather than of the territory).
    """
    facilities = territory.facilities
    if kinds is not None:
        facilities = facilities[facilities["kind"].isin(list(kinds))]
    covered = set(facilities["epci"].dropna().astype(str))
    return territory.communes["epci"].astype(str).isin(covered).set_axis(
        territory.communes.index.astype(str))


def _outside(frame: pd.DataFrame, inside: pd.Series, columns) -> pd.DataFrame:
    """``frame`` with ``columns`` set to NaN on rows outside the registry's scope."""
    keep = inside.reindex(frame.index.astype(str)).fillna(False).to_numpy()
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(float).where(keep)
    return out


def _capacity(territory, timer, origins, at, scope, settings) -> list[CapacityResult]:
    results = []
    epci_scope = scope.groupby(territory.communes["epci"].astype(str).to_numpy()).any()
    catchment = settings.catchment_minutes
    for kind in settings.kinds("capacity"):
        band = indicator_bands()[kind]
        measured = ["places", "places_per_100_children", "capacity_unknown"]
        by_commune = _outside(places_per_100_children(territory, kind=kind, at=at), scope,
                              measured)
        by_epci = _outside(places_per_100_children(territory, kind=kind, by="epci", at=at),
                           epci_scope, measured)
        sites = in_force(territory.facilities, at)
        sites = sites[sites["kind"].isin(band.kinds) & sites["capacity"].notna()]
        fca = sens = None
        if len(sites):
            # From the origins (commune points or the cells where children live); times are
            # only compared with thresholds here: the search stops at the largest.
            cost = timer.matrix(origins.points, sites[["geometry"]], cutoff=settings.cutoff_minutes)
            supply = sites["capacity"].astype(float).set_axis(sites.index.astype(str))
            demand = origins.weights(band.children)
            fca = origins.to_communes(100 * two_step_fca(demand, supply, cost, catchment),
                                      demand)
            fca = fca.where(scope.reindex(fca.index).fillna(False))
            inside = origins.people["commune"].map(scope).fillna(False).to_numpy(bool)
            sens = sensitivity(demand.loc[inside], supply,
                               cost.loc[inside], baseline_threshold=catchment,
                               thresholds=settings.thresholds)
        results.append(CapacityResult(kind, age_text(band.ages), by_commune, by_epci, fca=fca,
                                      fca_minutes=catchment, sensitivity=sens))
    return results


def _access(territory, timer, origins, at, scope, settings) -> list[AccessResult]:
    results = []
    communes = territory.communes.loc[scope.to_numpy()]
    origins = origins.within(communes.index)
    thresholds = settings.thresholds
    for kind in settings.kinds("access"):
        points = _presence(territory, kind, at)
        if points.empty:
            continue
        near = timer.nearest(origins.points, points[["geometry"]])
        # A stop of an itinerant service stands for the service itself.
        near["destination"] = near["destination"].map(
            lambda d: points.at[d, "service_id"] if isinstance(d, str) and d in points.index  # noqa: B023
            else d)
        people, label = access_population(origins.people, kind)
        per_epci = {code: coverage(near["minutes"].loc[idx], people.loc[idx], thresholds)
                    for code, idx in people.groupby(origins.people["epci"].to_numpy())
                    .groups.items()}
        by_epci = pd.concat(per_epci, names=["epci"]) if per_epci else None
        presence = None
        if kind in settings.kinds("presence"):
            cost = timer.matrix(origins.points, points[["geometry"]],
                                cutoff=settings.cutoff_minutes)
            presence = presence_coverage(cost, people, points["days_per_month"], thresholds)
        results.append(AccessResult(kind, _per_commune(near, origins, people),
                                    coverage(near["minutes"], people, thresholds),
                                    population_label=label, by_epci=by_epci,
                                    presence=presence))
    return results


def _per_commune(near: pd.DataFrame, origins: Origins, people: pd.Series) -> pd.DataFrame:
    """Nearest service per commune: itself for commune points; for cells, the minutes
    averaged over the commune's cells weighted by ``people`` and the destination of its
    most populated cell."""
    if not origins.cells:
        return near
    minutes = origins.to_communes(near["minutes"], people)
    heaviest = origins.heaviest(people).reindex(minutes.index)
    destination = near["destination"].reindex(heaviest.to_numpy()).to_numpy()
    return pd.DataFrame({"minutes": minutes, "destination": destination}, index=minutes.index)


def _isochrones(territory, timer, at, settings) -> gpd.GeoDataFrame | None:
    """Isochrones per kind (road network only; None with straight-line times)."""
    graph = getattr(timer, "graph", None)
    if graph is None:
        return None
    from maillage.geo import isochrones

    frames = []
    open_sites = in_force(territory.facilities, at)
    fixed = open_sites[~open_sites["itinerant"].fillna(False).astype(bool)]
    for kind in settings.kinds("isochrone"):
        sites = fixed[fixed["kind"] == kind]
        if sites.empty:
            continue
        iso = isochrones(graph, sites[["geometry"]], minutes=settings.isochrone_minutes)
        iso = iso[~iso.geometry.is_empty]
        dissolved = iso.dissolve(by="minutes", as_index=False)[["minutes", "geometry"]]
        frames.append(dissolved.assign(kind=kind))
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def _scenario(territory, scenario, timer, settings, origins=None) -> ScenarioView:
    from maillage.analysis import run_scenario

    result = run_scenario(territory, scenario, timer=timer, settings=settings,
                          origins=origins)
    kind = result.scenario.indicators[0]
    rows = result.by_commune[result.by_commune["indicator"] == kind]
    states = {}
    for state in ("before", "after"):
        states[state] = pd.DataFrame({
            "places": rows[f"places_{state}"], "children": rows["children"],
            "places_per_100_children": rows[f"places_per_100_children_{state}"]})
    communes = territory.communes.loc[territory.communes.index.astype(str).isin(rows.index)]
    stops = territory.itinerant_stops
    after = result.after
    view = with_layers(territory, communes=communes, facilities=after,
                       itinerant_stops=stops[stops["service_id"].isin(after.index)])
    table = result.table().reset_index()
    shares = table["Indicateur"].str.contains("part des")
    for column in ("Avant", "Après", "Écart"):
        table[column] = table[column].astype(float).where(~shares, 100 * table[column])
    table["Indicateur"] = table["Indicateur"].where(~shares, table["Indicateur"] + " (%)")
    return ScenarioView(result.scenario.name, kind, states["before"], states["after"], table,
                        after_territory=view, description=result.scenario.description,
                        by_epci=result.by_epci)


def _parse_date(at) -> pd.Timestamp:
    """``at`` as a Timestamp (today when None); InputError when unreadable."""
    try:
        return pd.Timestamp(at or dt.date.today())
    except (ValueError, TypeError) as exc:
        raise InputError(f"date illisible : « {at} »", column="date",
                         fix="écrire la date sous la forme AAAA-MM-JJ") from exc


def build_diagnostic(territory, timer, *, at=None, scenario=None,
                     settings: DiagnosticSettings | None = None,
                     on_step: Step | None = None) -> Diagnostic:
    """Compute every indicator of the report.

    Parameters
    ----------
    territory : Territory
        Layers (``maillage.layers.load_territory``).
    timer : Timer
        Source of travel times (minutes).
    at : date-like, optional
        Facilities in force at this date (default: ``settings.date``, else today).
    scenario : path or Scenario, optional
        A scenario file to compare before/after.
    settings : DiagnosticSettings, optional
        Thresholds, catchment, kinds of each section (minutes); default
        :data:`maillage.settings.DEFAULT_SETTINGS`.
    on_step : callable, optional
        Called with each French step name.

    Returns
    -------
    Diagnostic
        Finished: every indicator, the scenario and the summary indicators (zones
        blanches, France services target, equity) are computed; the report, the maps and
        the web app only render it.
    """
    settings = DEFAULT_SETTINGS if settings is None else settings
    step = on_step or (lambda name: None)
    at = _parse_date(at if at is not None else settings.date)
    current = with_layers(territory, facilities=in_force(territory.facilities, at))
    origins = territory_origins(territory)
    scope = registry_scope(territory)
    step(STEPS[2])
    capacity = _capacity(territory, timer, origins, at, scope, settings)
    step(STEPS[3])
    access = _access(territory, timer, origins, at, scope, settings)
    step(STEPS[4])
    iso = _isochrones(territory, timer, at, settings)
    view = None
    if scenario is not None:
        step(STEPS[5])
        view = _scenario(territory, scenario, timer, settings, origins)
    notes, scope_name = [], ""
    if not scope.all():
        names = sorted(set(territory.communes.loc[scope.to_numpy(), "epci_name"]))
        scope_name = f"{territory.name} : {len(names)} EPCI du registre"
        notes.append(f"Le registre des équipements couvre {len(names)} intercommunalité(s) "
                     f"({', '.join(names)}) : ailleurs, les indicateurs sont « hors registre » "
                     "(gris hachuré), et la couverture est calculée sur ces seules communes.")
    for kind in sorted(set(settings.kinds("capacity")) | set(settings.kinds("access"))):
        silent = scope & ~registry_scope(territory, counted_kinds(kind))
        if silent.any():
            names = sorted(set(territory.communes.loc[silent.to_numpy(), "epci_name"]))
            notes.append(f"{kind_label(kind)} : aucun équipement recensé par le registre dans "
                         f"{', '.join(names)} ("
                         "si les documents sources n'en nomment pas, ce zéro est une lacune du "
                         "registre, pas forcément du territoire).")
    if iso is None:
        notes.append("Isochrones non tracées : elles demandent un réseau routier.")
    return Diagnostic(current, timer.description, bool(timer.estimated), capacity, access,
                      isochrones=iso, scenario=view, date=f"{at:%d/%m/%Y}", notes=notes,
                      scope_name=scope_name, settings=settings, origins=origins.description)


def run_diagnostic(out: str | os.PathLike, *, name: str = "lot", epci: str | None = None,
                   scenario=None, at=None, network=None, self_contained: bool = True,
                   tiles: bool | None = None, settings: DiagnosticSettings | None = None,
                   on_step: Step | None = None, facilities=None, geocode: bool = True) -> Path:
    """Load, compute and write a whole diagnostic; return the path of ``rapport.html``.

    Parameters
    ----------
    out : path
        Output folder (replaced whole, see :func:`maillage.maps.write_report`).
    name : str
        Territory (``"lot"`` or an EPCI SIREN), as :func:`maillage.layers.load_territory`.
    epci : str, optional
        Restrict to this EPCI (SIREN).
    scenario : path, optional
        Scenario file compared before/after.
    at : date-like, optional
        Facilities in force at this date (default: today).
    network : path, optional
        Road network file (GraphML, OSM, edge list) for travel times; default: the Lot's road
        graph of ``shared/data`` when present, else flagged straight-line estimates.
    self_contained : bool
        Maps open without internet (default).
    tiles : bool, optional
        OpenStreetMap tiles (default: only when not self-contained).
    settings : DiagnosticSettings, optional
        Thresholds, catchment, kinds (default :data:`maillage.settings.DEFAULT_SETTINGS`).
    on_step : callable, optional
        Called with each French step name (progress).
    facilities : path or list of paths, optional
        The planner's facility files, replacing the embedded registry.
    geocode : bool
        Place the addresses of ``facilities`` without coordinates with the Base Adresse
        Nationale (cached; offline only the cache is read), as
        :func:`maillage.layers.load_territory`.
    """
    from maillage.geo import default_timer
    from maillage.layers import load_territory
    from maillage.maps.report import write_report

    from maillage.maps.output import check_output, output_lock

    out = check_output(out)  # fail before the work, not after
    settings = DEFAULT_SETTINGS if settings is None else settings
    at = _parse_date(at if at is not None else settings.date)
    step = on_step or (lambda label: None)
    with output_lock(out):  # a second run on the same output stops now, not after the work
        step(STEPS[0])
        territory = load_territory(name, epci=epci, facilities=facilities, geocode=geocode)
        step(STEPS[1])
        timer = _network_timer(network) if network is not None else default_timer(territory)
        diag = build_diagnostic(territory, timer, at=at, scenario=scenario, settings=settings,
                                on_step=step)
        return write_report(diag, out, self_contained=self_contained, tiles=tiles, step=step)


def _network_timer(path):
    """A timer on the road network read from ``path`` (GraphML, OSM file, edge list)."""
    from maillage.geo import NetworkTimer

    return NetworkTimer.from_file(path)


def run_demo(out: str | os.PathLike = "maillage-output", *, on_step: Step | None = None,
             self_contained: bool = True) -> Path:
    """The README's first command: the Lot, its registry, and the Calamane scenario."""
    return run_diagnostic(out, scenario=demo_scenario_path(), on_step=on_step,
                          self_contained=self_contained)
