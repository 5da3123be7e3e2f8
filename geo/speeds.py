"""Speeds by road class (French defaults, km/h) and edge travel times (seconds).

Both tables are plain dicts: copy one, change a value and pass it to the loader
(``load_edge_list(path, speeds_kmh={**SPEEDS_KMH, "D": 70})``).
"""

from __future__ import annotations

#: Average car speed by class of classified road (French network), km/h: autoroute (A),
#: route nationale (N), route départementale (D), European route number used alone (E),
#: connector / bretelle (B). Legal limits are 130 / 80–110 / 80; averages are lower.
SPEEDS_KMH = {"A": 125.0, "N": 85.0, "D": 75.0, "E": 110.0, "B": 50.0}

#: Car speed by OSM ``highway`` value where no ``maxspeed`` tag is usable, km/h (French rules:
#: 130 motorways, 110 dual carriageways, 80 rural roads, 50 in built-up areas).
OSM_SPEEDS_KMH = {
    "motorway": 130.0,
    "motorway_link": 70.0,
    "trunk": 110.0,
    "trunk_link": 60.0,
    "primary": 80.0,
    "primary_link": 50.0,
    "secondary": 80.0,
    "secondary_link": 50.0,
    "tertiary": 70.0,
    "tertiary_link": 40.0,
    "unclassified": 50.0,
    "road": 50.0,
    "residential": 40.0,
    "living_street": 20.0,
    "service": 20.0,
}
#: Speed used when neither ``maxspeed`` nor the table gives one, km/h.
FALLBACK_SPEED_KMH = 50.0
#: Walking speed for the optional walking network (bus-stop access), km/h.
WALK_SPEED_KMH = 4.5


def add_travel_times(graph, *, hwy_speeds: dict | None = None, walk: bool = False):
    """Set ``speed_kph`` (km/h) and ``travel_time`` (seconds) on every edge of an OSM graph.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        An osmnx graph with edge ``length`` (metres) and ``highway``.
    hwy_speeds : dict, optional
        Speeds by ``highway`` value, km/h; default :data:`OSM_SPEEDS_KMH`. ``maxspeed`` tags win.
    walk : bool
        Walking network: every edge at :data:`WALK_SPEED_KMH`.

    Returns
    -------
    networkx.MultiDiGraph
        The same graph, modified in place.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.MultiDiGraph(crs="EPSG:4326")
    >>> graph.add_nodes_from([(1, {"x": 1.44, "y": 44.45}), (2, {"x": 1.45, "y": 44.45})])
    >>> _ = graph.add_edge(1, 2, length=1000.0, highway="secondary")
    >>> edge = add_travel_times(graph)[1][2][0]
    >>> edge["speed_kph"], edge["travel_time"]
    (80.0, 45.0)
    """
    if walk:
        for _, _, data in graph.edges(data=True):
            data["speed_kph"] = WALK_SPEED_KMH
            data["travel_time"] = data["length"] / (WALK_SPEED_KMH / 3.6)
        return graph
    # osmnx (≈ 3 s of imports: scikit-learn, matplotlib) only for OSM graphs: reading the
    # Lot's edge list or running the app must not pay for it.
    import osmnx as ox

    ox.routing.add_edge_speeds(graph, hwy_speeds=hwy_speeds or OSM_SPEEDS_KMH, fallback=FALLBACK_SPEED_KMH)
    return ox.routing.add_edge_travel_times(graph)
