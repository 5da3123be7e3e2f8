"""``maillage report-epcis``: every EPCI's report in parallel, each equal to the single run."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from maillage.batch import department_epcis, run_epci_reports
from maillage.cli import main
from maillage.errors import InputError
from maillage.settings import DiagnosticSettings

DATE = "2025-06-01"
CAZALS = "200035327"  # CC Cazals-Salviac, 15 communes
OUEST_AVEYRON = "200069383"  # 2 communes of the Lot


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def _folium_ids(text: str) -> str:
    # Folium names every map element with a random 32-hex id (map_3f2a…): the only change.
    return re.sub(r"[0-9a-f]{32}", "ID", text)


def _cells(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def test_the_lot_has_ten_epcis():
    table = department_epcis("46")
    assert len(table) == 10 and CAZALS in set(table["epci"])
    assert table.set_index("epci").loc["200023737", "communes"] == 36  # Grand Cahors


def test_unknown_epci_or_departement_is_refused_in_french(tmp_path):
    with pytest.raises(InputError, match="EPCI inconnu"):
        run_epci_reports(tmp_path, epcis=["123456789"], workers=1)
    with pytest.raises(InputError, match="aucune commune connue dans le département 12"):
        department_epcis("12")


def test_a_batch_report_equals_the_single_epci_run(tmp_path, capsys):
    single = tmp_path / "single"
    assert main(["report", "--epci", CAZALS, "--date", DATE, "--out", str(single)]) == 0
    done = []
    results = run_epci_reports(tmp_path / "batch", epcis=[CAZALS, OUEST_AVEYRON], workers=2,
                               settings=DiagnosticSettings(date=DATE),
                               on_done=lambda r: done.append(r.epci))
    assert sorted(done) == sorted([CAZALS, OUEST_AVEYRON])
    assert [r.epci for r in results] == [CAZALS, OUEST_AVEYRON] and not any(r.error for r in results)
    batch = tmp_path / "batch" / CAZALS
    assert results[0].report == batch / "rapport.html"
    one, other = _files(single), _files(batch)
    assert one.keys() == other.keys() and "tableaux/communes.csv" in one
    for name, path in one.items():
        if name.startswith("cartes/") and name.endswith(".html"):
            assert _folium_ids(path.read_text()) == _folium_ids(other[name].read_text()), name
        elif name.endswith(".xlsx"):  # the zip stamps its creation time: compare the cells
            assert _cells(path) == _cells(other[name]), name
        else:  # the report, tables, figures, GeoPackage: byte for byte
            assert path.read_bytes() == other[name].read_bytes(), name
