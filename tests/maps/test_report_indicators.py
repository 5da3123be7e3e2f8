"""Zones blanches, France Services target and equity in the report and ``tableaux/``."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.fixtures.maps import synthetic
from maillage.maps.diagnostic import AccessResult, CapacityResult, Diagnostic
from maillage.maps.report_indicators import (equity_table, france_services_check,
                                             france_services_table, presence_table,
                                             sensitivity_table,
                                             zones_blanches_table)
from maillage.settings import shared_data_dir

CODES = ["46001", "46002", "46003", "46004", "46005", "46006"]


def _access(kind, minutes):
    nearest = pd.DataFrame({"minutes": minutes, "destination": "x"}, index=CODES)
    return AccessResult(kind, nearest, pd.DataFrame())


def _diag(alsh=(0, 0, 25, 12, 21, 30), fs=(5, 5, 5, 0, 10, 35), fca=None):
    capacity = []
    if fca is not None:
        children = pd.DataFrame({"children": [180.0, 4, 0, 48, 95, 28]}, index=CODES)
        capacity.append(CapacityResult("alsh", "ALSH", children, pd.DataFrame(),
                                       fca=pd.Series(fca, index=CODES, dtype=float)))
    return Diagnostic(synthetic.territory(), "temps synthétiques", False, capacity=capacity,
                      access=[_access("alsh", list(alsh)), _access("france_services", list(fs))])


def test_communes_beyond_20_minutes_of_an_alsh_are_zones_blanches_farthest_first():
    table = zones_blanches_table(_diag())
    assert list(table["nom"]) == ["Lointaine", "Videville", "Catus-Test"]
    assert list(table["minutes"]) == [30.0, 25.0, 21.0]
    # Children 3-11 = 3-5 + 6-10 + 1/7 of 11-17 (the 11-year-olds): Lointaine 10 + 18 + 25/7
    # = 31.6; Catus-Test 35 + 60 + 80/7 = 106.4. Videville has no child: nobody to protect.
    assert list(table["enfants"]) == ["32", "0", "106"]


def test_small_child_counts_of_a_zone_blanche_are_secret():
    # Petitville (3 + 1 children) 22 minutes from an ALSH.
    table = zones_blanches_table(_diag(alsh=(0, 22, 0, 0, 0, 0)))
    assert list(table["nom"]) == ["Petitville"]
    assert table["enfants"].iloc[0] == "< 5"


def test_lointaine_at_35_minutes_fails_the_france_services_target():
    check = france_services_check(_diag())
    assert not check.passed
    assert check.population_beyond == 300
    failing = france_services_table(_diag())
    assert list(failing["nom"]) == ["Lointaine"] and list(failing["habitants"]) == [300]
    assert "Objectif non atteint" in check.text()


def test_everyone_within_30_minutes_meets_the_france_services_target():
    diag = _diag(fs=(5, 5, 5, 0, 10, 30))
    assert france_services_check(diag).passed
    assert france_services_table(diag).empty


def test_equal_accessibility_everywhere_has_a_gini_of_zero():
    table = equity_table(_diag(fca=[10, 10, 10, 10, 10, 10]))
    assert table["gini_100"].iloc[0] == pytest.approx(0.0)
    assert table["part_sous_mediane_pct"].iloc[0] == pytest.approx(0.0)


def test_all_places_in_one_commune_is_unequal_and_palma_undefined():
    # Only Bourgville (180 of 355 children) reaches places: the 40 % least served have none.
    table = equity_table(_diag(fca=[50, 0, 0, 0, 0, 0]))
    assert table["gini_100"].iloc[0] > 40
    assert pd.isna(table["palma"].iloc[0])


def test_the_demo_report_lists_its_zones_blanches_and_the_france_services_verdict(tmp_path):
    if shared_data_dir() is None:
        pytest.skip("données partagées absentes : pas de démo réelle")
    from maillage.pipeline import run_demo

    report = run_demo(tmp_path / "out")
    html = report.read_text("utf-8")
    assert "Zones blanches" in html and "Objectif national France services" in html
    blanches = pd.read_csv(report.parent / "tableaux" / "zones_blanches.csv", sep=";",
                           decimal=",", encoding="utf-8-sig", dtype={"code": str})
    assert len(blanches) > 0 and (blanches["minutes"] > 20).all()
    assert set(blanches["service"]) <= {"alsh", "eaje"}
    assert (report.parent / "tableaux" / "equite.csv").exists()
    assert "la conclusion dépend-elle du seuil" in html


def test_sensitivity_lists_each_threshold_and_shares_in_percent():
    # Bourgville's 60-place ALSH; Catus-Test 10 minutes away, Lointaine 25 minutes away.
    cost = pd.DataFrame({"a": [0.0, 10.0, 25.0]}, index=["46001", "46005", "46006"])
    demand = pd.Series([180.0, 95.0, 28.0], index=cost.index)
    from maillage.analysis.sensitivity import sensitivity

    sens = sensitivity(demand, pd.Series({"a": 60.0}), cost)
    diag = _diag()
    diag.capacity = [CapacityResult("alsh", "ALSH", pd.DataFrame(), pd.DataFrame(),
                                    sensitivity=sens)]
    table = sensitivity_table(diag).set_index("indicateur")
    within = table.loc["part des enfants à moins du seuil d'un équipement (%)"]
    # 10 min: 180 + 95 of 303 children; 30 min: all of them.
    assert within["10 min"] == pytest.approx(round(100 * 275 / 303, 1))
    assert within["30 min"] == pytest.approx(100.0)
    assert within["20 min"] == pytest.approx(
        round(100 * 275 / 303, 1))


def test_a_stop_with_unknown_days_counts_as_a_stop_but_never_as_open_4_days():
    # Lointaine (300 inhabitants) 5 minutes from a bus stop whose days are unknown; the others
    # next to a fixed site.
    from maillage.analysis.itinerant import presence_coverage

    cost = pd.DataFrame({"site": [0.0, 40.0], "arret": [40.0, 5.0]}, index=["46005", "46006"])
    presence = presence_coverage(cost, pd.Series([900.0, 300.0], index=cost.index),
                                 pd.Series({"site": 21.7, "arret": float("nan")}),
                                 thresholds=(10,), min_days=(0, 4))
    diag = _diag()
    diag.access[1].presence = presence
    table = presence_table(diag).set_index("presence")
    assert table.loc["un arrêt, même rare", "10 min"] == pytest.approx(100.0)
    assert table.loc["ouvert ≥ 4 j/mois", "10 min"] == pytest.approx(75.0)
