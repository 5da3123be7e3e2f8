"""Children by age from INSEE Filosofi: the 200 m grid cells and their per-commune sums.

Filosofi counts the fiscal population (≈ 0.84–0.94 of the population municipale in the Lot:
institutions such as EHPAD and boarding pupils are not counted) by age band 0–3, 4–5, 6–10 and
11–17 years. maillage takes from it the **age structure** of each commune and from the census
its **level**: the children of a band are

    population municipale × (Filosofi children of the band ÷ Filosofi inhabitants).

The CAF / census bands are derived from Filosofi's with one written rule (children spread
evenly over the years of a Filosofi band), :data:`BAND_RULE`:

- 0–2 years = ¾ of 0–3 (three of its four years);
- 3–5 years = ¼ of 0–3 + 4–5;
- 6–10 years = 6–10;
- 11–17 years = 11–17;
- 11 years (``pop_11``, part of 11–17) = 1/7 of 11–17 (one of its seven years), so that the
  CAF band 3–11 years (ALSH) = ``pop_3_5 + pop_6_10 + pop_11`` = ¼ of 0–3 + 4–5 + 6–10 +
  1/7 of 11–17.

:func:`children_between` applies the same rule to any range of years (e.g. 3–11).

Two file formats are read (column names are case-insensitive):

- cells: ``x``, ``y`` (cell centre, metres, EPSG:3035), ``ind``, ``ind_0_3``, ``ind_4_5``,
  ``ind_6_10``, ``ind_11_17``, optional ``imputed`` and ``code_insee`` (commune of the
  centre), as the 200 m files of ../shared/data; or INSEE's published file, where the cell is
  ``idcar_200m`` (``CRS3035RES200mN<y>E<x>``, lower-left corner), the imputation flag
  ``i_est_200`` (or ``i_est_cr``) and the commune(s) ``lcog_geo`` (the first code is kept when
  a cell spans several communes);
- per commune: ``code_insee`` (or ``codgeo``), ``ind`` and the four bands.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from maillage import settings
from maillage.errors import InputError

from .cog import current_code
from .tables import display_name

#: Filosofi age bands, years ``[first, last]`` inclusive.
FILOSOFI_BANDS = {"ind_0_3": (0, 3), "ind_4_5": (4, 5), "ind_6_10": (6, 10),
                  "ind_11_17": (11, 17)}
#: The derivation of each commune band from Filosofi bands: band -> {Filosofi band: share}.
BAND_RULE = {
    "pop_0_2": {"ind_0_3": 0.75},
    "pop_3_5": {"ind_0_3": 0.25, "ind_4_5": 1.0},
    "pop_6_10": {"ind_6_10": 1.0},
    "pop_11_17": {"ind_11_17": 1.0},
    "pop_11": {"ind_11_17": 1 / 7},
}
#: Text of the rule, for ``age_source`` and the reports (French).
RULE_TEXT = ("0-2 ans = ¾ des 0-3 ans ; 3-5 ans = ¼ des 0-3 ans + 4-5 ans ; "
             "11 ans = 1/7 des 11-17 ans")
VINTAGE = "Filosofi 2021"
LICENCE = "INSEE, Licence Ouverte"
#: Files looked for in ``shared/data/population`` (cells first: they also give origins).
SHARED_CELLS = "filosofi2021_200m_lot.csv"
SHARED_COMMUNES = "filosofi2021_200m_communes_lot.csv"
CELL_SIZE_M = 200.0

_IDCAR = re.compile(r"CRS3035RES(\d+)mN(\d+)E(\d+)")


def age_source(file: str, rule: str = "commune") -> str:
    """The ``age_source`` text of a commune whose children come from Filosofi (French).

    ``rule`` is "commune" (the commune's own age structure) or "epci" (the structure of its
    intercommunality, for a commune without inhabited cell).
    """
    where = "de la commune" if rule == "commune" else "de l'intercommunalité"
    return (f"INSEE {VINTAGE}, carroyage 200 m ({file}) : parts par âge {where} × population "
            f"municipale ; {RULE_TEXT}")


def caf_bands(counts: pd.DataFrame) -> pd.DataFrame:
    """Children per census / CAF band from Filosofi bands (:data:`BAND_RULE`).

    Parameters
    ----------
    counts : DataFrame
        Columns ``ind_0_3``, ``ind_4_5``, ``ind_6_10``, ``ind_11_17`` (children).

    Returns
    -------
    DataFrame
        Same index; ``pop_0_2``, ``pop_3_5``, ``pop_6_10``, ``pop_11_17`` and ``pop_11``
        (children; ``pop_11`` is part of ``pop_11_17``).

    Examples
    --------
    >>> import pandas as pd
    >>> caf_bands(pd.DataFrame({"ind_0_3": [8.0], "ind_4_5": [4.0], "ind_6_10": [10.0],
    ...                         "ind_11_17": [14.0]})).iloc[0].tolist()
    [6.0, 6.0, 10.0, 14.0, 2.0]
    """
    out = pd.DataFrame(index=counts.index)
    for band, parts in BAND_RULE.items():
        out[band] = sum(counts[source].astype(float) * share for source, share in parts.items())
    return out


def children_between(counts: pd.DataFrame, start: float, end: float) -> pd.Series:
    """Children aged ``[start, end)`` years, Filosofi bands spread evenly over their years.

    Parameters
    ----------
    counts : DataFrame
        Filosofi band columns (children).
    start, end : float
        Ages, years: from the ``start``-th to the ``end``-th birthday (``3, 12`` = 3–11 years).

    Returns
    -------
    Series
        Children.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"ind_0_3": [8.0], "ind_4_5": [4.0], "ind_6_10": [10.0],
    ...                       "ind_11_17": [14.0]})
    >>> float(children_between(frame, 3, 12).iloc[0])  # ¼ × 8 + 4 + 10 + 1/7 × 14
    18.0
    """
    total = pd.Series(0.0, index=counts.index)
    for band, (first, last) in FILOSOFI_BANDS.items():
        years = last + 1 - first
        overlap = max(0.0, min(end, last + 1) - max(start, first))
        if overlap:
            total = total + counts[band].astype(float) * overlap / years
    return total


def scale_to_population(counts: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Commune bands at the census level: Filosofi age shares × population municipale.

    Parameters
    ----------
    counts : DataFrame
        Per commune (index = code): ``ind`` (Filosofi inhabitants) and the Filosofi bands.
    population : Series
        Population municipale (inhabitants), index = code.

    Returns
    -------
    DataFrame
        Index of ``counts`` ∩ ``population`` with ``ind > 0``: ``pop_0_2`` … ``pop_11_17``
        (children) and ``factor`` (population ÷ Filosofi inhabitants). ``ind × factor``
        equals the population municipale.
    """
    common = counts.index.intersection(population.index)
    counts = counts.loc[common]
    counts = counts[counts["ind"].astype(float) > 0]
    factor = population.loc[counts.index].astype(float) / counts["ind"].astype(float)
    scaled = caf_bands(counts).mul(factor, axis=0)
    scaled["factor"] = factor
    return scaled


def _lower(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})


def _read(path) -> pd.DataFrame:
    """The CSV as text columns with lower-case names (``;`` or ``,`` separated)."""
    with Path(path).open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    sep = ";" if header.count(";") > header.count(",") else ","
    return _lower(pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig"))


def _require(frame, columns, file):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"colonnes Filosofi absentes : {', '.join(missing)}", file=file,
                         row=1, column=missing[0],
                         fix="utiliser un fichier Filosofi carroyé (colonnes ind, ind_0_3, "
                             "ind_4_5, ind_6_10, ind_11_17)")


def _numbers(frame, columns, file):
    values = frame[columns].apply(
        lambda s: pd.to_numeric(s.astype(str).str.replace(",", ".", regex=False),
                                errors="coerce"))
    bad = (values.isna() | (values < 0)).to_numpy() | ~np.isfinite(values.to_numpy(float))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(f"effectif « {frame[columns[col]].iloc[row]} » illisible", file=file,
                         row=int(row) + 2, column=columns[col],
                         fix="donner un nombre positif ou nul")
    return values.astype(float)


def read_cells(path) -> pd.DataFrame:
    r"""Read a Filosofi 200 m grid CSV (cells with age bands).

    Parameters
    ----------
    path : str or Path
        Cells file (see the module docstring for the two formats).

    Returns
    -------
    DataFrame
        One row per cell: ``x``, ``y`` (cell centre, metres, EPSG:3035), ``ind``
        (inhabitants), the Filosofi bands (children), ``imputed`` (bool) and ``commune``
        (code, "" when the file gives none).

    Raises
    ------
    InputError
        Missing columns or an unreadable number (file, row and column named).

    Examples
    --------
    A cell of INSEE's published file: its identifier gives the lower-left corner, the centre is
    100 m further in each direction:

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "carreaux.csv"
    ...     _ = path.write_text("idcar_200m;ind;ind_0_3;ind_4_5;ind_6_10;ind_11_17;lcog_geo\n"
    ...                         "CRS3035RES200mN2383800E3630200;42;2;1;3;4;46046\n")
    ...     cells = read_cells(path)
    >>> cells[["x", "y", "ind", "ind_6_10", "commune"]].to_numpy().tolist()
    [[3630300.0, 2383900.0, 42.0, 3.0, '46046']]
    """
    file = display_name(path)
    table = _read(path)
    bands = ["ind", *FILOSOFI_BANDS]
    _require(table, bands, file)
    out = _numbers(table, bands, file)
    if {"x", "y"} <= set(table.columns):
        xy = _numbers(table, ["x", "y"], file)
        out["x"], out["y"] = xy["x"], xy["y"]
    elif "idcar_200m" in table.columns:
        parts = table["idcar_200m"].astype(str).str.extract(_IDCAR)
        if parts.isna().any().any():
            row = int(np.flatnonzero(parts.isna().any(axis=1).to_numpy())[0])
            raise InputError(f"identifiant de carreau « {table['idcar_200m'].iloc[row]} » "
                             "illisible", file=file, row=row + 2, column="idcar_200m",
                             fix="forme attendue : CRS3035RES200mN2383800E3630200")
        size = parts[0].astype(float)
        out["y"] = parts[1].astype(float) + size / 2
        out["x"] = parts[2].astype(float) + size / 2
    else:
        raise InputError("coordonnées des carreaux absentes", file=file, row=1, column="x",
                         fix="colonnes x et y (centre, EPSG:3035) ou idcar_200m")
    flag = next((c for c in ("imputed", "i_est_200", "i_est_cr") if c in table.columns), None)
    out["imputed"] = (table[flag].astype(str).str.strip() == "1") if flag else False
    code = next((c for c in ("code_insee", "lcog_geo", "codgeo") if c in table.columns), None)
    out["commune"] = (table[code].fillna("").astype(str).str.strip().str[:5] if code
                      else "")
    return out[["x", "y", "ind", *FILOSOFI_BANDS, "imputed", "commune"]]


def read_commune_sums(path) -> pd.DataFrame:
    r"""Read Filosofi children per commune (``code_insee``/``codgeo``, ``ind``, the bands).

    Parameters
    ----------
    path : str or Path
        Per-commune CSV (``,`` or ``;``).

    Returns
    -------
    DataFrame
        Index = commune code; ``ind`` (inhabitants) and the Filosofi bands (children).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "filosofi-communes.csv"
    ...     _ = path.write_text("codgeo,ind,ind_0_3,ind_4_5,ind_6_10,ind_11_17\n"
    ...                         "46046,400,16,8,20,28\n")
    ...     sums = read_commune_sums(path)
    >>> sums
             ind  ind_0_3  ind_4_5  ind_6_10  ind_11_17
    46046  400.0     16.0      8.0      20.0       28.0
    """
    file = display_name(path)
    table = _read(path)
    code = next((c for c in ("code_insee", "codgeo", "code") if c in table.columns), None)
    if code is None:
        raise InputError("colonne code_insee absente", file=file, row=1, column="code_insee",
                         fix="donner le code INSEE de chaque commune (colonne code_insee)")
    columns = ["ind", *FILOSOFI_BANDS]
    _require(table, columns, file)
    out = _numbers(table, columns, file)
    out.index = table[code].astype(str).str.strip().str.zfill(5).rename(None)
    return out


def is_cells_file(path) -> bool:
    """True when ``path`` is a Filosofi cells file, False for per-commune sums."""
    header = _first_line(path)
    return ("idcar_200m" in header) or bool(re.search(r"(^|[,;])x([,;]|$)", header.strip()))


def is_filosofi_file(path) -> bool:
    """True when the header of ``path`` has Filosofi's ``ind_0_3`` column."""
    try:
        header = _first_line(path)
    except (OSError, UnicodeDecodeError):
        return False
    return "ind_0_3" in header


def _first_line(path) -> str:
    """The header line of a text file, lower-cased (the file closed at once)."""
    with Path(path).open(encoding="utf-8-sig") as handle:
        return handle.readline().lower()


def commune_sums(cells: pd.DataFrame) -> pd.DataFrame:
    """Filosofi inhabitants and children summed per commune (cells with a commune code)."""
    known = cells[cells["commune"] != ""]
    return known.groupby("commune")[["ind", *FILOSOFI_BANDS]].sum().rename_axis(None)


def shared_file() -> Path | None:
    """The Lot's Filosofi file in ``shared/data/population`` (cells, else sums), or None."""
    shared = settings.shared_data_dir()
    if shared is None:
        return None
    for name in (SHARED_CELLS, SHARED_COMMUNES):
        if (shared / "population" / name).is_file():
            return shared / "population" / name
    return None


def apply_filosofi(communes, path, report):
    r"""Replace the children of the communes by Filosofi's age shares × population municipale.

    Parameters
    ----------
    communes : DataFrame or GeoDataFrame
        Communes (index = code) with ``epci`` and ``population`` (inhabitants).
    path : str or Path
        Filosofi cells or per-commune file.
    report : ValidationReport
        Receives which communes got which rule.

    Returns
    -------
    Same type as ``communes``
        A copy with ``pop_0_2`` … ``pop_11_17`` (children) and ``age_source`` replaced for
        every commune with Filosofi inhabitants. A commune of the file without inhabitant, or
        absent from it with estimated children, gets the age structure of its EPCI in the
        file when there is one; every other commune keeps its children.

    Examples
    --------
    Calamane has 500 inhabitants (census) and 400 in Filosofi: each band is scaled by 500 / 400,
    and 0–2 years are three quarters of Filosofi's 0–3 years:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from maillage.layers import ValidationReport
    >>> communes = pd.DataFrame({"epci": ["200023737"], "population": [500]}, index=["46046"])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "filosofi-communes.csv"
    ...     _ = path.write_text("codgeo,ind,ind_0_3,ind_4_5,ind_6_10,ind_11_17\n"
    ...                         "46046,400,16,8,20,28\n")
    ...     children = apply_filosofi(communes, path, ValidationReport())
    >>> children.loc["46046", ["pop_0_2", "pop_3_5", "pop_6_10", "pop_11_17"]].tolist()
    [15.0, 15.0, 25.0, 35.0]
    """
    file = display_name(path)
    name = Path(path).name
    sums = commune_sums(read_cells(path)) if is_cells_file(path) else read_commune_sums(path)
    sums.index = [current_code(c) for c in sums.index]
    sums = sums.groupby(level=0).sum()
    result = communes.copy()
    for band in BAND_RULE:
        result[band] = (pd.to_numeric(result[band], errors="coerce") if band in result
                        else np.nan)
    population = result["population"].astype(float)
    own = scale_to_population(sums, population)
    for band in BAND_RULE:
        result.loc[own.index, band] = own[band].round(1)
    result.loc[own.index, "age_source"] = age_source(name)
    # Communes of the file with no inhabitant, and estimated communes absent from it.
    estimated = ~result.get("age_source", pd.Series("", index=result.index)).fillna(
        "").astype(str).str.startswith("INSEE")
    rest = [c for c in result.index.difference(own.index)
            if c in sums.index or estimated.get(c, True)]
    epci_of = result["epci"].astype(str)
    by_epci = sums.loc[sums.index.intersection(result.index)].groupby(
        epci_of.loc[sums.index.intersection(result.index)].to_numpy()).sum()
    borrowed = [c for c in rest if epci_of[c] in by_epci.index
                and by_epci.at[epci_of[c], "ind"] > 0]
    if borrowed:
        shares = by_epci.loc[epci_of[borrowed].to_numpy()].set_axis(borrowed)
        scaled = scale_to_population(shares, population)
        for band in BAND_RULE:
            result.loc[scaled.index, band] = scaled[band].round(1)
        result.loc[scaled.index, "age_source"] = age_source(name, "epci")
    kept = len(result) - len(own) - len(borrowed)
    report.add("info", f"enfants par âge : {len(own)} communes avec la structure par âge "
               f"INSEE {VINTAGE} de la commune, {len(borrowed)} avec celle de leur EPCI, "
               f"{kept} inchangées ({RULE_TEXT})", file=file)
    return result
