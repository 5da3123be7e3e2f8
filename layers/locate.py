"""Placing a row of a user's table: commune code, coordinates, and their checks.

Shared by the facility and itinerant-stop loaders. Catches the usual mistakes of planners'
tables: unknown or former INSEE codes, latitude and longitude swapped, Lambert-93 metres typed
in latitude/longitude columns, points outside every commune of the territory.
"""

from __future__ import annotations

import math

from pyproj import Transformer
from shapely import Point

from maillage.settings import LAYER_CRS, METRIC_CRS

from .cog import CODE_PATTERN, current_code, normalize_code
from .tables import blank, parse_number

#: Longitude/latitude box of metropolitan France and Corsica (degrees).
FRANCE_LON = (-5.5, 10.0)
FRANCE_LAT = (41.0, 51.5)
#: Lambert-93 extent of metropolitan France (metres).
L93_X = (60_000, 1_300_000)
L93_Y = (6_000_000, 7_200_000)
#: Without contours, a point farther than this from every commune's point is outside (km).
MAX_KM_FROM_COMMUNE_POINT = 12.0
#: Tolerance of the point-in-commune test on simplified contours (degrees, ≈ 300 m).
CONTOUR_TOLERANCE_DEG = 0.003


def _inside(value, bounds):
    return bounds[0] <= value <= bounds[1]


def _km(lon1, lat1, lon2, lat2):
    """Approximate great-circle distance (km), enough to tell 'near' from 'far'."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


class Locator:
    """Validates commune codes and coordinates of rows against a territory's communes.

    Parameters
    ----------
    communes : GeoDataFrame
        Communes layer (index = code), polygons or points.
    file : str
        File name used in messages.
    report : ValidationReport
        Receives errors and conversions.
    """

    def __init__(self, communes, file: str, report):
        self.communes = communes
        self.file = file
        self.report = report
        self.polygons = bool((communes["geometry_kind"] == "polygone").all())

    def commune(self, raw, row: int, column: str) -> str | None:
        """Current code of the commune in cell ``raw`` (None when blank or in error)."""
        code = normalize_code(raw)
        if code is None:
            return None
        if not CODE_PATTERN.match(code):
            self.report.error(f"code commune « {raw} » invalide", file=self.file, row=row,
                              column=column, fix="donner le code INSEE à 5 chiffres (ex. 46042 "
                              "pour Cahors), pas le code postal")
            return None
        current = current_code(code)
        if current not in self.communes.index:
            self.report.error(f"code INSEE {code} inconnu dans le territoire", file=self.file,
                              row=row, column=column, fix="vérifier le code INSEE de la commune "
                              "(code officiel géographique, pas le code postal)")
            return None
        if current != code:
            self.report.add("converti", f"ancien code {code} remplacé par celui de la commune "
                            f"nouvelle {current} ({self.communes.at[current, 'name']})",
                            file=self.file, row=row, column=column)
        return current

    def point(self, lat_raw, lon_raw, row: int, lat_col: str, lon_col: str):
        """(lon, lat) in degrees from two cells, or None (blank or in error)."""
        if blank(lat_raw) and blank(lon_raw):
            return None
        if blank(lat_raw) or blank(lon_raw):
            column = lat_col if blank(lat_raw) else lon_col
            self.report.error("une seule des deux coordonnées est donnée", file=self.file,
                              row=row, column=column,
                              fix="donner la latitude et la longitude, ou aucune des deux")
            return None
        try:
            lat, lon = parse_number(lat_raw), parse_number(lon_raw)
        except ValueError:
            bad = lat_col
            try:
                parse_number(lat_raw)
                bad = lon_col
            except ValueError:
                pass
            self.report.error(f"coordonnée « {lat_raw if bad == lat_col else lon_raw} » "
                              "illisible", file=self.file, row=row, column=bad,
                              fix="donner des degrés décimaux (ex. 44,4475 ou 44.4475)")
            return None
        if _inside(lat, FRANCE_LAT) and _inside(lon, FRANCE_LON):
            return lon, lat
        if _inside(lon, FRANCE_LAT) and _inside(lat, FRANCE_LON):
            self.report.error(f"latitude ({lat}) et longitude ({lon}) inversées",
                              file=self.file, row=row, column=lat_col,
                              fix=f"échanger les colonnes : latitude {lon}, longitude {lat}")
            return None
        for x, y in ((lon, lat), (lat, lon)):
            if _inside(x, L93_X) and _inside(y, L93_Y):
                lon_deg, lat_deg = _from_lambert93(x, y)
                self.report.error("coordonnées en mètres (Lambert-93) dans les colonnes "
                                  "latitude/longitude", file=self.file, row=row, column=lat_col,
                                  fix=f"convertir en degrés WGS84 : latitude {lat_deg:.5f}, "
                                  f"longitude {lon_deg:.5f}")
                return None
        self.report.error(f"coordonnées hors de France (latitude {lat}, longitude {lon})",
                          file=self.file, row=row, column=lat_col,
                          fix="donner des degrés décimaux WGS84 (latitude ≈ 44,4 et longitude "
                          "≈ 1,4 dans le Lot)")
        return None

    def commune_of_point(self, lon: float, lat: float) -> str | None:
        """Code of the commune holding the point, None when it is outside the territory."""
        point = Point(lon, lat)
        if self.polygons:
            hits = self.communes.sindex.query(point, predicate="intersects")
            if len(hits) == 0:
                hits = self.communes.sindex.query(point.buffer(CONTOUR_TOLERANCE_DEG),
                                                  predicate="intersects")
            return None if len(hits) == 0 else self.communes.index[hits[0]]
        distances = [_km(lon, lat, x, y) for x, y in
                     zip(self.communes["point_lon"], self.communes["point_lat"])]
        best = min(range(len(distances)), key=distances.__getitem__)
        return (self.communes.index[best]
                if distances[best] <= MAX_KM_FROM_COMMUNE_POINT else None)

    def place(self, code_raw, lat_raw, lon_raw, row: int, *, code_col: str,
              lat_col: str, lon_col: str):
        """Commune and point of a row.

        Returns
        -------
        dict or None
            ``commune_code``, ``lon``, ``lat`` (degrees), ``location_precision``
            ("adresse" | "commune"); None when the row is in error (reported).
        """
        had_errors = len(self.report.errors)
        code = self.commune(code_raw, row, code_col)
        point = self.point(lat_raw, lon_raw, row, lat_col, lon_col)
        if len(self.report.errors) > had_errors:
            return None
        if point is None:
            if code is None:
                self.report.error("ni coordonnées ni commune : impossible de placer la ligne",
                                  file=self.file, row=row, column=code_col,
                                  fix="donner le code INSEE de la commune (colonne code_insee) "
                                  "ou la latitude et la longitude")
                return None
            return {"commune_code": code, "lon": float(self.communes.at[code, "point_lon"]),
                    "lat": float(self.communes.at[code, "point_lat"]),
                    "location_precision": "commune"}
        lon, lat = point
        found = self.commune_of_point(lon, lat)
        if found is None:
            self.report.error(f"le point (latitude {lat}, longitude {lon}) est hors de toutes "
                              "les communes du territoire", file=self.file, row=row,
                              column=lat_col, fix="vérifier les coordonnées ou charger le "
                              "territoire qui contient ce lieu")
            return None
        if code is None:
            code = found
            self.report.add("converti", f"commune déduite des coordonnées : {code} "
                            f"({self.communes.at[code, 'name']})", file=self.file, row=row,
                            column=code_col)
        elif found != code and self.polygons:
            self.report.add("info", f"le point est dans la commune {found} "
                            f"({self.communes.at[found, 'name']}), pas dans {code} : la commune "
                            "donnée est gardée", file=self.file, row=row, column=lat_col)
        return {"commune_code": code, "lon": lon, "lat": lat, "location_precision": "adresse"}


def _from_lambert93(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(METRIC_CRS, LAYER_CRS, always_xy=True).transform(x, y)
