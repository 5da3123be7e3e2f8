"""The diagnostic folder: report, tables (CSV/XLSX), GeoPackage, figures, atomic replacement."""

import html

import pyogrio
import pytest
from openpyxl import load_workbook

from tests.fixtures.maps import synthetic
from maillage.errors import InputError
from maillage.maps import report as report_module
from maillage.maps.output import MARKER
from maillage.maps.report import write_report
from maillage.maps.tables import (commune_table, coverage_table, csv_bytes, epci_table,
                                  scenario_table)


@pytest.fixture(scope="module")
def diag(synthetic_diagnostic):
    return synthetic_diagnostic


@pytest.fixture(scope="module")
def folder(diag, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport") / "sortie"
    write_report(diag, out)
    return out


def test_the_report_embeds_every_map_and_figure_it_lists(folder):
    page = html.unescape((folder / "rapport.html").read_text(encoding="utf-8"))
    for section in ("Le territoire", "Indicateurs par intercommunalité", "Temps d'accès",
                    "Scénario : Ouverture de l'ALSH de Calamane-Test", "Méthodologie",
                    "Sources et millésimes", "Contrôle des données"):
        assert section in page
    for name in ("capacite_alsh", "capacite_eaje", "acces_alsh", "acces_france_services"):
        assert f'src="cartes/{name}.html"' in page
        assert (folder / "cartes" / f"{name}.html").is_file()
        assert (folder / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (folder / "figures" / f"{name}.svg").is_file()
    assert (folder / "cartes" / "scenario.html").is_file()
    assert "registre synthétique" in page and "COG 2026" in page  # sources and vintages
    assert "valeur négative remplacée par 0" in page  # validation summary


def test_petitville_four_children_are_published_as_less_than_five(folder):
    lines = (folder / "tableaux" / "communes.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    petitville = dict(zip(header, next(line for line in lines if "Petitville" in line).split(";")))
    assert petitville["enfants_alsh"] == "< 5"
    assert petitville["places_alsh"] == "10,0"
    assert petitville["places_pour_100_enfants_alsh"] == "secret statistique"
    bourgville = dict(zip(header, next(line for line in lines if "Bourgville" in line).split(";")))
    # Children 3–11: 70 (3–5) + 110 (6–10) + 160/7 (the 11-year-olds of 11–17) = 202.9.
    assert bourgville["enfants_alsh"] == "203"
    assert bourgville["places_pour_100_enfants_alsh"] == "29,6"  # 60 places


def test_the_threshold_is_configurable(diag):
    petitville = commune_table(diag, small=3).set_index("commune").loc["Petitville"]
    assert petitville["enfants_alsh"] == "4"
    # 10 places for 3 + 1 + 2/7 children aged 3–11 (the 11-year-olds: 1/7 of 11–17).
    assert petitville["places_pour_100_enfants_alsh"] == round(100 * 10 / (4 + 2 / 7), 1)


def test_same_inputs_give_byte_identical_csv(folder):
    again = synthetic.diagnostic()  # computed anew from the same inputs
    tables = {"communes": commune_table(again), "epci": epci_table(again),
              "couverture": coverage_table(again), "scenario": scenario_table(again)}
    for name, table in tables.items():
        assert csv_bytes(table) == (folder / "tableaux" / f"{name}.csv").read_bytes(), name


def test_tables_open_in_excel_and_layers_in_qgis(folder):
    book = load_workbook(folder / "tableaux" / "tableaux.xlsx", read_only=True)
    assert {"communes", "epci", "couverture", "scenario", "validation"} <= set(book.sheetnames)
    layers = {name for name, _ in pyogrio.list_layers(folder / "couches.gpkg")}
    assert {"communes", "equipements", "arrets_itinerants"} <= layers
    communes = pyogrio.read_dataframe(folder / "couches.gpkg", layer="communes")
    assert len(communes) == 6 and "places_pour_100_enfants_alsh" in communes


def test_a_failed_run_leaves_the_previous_output_untouched(diag, folder, monkeypatch):
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(report_module, "static_map", broken)  # after the first map is written
    with pytest.raises(RuntimeError):
        write_report(diag, folder)
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp folder left


def test_a_folder_not_made_by_maillage_is_never_replaced(diag, tmp_path):
    mine = tmp_path / "mes-documents"
    mine.mkdir()
    (mine / "budget.xlsx").write_text("précieux")
    with pytest.raises(InputError, match="n'a pas été créé par maillage"):
        write_report(diag, mine)
    assert (mine / "budget.xlsx").read_text() == "précieux"
    assert not (mine / MARKER).exists()


def test_a_report_column_keeps_one_number_of_decimals():
    import pandas as pd

    # A scenario table: places (whole) and places per 100 children (decimals) in one column.
    table = pd.DataFrame({"indicateur": ["places", "places pour 100 enfants"],
                          "avant": [9.0, 6.4], "enfants": [1234, 56]})
    shown = report_module.html_table(table)
    assert [row[1] for row in shown["rows"]] == ["9,0", "6,4"]
    assert [row[2] for row in shown["rows"]] == ["1\u202f234", "56"]
    assert shown["numeric"] == [False, True, True]
    whole = report_module.html_table(pd.DataFrame({"places": [9.0, 12.0, float("nan")]}))
    assert [row[0] for row in whole["rows"]] == ["9", "12", "–"]


@pytest.mark.parametrize("fresh", [False, True], ids=["avec shared", "poste neuf"])
def test_the_source_line_names_the_producers_not_the_files(fresh, monkeypatch, tmp_path):
    from types import SimpleNamespace

    from maillage.layers import load_territory

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    if fresh:  # an explicit folder without README.md: no ../shared/data
        monkeypatch.setenv("MAILLAGE_SHARED_DATA", str(tmp_path))
    line = report_module.source_line(SimpleNamespace(territory=load_territory("lot")))
    text = line.replace("\n", " ")
    assert text.startswith("Sources : IGN Admin Express 2018 ; INSEE COG 2026 et populations "
                           "légales ; INSEE Filosofi 2021 ; documents CTG 2020-2025")
    assert "/" not in text and ".csv" not in text and "shared" not in text
    assert text.count("INSEE Filosofi 2021") == 1  # ages and cells cited once
