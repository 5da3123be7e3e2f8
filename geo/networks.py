"""Road networks: an edge list of classified roads, local OSM files, GraphML, osmnx downloads.

Every loader returns an osmnx-like ``networkx.MultiDiGraph``: node ``x``/``y`` (degrees,
EPSG:4326), edge ``length`` (metres), ``speed_kph`` (km/h) and ``travel_time`` (seconds), and
``graph.graph`` holding ``source`` and ``date`` (French text shown to users).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS

from maillage.atomic import atomic_path
from maillage.errors import InputError, NetworkError
from maillage.settings import LAYER_CRS, METRIC_CRS, cache_dir, offline, shared_data_dir

from .engine import compile_graph
from .osmfile import graph_from_osm_file
from .speeds import SPEEDS_KMH, add_travel_times

log = logging.getLogger(__name__)

EDGE_COLUMNS = ["u", "u_lat", "u_lon", "v", "v_lat", "v_lon", "route", "length_m_straight"]
#: The shared real graph of the Lot's A, N and D roads (relative to shared_data_dir()).
LOT_ROADS = Path("roads") / "travelmapping_edges_lot_bbox.csv"


def road_class(route: str) -> str:
    """Class of a French road number: "A", "N", "D", "E" (European number alone) or "B"."""
    head = str(route)[:1].upper()
    return head if head in {"A", "N", "D", "E"} else "B"


def load_edge_list(path, *, speeds_kmh: dict | None = None, detour: float = 1.15) -> nx.MultiDiGraph:
    r"""Road graph from a CSV edge list of two-way road segments with a road number.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with columns ``u``, ``u_lat``, ``u_lon``, ``v``, ``v_lat``, ``v_lon`` (degrees),
        ``route`` (e.g. "A20", "N122", "D820") and ``length_m_straight`` (metres).
    speeds_kmh : dict, optional
        Speed by road class, km/h (default :data:`SPEEDS_KMH`; keys "A", "N", "D", "E", "B").
    detour : float
        Road length ÷ straight segment length (segments are junction-to-junction chords).

    Returns
    -------
    networkx.MultiDiGraph
        Both directions of every segment; a segment shared by several routes (E-roads over
        A20/N roads, D-road concurrencies) is kept once, at its fastest class.

    Raises
    ------
    InputError
        Missing column or unusable value (file, line, column and fix named).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "troncons.csv"
    ...     _ = path.write_text("u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight\n"
    ...                         "1,44.45,1.44,2,44.53,1.40,D820,9500\n"
    ...                         "2,44.53,1.40,3,44.56,1.33,D13,6400\n", encoding="utf-8")
    ...     graph = load_edge_list(path)
    >>> graph.number_of_nodes(), graph.number_of_edges(), round(graph[1][2][0]["travel_time"])
    (3, 4, 524)
    """
    speeds = {**SPEEDS_KMH, **(speeds_kmh or {})}
    table = _read_edge_table(path)
    missing = [c for c in EDGE_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            f"colonnes manquantes : {', '.join(missing)}",
            file=path,
            row=1,
            fix=f"en-tête attendu : {','.join(EDGE_COLUMNS)}",
        )
    numeric = table[EDGE_COLUMNS].drop(columns="route").apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(numeric)
    bad["length_m_straight"] |= numeric["length_m_straight"] < 0
    for end in ("u", "v"):
        bad[f"{end}_lat"] |= numeric[f"{end}_lat"].abs() > 90
        bad[f"{end}_lon"] |= numeric[f"{end}_lon"].abs() > 180
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise InputError(
            "valeur numérique absente ou invalide", file=path, row=int(row) + 2, column=numeric.columns[col],
            fix="renseignez un nombre (coordonnées en degrés, longueur en mètres ≥ 0)",
        )  # fmt: skip
    table = table.assign(
        road_class=table["route"].map(road_class),
        speed_kph=lambda t: t["road_class"].map(speeds).astype(float),
        length=numeric["length_m_straight"] * detour,
        pair=[(min(a, b), max(a, b)) for a, b in zip(numeric["u"], numeric["v"])],
    )
    table = (
        table.sort_values("speed_kph", ascending=False, kind="stable")
        .drop_duplicates("pair")
        .sort_index()
    )
    graph = nx.MultiDiGraph(crs=LAYER_CRS, source=f"réseau classé A/N/D, fichier {Path(path).name}")
    for end in ("u", "v"):
        nodes = table[[end, f"{end}_lon", f"{end}_lat"]].drop_duplicates(end)
        graph.add_nodes_from(
            (int(n), {"x": x, "y": y}) for n, x, y in nodes.itertuples(index=False)
        )
    seconds = table["length"] / (table["speed_kph"] / 3.6)
    for (u, v), route, cls, kph, length, sec in zip(
        table["pair"],
        table["route"],
        table["road_class"],
        table["speed_kph"],
        table["length"],
        seconds,
    ):
        data = {
            "ref": route,
            "highway": cls,
            "length": length,
            "speed_kph": kph,
            "travel_time": sec,
        }
        graph.add_edge(int(u), int(v), **data)
        graph.add_edge(int(v), int(u), **data)
    graph.graph["date"] = _file_date(path)
    return graph


def _read_edge_table(path) -> pd.DataFrame:
    header = ",".join(EDGE_COLUMNS)
    try:
        table = pd.read_csv(path, dtype={"route": "string"})
    except pd.errors.EmptyDataError:
        raise InputError(
            "fichier vide", file=path, fix=f"exporter la liste de tronçons avec l'en-tête {header}"
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            f"fichier illisible ({exc})",
            file=path,
            fix=f"enregistrer un CSV UTF-8 d'en-tête {header}",
        ) from None
    if table.empty:
        raise InputError(
            "aucun tronçon (en-tête seul)",
            file=path,
            row=2,
            fix="ajouter au moins un tronçon sous l'en-tête",
        )
    return table


def load_network(path, **options) -> nx.MultiDiGraph:
    r"""Load a road graph from a file, choosing the reader from the extension.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.graphml``; ``.csv`` (edge list, see :func:`load_edge_list`); ``.osm``, ``.osm.xml``,
        ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf`` (see :func:`graph_from_osm_file`).
    **options
        Passed to the reader.

    Returns
    -------
    networkx.MultiDiGraph
        Road graph with ``travel_time`` (seconds) on its edges.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "troncons.csv"
    ...     _ = path.write_text("u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight\n"
    ...                         "1,44.45,1.44,2,44.53,1.40,D820,9500\n"
    ...                         "2,44.53,1.40,3,44.56,1.33,D13,6400\n", encoding="utf-8")
    ...     graph = load_network(path)
    >>> graph.number_of_edges()
    4
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise NetworkError(
            f"Fichier de réseau introuvable : {path}. Correction : vérifiez le chemin."
        )
    if name.endswith(".graphml"):
        # osmnx (≈ 3 s of imports: scikit-learn, matplotlib) only where a graph is read, built
        # or fetched with it: the Lot's edge list and the app start without it.
        import osmnx as ox

        try:
            graph = ox.io.load_graphml(path)
        except Exception as exc:  # XML, networkx and dtype errors alike
            raise NetworkError(
                f"Fichier GraphML illisible : {path} ({exc}). Correction : donnez un GraphML écrit par "
                "osmnx ou par « maillage network build »."
            ) from exc
        graph = _in_degrees(graph, path)
        if any("travel_time" not in d for *_, d in graph.edges(data=True)):
            add_travel_times(graph)
        graph.graph.setdefault("source", f"fichier GraphML {path.name}")
        graph.graph.setdefault("date", _file_date(path))
        return graph
    if name.endswith(".csv"):
        return load_edge_list(path, **options)
    if name.endswith((".osm", ".osm.xml", ".osm.gz", ".osm.bz2", ".pbf", ".xml")):
        graph = graph_from_osm_file(path, **options)
        graph.graph.setdefault("date", _file_date(path))
        return graph
    raise NetworkError(
        f"Format de réseau non reconnu : {path.name}. Correction : utilisez .graphml, .csv "
        "(liste de tronçons), .osm, .osm.gz, .osm.bz2 ou .osm.pbf."
    )


def _in_degrees(graph: nx.MultiDiGraph, path: Path) -> nx.MultiDiGraph:
    """The graph with node ``x``/``y`` in degrees (EPSG:4326), or a clear error.

    A graph saved projected (osmnx ``project_graph``) with its CRS declared is converted back;
    missing, infinite or NaN coordinates and metres declared as degrees are refused.
    """
    if graph.number_of_nodes() == 0:
        raise InputError("réseau sans aucun nœud", file=path,
                         fix="donner un GraphML écrit par osmnx ou par « maillage network "
                         "build »")
    ids = list(graph.nodes)
    xs = np.array([_as_float(graph.nodes[n].get("x")) for n in ids])
    ys = np.array([_as_float(graph.nodes[n].get("y")) for n in ids])
    bad = ~(np.isfinite(xs) & np.isfinite(ys))
    if bad.any():
        k = int(bad.nonzero()[0][0])
        column = "x" if not np.isfinite(xs[k]) else "y"
        raise InputError(f"nœud {ids[k]} sans coordonnées lisibles (x = {graph.nodes[ids[k]].get('x')}, "
                         f"y = {graph.nodes[ids[k]].get('y')}) ; {int(bad.sum())} nœud(s) concerné(s)",
                         file=path, column=column, fix="exporter à nouveau le réseau : chaque nœud "
                         "doit avoir x (longitude) et y (latitude) en degrés")
    declared = graph.graph.get("crs")
    try:
        crs = CRS.from_user_input(declared) if declared else None
    except Exception:  # pyproj's CRSError and friends
        crs = None
    if crs is not None and not crs.is_geographic:
        log.info("Réseau %s en %s : converti en WGS84 (EPSG:4326)", path, crs.to_string())
        import osmnx as ox  # only here (heavy import, see load_network)

        graph = ox.projection.project_graph(graph, to_latlong=True)
        graph.graph["crs"] = LAYER_CRS
        xs = np.array([graph.nodes[n]["x"] for n in ids], dtype=float)
        ys = np.array([graph.nodes[n]["y"] for n in ids], dtype=float)
    if not ((np.abs(xs) <= 180).all() and (np.abs(ys) <= 90).all()):
        k = int((~((np.abs(xs) <= 180) & (np.abs(ys) <= 90))).nonzero()[0][0])
        raise InputError(f"coordonnées des nœuds hors degrés (nœud {ids[k]} : x = {xs[k]:.6g}, "
                         f"y = {ys[k]:.6g}) : ce sont sans doute des mètres (Lambert-93) sans "
                         "système de coordonnées déclaré", file=path, column="x",
                         fix="enregistrer le graphe en WGS84 (osmnx : ox.project_graph(G, "
                         "to_latlong=True)) ou déclarer son système (crs) dans le GraphML")
    return graph


def _as_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def fetch_network(
    polygon, buffer_m: float = 10_000, *, network_type: str = "drive", date=None
) -> nx.MultiDiGraph:
    """Drive network of an area from OpenStreetMap (osmnx), cached as GraphML, reused offline.

    Parameters
    ----------
    polygon : shapely geometry, geopandas.GeoSeries or geopandas.GeoDataFrame
        The territory (communes): shapely geometries are read as EPSG:4326.
    buffer_m : float
        Margin around the territory, metres, so that cross-border trips are right.
    network_type : {"drive", "walk"}
        osmnx network type.
    date : datetime.date, optional
        Cache date (today by default); offline, the newest cached copy of the area is used.

    Returns
    -------
    networkx.MultiDiGraph
        Graph with ``travel_time`` (seconds); ``graph.graph["source"]`` and ``["date"]``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> graph = fetch_network(box(1.42, 44.43, 1.46, 44.47))  # doctest: +SKIP
    >>> graph.graph["source"]  # doctest: +SKIP
    'OpenStreetMap (osmnx, drive, tampon 10000 m)'
    """
    shape = (
        polygon
        if isinstance(polygon, (gpd.GeoSeries, gpd.GeoDataFrame))
        else gpd.GeoSeries([polygon], crs=LAYER_CRS)
    )
    if shape.crs is None:
        raise InputError(
            "Le contour du territoire n'a pas de CRS.", fix="indiquez-le avec .set_crs('EPSG:4326')"
        )
    area = shape.to_crs(METRIC_CRS).union_all().buffer(buffer_m).simplify(50)
    area = gpd.GeoSeries([area], crs=METRIC_CRS).to_crs(LAYER_CRS).iloc[0]
    key = hashlib.sha1(f"{network_type}|{area.wkt}".encode()).hexdigest()[:16]
    folder = cache_dir() / "networks"
    cached = sorted(folder.glob(f"{key}-*.graphml"))
    day = (date or dt.date.today()).isoformat()
    wanted = folder / f"{key}-{day}.graphml"
    if wanted.is_file() or (offline() and cached):
        path = wanted if wanted.is_file() else cached[-1]
        log.info("Réseau routier lu dans le cache : %s", path)
        return load_network(path)
    if offline():
        raise NetworkError(
            "Mode hors ligne (MAILLAGE_OFFLINE=1) et aucun réseau en cache pour ce territoire. "
            "Correction : lancez « maillage network fetch » une fois en ligne, ou "
            "« maillage network build FICHIER.osm.pbf »."
        )
    import osmnx as ox  # only here (heavy import, see load_network)

    try:
        graph = ox.graph_from_polygon(area, network_type=network_type)
    except Exception as exc:  # osmnx raises many kinds of errors (HTTP, empty response …)
        raise NetworkError(f"Téléchargement du réseau OSM impossible ({exc}). Correction : "
                           "réessayez ou construisez le réseau depuis un extrait Geofabrik "
                           "(.osm.pbf).") from exc
    add_travel_times(graph, walk=network_type == "walk")
    graph.graph.update(
        source=f"OpenStreetMap (osmnx, {network_type}, tampon {buffer_m:.0f} m)", date=day
    )
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(wanted) as tmp:
        ox.io.save_graphml(graph, tmp)
    return graph


@functools.lru_cache(maxsize=4)
def _shared_lot_roads(path: Path) -> nx.MultiDiGraph:
    return load_edge_list(path)


def default_network(territory=None) -> tuple[nx.MultiDiGraph | None, str]:
    """The road graph used when the user gives none, and a French description of it.

    Parameters
    ----------
    territory : maillage.layers.Territory, optional
        Reserved: the shared graph covers the Lot and its borders.

    Returns
    -------
    (networkx.MultiDiGraph or None, str)
        The shared graph of the Lot's A/N/D roads (one object reused across calls: do not
        modify it) when ``shared_data_dir()`` exists, else ``None``; and the description.

    Examples
    --------
    >>> graph, description = default_network()
    >>> graph is None or graph.number_of_nodes() > 0, isinstance(description, str)
    (True, True)
    """
    shared = shared_data_dir()
    path = None if shared is None else shared / LOT_ROADS
    if path is None or not path.is_file():
        return None, "aucun réseau routier local (dossier shared/data absent)"
    graph = _shared_lot_roads(path)
    speeds = ", ".join(f"{k} {v:g}" for k, v in SPEEDS_KMH.items() if k in "AND")
    return graph, (
        "réseau routier classé du Lot (autoroutes, nationales, départementales ; "
        f"{graph.number_of_nodes()} nœuds), "
        f"vitesses {speeds} km/h, détour 1,15 ; routes locales : accès à vol d'oiseau"
    )


def network_info(graph) -> dict:
    """Summary of a road graph for ``maillage network info`` (French keys).

    Parameters
    ----------
    graph : networkx.MultiDiGraph or RoadGraph
        Road graph with ``travel_time`` (seconds) on its edges, or a compiled one (as
        :func:`~maillage.geo.load_road_graph` returns: arcs counted as read).

    Returns
    -------
    dict
        ``nœuds``, ``tronçons``, ``part fortement connexe`` (share of nodes in the largest
        strongly connected component), ``emprise`` (lon/lat bounds), ``source``, ``date``.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph(crs="EPSG:4326")
    >>> graph.add_nodes_from([(1, {"x": 1.44, "y": 44.45}), (2, {"x": 1.40, "y": 44.53}),
    ...                       (3, {"x": 1.33, "y": 44.56})])
    >>> for u, v, seconds in [(1, 2, 600.0), (2, 3, 480.0)]:
    ...     _ = graph.add_edge(u, v, travel_time=seconds), graph.add_edge(v, u, travel_time=seconds)
    >>> info = network_info(graph)
    >>> info["nœuds"], info["tronçons"], info["part fortement connexe"]
    (3, 4, 1.0)
    """
    road = compile_graph(graph)
    if isinstance(graph, nx.Graph):
        nodes, edges, meta = graph.number_of_nodes(), graph.number_of_edges(), graph.graph
    else:  # a RoadGraph, e.g. from load_road_graph (a FileRoadGraph carries its file's info)
        meta = getattr(graph, "info", {})
        nodes, edges = road.n_nodes, meta.get("n_edges", road.matrix.nnz)
    return {
        "nœuds": nodes,
        "tronçons": edges,
        "part fortement connexe": road.main_share,
        "emprise": (road.lon.min(), road.lat.min(), road.lon.max(), road.lat.max()),
        "source": meta.get("source", "inconnue"),
        "date": meta.get("date", "inconnue"),
    }


def _file_date(path) -> str:
    return dt.date.fromtimestamp(Path(path).stat().st_mtime).isoformat()
