"""The compiled road graph: a networkx graph turned once into CSR arrays for scipy's Dijkstra.

Everything that computes shortest paths goes through :class:`RoadGraph`. Python only
orchestrates: the hot loop is :func:`scipy.sparse.csgraph.dijkstra` (compiled), run from
many sources at once, in chunks so that the ``sources × nodes`` result fits in memory.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import Transformer
from scipy.sparse.csgraph import connected_components, dijkstra

from maillage.errors import NetworkError
from maillage.settings import LAYER_CRS, METRIC_CRS

from ._parallel import default_workers, parallel_times

#: Upper bound of one Dijkstra result block (sources × nodes × 8 bytes), in bytes.
BLOCK_BYTES = 256 * 1024**2


@dataclass(eq=False)
class RoadGraph:
    """A directed road graph compiled to arrays.

    Attributes
    ----------
    node_ids : numpy.ndarray
        Original node identifiers (as in the networkx graph), position = compiled index.
    lon, lat : numpy.ndarray
        Node coordinates, degrees (EPSG:4326).
    x, y : numpy.ndarray
        Node coordinates, metres (EPSG:2154), for snapping.
    matrix : scipy.sparse.csr_matrix
        ``matrix[i, j]`` = smallest weight of the edges i → j (seconds for ``travel_time``).
        One-way streets are respected: the matrix is not symmetric.
    weight : str
        Edge attribute the matrix was built from.
    reaches_main, reached_from_main : numpy.ndarray of bool
        Whether each node can reach / be reached from the largest strongly connected component.

    Examples
    --------
    Three villages on a road with a one-way stretch, compiled once; ``times`` runs the searches on
    the arrays (seconds):

    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph(crs="EPSG:4326")
    >>> graph.add_nodes_from([("cahors", {"x": 1.44, "y": 44.45}),
    ...                       ("calamane", {"x": 1.40, "y": 44.53}),
    ...                       ("catus", {"x": 1.33, "y": 44.56})])
    >>> for u, v, seconds in [("cahors", "calamane", 600.0), ("calamane", "cahors", 600.0),
    ...                       ("calamane", "catus", 480.0)]:
    ...     _ = graph.add_edge(u, v, travel_time=seconds)
    >>> road = compile_graph(graph)
    >>> road.n_nodes, road.node_ids.tolist()
    (3, ['cahors', 'calamane', 'catus'])
    >>> road.times([0]).tolist()
    [[0.0, 600.0, 1080.0]]
    >>> road.times([2]).tolist()
    [[inf, inf, 0.0]]
    """

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    matrix: sp.csr_matrix
    weight: str
    reaches_main: np.ndarray
    reached_from_main: np.ndarray
    main_share: float
    _reverse: sp.csr_matrix | None = field(default=None, repr=False)
    _spare: tuple | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __getstate__(self) -> dict:
        """Pickled without its lock and per-process buffers (sent to worker processes)."""
        state = dict(self.__dict__)
        state["_lock"], state["_spare"] = None, None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def reverse(self) -> sp.csr_matrix:
        """The transposed matrix (edges reversed), built once on first use."""
        if self._reverse is None:
            self._reverse = self.matrix.transpose().tocsr()
        return self._reverse

    def times(
        self, sources, targets=None, *, limit=np.inf, reverse=False, out=None, workers=None
    ) -> np.ndarray:
        """Shortest-path weights from compiled node indices to compiled node indices.

        Parameters
        ----------
        sources : array of int
            Compiled indices of the source nodes.
        targets : array of int, optional
            Compiled indices of the nodes to keep (all nodes when None; repeats allowed).
        limit : float
            Paths longer than this (seconds) are ``inf``.
        reverse : bool
            Run on the reversed graph: result ``[i, j]`` is then the time from target j to
            source i.
        out : numpy.ndarray, optional
            C-contiguous float64 array of the result's shape to write into.
        workers : int, optional
            Processes sharing the sources (the CSR in shared memory, results identical bit for
            bit). Default: 1 for small problems, every core above ``PARALLEL_MIN_WORK``
            sources × nodes.

        Returns
        -------
        numpy.ndarray
            ``len(sources) × len(targets)`` float64 array, seconds, ``inf`` where unreachable.
        """
        sources = np.asarray(sources, dtype=np.int64)
        targets = None if targets is None else np.asarray(targets, dtype=np.int64)
        width = self.n_nodes if targets is None else len(targets)
        if out is None:
            out = np.empty((len(sources), width))
        graph = self.reverse if reverse else self.matrix
        if workers is None:
            workers = default_workers(len(sources), self.n_nodes)
        if workers > 1 and len(sources) > 1:
            return parallel_times(graph, sources, targets, limit, out, workers, BLOCK_BYTES)
        for start, block in self._blocks(sources, limit=limit, reverse=reverse):
            rows = slice(start, start + len(block))
            if targets is None:
                out[rows] = block
            else:  # columns gathered from the C-ordered block straight into the result
                np.take(block, targets, axis=1, out=out[rows], mode="clip")  # clip: unbuffered
        return out

    def _blocks(self, sources, *, limit=np.inf, reverse=False, step=None):
        """Dijkstra in this process, block by block: yields ``(first row, seconds)``.

        Each block is a fresh C-ordered ``rows × n_nodes`` float64 array (the caller may
        overwrite it) of at most ``BLOCK_BYTES``; rows follow ``sources``.
        """
        sources = np.asarray(sources, dtype=np.int64)
        graph = self.reverse if reverse else self.matrix
        step = max(1, BLOCK_BYTES // (8 * max(self.n_nodes, 1)))
        for start in range(0, len(sources), step):
            yield start, dijkstra(graph, directed=True, indices=sources[start : start + step],
                                  limit=limit)


    def nearest_seconds(self, nodes, seconds, *, limit=np.inf):
        """One multi-source Dijkstra on the reversed graph, from start nodes with a head start.

        Parameters
        ----------
        nodes : array of int
            Compiled indices of the start nodes (distinct).
        seconds : array of float
            Cost of reaching each start node (an access leg), seconds.
        limit : float
            Paths longer than this (seconds) are ``inf``.

        Returns
        -------
        tuple of numpy.ndarray
            ``(time, start)``: per node of the graph, the smallest ``seconds[k]`` + network
            time from the node to ``nodes[k]`` (seconds, ``inf`` if none within ``limit``), and
            that ``k`` (-1 when unreached).
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        k, n = len(nodes), self.n_nodes
        with self._lock:
            # Each start is a virtual node n + t with one arc to nodes[t]; the virtual rows sit
            # after the reversed graph's arcs in arrays kept between calls (no copy of the graph).
            reverse = self.reverse
            nnz = reverse.nnz
            if self._spare is None or self._spare[0] < k:
                capacity = max(k, 2 * (0 if self._spare is None else self._spare[0]), 64)
                # 32-bit indices when they fit, as scipy wants them (else it copies per call)
                index = np.int32 if max(nnz, n) + capacity < 2**31 else np.int64
                indptr = np.empty(n + capacity + 1, dtype=index)
                indptr[: n + 1] = reverse.indptr
                indptr[n + 1 :] = nnz + np.arange(1, capacity + 1)
                indices = np.empty(nnz + capacity, dtype=index)
                indices[:nnz] = reverse.indices
                data = np.empty(nnz + capacity)
                data[:nnz] = reverse.data
                self._spare = (capacity, indptr, indices, data)
            _, indptr, indices, data = self._spare
            indices[nnz : nnz + k] = nodes
            data[nnz : nnz + k] = seconds
            size = n + k
            augmented = sp.csr_matrix(
                (data[: nnz + k], indices[: nnz + k], indptr[: size + 1]), shape=(size, size)
            )
            time, _, start = dijkstra(augmented, directed=True, indices=np.arange(n, size),
                                      limit=limit, min_only=True, return_predecessors=True)
        start = start[:n].astype(np.int64)
        start[start >= 0] -= n
        return time[:n], np.where(start >= 0, start, -1)


_CACHE: "weakref.WeakKeyDictionary[nx.Graph, dict]" = weakref.WeakKeyDictionary()


def compile_graph(graph, weight: str = "travel_time") -> RoadGraph:
    """Compile a networkx road graph to a :class:`RoadGraph` (cached per graph object).

    Parameters
    ----------
    graph : networkx.MultiDiGraph or networkx.DiGraph or RoadGraph
        Road graph as osmnx returns it: node attributes ``x`` (longitude) and ``y``
        (latitude), degrees, unless ``graph.graph["crs"]`` says otherwise; edge attribute
        ``weight`` (``travel_time`` in seconds). An undirected graph is read as two-way.
    weight : str
        Edge attribute to minimise.

    Returns
    -------
    RoadGraph
        The compiled graph; compiling the same unchanged graph again returns the cached one.

    Raises
    ------
    NetworkError
        Empty graph, or edges without the weight attribute (French message with the fix).

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph(crs="EPSG:4326")
    >>> graph.add_nodes_from([(1, {"x": 1.44, "y": 44.45}), (2, {"x": 1.40, "y": 44.53}),
    ...                       (3, {"x": 1.33, "y": 44.56})])
    >>> for u, v, seconds in [(1, 2, 600.0), (2, 3, 480.0)]:
    ...     _ = graph.add_edge(u, v, travel_time=seconds), graph.add_edge(v, u, travel_time=seconds)
    >>> road = compile_graph(graph)
    >>> road.n_nodes
    3
    """
    if isinstance(graph, RoadGraph):
        if graph.weight != weight:
            raise NetworkError(
                f"Le graphe compilé porte le poids « {graph.weight} », pas « {weight} ». "
                "Correction : compilez le graphe networkx avec compile_graph(graphe, weight=…)."
            )
        return graph
    stamp = (graph.number_of_nodes(), graph.number_of_edges())
    cached = _CACHE.get(graph, {}).get(weight)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    road = _compile(graph, weight)
    _CACHE.setdefault(graph, {})[weight] = (stamp, road)
    return road


def _compile(graph, weight: str) -> RoadGraph:
    if graph.number_of_nodes() == 0:
        raise NetworkError("Le réseau routier est vide (aucun nœud). "
                           "Correction : vérifiez la source du réseau.")
    node_ids = np.empty(graph.number_of_nodes(), dtype=object)
    node_ids[:] = list(graph.nodes)  # element-wise, so that tuple ids stay tuples
    position = {node: i for i, node in enumerate(node_ids)}
    try:
        lon = np.fromiter((data["x"] for _, data in graph.nodes(data=True)), float, len(node_ids))
        lat = np.fromiter((data["y"] for _, data in graph.nodes(data=True)), float, len(node_ids))
    except KeyError as exc:
        raise NetworkError(
            "Des nœuds du réseau n'ont pas de coordonnées « x »/« y ». "
            "Correction : chargez le réseau avec maillage.geo.load_network."
        ) from exc
    crs = graph.graph.get("crs", LAYER_CRS)
    if str(crs).upper() != LAYER_CRS:
        lon, lat = Transformer.from_crs(crs, LAYER_CRS, always_xy=True).transform(lon, lat)

    edges = list(graph.edges(data=weight))
    missing = sum(1 for *_, w in edges if w is None)
    if missing:
        raise NetworkError(
            f"{missing} tronçons du réseau n'ont pas d'attribut « {weight} ». "
            "Correction : ajoutez les vitesses et temps de parcours (maillage.geo.add_travel_times)."
        )
    tail = np.fromiter((position[u] for u, _, _ in edges), np.int64, len(edges))
    head = np.fromiter((position[v] for _, v, _ in edges), np.int64, len(edges))
    cost = np.fromiter((float(w) for *_, w in edges), float, len(edges))
    return graph_from_arrays(
        node_ids, lon, lat, tail, head, cost, weight=weight, two_way=not graph.is_directed()
    )


def graph_from_arrays(
    node_ids,
    lon,
    lat,
    u,
    v,
    weight_seconds,
    *,
    weight: str = "travel_time",
    two_way: bool = False,
) -> RoadGraph:
    """Build the compiled road graph from plain arrays (a network of your own, no networkx).

    Parameters
    ----------
    node_ids : array-like, length n
        Node identifiers (any hashable: OSM ids, names, tuples), unique; position = compiled
        index. Snapping diagnostics report them as ``node_id``.
    lon, lat : array-like of float, length n
        Node coordinates, degrees (EPSG:4326).
    u, v : array-like of int, length m
        Arcs ``u[k] → v[k]`` as compiled indices (positions in ``node_ids``, 0 to n - 1).
    weight_seconds : array-like of float, length m
        Cost of each arc, seconds (finite, ≥ 0). Among duplicate arcs (same ``u``, ``v``) the
        smallest is kept.
    weight : str
        Name recorded for the weight (``travel_time``: :func:`travel_time_matrix` and the timers
        ask for it).
    two_way : bool
        Also add every arc in the opposite direction, with the same cost.

    Returns
    -------
    RoadGraph
        The compiled graph: CSR matrix of seconds, coordinates in degrees and in EPSG:2154
        metres, reach to and from the largest strongly connected component.

    Raises
    ------
    NetworkError
        Empty graph, arrays of different lengths, duplicate node ids, arcs naming a node
        outside ``0 … n - 1``, non-finite coordinates, or negative or non-finite weights
        (French message with the fix).

    Examples
    --------
    >>> road = graph_from_arrays(
    ...     ["Cahors", "Calamane", "Catus"], [1.44, 1.40, 1.33], [44.45, 44.53, 44.56],
    ...     u=[0, 1, 1], v=[1, 2, 2], weight_seconds=[600.0, 540.0, 480.0], two_way=True)
    >>> road.n_nodes, road.matrix.nnz
    (3, 4)
    >>> float(road.times([0], [2])[0, 0])  # Cahors → Catus, seconds: 600 + 480
    1080.0
    """
    if isinstance(node_ids, np.ndarray) and node_ids.ndim == 1:
        ids = node_ids
    else:
        listed = list(node_ids)
        ids = np.empty(len(listed), dtype=object)
        ids[:] = listed  # element-wise, so that tuple ids stay tuples
    n = len(ids)
    if n == 0:
        raise NetworkError("Le réseau routier est vide (aucun nœud). "
                           "Correction : vérifiez la source du réseau.")
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    tail = np.asarray(u)
    head = np.asarray(v)
    cost = np.asarray(weight_seconds, dtype=np.float64)
    if lon.shape != (n,) or lat.shape != (n,):
        raise NetworkError(
            f"{n} nœuds mais {lon.size} longitudes et {lat.size} latitudes. "
            "Correction : donnez une longitude et une latitude par nœud."
        )
    if not (tail.ndim == head.ndim == cost.ndim == 1) or not (len(tail) == len(head) == len(cost)):
        raise NetworkError(
            f"Arcs incohérents : {tail.size} origines u, {head.size} arrivées v, {cost.size} "
            "poids. Correction : donnez u, v et weight_seconds de même longueur."
        )
    if len(tail) and not (np.issubdtype(tail.dtype, np.integer) and np.issubdtype(head.dtype, np.integer)):
        raise NetworkError(
            "Les arcs u, v doivent être des indices entiers de nœuds (0 à n - 1). "
            "Correction : convertissez les identifiants en positions dans node_ids."
        )
    if len(tail) and (min(tail.min(), head.min()) < 0 or max(tail.max(), head.max()) >= n):
        raise NetworkError(
            f"Des arcs citent un nœud hors de 0 … {n - 1}. "
            "Correction : u et v sont des positions dans node_ids, pas des identifiants."
        )
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise NetworkError(
            "Des nœuds ont des coordonnées manquantes ou non finies. "
            "Correction : renseignez lon/lat (degrés, EPSG:4326) de chaque nœud."
        )
    if not pd.Index(ids).is_unique:
        raise NetworkError(
            "Des identifiants de nœuds sont en double. Correction : un identifiant par nœud."
        )
    if (cost < 0).any() or not np.isfinite(cost).all():
        raise NetworkError(
            f"Des poids « {weight} » sont négatifs ou non finis. Correction : recalculez-les."
        )
    tail, head = tail.astype(np.int64, copy=False), head.astype(np.int64, copy=False)
    if two_way:
        tail, head, cost = np.r_[tail, head], np.r_[head, tail], np.r_[cost, cost]
    matrix = _csr_keep_min(tail, head, cost, n)
    x, y = Transformer.from_crs(LAYER_CRS, METRIC_CRS, always_xy=True).transform(lon, lat)
    return road_graph_of(ids, lon, lat, np.asarray(x), np.asarray(y), matrix, weight)


def road_graph_of(ids, lon, lat, x, y, matrix: sp.csr_matrix, weight: str) -> RoadGraph:
    """A :class:`RoadGraph` from its arrays and CSR, with its components computed (none for
    an empty graph). Internal to ``geo``: graphs built from arcs, and parts of graphs."""
    if matrix.shape[0] == 0:
        empty = np.zeros(0, bool)
        return RoadGraph(ids, lon, lat, x, y, matrix, weight, empty, empty, 0.0)
    reaches, reached, share = _main_component_reach(matrix)
    return RoadGraph(ids, lon, lat, x, y, matrix, weight, reaches, reached, share)


def _csr_keep_min(tail: np.ndarray, head: np.ndarray, cost: np.ndarray, n: int) -> sp.csr_matrix:
    """Canonical CSR (rows sorted by column) of the arcs, the smallest cost among duplicates.

    Built directly from the sorted arcs (the CSR constructor would *sum* duplicates), with
    32-bit column indices when they fit, as scipy's Dijkstra reads them.
    """
    key = tail * n + head
    order = np.argsort(key, kind="stable")
    key = key[order]
    cost = cost[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    if not first.all():  # duplicate arcs: the minimum of each run
        starts = np.flatnonzero(first)
        cost = np.minimum.reduceat(cost, starts)
        key = key[starts]
    index = np.int32 if max(n, len(key)) < 2**31 else np.int64
    indptr = np.zeros(n + 1, dtype=index)
    np.cumsum(np.bincount(key // n, minlength=n), out=indptr[1:])
    matrix = sp.csr_matrix((cost, (key % n).astype(index), indptr), shape=(n, n))
    matrix.has_sorted_indices = True
    return matrix


def _main_component_reach(matrix: sp.csr_matrix):
    """Which nodes reach, and are reached from, the largest strongly connected component."""
    _, labels = connected_components(matrix, directed=True, connection="strong")
    counts = np.bincount(labels)
    main = int(np.argmax(counts))
    seed = int(np.flatnonzero(labels == main)[0])
    from_main = np.isfinite(dijkstra(matrix, indices=seed, unweighted=True))
    to_main = np.isfinite(dijkstra(matrix.transpose().tocsr(), indices=seed, unweighted=True))
    return to_main, from_main, float(counts[main] / len(labels))
