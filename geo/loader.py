"""Compiled road graph of any network file, without networkx for the large formats.

:func:`load_road_graph` chooses the reader from the extension: OpenStreetMap files through
:mod:`.pbf`, GraphML through :mod:`.graphml` (both straight to arrays), classified-road edge
lists (small) through :func:`~maillage.geo.load_edge_list`.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from maillage.errors import NetworkError

from .engine import RoadGraph, compile_graph
from .graphml import road_graph_from_graphml
from .networks import load_edge_list
from .pbf import road_graph_from_osm_file
from .roadfile import FileRoadGraph


def load_road_graph(path, *, network_type: str = "drive", hwy_speeds: dict | None = None,
                    simplify: bool = False) -> RoadGraph:
    r"""Compiled road graph of a network file, without building a networkx graph.

    What the timers, the CLI and the web app use when the network is given as a file: memory
    stays proportional to the compiled graph (≈ 60 bytes per node; see docs/engine.md), not
    to a networkx graph (≈ 3 KB per node).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.osm.pbf``, ``.osm``, ``.osm.xml``, ``.osm.gz``, ``.osm.bz2`` (OpenStreetMap,
        unsimplified drive or walk network, see :func:`road_graph_from_osm_file`);
        ``.graphml`` (as written by osmnx or ``maillage network build``, see
        :func:`road_graph_from_graphml`); ``.csv`` (classified-road edge list, small:
        :func:`~maillage.geo.load_edge_list`).
    network_type : {"drive", "walk"}
        For OSM files: car network (French speeds) or walking network (4.5 km/h).
    hwy_speeds : dict, optional
        For OSM files: car speeds by ``highway`` value, km/h (default :data:`OSM_SPEEDS_KMH`).
    simplify : bool
        For OSM files: remove the nodes inside chains, times between the others unchanged
        (see :func:`road_graph_from_osm_file`).

    Returns
    -------
    RoadGraph
        Weight ``travel_time`` (seconds). For OSM and GraphML files a
        :class:`FileRoadGraph` whose ``info`` holds the source, date and counts.

    Raises
    ------
    NetworkError
        Missing or unreadable file, unknown format, no usable road (French message).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "troncons.csv"
    ...     _ = path.write_text("u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight\n"
    ...                         "1,44.45,1.44,2,44.53,1.40,D820,9500\n"
    ...                         "2,44.53,1.40,3,44.56,1.33,D13,6400\n", encoding="utf-8")
    ...     road = load_road_graph(path)
    >>> road.n_nodes, road.matrix.nnz
    (3, 4)
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise NetworkError(f"Fichier de réseau introuvable : {path}. Correction : vérifiez le chemin.")
    if name.endswith(".graphml"):
        return road_graph_from_graphml(path)
    if name.endswith((".osm", ".osm.xml", ".osm.gz", ".osm.bz2", ".pbf", ".xml")):
        return road_graph_from_osm_file(path, network_type=network_type, hwy_speeds=hwy_speeds,
                                        simplify=simplify)
    if name.endswith(".csv"):
        graph = load_edge_list(path)
        road = compile_graph(graph)
        info = {"source": graph.graph.get("source", path.name), "date": graph.graph.get("date"),
                "n_edges": graph.number_of_edges()}
        values = {f.name: getattr(road, f.name) for f in fields(road) if f.init}
        return FileRoadGraph(**values, info=info)
    raise NetworkError(
        f"Format de réseau non reconnu : {path.name}. Correction : utilisez .graphml, .csv "
        "(liste de tronçons), .osm, .osm.gz, .osm.bz2 ou .osm.pbf."
    )
