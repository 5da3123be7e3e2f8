"""Files of origin–site pairs, written one partition at a time: Parquet or GeoPackage.

A national run cannot hold every pair in memory; each partition's pairs are written by the
worker that computed them, as one file per partition and service kind, atomically (a
temporary file beside the target, then a rename: a reader never sees half a file).

- **Parquet** (``.parquet``, pyarrow): the compact long table ``origin``, ``destination``,
  ``minutes`` (≈ 10 bytes per pair), for pandas, DuckDB, Arrow.
- **GeoPackage** (``.gpkg``, pyogrio): the same table as a point layer, each pair located at
  its origin (EPSG:4326). A non-spatial table would open in QGIS as attributes only and need
  a join to show anything; on origin points it is a map at once: filtering
  ``"destination" = 'fs-123'`` draws the communes within reach of that site, styling by
  ``minutes`` colours them, and the spatial index keeps it fast. Lines origin → site would
  double the geometry for a drawing that clutters at this density.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from maillage.atomic import atomic_path
from maillage.errors import InputError

#: The formats of the pair files and their extensions.
FORMATS = {"parquet": ".parquet", "gpkg": ".gpkg"}

#: The GeoPackage layer that holds the pairs.
PAIRS_LAYER = "paires"


def check_format(fmt: str) -> str:
    """The format name, checked (``parquet`` or ``gpkg``).

    Parameters
    ----------
    fmt : str
        ``parquet`` or ``gpkg`` (any case).

    Returns
    -------
    str
        The format, lower case.

    Raises
    ------
    InputError
        Another format (French message).

    Examples
    --------
    >>> check_format("GPKG")
    'gpkg'
    """
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise InputError(f"format de sortie « {fmt} » inconnu",
                         fix="choisir parquet ou gpkg")
    return name


def write_parquet(frame: pd.DataFrame, target, *, minutes: float | None = None) -> Path:
    """Write a long table of pairs to Parquet (pyarrow) atomically.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``origin``, ``destination``, ``minutes``.
    target : path
        The Parquet file.
    minutes : float, optional
        Threshold, minutes, kept in the file's metadata (``maillage_minutes``).

    Returns
    -------
    Path
        ``target``.

    Examples
    --------
    >>> import tempfile
    >>> import pyarrow.parquet as pq
    >>> pairs = pd.DataFrame({"origin": ["46042"], "destination": ["fs-1"], "minutes": [8.5]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_parquet(pairs, Path(folder) / "paires.parquet", minutes=30)
    ...     pq.read_table(path).to_pandas()["minutes"].tolist()
    [8.5]
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InputError("pyarrow n'est pas installé (écriture Parquet)",
                         fix="installer l'option : pip install \"maillage[national]\"") from exc

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if minutes is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"maillage_minutes": str(minutes).encode()})
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)
    return target


def write_geopackage(frame: gpd.GeoDataFrame, target, *, layer: str = PAIRS_LAYER,
                     minutes: float | None = None) -> Path:
    """Write a GeoDataFrame to a one-layer GeoPackage (pyogrio) atomically.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Points with a CRS (e.g. pairs located at their origin, :func:`pairs_at_origins`).
    target : path
        The ``.gpkg`` file (replaced whole).
    layer : str
        Layer name.
    minutes : float, optional
        Threshold, minutes, kept in the layer metadata (``maillage_minutes``).

    Returns
    -------
    Path
        ``target``.

    Examples
    --------
    >>> import tempfile
    >>> import pyogrio
    >>> from shapely.geometry import Point
    >>> pairs = gpd.GeoDataFrame({"origin": ["46042"], "destination": ["fs-1"],
    ...                           "minutes": [8.5]}, geometry=[Point(1.44, 44.45)],
    ...                          crs="EPSG:4326")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_geopackage(pairs, Path(folder) / "paires.gpkg", minutes=30)
    ...     pyogrio.read_dataframe(path)["minutes"].tolist()
    [8.5]
    """
    import importlib.util

    import pyogrio

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    metadata = None if minutes is None else {"maillage_minutes": str(minutes)}
    # Through Arrow when pyarrow is there: about twice as fast, no Python object per row.
    arrow = importlib.util.find_spec("pyarrow") is not None
    with atomic_path(target) as tmp:
        tmp.unlink()  # GDAL creates the GeoPackage itself
        pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG", geometry_type="Point",
                                layer_metadata=metadata, use_arrow=arrow)
    return target


def pairs_at_origins(pairs: pd.DataFrame, origins: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Pairs located at their origin's point (for a GeoPackage layer).

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``origin``, ``destination``, ``minutes``.
    origins : geopandas.GeoDataFrame
        Origin points, index = origin id (str).

    Returns
    -------
    geopandas.GeoDataFrame
        The pairs in the same order, with the origin's point, in the origins' CRS.

    Raises
    ------
    InputError
        A pair's origin is not among the origins.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> origins = gpd.GeoDataFrame(geometry=[Point(1.44, 44.45)], crs="EPSG:4326",
    ...                            index=pd.Index(["46042"]))
    >>> pairs = pd.DataFrame({"origin": ["46042"], "destination": ["fs-1"], "minutes": [8.5]})
    >>> pairs_at_origins(pairs, origins).geometry.iloc[0].wkt
    'POINT (1.44 44.45)'
    """
    index = pd.Index(origins.index.astype(str))
    where = index.get_indexer(pairs["origin"].astype(str))
    if (where < 0).any():
        raise InputError(f"paire d'origine inconnue : {pairs['origin'].iloc[(where < 0).argmax()]}",
                         fix="donner les points de toutes les origines des paires")
    return gpd.GeoDataFrame(pairs.reset_index(drop=True),
                            geometry=origins.geometry.to_numpy()[where], crs=origins.crs)


def write_pairs(pairs: pd.DataFrame, folder, stem: str, fmt: str = "parquet", *,
                origins: gpd.GeoDataFrame | None = None, minutes: float | None = None) -> Path:
    """Write one partition's pairs to ``folder/<stem>.<ext>``, atomically.

    A folder the process cannot write gives a French error naming it (on a real cluster: not
    on storage this worker sees).

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``origin``, ``destination``, ``minutes``.
    folder : path
        Output folder.
    stem : str
        File name without extension (``france_services-46``).
    fmt : str
        ``parquet`` or ``gpkg``.
    origins : geopandas.GeoDataFrame, optional
        Origin points (required for ``gpkg``).
    minutes : float, optional
        Threshold, minutes, kept in the file's metadata.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        Unknown format, or the folder cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> pairs = pd.DataFrame({"origin": ["46042"], "destination": ["fs-1"], "minutes": [8.5]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_pairs(pairs, folder, "france_services-46").name
    'france_services-46.parquet'
    """
    fmt = check_format(fmt)
    target = Path(folder) / f"{stem}{FORMATS[fmt]}"
    try:
        if fmt == "parquet":
            return write_parquet(pairs, target, minutes=minutes)
        if origins is None:
            raise InputError("points des origines absents (sortie GeoPackage)",
                             fix="donner les origines de la partition")
        return write_geopackage(pairs_at_origins(pairs, origins), target, minutes=minutes)
    except OSError as exc:
        import socket

        raise InputError(f"écriture impossible sur {socket.gethostname()} : "
                         f"{exc.strerror or exc}", file=str(target),
                         fix="donner avec --out un dossier que chaque worker peut écrire "
                             "(stockage partagé sur un cluster)") from exc
