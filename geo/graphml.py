"""Compiled road graph straight from a GraphML file, streamed, without networkx.

Reads GraphML as osmnx (``save_graphml``) and ``maillage network build/fetch`` write it:
node ``x``/``y`` (degrees, or a projected CRS declared in the graph's ``crs``), edge
``travel_time`` (seconds) or, when an edge lacks it, ``length`` (metres) with ``highway``
and ``maxspeed`` (speeds then recomputed for every edge, as
:func:`~maillage.geo.load_network` does). The file is parsed element by element
(the standard library's ``iterparse``) and freed as it goes: memory is the arrays, not a
networkx graph. The result equals ``compile_graph(load_network(path))``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from maillage.errors import InputError, NetworkError
from maillage.settings import LAYER_CRS

from .roadfile import FileRoadGraph, _maxspeed_kph, file_date, file_road_graph, speeds_by_code, travel_seconds

_FIX = "donner un GraphML écrit par osmnx ou par « maillage network build »"


def road_graph_from_graphml(path, *, hwy_speeds: dict | None = None) -> FileRoadGraph:
    """Compiled road graph of a GraphML file (osmnx format), without networkx.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.graphml`` file written by osmnx or ``maillage network build`` / ``fetch``.
    hwy_speeds : dict, optional
        Car speeds by ``highway`` value, km/h (default :data:`OSM_SPEEDS_KMH`), used only
        when some edge has no ``travel_time``.

    Returns
    -------
    FileRoadGraph
        Node ids as in the file (int64 when they are integers, as osmnx reads them); arc
        weights ``travel_time`` in seconds; ``info`` with ``source``, ``date``, ``n_edges``
        and the graph's ``ways_trimmed`` / ``ways_dropped`` when written.

    Raises
    ------
    NetworkError
        Unreadable XML, edges without ``travel_time`` nor ``length`` (French message).
    InputError
        No node, nodes without usable coordinates, metres declared as degrees (file and fix
        named, as :func:`~maillage.geo.load_network`).

    Examples
    --------
    >>> import tempfile
    >>> text = '''<?xml version="1.0" encoding="utf-8"?>
    ... <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
    ...   <key id="d0" for="node" attr.name="x" attr.type="string"/>
    ...   <key id="d1" for="node" attr.name="y" attr.type="string"/>
    ...   <key id="d2" for="edge" attr.name="travel_time" attr.type="string"/>
    ...   <graph edgedefault="directed">
    ...     <node id="1"><data key="d0">1.44</data><data key="d1">44.45</data></node>
    ...     <node id="2"><data key="d0">1.40</data><data key="d1">44.53</data></node>
    ...     <edge source="1" target="2"><data key="d2">600.0</data></edge>
    ...   </graph>
    ... </graphml>'''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "reseau.graphml"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     road = road_graph_from_graphml(path)
    >>> road.n_nodes, float(road.times([0], [1])[0, 0])
    (2, 600.0)
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"Fichier GraphML introuvable : {path}. Correction : vérifiez le chemin.")
    try:
        parsed = _parse(path)
    except (SyntaxError, ValueError) as exc:  # ElementTree's ParseError is a SyntaxError
        raise NetworkError(f"Fichier GraphML illisible : {path} ({exc}). Correction : {_FIX}.") from exc
    node_ids, xs, ys, graph_attrs = parsed["node_ids"], parsed["x"], parsed["y"], parsed["graph"]
    if len(node_ids) == 0:
        raise InputError("réseau sans aucun nœud", file=path, fix=_FIX)
    lon, lat = _degrees(path, node_ids, xs, ys, graph_attrs.get("crs"))
    ids = _as_ids(node_ids)
    position = {node: i for i, node in enumerate(node_ids)}
    try:
        u = np.fromiter((position[s] for s in parsed["source"]), np.int64, len(parsed["source"]))
        v = np.fromiter((position[t] for t in parsed["target"]), np.int64, len(parsed["target"]))
    except KeyError as exc:
        raise NetworkError(f"Le GraphML {path} cite un nœud absent : {exc}. Correction : {_FIX}.") from None
    seconds = _seconds(path, parsed, hwy_speeds)
    if parsed["undirected"]:
        u, v, seconds = np.r_[u, v], np.r_[v, u], np.r_[seconds, seconds]
    info = {"source": graph_attrs.get("source", f"fichier GraphML {path.name}"),
            "date": graph_attrs.get("date", file_date(path)), "n_edges": len(parsed["source"])}
    for key in ("ways_trimmed", "ways_dropped", "network_type"):
        if key in graph_attrs:
            info[key] = graph_attrs[key]
    return file_road_graph(ids, lon, lat, u, v, seconds, info)


def _iterparse(path: Path):
    # The standard library's expat-based iterparse: faster than lxml's for this streaming.
    import xml.etree.ElementTree as ElementTree

    return ElementTree.iterparse(str(path), events=("start", "end"))


def _parse(path: Path) -> dict:
    """One pass over the file: keys, graph attributes, node coordinates, edge attributes."""
    keys: dict[str, tuple[str, str]] = {}
    graph_attrs: dict[str, str] = {}
    node_ids: list[str] = []
    xs: list[str | None] = []
    ys: list[str | None] = []
    edge_attrs = ("travel_time", "length", "highway", "maxspeed")
    edges: dict[str, list] = {"source": [], "target": [], **{a: [] for a in edge_attrs}}
    undirected = False
    container = None
    seen_root = False
    done = 0
    for event, elem in _iterparse(path):
        tag = elem.tag.rpartition("}")[2]
        if event == "start":
            if not seen_root and tag != "graphml":
                raise ValueError(f"élément racine « {tag} », pas « graphml »")
            seen_root = True
            if tag == "graph":
                container = elem
                undirected = elem.get("edgedefault") == "undirected"
            continue
        if tag == "key":
            keys[elem.get("id")] = (elem.get("for"), elem.get("attr.name"))
        elif tag == "data":
            domain, name = keys.get(elem.get("key"), (None, None))
            if domain == "graph":
                graph_attrs[name] = elem.text or ""
        elif tag == "node":
            values = {keys.get(d.get("key"), (None, None))[1]: d.text for d in elem}
            node_ids.append(elem.get("id"))
            xs.append(values.get("x"))
            ys.append(values.get("y"))
            done += 1
        elif tag == "edge":
            values = {keys.get(d.get("key"), (None, None))[1]: d.text for d in elem}
            edges["source"].append(elem.get("source"))
            edges["target"].append(elem.get("target"))
            for name in edge_attrs:
                edges[name].append(values.get(name))
            done += 1
        if tag in {"node", "edge"}:
            elem.clear()
            if container is not None and done % 10_000 == 0:
                del container[:]  # finished elements: free them as we go
    if not seen_root:
        raise ValueError("aucun élément « graphml »")
    return {"node_ids": node_ids, "x": xs, "y": ys, "graph": graph_attrs,
            "undirected": undirected, **edges}


def _as_float(values) -> np.ndarray:
    out = np.empty(len(values))
    for i, text in enumerate(values):
        try:
            out[i] = float(text)
        except (TypeError, ValueError):
            out[i] = np.nan
    return out


def _as_ids(node_ids: list[str]) -> np.ndarray:
    """Node ids as int64 when they are all integers (osmnx reads them so), else as strings."""
    try:
        return np.array([int(n) for n in node_ids], dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        ids = np.empty(len(node_ids), dtype=object)
        ids[:] = node_ids
        return ids


def _degrees(path: Path, node_ids, xs, ys, declared):
    """Node coordinates in degrees, or the same clear errors as ``load_network``."""
    x, y = _as_float(xs), _as_float(ys)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"nœud {node_ids[k]} sans coordonnées lisibles (x = {xs[k]}, y = {ys[k]}) ; "
                         f"{int(bad.sum())} nœud(s) concerné(s)", file=path,
                         column="x" if not np.isfinite(x[k]) else "y",
                         fix="exporter à nouveau le réseau : chaque nœud doit avoir x (longitude) "
                             "et y (latitude) en degrés")
    if declared:
        from pyproj import CRS, Transformer

        try:
            crs = CRS.from_user_input(declared)
        except Exception:  # pyproj's CRSError and friends
            crs = None
        if crs is not None and not crs.is_geographic:
            x, y = Transformer.from_crs(crs, LAYER_CRS, always_xy=True).transform(x, y)
            x, y = np.asarray(x), np.asarray(y)
    outside = ~((np.abs(x) <= 180) & (np.abs(y) <= 90))
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise InputError(f"coordonnées des nœuds hors degrés (nœud {node_ids[k]} : x = {x[k]:.6g}, "
                         f"y = {y[k]:.6g}) : ce sont sans doute des mètres (Lambert-93) sans "
                         "système de coordonnées déclaré", file=path, column="x",
                         fix="enregistrer le graphe en WGS84 (osmnx : ox.project_graph(G, "
                             "to_latlong=True)) ou déclarer son système (crs) dans le GraphML")
    return x, y


def _listed(text):
    """An osmnx attribute value: a stringified list (after simplification) becomes a list."""
    if text is not None and text.startswith("[") and text.endswith("]"):
        try:
            return ast.literal_eval(text)
        except (SyntaxError, ValueError):
            return text
    return text


def _seconds(path: Path, parsed: dict, hwy_speeds: dict | None) -> np.ndarray:
    """Edge travel times, seconds: as written, or recomputed for all edges when one lacks them."""
    times = parsed["travel_time"]
    if all(t is not None for t in times):
        return _as_float(times)
    length = _as_float(parsed["length"])
    if np.isnan(length).any():
        raise NetworkError(f"Des tronçons du GraphML {path} n'ont ni « travel_time » ni « length ». "
                           f"Correction : {_FIX}.")
    names: list[str] = []
    codes_of: dict[str, int] = {}
    codes = np.empty(len(length), np.int64)
    for i, text in enumerate(parsed["highway"]):
        value = _listed(text)
        value = str(value[0] if isinstance(value, list) else value)
        code = codes_of.get(value)
        if code is None:
            code = codes_of[value] = len(names)
            names.append(value)
        codes[i] = code
    cache: dict[str | None, float] = {}
    maxspeed = np.empty(len(length))
    for i, text in enumerate(parsed["maxspeed"]):
        if text not in cache:
            cache[text] = _maxspeed_kph(_listed(text))
        maxspeed[i] = cache[text]
    return travel_seconds(length, speeds_by_code(codes, names, maxspeed, hwy_speeds))
