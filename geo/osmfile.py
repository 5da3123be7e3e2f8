"""Road graphs from local OpenStreetMap files (.osm, .osm.xml, .osm.gz, .osm.bz2, .osm.pbf).

The file is read with pyosmium (every format, compressed or not), the car (or walking) ways
are kept, ways that reference nodes clipped out of the extract are trimmed to the part whose
nodes are present (and counted), and the clean ways are handed to osmnx ``graph_from_xml``
through a temporary OSM XML file, so the graph is exactly what osmnx builds.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from maillage.errors import NetworkError

from .speeds import add_travel_times

log = logging.getLogger(__name__)

#: ``highway`` values that cars cannot use (after osmnx's "drive" filter).
NOT_DRIVE = {
    "abandoned", "bridleway", "bus_guideway", "construction", "corridor", "cycleway", "elevator",
    "escalator", "footway", "no", "path", "pedestrian", "planned", "platform", "proposed",
    "raceway", "razed", "steps", "track", "busway", "via_ferrata", "services", "rest_area",
}  # fmt: skip
#: ``highway`` values that walkers cannot use.
NOT_WALK = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "raceway", "no"}
#: ``service`` values osmnx's "drive" filter leaves out.
NOT_DRIVE_SERVICE = {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
OSM_SUFFIXES = (".osm", ".osm.xml", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf", ".xml")


def _osmium_for(path: Path):
    """The pyosmium module, once ``path`` is known to be a file (French errors otherwise)."""
    if not path.is_file():
        raise NetworkError(f"Fichier OSM introuvable : {path}. Correction : vérifiez le chemin.")
    try:
        import osmium
    except ImportError as exc:  # pragma: no cover - osmium is a dependency
        raise NetworkError("Lecture OSM impossible : installez pyosmium (pip install osmium).") from exc
    return osmium


def _usable(tags: dict, network_type: str) -> bool:
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes" or tags.get("access") == "private":
        return False
    if network_type == "walk":
        return highway not in NOT_WALK and tags.get("foot") != "no"
    return (
        highway not in NOT_DRIVE
        and tags.get("service") not in NOT_DRIVE_SERVICE
        and tags.get("motor_vehicle") != "no"
        and tags.get("motorcar") != "no"
    )


def _longest_present_run(refs: list[int], present) -> list[int]:
    best, run = [], []
    for ref in refs:
        if ref in present:
            run.append(ref)
            if len(run) > len(best):
                best = run
        else:
            run = []
    return list(best)


def graph_from_osm_file(path, *, network_type: str = "drive", simplify: bool = True, hwy_speeds=None):
    """Build a road graph from a local OSM file, with speeds and travel times.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.osm``, ``.osm.xml``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf`` file (e.g. a
        Geofabrik extract).
    network_type : {"drive", "walk"}
        Car network (French speeds) or walking network (4.5 km/h).
    simplify : bool
        Merge chains of degree-2 nodes (osmnx simplification).
    hwy_speeds : dict, optional
        Car speeds by ``highway`` value, km/h (default :data:`OSM_SPEEDS_KMH`).

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph (node ``x``/``y`` degrees; edge ``length`` m, ``speed_kph``,
        ``travel_time`` s). ``graph.graph`` holds ``source``, ``ways_trimmed`` (ways cut
        because their nodes were clipped out of the extract) and ``ways_dropped`` (ways left
        with fewer than two nodes).

    Raises
    ------
    NetworkError
        Unreadable file, pyosmium missing, or no usable road in the file (French message).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> osm = '''<?xml version="1.0" encoding="UTF-8"?>
    ... <osm version="0.6">
    ...   <node id="1" lat="44.5250" lon="1.4120"/><node id="2" lat="44.5280" lon="1.4200"/>
    ...   <node id="3" lat="44.5250" lon="1.4280"/>
    ...   <way id="101"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="tertiary"/></way>
    ... </osm>'''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "bourg.osm"
    ...     _ = path.write_text(osm, encoding="utf-8")
    ...     graph = graph_from_osm_file(path, simplify=False)
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (3, 4)
    """
    path = Path(path)
    osmium = _osmium_for(path)
    try:
        ways, nodes = _read(osmium, path, network_type)
    except RuntimeError as exc:
        raise NetworkError(
            f"Fichier OSM illisible : {path} ({exc}). Correction : vérifiez son format."
        ) from exc
    trimmed = dropped = 0
    kept = []
    for way_id, refs, tags in ways:
        run = refs if all(r in nodes for r in refs) else _longest_present_run(refs, nodes)
        if len(run) < len(refs):
            trimmed += 1
        if len(run) < 2:
            dropped += 1
            continue
        kept.append((way_id, run, tags))
    if not kept:
        raise NetworkError(
            f"Aucune route utilisable ({network_type}) dans {path}. Correction : vérifiez l'extrait."
        )
    if trimmed:
        log.warning(
            "%s : %d voies coupées car elles citent des nœuds absents de l'extrait (%d abandonnées).",
            path.name, trimmed, dropped,
        )  # fmt: skip
    # osmnx (≈ 3 s of imports: scikit-learn, matplotlib) only here: reading the Lot's edge list
    # or running the app must not pay for it.
    import osmnx as ox

    with tempfile.TemporaryDirectory() as folder:
        clean = Path(folder) / "clean.osm"
        _write_xml(clean, kept, nodes)
        graph = ox.graph_from_xml(clean, simplify=simplify, bidirectional=network_type == "walk")
    add_travel_times(graph, hwy_speeds=hwy_speeds, walk=network_type == "walk")
    graph.graph.update(
        source=f"OpenStreetMap, fichier {path.name}", network_type=network_type, ways_trimmed=trimmed,
        ways_dropped=dropped,
    )  # fmt: skip
    return graph


def _read(osmium, path: Path, network_type: str):
    ways, needed = [], set()
    for way in osmium.FileProcessor(str(path), osmium.osm.WAY):
        tags = dict(way.tags)
        if _usable(tags, network_type):
            refs = [n.ref for n in way.nodes]
            ways.append((way.id, refs, tags))
            needed.update(refs)
    nodes = {}
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if node.id in needed and node.location.valid():
            nodes[node.id] = (node.location.lat, node.location.lon)
    return ways, nodes


def _write_xml(target: Path, ways, nodes) -> None:
    used = sorted({ref for _, refs, _ in ways for ref in refs})
    with open(target, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="maillage">\n'
        )
        for ref in used:
            lat, lon = nodes[ref]
            out.write(f'<node id="{ref}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way_id, refs, tags in ways:
            out.write(f'<way id="{way_id}">')
            out.write("".join(f'<nd ref="{r}"/>' for r in refs))
            out.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            out.write("</way>\n")
        out.write("</osm>\n")
