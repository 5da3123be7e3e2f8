"""Compiled road graph straight from an OpenStreetMap file (.osm.pbf, .osm, .osm.gz, .osm.bz2).

Two streaming passes with pyosmium, no networkx: the ways tagged ``highway`` (filtered in
C++) give the road ways kept by osmnx's "drive" (or "walk") rules and the node ids they
cite; then only those nodes are read (filtered by id in C++). Each pass is copied by
pyosmium's C++ writer to a temporary OPL text file (one line per object) parsed with string
and numpy operations: handing every node reference to Python through pyosmium's objects
would cost microseconds each. Everything else is numpy: the graph is **unsimplified** (one node per OSM
node of a road), as osmnx ``graph_from_xml(simplify=False)`` builds it, with the same rules:

- one-way: ``oneway`` in {yes, true, 1, -1, reverse, T, F} (reversed for -1, reverse, T) and
  ``junction=roundabout``; nothing else (osmnx does not infer one-way from ``highway``);
  the walking network is two-way everywhere;
- consecutive repeated nodes of a way are dropped; a way citing nodes clipped out of the
  extract is cut to its longest run of present nodes (counted, as
  :func:`~maillage.geo.graph_from_osm_file` does);
- only the largest weakly connected component is kept (osmnx ``retain_all=False``);
- edge length: great-circle distance between the two nodes (osmnx's haversine); speed: the
  ``maxspeed`` tag read by osmnx's parser, else :data:`OSM_SPEEDS_KMH`, else the mean
  ``maxspeed`` of the ``highway`` value, else 50 km/h; time = length ÷ speed.

Times therefore equal the networkx route (``graph_from_osm_file(path, simplify=False)`` then
``compile_graph``) on the same file (tests/geo/test_pbf.py).
"""

from __future__ import annotations

import logging
import re
import tempfile
from array import array
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from maillage.errors import NetworkError

from .osmfile import _osmium_for, _usable
from .roadfile import (
    FileRoadGraph,
    _maxspeed_kph,
    contract_chains,
    file_date,
    file_road_graph,
    great_circle_m,
    speeds_by_code,
    travel_seconds,
)
from .speeds import FALLBACK_SPEED_KMH, WALK_SPEED_KMH

log = logging.getLogger(__name__)

#: ``oneway`` values osmnx reads as one-way, and those meaning "against the node order".
ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
REVERSED_VALUES = frozenset({"-1", "reverse", "T"})


def road_graph_from_osm_file(path, *, network_type: str = "drive", hwy_speeds: dict | None = None,
                             simplify: bool = False) -> FileRoadGraph:
    """Compiled road graph of an OSM file, streamed with pyosmium, without networkx.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.osm.pbf`` (e.g. a Geofabrik extract), ``.osm``, ``.osm.xml``, ``.osm.gz`` or
        ``.osm.bz2``.
    network_type : {"drive", "walk"}
        Car network (osmnx's "drive" filter, French speeds) or walking network (4.5 km/h,
        every way two-way).
    hwy_speeds : dict, optional
        Car speeds by ``highway`` value, km/h (default :data:`OSM_SPEEDS_KMH`); ``maxspeed``
        tags win.
    simplify : bool
        Remove the nodes inside chains (a road's shape points: one way in, one way out),
        joining their neighbours by arcs of the summed time (:func:`contract_chains`):
        times between the nodes kept are unchanged, the graph is several times smaller
        (Andorra 16,190 → 1,248 nodes, the nodes osmnx keeps), but points snap to junctions
        and dead ends only.
        Not osmnx's simplification, whose times come from summed lengths at one speed.

    Returns
    -------
    FileRoadGraph
        Unsimplified graph of the largest weakly connected component; node ids are OSM
        ids (int64); arc weights ``travel_time`` in seconds. ``info`` holds ``source``,
        ``date``, ``network_type``, ``n_edges``, ``ways_trimmed``, ``ways_dropped``.

    Raises
    ------
    NetworkError
        Missing or unreadable file, bad ``network_type``, or no usable road (French message
        naming the file and the fix).

    Examples
    --------
    >>> import tempfile
    >>> osm = '''<?xml version="1.0" encoding="UTF-8"?>
    ... <osm version="0.6">
    ...   <node id="1" lat="44.5250" lon="1.4120"/><node id="2" lat="44.5280" lon="1.4200"/>
    ...   <node id="3" lat="44.5250" lon="1.4280"/>
    ...   <way id="101"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="tertiary"/>
    ...     <tag k="oneway" v="yes"/></way>
    ... </osm>'''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "bourg.osm"
    ...     _ = path.write_text(osm, encoding="utf-8")
    ...     road = road_graph_from_osm_file(path)
    >>> road.n_nodes, road.matrix.nnz, road.info["n_edges"]
    (3, 2, 2)
    >>> round(float(road.times([0], [2])[0, 0]), 1)  # 1 → 2 → 3 at 70 km/h, seconds
    73.7
    """
    path = Path(path)
    if network_type not in {"drive", "walk"}:
        raise NetworkError(f"Type de réseau inconnu : « {network_type} ». "
                           "Correction : « drive » (voiture) ou « walk » (piéton).")
    osmium = _osmium_for(path)
    try:
        with tempfile.TemporaryDirectory(prefix="maillage-osm-") as folder:
            ways = _read_ways(osmium, path, Path(folder), network_type)
            ordered = np.sort(ways.refs)
            wanted = ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
            del ordered
            node_ids, lon, lat = _read_nodes(osmium, path, Path(folder), wanted)
            del wanted
    except (RuntimeError, ValueError) as exc:
        raise NetworkError(
            f"Fichier OSM illisible : {path} ({exc}). Correction : vérifiez son format "
            "(.osm.pbf, .osm, .osm.gz, .osm.bz2)."
        ) from exc
    refs = ways.refs
    way_of = np.repeat(np.arange(len(ways.ids)), np.diff(np.frombuffer(ways.offsets, np.int64)))
    pos, trimmed, dropped = _present_runs(refs, way_of, node_ids, len(ways.ids))
    keep = pos >= 0
    pos, way_of = pos[keep], way_of[keep]
    repeat = np.zeros(len(pos), bool)
    repeat[1:] = (pos[1:] == pos[:-1]) & (way_of[1:] == way_of[:-1])
    pos, way_of = pos[~repeat], way_of[~repeat]
    if len(pos) == 0:
        raise NetworkError(f"Aucune route utilisable ({network_type}) dans {path}. "
                           "Correction : vérifiez l'extrait.")
    if trimmed:
        log.warning("%s : %d voies coupées car elles citent des nœuds absents de l'extrait "
                    "(%d abandonnées).", path.name, trimmed, dropped)
    # Arcs: consecutive nodes of one way, in the way's direction(s).
    pair = way_of[1:] == way_of[:-1]
    a, b, w = pos[:-1][pair], pos[1:][pair], way_of[:-1][pair]
    direction = np.frombuffer(ways.direction, dtype=np.int8)[w]
    fwd, back = direction >= 0, direction <= 0
    u = np.concatenate([a[fwd], b[back]])
    v = np.concatenate([b[fwd], a[back]])
    arc_way = np.concatenate([w[fwd], w[back]])
    del a, b, w, direction, fwd, back, pair
    # Largest weakly connected component of the nodes the kept ways cite (osmnx retain_all=False).
    used = np.zeros(len(node_ids), bool)
    used[pos] = True
    main = _largest_weak_component(u, v, used)
    index = np.full(len(node_ids), -1, dtype=np.int64)
    index[main] = np.arange(len(main))
    inside = index[u] >= 0
    u, v, arc_way = index[u[inside]], index[v[inside]], arc_way[inside]
    node_ids, lon, lat = node_ids[main], lon[main], lat[main]
    index_type = np.int32 if len(node_ids) < 2**31 else np.int64
    u, v = u.astype(index_type), v.astype(index_type)
    del index, inside, refs, pos, way_of
    length = great_circle_m(lat[u], lon[u], lat[v], lon[v])
    if network_type == "walk":
        seconds = length / (WALK_SPEED_KMH / 3.6)
    else:
        maxspeed = np.array([_maxspeed_kph(text) for text in ways.maxspeed_names])[
            np.frombuffer(ways.maxspeed, dtype=np.int32)[arc_way]]
        codes = np.frombuffer(ways.highway, dtype=np.int32)[arc_way]
        speed = speeds_by_code(codes, ways.highway_names, maxspeed, hwy_speeds, FALLBACK_SPEED_KMH)
        seconds = travel_seconds(length, speed)
        del maxspeed, codes, speed
    del length, arc_way, ways
    info = {"source": f"OpenStreetMap, fichier {path.name}", "date": file_date(path),
            "network_type": network_type, "n_edges": len(u), "ways_trimmed": trimmed,
            "ways_dropped": dropped, "simplified": simplify}
    if simplify:
        kept, u, v, seconds = contract_chains(len(node_ids), u, v, seconds)
        node_ids, lon, lat = node_ids[kept], lon[kept], lat[kept]
        info["n_edges"] = len(u)
    return file_road_graph(node_ids, lon, lat, u, v, seconds, info)


class _Ways:
    """Kept ways as flat arrays (node refs with offsets, tag codes)."""

    def __init__(self):
        self.ids = array("q")
        self.offsets = array("q", [0])
        self.refs = np.empty(0, np.int64)
        self.direction = array("b")  # 1 forward only, -1 backward only, 0 both ways
        self.highway = array("i")
        self.maxspeed = array("i")
        self.highway_names: list[str] = []
        self.maxspeed_names: list[str | None] = [None]


def _copy_opl(osmium, path: Path, target: Path, *filters) -> None:
    """Copy the objects of ``path`` that pass ``filters`` to an OPL text file, all in C++.

    pyosmium hands each object to Python at a cost of microseconds per node reference; its
    C++ filters and writer do not. OPL is one line per object (``w12 Thighway=primary
    Nn1,n2``, ``n1 T x1.4400000 y44.4500000``): parsed below with string and numpy operations.
    """
    writer = osmium.SimpleWriter(osmium.io.File(str(target), "opl,add_metadata=false"))
    try:
        osmium.apply(str(path), *filters, writer)
    finally:
        writer.close()


def _unescape(text: str) -> str:
    """OPL escapes spaces, commas, equal signs … as ``%hex%``."""
    return re.sub(r"%([0-9a-fA-F]+)%", lambda m: chr(int(m.group(1), 16)), text) if "%" in text \
        else text


def _read_ways(osmium, path: Path, folder: Path, network_type: str) -> _Ways:
    ways = _Ways()
    highway_codes: dict[str, int] = {}
    maxspeed_codes: dict[str | None, int] = {None: 0}
    walk = network_type == "walk"
    opl = folder / "ways.opl"
    _copy_opl(osmium, path, opl, osmium.filter.EntityFilter(osmium.osm.WAY),
              osmium.filter.KeyFilter("highway"))
    chunks: list[str] = []
    total = 0
    with open(opl, encoding="utf-8") as lines:
        for line in lines:
            way_id, tag_text, node_text = line.rstrip("\n").split(" ")
            if len(node_text) < 2:
                continue
            tags = dict(pair.split("=", 1) for pair in tag_text[1:].split(",")) \
                if len(tag_text) > 1 else {}
            if "%" in tag_text:
                tags = {_unescape(k): _unescape(v) for k, v in tags.items()}
            if not _usable(tags, network_type):
                continue
            chunks.append(node_text[1:])
            total += node_text.count(",") + 1
            ways.ids.append(int(way_id[1:]))
            ways.offsets.append(total)
            oneway = tags.get("oneway")
            if walk:
                direction = 0
            elif oneway in ONEWAY_VALUES:
                direction = -1 if oneway in REVERSED_VALUES else 1
            else:
                direction = 1 if tags.get("junction") == "roundabout" else 0
            ways.direction.append(direction)
            highway = tags["highway"]
            code = highway_codes.get(highway)
            if code is None:
                code = highway_codes[highway] = len(ways.highway_names)
                ways.highway_names.append(highway)
            ways.highway.append(code)
            maxspeed = tags.get("maxspeed")
            code = maxspeed_codes.get(maxspeed)
            if code is None:
                code = maxspeed_codes[maxspeed] = len(ways.maxspeed_names)
                ways.maxspeed_names.append(maxspeed)
            ways.maxspeed.append(code)
    opl.unlink()
    text = ",".join(chunks).replace("n", "")
    del chunks
    ways.refs = np.fromstring(text, dtype=np.int64, sep=",") if total else np.empty(0, np.int64)
    if len(ways.refs) != total:
        raise RuntimeError(f"références de nœuds illisibles ({len(ways.refs)} lues sur {total})")
    return ways


def _read_nodes(osmium, path: Path, folder: Path, wanted: np.ndarray):
    """Ids (sorted) and coordinates (degrees) of the ``wanted`` nodes that the file holds."""
    opl = folder / "nodes.opl"
    wanted_filter = osmium.filter.IdFilter(map(int, wanted))
    wanted_filter.enable_for(osmium.osm.NODE)
    _copy_opl(osmium, path, opl, osmium.filter.EntityFilter(osmium.osm.NODE), wanted_filter)
    del wanted_filter
    parts = []
    with open(opl, encoding="utf-8") as lines:
        while True:  # line-aligned blocks of ≈ 16 MB: memory stays flat
            block = lines.read(16 * 2**20)
            if not block:
                break
            block += lines.readline()
            parts.append(_parse_node_block(block))
    opl.unlink()
    values = np.concatenate(parts) if parts else np.empty((0, 3))
    node_ids = values[:, 0].astype(np.int64)
    lon, lat = values[:, 1].copy(), values[:, 2].copy()
    del values, parts
    order = np.argsort(node_ids, kind="stable")
    node_ids, lon, lat = node_ids[order], lon[order], lat[order]
    if len(node_ids) > 1 and not (node_ids[1:] > node_ids[:-1]).all():
        keep = np.r_[True, node_ids[1:] != node_ids[:-1]]
        node_ids, lon, lat = node_ids[keep], lon[keep], lat[keep]
    return node_ids, lon, lat


_NODE_TAGS = re.compile(r" T\S*")
_NO_LOCATION = re.compile(r"^n\d+ x y$\n?", re.MULTILINE)


def _parse_node_block(block: str) -> np.ndarray:
    """``n12 Ttags x1.44 y44.45`` lines → rows (id, lon, lat); nodes without location dropped.

    Decimal degrees (at most 7 decimals) are parsed correctly rounded: the same doubles as
    pyosmium's ``Location.lon``/``lat`` (fixed-point 1e-7 divided by 1e7). Ids fit exactly
    in a float64 (below 2**53).
    """
    block = _NO_LOCATION.sub("", _NODE_TAGS.sub("", block))
    numbers = np.fromstring(block.replace("n", "").replace("x", "").replace("y", ""),
                            dtype=np.float64, sep=" ")
    if len(numbers) % 3:
        raise RuntimeError("coordonnées de nœuds illisibles")
    return numbers.reshape(-1, 3)


def _present_runs(refs, way_of, node_ids, n_ways):
    """Position of every ref in ``node_ids``, -1 where absent or outside its way's longest present run.

    Returns the positions, the number of ways cut and of ways left with fewer than two refs.
    """
    at = np.searchsorted(node_ids, refs)
    at[at == len(node_ids)] = 0
    present = (node_ids[at] == refs) if len(node_ids) else np.zeros(len(refs), bool)
    pos = np.where(present, at, -1)
    missing = np.bincount(way_of[~present], minlength=n_ways)
    cut = np.flatnonzero(missing)
    bounds = np.searchsorted(way_of, np.arange(n_ways + 1))
    dropped = 0
    for way in cut:  # few ways, in extracts clipped at their border
        start, stop = bounds[way], bounds[way + 1]
        flags = present[start:stop]
        best_start = best_len = run_start = run_len = 0
        for i, ok in enumerate(flags):
            if ok:
                if run_len == 0:
                    run_start = i
                run_len += 1
                if run_len > best_len:
                    best_start, best_len = run_start, run_len
            else:
                run_len = 0
        pos[start:stop] = -1
        if best_len >= 2:
            pos[start + best_start:start + best_start + best_len] = at[start + best_start:
                                                                       start + best_start + best_len]
        else:
            dropped += 1
    return pos, len(cut), dropped


def _largest_weak_component(u, v, used) -> np.ndarray:
    """Positions of the nodes of the largest weakly connected component among ``used`` nodes.

    Ties go to the component holding the smallest node id, as networkx's (osmnx's) choice
    on a graph whose nodes were added in id order.
    """
    n = len(used)
    graph = coo_matrix((np.ones(len(u), np.int8), (u, v)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="weak")
    counts = np.bincount(labels[used], minlength=labels.max() + 1)
    best = counts.max()
    first_node = np.flatnonzero(used & (counts[labels] == best))[0]
    return np.flatnonzero(labels == labels[first_node])
