"""User text made safe where it is rendered: HTML, inline scripts, spreadsheets.

Everything a user can type (a facility name, an operator, a scenario ``nom``…) is data. This
module is the one place that turns such text into something a page, a script or a spreadsheet
shows *as text*:

- :func:`html_text`: text for HTML (element content or a quoted attribute).
- :func:`script_json`: any JSON value for a ``<script>`` block (no ``</script>`` break-out, no
  HTML comment, no line separator surprises).
- :func:`spreadsheet_text` / :func:`spreadsheet_safe`: cells that a spreadsheet would read as a
  formula (``=``, ``+``, ``-``, ``@``, tab, carriage return, as OWASP lists them) get a leading
  single quote in CSV files; numbers, negative ones included, stay numbers.
- :func:`xlsx_formulas_as_text`: the same for a workbook written with openpyxl (text cells,
  never formula cells, the text unchanged).

The maps (:mod:`maillage.maps`) and the web app import these helpers; nothing here imports
another part of maillage.
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: A number as a French or English spreadsheet reads it ("-12", "-1,5", "+3.25", "-1e3").
_NUMBER = re.compile(r"[+-]?(\d{1,3}([\u202f\u00a0 ]\d{3})+|\d*)([.,]\d+)?([eE][+-]?\d+)?")


def html_text(value) -> str:
    """``value`` as text for HTML: ``<``, ``>``, ``&`` and both quotes escaped.

    Safe in element content and in quoted attribute values; ``None`` gives ``""``.

    Examples
    --------
    >>> html_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return "" if value is None else html.escape(str(value), quote=True)


def script_json(value) -> str:
    r"""``value`` as a JSON literal that may sit inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, ``'`` and the JavaScript line separators (U+2028, U+2029) are written
    as ``\uXXXX`` escapes, so that no ``</script>``, ``<!--`` or quote can end the script or
    the string early. The result is plain JSON (a JavaScript expression).

    Examples
    --------
    >>> script_json("</script>")
    '"\\u003c/script\\u003e"'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("'", "\\u0027"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def is_number_text(text: str) -> bool:
    """True when ``text`` is a plain number a spreadsheet reads as such ("-1,5", "+3")."""
    stripped = text.strip()
    return bool(stripped) and any(c.isdigit() for c in stripped) and bool(
        _NUMBER.fullmatch(stripped))


def spreadsheet_text(value):
    """``value`` for a CSV cell: text a spreadsheet would evaluate gets a leading quote.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return becomes
    ``'`` + text (OWASP's advice against CSV injection), unless it is a plain number
    ("-3", "-1,5"): numbers stay numbers. Other values are returned unchanged.

    Examples
    --------
    >>> spreadsheet_text("=1+1")
    "'=1+1"
    >>> spreadsheet_text("-1,5")
    '-1,5'
    >>> spreadsheet_text(-2.0)
    -2.0
    """  # noqa: D301 (the examples show escaped text)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not is_number_text(
            value):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index cannot run as formulas.

    Only text (``object`` / string) columns are touched, with :func:`spreadsheet_text`; numeric
    columns keep their dtype. Use it in every CSV writer.

    Examples
    --------
    >>> frame = pd.DataFrame({"nom": ["=1+1", "Catus"], "places": [-2.0, 20.0]})
    >>> spreadsheet_safe(frame)["nom"].tolist(), spreadsheet_safe(frame)["places"].tolist()
    (["'=1+1", 'Catus'], [-2.0, 20.0])
    """
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        frame[column] = series.map(spreadsheet_text, na_action="ignore")
    frame.columns = [spreadsheet_text(c) if isinstance(c, str) else c for c in frame.columns]
    index = frame.index
    if not isinstance(index, pd.MultiIndex) and (pd.api.types.is_object_dtype(index)
                                                 or pd.api.types.is_string_dtype(index)):
        frame.index = index.map(spreadsheet_text).rename(index.name)
    return frame


def xlsx_formulas_as_text(workbook) -> int:
    """Turn every formula cell of an openpyxl ``workbook`` into a text cell (same text).

    openpyxl stores any string starting with ``=`` as a formula; maillage never writes
    formulas, so each such cell is user text. The cell keeps its exact text, typed as a
    string and flagged ``quotePrefix`` (the spreadsheet shows it as text even when edited).
    Text starting with ``+``, ``-``, ``@``, a tab or a carriage return is already stored as a
    string; it gets the same flag. Returns the number of cells changed.
    """
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value.startswith(FORMULA_TRIGGERS):
                    continue
                if is_number_text(value) and cell.data_type != "f":
                    continue
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
    return changed

