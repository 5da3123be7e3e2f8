"""Layers and tables as the JSON the page reads (GeoJSON features, plain records).

Numbers that JSON cannot hold (NaN, ±inf) become ``null``: the page shows an unreachable
time as « inaccessible » and a missing value as « — ». Text stays text: the page inserts it
with ``textContent``, never as HTML.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely

from maillage.kinds import SERVICE_KINDS
from maillage.maps.labels import ages_label, opening_label

__all__ = ["by_code", "clean", "communes", "epci_outlines", "facilities", "kinds", "records",
           "stops"]

#: Simplification of commune outlines sent to the page, degrees (≈ 50 m).
SIMPLIFY_DEGREES = 0.0005
#: Decimals kept on coordinates (≈ 1 m).
COORD_DECIMALS = 5


def clean(value):
    """``value`` with NaN/inf as None, numpy scalars as Python ones, timestamps as text."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return round(value, 6) if math.isfinite(value) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return value if isinstance(value, str) else str(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of ``frame`` as plain dicts (cleaned)."""
    return [clean(row) for row in frame.to_dict("records")]


def by_code(frame: pd.DataFrame, columns=None) -> dict:
    """Rows of a by-commune table keyed by commune code: ``columns`` (default every numeric
    column) as numbers rounded to 4 decimals, NaN and inf as None."""
    numbers = frame.select_dtypes("number") if columns is None else frame[list(columns)]
    values = numbers.to_numpy(dtype=float).round(4)
    cells = values.astype(object)
    cells[~np.isfinite(values)] = None
    names = [str(c) for c in numbers.columns]
    return {str(code): dict(zip(names, row)) for code, row in zip(numbers.index, cells.tolist())}


def _geometry(geom) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    return shapely.geometry.mapping(shapely.set_precision(geom, 10 ** -COORD_DECIMALS))


def communes(frame, scope: pd.Series | None = None) -> dict:
    """Communes as a GeoJSON FeatureCollection: code, name, EPCI, population, children per
    band, ``in_registry`` (False where the facility registry does not cover the commune)."""
    geoms = frame.geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    features = []
    for (code, row), geom in zip(frame.iterrows(), geoms):
        props = {"code": str(code), "name": str(row["name"]), "epci": str(row["epci"]),
                 "epci_name": str(row.get("epci_name", "")),
                 "population": row.get("population"),
                 "lon": row["point_lon"], "lat": row["point_lat"],
                 "in_registry": True if scope is None else bool(scope.get(str(code), False))}
        for column in ("pop_0_2", "pop_3_5", "pop_6_10", "pop_11_17"):
            if column in row:
                props[column] = row[column]
        features.append({"type": "Feature", "properties": clean(props),
                         "geometry": _geometry(geom)})
    return {"type": "FeatureCollection", "features": features}


def epci_outlines(frame) -> dict:
    """One outline per EPCI (dissolved communes), GeoJSON."""
    polygons = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    features = []
    if len(polygons):
        for code, group in polygons.groupby(polygons["epci"].astype(str)):
            shape = shapely.union_all(group.geometry.to_numpy()).simplify(SIMPLIFY_DEGREES)
            features.append({"type": "Feature",
                             "properties": {"code": code,
                                            "name": str(group["epci_name"].iloc[0])},
                             "geometry": _geometry(shape.boundary)})
    return {"type": "FeatureCollection", "features": features}


def kinds() -> list[dict]:
    """Facility kinds of the registry (:data:`maillage.kinds.SERVICE_KINDS`): key, French
    label, colour, ages served (years, ``[start, end)``) and whether places are required."""
    return [{"key": k.key, "label": k.label, "color": k.color,
             "ages": None if k.ages is None else list(k.ages),
             "places": k.capacity == "required"} for k in SERVICE_KINDS.values()]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its geometry, as a plain DataFrame (fast row access)."""
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


def facilities(frame: pd.DataFrame) -> dict:
    """Facilities as GeoJSON points with what their popups show."""
    features = []
    for fid, row in zip(frame.index, _plain(frame).to_dict("records")):
        lon, lat = row.get("lon"), row.get("lat")
        if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
            continue
        props = {"id": str(fid), "name": row.get("name"), "kind": row.get("kind"),
                 "subtype": row.get("subtype"), "commune": row.get("commune_code"),
                 "epci": row.get("epci"), "capacity": row.get("capacity"),
                 "age_min": row.get("age_min"), "age_max": row.get("age_max"),
                 "ages": ages_label(row.get("age_min"), row.get("age_max")),
                 "opening": opening_label(row.get("opening")),
                 "operator": row.get("operator"), "source": row.get("source"),
                 "itinerant": bool(row.get("itinerant")) if not pd.isna(row.get("itinerant"))
                 else False}
        features.append({"type": "Feature", "properties": clean(props),
                         "geometry": {"type": "Point",
                                      "coordinates": [round(float(lon), COORD_DECIMALS),
                                                      round(float(lat), COORD_DECIMALS)]}})
    return {"type": "FeatureCollection", "features": features}


def stops(frame: pd.DataFrame | None) -> dict:
    """Itinerant stops as GeoJSON points (service, commune, days per month)."""
    features = []
    if frame is not None:
        for row in _plain(frame).to_dict("records"):
            lon, lat = row.get("lon"), row.get("lat")
            if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
                continue
            props = {"service_id": row.get("service_id"), "stop_id": row.get("stop_id"),
                     "name": row.get("name"), "commune": row.get("commune_code"),
                     "days_per_month": row.get("days_per_month"),
                     "weekdays": row.get("weekdays"), "hours": row.get("hours")}
            features.append({"type": "Feature", "properties": clean(props),
                             "geometry": {"type": "Point",
                                          "coordinates": [round(float(lon), COORD_DECIMALS),
                                                          round(float(lat), COORD_DECIMALS)]}})
    return {"type": "FeatureCollection", "features": features}
