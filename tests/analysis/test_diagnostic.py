"""The diagnostic is finished in analysis: zones blanches, France services target and equity
are computed before any map or table is drawn, with the diagnostic's settings."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from maillage.analysis.diagnostic import (
    AccessResult,
    CapacityResult,
    Diagnostic,
    equity_by_kind,
    france_services_check,
    zones_blanches_by_kind,
)
from maillage.settings import DiagnosticSettings
from tests.fixtures.maps import synthetic

CODES = ["46001", "46002", "46003", "46004", "46005", "46006"]


def _access(kind, minutes):
    nearest = pd.DataFrame({"minutes": minutes, "destination": "x"}, index=CODES)
    return AccessResult(kind, nearest, pd.DataFrame())


def test_zones_blanches_are_raw_minutes_and_children_farthest_first():
    communes = synthetic.communes()
    table = zones_blanches_by_kind([_access("alsh", [0, 0, 25, 12, 21.04, 30])], communes,
                                   kinds=["alsh"], minutes=20)
    assert list(table["name"]) == ["Lointaine", "Videville", "Catus-Test"]
    assert list(table["minutes"]) == [30, 25, 21.04]
    # Children 3-11: 3-5 + 6-10 + 1/7 of 11-17 (Catus-Test: 35 + 60 + 80/7)
    assert list(table["population"]) == pytest.approx([10 + 18 + 25 / 7, 0, 35 + 60 + 80 / 7])


def test_a_kind_not_listed_has_no_zone_blanche():
    table = zones_blanches_by_kind([_access("rpe", [60] * 6)], synthetic.communes(),
                                   kinds=["alsh"], minutes=20)
    assert table.empty and list(table.columns)[:2] == ["service", "code"]


def test_the_france_services_target_follows_the_settings():
    access = [_access("france_services", [5, 5, 5, 0, 10, 35])]
    assert not france_services_check(access, synthetic.communes(), minutes=30).passed
    assert france_services_check(access, synthetic.communes(), minutes=40).passed
    assert france_services_check([_access("alsh", [0] * 6)], synthetic.communes()) is None


def test_equity_is_computed_from_the_2sfca():
    children = pd.DataFrame({"children": [180.0, 4, 0, 48, 95, 28]}, index=CODES)
    equal = CapacityResult("alsh", "ALSH", children, pd.DataFrame(),
                           fca=pd.Series(10.0, index=CODES))
    table = equity_by_kind([equal, CapacityResult("eaje", "EAJE", children, pd.DataFrame())])
    assert list(table["service"]) == ["alsh"]
    assert table["gini"].iloc[0] == pytest.approx(0.0)


def test_a_diagnostic_is_finished_with_its_own_settings():
    settings = DiagnosticSettings(zone_blanche_minutes=10, france_services_minutes=40)
    diag = Diagnostic(synthetic.territory(), "temps synthétiques", False,
                      access=[_access("alsh", [0, 0, 25, 12, 21, 30]),
                              _access("france_services", [5, 5, 5, 0, 10, 35])],
                      settings=settings)
    assert list(diag.zones_blanches["code"]) == ["46006", "46003", "46005", "46004"]
    assert diag.france_services.passed and diag.france_services.minutes == 40
    assert diag.equity.empty


def test_maps_never_imports_the_pipeline():
    code = ("import sys, pkgutil, importlib, maillage.maps as m\n"
            "for info in pkgutil.iter_modules(m.__path__):\n"
            "    importlib.import_module('maillage.maps.' + info.name)\n"
            "print('maillage.pipeline' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
