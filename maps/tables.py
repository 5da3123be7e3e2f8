"""Published tables of a diagnostic: CSV (deterministic), XLSX, and GeoPackage layers for QGIS.

CSV files are written the way a French spreadsheet opens them: ``;`` separator, decimal
comma, UTF-8 with BOM, rows sorted by code, one decimal. The same inputs give byte-identical
CSV files. Child counts under the small-count threshold are written ``"< 5"``.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from maillage.analysis.diagnostic import Diagnostic
from maillage.atomic import atomic_path, write_bytes
from maillage.safe import spreadsheet_safe, xlsx_formulas_as_text

from .secret import protect_frame

#: Decimals of every float written in the CSV and XLSX tables.
DECIMALS = 1
#: Timestamp written in GeoPackages (GDAL would write the current time).
GPKG_DATE = "2000-01-01T00:00:00.000Z"
#: Text of a ratio whose places are unknown.
UNKNOWN_LABEL = "places inconnues"


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            values = out[column].round(DECIMALS)
            out[column] = values.where(np.isfinite(values) | values.isna(), np.nan)
    return out


def capacity_columns(frame: pd.DataFrame, kind: str, *, small: int | None = None
                     ) -> pd.DataFrame:
    """Published capacity columns of one indicator: children (protected), places, places per
    100 children (hidden when secret; "places inconnues" when the only facilities have no
    known capacity), and the count of facilities whose places are unknown.
    """
    k = kind
    part = pd.DataFrame({f"enfants_{k}": frame["children"], f"places_{k}": frame["places"],
                         f"places_pour_100_enfants_{k}": frame["places_per_100_children"]},
                        index=frame.index)
    part = protect_frame(_rounded(part), counts=[f"enfants_{k}"],
                         ratios=[f"places_pour_100_enfants_{k}"], places=f"places_{k}",
                         children=f"enfants_{k}", small=small)
    if "capacity_unknown" in frame:
        unknown = pd.to_numeric(frame["capacity_unknown"], errors="coerce")
        ratio = part[f"places_pour_100_enfants_{k}"].astype(object)
        part[f"places_pour_100_enfants_{k}"] = ratio.where(
            ~((unknown.fillna(0) > 0) & (frame["places"] == 0)), UNKNOWN_LABEL)
        part[f"equipements_places_inconnues_{k}"] = unknown.round().astype("Int64")
    return part


def commune_table(diag: Diagnostic, *, small: int | None = None) -> pd.DataFrame:
    """One row per commune: population, and per indicator children, places, places per 100
    children, 2SFCA, and minutes to the nearest service (protected, French column names).
    """
    communes = diag.territory.communes
    table = pd.DataFrame({"code": communes.index.astype(str), "commune": communes["name"],
                          "epci": communes["epci"].astype(str),
                          "nom_epci": communes["epci_name"],
                          "population": communes["population"]}, index=communes.index)
    for result in diag.capacity:
        part = capacity_columns(result.by_commune.reindex(communes.index), result.kind,
                                small=small)
        k = result.kind
        if result.fca is not None:
            part[f"accessibilite_2sfca_{k}_{result.fca_minutes:g}min"] = (
                result.fca.reindex(communes.index).astype(float).round(DECIMALS))
        table = table.join(part)
    names = diag.territory.facilities["name"]
    for access in diag.access:
        near = access.nearest.reindex(communes.index)
        minutes = pd.to_numeric(near["minutes"], errors="coerce").astype(float)
        table[f"minutes_{access.kind}"] = minutes.where(np.isfinite(minutes)).round(DECIMALS)
        table[f"plus_proche_{access.kind}"] = near["destination"].map(
            lambda d: names.get(d, d) if isinstance(d, str) else "")
    return table.sort_values("code").reset_index(drop=True)


def epci_table(diag: Diagnostic, *, small: int | None = None) -> pd.DataFrame:
    """One row per EPCI: children, places and places per 100 children per indicator."""
    epcis = diag.territory.epcis.copy()
    table = pd.DataFrame({"epci": epcis["code"].astype(str), "nom_epci": epcis["name"],
                          "population": epcis["population"],
                          "communes": epcis["n_communes"]}).set_index("epci", drop=False)
    table = table.rename_axis(None)
    for result in diag.capacity:
        table = table.join(capacity_columns(result.by_epci.reindex(table.index), result.kind,
                                            small=small))
    return table.sort_values("epci").reset_index(drop=True)


def coverage_table(diag: Diagnostic, *, small: int | None = None) -> pd.DataFrame:
    """Coverage per service kind, perimeter (territory, then each EPCI) and threshold."""
    rows = []
    for access in diag.access:
        parts = [("territoire", diag.scope_name or diag.territory.name, access.coverage)]
        if access.by_epci is not None:
            names = dict(zip(diag.territory.epcis["code"].astype(str),
                             diag.territory.epcis["name"]))
            for code, frame in access.by_epci.groupby(level=0, sort=True):
                parts.append((str(code), names.get(str(code), str(code)),
                              frame.droplevel(0)))
        for scope, name, frame in parts:
            for minutes, row in frame.iterrows():
                rows.append({"service": access.kind, "perimetre": scope, "nom": name,
                             "minutes": float(minutes), "public": access.population_label,
                             "a_moins_de": row["population_within"],
                             "part_pct": 100 * row["share_within"],
                             "au_dela": row["population_beyond"],
                             "communes_au_dela": int(row["origins_beyond"])})
    table = pd.DataFrame(rows, columns=["service", "perimetre", "nom", "minutes", "public",
                                        "a_moins_de", "part_pct", "au_dela",
                                        "communes_au_dela"])
    return protect_frame(_rounded(table), counts=["a_moins_de", "au_dela"], small=small)


def scenario_table(diag: Diagnostic, *, small: int | None = None) -> pd.DataFrame | None:
    """Before/after places per 100 children by commune where something changed."""
    view = diag.scenario
    if view is None:
        return None
    communes = diag.territory.communes
    before = view.before.reindex(communes.index)
    after = view.after.reindex(communes.index)
    table = pd.DataFrame({
        "code": communes.index.astype(str), "commune": communes["name"],
        "enfants": before["children"],
        "places_avant": before["places"], "places_apres": after["places"],
        "places_pour_100_enfants_avant": before["places_per_100_children"],
        "places_pour_100_enfants_apres": after["places_per_100_children"]},
        index=communes.index)
    table = _rounded(table)
    changed = (table["places_avant"].fillna(0) != table["places_apres"].fillna(0))
    table = protect_frame(table[changed], counts=["enfants"],
                          ratios=["places_pour_100_enfants_avant",
                                  "places_pour_100_enfants_apres"],
                          places="places_apres", children="enfants", small=small)
    return table.sort_values("code").reset_index(drop=True)


def _french(value):
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.{DECIMALS}f}".replace(".", ",")
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as French-spreadsheet CSV bytes (deterministic).

    Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…) is written with a
    leading quote (:func:`maillage.safe.spreadsheet_safe`); numbers stay numbers.
    """
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_french)
    frame = spreadsheet_safe(frame)
    text = frame.to_csv(sep=";", decimal=",", index=False, lineterminator="\n",
                        float_format=f"%.{DECIMALS}f")
    return ("\ufeff" + text).encode("utf-8")


def write_tables(tables: dict[str, pd.DataFrame], folder: str | os.PathLike) -> list[Path]:
    """Write each table as ``<name>.csv`` and all of them as sheets of ``tableaux.xlsx``.

    User text never becomes a live formula: quoted in the CSV files, typed as text in the
    workbook (:mod:`maillage.safe`).
    """
    folder = Path(folder)
    paths = [write_bytes(folder / f"{name}.csv", csv_bytes(frame))
             for name, frame in tables.items()]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        xlsx_formulas_as_text(writer.book)
    paths.append(write_bytes(folder / "tableaux.xlsx", buffer.getvalue()))
    return paths


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns a GeoPackage stores (strings for objects and booleans)."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].astype("string")
    return out.reset_index(drop=True)


def write_layers(diag: Diagnostic, path: str | os.PathLike, *,
                 communes_table: pd.DataFrame) -> Path:
    """Write a GeoPackage for QGIS: ``communes`` (with the published indicators),
    ``equipements``, ``arrets_itinerants``, ``isochrones`` (when computed).
    """
    territory = diag.territory
    communes = territory.communes[["geometry"]].copy()
    communes["code"] = communes.index.astype(str)
    communes = communes.merge(communes_table, on="code", how="left")
    layers = {"communes": communes, "equipements": territory.facilities}
    if territory.itinerant_stops is not None and not territory.itinerant_stops.empty:
        layers["arrets_itinerants"] = territory.itinerant_stops
    if diag.isochrones is not None and not diag.isochrones.empty:
        layers["isochrones"] = diag.isochrones
    with atomic_path(path) as tmp, _fixed_gdal_date():
        tmp.unlink()
        for name, layer in layers.items():
            _plain(gpd.GeoDataFrame(layer, geometry="geometry")).to_file(
                tmp, layer=name, driver="GPKG", engine="pyogrio")
    return Path(path)


@contextlib.contextmanager
def _fixed_gdal_date():
    """GDAL stamps GeoPackages with the current time unless ``OGR_CURRENT_DATE`` is set:
    fix it so that the same layers give the same bytes."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
