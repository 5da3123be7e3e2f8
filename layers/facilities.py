"""The facilities layer: one schema for every family service, read from planners' tables.

A facility file may use the canonical column names (``id``, ``name``, ``kind``,
``commune_code``, ``capacity`` …) or the French headers planners use (``nom``, ``type``,
``code_insee``, ``places``, ``adresse``, ``latitude``/``longitude``, ``date_debut`` …).
Every row is either loaded or reported as an error: nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import unicodedata
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.kinds import SERVICE_KINDS, RegistrySet, RegistryView, kinds_where
from maillage.settings import LAYER_CRS

from .columns import Cells, Findings, spread_findings
from .communes import load_communes
from .locate import Locator
from .report import ReportEntry, ValidationReport
from .tables import (BLANK_WORDS, ROW, display_name, non_finite, normalize_header,
                     parse_date, parse_number, read_any, rename_columns)

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
        value, finding = number_finding(self.text(column), what)
        if finding is not None:
            self.error(finding[0], column, finding[1])
        return value

    def date(self, column: str, *, open_ended: bool = False):
        """Date of a cell (None when blank or in error); see :func:`date_finding`."""
        value, finding = date_finding(self.text(column), open_ended)
        if finding is not None:
            level, message, fix = finding
            self.report.add(level, message, file=self.file, row=self.row,
                            column=self.header(column), fix=fix)
        return value

    def flag(self, column: str) -> bool:
        """The cell of ``column`` as a yes/no flag (errors reported)."""
        value, finding = flag_finding(self.text(column))
        if finding is not None:
            self.error(finding[0], column, finding[1])
        return value

    def tokens(self, column: str, vocabulary: dict[str, str], unknown: str, fix: str) -> str:
        """";"-joined vocabulary tokens of a list cell ("mercredis, vacances").

        ``unknown`` is the message for a word outside the vocabulary, "{}" standing for it.
        """
        joined, messages = tokens_finding(self.text(column), vocabulary, unknown)
        for message in messages:
            self.error(message, column, fix)
        return joined


def number_finding(raw: str, what: str):
    """A cell's number (None when blank) and the error about it: (value, (message, fix)).

    ``what`` names the number in the message ("nombre de places"). Nothing is reported.
    """
    try:
        value = parse_number(raw)
    except ValueError:
        problem = "est infini ou trop grand" if non_finite(raw) else "n'est pas un nombre"
        return None, (f"{what} « {raw} » {problem}", "écrire un nombre en chiffres (ex. 24 ou "
                      "24,5)")
    if value is not None and value < 0:
        return None, (f"{what} négatif ({raw})", "donner un nombre positif ou nul")
    return value, None


def date_finding(raw: str, open_ended: bool = False):
    """A cell's date and what to report: (Timestamp or None, (level, message, fix) or None).

    With ``open_ended`` (an end date), a year from :data:`OPEN_ENDED_YEAR` on — what
    planners type for "no end", e.g. 31/12/2999 — means no end date: None, reported as
    converted. Other years outside [:data:`EARLIEST_YEAR`, :data:`OPEN_ENDED_YEAR`) are
    errors.
    """
    try:
        value = parse_date(raw)
    except ValueError:
        return None, ("erreur", f"date « {raw} » illisible",
                      "écrire la date jj/mm/aaaa (ex. 01/04/2025) ou aaaa-mm-jj")
    if value is None or EARLIEST_YEAR <= value.year < OPEN_ENDED_YEAR:
        return value, None
    if open_ended and value.year >= OPEN_ENDED_YEAR:
        return None, ("converti", f"date de fin « {raw} » lue comme « sans date de fin »", None)
    return None, ("erreur", f"date « {raw} » improbable (année {value.year})",
                  f"vérifier l'année : une date entre {EARLIEST_YEAR} et "
                  f"{OPEN_ENDED_YEAR - 1}" + (", ou laisser vide" if not open_ended else
                                              ", ou laisser vide si sans fin"))


def flag_finding(text: str):
    """A yes/no cell: (bool, (message, fix) or None)."""
    raw = text.lower()
    if raw in TRUE_WORDS or raw in FALSE_WORDS:
        return raw in TRUE_WORDS, None
    return False, (f"valeur « {raw} » non reconnue", "écrire oui ou non")


def tokens_finding(text: str, vocabulary: dict[str, str], unknown: str):
    """";"-joined vocabulary tokens of a list cell and one message per unknown word."""
    tokens: list[str] = []
    messages: list[str] = []
    for word in _words(text):
        token = vocabulary.get(normalize_header(word))
        if token is None:
            messages.append(unknown.format(word))
        elif token not in tokens:
            tokens.append(token)
    return ";".join(tokens), messages


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """The words of a list cell ("Mercredis, vacances" -> ("mercredis", "vacances"))."""
    return tuple(filter(None, re.split(r"[;,/+\s]+|\bet\b", text.lower())))


class _Vocabulary(NamedTuple):
    """The registry's kinds read once per file (the registry views recompute at each use)."""

    kinds: dict
    capacity_required: frozenset
    no_capacity: frozenset

    @classmethod
    def now(cls) -> _Vocabulary:
        return cls(dict(KINDS), frozenset(CAPACITY_REQUIRED), frozenset(NO_CAPACITY))


#: Order of the rules within a row: the report lists a row's findings in this order.
_STEP = {"blank": 0, "kind": 1, "name": 2, "capacity": 3, "capacity_required": 4,
         "capacity_ignored": 5, "age_min": 6, "age_max": 7, "ages": 8, "age_high": 9,
         "age_order": 10, "valid_from": 11, "valid_to": 12, "date_order": 13, "opening": 14,
         "itinerant": 15, "place": 16}
_AGES = re.compile(r"\d+(?:[.,]\d+)?")


def _kind_finding(raw: str, kinds) -> tuple[str | None, str, tuple[str, str] | None]:
    """(kind, subtype, (message, fix) or None) of a kind cell (default kind applied)."""
    if not raw:
        return None, "", ("type de service absent",
                          "remplir la colonne type (alsh, eaje, rpe…) ou utiliser --kind")
    key = normalize_header(raw)
    if key in kinds:
        return key, "", None
    if key in KIND_SYNONYMS:
        return (*KIND_SYNONYMS[key], None)
    return None, "", (f"type de service « {raw} » inconnu",
                      "utiliser un de ces types : " + ", ".join(kinds))


def _errors(findings, step: str, cells: Cells, answers: list, rows, column: str) -> None:
    """Add the (message, fix) answers of ``cells`` on ``rows`` as errors of rule ``step``."""
    positions, found = spread_findings(cells, answers, rows)
    findings.add(_STEP[step], "erreur", positions, [f[0] for f in found], column,
                 [f[1] for f in found])


def _number_column(cells: Cells, what: str, findings, rows, column: str) -> np.ndarray:
    """The column as numbers (NaN when blank or in error), errors added to ``findings``."""
    answers = cells.map(lambda raw: number_finding(raw, what))
    _errors(findings, column, cells, [f for _, f in answers], rows, column)
    return cells.spread([np.nan if v is None else v for v, _ in answers], float)


def _date_column(cells: Cells, findings, rows, column: str, open_ended: bool) -> np.ndarray:
    answers = cells.map(lambda raw: date_finding(raw, open_ended))
    positions, found = spread_findings(cells, [f for _, f in answers], rows)
    for level in ("erreur", "converti"):
        keep = [k for k, f in enumerate(found) if f[0] == level]
        findings.add(_STEP[column], level, positions[keep], [found[k][1] for k in keep],
                     column, [found[k][2] for k in keep])
    dates = pd.DatetimeIndex([pd.NaT if v is None else v for v, _ in answers]).as_unit("ns")
    return dates.to_numpy()[cells.codes]


def _ages_columns(cell, findings, live) -> tuple[np.ndarray, np.ndarray]:
    """Ages (years, NaN when none) from ``age_min``/``age_max`` or a range text ("3-11")."""
    age_min = _number_column(cell("age_min"), "âge minimum", findings, live, "age_min")
    age_max = _number_column(cell("age_max"), "âge maximum", findings, live, "age_max")
    ranges = cell("ages")
    use = np.zeros(len(age_min), dtype=bool)
    use[live] = True
    use &= ~ranges.blank() & np.isnan(age_min) & np.isnan(age_max)
    parsed = ranges.map(lambda text: [float(n.replace(",", ".")) for n in _AGES.findall(text)])
    rows = np.flatnonzero(use)
    unreadable = [len(parsed[c]) != 2 for c in ranges.codes[rows].tolist()]
    bad, good = rows[np.array(unreadable, dtype=bool)], rows[~np.array(unreadable, dtype=bool)]
    findings.add(_STEP["ages"], "erreur", bad,
                 [f"tranche d'âge « {ranges.texts[c]} » illisible"
                  for c in ranges.codes[bad].tolist()], "ages", "écrire par exemple 3-11")
    if len(good):
        pairs = np.array([parsed[c] for c in ranges.codes[good].tolist()])
        age_min[good], age_max[good] = pairs[:, 0], pairs[:, 1]
    done = np.ones(len(age_min), dtype=bool)
    done[live] = False
    done[bad] = True
    for column, ages in (("age_min", age_min), ("age_max", age_max)):
        high = np.flatnonzero(~done & (ages > MAX_AGE))
        findings.add(_STEP["age_high"], "erreur", high,
                     [f"âge de {a:g} ans improbable" for a in ages[high].tolist()], column,
                     f"donner l'âge en années (0 à {MAX_AGE})")
        done[high] = True
    age_min[bad], age_max[bad] = np.nan, np.nan
    inverted = np.flatnonzero(~done & (age_max < age_min))
    findings.add(_STEP["age_order"], "erreur", inverted,
                 [f"âge maximum ({b:g}) inférieur à l'âge minimum ({a:g})"
                  for a, b in zip(age_min[inverted].tolist(), age_max[inverted].tolist())],
                 "age_max", "vérifier la tranche d'âge")
    return age_min, age_max


def _slugs(texts: list[str]) -> list[str]:
    """:func:`slug` of many texts (ASCII ones with vectorised string operations)."""
    series = pd.Series(texts, dtype="str")
    out = series.str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
    other = ~series.str.isascii()
    if other.any():
        out[other] = [slug(t) for t in series[other].tolist()]
    return out.tolist()


def _assign_ids(ids: np.ndarray, kinds, names, codes, rows: list, file: str, report,
                id_header: str) -> np.ndarray:
    """Ids of the loaded rows: the given one, else kind-name-commune (then -2, -3 …).

    Reports every id attributed ("converti") and every id given twice (error), in row order.
    """
    ids = ids.copy()
    empty = np.flatnonzero(ids == "")
    # always kind-name-commune, so a planner can predict the id of any row
    bases = _slugs([f"{k}-{n}-{c}" for k, n, c in zip(kinds[empty].tolist(),
                                                       names[empty].tolist(),
                                                       codes[empty].tolist())])
    first = ids.copy()
    first[empty] = bases
    if not pd.Series(first, dtype="str").duplicated().any():  # nothing taken twice
        report.entries.extend(
            ReportEntry("converti", file, rows[i], id_header,
                        f"identifiant absent : « {b} » attribué")
            for i, b in zip(empty.tolist(), bases))
        return first
    base_of = dict(zip(empty.tolist(), bases))
    first_row: dict[str, int] = {}
    for i, given in enumerate(ids.tolist()):
        if not given:
            candidate, n = base_of[i], 2
            while candidate in first_row:
                candidate, n = f"{base_of[i]}-{n}", n + 1
            ids[i] = given = candidate
            report.add("converti", f"identifiant absent : « {candidate} » attribué", file=file,
                       row=rows[i], column=id_header)
        if given in first_row:
            report.error(f"identifiant « {given} » en double (déjà ligne {first_row[given]})",
                         file=file, row=rows[i], column=id_header,
                         fix="donner un identifiant unique à chaque structure")
        first_row.setdefault(given, rows[i])
    return ids


@contextlib.contextmanager
def _no_collection():
    """Pause Python's cyclic garbage collector while report entries are made by the million.

    Each collection scans every object alive; with a million new entries the repeated
    scans cost more than the validation itself (about half the time at 50k rows). Nothing
    made here holds a reference cycle; the collector is resumed at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _validate_columns(frame, file: str, communes, *, default_kind, require_capacity: bool,
                      report) -> dict:
    """Every rule on whole columns; findings reported in row order; the loaded rows' columns.

    The same rules, messages and order as checking each row alone: each distinct cell is
    read once (:class:`~maillage.layers.columns.Cells`) and only failing rows get a message.
    """
    vocabulary = _Vocabulary.now()
    headers = frame.attrs.get("original_columns", {})
    rows = frame[ROW].tolist()
    findings = Findings(rows, file, headers)
    cells = {c: Cells(frame, c) for c in frame.columns if c != ROW}

    def cell(column: str) -> Cells:
        if column not in cells:
            cells[column] = Cells(frame, column)
        return cells[column]

    blank_row = np.ones(len(frame), dtype=bool)
    for values in cells.values():
        blank_row &= values.blank()
    findings.add(_STEP["blank"], "info", np.flatnonzero(blank_row), "ligne vide ignorée", None)
    live = np.flatnonzero(~blank_row)

    kind_cells = cell("kind")
    kinds = kind_cells.map(lambda raw: _kind_finding(raw or (default_kind or ""),
                                                     vocabulary.kinds))
    _errors(findings, "kind", kind_cells, [f for _, _, f in kinds], live, "kind")
    kind = kind_cells.spread([k for k, _, _ in kinds])
    names = cell("name")
    findings.add(_STEP["name"], "erreur", live[names.blank()[live]], "nom absent", "name",
                 "donner le nom de la structure (colonne nom)")
    capacity = _number_column(cell("capacity"), "nombre de places", findings, live, "capacity")
    in_kinds = kind_cells.spread([k in vocabulary.capacity_required for k, _, _ in kinds], bool)
    missing = live[(in_kinds & np.isnan(capacity) & ~findings.has_error)[live]]
    messages = [f"nombre de places absent pour un service {k}" for k in kind[missing].tolist()]
    if require_capacity:
        findings.add(_STEP["capacity_required"], "erreur", missing, messages, "capacity",
                     "remplir la colonne places (capacité agréée)")
    else:
        findings.add(_STEP["capacity_required"], "info", missing,
                     [f"places inconnues pour ce service {k} : compté sans places dans les "
                      "indicateurs" for k in kind[missing].tolist()], "capacity")
    no_places = kind_cells.spread([k in vocabulary.no_capacity for k, _, _ in kinds], bool)
    ignored = live[(no_places & ~np.isnan(capacity))[live]]
    findings.add(_STEP["capacity_ignored"], "info", ignored,
                 [f"places ignorées : un service {k} n'a pas de places"
                  for k in kind[ignored].tolist()], "capacity")
    capacity[ignored] = np.nan
    age_min, age_max = _ages_columns(cell, findings, live)
    valid_from = _date_column(cell("valid_from"), findings, live, "valid_from", False)
    valid_to = _date_column(cell("valid_to"), findings, live, "valid_to", True)
    before = live[(valid_to < valid_from)[live]]  # NaT compares False
    findings.add(_STEP["date_order"], "erreur", before,
                 [f"date de fin ({pd.Timestamp(b):%d/%m/%Y}) avant la date de début "
                  f"({pd.Timestamp(a):%d/%m/%Y})"
                  for a, b in zip(valid_from[before], valid_to[before])], "valid_to",
                 "corriger l'une des deux dates")
    opening_cells = cell("opening")
    openings = opening_cells.map(lambda text: tokens_finding(
        text, OPENING_TOKENS, "période d'ouverture « {} » inconnue"))
    positions, found = spread_findings(opening_cells, [m or None for _, m in openings], live)
    counts = [len(m) for m in found]
    findings.add(_STEP["opening"], "erreur", np.repeat(positions, counts),
                 [m for ms in found for m in ms], "opening",
                 "utiliser mercredis, vacances, périscolaire, semaine ou samedi, séparés par "
                 "des points-virgules", sub=np.concatenate([np.arange(c) for c in counts]
                                                           + [np.zeros(0, dtype=int)]))
    flags = cell("itinerant").map(flag_finding)
    _errors(findings, "itinerant", cell("itinerant"), [f for _, f in flags], live, "itinerant")
    locator = Locator(communes, file, report)
    code, lon, lat, precision, placed = locator.place_columns(
        cell("commune_code"), cell("lat"), cell("lon"), live, findings, _STEP["place"])
    findings.write(report)
    keep = ~findings.has_error[live] & placed
    loaded, code, lon, lat, precision = live[keep], code[keep], lon[keep], lat[keep], precision[keep]
    subtype = np.where(cell("subtype").blank()[loaded], kind_cells.spread(
        [s for _, s, _ in kinds])[loaded], cell("subtype").text()[loaded])
    bus = np.array([normalize_header(s) == "bus" for s in subtype.tolist()], dtype=bool)
    ids = _assign_ids(cell("id").text()[loaded], kind[loaded], names.text()[loaded], code,
                      [rows[i] for i in loaded.tolist()], file, report,
                      headers.get("id", "id"))
    return {"id": ids, "name": names.text()[loaded], "kind": kind[loaded], "subtype": subtype,
            "commune_code": code, "epci": np.full(len(loaded), None, dtype=object),
            "address": cell("address").text()[loaded], "lon": lon, "lat": lat,
            "location_precision": precision, "capacity": capacity[loaded],
            "age_min": age_min[loaded], "age_max": age_max[loaded],
            "operator": cell("operator").text()[loaded],
            "opening": opening_cells.spread([j for j, _ in openings])[loaded],
            "valid_from": valid_from[loaded], "valid_to": valid_to[loaded],
            "itinerant": cell("itinerant").spread([v for v, _ in flags], bool)[loaded] | bus,
            "source": cell("source").text()[loaded]}


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


def facilities_frame(rows):
    """Facility dicts (or a dict of columns) -> the facilities GeoDataFrame (index = id)."""
    columns = [c for c in FACILITY_COLUMNS if c != "geometry"]
    frame = (pd.DataFrame({c: rows[c] for c in columns}, columns=columns)
             if isinstance(rows, dict) else pd.DataFrame(rows, columns=columns))
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
    with _no_collection():
        columns = _validate_columns(frame, file, communes,
                                    default_kind=kind and normalize_header(kind),
                                    require_capacity=require_capacity, report=report)
        report.raise_if_errors()
        gdf = facilities_frame(columns)
    gdf["epci"] = gdf["commune_code"].map(communes["epci"]).astype(str)
    gdf = gdf[FACILITY_COLUMNS]
    gdf.attrs["report"] = report
    return gdf
