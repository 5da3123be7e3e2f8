"""Travel-time matrices and nearest-destination times on a road graph (minutes).

Times are snapped-point to snapped-point: origin access leg + network time + destination
access leg. Two points closer to each other than to the network (straight-line distance at most
the sum of their snap distances) may instead make the trip off the network, in a straight line
at the access speed: a facility at a commune's own point is 0 minutes away, not two access legs.
Diagnostics of every snap are attached to the result (``attrs["snapping"]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .engine import compile_graph
from .snapping import ACCESS_SPEED_KMH, MAX_SNAP_M, snap


def travel_time_matrix(
    graph,
    origins,
    destinations,
    weight: str = "travel_time",
    cutoff: float | None = None,
    *,
    max_snap_m: float = MAX_SNAP_M,
    access_speed_kmh: float = ACCESS_SPEED_KMH,
    check_components: bool = True,
    workers: int | None = None,
) -> pd.DataFrame:
    """Travel times from every origin to every destination, minutes.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or RoadGraph
        Road graph as osmnx returns it (node ``x``/``y`` in degrees, edge weight in seconds),
        or a graph compiled with :func:`compile_graph`.
    origins, destinations : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS; their index gives the row and column labels.
    weight : str
        Edge attribute, seconds (``travel_time``).
    cutoff : float, optional
        Times above this many minutes are ``inf``.
    max_snap_m : float
        Points further than this from the network are refused, metres.
    access_speed_kmh : float
        Straight-line speed between a point and its snapped node, km/h.
    check_components : bool
        Refuse points snapped to a part of the network cut off from the rest.
    workers : int, optional
        Processes running the Dijkstra searches (the graph in shared memory; same result bit
        for bit). Default: 1 for small problems, every core for large ones.

    Returns
    -------
    pandas.DataFrame
        Minutes; index = origins' index, columns = destinations' index; ``inf`` where
        unreachable or beyond ``cutoff``. ``attrs["snapping"]`` is a DataFrame with one row per
        point: ``id``, ``role``, ``node_id``, ``snap_m`` (metres), ``access_min`` (minutes).
        An origin and a destination at the same place are 0 minutes apart, never NaN.

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
    >>> travel_time_matrix(graph, villages, alsh, check_components=False)
            Calamane
    Cahors      10.0
    Catus        8.0
    """
    road, orig, dest = _snap_both(
        graph, weight, origins, destinations, max_snap_m, access_speed_kmh, check_components
    )
    limit = np.inf if cutoff is None else cutoff * 60.0
    o_node, d_node = orig["node"].to_numpy(), dest["node"].to_numpy()
    o_access, d_access = orig["access_min"].to_numpy(), dest["access_min"].to_numpy()
    o_nodes, o_pos = _unique_in_order(o_node)
    d_nodes, d_pos = _unique_in_order(d_node)
    # One Dijkstra per unique node of the smaller side (from the destinations on the reversed
    # graph when they are fewer). The table is built C-ordered with that side as rows, so
    # that every step below reads and writes it row by row; the frame takes it as it is.
    reverse = len(d_nodes) < len(o_nodes)
    if reverse:
        table = _minutes_table(road, d_nodes, d_pos, o_node, limit, d_access, o_access, cutoff,
                               reverse=True, workers=workers)
    else:
        table = _minutes_table(road, o_nodes, o_pos, d_node, limit, o_access, d_access, cutoff,
                               reverse=False, workers=workers)
    rows, cols, local = _local_trips(orig, dest, access_speed_kmh)
    if cutoff is not None:
        local = np.where(local > cutoff, np.inf, local)
    if reverse:
        table[cols, rows] = np.minimum(table[cols, rows], local)
    else:
        table[rows, cols] = np.minimum(table[rows, cols], local)
    result = pd.DataFrame(
        table.T if reverse else table, index=orig.index.copy(), columns=dest.index.copy(),
        copy=False,
    )
    result.attrs["snapping"] = _diagnostics(orig, dest)
    return result


def _unique_in_order(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique values in order of first appearance, and each element's position among them.

    When all values are distinct the positions are ``0 … n - 1`` (no gather needed).
    """
    unique, first, inverse = np.unique(nodes, return_index=True, return_inverse=True)
    if len(unique) == len(nodes):
        return nodes, np.arange(len(nodes))
    order = np.argsort(first)
    rank = np.empty(len(unique), dtype=np.int64)
    rank[order] = np.arange(len(unique))
    return unique[order], rank[inverse.ravel()]


#: Elements of the result processed at once (in cache), for the in-place arithmetic.
_CHUNK = 1 << 13


def _minutes_table(
    road, sources, positions, targets, limit, row_access, col_access, cutoff, *, reverse,
    workers=None,
) -> np.ndarray:
    """Minutes, ``len(positions) × len(targets)``, C-ordered: network time + both access legs.

    Row ``i`` is the Dijkstra run from ``sources[positions[i]]`` (on the reversed graph when
    ``reverse``) read at every target node, in minutes, plus ``row_access[i] + col_access[j]``;
    ``inf`` beyond ``cutoff`` (minutes). The same operations, in the same order, as
    ``seconds / 60 + (a_row + a_col)`` over the whole matrix, but a few rows at a time: the
    Dijkstra rows are gathered straight into the result and no temporary exceeds a chunk.
    """
    table = np.empty((len(positions), len(targets)))
    identity = len(positions) == len(sources)  # one row per source, in order
    unique = table if identity else np.empty((len(sources), len(targets)))
    road.times(sources, targets, limit=limit, reverse=reverse, out=unique, workers=workers)
    step = max(1, _CHUNK // max(table.shape[1], 1))
    for start in range(0, table.shape[0], step):
        part = table[start : start + step]
        if not identity:
            np.take(unique, positions[start : start + step], axis=0, out=part, mode="clip")
        np.divide(part, 60.0, out=part)
        part += row_access[start : start + step, None] + col_access[None, :]
        if cutoff is not None:
            np.putmask(part, part > cutoff, np.inf)
    return table


def nearest(
    graph,
    origins,
    destinations,
    cutoff: float | None = None,
    *,
    weight: str = "travel_time",
    max_snap_m: float = MAX_SNAP_M,
    access_speed_kmh: float = ACCESS_SPEED_KMH,
    check_components: bool = True,
) -> pd.DataFrame:
    """Time from each origin to its nearest destination, in one Dijkstra pass.

    The destinations become one virtual source joined to their snapped nodes by their access
    legs; a single run on the reversed graph gives every origin its nearest destination.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or RoadGraph
        Road graph (see :func:`travel_time_matrix`).
    origins, destinations : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS, index = ids.
    cutoff : float, optional
        Beyond this many minutes: ``minutes`` = ``inf`` and ``destination`` = missing.
    weight : str
        Edge attribute, seconds (``travel_time``).
    max_snap_m : float
        Points further than this from the network are refused, metres.
    access_speed_kmh : float
        Straight-line speed between a point and its snapped node, km/h.
    check_components : bool
        Refuse points snapped to a part of the network cut off from the rest.

    Returns
    -------
    pandas.DataFrame
        Index = origins' index; ``minutes`` (float, minutes), ``destination`` (id of the
        nearest destination, missing when none is reachable), ``snap_m`` (origin snap,
        metres), ``access_min`` (origin access leg, minutes). ``attrs["snapping"]`` as in
        :func:`travel_time_matrix`.

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
    >>> nearest(graph, villages, alsh, check_components=False)[["minutes", "destination"]]
            minutes destination
    Cahors     10.0    Calamane
    Catus       8.0    Calamane
    """
    road, orig, dest = _snap_both(
        graph, weight, origins, destinations, max_snap_m, access_speed_kmh, check_components
    )
    # Per node, the destination with the shortest access leg (ties: first in input order),
    # in order of access leg.
    d_node, d_access = dest["node"].to_numpy(), dest["access_min"].to_numpy()
    by_access = np.argsort(d_access, kind="stable")
    _, first = np.unique(d_node[by_access], return_index=True)
    best = by_access[np.sort(first)]
    limit = np.inf if cutoff is None else cutoff * 60.0
    seconds, start = road.nearest_seconds(d_node[best], d_access[best] * 60.0, limit=limit)
    nodes = orig["node"].to_numpy()
    minutes = seconds[nodes] / 60.0 + orig["access_min"].to_numpy()
    chosen = start[nodes]
    found = np.isfinite(minutes) & (chosen >= 0)
    winner = np.full(len(nodes), -1, dtype=np.int64)  # position of the nearest destination
    winner[found] = best[chosen[found]]
    rows, cols, local = _local_trips(orig, dest, access_speed_kmh)
    if len(local):  # the shortest off-network trip of each origin, where it beats the network
        order = np.lexsort((local, rows))
        rows, cols, local = rows[order], cols[order], local[order]
        first = np.r_[True, rows[1:] != rows[:-1]]
        rows, cols, local = rows[first], cols[first], local[first]
        better = local < np.where(found[rows], minutes[rows], np.inf)
        rows, cols, local = rows[better], cols[better], local[better]
        minutes[rows] = local
        found[rows] = True
        winner[rows] = cols
    if cutoff is not None:
        found &= minutes <= cutoff
    names = np.full(len(nodes), pd.NA, dtype=object)
    names[found] = dest.index.to_numpy()[winner[found]]
    result = pd.DataFrame(
        {
            "minutes": np.where(found, minutes, np.inf),
            "destination": names,
            "snap_m": orig["snap_m"].to_numpy(),
            "access_min": orig["access_min"].to_numpy(),
        },
        index=orig.index.copy(),
    )
    result.attrs["snapping"] = _diagnostics(orig, dest)
    return result


def _local_trips(orig: pd.DataFrame, dest: pd.DataFrame, access_speed_kmh: float):
    """Off-network trips between points closer to each other than to the network.

    Returns positional ``rows``, ``cols`` and straight-line ``minutes`` at the access speed for
    every pair whose distance is at most the sum of the two snap distances.
    """
    o_snap, d_snap = orig["snap_m"].to_numpy(), dest["snap_m"].to_numpy()
    reach = float(o_snap.max() + d_snap.max()) if len(orig) and len(dest) else 0.0
    tree_o = cKDTree(np.column_stack([orig["x_m"].to_numpy(), orig["y_m"].to_numpy()]))
    tree_d = cKDTree(np.column_stack([dest["x_m"].to_numpy(), dest["y_m"].to_numpy()]))
    pairs = tree_o.sparse_distance_matrix(tree_d, reach, output_type="ndarray")
    rows, cols, metres = pairs["i"], pairs["j"], pairs["v"]
    keep = metres <= o_snap[rows] + d_snap[cols]
    return rows[keep], cols[keep], metres[keep] / (access_speed_kmh / 3.6) / 60.0


def _snap_both(
    graph, weight, origins, destinations, max_snap_m, access_speed_kmh, check_components
):
    """Compile the graph and snap both point sets (diagnostics tables)."""
    road = compile_graph(graph, weight)
    options = dict(
        max_snap_m=max_snap_m, access_speed_kmh=access_speed_kmh, check_components=check_components
    )
    return (
        road,
        snap(road, origins, role="origine", **options),
        snap(road, destinations, role="destination", **options),
    )


def _diagnostics(orig: pd.DataFrame, dest: pd.DataFrame) -> pd.DataFrame:
    columns = ["role", "node_id", "snap_m", "access_min"]
    return pd.concat([orig[columns], dest[columns]]).reset_index(names="id")
