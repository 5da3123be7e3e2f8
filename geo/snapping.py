"""Snap points (communes, facilities, stops) to the nearest node of a compiled road graph.

Every snap is reported (distance in metres, access time in minutes) and points that cannot be
trusted are refused with a French :class:`~maillage.errors.NetworkError` naming them and the fix.
"""

from __future__ import annotations

import functools
import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree

from maillage.formatting import fr_number
from maillage.errors import InputError, NetworkError
from maillage.settings import METRIC_CRS

from .engine import RoadGraph

#: Speed of the straight-line leg between a point and its snapped node, km/h. It stands for
#: local roads absent from the graph (≈ 30 km/h with a 1.5 detour); on a full OSM drive
#: network the leg is a few tens of metres and weighs nothing.
ACCESS_SPEED_KMH = 20.0
#: Points further than this from every node are refused, metres (A/N/D graph: 5 km).
MAX_SNAP_M = 5_000.0

_TREES: "weakref.WeakKeyDictionary[RoadGraph, cKDTree]" = weakref.WeakKeyDictionary()


def points_metric(points, *, role: str = "points") -> gpd.GeoSeries:
    """Points of a GeoSeries/GeoDataFrame in EPSG:2154 (metres), same index.

    Polygons are replaced by their representative point (always inside the polygon).

    Raises
    ------
    InputError
        No CRS (never guessed) or empty geometries (French message naming the ids).
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if not isinstance(geoms, gpd.GeoSeries):
        raise InputError(
            f"Les {role} doivent être un GeoDataFrame ou une GeoSeries de points.",
            fix="construisez-les avec geopandas.points_from_xy(lon, lat, crs='EPSG:4326')",
        )
    if geoms.crs is None:
        raise InputError(
            f"Les {role} n'ont pas de système de coordonnées (CRS).",
            fix="indiquez-le avec .set_crs('EPSG:4326') (longitude/latitude) ou le CRS réel",
        )
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        ids = ", ".join(map(str, geoms.index[empty][:10]))
        raise InputError(f"{role} sans géométrie : {ids}.", fix="renseignez leur position (lon/lat)")
    metric = geoms.to_crs(METRIC_CRS)
    not_point = metric.geom_type != "Point"
    if not_point.any():
        metric = metric.copy()
        metric[not_point] = metric[not_point].representative_point()
    return metric


@functools.lru_cache(maxsize=16)
def _to_metric(crs: CRS) -> Transformer | None:
    """The transformer geopandas' ``to_crs(METRIC_CRS)`` uses (None: already metric), per CRS."""
    if crs.is_exact_same(CRS.from_user_input(METRIC_CRS)):
        return None
    return Transformer.from_crs(crs, METRIC_CRS, always_xy=True)


def _metric_xy(points, *, role: str) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Index and EPSG:2154 coordinates (metres) of points, as :func:`points_metric` gives them.

    Plain 2-D points are transformed as coordinate arrays (no new geometries: the same pyproj
    transformer, the same numbers); anything else goes through :func:`points_metric`.
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if isinstance(geoms, gpd.GeoSeries) and geoms.crs is not None:
        values = geoms.array._data
        if (shapely.get_type_id(values) == 0).all() and not shapely.has_z(values).any():
            coords = shapely.get_coordinates(values)
            if len(coords) == len(values):  # no empty point
                transformer = _to_metric(CRS.from_user_input(geoms.crs))
                if transformer is None:
                    return geoms.index, coords[:, 0].copy(), coords[:, 1].copy()
                x, y = transformer.transform(coords[:, 0], coords[:, 1])
                return geoms.index, np.asarray(x), np.asarray(y)
    metric = points_metric(points, role=role)
    return metric.index, metric.x.to_numpy(), metric.y.to_numpy()


def snap(
    road: RoadGraph,
    points,
    *,
    role: str = "origine",
    max_snap_m: float = MAX_SNAP_M,
    access_speed_kmh: float = ACCESS_SPEED_KMH,
    check_components: bool = True,
) -> pd.DataFrame:
    """Snap points to their nearest graph node.

    Parameters
    ----------
    road : RoadGraph
        Compiled graph.
    points : geopandas.GeoDataFrame or geopandas.GeoSeries
        Points in any CRS; the index holds their ids.
    role : {"origine", "destination"}
        Origins must reach the main strongly connected component, destinations must be
        reachable from it.
    max_snap_m : float
        Largest accepted snap distance, metres.
    access_speed_kmh : float
        Straight-line speed of the access leg, km/h.
    check_components : bool
        Refuse points snapped to a component cut off from the main one (else their times are
        ``inf``).

    Returns
    -------
    pandas.DataFrame
        Index = point ids; columns ``role``, ``node`` (compiled index), ``node_id`` (graph id),
        ``snap_m`` (metres), ``access_min`` (minutes), ``x_m``, ``y_m`` (EPSG:2154, metres).

    Raises
    ------
    NetworkError
        Points too far from the network or on a cut-off component (French message with ids).
    """
    index, x, y = _metric_xy(points, role=f"{role}s")
    tree = _TREES.get(road)
    if tree is None:
        tree = _TREES[road] = cKDTree(np.column_stack([road.x, road.y]))
    distance, node = tree.query(np.column_stack([x, y]))
    table = pd.DataFrame(
        {
            "role": role,
            "node": node.astype(np.int64),
            "node_id": road.node_ids[node],
            "snap_m": distance,
            "access_min": distance / (access_speed_kmh / 3.6) / 60.0,
            "x_m": x,
            "y_m": y,
        },
        index=index,
    )
    too_far = table.index[table["snap_m"] > max_snap_m]
    if len(too_far):
        raise NetworkError(
            f"{len(too_far)} {role}(s) à plus de {_metres(max_snap_m)} du réseau routier : "
            f"{_ids(too_far)} (jusqu'à {_metres(table['snap_m'].max())}). Correction : vérifiez leurs "
            "coordonnées, ou utilisez un réseau qui couvre ce territoire (maillage network fetch), "
            "ou augmentez max_snap_m."
        )
    if check_components:
        ok = road.reaches_main if role == "origine" else road.reached_from_main
        cut = table.index[~ok[table["node"].to_numpy()]]
        if len(cut):
            raise NetworkError(
                f"{len(cut)} {role}(s) rattachée(s) à une partie du réseau coupée du reste : "
                f"{_ids(cut)}. Correction : corrigez le réseau (sens uniques, tronçons manquants) "
                "ou déplacez ces points, ou passez check_components=False pour obtenir inf."
            )
    return table


def _metres(value: float) -> str:
    return f"{fr_number(value, thousands=' ')} m"


def _ids(index) -> str:
    shown = ", ".join(map(str, index[:10]))
    return shown + (f" … (+{len(index) - 10})" if len(index) > 10 else "")
