"""Reading the tables planners have: CSV from Excel, XLSX, GeoJSON, GeoPackage, Shapefile.

Every reader returns text cells (no silent type guessing) with the spreadsheet line number of
each row in the ``_row`` column (header = line 1), and records in a
:class:`~maillage.layers.report.ValidationReport` what it had to convert (encoding,
separator, CRS). Files are only ever opened for reading.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

import geopandas as gpd
import pandas as pd
from openpyxl import load_workbook

from maillage.errors import InputError
from maillage.settings import LAYER_CRS

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
ROW = "_row"


def display_name(path) -> str:
    """The path as the user gave it (used in messages)."""
    return str(path)


def as_path(value, argument: str) -> Path:
    """The path given to a loader of the Python API (``str`` or ``os.PathLike``).

    Raises
    ------
    TypeError
        For anything else (a DataFrame, a number, None where a file is required), with the
        argument's name and what to give instead (French).
    """
    if isinstance(value, (str, os.PathLike)):
        return Path(value)
    example = _EXAMPLE_FILES.get(argument, "fichier.csv")
    raise TypeError(f"{argument} : chemin de fichier attendu (str ou pathlib.Path), reçu "
                    f"{type(value).__name__}. Correction : donner le chemin du fichier, par "
                    f"exemple {argument}=\"{example}\"")


_EXAMPLE_FILES = {"communes": "contours.geojson", "facilities": "structures.csv",
                  "itinerant": "arrets.csv", "gtfs": "gtfs.zip", "ages": "insee-ages.csv"}


@functools.lru_cache(maxsize=8192)
def normalize_header(text: str) -> str:
    """Lower-case ASCII snake_case form of a column header ("Code INSEE" -> "code_insee")."""
    text = unicodedata.normalize("NFKD", str(text).replace("\ufeff", "")).encode(
        "ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _check_readable(path: Path) -> bytes:
    if not path.exists():
        raise InputError("fichier introuvable", file=display_name(path),
                         fix="vérifier le chemin du fichier")
    if path.is_dir():
        raise InputError("un dossier a été donné à la place d'un fichier",
                         file=display_name(path), fix="donner le chemin d'un fichier")
    data = path.read_bytes()
    if not data.strip():
        raise InputError("fichier vide", file=display_name(path),
                         fix="exporter à nouveau le tableau avec sa ligne d'en-tête et ses "
                         "lignes")
    return data


def decode_text(data: bytes, file: str, report) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 (BOM or not), else cp1252.

    Raises
    ------
    InputError
        When the bytes are not text (binary file, spreadsheet or archive renamed .csv).
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        report.add("converti", "encodage UTF-16 détecté et converti", file=file)
        return data.decode("utf-16")
    if data[:4] == b"PK\x03\x04":
        raise InputError("ce fichier est une archive ZIP ou un classeur Excel, pas un CSV",
                         file=file, fix="l'enregistrer avec l'extension .xlsx ou l'exporter "
                         "en CSV (séparateur point-virgule)")
    head = data[:4000]
    if head.count(b"\x00") > len(head) // 4 and len(head) >= 4:
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if text.isprintable() or all(c.isprintable() or c in "\r\n\t" for c in text[:2000]):
                report.add("converti", f"encodage {codec.upper()} sans BOM détecté et converti",
                           file=file)
                return text
    if b"\x00" in head:
        raise InputError("fichier binaire illisible (ce n'est pas un tableau texte)", file=file,
                         fix="exporter le tableau en CSV (UTF-8 ou Windows-1252) ou en XLSX")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    controls = sum(1 for c in text[:4000] if ord(c) < 32 and c not in "\r\n\t")
    if "\ufffd" in text or controls > 5:
        raise InputError("fichier binaire ou encodage inconnu : le texte est illisible",
                         file=file, fix="enregistrer le fichier en CSV UTF-8 depuis le tableur")
    report.add("converti", "encodage Windows-1252 (Excel) détecté et converti en UTF-8",
               file=file)
    return text


def _sniff_separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def read_csv_text(path: Path, report):
    """Read a CSV/TSV file into a DataFrame of text cells with a ``_row`` column."""
    file = display_name(path)
    text = decode_text(_check_readable(path), file, report)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:  # only a byte-order mark, or blank lines
        raise InputError("fichier vide", file=file,
                         fix="exporter à nouveau le tableau avec sa ligne d'en-tête et ses "
                         "lignes")
    sep = _sniff_separator(lines[first])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, skiprows=first)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"tableau CSV illisible ({exc})", file=file,
                         fix="vérifier que chaque ligne a autant de colonnes que "
                         "l'en-tête") from None
    frame[ROW] = range(first + 2, first + 2 + len(frame))
    return frame


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_problem(exc: Exception) -> str:
    """French words for what broke in an XLSX file (openpyxl raises many types)."""
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "archive ZIP endommagée ou tronquée"
    if isinstance(exc, ParseError):
        return "feuille tronquée ou XML invalide"
    if isinstance(exc, KeyError):
        return "partie du classeur manquante"
    return type(exc).__name__


def read_xlsx(path: Path, report):
    """Read the first non-empty sheet of an XLSX workbook as text cells with ``_row``.

    Raises
    ------
    InputError
        When the workbook cannot be opened or a sheet cannot be read to its end (damaged or
        truncated archive, cut XML), or when every sheet is empty.
    """
    file = display_name(path)
    _check_readable(path)
    book = None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            rows = [(i, [_cell_text(v) for v in r])
                    for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
            rows = [(i, r) for i, r in rows if any(r)]
            if rows:
                break
        else:
            raise InputError("classeur vide", file=file, fix="remplir la première feuille")
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise InputError(f"classeur XLSX illisible ({_xlsx_problem(exc)})", file=file,
                         fix="ouvrir le fichier dans le tableur et l'enregistrer à nouveau "
                         "en XLSX") from None
    finally:
        if book is not None:
            book.close()
    if len(book.worksheets) > 1:
        report.add("info", f"feuille « {sheet.title} » lue (les autres feuilles sont ignorées)",
                   file=file)
    header_row, header = rows[0]
    width = len(header)
    frame = pd.DataFrame([r[:width] + [""] * (width - len(r)) for _, r in rows[1:]],
                         columns=header, dtype=str)
    frame[ROW] = [i for i, _ in rows[1:]]
    return frame


def _in_degrees(geometry) -> bool:
    """True when every non-empty geometry lies within longitude/latitude bounds."""
    present = geometry[geometry.notna() & ~geometry.is_empty]
    if present.empty:
        return True
    minx, miny, maxx, maxy = present.total_bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def read_geo(path: Path, report):
    """Read a GeoJSON, GeoPackage or Shapefile into EPSG:4326, reporting any reprojection.

    Parameters
    ----------
    path : str or Path
        ``.geojson``, ``.json``, ``.gpkg`` or ``.shp`` (with its ``.shx`` and ``.dbf``).
    report : ValidationReport
        Receives what was converted (CRS assumed or reprojected).

    Returns
    -------
    GeoDataFrame
        Attribute columns as text cells, ``_row`` (line number, header = 1), geometry in
        EPSG:4326.

    Raises
    ------
    InputError
        When the file is unreadable or has no CRS and is not in degrees.

    Examples
    --------
    A GeoPackage in Lambert-93 comes back in degrees, and the report says it was reprojected:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from maillage.layers import ValidationReport
    >>> calamane = gpd.GeoDataFrame({"nom": ["Calamane"]}, geometry=[Point(573562, 6381266)],
    ...                             crs="EPSG:2154")
    >>> report = ValidationReport()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "calamane.gpkg"
    ...     calamane.to_file(path)
    ...     layer = read_geo(path, report)
    >>> layer.crs.to_epsg(), [round(v, 3) for v in layer.geometry.iloc[0].coords[0]]
    (4326, [1.409, 44.519])
    >>> report.to_frame()["level"].tolist()
    ['converti']
    """
    path = as_path(path, "path")
    file = display_name(path)
    _check_readable(path)
    if path.suffix.lower() not in GEO_SUFFIXES:
        raise InputError(f"extension « {path.suffix or '(aucune)'} » : un fichier géographique "
                         "est attendu", file=file, fix="donner un fichier .geojson, .gpkg ou "
                         ".shp (un tableau CSV ou XLSX n'a pas de contours)")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError(f"fichier géographique illisible ({type(exc).__name__})", file=file,
                         fix="vérifier qu'il s'agit bien d'un GeoJSON, GeoPackage ou Shapefile "
                         "complet (.shp avec .shx et .dbf)") from None
    gdf[ROW] = range(2, 2 + len(gdf))
    if gdf.crs is None:
        if _in_degrees(gdf.geometry):
            gdf = gdf.set_crs(LAYER_CRS)
            report.add("converti", "aucun système de coordonnées déclaré : coordonnées en "
                       "degrés, lues comme WGS84 (EPSG:4326)", file=file)
        else:
            raise InputError("aucun système de coordonnées déclaré et coordonnées hors "
                             "degrés", file=file, fix="enregistrer le fichier avec son "
                             "système de coordonnées (par exemple Lambert-93, EPSG:2154)")
    elif gdf.crs.to_epsg() == 4326 and not _in_degrees(gdf.geometry):
        raise InputError("coordonnées hors degrés dans un fichier lu en WGS84 (EPSG:4326) : ce "
                         "sont sans doute des mètres (Lambert-93) sans système de coordonnées "
                         "déclaré", file=file, fix="réexporter le fichier en WGS84 (EPSG:4326), "
                         "ou en GeoPackage avec son système de coordonnées (par exemple "
                         "Lambert-93, EPSG:2154)")
    elif gdf.crs.to_epsg() != 4326:
        report.add("converti", f"coordonnées converties de {gdf.crs.to_string()} en WGS84 "
                   "(EPSG:4326)", file=file)
        gdf = gdf.to_crs(LAYER_CRS)
    for col in gdf.columns:
        if col not in (ROW, gdf.geometry.name):
            gdf[col] = gdf[col].map(_cell_text).astype(str)
    return gdf


def read_any(path, report):
    """Read a table or a geographic file by its extension (text cells, ``_row`` column).

    Parameters
    ----------
    path : str or Path
        CSV (``;`` or ``,``, UTF-8, UTF-8 BOM, UTF-16 or cp1252), XLSX, GeoJSON, GeoPackage
        or Shapefile.
    report : ValidationReport
        Receives what was converted.

    Returns
    -------
    DataFrame or GeoDataFrame
        Text cells; geographic files keep their geometry (EPSG:4326).
    """
    path = as_path(path, "path")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        frame = read_csv_text(path, report)
    elif suffix in (".xlsx", ".xlsm"):
        frame = read_xlsx(path, report)
    elif suffix in GEO_SUFFIXES:
        frame = read_geo(path, report)
    else:
        raise InputError(f"extension « {path.suffix or '(aucune)'} » non prise en charge",
                         file=display_name(path),
                         fix="donner un fichier .csv, .xlsx, .geojson, .gpkg ou .shp")
    if len(frame) == 0:
        raise InputError("aucune ligne de données (en-tête seul)", file=display_name(path),
                         fix="ajouter au moins une ligne sous l'en-tête")
    return frame


def rename_columns(frame, aliases: dict[str, tuple[str, ...]], file: str, report):
    """Rename columns to canonical names using French/English aliases.

    The user's header of each renamed column is kept in ``attrs["original_columns"]``
    (canonical -> header) so that messages name the column as the user wrote it.

    Parameters
    ----------
    aliases : dict
        canonical name -> accepted normalised headers (the canonical name is always accepted).

    Raises
    ------
    InputError
        When two columns of the file mean the same canonical column.
    """
    lookup = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            lookup[normalize_header(name)] = canonical
    mapping, seen = {}, {}
    for col in frame.columns:
        if col == ROW or col == getattr(frame, "_geometry_column_name", None):
            continue
        canonical = lookup.get(normalize_header(col))
        if canonical is None:
            continue
        if canonical in seen:
            raise InputError(f"les colonnes « {seen[canonical]} » et « {col} » désignent la "
                             f"même donnée ({canonical})", file=file, row=1, column=str(col),
                             fix="garder une seule de ces deux colonnes")
        seen[canonical] = col
        mapping[col] = canonical
    renamed = [f"« {a} » → {b}" for a, b in mapping.items() if a != b]
    if renamed:
        report.add("info", "colonnes reconnues : " + ", ".join(renamed), file=file)
    frame = frame.rename(columns=mapping)
    frame.attrs["original_columns"] = {b: str(a) for a, b in mapping.items()}
    return frame


def records(frame, chunk: int = 50_000):
    """The rows of ``frame`` as dicts (column -> cell), one at a time.

    Same dicts as ``frame.to_dict("records")``, but built ``chunk`` rows at a time so that a
    file of a million rows does not hold a million dicts at once.
    """
    columns = list(frame.columns)
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start:start + chunk]
        for values in zip(*(part[c].tolist() for c in columns)):
            yield dict(zip(columns, values))


#: Cells read as empty (after stripping spaces).
BLANK_WORDS = frozenset(("", "nan", "NaN", "None", "<NA>"))


def blank(text) -> bool:
    """True for an empty or whitespace-only cell."""
    return text is None or str(text).strip() in BLANK_WORDS


@functools.lru_cache(maxsize=65536)
def parse_number(text) -> float | None:
    """Parse a French or English number ("1 234,5", "12.5"); None when blank.

    Raises
    ------
    ValueError
        When the text is not a number.
    """
    if blank(text):
        return None
    cleaned = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):  # "inf", "nan", "1e400"
        raise ValueError(f"not a finite number: {text!r}")
    return value


def non_finite(text) -> bool:
    """True for "inf", "1e400": text read as a number, but not a finite one.

    :func:`parse_number` refuses such text; this tells "infinite or too large" from
    "not a number" in the message.
    """
    try:
        return not math.isfinite(float(str(text).strip().replace("\u00a0", "").replace(
            "\u202f", "").replace(" ", "").replace(",", ".")))
    except ValueError:
        return False


_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), ("y", "m", "d")),
)


@functools.lru_cache(maxsize=65536)
def parse_date(text):
    """Parse "31/03/2025" (French) or "2025-03-31" (ISO) into a Timestamp; None when blank.

    Raises
    ------
    ValueError
        When the text is not such a date.
    """
    if blank(text):
        return None
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(str(text).strip())
        if match:
            parts = dict(zip(order, map(int, match.groups())))
            return pd.Timestamp(year=parts["y"], month=parts["m"], day=parts["d"])
    raise ValueError(text)
