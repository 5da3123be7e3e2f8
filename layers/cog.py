"""Commune codes of the Code officiel géographique (COG 2026) and the embedded communes table.

The lowest module of the communes layer: code patterns, former codes of merged communes
(→ current code), the embedded ``maillage.data/communes_lot.csv`` and the point layer built
from it. :mod:`maillage.layers.communes` (the layer) and :mod:`maillage.layers.contours`
(its geometry) both build on it.
"""

from __future__ import annotations

import functools
import importlib.resources
import re

import geopandas as gpd
import pandas as pd

from maillage import settings
from maillage.settings import LAYER_CRS

from maillage.kinds import CHILDREN_COLUMNS, with_year_bands

from .tables import blank

COMMUNE_COLUMNS = ["code", "name", "epci", "epci_name", "population", *CHILDREN_COLUMNS,
                   "age_source", "point_lon", "point_lat", "geometry", "geometry_kind"]
CODE_PATTERN = re.compile(r"^\d[\dAB]\d{3}$")
EMBEDDED_VINTAGE = "COG 2026, populations légales en vigueur en 2026"
EMBEDDED_LICENCE = "Licence Ouverte (@etalab/decoupage-administratif 6.0.0)"


@functools.lru_cache(maxsize=1)
def _embedded_table():
    with importlib.resources.files("maillage.data").joinpath("communes_lot.csv").open(
            "r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype={"code": str, "epci": str, "former_codes": str},
                            keep_default_na=False, na_values={"population": [""]})
    return table


def embedded_communes():
    """The embedded communes of the Lot (312 rows, COG 2026) as a DataFrame (a copy).

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``epci``, ``epci_name``, ``population`` (inhabitants),
        ``point_lon``, ``point_lat`` (degrees), ``pop_0_2`` … ``pop_11_17`` and ``pop_11``
        (children, INSEE Filosofi 2021 age shares × population municipale), ``age_source``,
        ``former_codes`` (";"-joined codes merged into it).

    Examples
    --------
    >>> communes = embedded_communes()
    >>> len(communes)
    312
    >>> communes.loc[communes["code"] == "46042", ["name", "epci"]].to_numpy().tolist()
    [['Cahors', '200023737']]
    """
    return _embedded_table().copy()


@functools.lru_cache(maxsize=1)
def _mapping() -> dict[str, str]:
    mapping = {}
    for code, former in zip(_embedded_table()["code"], _embedded_table()["former_codes"]):
        for old in filter(None, former.split(";")):
            mapping[old] = code
    shared = settings.shared_data_dir()
    if shared is not None:
        path = shared / "admin" / "lot_commune_codes_2015plus_to_cog2026.csv"
        if path.is_file():
            table = pd.read_csv(path, dtype=str)
            mapping.update(zip(table["code_insee_old"], table["code_insee_cog2026"]))
    return {old: new for old, new in mapping.items() if old != new}


def current_code(code: str) -> str:
    """The COG 2026 code of a commune code valid since 2015 (itself when unchanged).

    Former codes of merged communes (e.g. 46156's members of Bellefont-La Rauze) map to the
    new commune; the mapping comes from the communes déléguées of the embedded table, and from
    ``admin/lot_commune_codes_2015plus_to_cog2026.csv`` when ../shared/data is present.

    Parameters
    ----------
    code : str
        An INSEE commune code (5 characters).

    Returns
    -------
    str
        The code of the commune in the COG 2026.

    Examples
    --------
    >>> current_code("46042")
    '46042'
    """
    return _mapping().get(code, code)


@functools.lru_cache(maxsize=65536)
def normalize_code(text) -> str | None:
    """A commune code as text of 5 characters ("1234.0" or 1234 -> "01234"); None if blank."""
    if blank(text):
        return None
    code = str(text).strip()
    if re.fullmatch(r"\d+(\.0+)?", code):
        code = str(int(float(code))).zfill(5)
    return code.upper()


def points_layer(table):
    """Communes as a GeoDataFrame of representative points (``geometry_kind`` = "point")."""
    gdf = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["point_lon"], table["point_lat"]),
        crs=LAYER_CRS)
    gdf["geometry_kind"] = "point"
    return finish_layer(gdf)


def finish_layer(gdf):
    """Order the communes columns, index by ``code`` (also kept as a column)."""
    gdf = with_year_bands(gdf)
    gdf = gdf[[c for c in COMMUNE_COLUMNS if c in gdf.columns]].copy()
    gdf["population"] = gdf["population"].astype("int64")
    for band in CHILDREN_COLUMNS:
        gdf[band] = gdf[band].astype(float)
    gdf.index = gdf["code"].rename(None)
    return gdf
