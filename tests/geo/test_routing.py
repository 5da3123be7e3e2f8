"""Matrices, nearest destinations, snapping diagnostics, refusals, isochrones and timers on the
real graph of the Lot's A/N/D roads."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from maillage.errors import InputError, NetworkError
from maillage.geo import (
    NetworkTimer,
    StraightLineTimer,
    Timer,
    compile_graph,
    default_network,
    default_timer,
    isochrones,
    nearest,
    travel_time_matrix,
)

# Representative points (lon, lat) of a few Lot communes and places.
PLACES = {
    "cahors": (1.4417, 44.4475),
    "calamane": (1.4119, 44.5306),
    "catus": (1.3350, 44.5593),
    "gourdon": (1.3826, 44.7372),
    "figeac": (2.0317, 44.6086),
    "montcuq": (1.2087, 44.3385),
}


def places(*names: str) -> gpd.GeoSeries:
    lon, lat = zip(*(PLACES[n] for n in names))
    return gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326", index=list(names))


@pytest.fixture(scope="module")
def lot_roads():
    graph, _ = default_network()
    if graph is None:
        pytest.skip("shared/data absent: no road graph of the Lot")
    return graph


@pytest.mark.shared
def test_matrix_is_network_time_plus_both_access_legs(lot_roads):
    origins, destinations = places("calamane", "gourdon", "figeac"), places("cahors", "catus")
    minutes = travel_time_matrix(lot_roads, origins, destinations)
    assert list(minutes.index) == ["calamane", "gourdon", "figeac"]
    assert list(minutes.columns) == ["cahors", "catus"]
    snapping = minutes.attrs["snapping"].set_index("id")
    assert set(snapping["role"]) == {"origine", "destination"}
    assert (snapping["snap_m"] >= 0).all() and (snapping["snap_m"] < 5000).all()
    o, d = snapping.loc["gourdon"], snapping.loc["cahors"]
    network = nx.shortest_path_length(lot_roads, o["node_id"], d["node_id"], weight="travel_time") / 60
    assert minutes.loc["gourdon", "cahors"] == pytest.approx(
        network + o["access_min"] + d["access_min"], rel=1e-12
    )
    assert 20 < minutes.loc["gourdon", "cahors"] < 60, "Gourdon–Cahors is about 40 minutes by car"


@pytest.mark.shared
def test_a_facility_at_the_communes_own_point_is_zero_minutes_away_never_nan(lot_roads):
    minutes = travel_time_matrix(lot_roads, places("catus", "calamane"), places("catus"))
    assert minutes.loc["catus", "catus"] == 0.0
    assert not minutes.isna().any().any()
    # Calamane is 2 km from Catus's snapped node but 18 km from Catus: it takes the network.
    snapping = minutes.attrs["snapping"].set_index(["id", "role"])["access_min"]
    legs = snapping[("calamane", "origine")] + snapping[("catus", "destination")]
    assert minutes.loc["calamane", "catus"] > legs


def test_two_points_closer_to_each_other_than_to_the_network_go_straight():
    # One road A→B 10 km long at 60 km/h; two houses 300 m apart, each 2 km off the road
    # near A. Network route: 2 km + 0 + 2 km access at 20 km/h = 12 min; straight: 0.9 min.
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    graph.add_node(1, x=1.40, y=44.40)
    graph.add_node(2, x=1.40 + 10_000 / 79_500, y=44.40)
    graph.add_edge(1, 2, travel_time=600.0)
    graph.add_edge(2, 1, travel_time=600.0)
    houses = gpd.GeoSeries.from_xy(
        [1.40, 1.40 + 300 / 79_500], [44.418, 44.418], crs="EPSG:4326", index=["maison", "voisin"]
    )
    minutes = travel_time_matrix(graph, houses, houses, check_components=False)
    assert minutes.loc["maison", "voisin"] == pytest.approx(0.3 / 20 * 60, rel=0.05)
    near = nearest(graph, houses.loc[["maison"]], houses.loc[["voisin"]], check_components=False)
    assert near.loc["maison", "destination"] == "voisin"
    assert near.loc["maison", "minutes"] == pytest.approx(minutes.loc["maison", "voisin"])


@pytest.mark.shared
def test_cutoff_turns_longer_trips_into_inf(lot_roads):
    full = travel_time_matrix(lot_roads, places("cahors"), places("calamane", "figeac"))
    cut = travel_time_matrix(lot_roads, places("cahors"), places("calamane", "figeac"), cutoff=30)
    assert full.loc["cahors", "figeac"] > 30 and np.isinf(cut.loc["cahors", "figeac"])
    assert cut.loc["cahors", "calamane"] == full.loc["cahors", "calamane"]


@pytest.mark.shared
def test_nearest_matches_the_minimum_of_the_full_matrix(lot_roads):
    origins = places(*PLACES)
    destinations = places("cahors", "figeac", "gourdon")
    full = travel_time_matrix(lot_roads, origins, destinations)
    near = nearest(lot_roads, origins, destinations)
    np.testing.assert_allclose(near["minutes"], full.min(axis=1), rtol=1e-12)
    assert list(near["destination"]) == list(full.idxmin(axis=1))
    assert near.loc["catus", "destination"] == "cahors"
    capped = nearest(lot_roads, origins, destinations, cutoff=15)
    assert np.isinf(capped.loc["montcuq", "minutes"]) and pd.isna(
        capped.loc["montcuq", "destination"]
    )


@pytest.mark.shared
def test_a_point_far_from_the_roads_is_refused_with_its_name(lot_roads):
    lost = gpd.GeoSeries.from_xy(
        [1.44, -4.5], [44.45, 48.4], crs="EPSG:4326", index=["cahors", "brest"]
    )
    with pytest.raises(
        NetworkError, match=r"1 origine\(s\) à plus de 5 000 m du réseau routier : brest"
    ):
        travel_time_matrix(lot_roads, lost, places("cahors"))


def test_points_without_crs_are_refused():
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    graph.add_node(1, x=1.44, y=44.45)
    naive = gpd.GeoSeries.from_xy([1.44], [44.45])
    with pytest.raises(InputError, match="système de coordonnées"):
        travel_time_matrix(graph, naive, naive)


def test_a_dead_end_one_way_street_is_refused_or_gives_inf():
    """Node 3 can be entered (2 -> 3) but not left: no origin may start there."""
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for node, x in [(1, 1.40), (2, 1.41), (3, 1.42)]:
        graph.add_node(node, x=x, y=44.5)
    graph.add_edge(1, 2, travel_time=60.0)
    graph.add_edge(2, 1, travel_time=60.0)
    graph.add_edge(2, 3, travel_time=60.0)
    pts = gpd.GeoSeries.from_xy(
        [1.40, 1.42], [44.5, 44.5], crs="EPSG:4326", index=["bourg", "impasse"]
    )
    with pytest.raises(NetworkError, match="impasse"):
        travel_time_matrix(graph, pts, pts)
    minutes = travel_time_matrix(graph, pts, pts, check_components=False)
    assert minutes.loc["bourg", "impasse"] == 2.0
    assert np.isinf(minutes.loc["impasse", "bourg"])


@pytest.mark.shared
def test_isochrones_grow_with_minutes_and_contain_their_centre(lot_roads):
    shapes = isochrones(lot_roads, places("cahors"), minutes=[10, 20])
    assert shapes.crs == "EPSG:4326" and list(shapes["minutes"]) == [10.0, 20.0]
    small, large = shapes.geometry.to_crs("EPSG:2154")
    assert small.area < large.area and large.buffer(1).contains(small)
    assert large.contains(places("calamane").to_crs("EPSG:2154").iloc[0]), (
        "Calamane is ~12 min from Cahors"
    )


@pytest.mark.shared
def test_network_timer_is_exact_and_straight_line_timer_says_it_estimates(lot_roads):
    timer = default_timer()
    assert isinstance(timer, NetworkTimer) and isinstance(timer, Timer) and not timer.estimated
    assert "réseau routier classé du Lot" in timer.description
    exact = timer.matrix(places("calamane"), places("cahors"))
    assert exact.attrs["estimated"] is False
    assert (
        exact.iloc[0, 0]
        == travel_time_matrix(compile_graph(lot_roads), places("calamane"), places("cahors")).iloc[
            0, 0
        ]
    )


def test_straight_line_timer_is_distance_times_detour_over_speed():
    timer = StraightLineTimer(speed_kmh=60, detour=1.3)
    assert timer.estimated and "estimation à vol d'oiseau" in timer.description
    a = gpd.GeoSeries.from_xy([700_000], [6_400_000], crs="EPSG:2154", index=["a"])
    b = gpd.GeoSeries.from_xy(
        [710_000, 700_000], [6_400_000, 6_430_000], crs="EPSG:2154", index=["b", "c"]
    )
    minutes = timer.matrix(a, b)
    assert minutes.attrs["estimated"] is True
    assert minutes.loc["a", "b"] == pytest.approx(10.0 * 1.3)  # 10 km at 1 km/min
    near = timer.nearest(a, b)
    assert near.loc["a", "destination"] == "b" and near.attrs["estimated"] is True


def test_nearest_on_a_random_one_way_grid_agrees_with_the_matrix():
    rng = np.random.default_rng(12)
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    side = 12
    for i in range(side):
        for j in range(side):
            graph.add_node((i, j), x=1.40 + 0.004 * i, y=44.40 + 0.003 * j)
    for i in range(side):
        for j in range(side):
            for di, dj in [(1, 0), (0, 1)]:
                if i + di < side and j + dj < side:
                    seconds = float(rng.integers(20, 120))
                    graph.add_edge((i, j), (i + di, j + dj), travel_time=seconds)
                    if rng.random() < 0.7:  # 30 % of streets are one-way
                        graph.add_edge((i + di, j + dj), (i, j), travel_time=seconds)
    lon = 1.40 + rng.uniform(0, 0.044, 40)
    lat = 44.40 + rng.uniform(0, 0.033, 40)
    homes = gpd.GeoSeries.from_xy(
        lon[:30], lat[:30], crs="EPSG:4326", index=[f"foyer{i}" for i in range(30)]
    )
    crèches = gpd.GeoSeries.from_xy(
        lon[30:], lat[30:], crs="EPSG:4326", index=[f"eaje{i}" for i in range(10)]
    )
    full = travel_time_matrix(graph, homes, crèches, check_components=False)
    near = nearest(graph, homes, crèches, check_components=False)
    np.testing.assert_allclose(near["minutes"], full.min(axis=1), rtol=1e-12)
    reachable = np.isfinite(near["minutes"])
    chosen = [full.loc[h, d] for h, d in zip(near.index[reachable], near["destination"][reachable])]
    np.testing.assert_allclose(chosen, near["minutes"][reachable], rtol=1e-12)
