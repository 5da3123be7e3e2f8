"""A memoising timer: travel times per (origin set, destination point), computed once.

The app keeps one per session and passes it to the library's own functions (``run_scenario``,
``siting_inputs``, ``build_diagnostic``) in place of the territory's timer: the library code
runs unchanged, and an edit only routes what it adds (a new or moved facility). Times are
those of the wrapped timer, column for column.
"""

from __future__ import annotations

import hashlib
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["MemoTimer"]


def _geometries(points) -> gpd.GeoSeries:
    return points.geometry if isinstance(points, gpd.GeoDataFrame) else points


def _origin_key(geoms: gpd.GeoSeries) -> str:
    """Digest of the origins' CRS and geometries, in order (their index does not matter).

    Points (the usual origins: ~23 000 cells) are read as one coordinate array, hashed at
    once; other geometries one WKB blob each.
    """
    digest = hashlib.blake2b(str(geoms.crs).encode(), digest_size=16)
    values = geoms.to_numpy()
    kinds = shapely.get_type_id(values)
    if len(values) and (kinds == shapely.GeometryType.POINT).all():
        digest.update(b"points")
        digest.update(shapely.is_empty(values).tobytes())  # empty points have no coordinates
        digest.update(np.ascontiguousarray(shapely.get_coordinates(values)).tobytes())
        return digest.hexdigest()
    for blob in shapely.to_wkb(values):
        digest.update(blob or b"")
        digest.update(b"|")
    return digest.hexdigest()


class MemoTimer:
    """Wrap a timer; remember the minutes of every destination column it has routed.

    Parameters
    ----------
    inner : maillage.geo.Timer
        The timer whose times are remembered (``NetworkTimer``, ``StraightLineTimer``).
    max_columns : int
        Forget everything past this many remembered columns (memory bound; each column is one
        float per origin).

    Notes
    -----
    ``matrix`` without ``cutoff`` is memoised per destination geometry (and CRS), for a given
    list of origin geometries; with a ``cutoff``, and for ``nearest``, the wrapped timer
    answers directly. ``hits``/``misses`` count destination columns served from memory or
    routed.

    Examples
    --------
    The second request for the same destinations is answered from memory:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from maillage.geo import StraightLineTimer
    >>> villages = gpd.GeoSeries([Point(1.44, 44.45), Point(1.33, 44.56)], index=["Cahors", "Catus"],
    ...                          crs="EPSG:4326")
    >>> alsh = gpd.GeoSeries([Point(1.40, 44.53)], index=["Calamane"], crs="EPSG:4326")
    >>> timer = MemoTimer(StraightLineTimer())
    >>> first, again = timer.matrix(villages, alsh), timer.matrix(villages, alsh)
    >>> first.equals(again), timer.misses, timer.hits
    (True, 1, 1)
    """

    def __init__(self, inner, max_columns: int = 200_000):
        self.inner = inner
        self.estimated = bool(getattr(inner, "estimated", False))
        self.description = getattr(inner, "description", "")
        self.graph = getattr(inner, "graph", None)
        self.max_columns = max_columns
        self.hits = 0
        self.misses = 0
        self._columns: dict[tuple[str, str, bytes], np.ndarray] = {}
        self._lock = threading.Lock()

    def matrix(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Minutes from every origin (rows) to every destination (columns), as the wrapped
        timer's ``matrix``."""
        if cutoff is not None:
            return self.inner.matrix(origins, destinations, cutoff=cutoff)
        orig = _geometries(origins)
        dest = _geometries(destinations)
        okey = _origin_key(orig)
        crs = str(dest.crs)
        blobs = [b or b"" for b in shapely.to_wkb(dest.to_numpy())]
        with self._lock:
            missing = {}
            for position, blob in enumerate(blobs):
                key = (okey, crs, blob)
                if key in self._columns:
                    self.hits += 1
                elif key not in missing:
                    missing[key] = position
            if missing:
                self.misses += len(missing)
                fresh = self.inner.matrix(origins, dest.iloc[list(missing.values())])
                if len(self._columns) + len(missing) > self.max_columns:
                    self._columns.clear()
                for j, key in enumerate(missing):
                    self._columns[key] = fresh.iloc[:, j].to_numpy(dtype=float)
            columns = [self._columns[(okey, crs, blob)] for blob in blobs]
        data = np.column_stack(columns) if columns else np.empty((len(orig), 0))
        result = pd.DataFrame(data, index=orig.index.copy(), columns=dest.index.copy())
        result.attrs["estimated"] = self.estimated
        return result

    def nearest(self, origins, destinations, cutoff: float | None = None) -> pd.DataFrame:
        """Nearest destination per origin (the wrapped timer answers)."""
        return self.inner.nearest(origins, destinations, cutoff=cutoff)

    def __repr__(self) -> str:
        return f"MemoTimer({self.inner!r}, {len(self._columns)} colonnes en mémoire)"
