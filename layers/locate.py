"""Placing a row of a user's table: commune code, coordinates, and their checks.

Shared by the facility and itinerant-stop loaders. Catches the usual mistakes of planners'
tables: unknown or former INSEE codes, latitude and longitude swapped, Lambert-93 metres typed
in latitude/longitude columns, points outside every commune of the territory.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from maillage.settings import LAYER_CRS, METRIC_CRS

from .cog import CODE_PATTERN, current_code, normalize_code
from .columns import spread_findings
from .tables import blank, non_finite, parse_number

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
    """Approximate great-circle distance (km), enough to tell 'near' from 'far' (arrays too)."""
    x = np.radians(lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2))
    y = np.radians(lat2 - lat1)
    return 6371.0 * np.hypot(x, y)


#: Points located per k-d tree query without contours.
_CHUNK = 100_000


def _numbers(cells) -> np.ndarray:
    """Cells read as :func:`~maillage.layers.tables.parse_number` would (NaN otherwise), fast.

    French decimal commas and spaces as thousands separators are accepted; anything pandas
    reads differently from Python is simply not cached (see :meth:`Locator.prepare`).
    """
    text = pd.Series(cells, dtype="string").str.strip().str.replace(
        r"[\u00a0\u202f ]", "", regex=True)
    comma_only = text.str.contains(",", regex=False) & ~text.str.contains(".", regex=False)
    text = text.where(~comma_only.fillna(False), text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _none(values: np.ndarray) -> np.ndarray:
    """True where an object array holds None."""
    return np.array([v is None for v in values.tolist()], dtype=bool)


def _number_or_nan(text) -> float:
    """:func:`~maillage.layers.tables.parse_number` of a cell, NaN when blank or unreadable."""
    try:
        value = parse_number(text)
    except ValueError:
        return math.nan
    return math.nan if value is None else value


def point_finding(lat_raw, lon_raw, lat_col: str, lon_col: str):
    """(lon, lat) in degrees from two cells, and the error to report (nothing is reported).

    Returns
    -------
    tuple
        ((lon, lat) or None, (message, column, fix) or None): None and no error when both
        cells are blank.
    """
    if blank(lat_raw) and blank(lon_raw):
        return None, None
    if blank(lat_raw) or blank(lon_raw):
        column = lat_col if blank(lat_raw) else lon_col
        return None, ("une seule des deux coordonnées est donnée", column,
                      "donner la latitude et la longitude, ou aucune des deux")
    try:
        lat, lon = parse_number(lat_raw), parse_number(lon_raw)
    except ValueError:
        bad = lat_col
        try:
            parse_number(lat_raw)
            bad = lon_col
        except ValueError:
            pass
        raw = lat_raw if bad == lat_col else lon_raw
        if non_finite(raw):
            return None, (f"coordonnée « {raw} » hors limites (valeur infinie)", bad,
                          "donner des degrés décimaux WGS84 : latitude entre -90 et 90, "
                          "longitude entre -180 et 180 (ex. 44,4475 et 1,4419 à Cahors)")
        return None, (f"coordonnée « {raw} » illisible", bad,
                      "donner des degrés décimaux (ex. 44,4475 ou 44.4475)")
    if _inside(lat, FRANCE_LAT) and _inside(lon, FRANCE_LON):
        return (lon, lat), None
    if _inside(lon, FRANCE_LAT) and _inside(lat, FRANCE_LON):
        return None, (f"latitude ({lat}) et longitude ({lon}) inversées", lat_col,
                      f"échanger les colonnes : latitude {lon}, longitude {lat}")
    for x, y in ((lon, lat), (lat, lon)):
        if _inside(x, L93_X) and _inside(y, L93_Y):
            lon_deg, lat_deg = _from_lambert93(x, y)
            return None, ("coordonnées en mètres (Lambert-93) dans les colonnes "
                          "latitude/longitude", lat_col, f"convertir en degrés WGS84 : latitude "
                          f"{lat_deg:.5f}, longitude {lon_deg:.5f}")
    return None, (f"coordonnées hors de France (latitude {lat}, longitude {lon})", lat_col,
                  "donner des degrés décimaux WGS84 (latitude ≈ 44,4 et longitude ≈ 1,4 dans "
                  "le Lot)")


class Locator:
    """Validates commune codes and coordinates of rows against a territory's communes.

    The geometric step (which commune holds a point) is vectorised: :meth:`prepare` locates
    every point of a file at once (spatial index or one array operation per chunk), and the
    per-row :meth:`place` reads the answer, writing the same messages in the same order as
    locating each row alone would.

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
        # plain Python lookups: DataFrame.at deep-copies the frame's attrs on every call
        self.codes = [str(c) for c in communes.index]
        self.names = dict(zip(self.codes, communes["name"].astype(str)))
        self.point_lon = np.asarray(communes["point_lon"], dtype=float)
        self.point_lat = np.asarray(communes["point_lat"], dtype=float)
        self.points = {c: (float(x), float(y)) for c, x, y in
                       zip(self.codes, self.point_lon, self.point_lat)}
        self._located: dict[tuple[float, float], str | None] = {}
        self._tree = None
        self._box_deg = 0.0

    def commune_finding(self, raw) -> tuple[str | None, tuple[str, str, str | None] | None]:
        """Current code of the commune in cell ``raw`` and what to report about it.

        Returns (code or None, (level, message, fix) or None), without reporting.
        """
        code = normalize_code(raw)
        if code is None:
            return None, None
        if not CODE_PATTERN.match(code):
            return None, ("erreur", f"code commune « {raw} » invalide", "donner le code INSEE "
                          "à 5 chiffres (ex. 46042 pour Cahors), pas le code postal")
        current = current_code(code)
        if current not in self.names:
            return None, ("erreur", f"code INSEE {code} inconnu dans le territoire",
                          "vérifier le code INSEE de la commune (code officiel géographique, "
                          "pas le code postal)")
        if current != code:
            return current, ("converti", f"ancien code {code} remplacé par celui de la commune "
                             f"nouvelle {current} ({self.names[current]})", None)
        return current, None

    def commune(self, raw, row: int, column: str) -> str | None:
        """Current code of the commune in cell ``raw`` (None when blank or in error)."""
        code, finding = self.commune_finding(raw)
        if finding is not None:
            level, message, fix = finding
            self.report.add(level, message, file=self.file, row=row, column=column, fix=fix)
        return code

    def point(self, lat_raw, lon_raw, row: int, lat_col: str, lon_col: str):
        """(lon, lat) in degrees from two cells, or None (blank or in error)."""
        point, finding = point_finding(lat_raw, lon_raw, lat_col, lon_col)
        if finding is not None:
            message, column, fix = finding
            self.report.error(message, file=self.file, row=row, column=column, fix=fix)
        return point

    def commune_of_point(self, lon: float, lat: float) -> str | None:
        """Code of the commune holding the point, None when it is outside the territory."""
        key = (lon, lat)
        if key not in self._located:
            self._located[key] = self.communes_of_points(np.array([lon]), np.array([lat]))[0]
        return self._located[key]

    def communes_of_points(self, lon, lat) -> list[str | None]:
        """Vectorised :meth:`commune_of_point`: one code (or None) per point.

        With contours, the commune whose polygon holds the point (the first in the layer's
        order when several touch it), else within :data:`CONTOUR_TOLERANCE_DEG`; with points
        only, the nearest commune point within :data:`MAX_KM_FROM_COMMUNE_POINT` km.
        """
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        found = np.full(len(lon), -1, dtype=np.int64)
        if len(lon) == 0:
            return []
        if self.polygons:
            points = shapely.points(lon, lat)
            for tolerance in (0.0, CONTOUR_TOLERANCE_DEG):
                todo = np.flatnonzero(found < 0)
                if len(todo) == 0:
                    break
                # buffered only for the points no contour holds: buffers are costly
                geometries = (points[todo] if not tolerance else
                              shapely.buffer(points[todo], tolerance))
                inputs, hits = self.communes.sindex.query(geometries,
                                                          predicate="intersects", sort=True)
                first = np.unique(inputs, return_index=True)[1]  # lowest commune per point
                found[todo[inputs[first]]] = hits[first]
        else:
            found = self._nearest_point(lon, lat)
        return [None if k < 0 else self.codes[k] for k in found]

    def _nearest_point(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index of the nearest commune point within the limit (-1: none), per point.

        Only communes within a box of a few tenths of a degree (computed from the communes'
        latitudes: 0.16° for the Lot) can be within
        :data:`MAX_KM_FROM_COMMUNE_POINT` km, so a k-d tree gives each point its few
        candidates; among them the smallest :func:`_km` wins, the first in the layer's order
        on a tie, exactly as a scan of every commune would.
        """
        from scipy.spatial import cKDTree

        tree = self._tree
        if tree is None:
            tree = self._tree = cKDTree(np.column_stack([self.point_lon, self.point_lat]))
            # x of _km is Δlon·cos(mean latitude): the box widens towards the poles
            top = min(float(np.abs(self.point_lat).max()) + 1.0, 89.0)
            self._box_deg = 1.01 * math.degrees(MAX_KM_FROM_COMMUNE_POINT / 6371.0) / math.cos(
                math.radians(top))
        found = np.full(len(lon), -1, dtype=np.int64)
        for start in range(0, len(lon), _CHUNK):
            x, y = lon[start:start + _CHUNK], lat[start:start + _CHUNK]
            near = tree.query_ball_point(np.column_stack([x, y]), r=self._box_deg,
                                               p=np.inf)
            counts = np.fromiter((len(n) for n in near), dtype=np.int64, count=len(near))
            if counts.sum() == 0:
                continue
            point = np.repeat(np.arange(len(near)), counts)
            commune = np.concatenate([np.asarray(n, dtype=np.int64) for n in near if n])
            km = _km(x[point], y[point], self.point_lon[commune], self.point_lat[commune])
            order = np.lexsort((commune, km, point))  # per point: nearest, then first
            point, commune, km = point[order], commune[order], km[order]
            first = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
            keep = km[first] <= MAX_KM_FROM_COMMUNE_POINT
            found[start + point[first][keep]] = commune[first][keep]
        return found

    def prepare(self, lat_cells, lon_cells) -> None:
        """Locate at once every point that :meth:`point` will accept in these cells.

        Only a cache: :meth:`place` gives the same answers and messages without it, one row
        at a time (and still does for any point this pass did not parse the same way).
        """
        lat = _numbers(lat_cells)
        lon = _numbers(lon_cells)
        keep = (np.isfinite(lat) & np.isfinite(lon) & (lat >= FRANCE_LAT[0])
                & (lat <= FRANCE_LAT[1]) & (lon >= FRANCE_LON[0]) & (lon <= FRANCE_LON[1]))
        unique = pd.DataFrame({"lon": lon[keep], "lat": lat[keep]}).drop_duplicates()
        new = np.array([key not in self._located for key in
                        zip(unique["lon"].tolist(), unique["lat"].tolist())], dtype=bool)
        unique = unique[new]
        codes = self.communes_of_points(unique["lon"].to_numpy(), unique["lat"].to_numpy())
        self._located.update(zip(zip(unique["lon"].tolist(), unique["lat"].tolist()), codes))

    def place(self, code_raw, lat_raw, lon_raw, row: int, *, code_col: str,
              lat_col: str, lon_col: str):
        """Commune and point of a row.

        Returns
        -------
        dict or None
            ``commune_code``, ``lon``, ``lat`` (degrees), ``location_precision``
            ("adresse" | "commune"); None when the row is in error (reported).
        """
        had_errors = self.report.error_count
        code = self.commune(code_raw, row, code_col)
        point = self.point(lat_raw, lon_raw, row, lat_col, lon_col)
        if self.report.error_count > had_errors:
            return None
        if point is None:
            if code is None:
                self.report.error("ni coordonnées ni commune : impossible de placer la ligne",
                                  file=self.file, row=row, column=code_col,
                                  fix="donner le code INSEE de la commune (colonne code_insee) "
                                  "ou la latitude et la longitude")
                return None
            lon, lat = self.points[code]
            return {"commune_code": code, "lon": lon, "lat": lat,
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
                            f"({self.names[code]})", file=self.file, row=row,
                            column=code_col)
        elif found != code and self.polygons:
            self.report.add("info", f"le point est dans la commune {found} "
                            f"({self.names[found]}), pas dans {code} : la commune "
                            "donnée est gardée", file=self.file, row=row, column=lat_col)
        return {"commune_code": code, "lon": lon, "lat": lat, "location_precision": "adresse"}


    def place_columns(self, code_cells, lat_cells, lon_cells, rows, findings, step: int):
        """:meth:`place` for many rows at once, findings written to ``findings``.

        Parameters
        ----------
        code_cells, lat_cells, lon_cells : Cells
            The ``commune_code``, ``lat`` and ``lon`` columns
            (:class:`~maillage.layers.columns.Cells`).
        rows : array of int
            Positions of the rows to place.
        findings : Findings
            Receives, per row, the commune finding (rule ``step``), the point finding
            (``step + 1``) and the placement finding (``step + 2``), as :meth:`place` reports
            them.
        step : int
            Order of these rules among the table's rules.

        Returns
        -------
        tuple of arrays
            ``commune_code`` (object, None when not placed), ``lon`` and ``lat`` (degrees,
            NaN), ``location_precision`` (object) and ``placed`` (bool), one per row of
            ``rows``.
        """
        rows = np.asarray(rows, dtype=np.int64)
        communes = code_cells.map(self.commune_finding)
        code = np.asarray([c for c, _ in communes] + [None], dtype=object)[:-1][
            code_cells.codes[rows]]
        positions, found = spread_findings(code_cells, [f for _, f in communes], rows)
        failed = np.zeros(len(code_cells.codes), dtype=bool)
        for level in ("erreur", "converti"):
            keep = [k for k, f in enumerate(found) if f[0] == level]
            if keep:
                findings.add(step, level, positions[keep], [found[k][1] for k in keep],
                             "commune_code", [found[k][2] for k in keep])
                failed[positions[keep]] = level == "erreur"
        # one answer per distinct (latitude, longitude) pair of cells
        pair = lat_cells.codes[rows].astype(np.int64) * len(lon_cells.texts) \
            + lon_cells.codes[rows]
        pairs, inverse = np.unique(pair, return_inverse=True)
        # the usual pair (two numbers within France) is read column-wise; others one by one
        lat_of = np.array(lat_cells.map(_number_or_nan))[pairs // len(lon_cells.texts)]
        lon_of = np.array(lon_cells.map(_number_or_nan))[pairs % len(lon_cells.texts)]
        usual = ((lat_of >= FRANCE_LAT[0]) & (lat_of <= FRANCE_LAT[1])
                 & (lon_of >= FRANCE_LON[0]) & (lon_of <= FRANCE_LON[1]))
        answers: list = [((x, y), None) for x, y in zip(lon_of.tolist(), lat_of.tolist())]
        for k in np.flatnonzero(~usual).tolist():
            answers[k] = point_finding(lat_cells.texts[pairs[k] // len(lon_cells.texts)],
                                       lon_cells.texts[pairs[k] % len(lon_cells.texts)],
                                       "lat", "lon")
        bad = np.flatnonzero(np.array([f is not None for _, f in answers], dtype=bool)[inverse])
        if len(bad):
            errors = [answers[k][1] for k in inverse[bad].tolist()]
            for column in ("lat", "lon"):
                keep = [i for i, e in enumerate(errors) if e[1] == column]
                findings.add(step + 1, "erreur", rows[bad[keep]], [errors[i][0] for i in keep],
                             column, [errors[i][2] for i in keep])
            failed[rows[bad]] = True
        lon = np.array([np.nan if p is None else p[0] for p, _ in answers])[inverse]
        lat = np.array([np.nan if p is None else p[1] for p, _ in answers])[inverse]
        ok = ~failed[rows]
        has_point = ok & np.isfinite(lon)
        nowhere = np.flatnonzero(ok & ~has_point & _none(code))
        findings.add(step + 2, "erreur", rows[nowhere], "ni coordonnées ni commune : impossible "
                     "de placer la ligne", "commune_code", "donner le code INSEE de la commune "
                     "(colonne code_insee) ou la latitude et la longitude")
        placed = ok.copy()
        placed[nowhere] = False
        precision = np.where(has_point, "adresse", "commune").astype(object)
        by_commune = np.flatnonzero(placed & ~has_point)
        if len(by_commune):
            lon[by_commune] = [self.points[c][0] for c in code[by_commune].tolist()]
            lat[by_commune] = [self.points[c][1] for c in code[by_commune].tolist()]
        located = np.flatnonzero(has_point)
        if len(located):
            unique = pd.DataFrame({"lon": lon[located], "lat": lat[located]})
            keys = unique.groupby(["lon", "lat"], sort=False).ngroup().to_numpy()
            first = unique.drop_duplicates()
            codes = np.asarray(self.communes_of_points(first["lon"].to_numpy(),
                                                       first["lat"].to_numpy()) + [None],
                               dtype=object)[:-1][keys]
            outside = _none(codes)
            out = located[outside]
            findings.add(step + 2, "erreur", rows[out],
                         [f"le point (latitude {y}, longitude {x}) est hors de toutes les "
                          "communes du territoire" for x, y in zip(lon[out].tolist(),
                                                                   lat[out].tolist())],
                         "lat", "vérifier les coordonnées ou charger le territoire qui contient "
                         "ce lieu")
            placed[out] = False
            inside, codes = located[~outside], codes[~outside]
            deduced = _none(code[inside])
            code[inside[deduced]] = codes[deduced]
            findings.add(step + 2, "converti", rows[inside[deduced]],
                         [f"commune déduite des coordonnées : {c} ({self.names[c]})"
                          for c in codes[deduced].tolist()], "commune_code")
            if self.polygons:
                other = ~deduced & (code[inside] != codes)
                findings.add(step + 2, "info", rows[inside[other]],
                             [f"le point est dans la commune {f} ({self.names[f]}), pas dans "
                              f"{c} : la commune donnée est gardée"
                              for f, c in zip(codes[other].tolist(),
                                              code[inside[other]].tolist())], "lat")
        code[~placed] = None
        return code, lon, lat, precision, placed


def _from_lambert93(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(METRIC_CRS, LAYER_CRS, always_xy=True).transform(x, y)
