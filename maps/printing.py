"""Print layout of the report: page rules (running title, page numbers) and tables split into
parts narrow enough for an A4 page.

The HTML report is printed by Chromium (:mod:`maillage.maps.pdf`) and converted to Word
(:mod:`maillage.maps.word`); both read the same tables, already split here, so that no printed
or exported table is wider than the page.
"""

from __future__ import annotations

import re

from .labels import kind_label

#: Most columns of a table part on an A4 portrait page (identifier columns included).
MAX_COLUMNS = 10

#: Leading identifier columns repeated in every part of a split table, by table shape.
_KEY_COLUMNS = (("code", "commune"), ("epci", "nom_epci"))

#: Column-name prefixes of travel-time columns (grouped into one part).
_ACCESS_PREFIXES = ("minutes_", "plus_proche_")

#: Column-name prefixes of per-kind indicator columns (grouped by kind).
_KIND_PREFIXES = ("places_pour_100_enfants_", "equipements_places_inconnues_",
                  "accessibilite_2sfca_", "enfants_", "places_")

#: Title of the travel-time group.
ACCESS_TITLE = "Temps d'accès au plus proche"


def css_string(text: str) -> str:
    r"""``text`` as a CSS string literal, safe inside a ``<style>`` element.

    Every character other than a letter, digit or space is written as a CSS hex escape, so
    that no quote, backslash, ``<`` or ``>`` of a user-typed name can end the string or the
    style element.

    Examples
    --------
    >>> print(css_string('Le "Lot" <b>'))
    "Le \22 Lot\22  \3c b\3e "
    """
    out = []
    for char in str(text):
        if char.isalnum() and char.isascii() or char == " ":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def page_style(title: str, date: str) -> str:
    """CSS ``@page`` rules of the printed report: A4, running title and date at the top,
    page numbers at the foot (Chromium prints CSS page-margin boxes).

    Parameters
    ----------
    title : str
        Running title, e.g. ``"Diagnostic de couverture – CA du Grand Cahors"`` (escaped
        here).
    date : str
        Date shown on the right of the running title (``"26/11/2026"``).

    Returns
    -------
    str
        CSS text, to be placed in the report's ``<style>``.
    """
    box = "font:8pt/1.2 system-ui,sans-serif;color:#555"
    return (
        "@page{size:A4;margin:17mm 15mm 16mm 15mm;"
        f"@top-left{{content:{css_string(title)};{box};vertical-align:bottom}}"
        f"@top-right{{content:{css_string(date)};{box};vertical-align:bottom}}"
        f"@bottom-right{{content:\"Page \" counter(page) \" / \" counter(pages);{box}}}"
        f"@bottom-left{{content:{css_string('maillage – diagnostic CTG')};{box}}}}}"
        "@page:first{@top-left{content:none}@top-right{content:none}}")


def _group(column: str) -> str:
    """Group of a published column: ``"acces"``, a facility kind, or ``""`` (general)."""
    if column.startswith(_ACCESS_PREFIXES):
        return "acces"
    for prefix in _KIND_PREFIXES:
        if column.startswith(prefix) and len(column) > len(prefix):
            rest = column[len(prefix):]
            if prefix == "accessibilite_2sfca_":
                rest = re.sub(r"_[0-9.]+min$", "", rest)
            return rest
    return ""


def _group_title(group: str) -> str:
    if group == "acces":
        return ACCESS_TITLE
    return kind_label(group) if group else "Population"


def table_parts(table: dict, *, max_columns: int = MAX_COLUMNS) -> list[dict]:
    """Split a wide report table into parts that fit an A4 page.

    A table with more than ``max_columns`` columns is cut between column groups (one group
    per service kind, one for travel times, one for the general columns); the identifier
    columns (code and name) are repeated in each part so that every row stays readable.
    No column is dropped.

    Parameters
    ----------
    table : dict
        ``{"columns", "headers", "rows", "numeric", "identifier"}`` as ``maillage.maps.report.html_table``.
    max_columns : int
        Widest part, columns.

    Returns
    -------
    list of dict
        The parts, same keys plus ``"title"`` (French, empty when the table is not split).
    """
    columns = list(table.get("columns") or [])
    if len(columns) <= max_columns:
        return [{**table, "title": ""}]
    keys = next((list(k) for k in _KEY_COLUMNS if list(k) == columns[:len(k)]), columns[:1])
    groups: dict[str, list[int]] = {}
    for i, column in enumerate(columns):
        if column not in keys:
            groups.setdefault(_group(str(column)), []).append(i)
    width = max(max_columns - len(keys), 1)
    packed: list[tuple[list[str], list[int]]] = []
    for group, indices in groups.items():
        for start in range(0, len(indices), width):
            chunk = indices[start:start + width]
            if packed and len(packed[-1][1]) + len(chunk) <= width:
                packed[-1][0].append(group)
                packed[-1][1].extend(chunk)
            else:
                packed.append(([group], list(chunk)))
    key_idx = [columns.index(k) for k in keys]
    parts = []
    for groups_in, indices in packed:
        idx = key_idx + indices
        titles = list(dict.fromkeys(_group_title(g) for g in groups_in))
        parts.append({"title": " · ".join(titles),
                      "columns": [columns[i] for i in idx],
                      "headers": [table["headers"][i] for i in idx],
                      "numeric": [table["numeric"][i] for i in idx],
                      "identifier": [table["identifier"][i] for i in idx],
                      "rows": [[row[i] for i in idx] for row in table["rows"]]})
    return parts
