"""Travel-time matrices and nearest-destination times on a road graph (minutes).

Times are snapped-point to snapped-point: origin access leg + network time + destination
access leg. Two points closer to each other than to the network (straight-line distance at most
the sum of their snap distances) may instead make the trip off the network, in a straight line
at the access speed: a facility at a commune's own point is 0 minutes away, not two access legs.
Diagnostics of every snap are attached to the result (``attrs["snapping"]``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ._parallel import default_workers
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
    # The table is built C-ordered with the searched side as rows, so that every step below
    # reads and writes it row by row; the frame takes it as it is (transposed when reversed).
    side = _search_side(orig, dest)
    reverse = side.reverse
    table = _minutes_table(road, side, limit, cutoff, workers=workers)
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


class _Side(NamedTuple):
    """Which side the Dijkstra searches run from, and both sides' arrays.

    ``sources`` are the searched side's unique nodes in order of first appearance,
    ``positions`` each of its points' source; ``other_node`` the other side's point nodes;
    accesses in minutes.
    """

    reverse: bool
    sources: np.ndarray
    positions: np.ndarray
    access: np.ndarray
    other_node: np.ndarray
    other_access: np.ndarray


def _search_side(orig: pd.DataFrame, dest: pd.DataFrame) -> _Side:
    """One Dijkstra per unique node of the side with fewer of them (the destinations' on the
    reversed graph when they are fewer): the choice every path makes, so that they agree
    bit for bit."""
    o_node, d_node = orig["node"].to_numpy(), dest["node"].to_numpy()
    o_access, d_access = orig["access_min"].to_numpy(), dest["access_min"].to_numpy()
    o_nodes, o_pos = _unique_in_order(o_node)
    d_nodes, d_pos = _unique_in_order(d_node)
    if len(d_nodes) < len(o_nodes):
        return _Side(True, d_nodes, d_pos, d_access, o_node, o_access)
    return _Side(False, o_nodes, o_pos, o_access, d_node, d_access)


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


def _minutes_table(road, side: _Side, limit, cutoff, *, workers=None) -> np.ndarray:
    """Minutes, searched side's points × other side's points, C-ordered.

    Row ``i`` is the Dijkstra run from ``side.sources[side.positions[i]]`` (on the reversed
    graph when ``side.reverse``) read at every node of ``side.other_node``, in minutes, plus
    ``access[i] + other_access[j]``; ``inf`` beyond ``cutoff`` (minutes). The same
    operations, in the same order, as ``seconds / 60 + (a_row + a_col)`` over the whole
    matrix, but fused a chunk of rows at a time while they are in cache. Each Dijkstra block
    is divided by 60 before the gather when it has fewer columns than the result (the same
    quotients, fewer divisions) and gathered straight into the table (through a small
    buffer where the rows of a chunk are not contiguous, several rows sharing a source).
    """
    sources, positions, targets = side.sources, side.positions, side.other_node
    row_access, col_access = side.access, side.other_access
    table = np.empty((len(positions), len(targets)))
    width = len(targets)
    identity = len(positions) == len(sources)  # one row per source, in order
    if workers is None:
        workers = default_workers(len(sources), road.n_nodes)
    parallel = workers > 1 and len(sources) > 1
    step = max(1, _CHUNK // max(width, 1))
    if parallel and identity:  # the searches write the table itself
        road.times(sources, targets, limit=limit, reverse=side.reverse, out=table,
                   workers=workers)
        for start in range(0, len(table), step):
            part = table[start : start + step]
            np.divide(part, 60.0, out=part)
            _add_access(part, row_access[start : start + step], col_access, cutoff)
        return table
    scratch = np.empty((min(step, len(positions)), width))
    if not identity:
        by_source = np.argsort(positions, kind="stable")
        sorted_positions = positions[by_source]
    if parallel:
        blocks = [(0, road.times(sources, targets, limit=limit, reverse=side.reverse,
                                 workers=workers), True)]
    else:
        blocks = ((start, block, False) for start, block in
                  road._blocks(sources, limit=limit, reverse=side.reverse))
    for start, block, gathered in blocks:
        divided = not gathered and road.n_nodes <= width
        if divided:
            np.divide(block, 60.0, out=block)
        if identity:
            members = np.arange(start, start + len(block))
        else:
            first, last = np.searchsorted(sorted_positions, [start, start + len(block)])
            members = np.sort(by_source[first:last])
        for at in range(0, len(members), step):
            rows = members[at : at + step]
            contiguous = rows[-1] - rows[0] + 1 == len(rows)
            part = table[rows[0] : rows[-1] + 1] if contiguous else scratch[: len(rows)]
            source = positions[rows] - start
            if gathered:
                np.take(block, source, axis=0, out=part, mode="clip")
            elif identity:
                np.take(block[source[0] : source[-1] + 1], targets, axis=1, out=part, mode="clip")
            else:
                for k, row in enumerate(source):
                    np.take(block[row], targets, out=part[k], mode="clip")
            if not divided:
                np.divide(part, 60.0, out=part)
            _add_access(part, row_access[rows], col_access, cutoff)
            if not contiguous:
                table[rows] = part
    return table


def _add_access(part, row_access, col_access, cutoff) -> None:
    """``part += row_access[:, None] + col_access`` (that order of sums), then the cutoff."""
    part += row_access[:, None] + col_access[None, :]
    if cutoff is not None:
        np.putmask(part, part > cutoff, np.inf)


def _pairs_within(
    graph, origins, destinations, cutoff: float, *, weight: str = "travel_time",
    max_snap_m: float = MAX_SNAP_M, access_speed_kmh: float = ACCESS_SPEED_KMH,
    check_components: bool = True, max_cells: int = 16 * 1024**2, workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The finite cells of ``travel_time_matrix(..., cutoff=cutoff)``, never held dense.

    Returns positional ``(origin, destination, minutes)`` arrays ordered by origin then
    destination: the same pairs and the same values, bit for bit, as the dense matrix (the
    same searches from the same side, ``seconds / 60 + (a_row + a_col)`` in that order).
    The searches' nodes reached within the cutoff are found first, at the nodes that carry
    points, and only those become pairs of points. Memory: one block of searches (at most
    ``max_cells`` values, 8 bytes each) and the pairs.
    """
    road, orig, dest = _snap_both(
        graph, weight, origins, destinations, max_snap_m, access_speed_kmh, check_components
    )
    limit = cutoff * 60.0
    side = _search_side(orig, dest)  # the side travel_time_matrix searches from
    reverse, sources, s_pos, s_access = side.reverse, side.sources, side.positions, side.access
    u_node, u_access = side.other_node, side.other_access
    # Both sides' points grouped by node, in input order within a group.
    _, _, s_order, s_start = _groups(s_pos)
    u_nodes, u_pos, u_order, u_start = _groups(u_node)
    every_node = len(u_nodes) == road.n_nodes  # then u_nodes is 0 … n - 1
    if workers is None:
        workers = default_workers(len(sources), road.n_nodes)
    step = max(1, int(max_cells) // max(road.n_nodes, 1))
    empty = np.zeros(0, dtype=np.int64)
    found_s, found_u, found_min = [empty], [empty], [np.zeros(0)]
    for start in range(0, len(sources), step):
        block = sources[start : start + step]
        if workers > 1 and len(block) > 1:
            seconds = road.times(block, u_nodes, limit=limit, reverse=reverse, workers=workers)
        else:
            ((_, seconds),) = road._blocks(block, limit=limit, reverse=reverse, step=len(block))
            if not every_node:
                seconds = np.take(seconds, u_nodes, axis=1)
        row, col = np.nonzero(seconds <= limit)
        s_first, s_last = s_start[start], s_start[start + len(block)]
        pairs = np.dot(s_start[row + 1] - s_start[row], u_start[col + 1] - u_start[col])
        if pairs > _DENSE_SHARE * (s_last - s_first) * len(u_node):
            # Most cells are within reach: finish them as the dense matrix does, then keep
            # the finite ones (cheaper than expanding that many node pairs).
            pieces = _dense_pairs(seconds, start, np.sort(s_order[s_first:s_last]), s_pos,
                                  s_access, u_pos, u_access, cutoff)
        else:
            value = seconds[row, col]
            s_point, u_point, value = _expand(row + start, col, value, s_order, s_start,
                                              u_order, u_start)
            np.divide(value, 60.0, out=value)
            value += s_access[s_point] + u_access[u_point]
            ok = value <= cutoff
            pieces = [(s_point[ok], u_point[ok], value[ok])]
        del seconds
        for s_point, u_point, value in pieces:
            found_s.append(s_point)
            found_u.append(u_point)
            found_min.append(value)
    s_point, u_point = np.concatenate(found_s), np.concatenate(found_u)
    minutes = np.concatenate(found_min)
    o_point, d_point = (u_point, s_point) if reverse else (s_point, u_point)
    key = o_point.astype(np.int64) * len(dest) + d_point
    order = _order_of(key, o_point, d_point, len(orig), len(dest))
    if order is not None:
        key, o_point, d_point, minutes = key[order], o_point[order], d_point[order], minutes[order]
    # Off-network trips: the smaller time wins; a trip the network misses is a new pair.
    rows, cols, local = _local_trips(orig, dest, access_speed_kmh)
    inside = local <= cutoff
    rows, cols, local = rows[inside], cols[inside], local[inside]
    local_key = rows.astype(np.int64) * len(dest) + cols
    at = np.searchsorted(key, local_key)
    hit = at < len(key)
    hit[hit] = key[at[hit]] == local_key[hit]
    minutes[at[hit]] = np.minimum(minutes[at[hit]], local[hit])
    if not hit.all():
        new = ~hit
        key = np.concatenate([key, local_key[new]])
        o_point, d_point = np.concatenate([o_point, rows[new]]), np.concatenate([d_point, cols[new]])
        minutes = np.concatenate([minutes, local[new]])
        order = np.argsort(key)  # distinct keys: any sort gives the same order
        o_point, d_point, minutes = o_point[order], d_point[order], minutes[order]
    return o_point, d_point, minutes


def _groups(values: np.ndarray):
    """Elements grouped by value, from one stable sort.

    Returns ``(unique, position, order, start)``: the sorted distinct values, each element's
    position among them, and the groups: group ``g`` (value ``unique[g]``) is
    ``order[start[g] : start[g + 1]]``, in input order.
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, bool)
    start = np.r_[np.flatnonzero(new), len(values)]
    position = np.empty(len(values), dtype=np.int64)
    position[order] = np.cumsum(new) - 1
    return ordered[new], position, order, start


def _expand(row, col, value, s_order, s_start, u_order, u_start):
    """Each (source node, other node) pair → every pair of their points.

    Returns the search side's point positions, the other side's, and the seconds repeated
    (grouped by pair of nodes; the caller sorts).
    """
    # Over the other side's points of each node…
    u_count = u_start[col + 1] - u_start[col]
    if (u_count == 1).all():
        u_point = u_order[u_start[col]]
    else:
        u_point = _ranks(u_start[col], u_count)
        u_point = u_order[u_point]
        row, value = np.repeat(row, u_count), np.repeat(value, u_count)
    # … then over the search side's points of each source node.
    s_count = s_start[row + 1] - s_start[row]
    if (s_count == 1).all():
        return s_order[s_start[row]], u_point, value
    s_point = s_order[_ranks(s_start[row], s_count)]
    return s_point, np.repeat(u_point, s_count), np.repeat(value, s_count)


def _ranks(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``first[g], first[g] + 1, …, first[g] + count[g] - 1`` for every group ``g``, concatenated."""
    shift = np.repeat(first - (np.cumsum(count) - count), count)
    shift += np.arange(len(shift))
    return shift


#: Above this share of a block's point pairs within reach, :func:`_pairs_within` finishes
#: the block's cells densely instead of expanding node pairs to point pairs.
_DENSE_SHARE = 0.125


def _dense_pairs(seconds, start, points, s_pos, s_access, u_column, u_access, cutoff):
    """The pairs within ``cutoff`` of one block of searches, finished as dense rows.

    ``seconds`` holds the block's searches at the other side's nodes; ``points`` are the
    search side's points of the block, ``u_column`` each other point's column there. The
    rows get ``seconds / 60 + (a_row + a_col)``, in that order (as :func:`_minutes_table`), a
    chunk of rows at a time, and only their cells within ``cutoff`` are kept.
    """
    step = max(1, (1 << 20) // max(len(u_column), 1))
    pieces = []
    for at in range(0, len(points), step):
        rows = points[at : at + step]
        part = np.take(np.take(seconds, s_pos[rows] - start, axis=0), u_column, axis=1)
        np.divide(part, 60.0, out=part)
        _add_access(part, s_access[rows], u_access, None)
        row, col = np.nonzero(part <= cutoff)
        pieces.append((rows[row], col, part[row, col]))
    return pieces


def _order_of(key, origin, destination, n_orig, n_dest):
    """The permutation sorting distinct ``key`` values (None when already sorted).

    A least-significant-digit radix sort (stable sorts on the destination, then on the
    origin) when both fit in 16 bits, skipping the first pass when the pairs already run by
    destination within each origin; else a comparison sort.
    """
    if len(key) < 2 or (key[1:] > key[:-1]).all():
        return None
    if n_orig <= 1 << 16 and n_dest <= 1 << 16:
        order = np.argsort(origin.astype(np.uint16), kind="stable")
        ordered = key[order]
        if (ordered[1:] > ordered[:-1]).all():
            return order
        order = np.argsort(destination.astype(np.uint16), kind="stable")
        return order[np.argsort(origin[order].astype(np.uint16), kind="stable")]
    return np.argsort(key)  # distinct keys: any sort gives the same order


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

    Returns positional ``rows``, ``cols`` (ordered by row, then column) and straight-line
    ``minutes`` at the access speed for every pair whose distance is at most the sum of the
    two snap distances.
    """
    o_snap, d_snap = orig["snap_m"].to_numpy(), dest["snap_m"].to_numpy()
    o_xy = np.column_stack([orig["x_m"].to_numpy(), orig["y_m"].to_numpy()])
    d_xy = np.column_stack([dest["x_m"].to_numpy(), dest["y_m"].to_numpy()])
    found_rows, found_cols, found_metres = [], [], []
    # Points grouped by snap distance, so that each pair of groups is searched within its own
    # reach (the sum of the two groups' largest snaps), not the largest overall: a few points
    # far from the network no longer widen the search, and its memory, for all the others.
    # Trees built for a few queries: unbalanced, uncompacted (half the build time).
    d_groups = [(group, cKDTree(d_xy[group], balanced_tree=False, compact_nodes=False))
                for group in _snap_groups(d_snap)]
    for o_group in _snap_groups(o_snap):
        tree_o = cKDTree(o_xy[o_group], balanced_tree=False, compact_nodes=False)
        for d_group, tree_d in d_groups:
            reach = float(o_snap[o_group].max() + d_snap[d_group].max())
            pairs = tree_o.sparse_distance_matrix(tree_d, reach, output_type="ndarray")
            rows, cols, metres = o_group[pairs["i"]], d_group[pairs["j"]], pairs["v"]
            keep = metres <= o_snap[rows] + d_snap[cols]
            found_rows.append(rows[keep])
            found_cols.append(cols[keep])
            found_metres.append(metres[keep])
    if not found_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
    metres = np.concatenate(found_metres)
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], metres[order] / (access_speed_kmh / 3.6) / 60.0


def _snap_groups(snap_m: np.ndarray, count: int = 4) -> list[np.ndarray]:
    """Positions of the points in groups of increasing snap distance.

    One group when the snaps are even (the largest within twice the third quartile), else
    ``count`` quantile groups.
    """
    if len(snap_m) == 0:
        return []
    if len(snap_m) < 4 * count or snap_m.max() <= 2.0 * np.quantile(snap_m, 0.75):
        return [np.arange(len(snap_m))]
    order = np.argsort(snap_m, kind="stable")
    return np.array_split(order, count)


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
