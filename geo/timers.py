"""Timers: "how long from these points to those points", whatever the source of times.

Analysis code takes a timer, never a raw graph. A :class:`NetworkTimer` times trips on a
road graph; a :class:`StraightLineTimer` estimates them from the straight-line distance and
flags every output as estimated. :func:`default_timer` picks one and says which.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from maillage.errors import InputError
from maillage.formatting import fr_number

from .engine import compile_graph
from .loader import load_road_graph
from .networks import default_network
from .routing import nearest, travel_time_matrix
from .snapping import points_metric

log = logging.getLogger(__name__)


@runtime_checkable
class Timer(Protocol):
    """What analysis code needs from a source of travel times (all results in minutes).

    Attributes
    ----------
    estimated : bool
        True when the times are estimates (straight lines), not road times.
    description : str
        How the times are obtained, in French (printed in reports).

    Examples
    --------
    Any object with these attributes and methods is a timer (a runtime-checkable protocol);
    analysis code takes one and never sees a graph:

    >>> import pandas as pd
    >>> class SurveyTimer:
    ...     estimated, description = False, "temps relevés sur place"
    ...     def matrix(self, origins, destinations, cutoff=None):
    ...         return pd.DataFrame(12.0, index=origins.index, columns=destinations.index)
    ...     def nearest(self, origins, destinations, cutoff=None):
    ...         return pd.DataFrame({"minutes": 12.0, "destination": destinations.index[0]},
    ...                             index=origins.index)
    >>> isinstance(SurveyTimer(), Timer), isinstance(StraightLineTimer(), Timer)
    (True, True)
    """

    estimated: bool
    description: str

    def matrix(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Minutes from every origin (rows, origins' index) to every destination (columns)."""
        ...

    def nearest(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Per origin: ``minutes`` to the nearest destination and its id ``destination``."""
        ...


class NetworkTimer:
    """Travel times on a road graph (exact shortest paths, minutes).

    Parameters
    ----------
    graph : networkx.MultiDiGraph or RoadGraph
        Road graph with ``travel_time`` in seconds on its edges; compiled once here.
    description : str, optional
        French description of the network (source, date), shown in reports.
    **options
        Passed to :func:`travel_time_matrix` / :func:`nearest` (``max_snap_m``,
        ``access_speed_kmh``, ``check_components``).

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
    >>> villages = gpd.GeoSeries([Point(1.44, 44.45), Point(1.33, 44.56)], index=["Cahors", "Catus"],
    ...                          crs="EPSG:4326")
    >>> alsh = gpd.GeoSeries([Point(1.40, 44.53)], index=["Calamane"], crs="EPSG:4326")
    >>> NetworkTimer(graph).matrix(villages, alsh)
            Calamane
    Cahors      10.0
    Catus        8.0
    """

    estimated = False

    def __init__(self, graph, description: str | None = None, **options):
        self.graph = compile_graph(graph)
        self.description = description or (
            f"temps de trajet sur le réseau routier ({fr_number(self.graph.n_nodes, thousands=' ')} nœuds)"
        )
        self.options = options

    @classmethod
    def from_file(cls, path, **options) -> "NetworkTimer":
        r"""A timer on the road network of a file, read without networkx.

        Parameters
        ----------
        path : str or pathlib.Path
            Network file (GraphML, OpenStreetMap, classified-road edge list): see
            :func:`~maillage.geo.load_road_graph`.
        **options
            Passed to :func:`~maillage.geo.travel_time_matrix` and
            :func:`~maillage.geo.nearest` (``max_snap_m``, ``access_speed_kmh``).

        Returns
        -------
        NetworkTimer
            Described as « réseau routier du fichier NAME (N nœuds) » in reports.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "troncons.csv"
        ...     _ = path.write_text("u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight\n"
        ...                         "1,44.45,1.44,2,44.53,1.40,D820,9500\n", encoding="utf-8")
        ...     NetworkTimer.from_file(path).description
        'réseau routier du fichier troncons.csv (2 nœuds)'
        """
        road = load_road_graph(path)
        nodes = fr_number(road.n_nodes, thousands=" ")
        return cls(road, description=f"réseau routier du fichier {Path(path).name} ({nodes} nœuds)",
                   **options)

    def matrix(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Minutes from every origin to every destination (see :func:`travel_time_matrix`)."""
        result = travel_time_matrix(self.graph, origins, destinations, cutoff=cutoff, **self.options)
        result.attrs["estimated"] = False
        return result

    def nearest(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Nearest destination per origin, minutes (see :func:`nearest`)."""
        result = nearest(self.graph, origins, destinations, cutoff=cutoff, **self.options)
        result.attrs["estimated"] = False
        return result

    def __repr__(self) -> str:
        return f"NetworkTimer({self.description!r})"


def straight_line_metres(origins, destinations, max_metres: float | None = None) -> pd.DataFrame:
    """Straight-line (Euclidean) distances, metres, from every origin to every destination.

    For quick studies without a road network, as ``access.Access.create_euclidean_distance``:
    the points are projected to EPSG:2154 (Lambert-93, metres; polygons are replaced by a
    point inside them), never guessed from a missing CRS.

    Parameters
    ----------
    origins, destinations : geopandas.GeoDataFrame or GeoSeries
        Points (or polygons) with a CRS.
    max_metres : float, optional
        Distances beyond it become ``inf`` (unreachable), metres.

    Returns
    -------
    pandas.DataFrame
        Metres, origins (rows, origins' index) × destinations (columns);
        ``attrs["unit"] = "m"``.

    Raises
    ------
    InputError
        No CRS, empty geometries, or a bad ``max_metres``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> villages = gpd.GeoSeries([Point(1.44, 44.45), Point(1.33, 44.56)], index=["Cahors", "Catus"],
    ...                          crs="EPSG:4326")
    >>> alsh = gpd.GeoSeries([Point(1.40, 44.53)], index=["Calamane"], crs="EPSG:4326")
    >>> straight_line_metres(villages, alsh).round(-2)
            Calamane
    Cahors    9400.0
    Catus     6500.0
    >>> straight_line_metres(villages, alsh, max_metres=8000)["Calamane"].tolist()
    [inf, ...]
    """
    if max_metres is not None and (isinstance(max_metres, bool) or not isinstance(
            max_metres, (int, float, np.number)) or not max_metres >= 0):
        raise InputError(f"« max_metres » = {max_metres!r} invalide",
                         fix="donner une distance maximale positive, en mètres")
    orig = points_metric(origins, role="origines")
    dest = points_metric(destinations, role="destinations")
    metres = np.hypot(orig.x.to_numpy()[:, None] - dest.x.to_numpy()[None, :],
                      orig.y.to_numpy()[:, None] - dest.y.to_numpy()[None, :])
    if max_metres is not None:
        metres[metres > max_metres] = np.inf
    result = pd.DataFrame(metres, index=orig.index.copy(), columns=dest.index.copy())
    result.attrs["unit"] = "m"
    return result


class StraightLineTimer:
    """Estimated travel times: straight-line distance × detour ÷ speed (minutes).

    Parameters
    ----------
    speed_kmh : float
        Average road speed, km/h.
    detour : float
        Ratio of road distance to straight-line distance (1.3 is typical of rural France).

    Notes
    -----
    Every output carries ``attrs["estimated"] = True``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> villages = gpd.GeoSeries([Point(1.44, 44.45), Point(1.33, 44.56)], index=["Cahors", "Catus"],
    ...                          crs="EPSG:4326")
    >>> alsh = gpd.GeoSeries([Point(1.40, 44.53)], index=["Calamane"], crs="EPSG:4326")
    >>> StraightLineTimer(speed_kmh=60, detour=1.3).matrix(villages, alsh).round(1)
            Calamane
    Cahors      12.3
    Catus        8.4
    """

    estimated = True

    def __init__(self, speed_kmh: float = 60.0, detour: float = 1.3):
        for name, value, low in (("speed_kmh", speed_kmh, 0.0), ("detour", detour, 1.0)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not np.isfinite(value) or value < low or (name == "speed_kmh" and value == 0):
                raise InputError(f"« {name} » = {value!r} invalide",
                                 fix="donner une vitesse > 0 km/h et un détour ≥ 1")
        self.speed_kmh = float(speed_kmh)
        self.detour = float(detour)
        self.description = (
            f"estimation à vol d'oiseau : distance × {self.detour:g} ÷ {self.speed_kmh:g} km/h "
            "(aucun réseau routier disponible)"
        )

    def _minutes(self, metres: np.ndarray) -> np.ndarray:
        return metres * self.detour / (self.speed_kmh / 3.6) / 60.0

    def matrix(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Estimated minutes from every origin to every destination."""
        orig = points_metric(origins, role="origines")
        dest = points_metric(destinations, role="destinations")
        dx = orig.x.to_numpy()[:, None] - dest.x.to_numpy()[None, :]
        dy = orig.y.to_numpy()[:, None] - dest.y.to_numpy()[None, :]
        minutes = self._minutes(np.hypot(dx, dy))
        if cutoff is not None:
            minutes[minutes > cutoff] = np.inf
        result = pd.DataFrame(minutes, index=orig.index.copy(), columns=dest.index.copy())
        result.attrs["estimated"] = True
        result.attrs["description"] = self.description
        return result

    def nearest(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Estimated minutes to the nearest destination (straight line), and its id."""
        orig = points_metric(origins, role="origines")
        dest = points_metric(destinations, role="destinations")
        tree = cKDTree(np.column_stack([dest.x.to_numpy(), dest.y.to_numpy()]))
        metres, which = tree.query(np.column_stack([orig.x.to_numpy(), orig.y.to_numpy()]))
        minutes = self._minutes(metres)
        names = pd.Series(dest.index.to_numpy()[which], index=orig.index, dtype=object)
        if cutoff is not None:
            names[minutes > cutoff] = pd.NA
            minutes = np.where(minutes > cutoff, np.inf, minutes)
        result = pd.DataFrame({"minutes": minutes, "destination": names}, index=orig.index.copy())
        result.attrs["estimated"] = True
        result.attrs["description"] = self.description
        return result

    def __repr__(self) -> str:
        return f"StraightLineTimer(speed_kmh={self.speed_kmh:g}, detour={self.detour:g})"


def default_timer(territory=None) -> Timer:
    """The best timer available: the shared road graph if present, else straight-line estimates.

    Parameters
    ----------
    territory : maillage.layers.Territory, optional
        Territory to time (reserved: the shared Lot graph is used for any territory).

    Returns
    -------
    Timer
        A :class:`NetworkTimer` on :func:`default_network`, else a :class:`StraightLineTimer`;
        the choice is logged and stated in ``timer.description``.

    Examples
    --------
    >>> timer = default_timer()
    >>> isinstance(timer, Timer), isinstance(timer.description, str)
    (True, True)
    """
    graph, description = default_network(territory)
    if graph is not None:
        log.info("Temps de trajet : %s", description)
        return NetworkTimer(graph, description=description)
    timer = StraightLineTimer()
    log.warning("Temps de trajet : %s (%s)", timer.description, description)
    return timer
