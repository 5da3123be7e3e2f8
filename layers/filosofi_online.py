"""INSEE Filosofi 2021 200 m cells for any territory of metropolitan France, fetched online.

INSEE publishes the Filosofi 200 m grid as one national file; a public mirror cuts it into
tiles of 128 × 128 cells (github.com/jgaffuri/tiled-grid-france-filosofi, the source of the
Lot's file in ../shared/data; INSEE data, Licence Ouverte). :func:`fetch_cells` downloads only
the tiles that cover the territory's communes, caches each one under
``maillage.settings.cache_dir()/filosofi`` (a second run is offline), keeps the cells whose
centre lies in a commune (or within 200 m of one: border cells of simplified contours) and
writes them in the cells format of :func:`maillage.layers.filosofi.read_cells`.

Tile format: ``x``, ``y`` = the cell's column and row in the tile (0–127), ``imputed``, ``ind``,
``ind_0_3`` … ``ind_80p``; the cell's lower-left corner is ``ORIGIN + ((tile × 128 + x) × 200,
(tile × 128 + y) × 200)`` in EPSG:3035. A tile with no inhabited cell does not exist (HTTP 404).
"""

from __future__ import annotations

import hashlib
import math
import urllib.error
import urllib.request

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage import settings
from maillage.atomic import write_bytes
from maillage.errors import NetworkError

from .filosofi import FILOSOFI_BANDS
from .report import ValidationReport

#: Commit of the tiled mirror the Lot's shared file was taken from (a fixed vintage).
MIRROR_COMMIT = "b2a4c7fdc537ecf67a615c5796ac0bbc65ea80e0"
TILE_URL = ("https://raw.githubusercontent.com/jgaffuri/tiled-grid-france-filosofi/"
            "{commit}/out/csv/met/ind/2021/200m/{tx}/{ty}.csv")
#: Lower-left corner of tile (0, 0), metres, EPSG:3035.
ORIGIN = (3_200_000.0, 2_000_000.0)
TILE_CELLS = 128
CELL_M = 200.0
CELL_CRS = "EPSG:3035"
_EMPTY = b"# tuile sans carreau habite\n"


def tiles_for(bounds) -> list[tuple[int, int]]:
    """Tiles ``(tx, ty)`` covering ``bounds`` = (xmin, ymin, xmax, ymax), metres, EPSG:3035."""
    span = TILE_CELLS * CELL_M
    xmin, ymin, xmax, ymax = bounds
    xs = range(math.floor((xmin - ORIGIN[0]) / span), math.floor((xmax - ORIGIN[0]) / span) + 1)
    ys = range(math.floor((ymin - ORIGIN[1]) / span), math.floor((ymax - ORIGIN[1]) / span) + 1)
    return [(tx, ty) for tx in xs for ty in ys]


def _tile_path(tx: int, ty: int):
    return settings.cache_dir() / "filosofi" / "2021-200m" / f"{tx}_{ty}.csv"


def fetch_tile(tx: int, ty: int, *, timeout: float = 30.0):
    """The cached tile ``(tx, ty)``, downloaded when missing.

    Returns
    -------
    Path
        The cached CSV (a one-line marker for a tile without inhabited cell).

    Raises
    ------
    NetworkError
        Offline without cache, or when the mirror does not answer.
    """
    path = _tile_path(tx, ty)
    if path.is_file():
        return path
    if settings.offline():
        raise NetworkError(f"tuile Filosofi {tx}/{ty} absente du cache et mode hors ligne "
                           "(MAILLAGE_OFFLINE=1)")
    url = TILE_URL.format(commit=MIRROR_COMMIT, tx=tx, ty=ty)
    request = urllib.request.Request(url, headers={"User-Agent": "maillage"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise NetworkError(f"téléchargement de {url} impossible ({exc})") from None
        data = _EMPTY
    except (OSError, ValueError) as exc:
        raise NetworkError(f"téléchargement de {url} impossible ({exc})") from None
    return write_bytes(path, data)


def read_tile(path, tx: int, ty: int) -> pd.DataFrame:
    """Cells of a cached tile: ``x``, ``y`` (centre, metres, EPSG:3035), ``ind``, the
    Filosofi bands, ``imputed`` (bool)."""
    if path.read_bytes().startswith(b"#"):
        return pd.DataFrame(columns=["x", "y", "ind", *FILOSOFI_BANDS, "imputed"])
    table = pd.read_csv(path)
    col = tx * TILE_CELLS + table["x"].astype(int)
    row = ty * TILE_CELLS + table["y"].astype(int)
    out = pd.DataFrame({"x": ORIGIN[0] + col * CELL_M + CELL_M / 2,
                        "y": ORIGIN[1] + row * CELL_M + CELL_M / 2,
                        "ind": table["ind"].astype(float)})
    for band in FILOSOFI_BANDS:
        out[band] = table[band].astype(float)
    out["imputed"] = table["imputed"].astype(int) == 1
    return out


def fetch_cells(communes, *, timeout: float = 30.0, report: ValidationReport | None = None):
    """Filosofi 2021 cells of the communes, from the tiles (downloaded once, then cached).

    Parameters
    ----------
    communes : GeoDataFrame
        Communes with polygon contours (index = code).
    timeout : float
        Seconds per tile download.
    report : ValidationReport, optional
        Receives the tiles read and the cells kept.

    Returns
    -------
    Path
        A cells CSV (``x``, ``y``, ``ind``, bands, ``imputed``, ``code_insee``) in the cache,
        to give as ``ages=`` to :func:`maillage.layers.load_territory`.

    Raises
    ------
    NetworkError
        A tile missing from the cache while offline, or a download failure.
    """
    report = ValidationReport() if report is None else report
    shapes = communes[communes.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(CELL_CRS)
    if shapes.empty:
        raise NetworkError("pas de contours de communes : impossible de choisir les carreaux")
    tiles = tiles_for(shapes.total_bounds)
    frames = [read_tile(fetch_tile(tx, ty, timeout=timeout), tx, ty) for tx, ty in tiles]
    cells = pd.concat(frames, ignore_index=True)
    points = gpd.GeoDataFrame(cells, geometry=gpd.points_from_xy(cells["x"], cells["y"]),
                              crs=CELL_CRS)
    target = gpd.GeoDataFrame({"code_insee": shapes.index.astype(str)},
                              geometry=shapes.geometry.values, crs=CELL_CRS)
    inside = gpd.sjoin(points, target, predicate="within", how="inner")
    inside = inside[~inside.index.duplicated()]
    rest = points.loc[points.index.difference(inside.index)]
    near = gpd.sjoin_nearest(rest, target, max_distance=CELL_M, how="inner")
    near = near[~near.index.duplicated()]
    kept = pd.concat([inside, near]).sort_index()
    columns = ["x", "y", "ind", *FILOSOFI_BANDS, "imputed", "code_insee"]
    table = pd.DataFrame(kept[columns]).assign(imputed=kept["imputed"].astype(int))
    data = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    key = hashlib.sha256(data).hexdigest()[:16]
    path = write_bytes(settings.cache_dir() / "filosofi" / f"cellules-{key}.csv", data)
    report.add("info", f"carroyage Filosofi 2021 : {len(tiles)} tuile(s), {len(table)} carreaux "
               f"dans {table['code_insee'].nunique()} communes "
               f"({np.round(table['ind'].sum()):.0f} habitants fiscaux)")
    return path
