"""maillage.geo: road networks and travel times (minutes).

- Networks: :func:`load_edge_list`, :func:`graph_from_osm_file`, :func:`load_network`,
  :func:`fetch_network`, :func:`default_network`, :func:`network_info`; compiled straight
  from a file, without networkx: :func:`load_road_graph` (:func:`road_graph_from_osm_file`,
  :func:`road_graph_from_graphml`); speed tables
  :data:`SPEEDS_KMH` (classified roads) and :data:`OSM_SPEEDS_KMH` (OSM ``highway``), km/h.
- Engine: :func:`compile_graph` (networkx) or :func:`graph_from_arrays` (your own arrays of
  nodes and arcs) → :class:`RoadGraph` (CSR arrays, scipy Dijkstra).
- Times: :func:`travel_time_matrix`, :func:`nearest`, :func:`isochrones`.
- Partitions: :func:`halo_metres`, :func:`subgraph`, :func:`within_halo`,
  :func:`pairs_within` (long format within a threshold); :func:`synthetic_road_graph`.
- Origins: :func:`population_points`, :func:`aggregate_by_commune`.
- Timers (what analysis code takes): :class:`Timer`, :class:`NetworkTimer`,
  :class:`StraightLineTimer`, :func:`default_timer`; :func:`straight_line_metres` (metres,
  for studies without a network).
"""

from .engine import RoadGraph, compile_graph, graph_from_arrays
from .isochrones import isochrones
from .networks import default_network, fetch_network, load_edge_list, load_network, network_info
from .osmfile import graph_from_osm_file
from .pbf import road_graph_from_osm_file
from .graphml import road_graph_from_graphml
from .loader import load_road_graph
from .roadfile import FileRoadGraph
from .population import aggregate_by_commune, population_points, read_population_grid
from .partition import halo_metres, max_straight_speed_kmh, pairs_within, subgraph, within_halo
from .routing import nearest, travel_time_matrix
from .snapping import ACCESS_SPEED_KMH, MAX_SNAP_M
from .synthetic import (
    ROAD_LIKE,
    ROAD_LIKE_DESCRIPTION,
    SYNTHETIC_DESCRIPTION,
    road_like,
    synthetic_road_graph,
)
from .speeds import OSM_SPEEDS_KMH, SPEEDS_KMH, WALK_SPEED_KMH, add_travel_times
from .timers import NetworkTimer, StraightLineTimer, Timer, default_timer, straight_line_metres

__all__ = [
    "ACCESS_SPEED_KMH",
    "MAX_SNAP_M",
    "OSM_SPEEDS_KMH",
    "SPEEDS_KMH",
    "ROAD_LIKE",
    "ROAD_LIKE_DESCRIPTION",
    "SYNTHETIC_DESCRIPTION",
    "WALK_SPEED_KMH",
    "NetworkTimer",
    "RoadGraph",
    "StraightLineTimer",
    "Timer",
    "FileRoadGraph",
    "add_travel_times",
    "aggregate_by_commune",
    "compile_graph",
    "default_network",
    "default_timer",
    "fetch_network",
    "graph_from_arrays",
    "graph_from_osm_file",
    "halo_metres",
    "isochrones",
    "load_edge_list",
    "load_network",
    "load_road_graph",
    "nearest",
    "max_straight_speed_kmh",
    "network_info",
    "pairs_within",
    "population_points",
    "read_population_grid",
    "road_graph_from_graphml",
    "road_graph_from_osm_file",
    "straight_line_metres",
    "subgraph",
    "road_like",
    "synthetic_road_graph",
    "travel_time_matrix",
    "within_halo",
]
