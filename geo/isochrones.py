"""Isochrones: the area reachable from a centre within N minutes, as polygons.

Method: one Dijkstra run per centre (limited to the largest threshold); for each threshold,
the road segments whose two ends are reached in time are drawn as straight lines between their
nodes, buffered by ``buffer_m`` metres in EPSG:2154, and merged with the reached nodes buffered
the same way. The polygon follows the roads (no convex hull bridging valleys); it may be a
MultiPolygon. The centre's access leg counts against the budget.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.settings import LAYER_CRS, METRIC_CRS

from .engine import compile_graph
from .snapping import ACCESS_SPEED_KMH, MAX_SNAP_M, snap


def isochrones(
    graph,
    centres,
    minutes=(10, 15, 20),
    *,
    buffer_m: float = 250.0,
    max_snap_m: float = MAX_SNAP_M,
    access_speed_kmh: float = ACCESS_SPEED_KMH,
) -> gpd.GeoDataFrame:
    """Areas reachable from each centre within each number of minutes.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or RoadGraph
        Road graph, ``travel_time`` in seconds.
    centres : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS, index = centre ids.
    minutes : sequence of float
        Thresholds, minutes.
    buffer_m : float
        Half-width of the band drawn around reached roads, metres.
    max_snap_m : float
        Centres further than this from the network are refused, metres.
    access_speed_kmh : float
        Straight-line speed between a centre and its snapped node, km/h.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per centre and threshold: ``centre``, ``minutes``, ``geometry`` (Polygon or
        MultiPolygon, EPSG:4326; empty when the access leg alone exceeds the threshold).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import networkx as nx
    >>> from shapely.geometry import Point
    >>> graph = nx.MultiDiGraph(crs="EPSG:4326")
    >>> graph.add_nodes_from([(1, {"x": 1.44, "y": 44.45}), (2, {"x": 1.40, "y": 44.53}),
    ...                       (3, {"x": 1.33, "y": 44.56})])
    >>> for u, v, seconds in [(1, 2, 600.0), (2, 3, 480.0)]:
    ...     _ = graph.add_edge(u, v, travel_time=seconds), graph.add_edge(v, u, travel_time=seconds)
    >>> alsh = gpd.GeoSeries([Point(1.40, 44.53)], index=["Calamane"], crs="EPSG:4326")
    >>> areas = isochrones(graph, alsh, [10, 15])
    >>> areas[["centre", "minutes"]]
         centre  minutes
    0  Calamane     10.0
    1  Calamane     15.0
    """
    road = compile_graph(graph)
    snapped = snap(road, centres, role="origine", max_snap_m=max_snap_m, access_speed_kmh=access_speed_kmh)
    thresholds = sorted(float(m) for m in minutes)
    seconds = road.times(snapped["node"].to_numpy(), limit=thresholds[-1] * 60.0)
    coo = road.matrix.tocoo()
    tails, heads = coo.row, coo.col
    rows = []
    for i, (centre, snap_row) in enumerate(snapped.iterrows()):
        for threshold in thresholds:
            budget = (threshold - snap_row["access_min"]) * 60.0
            reached = seconds[i] <= budget
            both = reached[tails] & reached[heads]
            lines = shapely.linestrings(
                np.stack(
                    [np.column_stack([road.x[tails[both]], road.y[tails[both]]]),
                     np.column_stack([road.x[heads[both]], road.y[heads[both]]])], axis=1,
                )  # fmt: skip
            ) if both.any() else np.array([], dtype=object)
            nodes = shapely.points(road.x[reached], road.y[reached])
            parts = np.concatenate([np.asarray(lines, dtype=object), np.asarray(nodes, dtype=object)])
            shape = (
                shapely.union_all(shapely.buffer(parts, buffer_m, quad_segs=4))
                if len(parts)
                else shapely.Polygon()
            )
            rows.append({"centre": centre, "minutes": threshold, "geometry": shape})
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=METRIC_CRS)
    return frame.to_crs(LAYER_CRS)
