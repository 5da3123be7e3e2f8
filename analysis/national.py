"""Access indicators computed one partition (département) at a time, then merged.

A territory too large for one run is cut into partitions, one per département: each holds the
département's origins, the road graph within a halo around them and the services within the
same halo (:func:`make_partitions`). The halo is as wide as the largest threshold allows a
trip to go (:func:`maillage.geo.halo_metres`), so a partition's times are those of the whole
territory, bit for bit, up to that threshold; beyond it a time is ``inf`` (« au-delà »).
:func:`run_partition` is the task a scheduler (Dask, or a plain loop) runs on each partition;
:func:`merge_partitions` and :func:`indicators_by` bring the per-origin results back to
communes, EPCIs or départements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.errors import InputError
from maillage.geo import (
    RoadGraph,
    halo_metres,
    nearest,
    pairs_within,
    subgraph,
    synthetic_road_graph,
    within_halo,
)
from maillage.geo.snapping import MAX_SNAP_M
from maillage.settings import METRIC_CRS

#: Columns every origin table must have (besides the Point geometry).
ORIGIN_COLUMNS = ("commune", "departement", "epci", "population")


@dataclass
class Partition:
    """One unit of work: origins, the road graph around them and the services in reach.

    Attributes
    ----------
    name : str
        Partition name (a département code).
    origins : geopandas.GeoDataFrame
        Index = origin id (str); ``commune``, ``departement``, ``epci``, ``population``
        (inhabitants, NaN = unknown), Point geometry.
    services : dict of str to geopandas.GeoDataFrame
        Per service kind, the sites within the halo (index = site id), in the order of the
        whole list.
    road : RoadGraph
        The graph within the halo (plus the largest snap distance).
    minutes : float
        The largest threshold, minutes: times beyond it are ``inf``.
    halo_m : float
        Halo width, metres.
    pairs_kinds : tuple of str
        Kinds whose origin–site pairs within ``minutes`` are listed (long format).

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> parts = make_partitions(road, origins, services, 15)
    >>> [(p.name, len(p.origins), p.road.n_nodes, round(p.halo_m)) for p in parts]
    [('01', 3, 241, 22917), ('02', 3, 275, 22917)]
    """

    name: str
    origins: gpd.GeoDataFrame
    services: dict[str, gpd.GeoDataFrame]
    road: RoadGraph
    minutes: float
    halo_m: float
    pairs_kinds: tuple[str, ...] = ()


@dataclass
class PartitionResult:
    """What one partition gives back.

    Attributes
    ----------
    name : str
        Partition name.
    table : pandas.DataFrame
        One row per origin (index = origin id): the ``ORIGIN_COLUMNS``, then per kind
        ``minutes_<kind>`` (to the nearest site, minutes, ``inf`` beyond the threshold),
        ``nearest_<kind>`` (site id) and, for the kinds of ``pairs_kinds``, ``within_<kind>``
        (number of sites within the threshold).
    pairs : dict of str to pandas.DataFrame
        Per kind of ``pairs_kinds``, the pairs within the threshold (``origin``,
        ``destination``, ``minutes``); emptied when they were written elsewhere.
    seconds : dict of str to float
        Wall-clock time of each step, seconds.
    sizes : dict of str to int
        ``nodes``, ``arcs``, ``origins``, ``sites``, ``pairs`` of the partition.

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> first = make_partitions(road, origins, services, 15, pairs_kinds=["france_services"])[0]
    >>> result = run_partition(first)
    >>> result.pairs["france_services"].round(1)
      origin destination  minutes
    0     o1        fs-1      9.0
    1     o2        fs-1     13.9
    >>> result.sizes["nodes"], result.sizes["pairs"]
    (241, 2)
    """

    name: str
    table: pd.DataFrame
    pairs: dict[str, pd.DataFrame] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)


def example_territory() -> tuple[RoadGraph, gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """A small territory to try the partitioned run on: graph, origins and services.

    A synthetic road graph of 80 km × 20 km (:func:`maillage.geo.synthetic_road_graph`, 2 km
    step, seed 15; not real roads) near Cahors, six origins in two made-up départements
    (``01``, with population, and ``02``, population unknown), two France services and three
    EAJE.

    Returns
    -------
    tuple of (RoadGraph, geopandas.GeoDataFrame, dict of str to geopandas.GeoDataFrame)
        ``road``, ``origins`` (see :class:`Partition`; index ``o1`` … ``o6``) and
        ``services`` (``france_services``, ``eaje``).

    Examples
    --------
    >>> road, origins, services = example_territory()
    >>> road.n_nodes, len(origins), {kind: len(s) for kind, s in services.items()}
    (451, 6, {'france_services': 2, 'eaje': 3})
    """
    from pyproj import Transformer

    road = synthetic_road_graph((560_000, 6_360_000, 640_000, 6_380_000), spacing_m=2000,
                                seed=15)
    to_degrees = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

    def points(xy, index, **columns):
        lon, lat = to_degrees.transform(*np.array(xy, float).T)
        return gpd.GeoDataFrame(columns, index=pd.Index(index, dtype="str"), crs="EPSG:4326",
                                geometry=gpd.points_from_xy(lon, lat))

    origins = points([(563_000, 6_365_000), (570_000, 6_372_000), (577_000, 6_377_000),
                      (618_000, 6_366_000), (626_000, 6_374_000), (637_000, 6_362_000)],
                     ["o1", "o2", "o3", "o4", "o5", "o6"],
                     commune=["01001", "01002", "01003", "02001", "02002", "02003"],
                     departement=["01", "01", "01", "02", "02", "02"],
                     epci=pd.array(["e1", "e1", "e1", None, None, None], dtype="str"),
                     population=[1200.0, 300.0, 80.0, np.nan, np.nan, np.nan])
    services = {"france_services": points([(566_000, 6_366_000), (628_000, 6_372_000)],
                                          ["fs-1", "fs-2"]),
                "eaje": points([(564_000, 6_366_000), (575_000, 6_375_000),
                                (636_000, 6_363_000)], ["eaje-1", "eaje-2", "eaje-3"])}
    return road, origins, services


def _metric_xy(points) -> tuple[np.ndarray, np.ndarray]:
    metric = points.geometry.to_crs(METRIC_CRS)
    return metric.x.to_numpy(), metric.y.to_numpy()


def _check_origins(origins) -> None:
    if not isinstance(origins, gpd.GeoDataFrame) or origins.crs is None:
        raise InputError("les origines doivent être un GeoDataFrame de points avec un CRS",
                         fix="construire les points avec geopandas.points_from_xy(…, crs=…)")
    missing = [c for c in ORIGIN_COLUMNS if c not in origins.columns]
    if missing:
        raise InputError(f"colonnes absentes des origines : {', '.join(missing)}",
                         fix="donner commune, departement, epci et population par origine")
    if not origins.index.is_unique:
        raise InputError("identifiants d'origine en double",
                         fix="donner un identifiant unique par origine (index)")


def make_partitions(road: RoadGraph, origins: gpd.GeoDataFrame,
                    services: dict[str, gpd.GeoDataFrame], minutes: float, *,
                    by: str = "departement", pairs_kinds=(),
                    max_snap_m: float = MAX_SNAP_M) -> list[Partition]:
    """Cut a territory into partitions (one per value of ``by``), each with its halo.

    The halo is :func:`maillage.geo.halo_metres` of ``minutes`` on ``road``: every trip of at
    most ``minutes`` starting at an origin of the partition ends within it. The partition keeps
    the sites within the halo of its origins' convex hull, and the graph nodes within the halo
    plus ``max_snap_m`` (so that each kept site snaps to the node it snaps to in the whole
    graph).

    Parameters
    ----------
    road : RoadGraph
        The whole compiled graph.
    origins : geopandas.GeoDataFrame
        Origins (see :class:`Partition`).
    services : dict of str to geopandas.GeoDataFrame
        Per kind, every site (Point geometry, index = site id).
    minutes : float
        The largest threshold, minutes.
    by : str
        Origin column naming the partition.
    pairs_kinds : iterable of str
        Kinds whose pairs within ``minutes`` are listed.
    max_snap_m : float
        Largest snap distance, metres.

    Returns
    -------
    list of Partition
        In the order of the ``by`` values (sorted).

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> parts = make_partitions(road, origins, services, 15)
    >>> [(p.name, p.road.n_nodes, list(p.services["eaje"].index)) for p in parts]
    [('01', 241, ['eaje-1', 'eaje-2']), ('02', 275, ['eaje-3'])]
    """
    _check_origins(origins)
    halo = halo_metres(minutes, road)
    origins = origins.copy()
    origins.index = origins.index.astype(str)
    ox, oy = _metric_xy(origins)
    site_xy = {kind: _metric_xy(sites) for kind, sites in services.items()}
    partitions = []
    for name, rows in origins.groupby(origins[by].astype(str), sort=True).indices.items():
        hull = gpd.points_from_xy(ox[rows], oy[rows]).union_all().convex_hull
        keep_nodes = within_halo(hull, halo + max_snap_m, road.x, road.y)
        near = {kind: sites.iloc[np.flatnonzero(within_halo(hull, halo, *site_xy[kind]))]
                for kind, sites in services.items()}
        partitions.append(Partition(str(name), origins.iloc[rows], near,
                                    subgraph(road, keep_nodes), float(minutes), halo,
                                    tuple(pairs_kinds)))
    return partitions


def whole_territory(road: RoadGraph, origins: gpd.GeoDataFrame,
                    services: dict[str, gpd.GeoDataFrame], minutes: float, *,
                    pairs_kinds=()) -> Partition:
    """The whole territory as one partition (the single-process reference).

    Parameters
    ----------
    road : RoadGraph
        The whole compiled graph.
    origins : geopandas.GeoDataFrame
        Every origin (see :class:`Partition`).
    services : dict of str to geopandas.GeoDataFrame
        Per kind, every site.
    minutes : float
        The largest threshold, minutes.
    pairs_kinds : iterable of str
        Kinds whose pairs within ``minutes`` are listed.

    Returns
    -------
    Partition
        Named ``"ensemble"``, with the whole graph and every site.

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> parts = make_partitions(road, origins, services, 15)
    >>> whole = run_partition(whole_territory(road, origins, services, 15))
    >>> merge_partitions([run_partition(p) for p in parts]).equals(whole.table)
    True
    """
    _check_origins(origins)
    origins = origins.copy()
    origins.index = origins.index.astype(str)
    return Partition("ensemble", origins, dict(services), road, float(minutes), float("inf"),
                     tuple(pairs_kinds))


def run_partition(partition: Partition) -> PartitionResult:
    """Time the origins of one partition to its services and list the pairs within reach.

    Per kind: time to the nearest site (one bounded search, :func:`maillage.geo.nearest`)
    and, for ``pairs_kinds``, every pair within the threshold
    (:func:`maillage.geo.pairs_within`). Points are not checked against cut-off parts of the
    graph (a partition's edge is not a cut): unreachable gives ``inf``.

    Parameters
    ----------
    partition : Partition
        The unit of work.

    Returns
    -------
    PartitionResult
        Per-origin table, pairs, timings (seconds) and sizes.

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> first = make_partitions(road, origins, services, 15)[0]
    >>> table = run_partition(first).table
    >>> table[["minutes_france_services", "nearest_france_services"]].round(1)
        minutes_france_services nearest_france_services
    o1                      9.0                    fs-1
    o2                     13.9                    fs-1
    o3                      inf                     NaN
    """
    started = time.perf_counter()
    origins = partition.origins
    table = pd.DataFrame(origins[list(ORIGIN_COLUMNS)].copy())
    seconds, pairs = {}, {}
    for kind, sites in partition.services.items():
        clock = time.perf_counter()
        if len(sites) and len(origins):
            near = nearest(partition.road, origins, sites[["geometry"]],
                           cutoff=partition.minutes, check_components=False)
            table[f"minutes_{kind}"] = near["minutes"].to_numpy()
            table[f"nearest_{kind}"] = near["destination"].astype("str").to_numpy()
        else:
            table[f"minutes_{kind}"] = np.inf
            table[f"nearest_{kind}"] = pd.Series(pd.NA, index=table.index, dtype="str")
        seconds[f"nearest_{kind}"] = time.perf_counter() - clock
        if kind in partition.pairs_kinds:
            clock = time.perf_counter()
            if len(sites) and len(origins):
                found = pairs_within(partition.road, origins, sites[["geometry"]],
                                     partition.minutes, check_components=False)
            else:
                found = pd.DataFrame({"origin": pd.Series(dtype="str"),
                                      "destination": pd.Series(dtype="str"),
                                      "minutes": pd.Series(dtype=float)})
            pairs[kind] = found
            counts = found["origin"].value_counts()
            table[f"within_{kind}"] = counts.reindex(table.index).fillna(0).astype(np.int64)
            seconds[f"pairs_{kind}"] = time.perf_counter() - clock
    seconds["total"] = time.perf_counter() - started
    sizes = {"nodes": partition.road.n_nodes, "arcs": int(partition.road.matrix.nnz),
             "origins": len(origins),
             "sites": int(sum(len(s) for s in partition.services.values())),
             "pairs": int(sum(len(p) for p in pairs.values()))}
    return PartitionResult(partition.name, table, pairs, seconds, sizes)


def merge_partitions(results) -> pd.DataFrame:
    """The per-origin tables of several partitions as one, in origin id order.

    Parameters
    ----------
    results : iterable of PartitionResult
        One per partition (any order: Dask returns them as they finish).

    Returns
    -------
    pandas.DataFrame
        Every origin once, sorted by origin id.

    Raises
    ------
    InputError
        An origin appears in two partitions.

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> parts = make_partitions(road, origins, services, 15)
    >>> table = merge_partitions([run_partition(p) for p in reversed(parts)])
    >>> table["minutes_eaje"].round(1).to_dict()
    {'o1': 6.6, 'o2': inf, 'o3': 10.8, 'o4': inf, 'o5': inf, 'o6': 4.2}
    """
    tables = [r.table for r in results]
    if not tables:
        return pd.DataFrame()
    merged = pd.concat(tables)
    if not merged.index.is_unique:
        twice = merged.index[merged.index.duplicated()][:5]
        raise InputError(f"origines présentes dans deux partitions : {', '.join(twice)}",
                         fix="partitionner sur une colonne qui donne une seule partition "
                             "par origine")
    return merged.sort_index(kind="stable")


def indicators_by(table: pd.DataFrame, by: str, kinds, minutes: float) -> pd.DataFrame:
    """Access indicators per commune, EPCI or département from the per-origin table.

    Each origin weighs its ``population``; where it is unknown (NaN) every origin weighs 1
    and ``population_known`` is False (the share is then a share of origins, e.g. of
    commune points).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`merge_partitions` output.
    by : str
        Column to group by (``commune``, ``epci``, ``departement``).
    kinds : iterable of str
        Service kinds of the table.
    minutes : float
        Threshold of the shares, minutes (inclusive).

    Returns
    -------
    pandas.DataFrame
        Index = ``by`` values; ``origins``, ``population_known``, ``population``
        (inhabitants, NaN unless every origin's is known); per kind ``share_<kind>``
        (share of the weight within ``minutes``, 0–1), ``minutes_<kind>`` (weighted
        mean time to the nearest site, minutes; ``inf`` when some origin is beyond the
        threshold, whose time is then unknown) and ``minutes_within_<kind>`` (the same mean
        over the origins within the threshold only, minutes; NaN when none is).

    Examples
    --------
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> parts = make_partitions(road, origins, services, 15)
    >>> table = merge_partitions([run_partition(p) for p in parts])
    >>> by_dep = indicators_by(table, "departement", ["france_services"], 15)
    >>> by_dep[["population_known", "population", "share_france_services"]].round(3)
                 population_known  population  share_france_services
    departement
    01                       True      1580.0                  0.949
    02                      False         NaN                  0.333
    """
    known = table["population"].notna()
    weight = table["population"].astype(float).where(known, 1.0)
    groups = table[by].astype("str")
    frame = pd.DataFrame({"origins": groups.groupby(groups).size()})
    frame["population_known"] = known.groupby(groups).all()
    population = table["population"].astype(float).fillna(0).groupby(groups).sum()
    frame["population"] = population.where(frame["population_known"])
    total = weight.groupby(groups).sum()
    for kind in kinds:
        time_ = table[f"minutes_{kind}"].astype(float)
        inside = weight.where(time_ <= minutes, 0.0)
        frame[f"share_{kind}"] = (inside.groupby(groups).sum() / total).where(total > 0)
        finite = np.isfinite(time_)
        mean = (time_.where(finite, 0.0) * weight).groupby(groups).sum() / total
        frame[f"minutes_{kind}"] = mean.where(finite.groupby(groups).all(), np.inf)
        inside_total = inside.groupby(groups).sum()
        within = (time_.where(time_ <= minutes, 0.0) * inside).groupby(groups).sum()
        frame[f"minutes_within_{kind}"] = (within / inside_total).where(inside_total > 0)
    frame.index.name = by
    return frame
