"""Cutting a compiled road graph into partitions with a halo, for runs one partition at a time.

A partition is a zone (a département) whose origins are timed on the part of the graph within
``halo`` metres of the zone: every trip of at most ``minutes`` that starts in the zone stays in
it. The halo is derived, not guessed: :func:`max_straight_speed_kmh` reads from the graph the
fastest straight-line speed any arc allows (its straight length over its time), so a path of
``t`` minutes never ends further than ``t`` × that speed from its start (the access legs run at
a slower speed still). Times computed on the partition's subgraph are then those of the whole
graph, bit for bit: the same path, the same additions in the same order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from maillage.errors import InputError

from .engine import RoadGraph, road_graph_of
from .routing import _pairs_within
from .snapping import ACCESS_SPEED_KMH

#: Relative widening of a buffer polygon: shapely approximates the buffer's round corners by
#: chords (16 per quarter circle), which lie inside the exact buffer by at most 1 - cos(π/64)
#: ≈ 0.12 %; 0.2 % more (and one metre) keeps the polygon outside the exact buffer.
BUFFER_SLACK = 1.002


def subgraph(road: RoadGraph, keep) -> RoadGraph:
    """The part of a compiled graph on the nodes ``keep`` (arcs between kept nodes only).

    Parameters
    ----------
    road : RoadGraph
        Compiled graph.
    keep : array of bool
        One flag per node.

    Returns
    -------
    RoadGraph
        Same node ids and arc weights (copied exactly); components recomputed on the part.

    Examples
    --------
    >>> from maillage.geo import synthetic_road_graph
    >>> road = synthetic_road_graph((560_000, 6_360_000, 570_000, 6_370_000), spacing_m=2000)
    >>> subgraph(road, road.node_ids < 12).n_nodes
    12
    """
    keep = np.asarray(keep, bool)
    index = np.flatnonzero(keep)
    matrix = road.matrix[index][:, index].tocsr()
    matrix.sort_indices()
    return road_graph_of(road.node_ids[index], road.lon[index], road.lat[index], road.x[index],
                   road.y[index], matrix, road.weight)


def max_straight_speed_kmh(road: RoadGraph) -> float:
    """The fastest straight-line speed an arc of the graph allows, km/h.

    Straight-line length (EPSG:2154) of each arc over its time. A path taking ``t`` seconds
    never ends further than ``t`` × this speed from where it started.

    Parameters
    ----------
    road : RoadGraph
        Compiled graph (weights in seconds).

    Returns
    -------
    float
        Speed, km/h (0 for a graph without arcs of positive length).

    Examples
    --------
    >>> from maillage.geo import synthetic_road_graph
    >>> road = synthetic_road_graph((560_000, 6_360_000, 570_000, 6_370_000), spacing_m=2000)
    >>> round(max_straight_speed_kmh(road), 1)  # 110 km/h roads with bends × 1.2
    91.7
    """
    coo = road.matrix.tocoo()
    metres = np.hypot(road.x[coo.row] - road.x[coo.col], road.y[coo.row] - road.y[coo.col])
    moving = metres > 0
    if not moving.any():
        return 0.0
    if (coo.data[moving] <= 0).any():
        return float("inf")
    return float((metres[moving] / coo.data[moving]).max() * 3.6)


def halo_metres(minutes: float, road: RoadGraph | None = None, *,
                max_speed_kmh: float | None = None,
                access_speed_kmh: float = ACCESS_SPEED_KMH) -> float:
    """How far from a zone a trip of at most ``minutes`` can end, metres.

    ``minutes`` × the fastest straight-line speed of the graph (or ``max_speed_kmh``) and of
    the access legs: a conservative bound (the trip would have to run straight, at top speed,
    all the way).

    Parameters
    ----------
    minutes : float
        Largest threshold of the run, minutes.
    road : RoadGraph, optional
        The graph whose top straight-line speed is read (:func:`max_straight_speed_kmh`).
    max_speed_kmh : float, optional
        Top speed, km/h, when no graph is given (or to bound it from above).
    access_speed_kmh : float
        Speed of the straight access legs, km/h.

    Returns
    -------
    float
        Metres.

    Raises
    ------
    InputError
        Neither a graph nor a speed, or a non-positive threshold.

    Examples
    --------
    >>> round(halo_metres(30, max_speed_kmh=110))
    55000
    """
    if isinstance(minutes, bool) or not np.isfinite(minutes) or minutes <= 0:
        raise InputError(f"seuil de {minutes!r} minutes invalide",
                         fix="donner un seuil positif, en minutes")
    speeds = [access_speed_kmh]
    if road is not None:
        speeds.append(max_straight_speed_kmh(road))
    if max_speed_kmh is not None:
        speeds.append(float(max_speed_kmh))
    elif road is None:
        raise InputError("vitesse maximale inconnue pour le halo",
                         fix="donner le graphe ou max_speed_kmh (km/h)")
    return float(minutes / 60.0 * max(speeds) * 1000.0)


def within_halo(zone, halo_m: float, x_m, y_m) -> np.ndarray:
    """Which points lie within ``halo_m`` of a zone (conservatively), as booleans.

    Parameters
    ----------
    zone : shapely geometry
        The zone, EPSG:2154 (metres).
    halo_m : float
        Halo width, metres.
    x_m, y_m : array of float
        Points, EPSG:2154 (metres).

    Returns
    -------
    numpy.ndarray of bool
        True within the buffer (widened by :data:`BUFFER_SLACK` and one metre, so that no
        point of the exact buffer is left out).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> within_halo(Point(0, 0), 1000, [500, 2000], [0, 0]).tolist()
    [True, False]
    """
    area = shapely.buffer(zone, halo_m * BUFFER_SLACK + 1.0, quad_segs=16)
    shapely.prepare(area)
    return shapely.contains_xy(area, np.asarray(x_m, float), np.asarray(y_m, float)) | \
        shapely.intersects_xy(area, np.asarray(x_m, float), np.asarray(y_m, float))


def pairs_within(graph, origins, destinations, minutes: float, *,
                 max_cells: int = 16 * 1024**2, **options) -> pd.DataFrame:
    """Every origin–destination pair within ``minutes``, in long format (sparse).

    The dense matrix is never made: bounded searches (``cutoff``) run from the side with fewer
    distinct nodes, a block of searches at a time (at most ``max_cells`` values), and only the
    nodes reached within the threshold are turned into pairs of points. The pairs and their
    minutes are exactly the finite cells of
    ``travel_time_matrix(graph, origins, destinations, cutoff=minutes)``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or RoadGraph
        Road graph (see :func:`maillage.geo.travel_time_matrix`).
    origins, destinations : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS; index = ids.
    minutes : float
        Threshold, minutes (inclusive).
    max_cells : int
        Largest block of search results, in values (searches × graph nodes; 8 bytes each).
    **options
        As for :func:`maillage.geo.travel_time_matrix`: ``weight``, ``max_snap_m``,
        ``access_speed_kmh``, ``check_components``, ``workers`` (processes sharing the
        searches; same pairs bit for bit).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin``, ``destination`` (ids as strings) and ``minutes`` (float64),
        ordered by origin (input order) then destination (input order).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import networkx as nx
    >>> from shapely.geometry import Point
    >>> graph = nx.MultiDiGraph(crs="EPSG:4326")
    >>> graph.add_nodes_from([(1, {"x": 1.44, "y": 44.45}), (2, {"x": 1.40, "y": 44.53}),
    ...                       (3, {"x": 1.33, "y": 44.56})])
    >>> for u, v, seconds in [(1, 2, 600.0), (2, 3, 480.0)]:
    ...     _ = graph.add_edge(u, v, travel_time=seconds), graph.add_edge(v, u, travel_time=seconds)
    >>> villages = gpd.GeoSeries([Point(1.44, 44.45), Point(1.33, 44.56)], index=["Cahors", "Catus"],
    ...                          crs="EPSG:4326")
    >>> alsh = gpd.GeoSeries([Point(1.40, 44.53)], index=["Calamane"], crs="EPSG:4326")
    >>> pairs_within(graph, villages, alsh, 9, check_components=False)
      origin destination  minutes
    0  Catus    Calamane      8.0
    """
    if isinstance(max_cells, bool) or not isinstance(max_cells, (int, np.integer)) \
            or max_cells < 1:
        raise InputError(f"« max_cells » = {max_cells!r} invalide", fix="donner un entier ≥ 1")
    rows, cols, values = _pairs_within(graph, origins, destinations, minutes,
                                       max_cells=int(max_cells), **options)
    return pd.DataFrame({"origin": _labels(origins.index, rows),
                         "destination": _labels(destinations.index, cols),
                         "minutes": values})


def _labels(index: pd.Index, positions: np.ndarray):
    """``index[positions]`` as strings, gathered by Arrow when pandas stores strings there."""
    labels = index.astype(str).to_numpy()
    if pd.StringDtype().storage == "pyarrow":
        import pyarrow as pa

        return pd.array(pa.array(labels, type=pa.large_string()).take(positions), dtype="str")
    return pd.array(labels[positions], dtype="str")
