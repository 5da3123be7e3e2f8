"""Children by age from INSEE Filosofi: the band rule, the scaling, the embedded counts.

Fixtures: ``filosofi_200m_insee_format.csv`` is a hand-made sample in the format of INSEE's
published 200 m file (``;``, ``idcar_200m``, ``lcog_geo``, ``i_est_200``, capitalised ``Ind_*``,
decimal commas); ``filosofi_communes_cazals_salviac.csv`` a hand-made per-commune file. Their
numbers are invented; the real ones are in ../shared/data (tests marked ``shared``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from maillage import layers
from maillage.errors import InputError
from maillage.layers import filosofi
from maillage.layers.ages import DOCUMENT_TOTALS
from maillage.layers.communes import embedded_communes, points_layer
from maillage.settings import shared_data_dir

FIXTURES = Path(__file__).parent.parent / "fixtures" / "layers"
BANDS = ["pop_0_2", "pop_3_5", "pop_6_10", "pop_11_17"]
GRAND_CAHORS = "200023737"


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))


def _shared(name: str) -> Path:
    shared = shared_data_dir()
    if shared is None or not (shared / "population" / name).is_file():
        pytest.skip(f"../shared/data absent : pas de fichier Filosofi {name}")
    return shared / "population" / name


def _filosofi_bands(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"filosofi_0_3": "ind_0_3", "filosofi_4_5": "ind_4_5",
                                 "filosofi_6_10": "ind_6_10", "filosofi_11_17": "ind_11_17"})


# ------------------------------------------------------------------------------ the band rule

def test_caf_bands_split_the_0_3_band_three_quarters_one_quarter():
    counts = pd.DataFrame({"ind_0_3": [40.0], "ind_4_5": [18.0], "ind_6_10": [50.0],
                           "ind_11_17": [70.0]})
    bands = filosofi.caf_bands(counts).iloc[0]
    assert bands["pop_0_2"] == 30.0           # ¾ × 40
    assert bands["pop_3_5"] == 10.0 + 18.0    # ¼ × 40 + 18
    assert (bands["pop_6_10"], bands["pop_11_17"]) == (50.0, 70.0)
    assert bands["pop_11"] == 10.0            # 1/7 × 70: the 11-year-olds, part of 11–17
    census = bands.drop("pop_11")
    assert census.sum() == counts.iloc[0].sum()  # nobody lost or counted twice


def test_any_age_range_follows_the_same_even_spread():
    counts = pd.DataFrame({"ind_0_3": [40.0], "ind_4_5": [18.0], "ind_6_10": [50.0],
                           "ind_11_17": [70.0]})
    bands = filosofi.caf_bands(counts).iloc[0]
    between = {(0, 3): "pop_0_2", (3, 6): "pop_3_5", (6, 11): "pop_6_10", (11, 18): "pop_11_17",
               (11, 12): "pop_11"}
    for (start, end), band in between.items():
        assert filosofi.children_between(counts, start, end).iloc[0] == pytest.approx(bands[band])
    # 3–11 years (ALSH), 11 included: ¼ × 40 + 18 + 50 + 1/7 × 70 = 88 = the commune columns
    # an ALSH counts (pop_3_5 + pop_6_10 + pop_11).
    assert filosofi.children_between(counts, 3, 12).iloc[0] == pytest.approx(88.0)
    assert bands[["pop_3_5", "pop_6_10", "pop_11"]].sum() == pytest.approx(88.0)
    from maillage.kinds import service_kind

    assert service_kind("alsh").population == ("pop_3_5", "pop_6_10", "pop_11")


def test_scaling_gives_the_population_municipale_and_keeps_the_shares():
    counts = pd.DataFrame({"ind": [900.0, 50.0], "ind_0_3": [40.0, 0.0], "ind_4_5": [18.0, 1.0],
                           "ind_6_10": [50.0, 2.0], "ind_11_17": [70.0, 3.0]},
                          index=["46042", "46046"])
    population = pd.Series({"46042": 1000, "46046": 60})
    scaled = filosofi.scale_to_population(counts, population)
    assert (counts["ind"] * scaled["factor"]).tolist() == [1000.0, 60.0]
    assert scaled.at["46042", "pop_0_2"] == pytest.approx(30.0 * 1000 / 900)
    assert scaled.at["46046", "pop_11_17"] == pytest.approx(3.0 * 60 / 50)


def test_a_commune_without_filosofi_inhabitant_is_not_scaled():
    counts = pd.DataFrame({"ind": [0.0], "ind_0_3": [0.0], "ind_4_5": [0.0],
                           "ind_6_10": [0.0], "ind_11_17": [0.0]}, index=["46297"])
    assert filosofi.scale_to_population(counts, pd.Series({"46297": 1218})).empty


# ------------------------------------------------------------------------------ file formats

def test_the_insee_published_format_is_read():
    cells = filosofi.read_cells(FIXTURES / "filosofi_200m_insee_format.csv")
    first = cells.iloc[0]
    # idcar_200m gives the lower-left corner: the centre is 100 m further north and east.
    assert (first["x"], first["y"]) == (3650500.0, 2424700.0)
    assert (first["ind"], first["ind_0_3"], first["commune"]) == (120.0, 8.0, "46066")
    second = cells.iloc[1]
    assert second["commune"] == "46066"  # lcog_geo "4606646087": the first commune is kept
    assert (second["ind_0_3"], second["ind_11_17"]) == (2.5, 4.5)  # decimal commas
    assert cells["imputed"].tolist() == [False, True, True, True]


def test_cells_and_commune_sums_give_the_same_counts():
    sums = filosofi.commune_sums(filosofi.read_cells(FIXTURES / "filosofi_200m_insee_format.csv"))
    given = filosofi.read_commune_sums(FIXTURES / "filosofi_communes_cazals_salviac.csv")
    pd.testing.assert_frame_equal(sums.loc[given.index], given, check_names=False)


def test_a_filosofi_file_without_the_age_columns_is_refused(tmp_path):
    path = tmp_path / "carreaux.csv"
    path.write_text("x,y,ind,ind_0_3\n3650500,2424700,120,8\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        filosofi.read_cells(path)
    assert error.value.column == "ind_4_5" and error.value.row == 1


def test_an_unreadable_count_is_named_by_row_and_column(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text("code_insee,ind,ind_0_3,ind_4_5,ind_6_10,ind_11_17\n"
                    "46066,160,10,5,13,18\n46087,60,quatre,2,5,7\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        filosofi.read_commune_sums(path)
    assert (error.value.row, error.value.column) == (3, "ind_0_3")
    assert "quatre" in str(error.value)


def test_a_filosofi_file_given_to_the_loader_replaces_the_children():
    report = layers.ValidationReport()
    communes = layers.load_communes(epci="200035327",
                                    ages=FIXTURES / "filosofi_200m_insee_format.csv",
                                    report=report)
    cazals = communes.loc["46066"]  # 120 + 40 inhabitants, 8 + 2.5 aged 0–3
    assert cazals["pop_0_2"] == round(0.75 * 10.5 * 651 / 160, 1)
    assert cazals["pop_3_5"] == round((0.25 * 10.5 + 5.5) * 651 / 160, 1)
    assert "de la commune" in cazals["age_source"]
    # Salviac's only cell is empty: it takes the age structure of its EPCI in the file.
    salviac = communes.loc["46297"]
    assert salviac["pop_6_10"] == round(18.0 * 1218 / 220, 1)
    assert "de l'intercommunalité" in salviac["age_source"]
    # A commune absent from the file keeps its (embedded) children.
    assert communes.loc["46008", "pop_0_2"] == embedded_communes().set_index("code").at[
        "46008", "pop_0_2"]
    summary = [e.message for e in report.entries if "Filosofi" in e.message]
    assert summary == ["enfants par âge : 2 communes avec la structure par âge INSEE Filosofi "
                       "2021 de la commune, 1 avec celle de leur EPCI, 12 inchangées "
                       f"({filosofi.RULE_TEXT})"]


# ------------------------------------------------------------------------------ embedded counts

def test_every_embedded_commune_has_filosofi_counts_scaled_by_the_rule():
    table = embedded_communes().set_index("code")
    assert len(table) == 312
    assert table["age_source"].str.startswith("INSEE Filosofi 2021").all()
    expected = filosofi.scale_to_population(
        _filosofi_bands(table).rename(columns={"filosofi_ind": "ind"}), table["population"])
    assert len(expected) == 312
    for band in BANDS:
        assert (table[band] - expected[band]).abs().max() <= 0.05 + 1e-9, band


def test_embedded_children_stay_below_the_population():
    table = embedded_communes()
    assert (table[BANDS].sum(axis=1) < table["population"]).all()
    assert (table[BANDS] >= 0).all().all()


def test_quercy_bouriane_under_threes_are_close_to_the_174_of_its_ctg_plan():
    # The plan d'action counts 174 children under 3 in 2021; Filosofi 2021 scaled to the
    # population municipale gives 156 (10 % fewer): a real count, no longer forced to 174.
    table = embedded_communes()
    bouriane = table[table["epci"] == "244600482"]
    total, _ = DOCUMENT_TOTALS["244600482"]["pop_0_2"]
    assert bouriane["pop_0_2"].sum() == pytest.approx(156, abs=1)
    assert bouriane["pop_0_2"].sum() == pytest.approx(total, rel=0.15)


@pytest.mark.shared
def test_embedded_filosofi_sums_are_those_of_the_200m_cells():
    cells = filosofi.read_cells(_shared(filosofi.SHARED_CELLS))
    sums = filosofi.commune_sums(cells)
    table = _filosofi_bands(embedded_communes().set_index("code"))
    assert sorted(sums.index) == sorted(table.index)
    for column in ["ind_0_3", "ind_4_5", "ind_6_10", "ind_11_17"]:
        assert (sums[column] - table.loc[sums.index, column]).abs().max() < 0.051, column
    given = filosofi.read_commune_sums(_shared(filosofi.SHARED_COMMUNES))
    assert (given["ind"] - sums.loc[given.index, "ind"]).abs().max() < 0.5


@pytest.mark.shared
def test_grand_cahors_children_3_11_match_the_scaled_filosofi_sum():
    """Commune-by-commune scaling vs one EPCI-wide scaling of the 200 m cells: within 3 %."""
    cells = filosofi.read_cells(_shared(filosofi.SHARED_CELLS))
    table = embedded_communes()
    members = table[table["epci"] == GRAND_CAHORS]
    ours = members[["pop_3_5", "pop_6_10", "pop_11"]].sum().sum()
    inside = cells[cells["commune"].isin(members["code"])]
    filosofi_3_11 = filosofi.children_between(inside, 3, 12).sum()  # 11-year-olds included
    scaled = filosofi_3_11 * members["population"].sum() / inside["ind"].sum()
    assert ours == pytest.approx(scaled, rel=0.03)
    # 3,539 children aged 3–11 for 42,094 inhabitants: 3,059 aged 3–10 + 480 aged 11
    assert 3_450 < ours < 3_650
    assert members["pop_11"].sum() == pytest.approx(members["pop_11_17"].sum() / 7, rel=0.01)


@pytest.mark.shared
def test_the_loader_recomputes_the_embedded_counts_from_the_shared_cells():
    _shared(filosofi.SHARED_CELLS)
    report = layers.ValidationReport()
    communes = layers.load_communes(offline=True, report=report)
    assert "filosofi2021_200m_lot.csv" in communes.attrs["source"].description
    table = embedded_communes().set_index("code")
    for band in [*BANDS, "pop_11"]:
        assert (communes[band] - table.loc[communes.index, band]).abs().max() < 1e-9, band


def test_points_layer_keeps_the_embedded_counts():
    layer = points_layer(embedded_communes())
    assert layer.at["46046", "pop_3_5"] + layer.at["46046", "pop_6_10"] == pytest.approx(39.1)
    assert layer.at["46046", "pop_11"] == pytest.approx(layer.at["46046", "pop_11_17"] / 7,
                                                        abs=0.05)
