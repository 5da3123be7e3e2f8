"""The same inputs give byte-identical tables (CSV) and layers (GeoPackage), and every output
folder carries the validation report of its inputs.

Two runs are made in different seconds: GDAL stamps a GeoPackage with the current time unless
told otherwise, which a byte comparison catches.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from tests.fixtures.maps import synthetic

#: Outputs compared byte for byte (maps embed random element ids; the XLSX its creation time).
COMPARED = ("*.csv", "*.gpkg", "validation.txt")


def _next_second() -> None:
    """Sleep to the start of the next wall-clock second (timestamps then differ)."""
    time.sleep(1.05 - (time.time() % 1.0))


def _digests(folder: Path) -> dict[str, str]:
    files = sorted({p for pattern in COMPARED for p in folder.rglob(pattern)})
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def lot_diagnostics():
    """Two diagnostics of the Lot computed separately from the same inputs (straight-line
    times, registry at 1 June 2025, the Calamane scenario)."""
    from maillage.geo import StraightLineTimer
    from maillage.layers import load_territory
    from maillage.pipeline import build_diagnostic, demo_scenario_path

    return [build_diagnostic(load_territory("lot", offline=True), StraightLineTimer(),
                             at="2025-06-01", scenario=demo_scenario_path())
            for _ in range(2)]


def _write_tables_and_layers(diag, folder: Path) -> None:
    from maillage.maps.tables import (commune_table, coverage_table, epci_table,
                                      scenario_table, write_layers, write_tables)

    communes = commune_table(diag)
    write_tables({"communes": communes, "epci": epci_table(diag),
                  "couverture": coverage_table(diag), "scenario": scenario_table(diag),
                  "validation": diag.territory.report.to_frame()}, folder / "tableaux")
    write_layers(diag, folder / "couches.gpkg", communes_table=communes)


def test_the_lot_tables_and_layers_are_byte_identical_run_after_run(lot_diagnostics, tmp_path):
    first, second = lot_diagnostics
    _write_tables_and_layers(first, tmp_path / "a")
    _next_second()
    _write_tables_and_layers(second, tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert {"couches.gpkg", "tableaux/communes.csv", "tableaux/scenario.csv"} <= set(a)
    assert a == b


@pytest.fixture(scope="module")
def report_folders(tmp_path_factory):
    """The report writer run twice, in different seconds, on two diagnostics of the same
    synthetic territory: (diagnostic, first folder, second folder).

    Static figures (matplotlib, slow, not compared here) are skipped.
    """
    from maillage.maps import report

    root = tmp_path_factory.mktemp("rapports")
    diag = synthetic.diagnostic()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report, "static_map", lambda *args, **kwargs: None)
        report.write_report(diag, root / "premier")
        _next_second()
        report.write_report(synthetic.diagnostic(), root / "second")
    return diag, root / "premier", root / "second"


def test_the_report_writer_gives_byte_identical_tables_and_layers(report_folders):
    _, first_folder, second_folder = report_folders
    first, second = _digests(first_folder), _digests(second_folder)
    assert {"couches.gpkg", "validation.txt", "tableaux/communes.csv"} <= set(first)
    assert first == second


def test_the_geopackage_layers_read_back_the_same(lot_diagnostics, tmp_path):
    """Byte identity is not bought by dropping data: the layers hold the Lot's communes."""
    import pyogrio

    first, _ = lot_diagnostics
    _write_tables_and_layers(first, tmp_path)
    names = [name for name, _ in pyogrio.list_layers(tmp_path / "couches.gpkg")]
    assert {"communes", "equipements"} <= set(names)
    communes = pyogrio.read_dataframe(tmp_path / "couches.gpkg", layer="communes")
    assert len(communes) == len(first.territory.communes) == 312
    assert "46046" in set(communes["code"])  # Calamane


# ---------------------------------------------------------------------------------------------
# A validation report beside every output


def test_the_report_folder_carries_the_validation_report(report_folders):
    import pandas as pd

    diag, folder, _ = report_folders
    text = (folder / "validation.txt").read_text(encoding="utf-8")
    assert text == diag.territory.report.to_text() + "\n"
    assert ("[réparé] fichier communes.csv, ligne 3, colonne « pop_3_5 » : valeur négative "
            "remplacée par 0. Correction : corriger la source") in text.splitlines()
    table = pd.read_csv(folder / "tableaux" / "validation.csv", sep=";",
                        encoding="utf-8-sig", dtype=str)
    assert table[["level", "file", "row"]].values.tolist() == [
        ["réparé", "communes.csv", "3"], ["info", "equipements.csv", "2"]]


def test_the_lot_validation_report_lists_what_was_mapped(lot_diagnostics, tmp_path):
    """What loading the Lot converted (former commune codes when contours are the 2018 ones,
    alsh/eaje rows without places) is in the published validation table."""
    import pandas as pd

    first, _ = lot_diagnostics
    _write_tables_and_layers(first, tmp_path)
    table = pd.read_csv(tmp_path / "tableaux" / "validation.csv", sep=";", encoding="utf-8-sig",
                        dtype=str, keep_default_na=False)
    entries = first.territory.report.entries
    assert len(table) == len(entries) > 0
    assert table["message"].tolist() == [e.message for e in entries]
    assert any(m.startswith("places inconnues pour ce service") for m in table["message"])
    from maillage.settings import shared_data_dir

    if shared_data_dir() is not None:  # contours under 2018 codes, dissolved into 2026 communes
        assert any("ancien code 46099 fusionné dans la commune actuelle 46033" in m
                   for m in table["message"])


def test_scenario_tables_come_with_their_validation_report(tmp_path):
    """``maillage scenario run FILE --out DIR`` writes the registry's validation beside its
    tables."""
    from maillage.cli import main
    from maillage.pipeline import demo_scenario_path

    assert main(["scenario", "run", str(demo_scenario_path()), "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "calamane-2025-communes.csv" in written
    assert "calamane-2025-validation.txt" in written
    text = (tmp_path / "calamane-2025-validation.txt").read_text(encoding="utf-8")
    assert "places inconnues pour ce service alsh" in text
