"""Apply a scenario's changes to the registry: the facilities (and itinerant stops) after.

The base is the registry in force at the scenario's date; each change is applied in the
order of the file, and an id that does not exist (or that an earlier change closed) is an
:class:`~maillage.errors.InputError` naming the file and the line of the change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from ..capacity import in_force
from .file import Change, Scenario, check_ids, require_id

__all__ = ["apply_changes", "check_ids", "with_scenario_facilities"]


#: A point farther than this from every commune contour is outside the territory, km (the
#: contours are simplified: a point a few metres outside its commune is still attached).
CONTOUR_TOLERANCE_KM = 0.5
#: Without contours: a point farther than this from every commune's representative point is
#: outside the territory, km (no commune of the Lot spans more than ~8 km from its point).
POINT_TOLERANCE_KM = 10.0


def _commune_at(communes: pd.DataFrame, lon: float, lat: float) -> tuple[str, float, bool]:
    """The commune of a point: (code, distance in km, inside the territory).

    The commune whose polygon holds the point (distance 0), else the nearest contour
    (inside when within :data:`CONTOUR_TOLERANCE_KM`); without contours the nearest
    representative point (inside when within :data:`POINT_TOLERANCE_KM`).
    """
    if "geometry" in communes:
        import geopandas as gpd

        # The communes' spatial index (built once per frame) finds the polygons holding the
        # point; the first of them in the frame's order is the answer.
        hits = np.sort(communes.sindex.query(Point(lon, lat), predicate="covered_by"))
        kinds = shapely.get_type_id(communes.geometry.to_numpy()[hits])
        holding = hits[np.isin(kinds, [shapely.GeometryType.POLYGON,
                                       shapely.GeometryType.MULTIPOLYGON])]
        if len(holding):
            return str(communes.index[holding[0]]), 0.0, True
        polygons = communes.geometry[communes.geometry.geom_type.isin(["Polygon",
                                                                         "MultiPolygon"])]
        if len(polygons):
            metric = gpd.GeoSeries(polygons, crs="EPSG:4326").to_crs("EPSG:2154")
            point = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:2154")[0]
            km = metric.distance(point) / 1000
            return str(km.idxmin()), float(km.min()), bool(km.min() <= CONTOUR_TOLERANCE_KM)
    dx = (communes["point_lon"].astype(float) - lon) * np.cos(np.radians(lat)) * 111.32
    dy = (communes["point_lat"].astype(float) - lat) * 110.57
    km = np.sqrt(dx * dx + dy * dy)
    return str(km.idxmin()), float(km.min()), bool(km.min() <= POINT_TOLERANCE_KM)


def _place(scenario, change, communes) -> dict:
    """Location columns of an opened or moved facility (commune point, or lat/lon and the
    commune holding it)."""
    f = change.fields
    code = f.get("commune")
    if code is not None and code not in communes.index:
        raise scenario.error(f"la commune « {code} » n'est pas dans le territoire", change,
                             "commune", "vérifier le code INSEE (5 caractères, ex. \"46046\")")
    if "lat" in f and "lon" in f:
        lon, lat, precision = float(f["lon"]), float(f["lat"]), "adresse"
        if code is None:
            code, km, inside = _commune_at(communes, lon, lat)
            if not inside:
                name = communes.loc[code, "name"] if "name" in communes else code
                shown = f"{km:.1f}".replace(".", ",")
                who = f.get("id", change.action)
                raise scenario.error(
                    f"le point de « {who} » (lat {lat:g}, lon {lon:g}) est hors du "
                    f"territoire, à {shown} km de la commune la plus proche ({name}, {code})",
                    change, "lat", "vérifier la latitude et la longitude (degrés WGS84, "
                    "latitude d'abord) ou donner la commune (code INSEE)")
    else:
        lon, lat = (float(communes.at[code, "point_lon"]), float(communes.at[code, "point_lat"]))
        precision = "commune"
    return {"lon": lon, "lat": lat, "location_precision": precision, "commune_code": code,
            "epci": str(communes.at[code, "epci"])}


def _opened_row(scenario, change, communes, **dates) -> dict:
    """The registry row of an opened facility (a change ``ouvrir`` or an ``equipements``
    entry)."""
    f = change.fields
    ages = f.get("ages", [np.nan, np.nan])
    return {"id": f["id"], "name": f.get("nom", f["id"]), "kind": f["type"],
            "subtype": f.get("sous_type", ""), "capacity": f.get("places", np.nan),
            "age_min": float(ages[0]), "age_max": float(ages[1]),
            "opening": f.get("ouverture", pd.NA), **dates,
            "itinerant": bool(f.get("itinerant", False)), "address": f.get("adresse", ""),
            "operator": f.get("gestionnaire", ""),
            "source": f.get("source") or f"scénario {scenario.path or scenario.name}, "
                                          f"ligne {change.line}",
            **_place(scenario, change, communes)}


def with_scenario_facilities(scenario: Scenario, facilities: pd.DataFrame,
                             communes: pd.DataFrame) -> pd.DataFrame:
    """The registry with the scenario's own facilities (``equipements``) added; an entry
    whose id is already in the registry replaces it.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario; its ``facilities`` are added (none: ``facilities`` itself).
    facilities : DataFrame
        The registry (every date).
    communes : DataFrame
        Every commune of the territory (index = code) with ``point_lon``, ``point_lat``,
        ``epci`` (and polygons, to place a point in its commune).

    Returns
    -------
    DataFrame
        The registry and the entries (a GeoDataFrame when ``facilities`` is one), in force
        from ``debut`` to ``fin`` (always, when absent).

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage.analysis.scenario import parse_scenario
    >>> scenario = parse_scenario('''
    ... date: 2025-03-31
    ... changements:
    ...   - redimensionner: {id: alsh-pradines, places: 24}
    ... equipements:
    ...   - {id: alsh-pradines, type: alsh, commune: "46224", places: 16}
    ... ''')
    >>> communes = pd.DataFrame({"point_lon": [1.40], "point_lat": [44.48],
    ...                          "epci": ["200023737"]}, index=["46224"])
    >>> registry = pd.DataFrame({"kind": ["alsh"], "capacity": [120.0]},
    ...                         index=pd.Index(["alsh-cahors"], name="id"))
    >>> with_scenario_facilities(scenario, registry, communes)[["kind", "capacity"]]
                   kind  capacity
    id
    alsh-cahors    alsh     120.0
    alsh-pradines  alsh      16.0
    """
    if not scenario.facilities:
        return facilities
    rows = [_opened_row(scenario, entry, communes,
                        valid_from=pd.Timestamp(entry.fields.get("debut", pd.NaT)),
                        valid_to=pd.Timestamp(entry.fields.get("fin", pd.NaT)))
            for entry in scenario.facilities]
    added = pd.DataFrame(rows).set_index(pd.Index([r["id"] for r in rows],
                                                  name=facilities.index.name))
    kept = pd.DataFrame(facilities.drop(columns="geometry", errors="ignore"))
    kept = kept.drop(index=[i for i in added.index if i in kept.index])
    registry = pd.concat([kept, added.reindex(columns=kept.columns)])
    if "geometry" in facilities.columns:
        import geopandas as gpd

        points = gpd.points_from_xy(registry["lon"].astype(float),
                                    registry["lat"].astype(float))
        registry = gpd.GeoDataFrame(registry, geometry=points,
                                    crs=getattr(facilities, "crs", None) or "EPSG:4326")
    return registry


def apply_changes(scenario: Scenario, facilities: pd.DataFrame, communes: pd.DataFrame,
                  stops: pd.DataFrame | None = None):
    """The registry after the scenario: facilities (and itinerant stops) in force at its date,
    changed as the scenario says.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (:func:`~maillage.analysis.scenario.load_scenario`).
    facilities : DataFrame
        The full registry (every date); the base is what is in force at ``scenario.date``.
    communes : DataFrame
        Communes (index = code) with ``point_lon``, ``point_lat``, ``epci``.
    stops : DataFrame, optional
        Itinerant stops.

    Returns
    -------
    before : DataFrame
        Facilities in force at the scenario date (a GeoDataFrame when ``facilities`` is one).
    after : DataFrame
        The same after the changes (places, sites, itinerant stops as the scenario says).
    stops_after : DataFrame or None
        Itinerant stops after (None when ``stops`` is None and nothing changed them).

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage.analysis.scenario import parse_scenario
    >>> scenario = parse_scenario('''
    ... date: 2025-03-31
    ... changements:
    ...   - ouvrir: {id: alsh-calamane, type: alsh, commune: "46046", places: 20}
    ...   - redimensionner: {id: alsh-catus, places: 48}
    ... ''')
    >>> communes = pd.DataFrame({"point_lon": [1.44, 1.40, 1.33], "point_lat": [44.45, 44.53, 44.56],
    ...                          "epci": ["200023737"] * 3}, index=["46042", "46046", "46064"])
    >>> registry = pd.DataFrame({"kind": ["alsh", "alsh"], "capacity": [120.0, 40.0],
    ...                          "commune_code": ["46042", "46064"], "lon": [1.44, 1.33],
    ...                          "lat": [44.45, 44.56]},
    ...                         index=pd.Index(["alsh-cahors", "alsh-catus"], name="id"))
    >>> before, after, stops = apply_changes(scenario, registry, communes)
    >>> after[["commune_code", "capacity"]]
                  commune_code  capacity
    id
    alsh-cahors          46042     120.0
    alsh-catus           46064      48.0
    alsh-calamane        46046      20.0
    """
    before = in_force(facilities, scenario.date)
    stops_after = None if stops is None else stops.copy()
    # The changes are gathered first (rows opened, rows closed, cells changed) and applied
    # to the table once at the end: a table operation per change cost milliseconds each, and
    # the app applies a planner's whole scenario at every edit.
    present = dict.fromkeys(before.index)  # ids in force, in order
    opened: dict[str, dict] = {}
    changed: dict[str, dict] = {}
    closed = {}
    for change in scenario.changes:
        f = change.fields
        if change.action == "ouvrir":
            if f["id"] in facilities.index:
                raise scenario.error(f"le scénario ouvre « {f['id']} » qui existe déjà dans le "
                                     "registre", change, "id", "choisir un nouvel identifiant")
            opened[f["id"]] = _opened_row(scenario, change, communes,
                                          valid_from=scenario.date, valid_to=pd.NaT)
            present[f["id"]] = None
            continue
        fid = require_id(scenario, change, present, facilities, closed)
        cells = opened[fid] if fid in opened else changed.setdefault(fid, {})
        if change.action == "redimensionner":
            cells["capacity"] = f["places"]
        elif change.action == "fermer":
            del present[fid]
            opened.pop(fid, None)
            changed.pop(fid, None)
            closed[fid] = change.line
            if stops_after is not None:
                stops_after = stops_after[stops_after["service_id"].astype(str) != fid]
        elif change.action == "deplacer":
            cells.update(_place(scenario, change, communes))
        else:  # itinerance
            cells["itinerant"] = True
            new_stops = pd.DataFrame([{
                "service_id": fid, "stop_id": f"{fid}-{s['commune']}-{n}",
                "name": s.get("nom", s["commune"]), "commune_code": s["commune"],
                "days_per_month": float(s["jours_par_mois"]),
                **{k: v for k, v in _place(scenario, Change("ouvrir", s, change.line),
                                           communes).items() if k in ("lon", "lat")},
            } for n, s in enumerate(f["arrets"], start=1)])
            kept = None if stops_after is None else \
                stops_after[stops_after["service_id"].astype(str) != fid]
            stops_after = new_stops if kept is None else pd.concat([kept, new_stops],
                                                                  ignore_index=True)
    after = pd.DataFrame(before.drop(columns="geometry", errors="ignore"))
    gone = [fid for fid in closed if fid in after.index]
    if gone:
        after = after.drop(index=gone)
    columns = {column for cells in changed.values() for column in cells}
    for column in sorted(columns):  # one assignment per column changed
        ids = [fid for fid, cells in changed.items() if column in cells]
        values = [changed[fid][column] for fid in ids]
        if len(ids) == 1:
            after.loc[ids[0], column] = values[0]
        else:
            after.loc[ids, column] = values
    if opened:
        new = pd.DataFrame(list(opened.values())).set_index(
            pd.Index(list(opened), name=after.index.name))
        after = pd.concat([after, new.reindex(columns=after.columns)])
    if "geometry" in before.columns:
        import geopandas as gpd

        points = gpd.points_from_xy(after["lon"].astype(float), after["lat"].astype(float))
        after = gpd.GeoDataFrame(after, geometry=points,
                                 crs=getattr(before, "crs", None) or "EPSG:4326")
    return before, after, stops_after
