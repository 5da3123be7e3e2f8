"""Map classes and French labels: what a planner reads in a legend."""

import math

import pytest

from maillage.maps.classes import NO_DATA_LABEL, classify, diverging_classes, fixed_classes
from maillage.maps.folium_coverage import minutes_label, time_classes
from maillage.maps.labels import ages_label, fr_number, opening_label, protect_count

RATIOS = [0.0, 0.0, 8.2, 11.0, 15.5, 23.0, 31.4, 55.4, 67.0, float("nan")]


def test_fisher_jenks_classes_read_as_french_ranges_of_places_per_100_children():
    classes = classify(RATIOS, k=5, unit="places pour 100 enfants")
    assert len(classes.labels) == len(classes.colors) >= 3
    assert all(label.endswith(" places pour 100 enfants") for label in classes.labels)
    assert "de 0 à 16 places pour 100 enfants" in classes.labels  # breaks rounded to units
    assert classes.edges == sorted(classes.edges)
    for value in RATIOS[:-1]:
        i = classes.index(value)
        assert classes.edges[i] <= value <= classes.edges[i + 1]


def test_communes_without_places_get_a_class_of_their_own():
    classes = classify(RATIOS, k=5, unit="places pour 100 enfants", zero_label="aucune place")
    assert classes.labels[0] == "aucune place"
    assert classes.label(0.0) == "aucune place"
    assert classes.label(8.2) != "aucune place"


def test_a_commune_without_value_is_shown_as_no_data_in_grey():
    classes = classify(RATIOS, unit="places pour 100 enfants")
    assert classes.label(float("nan")) == NO_DATA_LABEL
    assert classes.color(None) == classes.no_data_color
    assert classes.no_data_color not in classes.colors


def test_quantile_scheme_is_accepted_and_a_single_value_gives_one_class():
    assert len(classify(RATIOS, k=4, scheme="Quantiles").labels) >= 3
    single = classify([12.0, 12.0], unit="places pour 100 enfants")
    assert single.labels == ["12 places pour 100 enfants"]


def test_access_time_classes_follow_the_ctg_thresholds():
    classes = time_classes()
    assert classes.label(12) == "de 10 à 15 min"
    assert classes.label(45) == "plus de 30 min"
    assert classes.label(math.inf) == "plus de 30 min"
    assert minutes_label(math.inf) == "non joignable"
    assert minutes_label(float("nan")).startswith("hors registre")
    assert fixed_classes([0, 5], unit="km", open_ended=False).labels == ["de 0 à 5 km"]


def test_calamane_opening_is_a_gain_and_no_loss_class_is_drawn():
    change = diverging_classes([0.0, 0.0, 55.4], unit="places pour 100 enfants")
    assert change.label(0.0) == "inchangé"
    assert change.label(55.4).startswith("hausse de")
    assert not any(label.startswith("baisse") for label in change.labels)
    both = diverging_classes([-10.0, 0.0, 4.0], unit="places")
    assert both.label(-10.0).startswith("baisse de") and both.label(4.0).startswith("hausse")


@pytest.mark.parametrize("value,expected", [(3, "< 5"), (4.6, "< 5"), (0, "0"), (12.4, "12"),
                                            (float("nan"), "")])
def test_small_child_counts_are_published_as_less_than_five(value, expected):
    assert protect_count(value, 5) == expected


def test_french_number_and_popup_wording():
    assert fr_number(12345.67, 1) == "12\u202f345,7"
    assert fr_number(float("nan")) == "–"
    assert ages_label(3, 12) == "3 à 12 ans"
    assert ages_label(float("nan"), 17) == "jusqu'à 17 ans"
    assert opening_label("mercredis;vacances") == "mercredis, vacances scolaires"
