"""Partitions with a halo give the whole territory's results, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.analysis import (
    indicators_by,
    make_partitions,
    merge_partitions,
    run_partition,
    whole_territory,
)
from maillage.errors import InputError

from .national_case import MINUTES, case


@pytest.fixture(scope="module")
def territory():
    return case()


def _run(partitions):
    results = [run_partition(p) for p in partitions]
    pairs = pd.concat([r.pairs["france_services"] for r in results], ignore_index=True)
    return merge_partitions(results), pairs.sort_values(["origin", "destination"],
                                                        ignore_index=True)


def test_partitions_equal_the_whole_territory_bit_for_bit(territory):
    road, origins, services = territory
    parts = make_partitions(road, origins, services, MINUTES, pairs_kinds=["france_services"])
    assert [p.name for p in parts] == ["01", "02", "03"]
    assert all(p.road.n_nodes < road.n_nodes for p in parts)  # each is a real cut
    split, split_pairs = _run(parts)
    whole, whole_pairs = _run([whole_territory(road, origins, services, MINUTES,
                                               pairs_kinds=["france_services"])])
    pd.testing.assert_frame_equal(split, whole, check_exact=True)
    pd.testing.assert_frame_equal(split_pairs, whole_pairs, check_exact=True)
    # Not a vacuous equality: some times are finite, some beyond the threshold.
    minutes = whole["minutes_eaje"]
    assert np.isfinite(minutes).sum() > 50 and np.isinf(minutes).sum() > 0
    assert len(whole_pairs) > 50 and (whole_pairs["minutes"] <= MINUTES).all()


def test_a_halo_too_narrow_changes_results(territory):
    # The halo is what makes partitions exact: cut it to 1 km and times change.
    road, origins, services = territory
    parts = make_partitions(road, origins, services, MINUTES, pairs_kinds=["france_services"])
    narrow = make_partitions(road, origins, services, 1.0, pairs_kinds=["france_services"])
    for part in narrow:
        part.minutes = MINUTES
    assert not _run(narrow)[0].equals(_run(parts)[0])


def test_indicators_weigh_population_and_say_when_unknown(territory):
    road, origins, services = territory
    table = merge_partitions([run_partition(whole_territory(road, origins, services, MINUTES))])
    by_dep = indicators_by(table, "departement", ["france_services", "eaje"], MINUTES)
    assert by_dep["population_known"].tolist() == [True, True, False]
    one = table[table["departement"] == "01"]
    inside = one["minutes_france_services"] <= MINUTES
    expected = one["population"][inside].sum() / one["population"].sum()
    assert by_dep.loc["01", "share_france_services"] == pytest.approx(expected)
    three = table[table["departement"] == "03"]
    assert by_dep.loc["03", "share_eaje"] == pytest.approx(
        (three["minutes_eaje"] <= MINUTES).mean())
    # The mean over the origins within the threshold stays readable where some are beyond.
    time_, people = one["minutes_france_services"], one["population"]
    assert by_dep.loc["01", "minutes_within_france_services"] == pytest.approx(
        (time_[inside] * people[inside]).sum() / people[inside].sum())
    assert (by_dep["minutes_within_france_services"] <= MINUTES).all()
    beyond = by_dep["minutes_france_services"] == np.inf
    assert beyond.any() and np.isfinite(by_dep.loc[beyond, "minutes_within_france_services"]).all()


def test_an_origin_in_two_partitions_is_refused(territory):
    road, origins, services = territory
    result = run_partition(whole_territory(road, origins.iloc[:5], services, MINUTES))
    with pytest.raises(InputError, match="deux partitions"):
        merge_partitions([result, result])
