"""INSEE Filosofi 2021 200 m cells for any territory of metropolitan France, fetched online.

**Source: INSEE.** INSEE publishes the Filosofi 2021 200 m grid (« Revenus, pauvreté et niveau
de vie en 2021 – Données carroyées », https://www.insee.fr/fr/statistiques/8735162, Licence
Ouverte) as one national archive, :data:`INSEE_URL` (``Filosofi2021_carreaux_200m_csv.zip``;
a GeoPackage edition sits beside it). Its member ``carreaux_200m_met.csv`` (metropolitan
France, ``,``-separated, one row per inhabited cell) has the columns ``idcar_200m``
(``CRS3035RES200mN<y>E<x>``, lower-left corner, EPSG:3035), ``idcar_1km``, ``idcar_nat``,
``i_est_200`` (1 = imputed cell), ``i_est_1km``, ``lcog_geo`` (the code(s) of the commune(s)
the cell overlaps, first the one it overlaps most), ``ind``, ``men`` … ``ind_0_3``,
``ind_4_5``, ``ind_6_10``, ``ind_11_17`` … ``ind_inc``. :func:`fetch_insee_archive` downloads
it once into ``maillage.settings.cache_dir()/filosofi`` (``$MAILLAGE_FILOSOFI_URL`` overrides
the address, e.g. a copy on an intranet); :func:`read_insee_cells` streams the member and keeps
the cells of the territory's communes (no contours needed).

**Fallback: the tiled mirror.** When INSEE does not answer, the cells come from a public mirror
that cuts the same grid into tiles of 128 × 128 cells
(github.com/jgaffuri/tiled-grid-france-filosofi at :data:`MIRROR_COMMIT`, the source of the
Lot's file in ../shared/data): only the tiles covering the communes' contours are downloaded,
each cached. Tile format: ``x``, ``y`` = the cell's column and row in the tile (0–127),
``imputed``, ``ind``, ``ind_0_3`` … ``ind_80p``; the cell's lower-left corner is ``ORIGIN +
((tile × 128 + x) × 200, (tile × 128 + y) × 200)`` in EPSG:3035. A tile with no inhabited cell
does not exist (HTTP 404). The report says which source gave the cells.

Either way :func:`fetch_cells` writes the cells in the format of
:func:`maillage.layers.filosofi.read_cells` (``x``, ``y``, ``ind``, bands, ``imputed``,
``code_insee``), to give as ``ages=`` to :func:`maillage.layers.load_territory`.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import urllib.error
import urllib.request
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage import settings
from maillage.atomic import atomic_path, write_bytes
from maillage.errors import InputError, NetworkError

from .filosofi import FILOSOFI_BANDS
from .report import ValidationReport

#: INSEE's page of the Filosofi 2021 grid and its national 200 m CSV archive.
INSEE_PAGE = "https://www.insee.fr/fr/statistiques/8735162"
INSEE_URL = ("https://www.insee.fr/fr/statistiques/fichier/8735162/"
             "Filosofi2021_carreaux_200m_csv.zip")
#: Member of the archive with the cells of metropolitan France.
INSEE_MEMBER = "carreaux_200m_met.csv"
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
_IDCAR = re.compile(r"CRS3035RES(\d+)mN(\d+)E(\d+)")
_CODE = re.compile(r"\d[\dAB]\d{3}")
_COLUMNS = ["x", "y", "ind", *FILOSOFI_BANDS, "imputed", "code_insee"]


# ------------------------------------------------------------------------- INSEE's archive

def archive_path():
    """Cache file of INSEE's national archive."""
    return settings.cache_dir() / "filosofi" / INSEE_URL.rsplit("/", 1)[-1]


def fetch_insee_archive(*, timeout: float = 120.0):
    """INSEE's Filosofi 2021 200 m archive, downloaded once, then read from the cache.

    Parameters
    ----------
    timeout : float
        Seconds without an answer before giving up (the archive is large: a slow line
        takes minutes, the timeout applies to each read).

    Returns
    -------
    Path
        The cached zip archive.

    Raises
    ------
    NetworkError
        Offline without cache, no answer, or an answer that is not a zip archive.
    """
    path = archive_path()
    if path.is_file():
        return path
    if settings.offline():
        raise NetworkError("archive Filosofi de l'INSEE absente du cache et mode hors ligne "
                           "(MAILLAGE_OFFLINE=1)")
    url = os.environ.get("MAILLAGE_FILOSOFI_URL", INSEE_URL)
    request = urllib.request.Request(url, headers={"User-Agent": "maillage"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, \
                atomic_path(path) as staged:
            with open(staged, "wb") as handle:
                shutil.copyfileobj(response, handle, length=1 << 20)
            if not zipfile.is_zipfile(staged):  # an error page: nothing is cached
                raise ValueError("réponse qui n'est pas une archive zip")
    except (OSError, ValueError) as exc:
        raise NetworkError(f"téléchargement de {url} impossible ({exc})") from None
    return path


def _communes_of(lcog: pd.Series, wanted: set[str]) -> pd.Series:
    """First code of ``lcog_geo`` that is a wanted commune ("" when none)."""
    codes = lcog.fillna("").astype(str).str.findall(_CODE)
    return codes.map(lambda found: next((c for c in found if c in wanted), ""))


def read_insee_cells(archive, codes, *, chunksize: int = 200_000) -> pd.DataFrame:
    """Cells of the communes ``codes`` in INSEE's archive (streamed, never loaded whole).

    Parameters
    ----------
    archive : str or Path
        ``Filosofi2021_carreaux_200m_csv.zip`` (or any zip holding ``carreaux_200m_met.csv``).
    codes : iterable of str
        INSEE codes of the communes wanted.
    chunksize : int
        Rows read at a time.

    Returns
    -------
    DataFrame
        ``x``, ``y`` (cell centre, metres, EPSG:3035), ``ind``, the Filosofi bands,
        ``imputed`` (0/1), ``code_insee`` (the first commune of ``lcog_geo`` among ``codes``:
        a cell across a border goes to the territory's commune).

    Raises
    ------
    InputError
        The archive holds no ``carreaux_200m_met.csv`` or lacks a column.
    """
    wanted = {str(c) for c in codes}
    name = str(archive)
    with zipfile.ZipFile(archive) as zipped:
        member = next((m for m in zipped.namelist() if m.endswith(INSEE_MEMBER)), None)
        if member is None:
            raise InputError(f"pas de fichier {INSEE_MEMBER} dans l'archive", file=name,
                             fix=f"utiliser l'archive carroyée 200 m CSV de l'INSEE ({INSEE_URL})")
        columns = ["idcar_200m", "i_est_200", "lcog_geo", "ind", *FILOSOFI_BANDS]
        with zipped.open(member) as handle:
            header = handle.readline().decode("utf-8-sig").strip().lower().split(",")
            missing = [c for c in columns if c not in header]
            if missing:
                raise InputError(f"colonne {missing[0]} absente de {member}", file=name,
                                 row=1, column=missing[0],
                                 fix="utiliser l'archive Filosofi carroyée 200 m de l'INSEE")
            kept = []
            reader = pd.read_csv(handle, names=header, usecols=columns, dtype=str,
                                 chunksize=chunksize)
            for chunk in reader:
                commune = _communes_of(chunk["lcog_geo"], wanted)
                chunk = chunk.assign(code_insee=commune)[commune != ""]
                if len(chunk):
                    kept.append(chunk)
    if not kept:
        return pd.DataFrame(columns=_COLUMNS)
    cells = pd.concat(kept, ignore_index=True)
    parts = cells["idcar_200m"].str.extract(_IDCAR).astype(float)
    out = pd.DataFrame({"x": parts[2] + parts[0] / 2, "y": parts[1] + parts[0] / 2})
    for column in ("ind", *FILOSOFI_BANDS):
        out[column] = pd.to_numeric(cells[column], errors="coerce").fillna(0.0)
    out["imputed"] = (cells["i_est_200"].str.strip() == "1").astype(int)
    out["code_insee"] = cells["code_insee"].to_numpy()
    return out[_COLUMNS]


# ------------------------------------------------------------------------ the tiled mirror

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
    """The cached mirror tile ``(tx, ty)``, downloaded when missing.

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


def mirror_cells(communes, *, timeout: float = 30.0) -> tuple[pd.DataFrame, int]:
    """Cells of the communes from the mirror tiles (cells within a contour, or within 200 m
    of one); returns the cells (:func:`read_insee_cells` columns) and the number of tiles."""
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
    table = pd.DataFrame(kept[_COLUMNS]).assign(imputed=kept["imputed"].astype(int))
    return table, len(tiles)


# ---------------------------------------------------------------------------- the cells file

def fetch_cells(communes, *, timeout: float = 30.0, report: ValidationReport | None = None,
                source: str = "auto"):
    """Filosofi 2021 cells of the communes, from INSEE (else the mirror), cached.

    Parameters
    ----------
    communes : GeoDataFrame
        Communes (index = code); polygon contours are needed only by the mirror.
    timeout : float
        Seconds without an answer before a download gives up.
    report : ValidationReport, optional
        Receives the source used and the cells kept.
    source : str
        ``"auto"`` (INSEE's archive, the mirror when INSEE cannot be reached), ``"insee"``
        or ``"miroir"`` (only that one).

    Returns
    -------
    Path
        A cells CSV (``x``, ``y``, ``ind``, bands, ``imputed``, ``code_insee``) in the cache,
        to give as ``ages=`` to :func:`maillage.layers.load_territory`.

    Raises
    ------
    NetworkError
        Neither source can be read (offline without cache, or download failures).
    """
    report = ValidationReport() if report is None else report
    if source not in ("auto", "insee", "miroir"):
        raise ValueError(f"source must be auto, insee or miroir, not {source!r}")
    codes = communes.index.astype(str)
    table = None
    if source != "miroir":
        try:
            archive = fetch_insee_archive(timeout=max(timeout, 60.0))
        except NetworkError as exc:
            if source == "insee":
                raise
            report.add("info", f"carroyage Filosofi : INSEE indisponible ({exc}) ; carreaux "
                       f"pris sur le miroir en tuiles (jgaffuri/tiled-grid-france-filosofi)")
        else:
            table = read_insee_cells(archive, codes)
            origin = f"INSEE, {INSEE_URL.rsplit('/', 1)[-1]}"
    if table is None:
        table, n_tiles = mirror_cells(communes, timeout=timeout)
        origin = f"miroir en tuiles, {n_tiles} tuile(s)"
    data = table[_COLUMNS].to_csv(index=False, lineterminator="\n").encode("utf-8")
    key = hashlib.sha256(data).hexdigest()[:16]
    path = write_bytes(settings.cache_dir() / "filosofi" / f"cellules-{key}.csv", data)
    report.add("info", f"carroyage Filosofi 2021 ({origin}) : {len(table)} carreaux dans "
               f"{table['code_insee'].nunique()} communes "
               f"({np.round(table['ind'].astype(float).sum()):.0f} habitants fiscaux)")
    return path
