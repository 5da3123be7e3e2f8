"""The facilities layer: one schema for every family service, read from planners' tables.

A facility file may use the canonical column names (``id``, ``name``, ``kind``,
``commune_code``, ``capacity`` …) or the French headers planners use (``nom``, ``type``,
``code_insee``, ``places``, ``adresse``, ``latitude``/``longitude``, ``date_debut`` …).
Every row is either loaded or reported as an error: nothing is dropped silently.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from maillage.kinds import SERVICE_KINDS, RegistrySet, RegistryView, kinds_where
from maillage.settings import LAYER_CRS

from .communes import load_communes
from .locate import Locator
from .report import ValidationReport
from .tables import (BLANK_WORDS, ROW, blank, display_name, non_finite, normalize_header,
                     parse_date, parse_number, read_any, records, rename_columns)

#: Known facility kinds -> French name: a view of the registry
#: :data:`maillage.kinds.SERVICE_KINDS` (register a kind there to accept it).
KINDS = RegistryView(lambda: {k: v.name for k, v in SERVICE_KINDS.items()})
#: Planners' words for a kind (normalised) -> (kind, subtype).
KIND_SYNONYMS = {
    "accueil_de_loisirs": ("alsh", ""), "centre_de_loisirs": ("alsh", "centre de loisirs"),
    "creche": ("eaje", "crèche"), "multi_accueil": ("eaje", "multi-accueil"),
    "micro_creche": ("eaje", "micro-crèche"), "ram": ("rpe", ""),
    "relais_petite_enfance": ("rpe", ""), "france_service": ("france_services", ""),
    "maison_france_services": ("france_services", ""), "fs": ("france_services", ""),
    "espace_de_vie_sociale": ("evs", ""), "pij": ("accueil_jeunes", ""),
    "lieu_d_accueil_enfants_parents": ("laep", ""), "pad": ("point_justice", ""),
}
#: Kinds counted in places: a capacity is required (registry field ``capacity``).
CAPACITY_REQUIRED = RegistrySet(lambda: kinds_where(lambda k: k.capacity == "required"))
#: Kinds without places: a capacity given is ignored (and reported).
NO_CAPACITY = RegistrySet(lambda: kinds_where(lambda k: k.capacity == "none"))
OPENING_TOKENS = {"mercredi": "mercredis", "mercredis": "mercredis", "vacances": "vacances",
                  "periscolaire": "periscolaire", "semaine": "semaine", "samedi": "samedi",
                  "samedis": "samedi"}
FACILITY_COLUMNS = ["id", "name", "kind", "subtype", "commune_code", "epci", "address", "lon",
                    "lat", "location_precision", "capacity", "age_min", "age_max", "operator",
                    "opening", "valid_from", "valid_to", "itinerant", "source", "geometry"]
ALIASES = {
    "id": ("identifiant", "id_structure", "code_structure"),
    "name": ("nom", "libelle", "nom_structure", "denomination", "lib_fs"),
    "kind": ("type", "categorie", "type_service", "famille"),
    "subtype": ("sous_type", "type_structure", "type_accueil"),
    "commune_code": ("code_insee", "insee", "code_commune", "codgeo", "insee_com", "commune"),
    "address": ("adresse",),
    "lat": ("latitude", "y_wgs84"),
    "lon": ("longitude", "lng", "x_wgs84"),
    "capacity": ("places", "capacite", "nb_places", "nombre_de_places", "agrement"),
    "age_min": ("age_minimum", "age_mini"),
    "age_max": ("age_maximum", "age_maxi"),
    "ages": ("tranche_d_age", "public"),
    "operator": ("gestionnaire", "operateur", "porteur"),
    "opening": ("ouverture", "periodes", "periodes_d_ouverture", "fonctionnement"),
    "valid_from": ("date_debut", "debut", "date_ouverture", "ouvert_depuis"),
    "valid_to": ("date_fin", "fin", "date_fermeture"),
    "itinerant": ("itinerance", "mobile"),
    "source": ("document",),
}
#: Ages above this (years) are typing mistakes.
MAX_AGE = 120
#: End dates from this year on mean "no end date" (planners type 31/12/2999 or 31/12/9999).
OPEN_ENDED_YEAR = 2100
#: Dates before this year are typing mistakes (01/04/0025, 01/04/1025).
EARLIEST_YEAR = 1900
TRUE_WORDS = {"true", "vrai", "oui", "1", "x", "yes"}
FALSE_WORDS = {"false", "faux", "non", "0", "no", ""}


def slug(text: str) -> str:
    """ASCII lower-case dashed form of a name ("ALSH de Catus" -> "alsh-de-catus")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class RowCells:
    """Parses the cells of one facility row, reporting errors with file, row and column."""

    def __init__(self, record: dict, file: str, report, headers: dict | None = None):
        self.record, self.file, self.report, self.row = record, file, report, record[ROW]
        self.headers = headers or {}

    def header(self, column: str) -> str:
        """The user's header for a canonical column (the canonical name when absent)."""
        return self.headers.get(column, column)

    def text(self, column: str) -> str:
        """The cell of ``column`` as stripped text (empty when blank)."""
        value = self.record.get(column)
        if value is None:
            return ""
        text = str(value).strip()
        return "" if text in BLANK_WORDS else text

    def error(self, message: str, column: str, fix: str) -> None:
        """Report an error on this row and ``column`` with its ``fix``."""
        self.report.error(message, file=self.file, row=self.row, column=self.header(column),
                          fix=fix)

    def number(self, column: str, *, what: str) -> float | None:
        """The cell of ``column`` as a number (None when blank; errors reported)."""
        raw = self.text(column)
        try:
            value = parse_number(raw)
        except ValueError:
            problem = "est infini ou trop grand" if non_finite(raw) else "n'est pas un nombre"
            self.error(f"{what} « {raw} » {problem}", column,
                       "écrire un nombre en chiffres (ex. 24 ou 24,5)")
            return None
        if value is not None and value < 0:
            self.error(f"{what} négatif ({raw})", column, "donner un nombre positif ou nul")
            return None
        return value

    def date(self, column: str, *, open_ended: bool = False):
        """Date of a cell (None when blank or in error).

        With ``open_ended`` (an end date), a year from :data:`OPEN_ENDED_YEAR` on — what
        planners type for "no end", e.g. 31/12/2999 — means no end date: None, reported as
        converted. Other years outside [:data:`EARLIEST_YEAR`, :data:`OPEN_ENDED_YEAR`) are
        errors.
        """
        raw = self.text(column)
        try:
            value = parse_date(raw)
        except ValueError:
            self.error(f"date « {raw} » illisible", column,
                       "écrire la date jj/mm/aaaa (ex. 01/04/2025) ou aaaa-mm-jj")
            return None
        if value is None or EARLIEST_YEAR <= value.year < OPEN_ENDED_YEAR:
            return value
        if open_ended and value.year >= OPEN_ENDED_YEAR:
            self.report.add("converti", f"date de fin « {raw} » lue comme « sans date de fin »",
                            file=self.file, row=self.row, column=self.header(column))
            return None
        self.error(f"date « {raw} » improbable (année {value.year})", column,
                   f"vérifier l'année : une date entre {EARLIEST_YEAR} et "
                   f"{OPEN_ENDED_YEAR - 1}" + (", ou laisser vide" if not open_ended else
                                               ", ou laisser vide si sans fin"))
        return None

    def flag(self, column: str) -> bool:
        """The cell of ``column`` as a yes/no flag (errors reported)."""
        raw = self.text(column).lower()
        if raw in TRUE_WORDS or raw in FALSE_WORDS:
            return raw in TRUE_WORDS
        self.error(f"valeur « {raw} » non reconnue", column, "écrire oui ou non")
        return False

    def tokens(self, column: str, vocabulary: dict[str, str], unknown: str, fix: str) -> str:
        """";"-joined vocabulary tokens of a list cell ("mercredis, vacances").

        ``unknown`` is the message for a word outside the vocabulary, "{}" standing for it.
        """
        tokens = []
        for word in _words(self.text(column)):
            token = vocabulary.get(normalize_header(word))
            if token is None:
                self.error(unknown.format(word), column, fix)
            elif token not in tokens:
                tokens.append(token)
        return ";".join(tokens)


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """The words of a list cell ("Mercredis, vacances" -> ("mercredis", "vacances"))."""
    return tuple(filter(None, re.split(r"[;,/+\s]+|\bet\b", text.lower())))


def _kind(row: RowCells, default: str | None, kinds) -> tuple[str | None, str]:
    raw = row.text("kind") or (default or "")
    if not raw:
        row.error("type de service absent", "kind",
                  "remplir la colonne type (alsh, eaje, rpe…) ou utiliser --kind")
        return None, ""
    key = normalize_header(raw)
    if key in kinds:
        return key, ""
    if key in KIND_SYNONYMS:
        return KIND_SYNONYMS[key]
    row.error(f"type de service « {raw} » inconnu", "kind",
              "utiliser un de ces types : " + ", ".join(kinds))
    return None, ""


def _ages(row: RowCells) -> tuple[float | None, float | None]:
    age_min = row.number("age_min", what="âge minimum")
    age_max = row.number("age_max", what="âge maximum")
    text = row.text("ages")
    if text and age_min is None and age_max is None:
        numbers = re.findall(r"\d+(?:[.,]\d+)?", text)
        if len(numbers) != 2:
            row.error(f"tranche d'âge « {text} » illisible", "ages", "écrire par exemple 3-11")
            return None, None
        age_min, age_max = (float(n.replace(",", ".")) for n in numbers)
    for column, age in (("age_min", age_min), ("age_max", age_max)):
        if age is not None and age > MAX_AGE:
            row.error(f"âge de {age:g} ans improbable", column,
                      f"donner l'âge en années (0 à {MAX_AGE})")
            return None, None
    if age_min is not None and age_max is not None and age_max < age_min:
        row.error(f"âge maximum ({age_max:g}) inférieur à l'âge minimum ({age_min:g})",
                  "age_max", "vérifier la tranche d'âge")
    return age_min, age_max


def _opening(row: RowCells) -> str:
    return row.tokens("opening", OPENING_TOKENS, "période d'ouverture « {} » inconnue",
                      "utiliser mercredis, vacances, périscolaire, semaine ou samedi, séparés "
                      "par des points-virgules")


class _Vocabulary(NamedTuple):
    """The registry's kinds read once per file (the registry views recompute at each use)."""

    kinds: dict
    capacity_required: frozenset
    no_capacity: frozenset

    @classmethod
    def now(cls) -> _Vocabulary:
        return cls(dict(KINDS), frozenset(CAPACITY_REQUIRED), frozenset(NO_CAPACITY))


def _facility(row: RowCells, default_kind, locator, require_capacity: bool,
              vocabulary: _Vocabulary) -> dict | None:
    errors_before = row.report.error_count
    kind, subtype = _kind(row, default_kind, vocabulary.kinds)
    name = row.text("name")
    if not name:
        row.error("nom absent", "name", "donner le nom de la structure (colonne nom)")
    capacity = row.number("capacity", what="nombre de places")
    if (kind in vocabulary.capacity_required and capacity is None
            and row.report.error_count == errors_before):
        if require_capacity:
            row.error(f"nombre de places absent pour un service {kind}", "capacity",
                      "remplir la colonne places (capacité agréée)")
        else:
            row.report.add("info", f"places inconnues pour ce service {kind} : compté sans "
                           "places dans les indicateurs", file=row.file, row=row.row,
                           column=row.header("capacity"))
    if kind in vocabulary.no_capacity and capacity is not None:
        row.report.add("info", f"places ignorées : un service {kind} n'a pas de places",
                       file=row.file, row=row.row, column=row.header("capacity"))
        capacity = None
    age_min, age_max = _ages(row)
    valid_from, valid_to = row.date("valid_from"), row.date("valid_to", open_ended=True)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        row.error(f"date de fin ({valid_to:%d/%m/%Y}) avant la date de début "
                  f"({valid_from:%d/%m/%Y})", "valid_to", "corriger l'une des deux dates")
    opening, itinerant = _opening(row), row.flag("itinerant")
    place = locator.place(row.text("commune_code"), row.text("lat"), row.text("lon"), row.row,
                          code_col=row.header("commune_code"), lat_col=row.header("lat"),
                          lon_col=row.header("lon"))
    if row.report.error_count > errors_before or place is None:
        return None
    subtype = row.text("subtype") or subtype
    return {"id": row.text("id"), "name": name, "kind": kind, "subtype": subtype, **place,
            "address": row.text("address"), "capacity": capacity, "age_min": age_min,
            "age_max": age_max, "operator": row.text("operator"), "opening": opening,
            "valid_from": valid_from, "valid_to": valid_to,
            "itinerant": itinerant or normalize_header(subtype) == "bus",
            "source": row.text("source"), ROW: row.row}


def _assign_ids(rows: list[dict], file: str, report, id_header: str) -> None:
    first_row: dict[str, int] = {}
    for row in rows:
        if not row["id"]:
            # always kind-name-commune, so a planner can predict the id of any row
            base = slug(f"{row['kind']}-{row['name']}-{row['commune_code']}")
            candidate, n = base, 2
            while candidate in first_row:
                candidate, n = f"{base}-{n}", n + 1
            row["id"] = candidate
            report.add("converti", f"identifiant absent : « {candidate} » attribué", file=file,
                       row=row[ROW], column=id_header)
        if row["id"] in first_row:
            report.error(f"identifiant « {row['id']} » en double (déjà ligne "
                         f"{first_row[row['id']]})", file=file, row=row[ROW], column=id_header,
                         fix="donner un identifiant unique à chaque structure")
        first_row.setdefault(row["id"], row[ROW])


def geometry_to_columns(frame, file, report):
    """Points of a geographic file become lat/lon text cells (empty geometry -> blank)."""
    if not hasattr(frame, "geometry"):
        return frame
    lon, lat = [], []
    for geom, row in zip(frame.geometry, frame[ROW]):
        if geom is None or geom.is_empty:
            report.add("info", "géométrie vide : placement par la commune", file=file, row=row,
                       column="geometry")
            lon.append(""), lat.append("")
        else:
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            lon.append(repr(point.x)), lat.append(repr(point.y))
    table = frame.drop(columns=frame.geometry.name)
    return table.assign(lon=lon, lat=lat)


def facilities_frame(rows: list[dict]):
    """Facility dicts -> the facilities GeoDataFrame (index = id, EPSG:4326)."""
    frame = pd.DataFrame(rows, columns=[c for c in FACILITY_COLUMNS if c != "geometry"])
    for col in ("lon", "lat", "capacity", "age_min", "age_max"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in ("valid_from", "valid_to"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    frame["itinerant"] = frame["itinerant"].astype(bool)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                           crs=LAYER_CRS)
    gdf.index = gdf["id"].rename(None)
    return gdf


def load_facilities(path, kind: str | None = None, communes=None, *, require_capacity=True,
                    report=None):
    r"""Load and validate a facility file (CSV, XLSX, GeoJSON, GeoPackage, Shapefile).

    Parameters
    ----------
    path : str or Path
        The planner's file. Required: a name, a kind (column or ``kind``), a commune code
        or coordinates (WGS84 degrees); capacity (places) for alsh, eaje and mam.
    kind : str, optional
        Kind of every row whose ``kind`` cell is empty (e.g. "alsh").
    communes : GeoDataFrame, optional
        Territory communes (default: the embedded Lot, with contours when available).
        Codes and points are checked against them.
    require_capacity : bool
        When True (default) an alsh, eaje or mam row without places is an error; when False
        (registries compiled from documents that do not always give places) it is reported
        as "info" and ``capacity`` stays NaN.
    report : ValidationReport, optional
        Receives what loading changed (a new report when omitted).

    Returns
    -------
    GeoDataFrame
        Facilities schema of docs/DESIGN.md (index = ``id``; capacity in places; ages in
        years; points in EPSG:4326). ``attrs["report"]``: the validation report.

    Raises
    ------
    InputError
        The first error found (file, row, column, fix); ``exc.report`` lists all of them.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes
    >>> from maillage.layers.communes import points_layer
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "alsh.csv"
    ...     _ = path.write_text("nom;type;commune;places\nALSH de Catus;alsh;46064;48\n",
    ...                         encoding="utf-8")
    ...     alsh = load_facilities(path, communes=points_layer(embedded_communes()))
    >>> alsh[["name", "kind", "commune_code", "capacity"]].to_numpy().tolist()
    [['ALSH de Catus', 'alsh', '46064', 48.0]]
    """
    report = ValidationReport() if report is None else report
    file = display_name(path)
    if kind is not None and normalize_header(kind) not in KINDS:
        report.error(f"type de service « {kind} » inconnu", file=file, column="kind",
                     fix="utiliser un de ces types : " + ", ".join(KINDS))
        report.raise_if_errors()
    if communes is None:
        communes = load_communes(report=ValidationReport())
    frame = read_any(path, report)
    frame = rename_columns(geometry_to_columns(frame, file, report), ALIASES, file, report)
    return validate_facilities(frame, file, communes, kind=kind,
                               require_capacity=require_capacity, report=report)


def validate_facilities(frame, file: str, communes, *, kind=None, require_capacity=True,
                        report):
    """Validate a table of facilities with canonical column names (text cells, ``_row``).

    Returns the facilities GeoDataFrame (see :func:`load_facilities`); raises the first
    :class:`~maillage.errors.InputError` after checking every row.
    """
    if "name" not in frame.columns:
        report.error("colonne du nom absente", file=file, row=1, column="nom",
                     fix="ajouter une colonne « nom » (ou « name »)")
    if "commune_code" not in frame.columns and not {"lat", "lon"} <= set(frame.columns):
        report.error("ni colonne commune ni colonnes de coordonnées", file=file, row=1,
                     column="code_insee", fix="ajouter une colonne « code_insee » ou les "
                     "colonnes « latitude » et « longitude »")
    report.raise_if_errors()
    locator = Locator(communes, file, report)
    vocabulary = _Vocabulary.now()
    default_kind = kind and normalize_header(kind)
    headers = frame.attrs.get("original_columns", {})
    rows = []
    if {"lat", "lon"} <= set(frame.columns):
        locator.prepare(frame["lat"], frame["lon"])  # every point located at once
    for record in records(frame):
        if all(blank(v) for k, v in record.items() if k != ROW):
            report.add("info", "ligne vide ignorée", file=file, row=record[ROW])
            continue
        parsed = _facility(RowCells(record, file, report, headers), default_kind, locator,
                           require_capacity, vocabulary)
        if parsed is not None:
            rows.append(parsed)
    _assign_ids(rows, file, report, headers.get("id", "id"))
    report.raise_if_errors()
    gdf = facilities_frame(rows)
    gdf["epci"] = gdf["commune_code"].map(communes["epci"]).astype(str)
    gdf = gdf[FACILITY_COLUMNS]
    gdf.attrs["report"] = report
    return gdf
