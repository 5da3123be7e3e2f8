"""A new kind of service is one registry entry (``maillage.kinds``), read by every part.

"A ludothèque opens in Catus-Test": registered once, it is accepted by the facility loader
(which requires its places), labelled and coloured on maps, validated in scenario files,
counted in places per 100 children and reported by the diagnostic pipeline.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from maillage import kinds
from maillage.errors import InputError
from maillage.settings import DEFAULT_SETTINGS, DiagnosticSettings

LUDOTHEQUE = kinds.ServiceKind(
    "ludotheque", "ludothèque", "Ludothèque (LUDO)", "#117733", "dice", article="une",
    capacity="required", ages=(3, 12), population=("pop_3_5", "pop_6_10", "pop_11"),
    population_label="enfants de 3 à 11 ans", indicator_label="Ludothèque (3-11 ans)",
    report_places=True, report_access=True)


@pytest.fixture
def ludotheque(monkeypatch):
    """The registry with a ludothèque (removed after the test)."""
    monkeypatch.setitem(kinds.SERVICE_KINDS, "ludotheque", LUDOTHEQUE)
    return LUDOTHEQUE


@pytest.fixture
def territory(ludotheque):
    """The synthetic territory with a 30-place ludothèque in Catus-Test."""
    from tests.fixtures.maps import synthetic

    land = synthetic.territory()
    alsh = land.facilities.loc["t-alsh-bourg"]
    row = alsh.copy()
    row.update({"id": "t-ludo-catus", "name": "Ludothèque de Catus-Test", "kind": "ludotheque",
                "capacity": 30.0, "commune_code": "46005", "epci": "200000002",
                "geometry": land.communes.loc["46005"].geometry.centroid})
    row["lon"], row["lat"] = row["geometry"].x, row["geometry"].y
    facilities = pd.concat([land.facilities, row.to_frame("t-ludo-catus").T])
    land.facilities = facilities.set_geometry("geometry", crs="EPSG:4326").astype(
        land.facilities.dtypes.to_dict())
    return land


def test_the_registry_keeps_the_kinds_the_documents_use():
    assert list(kinds.SERVICE_KINDS)[:3] == ["alsh", "alae", "eaje"]
    assert kinds.service_kind("eaje").kinds == ("eaje", "mam", "assistante_maternelle")
    assert kinds.kind_label("inconnu") == "inconnu"
    assert kinds.kinds_where("report_places") == ("alsh", "eaje")


def test_one_age_convention_half_open_years():
    from maillage.analysis.capacity import AGE_BANDS
    from maillage.layers import AGE_BANDS as CENSUS_BANDS

    assert CENSUS_BANDS["pop_0_2"] == (0, 3) and CENSUS_BANDS["pop_6_10"] == (6, 11)
    assert AGE_BANDS["alsh"].ages == (3, 12)
    # "3 à 11 ans" counts the 11-year-olds: 3–5, 6–10 and age 11 (1/7 of the band 11–17).
    assert AGE_BANDS["alsh"].children == ("pop_3_5", "pop_6_10", "pop_11")
    assert kinds.CHILDREN_COLUMNS["pop_11"] == (11, 12)
    # An indicator's ages are exactly the children columns it counts: contiguous, no overlap.
    for key, band in AGE_BANDS.items():
        if key == "alsh_12_17":
            continue  # the census band 11–17 stands for 12–17 (DREES groups, documented)
        spans = sorted(kinds.CHILDREN_COLUMNS[c] for c in band.children)
        assert (spans[0][0], spans[-1][1]) == band.ages, key
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), key
    assert kinds.age_text((3, 12)) == "3 à 11 ans"


def test_a_year_band_is_derived_from_its_census_band_when_absent():
    import pandas as pd

    communes = pd.DataFrame({"pop_11_17": [70.0, 7.0]})
    assert kinds.with_year_bands(communes)["pop_11"].tolist() == [10.0, 1.0]
    given = communes.assign(pop_11=[9.0, 2.0])  # a loader's own count is kept
    assert kinds.with_year_bands(given) is given


def test_a_kind_is_checked_when_registered():
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.service_kind("alsh"))
    with pytest.raises(ValueError, match="capacity"):
        dataclasses.replace(LUDOTHEQUE, capacity="sometimes")
    with pytest.raises(ValueError, match="indicator needs"):
        dataclasses.replace(LUDOTHEQUE, population=())


def test_labels_colours_and_views_read_the_registry(ludotheque):
    from maillage.layers.facilities import CAPACITY_REQUIRED, KINDS
    from maillage.maps.labels import (
        KIND_COLORS,
        KIND_LABELS,
        kind_color,
        kind_label,
        short_kind,
    )

    assert KINDS["ludotheque"] == "ludothèque"
    assert "ludotheque" in CAPACITY_REQUIRED
    assert KIND_LABELS["ludotheque"] == kind_label("ludotheque") == "Ludothèque (LUDO)"
    assert KIND_COLORS["ludotheque"] == kind_color("ludotheque") == "#117733"
    assert short_kind("ludotheque") == "LUDO"


def test_the_loader_accepts_the_new_kind_and_requires_its_places(ludotheque, tmp_path,
                                                                  lot_points):
    from maillage.layers import load_facilities

    path = tmp_path / "ludo.csv"
    path.write_text("nom;type;code_insee;places\nLudothèque de Catus;ludotheque;46064;25\n",
                    encoding="utf-8")
    loaded = load_facilities(path, communes=lot_points)
    assert loaded.iloc[0]["kind"] == "ludotheque" and loaded.iloc[0]["capacity"] == 25
    path.write_text("nom;type;code_insee;places\nLudothèque de Catus;ludotheque;46064;\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="nombre de places absent pour un service ludotheque"):
        load_facilities(path, communes=lot_points)


def test_the_new_kind_is_unknown_without_its_entry(tmp_path, lot_points):
    from maillage.layers import load_facilities

    path = tmp_path / "ludo.csv"
    path.write_text("nom;type;code_insee;places\nLudothèque de Catus;ludotheque;46064;25\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="type de service « ludotheque » inconnu"):
        load_facilities(path, communes=lot_points)


def test_a_scenario_opening_one_needs_places(ludotheque):
    from maillage.analysis.scenario.file import parse_scenario

    text = ("nom: ludo\ndate: 2025-03-31\nchangements:\n  - ouvrir:\n      id: ludo\n"
            "      type: ludotheque\n      commune: \"46064\"\n")
    with pytest.raises(InputError, match="« ouvrir » un service ludotheque sans « places »") \
            as error:
        parse_scenario(text, file="ludo.yaml")
    assert "une ludotheque" in str(error.value)
    assert parse_scenario(text + "      places: 25\n").changes[0].fields["places"] == 25


def test_places_per_100_children_counts_the_new_kind(territory):
    from maillage.analysis import places_per_100_children

    table = places_per_100_children(territory, kind="ludotheque", by="epci")
    assert table.loc["200000002", "places"] == 30
    # CA Sud: 18 + 35 + 10 (3-5), 30 + 60 + 18 (6-10) and 1/7 of 40 + 80 + 25 (11-17: the
    # 11-year-olds) children
    assert table.loc["200000002", "places_per_100_children"] == pytest.approx(
        100 * 30 / (18 + 35 + 10 + 30 + 60 + 18 + (40 + 80 + 25) / 7))


def test_the_diagnostic_reports_the_new_kind(territory):
    from maillage.geo import StraightLineTimer

    from maillage.pipeline import build_diagnostic

    diag = build_diagnostic(territory, StraightLineTimer(), at="2025-06-01")
    assert "ludotheque" in [c.kind for c in diag.capacity]
    access = {a.kind: a for a in diag.access}
    assert access["ludotheque"].population_label == "enfants de 3 à 11 ans"
    assert access["ludotheque"].nearest.loc["46005", "minutes"] == pytest.approx(0, abs=1e-6)
    assert access["ludotheque"].nearest.loc["46001", "destination"] == "t-ludo-catus"
    capacity = {c.kind: c for c in diag.capacity}["ludotheque"]
    assert capacity.label == "3 à 11 ans"
    assert capacity.by_epci.loc["200000002", "places"] == 30


def test_settings_choose_the_kinds_of_each_section(territory):
    from maillage.geo import StraightLineTimer

    from maillage.pipeline import build_diagnostic

    settings = DiagnosticSettings(capacity_kinds=("eaje",), access_kinds=("rpe",),
                                  thresholds=(5, 25))
    diag = build_diagnostic(territory, StraightLineTimer(), at="2025-06-01",
                            settings=settings)
    assert [c.kind for c in diag.capacity] == ["eaje"]
    assert [a.kind for a in diag.access] == ["rpe"]
    assert list(diag.access[0].coverage.index) == [5, 25]
    assert diag.settings is settings


def test_default_settings_are_the_ctg_thresholds():
    assert DEFAULT_SETTINGS.thresholds == (10, 15, 20, 30)
    assert DEFAULT_SETTINGS.catchment_minutes == 20
    assert DEFAULT_SETTINGS.france_services_minutes == 30
    assert DEFAULT_SETTINGS.time_classes == (0, 10, 15, 20, 30)
    assert DEFAULT_SETTINGS.cutoff_minutes == 30
    assert DEFAULT_SETTINGS.replace(catchment_minutes=45).cutoff_minutes == 45
