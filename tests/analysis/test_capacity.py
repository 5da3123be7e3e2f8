"""Places per 100 children: hand-computed cases from the Grand Cahors documents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.capacity import AGE_BANDS, AgeBand, band_share, places_per_100_children
from maillage.errors import InputError

NaT = pd.NaT


def communes():
    """Three communes of two EPCI, children by census band."""
    return pd.DataFrame(
        {"code": ["46042", "46046", "46064"], "name": ["Cahors", "Calamane", "Catus"],
         "epci": ["200023737", "200023737", "200035327"],
         "epci_name": ["Grand Cahors", "Grand Cahors", "Autre"],
         "pop_0_2": [500.0, 10.0, 30.0], "pop_3_5": [400.0, 20.0, 40.0],
         "pop_6_10": [600.0, 30.0, 60.0], "pop_11_17": [900.0, 50.0, 90.0]},
    ).set_index("code", drop=False)


def facilities():
    """Croix-de-Fer grows 110 → 130 in 2024; Calamane opens April 2025 (20 places);
    a holiday-only ALSH for 11–17 in Catus; a crèche and a MAM in Cahors.
    Ages as the registry writes them: "3 à 12 ans" = [3, 12)."""
    rows = [
        ("croix-110", "alsh", "46042", 110, 3, 12, "mercredis;vacances", NaT, "2023-12-31"),
        ("croix-130", "alsh", "46042", 130, 3, 12, "mercredis;vacances", "2024-01-01", NaT),
        ("calamane", "alsh", "46046", 20, 3, 12, "mercredis;vacances", "2025-04-01", NaT),
        ("catus-ados", "alsh", "46064", 12, 11, 17, "vacances", NaT, NaT),
        ("creche", "eaje", "46042", 45, 0.21, 3, "semaine", NaT, NaT),
        ("mam", "mam", "46042", 12, 0, 3, "semaine", NaT, NaT),
        ("rpe", "rpe", "46042", np.nan, np.nan, np.nan, "semaine", NaT, NaT),
    ]
    frame = pd.DataFrame(rows, columns=["id", "kind", "commune_code", "capacity", "age_min",
                                        "age_max", "opening", "valid_from", "valid_to"])
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    return frame.set_index("id", drop=False)


def test_alsh_per_commune_2025_with_calamane():
    table = places_per_100_children(communes(), facilities(), kind="alsh", at="2025-06-01")
    # Children 3–11 = 3–5 + 6–10 + the 11-year-olds (1/7 of 11–17).
    # Cahors: 130 places / (400 + 600 + 900/7) children.
    assert table.loc["46042", "places_per_100_children"] == pytest.approx(
        100 * 130 / (400 + 600 + 900 / 7))
    # Calamane: 20 / (20 + 30 + 50/7) = 35 per 100.
    assert table.loc["46046", "places_per_100_children"] == pytest.approx(35.0)
    # Catus, ALSH 11–17 (ages [11, 17), 6 years): one year in [3, 12) → 12 × 1/6 = 2 places
    # over 100 children = 2 per 100.
    assert table.loc["46064", "places"] == pytest.approx(2.0)
    assert table.loc["46064", "name"] == "Catus"


def test_2020_against_2025_from_one_registry():
    before = places_per_100_children(communes(), facilities(), by="epci", at="2020-06-01")
    after = places_per_100_children(communes(), facilities(), by="epci", at="2025-06-01")
    # Grand Cahors 2020: 110 places; 2025: 150 places for 1,050 + 950/7 children aged 3–11.
    assert before.loc["200023737", "places"] == 110
    assert after.loc["200023737", "places_per_100_children"] == pytest.approx(
        100 * 150 / (1050 + 950 / 7))
    assert after.loc["200023737", "name"] == "Grand Cahors"


def test_wednesday_offer_excludes_holiday_only_alsh():
    table = places_per_100_children(communes(), facilities(), kind="alsh_12_17",
                                    by="territory", period="mercredis")
    # The only 12–17 place offer (Catus, holidays only) is not a Wednesday offer.
    assert table.loc["territoire", "places"] == 0
    holidays = places_per_100_children(communes(), facilities(), kind="alsh_12_17",
                                       by="territory", period="vacances")
    # Catus ALSH 11–17: 5 of its 6 years are in [12, 18) → 10 places; Croix-de-Fer and
    # Calamane (3–12) none. Children 11–17: 900 + 50 + 90 = 1,040.
    assert holidays.loc["territoire", "places"] == pytest.approx(10.0)
    assert holidays.loc["territoire", "children"] == 1040


def test_caf_coverage_rate_counts_eaje_mam_and_assmat():
    towns = communes().assign(places_assmat=[100.0, 0.0, 6.0])
    table = places_per_100_children(towns, facilities(), kind="eaje")
    # Cahors: 45 (crèche) + 12 (MAM) + 100 (assistantes maternelles) = 157 over 500 → 31.4.
    assert table.loc["46042", "places_per_100_children"] == pytest.approx(31.4)
    # Catus: 6 assmat places over 30 children → 20 per 100; the RPE holds no places.
    assert table.loc["46064", "places_per_100_children"] == pytest.approx(20.0)


def test_drees_split_under_6_and_6_11():
    # Croix-de-Fer [3, 12) (9 years): 3 years under 6 → 130/3; 6 years 6–11 → 130·2/3.
    under6 = places_per_100_children(communes(), facilities(), kind="alsh_moins_6",
                                     at="2024-06-01")
    assert under6.loc["46042", "places"] == pytest.approx(130 / 3)
    six11 = places_per_100_children(communes(), facilities(), kind="alsh_6_11", at="2024-06-01")
    # Catus [11, 17): age 11 is one of 6 years in [6, 12) → 2 places.
    assert six11.loc["46064", "places"] == pytest.approx(2.0)


def test_band_table_is_overridable():
    bands = {"alsh": AgeBand(("alsh",), ("pop_6_10",), (6, 11), "ALSH 6-10 ans")}
    table = places_per_100_children(communes(), facilities(), bands=bands, at="2025-06-01")
    # Calamane [3, 12): 5 years in [6, 11) of 9 → 20 × 5/9 over 30 children.
    assert table.loc["46046", "places_per_100_children"] == pytest.approx(100 * 20 * 5 / 9 / 30)
    assert set(AGE_BANDS) >= {"alsh", "eaje", "alsh_moins_6", "alsh_6_11", "alsh_12_17"}


def test_missing_ages_take_the_band_ages():
    frame = facilities().assign(age_min=np.nan, age_max=np.nan)
    assert band_share(frame, AGE_BANDS["alsh"]).eq(1.0).all()


def test_unknown_capacity_is_listed_not_counted_as_zero():
    frame = facilities()
    frame.loc["calamane", "capacity"] = np.nan
    table = places_per_100_children(communes(), frame, at="2025-06-01")
    assert table.attrs["capacity_unknown"] == ["calamane"]
    assert table.loc["46046", "capacity_unknown"] == 1
    assert table.loc["46046", "places"] == 0
    frame.loc["calamane", "capacity"] = -3
    with pytest.raises(InputError, match="calamane"):
        places_per_100_children(communes(), frame, at="2025-06-01")


def test_unknown_period_kind_or_grouping_is_an_input_error():
    with pytest.raises(InputError, match="période"):
        places_per_100_children(communes(), facilities(), period="dimanche")
    with pytest.raises(InputError, match="indicateur"):
        places_per_100_children(communes(), facilities(), kind="piscine")
    with pytest.raises(InputError, match="regroupement"):
        places_per_100_children(communes(), facilities(), by="canton")


def test_facility_outside_the_communes_is_listed_not_counted():
    frame = facilities()
    frame.loc["calamane", "commune_code"] = "82121"
    table = places_per_100_children(communes(), frame, by="territory", at="2025-06-01")
    assert table.attrs["outside"] == ["calamane"]
    assert table.loc["territoire", "places"] == pytest.approx(130 + 2)


def test_grand_cahors_alsh_places_2020_against_2025_from_the_embedded_registry(monkeypatch):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    from maillage.layers import load_territory

    lot = load_territory("lot", epci="200023737")
    before = places_per_100_children(lot, kind="alsh", by="epci", at="2020-06-01")
    after = places_per_100_children(lot, kind="alsh", by="epci", at="2025-06-01")
    # 2020: Catus 40 + Croix-de-Fer 110 + Terre-Rouge 40 = 190 (Saint-Géry-Vers: unknown).
    # 2025: Catus 48 + Croix-de-Fer 130 + Terre-Rouge 48 + Le Montat 20 + Calamane 20 = 266.
    assert before.loc["200023737", "places"] == 190
    assert after.loc["200023737", "places"] == 266
    assert after.attrs["capacity_unknown"] == ["gc-alsh-saint-gery-vers"]
    assert after.loc["200023737", "capacity_unknown"] == 1
