"""Commune contours: user file → cache → ../shared/data → geo.api.gouv.fr → embedded → points.

Contours under older codes (the shared 2018 IGN contours, an old export) are dissolved into
the current communes in memory; nothing is written into the project. Downloads from
geo.api.gouv.fr are cached under ``maillage.settings.cache_dir()`` so that the second run is
offline.
"""

from __future__ import annotations

import importlib.resources
import urllib.request
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import MultiPolygon, Polygon, make_valid

from maillage.atomic import write_bytes
from maillage.errors import NetworkError
from maillage import settings
from maillage.settings import LAYER_CRS

from .ages import ESTIMATE_SOURCE, estimate_bands
from .cog import (CODE_PATTERN, EMBEDDED_LICENCE, EMBEDDED_VINTAGE, current_code, finish_layer,
                  normalize_code, points_layer)
from .report import LayerSource
from .tables import ROW, blank, display_name, normalize_header, parse_number, read_geo

GEO_API_URL = ("https://geo.api.gouv.fr/departements/{departement}/communes"
               "?fields=code,nom,codeEpci,population&format=geojson&geometry=contour")
GEO_API_EPCI_URL = ("https://geo.api.gouv.fr/communes?codeEpci={epci}"
                    "&fields=code,nom,codeEpci,population&format=geojson&geometry=contour")
NO_CONTOURS = "pas de contours : symboles proportionnels au lieu d'une carte choroplèthe"
_CODE = ("code", "insee_com", "code_insee", "codgeo", "insee", "code_commune", "com")
_NAME = ("nom", "name", "nom_com", "libgeo", "nom_commune")
_EPCI = ("codeepci", "code_epci", "epci", "siren_epci")
_POPULATION = ("population", "population_municipale", "pmun", "pop")


def _column(gdf, names):
    wanted = {normalize_header(n) for n in names}
    return next((c for c in gdf.columns if normalize_header(c) in wanted), None)


def _polygonal(geom):
    """Polygonal part of a repaired geometry (make_valid may add lines or points)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys) if polys else None


def read_contours(path, report):
    """Read a commune contour file and dissolve it into current (COG 2026) communes.

    Parameters
    ----------
    path : str or Path
        GeoJSON (e.g. geo.api.gouv.fr ``format=geojson&geometry=contour``), GeoPackage or
        Shapefile with a commune code column (``code``, ``INSEE_COM``, ``CODGEO`` …).
    report : ValidationReport
        Receives repairs (make_valid), former codes dissolved, and errors.

    Returns
    -------
    GeoDataFrame
        Index = current code; ``geometry`` (EPSG:4326), and ``name``, ``epci``,
        ``population`` (summed over former codes) when the file has them.

    Examples
    --------
    >>> import json
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import ValidationReport
    >>> square = [[1.38, 44.51], [1.42, 44.51], [1.42, 44.55], [1.38, 44.55], [1.38, 44.51]]
    >>> feature = {"type": "Feature", "properties": {"code": "46046", "nom": "Calamane"},
    ...            "geometry": {"type": "Polygon", "coordinates": [square]}}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "communes.geojson"
    ...     _ = path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    ...     contours = read_contours(path, ValidationReport())
    >>> contours.index.tolist(), contours.geometry.iloc[0].geom_type
    (['46046'], 'Polygon')
    """
    file = display_name(path)
    gdf = read_geo(path, report)
    if len(gdf) == 0:
        report.error("aucune commune dans le fichier", file=file,
                     fix="vérifier l'export des contours")
        report.raise_if_errors()
    code_col = _column(gdf, _CODE)
    if code_col is None:
        report.error("colonne du code commune absente", file=file, row=1, column="code",
                     fix="ajouter une colonne « code » (code INSEE de la commune)")
        report.raise_if_errors()
    name_col, epci_col, pop_col = (_column(gdf, n) for n in (_NAME, _EPCI, _POPULATION))
    rows = []
    for record, geom in zip(gdf.to_dict("records"), gdf.geometry):
        row, code = record[ROW], normalize_code(record[code_col])
        if code is None or not CODE_PATTERN.match(code):
            report.error(f"code commune « {record[code_col]} » invalide", file=file, row=row,
                         column=code_col, fix="donner le code INSEE à 5 caractères (ex. 46042)")
            continue
        if geom is None or geom.is_empty:
            report.error(f"géométrie vide pour la commune {code}", file=file, row=row,
                         column="geometry", fix="redessiner ou réexporter le contour")
            continue
        if not geom.is_valid:
            geom = _polygonal(make_valid(geom))
            report.add("réparé", f"contour invalide de la commune {code} réparé (make_valid)",
                       file=file, row=row, column="geometry")
        if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.error(f"la commune {code} n'a pas de contour (polygone attendu)", file=file,
                         row=row, column="geometry", fix="donner un fichier de contours")
            continue
        current = current_code(code)
        if current != code:
            report.add("converti", f"ancien code {code} fusionné dans la commune actuelle "
                       f"{current} (contour réuni, population additionnée)", file=file,
                       row=row, column=code_col)
        population = None
        if pop_col is not None:
            try:
                population = parse_number(record[pop_col])
            except ValueError:
                report.error(f"population « {record[pop_col]} » illisible", file=file, row=row,
                             column=pop_col, fix="donner un nombre d'habitants")
        rows.append({"code": current, "geometry": geom, "population": population,
                     "name": None if name_col is None or current != code else record[name_col],
                     "epci": None if epci_col is None or blank(record[epci_col])
                     else str(record[epci_col])})
    report.raise_if_errors()
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=gdf.crs)
    dissolved = frame.dissolve(by="code", aggfunc={
        "population": lambda s: s.sum(min_count=1), "name": "first", "epci": "first"})
    return dissolved


def _merge(table, contours, source: LayerSource, report):
    """Embedded rows + contours: polygons where the file has them, points elsewhere."""
    layer = points_layer(table)
    common = layer.index.intersection(contours.index)
    layer.loc[common, "geometry"] = contours.loc[common, "geometry"].values
    layer.loc[common, "geometry_kind"] = "polygone"
    restricted = table["epci"].nunique() == 1
    extra = contours.index.difference(layer.index)
    if restricted:
        extra = [c for c in extra if contours.at[c, "epci"] == table["epci"].iloc[0]]
    if len(extra):
        rows = []
        for code in extra:
            population = contours.at[code, "population"]
            population = 0 if pd.isna(population) else int(population)
            point = contours.at[code, "geometry"].representative_point()
            rows.append({"code": code, "name": contours.at[code, "name"] or code,
                         "epci": contours.at[code, "epci"] or "", "epci_name": "",
                         "population": population, **estimate_bands(population),
                         "age_source": ESTIMATE_SOURCE, "point_lon": round(point.x, 5),
                         "point_lat": round(point.y, 5), "geometry_kind": "polygone",
                         "geometry": contours.at[code, "geometry"]})
        report.add("info", f"{len(rows)} communes hors du Lot ajoutées depuis "
                   f"{source.description}")
        layer = pd.concat([layer, gpd.GeoDataFrame(rows, geometry="geometry", crs=LAYER_CRS)
                           .set_index("code", drop=False)])
    without = (layer["geometry_kind"] == "point").sum()
    if without:
        report.add("info", f"{without} communes sans contour dans {source.description} : "
                   "placées à leur point représentatif")
        source.missing = f"{without} communes sans contour (points)"
    return finish_layer(layer)


def _cache_path(departement: str):
    return settings.cache_dir() / "geo.api.gouv.fr" / f"communes-{departement}.geojson"


def fetch_geo_api(departement: str = "46", *, epci: str | None = None, timeout: float = 30):
    """Download commune contours + population from geo.api.gouv.fr into the cache.

    Parameters
    ----------
    departement : str
        Département code (used for the cache file name and the URL when ``epci`` is None).
    epci : str, optional
        Fetch only the communes of this intercommunality (SIREN).
    timeout : float
        Seconds before giving up.

    Returns
    -------
    Path
        The cached GeoJSON file.

    Raises
    ------
    NetworkError
        When maillage is offline or the download fails.

    Examples
    --------
    >>> path = fetch_geo_api("46", epci="200023737")  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'communes-200023737.geojson'
    """
    if settings.offline():
        raise NetworkError("mode hors ligne (MAILLAGE_OFFLINE=1) : téléchargement impossible")
    url = (GEO_API_EPCI_URL.format(epci=epci) if epci
           else GEO_API_URL.format(departement=departement))
    target = _cache_path(f"epci-{epci}" if epci else departement)
    request = urllib.request.Request(url, headers={"User-Agent": "maillage"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
    except OSError as exc:
        raise NetworkError(f"téléchargement de {url} impossible ({exc})") from None
    return write_bytes(target, data)


def with_geometry(table, *, path=None, offline=None, report):
    """Give the embedded communes their geometry, following the source resolution order.

    User file → cache of geo.api.gouv.fr → ../shared/data contours (2018, dissolved to
    2026 codes) → online fetch (cached) → embedded simplified contours → representative
    points. Each step taken or skipped
    is recorded in ``report`` ("info").

    Returns
    -------
    (GeoDataFrame, LayerSource)
    """
    offline = settings.offline() if offline is None else offline
    if path is not None:
        source = LayerSource("fichier utilisateur", display_name(path), "", "",
                             citation=f"contours : {Path(path).name} ; {POPULATIONS}")
        return _merge(table, read_contours(path, report), source, report), source
    epcis = table["epci"].unique()
    candidates = [_cache_path("46")] + ([_cache_path(f"epci-{epcis[0]}")] if len(epcis) == 1
                                        else [])
    cached = next((c for c in candidates if c.is_file()), None)
    if cached is not None:
        source = LayerSource("cache", f"geo.api.gouv.fr ({cached})", EMBEDDED_VINTAGE,
                             "Licence Ouverte", citation=f"IGN Admin Express ; {POPULATIONS}")
        return _merge(table, read_contours(cached, report), source, report), source
    shared = settings.shared_data_dir()
    if shared is not None and (shared / "communes" / "communes-46-lot.geojson").is_file():
        source = LayerSource("données partagées",
                             "contours IGN Admin Express 2018 (../shared/data) réunis en "
                             "communes 2026", "contours 2018, codes COG 2026",
                             "Licence Ouverte",
                             citation=f"IGN Admin Express 2018 ; {POPULATIONS}")
        contours = read_contours(shared / "communes" / "communes-46-lot.geojson", report)
        return _merge(table, contours, source, report), source
    if not offline:
        try:
            fetched = fetch_geo_api("46")
        except NetworkError as exc:
            report.add("info", f"contours non téléchargés : {exc}")
        else:
            source = LayerSource("en ligne", f"geo.api.gouv.fr (mis en cache : {fetched})",
                                 EMBEDDED_VINTAGE, "Licence Ouverte",
                                 citation=f"IGN Admin Express ; {POPULATIONS}")
            return _merge(table, read_contours(fetched, report), source, report), source
    embedded = _embedded_contours()
    if embedded is not None:
        source = LayerSource("intégré", f"maillage.data/{EMBEDDED_CONTOURS} (contours IGN Admin "
                             "Express 2018 simplifiés, réunis en communes 2026)",
                             "contours 2018, codes COG 2026", EMBEDDED_CONTOURS_LICENCE,
                             citation=f"IGN Admin Express 2018 ; {POPULATIONS}")
        return _merge(table, embedded, source, report), source
    source = LayerSource("intégré", "maillage.data/communes_lot.csv", EMBEDDED_VINTAGE,
                         EMBEDDED_LICENCE, missing=NO_CONTOURS, citation=POPULATIONS)
    report.add("info", f"communes : {NO_CONTOURS}")
    return points_layer(table), source


#: How figures cite the communes and their populations (with the contours' source).
POPULATIONS = "INSEE COG 2026 et populations légales"
#: Embedded contours of the Lot's 312 communes (see data/README.md).
EMBEDDED_CONTOURS = "communes_lot.geojson"
EMBEDDED_CONTOURS_LICENCE = "Licence Ouverte (IGN Admin Express 2018, simplifié)"


def _embedded_contours():
    """The embedded contours (index = code, EPSG:4326), or None when not shipped."""
    resource = importlib.resources.files("maillage.data").joinpath(EMBEDDED_CONTOURS)
    if not resource.is_file():
        return None
    with importlib.resources.as_file(resource) as path:
        contours = gpd.read_file(path, engine="pyogrio")
    contours = contours.set_index(contours["code"].astype(str).rename(None))
    for column in ("population", "name", "epci"):
        contours[column] = None
    return contours



