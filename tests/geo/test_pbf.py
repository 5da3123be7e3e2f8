"""Compiled graphs straight from OSM and GraphML files (no networkx) equal the networkx route.

The networkx route is what maillage did before: ``graph_from_osm_file(path, simplify=False)``
(osmnx ``graph_from_xml``) or ``load_network(path.graphml)``, then ``compile_graph``.
"""

from __future__ import annotations

import numpy as np
import osmnx as ox
import pytest

from maillage.errors import InputError, NetworkError
from maillage.geo import (
    FileRoadGraph,
    compile_graph,
    graph_from_osm_file,
    load_network,
    load_road_graph,
    road_graph_from_graphml,
    road_graph_from_osm_file,
)
from maillage.geo.networks import network_info

SOURCES = 40


def assert_same_graph(road, reference, *, exact=True):
    """Same nodes and coordinates, same arcs and weights, same times, same main component."""
    assert road.n_nodes == reference.n_nodes
    ref_ids = np.asarray(reference.node_ids.tolist(), dtype=np.int64)
    perm = np.searchsorted(road.node_ids, ref_ids)  # reference index → road index
    assert np.array_equal(road.node_ids[perm], ref_ids)
    assert np.array_equal(road.lon[perm], reference.lon)
    assert np.array_equal(road.lat[perm], reference.lat)
    arcs = reference.matrix.tocoo()
    weights = np.asarray(road.matrix.tocsr()[perm[arcs.row], perm[arcs.col]]).ravel()
    assert road.matrix.nnz == reference.matrix.nnz
    assert np.array_equal(weights, arcs.data) if exact else np.allclose(weights, arcs.data, rtol=1e-12)
    sources = np.random.default_rng(15).choice(reference.n_nodes, min(SOURCES, reference.n_nodes),
                                               replace=False)
    expected = reference.times(sources)
    got = road.times(perm[sources])[:, perm]
    assert np.isfinite(expected).any()
    assert np.array_equal(got, expected) if exact else np.allclose(got, expected, rtol=1e-12)
    assert road.main_share == reference.main_share
    assert np.array_equal(road.reaches_main[perm], reference.reaches_main)
    assert np.array_equal(road.reached_from_main[perm], reference.reached_from_main)


@pytest.mark.parametrize("name", ["andorra.osm.gz", "saint_barthelemy.osm.pbf",
                                  "saint_barthelemy.osm.bz2"])
def test_real_extracts_give_the_networkx_graph_bit_for_bit(shared_data, name):
    path = shared_data / "osm" / name
    road = road_graph_from_osm_file(path)
    graph = graph_from_osm_file(path, simplify=False)
    assert_same_graph(road, compile_graph(graph))
    assert road.info["n_edges"] == graph.number_of_edges()
    assert road.info["ways_trimmed"] == graph.graph["ways_trimmed"]


def test_walking_network_too(shared_data):
    path = shared_data / "osm" / "andorra.osm.gz"
    road = road_graph_from_osm_file(path, network_type="walk")
    assert_same_graph(road, compile_graph(graph_from_osm_file(path, simplify=False,
                                                              network_type="walk")))


# Every rule in one small file: one-way values, roundabout, reversed ways, repeated nodes,
# maxspeed in mph / implicit / per lane, a highway value missing from the speed table (mean
# maxspeed of its arcs), a way cut by a clipped node, a path (not drivable), a second smaller
# component (dropped), a private road.
HAND_MADE = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
{nodes}
  <way id="1"><nd ref="1"/><nd ref="2"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/>
    <tag k="maxspeed" v="50"/></way>
  <way id="2"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="3"><nd ref="4"/><nd ref="5"/><tag k="highway" v="residential"/><tag k="oneway" v="-1"/></way>
  <way id="4"><nd ref="5"/><nd ref="6"/><tag k="highway" v="tertiary"/><tag k="oneway" v="reverse"/>
    <tag k="maxspeed" v="30 mph"/></way>
  <way id="5"><nd ref="6"/><nd ref="7"/><tag k="highway" v="secondary"/><tag k="oneway" v="T"/></way>
  <way id="6"><nd ref="7"/><nd ref="8"/><tag k="highway" v="secondary"/><tag k="oneway" v="F"/>
    <tag k="maxspeed" v="FR:urban"/></way>
  <way id="7"><nd ref="8"/><nd ref="9"/><nd ref="10"/><nd ref="8"/><tag k="highway" v="primary"/>
    <tag k="junction" v="roundabout"/></way>
  <way id="8"><nd ref="10"/><nd ref="11"/><tag k="highway" v="busy_road"/><tag k="maxspeed" v="90"/></way>
  <way id="9"><nd ref="11"/><nd ref="12"/><tag k="highway" v="busy_road"/><tag k="maxspeed" v="70|50"/></way>
  <way id="10"><nd ref="12"/><nd ref="13"/><tag k="highway" v="busy_road"/></way>
  <way id="11"><nd ref="13"/><nd ref="14"/><tag k="highway" v="odd_road"/><tag k="oneway" v="no"/></way>
  <way id="12"><nd ref="999"/><nd ref="14"/><nd ref="15"/><nd ref="16"/><nd ref="998"/><nd ref="1"/>
    <tag k="highway" v="unclassified"/></way>
  <way id="13"><nd ref="16"/><nd ref="17"/><tag k="highway" v="path"/></way>
  <way id="14"><nd ref="2"/><nd ref="17"/><tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="15"><nd ref="20"/><nd ref="21"/><nd ref="22"/><tag k="highway" v="residential"/></way>
  <way id="16"><nd ref="15"/><nd ref="1"/><tag k="highway" v="motorway"/><tag k="maxspeed" v="none"/></way>
</osm>
"""


def _hand_made(tmp_path):
    rng = np.random.default_rng(3)
    ids = [*range(1, 18), 20, 21, 22]
    lat = 44.40 + rng.random(len(ids)) * 0.05
    lon = 1.40 + rng.random(len(ids)) * 0.05
    nodes = "\n".join(f'  <node id="{i}" lat="{a:.7f}" lon="{o:.7f}"/>' for i, a, o in zip(ids, lat, lon))
    path = tmp_path / "bourg.osm"
    path.write_text(HAND_MADE.format(nodes=nodes), encoding="utf-8")
    return path


def test_one_way_speeds_clipped_ways_and_components_follow_osmnx(tmp_path):
    path = _hand_made(tmp_path)
    road = road_graph_from_osm_file(path)
    graph = graph_from_osm_file(path, simplify=False)
    assert_same_graph(road, compile_graph(graph))
    assert road.n_nodes == 16  # nodes 20-22 (second component) and 17 (path, private) are out
    assert road.info["ways_trimmed"] == graph.graph["ways_trimmed"] == 1
    # way 2 (oneway=yes) runs 3 → 4 only; way 3 (oneway=-1) runs 5 → 4 only
    at = {int(n): i for i, n in enumerate(road.node_ids)}
    assert road.matrix[at[3], at[4]] > 0 and road.matrix[at[4], at[3]] == 0
    assert road.matrix[at[5], at[4]] > 0 and road.matrix[at[4], at[5]] == 0


def test_graphml_streamed_equals_load_network_with_and_without_travel_times(shared_data, tmp_path):
    graph = graph_from_osm_file(shared_data / "osm" / "andorra.osm.gz")  # simplified: lists
    with_times = tmp_path / "andorre.graphml"
    ox.io.save_graphml(graph, with_times)
    for _, _, data in graph.edges(data=True):
        del data["travel_time"], data["speed_kph"]
    lengths_only = tmp_path / "andorre-longueurs.graphml"
    ox.io.save_graphml(graph, lengths_only)
    for path in (with_times, lengths_only):
        road = road_graph_from_graphml(path)
        reference = load_network(path)
        assert_same_graph(road, compile_graph(reference))
        assert road.info["n_edges"] == reference.number_of_edges()
        assert road.info["source"] == reference.graph["source"]


def test_undirected_graphml_is_two_way(tmp_path):
    path = tmp_path / "non-oriente.graphml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="x" for="node" attr.name="x"/><key id="y" for="node" attr.name="y"/>'
        '<key id="t" for="edge" attr.name="travel_time"/>'
        '<graph edgedefault="undirected">'
        '<node id="a"><data key="x">1.44</data><data key="y">44.45</data></node>'
        '<node id="b"><data key="x">1.40</data><data key="y">44.53</data></node>'
        '<edge source="a" target="b"><data key="t">600</data></edge></graph></graphml>',
        encoding="utf-8")
    road = road_graph_from_graphml(path)
    assert list(road.node_ids) == ["a", "b"]
    assert road.times([1], [0])[0, 0] == road.times([0], [1])[0, 0] == 600.0


def test_load_road_graph_dispatches_and_network_info_reads_it(shared_data):
    road = load_road_graph(shared_data / "osm" / "saint_barthelemy.osm.pbf")
    assert isinstance(road, FileRoadGraph)
    info = network_info(road)
    assert info["nœuds"] == road.n_nodes == 3678
    assert info["tronçons"] == road.info["n_edges"]
    assert info["source"] == "OpenStreetMap, fichier saint_barthelemy.osm.pbf"
    edges = load_road_graph(shared_data / "roads" / "travelmapping_edges_lot_bbox.csv")
    assert edges.n_nodes == 5535 and network_info(edges)["tronçons"] == edges.info["n_edges"]


def test_cli_network_info_on_a_pbf_goes_without_networkx(shared_data, capsys, monkeypatch):
    from maillage.cli import main
    from maillage.geo import networks

    def refuse(*args, **kwargs):
        raise AssertionError("network info must not build a networkx graph")

    monkeypatch.setattr(networks, "load_network", refuse)
    monkeypatch.setattr("maillage.geo.load_network", refuse)
    assert main(["network", "info", str(shared_data / "osm" / "andorra.osm.gz")]) == 0
    out = capsys.readouterr().out
    assert "16 190" in out and "andorra.osm.gz" in out  # French thousands, terminal spacing


@pytest.mark.parametrize(("name", "content", "error", "words"), [
    ("casse.osm.pbf", b"pas un pbf", NetworkError, "Fichier OSM illisible"),
    ("page.osm", b"<html></html>", NetworkError, "Fichier OSM illisible"),
    ("sans-route.osm", b'<osm version="0.6"><node id="1" lat="44" lon="1"/></osm>', NetworkError,
     "Aucune route utilisable"),
    ("page.graphml", b"<html><body>404</body></html>", NetworkError, "Fichier GraphML illisible"),
    ("vide.graphml", b"", NetworkError, "Fichier GraphML illisible"),
    ("sans-noeud.graphml", b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph/></graphml>',
     InputError, "réseau sans aucun nœud"),
    ("reseau.shp", b"", NetworkError, "Format de réseau non reconnu"),
])
def test_bad_files_give_a_french_error_naming_the_file(tmp_path, name, content, error, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        load_road_graph(path)
    assert words in str(caught.value) and name in str(caught.value)
    assert "Correction" in str(caught.value)


def test_great_circle_is_osmnx_haversine_bit_for_bit():
    from maillage.geo.roadfile import great_circle_m

    rng = np.random.default_rng(2)
    lat1, lat2 = rng.uniform(41, 51, (2, 10_000))
    lon1, lon2 = rng.uniform(-5, 9, (2, 10_000))
    assert np.array_equal(great_circle_m(lat1, lon1, lat2, lon2),
                          ox.distance.great_circle(lat1, lon1, lat2, lon2))


@pytest.mark.parametrize("name", ["andorra.osm.gz", "saint_barthelemy.osm.pbf"])
def test_simplified_graph_keeps_osmnx_nodes_and_every_time_between_them(shared_data, name):
    path = shared_data / "osm" / name
    full = road_graph_from_osm_file(path)
    simple = load_road_graph(path, simplify=True)
    osmnx_nodes = graph_from_osm_file(path).nodes  # osmnx's simplification
    assert set(simple.node_ids.tolist()) == set(osmnx_nodes)
    assert simple.n_nodes < full.n_nodes / 3
    perm = np.searchsorted(full.node_ids, simple.node_ids)
    sources = np.arange(0, simple.n_nodes, max(1, simple.n_nodes // SOURCES))
    got, expected = simple.times(sources), full.times(perm[sources])[:, perm]
    assert np.array_equal(np.isinf(got), np.isinf(expected))
    assert np.allclose(got, expected, rtol=1e-13, atol=0)


def test_contraction_keeps_rings_one_way_chains_and_junctions():
    from maillage.geo.roadfile import contract_chains

    # 0 ⇄ 1 ⇄ 2 (two-way chain), 2 → 3 → 4 (one-way chain), 4 ⇄ 0, 0 ⇄ 8 (a dead end),
    # 5 → 6 → 7 → 5 (a one-way ring made of chain nodes only: kept whole).
    u = np.array([0, 1, 1, 2, 2, 3, 4, 0, 5, 6, 7, 0, 8])
    v = np.array([1, 0, 2, 1, 3, 4, 0, 4, 6, 7, 5, 8, 0])
    s = np.arange(1.0, 14.0)
    kept, cu, cv, cs = contract_chains(9, u, v, s)
    arcs = {(int(kept[a]), int(kept[b])): float(t) for a, b, t in zip(cu, cv, cs)}
    assert kept.tolist() == [0, 2, 4, 5, 6, 7, 8]
    assert arcs == {(0, 2): 1 + 3, (2, 0): 4 + 2, (2, 4): 5 + 6, (4, 0): 7, (0, 4): 8,
                    (5, 6): 9, (6, 7): 10, (7, 5): 11, (0, 8): 12, (8, 0): 13}
