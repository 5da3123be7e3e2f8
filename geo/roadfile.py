"""Compiled road graphs read straight from files, without a networkx intermediate.

A networkx ``MultiDiGraph`` costs ≈ 3 KB per node; the compiled :class:`RoadGraph` ≈ 60
bytes. :func:`load_road_graph` reads an OpenStreetMap file (:mod:`.pbf`) or a GraphML file
(:mod:`.graphml`) into arrays and compiles them directly, so that a national graph fits in
memory; networkx stays the interchange format (``maillage network build`` writes GraphML).
The arrays follow osmnx's rules (drive filter, one-way tags, great-circle lengths, speeds),
so the times equal those of the networkx route (:func:`~maillage.geo.load_network` then
:func:`~maillage.geo.compile_graph`) on the same file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd


from .engine import RoadGraph, graph_from_arrays
from .speeds import FALLBACK_SPEED_KMH, OSM_SPEEDS_KMH

#: Mean earth radius used by osmnx for great-circle edge lengths, metres.
EARTH_RADIUS_M = 6_371_009.0


@dataclass(eq=False)
class FileRoadGraph(RoadGraph):
    """A :class:`RoadGraph` read from a file, with what ``maillage network info`` shows.

    Attributes
    ----------
    info : dict
        ``source`` and ``date`` (French text), ``n_edges`` (arcs as read, parallel arcs
        included, as networkx counts edges), and for OSM files ``network_type``,
        ``ways_trimmed`` (ways cut because their nodes were clipped out of the extract) and
        ``ways_dropped`` (ways left with fewer than two nodes).

    Examples
    --------
    Three villages and two arcs, compiled with the metadata a file gave:

    >>> import numpy as np
    >>> road = file_road_graph(np.array(["cahors", "calamane", "catus"]),
    ...                        np.array([1.44, 1.40, 1.33]), np.array([44.45, 44.53, 44.56]),
    ...                        np.array([0, 1]), np.array([1, 2]), np.array([600.0, 480.0]),
    ...                        {"source": "exemple", "date": "2026", "n_edges": 2})
    >>> road.n_nodes, road.info["n_edges"], road.times([0]).tolist()
    (3, 2, [[0.0, 600.0, 1080.0]])
    """

    info: dict = field(default_factory=dict)


def file_road_graph(node_ids, lon, lat, u, v, seconds, info: dict) -> FileRoadGraph:
    """Compile node and arc arrays into a :class:`FileRoadGraph`.

    Parameters
    ----------
    node_ids : numpy.ndarray
        Node identifiers, position = compiled index.
    lon, lat : numpy.ndarray
        Node coordinates, degrees (EPSG:4326).
    u, v : numpy.ndarray of int
        Arcs ``u → v`` as positions in ``node_ids``.
    seconds : numpy.ndarray of float
        Travel time of each arc, seconds (parallel arcs: the smallest is kept).
    info : dict
        Metadata kept on the result (see :class:`FileRoadGraph`).

    Returns
    -------
    FileRoadGraph
        The compiled graph (weight ``travel_time``).
    """
    road = graph_from_arrays(node_ids, lon, lat, u, v, seconds, weight="travel_time")
    values = {f.name: getattr(road, f.name) for f in fields(road) if f.init}
    return FileRoadGraph(**values, info=info)


def great_circle_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance between points, metres (osmnx's edge ``length``, same formula).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : numpy.ndarray
        Coordinates, degrees.

    Returns
    -------
    numpy.ndarray
        Great-circle distance on a sphere of radius :data:`EARTH_RADIUS_M`, metres.

    Examples
    --------
    >>> round(float(great_circle_m(44.45, 1.44, 44.53, 1.40)))  # Cahors → Calamane
    9445
    """
    y1, y2 = np.deg2rad(lat1), np.deg2rad(lat2)
    x1, x2 = np.deg2rad(lon1), np.deg2rad(lon2)
    h = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return 2 * np.arcsin(np.sqrt(np.minimum(1, h))) * EARTH_RADIUS_M


def _maxspeed_kph(value) -> float:
    """The speed osmnx reads from one ``maxspeed`` value (a tag string, or a list after simplification)."""
    from osmnx import routing

    if isinstance(value, list):
        value = routing._collapse_multiple_maxspeed_values(value, np.mean)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    clean = routing._clean_maxspeed(str(value))
    return np.nan if clean is None else float(clean)


def speeds_by_code(codes: np.ndarray, names: list, maxspeed_kph: np.ndarray,
                   hwy_speeds: dict | None = None,
                   fallback: float = FALLBACK_SPEED_KMH) -> np.ndarray:
    """Car speed of every arc, km/h, by osmnx's ``add_edge_speeds`` rules.

    A usable ``maxspeed`` tag wins (``"50"``, ``"30 mph"``, ``"FR:urban"``, ``"50|70"``);
    otherwise the speed of the arc's ``highway`` value in ``hwy_speeds``; a ``highway`` value
    missing from the table gets the mean ``maxspeed`` of its arcs, else ``fallback``.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Each arc's ``highway`` value, as a position in ``names``.
    names : list of str
        The ``highway`` values.
    maxspeed_kph : numpy.ndarray of float
        Each arc's parsed ``maxspeed``, km/h (NaN when absent or unusable).
    hwy_speeds : dict, optional
        Speeds by ``highway`` value, km/h (default :data:`OSM_SPEEDS_KMH`).
    fallback : float
        Speed where nothing else applies, km/h.

    Returns
    -------
    numpy.ndarray
        Speeds, km/h, one per arc.

    Examples
    --------
    >>> speeds_by_code(np.array([0, 0, 1]), ["secondary", "bus_stop"],
    ...                np.array([np.nan, 70.0, np.nan])).tolist()
    [80.0, 70.0, 50.0]
    """
    table = pd.Series(hwy_speeds or OSM_SPEEDS_KMH, dtype=float).dropna()
    by_code = np.full(len(names), np.nan)
    for code, name in enumerate(names):
        if name in table.index:
            by_code[code] = table[name]
        else:
            known = maxspeed_kph[(codes == code) & np.isfinite(maxspeed_kph)]
            by_code[code] = known.mean() if len(known) else fallback
    return np.where(np.isnan(maxspeed_kph), by_code[codes], maxspeed_kph)


def travel_seconds(length_m: np.ndarray, speed_kph: np.ndarray) -> np.ndarray:
    """Travel time of arcs, seconds, computed as osmnx does (``length / 1000 / (kph / 3600)``)."""
    return (length_m / 1000) / (speed_kph / (60 * 60))


def file_date(path) -> str:
    """Modification date of a file, ISO (``2026-11-26``)."""
    return dt.date.fromtimestamp(Path(path).stat().st_mtime).isoformat()


def contract_chains(n: int, u: np.ndarray, v: np.ndarray, seconds: np.ndarray):
    """Remove the nodes inside chains (degree 2), joining their neighbours by summed arcs.

    A node is removed when it only passes traffic through: exactly one arc in (from ``a``)
    and one arc out (to ``b ≠ a``), or two-way to exactly two neighbours and nothing else.
    Every shortest time between the nodes kept is unchanged (the chain's arcs are summed;
    the sums are grouped differently than along a path, so equal to ~1e-15 relative).
    Parallel arcs keep the smallest time; self-loops are dropped.

    Parameters
    ----------
    n : int
        Number of nodes.
    u, v : numpy.ndarray of int
        Arcs ``u → v`` (positions 0 … n - 1).
    seconds : numpy.ndarray of float
        Arc times, seconds.

    Returns
    -------
    kept : numpy.ndarray of int
        Positions of the nodes kept (sorted).
    u, v : numpy.ndarray of int
        Arcs between kept nodes, as positions in ``kept``.
    seconds : numpy.ndarray of float
        Their times, seconds.

    Examples
    --------
    >>> kept, u, v, s = contract_chains(3, np.array([0, 1, 1, 2]), np.array([1, 2, 0, 1]),
    ...                                 np.array([60.0, 30.0, 60.0, 30.0]))
    >>> kept.tolist(), sorted(zip(u.tolist(), v.tolist(), s.tolist()))
    ([0, 2], [(0, 1, 90.0), (1, 0, 90.0)])
    """
    import scipy.sparse as sp

    loop = u == v
    u, v, seconds = u[~loop], v[~loop], seconds[~loop]
    key = u.astype(np.int64) * n + v
    order = np.lexsort((seconds, key))
    key, seconds = key[order], seconds[order]
    first = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, bool)
    key, seconds = key[first], seconds[first]
    u, v = key // n, key % n  # sorted by (u, v): CSR order
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    out_deg = np.diff(indptr)
    rev = sp.csr_matrix((np.ones(len(u), np.int8), (v, u)), shape=(n, n))
    rev.sort_indices()
    in_deg = np.diff(rev.indptr)
    start, rstart = indptr[:-1], rev.indptr[:-1].astype(np.int64)
    one_way = (out_deg == 1) & (in_deg == 1)
    one_way[one_way] = v[start[one_way]] != rev.indices[rstart[one_way]]
    two_way = (out_deg == 2) & (in_deg == 2)
    idx = np.flatnonzero(two_way)
    two_way[idx] = ((v[start[idx]] == rev.indices[rstart[idx]])
                    & (v[start[idx] + 1] == rev.indices[rstart[idx] + 1]))
    inner = one_way | two_way
    for _ in range(2):  # a second round only for rings made of chain nodes alone
        # Next arc along the chain, for arcs entering an inner node: the out-arc of that node
        # that does not go straight back (two-way) or its only out-arc (one-way).
        succ = np.full(len(u), -1, np.int64)
        entering = np.flatnonzero(inner[v])
        head = v[entering]
        out1 = start[head]
        back = (v[out1] == u[entering]) & two_way[head]
        succ[entering] = np.where(back, out1 + 1, out1)
        total, end = seconds.copy(), v.copy()
        for _ in range(int(np.log2(max(len(u), 2))) + 2):  # pointer jumping
            active = np.flatnonzero(succ >= 0)
            if len(active) == 0:
                break
            nxt = succ[active]
            total[active] = total[active] + total[nxt]
            end[active] = end[nxt]
            succ[active] = succ[nxt]
        stuck = succ >= 0
        if not stuck.any():
            break
        inner[v[stuck]] = False  # keep the nodes of such rings
        one_way &= inner
        two_way &= inner
    starts = ~inner[u]
    u, v, seconds = u[starts], end[starts], total[starts]
    loop = u == v
    u, v, seconds = u[~loop], v[~loop], seconds[~loop]
    kept = np.flatnonzero(~inner)
    index = np.full(n, -1, np.int64)
    index[kept] = np.arange(len(kept))
    return kept, index[u], index[v], seconds
