"""Itinerant services (bus France services, itinerant RPE): their stops, days and frequency."""

from __future__ import annotations


import geopandas as gpd
import pandas as pd

from maillage.settings import LAYER_CRS

from .communes import load_communes
from .facilities import RowCells, geometry_to_columns, slug
from .locate import Locator
from .report import ValidationReport
from .tables import ROW, blank, display_name, read_any, records, rename_columns

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
STOP_COLUMNS = ["service_id", "stop_id", "name", "commune_code", "lon", "lat",
                "location_precision", "weekdays", "days_per_month", "hours", "source",
                "geometry"]
ALIASES = {
    "service_id": ("service", "id_service", "structure", "id_structure"),
    "stop_id": ("id_arret", "arret_id", "id_stop"),
    "name": ("nom", "lieu", "arret", "nom_arret"),
    "commune_code": ("code_insee", "insee", "code_commune", "codgeo", "commune"),
    "lat": ("latitude",), "lon": ("longitude", "lng"),
    "weekdays": ("jours", "jour", "jours_de_passage"),
    "days_per_month": ("jours_par_mois", "passages_par_mois", "frequence", "frequence_mensuelle"),
    "hours": ("horaires", "heures"),
    "source": ("document",),
}


def _weekdays(row: RowCells) -> str:
    days = {day: day for day in WEEKDAYS} | {f"{day}s": day for day in WEEKDAYS}
    return row.tokens("weekdays", days, "jour « {} » inconnu", "écrire les jours en français "
                      "(lundi … dimanche) séparés par des points-virgules")


def load_itinerant_stops(path, communes=None, facilities=None, *, report=None):
    r"""Load the stops of itinerant services (CSV, XLSX or geographic file).

    Parameters
    ----------
    path : str or Path
        One row per stop: ``service_id`` (id of the service in the facilities), commune code
        or coordinates, ``weekdays`` (French names), ``days_per_month`` (days of presence per
        month, e.g. 2.17 for every other week), ``hours``.
    communes : GeoDataFrame, optional
        Territory communes (default: embedded Lot).
    facilities : GeoDataFrame, optional
        When given, every ``service_id`` must be one of its ids.
    report : ValidationReport, optional
        Receives what loading changed.

    Returns
    -------
    GeoDataFrame
        Itinerant-stops schema of docs/DESIGN.md (EPSG:4326); ``attrs["report"]``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes
    >>> from maillage.layers.communes import points_layer
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "arrets.csv"
    ...     _ = path.write_text("service_id;commune_code;weekdays;days_per_month\n"
    ...                         "gc-fs-bus;46046;mardi;2\n", encoding="utf-8")
    ...     stops = load_itinerant_stops(path, communes=points_layer(embedded_communes()))
    >>> stops[["service_id", "stop_id", "commune_code", "weekdays", "days_per_month"]].to_numpy().tolist()
    [['gc-fs-bus', 'gc-fs-bus-46046', '46046', 'mardi', 2.0]]
    """
    report = ValidationReport() if report is None else report
    file = display_name(path)
    if communes is None:
        communes = load_communes(report=ValidationReport())
    frame = read_any(path, report)
    frame = rename_columns(geometry_to_columns(frame, file, report), ALIASES, file, report)
    if "service_id" not in frame.columns:
        report.error("colonne service_id absente", file=file, row=1, column="service_id",
                     fix="ajouter la colonne service_id (identifiant du service itinérant)")
        report.raise_if_errors()
    locator, rows, seen = Locator(communes, file, report), [], {}
    if {"lat", "lon"} <= set(frame.columns):
        locator.prepare(frame["lat"], frame["lon"])  # every point located at once
    for record in records(frame):
        if all(blank(v) for k, v in record.items() if k != ROW):
            report.add("info", "ligne vide ignorée", file=file, row=record[ROW])
            continue
        row = RowCells(record, file, report, frame.attrs.get("original_columns", {}))
        before = report.error_count
        service = row.text("service_id")
        if not service:
            row.error("service absent", "service_id", "donner l'identifiant du service")
        elif facilities is not None and service not in facilities.index:
            row.error(f"service « {service} » absent des structures", "service_id",
                      "utiliser l'identifiant (colonne id) d'une structure du registre")
        days_per_month = row.number("days_per_month", what="nombre de jours par mois")
        if days_per_month is not None and days_per_month > 31:
            row.error(f"{days_per_month:g} jours par mois", "days_per_month",
                      "donner un nombre de jours de présence par mois (31 au plus)")
        weekdays = _weekdays(row)
        place = locator.place(row.text("commune_code"), row.text("lat"), row.text("lon"),
                              row.row, code_col=row.header("commune_code"),
                              lat_col=row.header("lat"), lon_col=row.header("lon"))
        if report.error_count > before or place is None:
            continue
        stop_id = row.text("stop_id") or slug(f"{service}-{place['commune_code']}")
        if stop_id in seen:
            row.error(f"arrêt « {stop_id} » en double (déjà ligne {seen[stop_id]})", "stop_id",
                      "donner un identifiant d'arrêt unique")
            continue
        seen[stop_id] = row.row
        name = row.text("name") or str(communes.at[place["commune_code"], "name"])
        rows.append({"service_id": service, "stop_id": stop_id, "name": name, **place,
                     "weekdays": weekdays, "days_per_month": days_per_month,
                     "hours": row.text("hours"), "source": row.text("source")})
    report.raise_if_errors()
    table = pd.DataFrame(rows, columns=STOP_COLUMNS[:-1])
    table["days_per_month"] = table["days_per_month"].astype(float)
    gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]),
                           crs=LAYER_CRS)
    gdf.attrs["report"] = report
    return gdf
