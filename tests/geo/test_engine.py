"""The compiled engine gives exactly networkx's Dijkstra times, respects one-way streets and
reports unreachable pairs as inf."""

from __future__ import annotations


import geopandas as gpd
import networkx as nx
import numpy as np
import pytest

from maillage.errors import NetworkError
from maillage.geo import compile_graph, graph_from_arrays, graph_from_osm_file, travel_time_matrix
from tests import paths


def networkx_times(graph, sources, targets, weight="travel_time"):
    """Reference: one networkx single-source Dijkstra per source (seconds, inf unreachable)."""
    out = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(graph, s, weight=weight)
        out[i] = [lengths.get(t, np.inf) for t in targets]
    return out


def random_road_graph(seed: int, n: int = 60, m: int = 180) -> nx.MultiDiGraph:
    """A random directed multigraph with parallel edges, one-way edges and isolated parts."""
    rng = np.random.default_rng(seed)
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for node in range(n):
        graph.add_node(node * 7 + 3, x=1.4 + rng.random() * 0.2, y=44.4 + rng.random() * 0.2)
    ids = list(graph.nodes)
    for _ in range(m):
        u, v = rng.choice(ids, 2, replace=False)
        graph.add_edge(int(u), int(v), travel_time=float(rng.integers(1, 600)) + rng.random())
    return graph


@pytest.mark.parametrize("seed", range(5))
def test_random_directed_graphs_match_networkx_exactly(seed):
    graph = random_road_graph(seed)
    road = compile_graph(graph)
    ids = list(road.node_ids)
    expected = networkx_times(graph, ids, ids)
    got = road.times(np.arange(road.n_nodes))
    assert np.array_equal(got, expected)
    assert np.isinf(got).any(), "the random graph should have unreachable pairs"
    # On reversed edges the same path is summed from the other end: equal to the last bits.
    reversed_run = road.times(np.arange(road.n_nodes), reverse=True).T
    np.testing.assert_allclose(reversed_run, expected, rtol=1e-12)
    assert np.array_equal(np.isinf(reversed_run), np.isinf(expected))


def test_parallel_edges_keep_the_fastest_and_cutoff_gives_inf():
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    graph.add_node("a", x=1.44, y=44.45)
    graph.add_node("b", x=1.45, y=44.45)
    graph.add_edge("a", "b", travel_time=300.0)
    graph.add_edge("a", "b", travel_time=120.0)
    road = compile_graph(graph)
    assert road.times([0], [1])[0, 0] == 120.0
    assert np.isinf(road.times([0], [1], limit=119.0)[0, 0])
    assert np.isinf(road.times([1], [0])[0, 0]), "no edge b -> a: unreachable"


def square_with_one_way_street() -> nx.MultiDiGraph:
    """Four junctions around a village square; the north street 1 -> 2 is one-way."""
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for node, (x, y) in {1: (1.410, 44.52), 2: (1.420, 44.53), 3: (1.430, 44.52), 4: (1.420, 44.51)}.items():
        graph.add_node(node, x=x, y=y)
    graph.add_edge(1, 2, travel_time=60.0)
    for u, v, seconds in [(2, 3, 90.0), (3, 4, 120.0), (4, 1, 30.0)]:
        graph.add_edge(u, v, travel_time=seconds)
        graph.add_edge(v, u, travel_time=seconds)
    return graph


def test_one_way_street_is_respected_on_a_hand_made_square():
    graph = square_with_one_way_street()
    points = gpd.GeoSeries.from_xy([1.410, 1.420], [44.52, 44.53], crs="EPSG:4326", index=["mairie", "école"])
    minutes = travel_time_matrix(graph, points, points)
    assert minutes.loc["mairie", "école"] == pytest.approx(60.0 / 60)
    # back against the one-way street: 2 -> 3 -> 4 -> 1 = 90 + 120 + 30 s
    assert minutes.loc["école", "mairie"] == pytest.approx(240.0 / 60)
    assert minutes.loc["mairie", "mairie"] == 0.0, "points on their node: zero access, zero self-time"


def test_one_way_street_is_respected_in_an_osm_file():
    graph = graph_from_osm_file(paths.FIXTURES / "geo" / "bourg_sens_unique.osm", simplify=False)
    road = compile_graph(graph)
    index = {node: i for i, node in enumerate(road.node_ids)}
    forward, backward = road.times([index[1], index[2]], [index[2], index[1]]).diagonal()
    edge_12 = graph.edges[1, 2, 0]["travel_time"]
    assert forward == edge_12
    assert backward > forward, "Rue de l'Église is one-way: the way back goes round the square"
    assert backward == pytest.approx(networkx_times(graph, [2], [1])[0, 0], abs=0)


@pytest.fixture(scope="module")
def andorra(shared_data):
    return graph_from_osm_file(shared_data / "osm" / "andorra.osm.gz")


@pytest.mark.shared
def test_andorra_osm_times_equal_networkx_dijkstra_exactly(andorra):
    road = compile_graph(andorra)
    assert road.n_nodes > 1000
    rng = np.random.default_rng(46)
    sources = rng.choice(road.n_nodes, 40, replace=False)
    expected = networkx_times(andorra, list(road.node_ids[sources]), list(road.node_ids))
    got = road.times(sources)
    assert np.isfinite(got).mean() > 0.9
    assert np.array_equal(got, expected)


@pytest.mark.shared
def test_andorra_edges_without_speed_tags_get_french_default_speeds(andorra):
    speeds = [d["speed_kph"] for *_, d in andorra.edges(data=True)]
    assert all(np.isfinite(speeds)) and min(speeds) > 0
    assert all(d["travel_time"] > 0 for *_, d in andorra.edges(data=True))


def test_graph_from_arrays_is_what_compile_graph_builds():
    graph = random_road_graph(3)
    road = compile_graph(graph)
    index = {node: i for i, node in enumerate(road.node_ids)}
    edges = list(graph.edges(data="travel_time"))
    built = graph_from_arrays(
        [node for node in graph.nodes],
        [graph.nodes[node]["x"] for node in graph.nodes],
        [graph.nodes[node]["y"] for node in graph.nodes],
        np.array([index[a] for a, _, _ in edges]),
        np.array([index[b] for _, b, _ in edges]),
        np.array([w for *_, w in edges]),
    )
    assert list(built.node_ids) == list(road.node_ids)
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(built.matrix, name), getattr(road.matrix, name))
    assert np.array_equal(built.reaches_main, road.reaches_main)
    assert np.array_equal(built.reached_from_main, road.reached_from_main)
    np.testing.assert_array_equal(built.x, road.x)
    expected = networkx_times(graph, list(graph), list(graph))
    assert np.array_equal(built.times(np.arange(built.n_nodes)), expected)


def test_graph_from_arrays_keeps_the_fastest_duplicate_and_can_be_two_way():
    road = graph_from_arrays(
        np.array([10, 20, 30]), [1.44, 1.40, 1.33], [44.45, 44.53, 44.56],
        u=[0, 0, 1, 0], v=[1, 1, 2, 1], weight_seconds=[300.0, 120.0, 60.0, 200.0],
    )
    assert road.times([0], [1])[0, 0] == 120.0 and road.times([0], [2])[0, 0] == 180.0
    assert np.isinf(road.times([2], [0])[0, 0]), "one-way arcs by default"
    assert road.node_ids.dtype == np.int64, "an int array of ids is kept as is (no object copy)"
    both = graph_from_arrays(["a", "b"], [1.44, 1.40], [44.45, 44.53], [0], [1], [90.0], two_way=True)
    assert both.times([1], [0])[0, 0] == 90.0
    origins = gpd.GeoSeries.from_xy([1.44], [44.45], crs="EPSG:4326", index=["mairie"])
    destinations = gpd.GeoSeries.from_xy([1.40], [44.53], crs="EPSG:4326", index=["école"])
    assert travel_time_matrix(both, origins, destinations).loc["mairie", "école"] == 1.5


@pytest.mark.parametrize(
    "change, words",
    [
        (dict(node_ids=[]), "vide"),
        (dict(lat=[44.45]), "latitudes"),
        (dict(v=[1, 1]), "même longueur"),
        (dict(v=[3]), "hors de 0"),
        (dict(u=[0.0]), "indices entiers"),
        (dict(weight_seconds=[-1.0]), "négatifs"),
        (dict(weight_seconds=[np.nan]), "non finis"),
        (dict(lon=[1.44, np.nan]), "non finies"),
        (dict(node_ids=["a", "a"]), "en double"),
    ],
)
def test_graph_from_arrays_refuses_bad_arrays_in_french(change, words):
    arguments = dict(node_ids=["a", "b"], lon=[1.44, 1.40], lat=[44.45, 44.53], u=[0], v=[1],
                     weight_seconds=[90.0])
    arguments.update(change)
    with pytest.raises(NetworkError, match=words):
        graph_from_arrays(**arguments)
