"""The communes layer: embedded table (COG 2026), former codes, INSEE children by age band.

The embedded ``maillage.data/communes_lot.csv`` gives every current commune of the Lot with
its intercommunality, population municipale, a representative point and children by age band
derived from INSEE Filosofi 2021 (see :mod:`maillage.layers.filosofi`). Contours come from
:mod:`maillage.layers.contours`.
"""

from __future__ import annotations

import re

from maillage.errors import InputError

from maillage.kinds import YEAR_BANDS

from .ages import INSEE_COLUMNS
# The COG codes and the embedded table live in .cog (below .contours); re-exported here.
from .cog import (CODE_PATTERN, COMMUNE_COLUMNS, EMBEDDED_LICENCE, EMBEDDED_VINTAGE,
                  _embedded_table, current_code, embedded_communes, finish_layer, normalize_code,
                  points_layer)
from .contours import with_geometry
from .filosofi import apply_filosofi, is_filosofi_file, shared_file
from .report import ValidationReport
from .tables import ROW, display_name, parse_number, read_any

__all__ = ["CODE_PATTERN", "COMMUNE_COLUMNS", "EMBEDDED_LICENCE", "EMBEDDED_VINTAGE",
           "apply_ages", "apply_insee_ages", "current_code", "embedded_communes", "finish_layer",
           "load_communes", "normalize_code", "points_layer", "restrict_to_epci"]


def apply_insee_ages(communes, path, report):
    r"""Replace the children by INSEE counts from an RP "population par âge" CSV.

    Parameters
    ----------
    communes : GeoDataFrame
        Communes layer (index = code); a new frame is returned.
    path : str or Path
        INSEE CSV (``;``-separated) with ``CODGEO`` and ``Pyy_POP0002``, ``Pyy_POP0305``,
        ``Pyy_POP0610``, ``Pyy_POP1117`` (children, may be fractional: INSEE weights).
    report : ValidationReport
        Receives the former codes summed into current communes and which communes have
        INSEE RP counts versus their previous counts.

    Returns
    -------
    GeoDataFrame
        Communes with ``pop_*`` replaced (``pop_11`` = 1/7 of ``pop_11_17``, the rule of
        :data:`maillage.kinds.YEAR_BANDS`) and ``age_source`` = "INSEE RP20yy (file)".

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import ValidationReport
    >>> grand_cahors = load_communes(epci="200023737", offline=True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "ages.csv"
    ...     _ = path.write_text("CODGEO;P21_POP0002;P21_POP0305;P21_POP0610;P21_POP1117\n"
    ...                         "46046;12;18;30;41\n", encoding="utf-8")
    ...     communes = apply_insee_ages(grand_cahors, path, ValidationReport())
    >>> communes.loc["46046", ["pop_3_5", "pop_6_10"]].tolist()
    [18.0, 30.0]
    """
    file = display_name(path)
    table = read_any(path, report)
    columns = {c.upper(): c for c in table.columns if c != ROW}
    if "CODGEO" not in columns:
        report.error("colonne CODGEO absente", file=file, row=1, column="CODGEO",
                     fix="utiliser le fichier INSEE « Évolution et structure de la population » "
                     "(colonnes CODGEO, P21_POP0002, P21_POP0305, P21_POP0610, P21_POP1117)")
        report.raise_if_errors()
    found = {}
    for band, suffix in INSEE_COLUMNS.items():
        match = sorted(c for c in columns if re.fullmatch(r"P\d\d_" + suffix, c))
        if not match:
            report.error(f"colonne P21_{suffix} absente", file=file, row=1,
                         column=f"P21_{suffix}", fix="garder les colonnes POP0002, POP0305, "
                         "POP0610 et POP1117 du fichier INSEE")
            continue
        found[band] = columns[match[-1]]
    report.raise_if_errors()
    vintage = "RP20" + next(iter(found.values()))[1:3]
    counts: dict[str, dict[str, float]] = {}
    outside = []
    for record in table.to_dict("records"):
        code = normalize_code(record[columns["CODGEO"]])
        current = current_code(code) if code else None
        if current not in communes.index:
            outside.append(str(code))
            continue
        if current != code:
            report.add("converti", f"ancien code {code} additionné à la commune actuelle "
                       f"{current} ({communes.at[current, 'name']})", file=file,
                       row=record[ROW], column=columns["CODGEO"])
        values = counts.setdefault(current, dict.fromkeys(found, 0.0))
        for band, col in found.items():
            try:
                number = parse_number(record[col])
            except ValueError:
                number = None
            if number is None or number < 0:
                report.error(f"effectif « {record[col]} » illisible", file=file,
                             row=record[ROW], column=col,
                             fix="donner un nombre positif ou nul (virgule décimale acceptée)")
                continue
            values[band] += number
    report.raise_if_errors()
    if outside:
        report.add("info", f"{len(outside)} ligne{'s' if len(outside) > 1 else ''} hors du "
                   f"territoire ignorée{'s' if len(outside) > 1 else ''} "
                   f"({_first(outside)})", file=file)
    result = communes.copy()
    for code, values in counts.items():
        for band, value in values.items():
            result.at[code, band] = value
        for year, (_, band, share) in YEAR_BANDS.items():  # pop_11 = 1/7 of pop_11_17
            result.at[code, year] = values[band] * share
        result.at[code, "age_source"] = f"INSEE {vintage} ({file})"
    others = [c for c in result.index if c not in counts]
    report.add("info", f"enfants par âge : {len(counts)} communes avec comptages INSEE "
               f"{vintage}, {len(others)} sans (effectifs précédents gardés)"
               + (f" ({_first(others)})" if others else ""), file=file)
    return result


def _first(codes: list[str], n: int = 10) -> str:
    """The first ``n`` codes, comma-joined, with an ellipsis when there are more."""
    return ", ".join(codes[:n]) + ("…" if len(codes) > n else "")


def load_communes(path=None, *, ages=None, epci=None, offline=None, report=None):
    """Load the communes of the Lot (COG 2026) with population and children by age band.

    Parameters
    ----------
    path : str or Path, optional
        A contour file to use instead of the default resolution: geo.api.gouv.fr GeoJSON
        (properties ``code``, ``nom``, ``codeEpci``, ``population``) or any GeoJSON,
        GeoPackage or Shapefile with a commune code column; older codes are dissolved.
    ages : str or Path, optional
        INSEE Filosofi file (200 m cells or per-commune sums) or INSEE RP population-by-age
        CSV replacing the embedded children (see :func:`apply_ages`).
    epci : str, optional
        SIREN of an intercommunality: keep only its communes.
    offline : bool, optional
        Forbid the online fetch (default: ``maillage.settings.offline()``).
    report : ValidationReport, optional
        Receives what loading changed (a new report when omitted).

    Returns
    -------
    GeoDataFrame
        Index ``code``; columns of the communes schema (docs/DESIGN.md), EPSG:4326.
        ``attrs["report"]`` is the report and ``attrs["source"]`` the :class:`LayerSource`.

    Examples
    --------
    >>> grand_cahors = load_communes(epci="200023737", offline=True)
    >>> len(grand_cahors), grand_cahors.at["46042", "name"]
    (36, 'Cahors')
    """
    report = ValidationReport() if report is None else report
    table = embedded_communes()
    if epci is not None:
        table = restrict_to_epci(table, epci)
    communes, source = with_geometry(table, path=path, offline=offline, report=report)
    communes = apply_ages(communes, ages, source, report)
    communes.attrs["report"] = report
    communes.attrs["source"] = source
    return communes


def apply_ages(communes, ages, source, report):
    """Children by age of the communes: a given file, else the Filosofi file of shared/data.

    ``ages`` is an INSEE RP population-by-age CSV (:func:`apply_insee_ages`) or a Filosofi
    file, cells or per-commune sums (:func:`maillage.layers.filosofi.apply_filosofi`). Without
    it, the Lot's Filosofi 200 m file of ``shared/data`` is applied when present (the same
    counts as the embedded ones, recomputed from the cells); otherwise the embedded counts
    stay. ``source.description`` names the file used.
    """
    path = ages if ages is not None else shared_file()
    if path is None:
        if source.citation:  # the embedded counts: INSEE Filosofi 2021 (data/README.md)
            source.citation += " ; INSEE Filosofi 2021"
        return communes
    if is_filosofi_file(path):
        communes = apply_filosofi(communes, path, report)
        cited = "INSEE Filosofi 2021"
    else:
        communes = apply_insee_ages(communes, path, report)
        cited = "INSEE recensement (âges)"
    source.description += f" ; enfants par âge : {display_name(path)}"
    if source.citation:
        source.citation += f" ; {cited}"
    return communes


def restrict_to_epci(table, epci: str):
    """Rows of ``table`` whose ``epci`` is ``epci``.

    Raises
    ------
    InputError
        When no embedded commune belongs to that SIREN (the message lists the known ones).
    """
    epci = str(epci).strip()
    kept = table[table["epci"] == epci]
    if kept.empty:
        embedded = _embedded_table()
        known = ", ".join(f"{c} ({n})" for c, n in
                          sorted(set(zip(embedded["epci"], embedded["epci_name"]))))
        raise InputError(f"intercommunalité {epci} inconnue dans le Lot", column="epci",
                         fix=f"donner le SIREN d'une de ces intercommunalités : {known}")
    return kept
