"""Road networks from the Lot's edge list, local OSM files, GraphML and the osmnx cache."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest
import shapely

from maillage.errors import InputError, NetworkError
from maillage.geo import (
    SPEEDS_KMH,
    fetch_network,
    graph_from_osm_file,
    load_edge_list,
    load_network,
    network_info,
)
from maillage.settings import shared_data_dir
from tests import paths

FIXTURES = paths.FIXTURES / "geo"
VILLAGE = FIXTURES / "bourg_sens_unique.osm"


def shared_file(*parts: str) -> Path:
    shared = shared_data_dir()
    if shared is None:
        pytest.skip("shared/data absent: real road data of the Lot not available")
    return shared.joinpath(*parts)


@pytest.fixture(scope="module")
def lot_edges():
    return load_edge_list(shared_file("roads", "travelmapping_edges_lot_bbox.csv"))


@pytest.mark.shared
def test_lot_edge_list_is_one_big_strongly_connected_graph(lot_edges):
    assert lot_edges.number_of_nodes() == 5535
    biggest = max(nx.strongly_connected_components(lot_edges), key=len)
    assert len(biggest) == 5532
    assert network_info(lot_edges)["part fortement connexe"] == pytest.approx(5532 / 5535)


@pytest.mark.shared
def test_e_road_duplicates_of_the_a20_are_dropped_and_speeds_follow_the_class(lot_edges):
    refs = nx.get_edge_attributes(lot_edges, "ref")
    pairs = {}
    for (u, v, _), ref in refs.items():
        pairs.setdefault((u, v), []).append(ref)
    assert all(len(r) == 1 for r in pairs.values()), "one edge per direction and segment"
    a20 = [d for *_, d in lot_edges.edges(data=True) if d["ref"] == "A20"]
    assert a20 and all(d["speed_kph"] == SPEEDS_KMH["A"] for d in a20)
    some = a20[0]
    assert some["travel_time"] == pytest.approx(some["length"] / (SPEEDS_KMH["A"] / 3.6))


@pytest.mark.shared
def test_speed_table_and_detour_can_be_overridden():
    path = shared_file("roads", "travelmapping_edges_lot_bbox.csv")
    slow = load_edge_list(path, speeds_kmh={"D": 50}, detour=1.3)
    d_road = next(d for *_, d in slow.edges(data=True) if d["highway"] == "D")
    assert d_road["speed_kph"] == 50


def test_edge_list_with_a_missing_coordinate_names_the_line(tmp_path):
    bad = tmp_path / "troncons.csv"
    bad.write_text(
        "u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight\n"
        "1,44.44,1.44,2,44.45,1.45,D820,1200\n"
        "2,44.45,1.45,3,,1.46,D820,1300\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_edge_list(bad)
    assert info.value.row == 3 and info.value.column == "v_lat"


def test_osm_way_referencing_a_clipped_node_is_trimmed_and_counted():
    graph = graph_from_osm_file(VILLAGE, simplify=False)
    assert graph.graph["ways_trimmed"] == 1 and graph.graph["ways_dropped"] == 0
    assert graph.has_edge(4, 5) and 99 not in graph
    assert 6 not in graph, "the footway is not part of the drive network"
    walk = graph_from_osm_file(VILLAGE, network_type="walk", simplify=False)
    assert 6 in walk and walk.has_edge(2, 1), "walkers may go both ways along a one-way street"
    assert walk.edges[2, 1, 0]["speed_kph"] == 4.5


def test_graphml_round_trip_keeps_travel_times(tmp_path):
    graph = graph_from_osm_file(VILLAGE, simplify=False)
    ox.io.save_graphml(graph, tmp_path / "bourg.graphml")
    again = load_network(tmp_path / "bourg.graphml")
    assert again.edges[1, 2, 0]["travel_time"] == pytest.approx(graph.edges[1, 2, 0]["travel_time"])


def test_unknown_format_is_refused_in_french(tmp_path):
    odd = tmp_path / "reseau.shp"
    odd.write_bytes(b"")
    with pytest.raises(NetworkError, match="Format de réseau non reconnu"):
        load_network(odd)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["saint_barthelemy.osm.pbf", "saint_barthelemy.osm.bz2"])
def test_saint_barthelemy_extract_loads_from_pbf_and_bz2(name):
    graph = load_network(shared_file("osm", name))
    assert graph.number_of_nodes() > 500
    assert all("travel_time" in d for *_, d in graph.edges(data=True))


SQUARE = shapely.box(1.41, 44.52, 1.43, 44.53)


def test_fetch_downloads_once_then_reuses_the_cache_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path))
    monkeypatch.delenv("MAILLAGE_OFFLINE", raising=False)
    calls = []

    def recorded_download(polygon, network_type):
        calls.append(polygon)
        return graph_from_osm_file(VILLAGE, simplify=False)  # stands for the Overpass answer

    monkeypatch.setattr(ox, "graph_from_polygon", recorded_download)
    first = fetch_network(SQUARE, buffer_m=500)
    assert len(calls) == 1 and calls[0].contains(SQUARE), "the area is buffered"
    assert list((tmp_path / "networks").glob("*.graphml"))
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    again = fetch_network(SQUARE, buffer_m=500)
    assert len(calls) == 1
    assert again.number_of_edges() == first.number_of_edges()


def test_fetch_offline_without_cache_explains_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path))
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    with pytest.raises(NetworkError, match="maillage network build"):
        fetch_network(SQUARE)


def test_cli_network_build_and_info(tmp_path, capsys):
    from maillage.cli import main

    out = tmp_path / "bourg.graphml"
    assert main(["network", "build", str(VILLAGE), "--out", str(out)]) == 0
    assert out.is_file()
    assert main(["network", "info", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Part fortement connexe" in printed and "bourg_sens_unique.osm" in printed
    assert main(["network", "info", str(tmp_path / "absent.osm")]) == 2
