"""Halo, subgraph and long-format pairs: the pieces a partitioned run is made of."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.errors import InputError
from maillage.geo import (
    halo_metres,
    max_straight_speed_kmh,
    pairs_within,
    subgraph,
    synthetic_road_graph,
    travel_time_matrix,
)

from ..analysis.national_case import case


@pytest.fixture(scope="module")
def territory():
    return case(n_origins=60, spacing_m=3000.0)


def test_the_halo_is_the_threshold_at_the_fastest_straight_line_speed():
    road = synthetic_road_graph((560_000, 6_360_000, 600_000, 6_400_000), spacing_m=2000)
    # National roads at 110 km/h, bends × 1.2: no arc goes straight faster than 110 / 1.2.
    assert max_straight_speed_kmh(road) == pytest.approx(110 / 1.2, rel=1e-9)
    assert halo_metres(30, road) == pytest.approx(0.5 * 110 / 1.2 * 1000)
    assert halo_metres(30, max_speed_kmh=10) == pytest.approx(10_000)  # access legs: 20 km/h
    with pytest.raises(InputError, match="seuil"):
        halo_metres(0, road)


def test_a_subgraph_keeps_ids_and_weights_exactly(territory):
    road = territory[0]
    keep = road.x < np.median(road.x)
    part = subgraph(road, keep)
    assert part.n_nodes == keep.sum()
    assert np.array_equal(part.node_ids, road.node_ids[keep])
    inner = road.matrix[np.flatnonzero(keep)][:, np.flatnonzero(keep)]
    assert (part.matrix != inner).nnz == 0


def test_pairs_are_the_finite_cells_of_the_matrix_in_any_block_size(territory):
    road, origins, services = territory
    sites = services["eaje"][["geometry"]]
    dense = travel_time_matrix(road, origins, sites, cutoff=15, check_components=False)
    rows, cols = np.nonzero(np.isfinite(dense.to_numpy()))
    expected = pd.DataFrame({"origin": pd.array(dense.index[rows], dtype="str"),
                             "destination": pd.array(dense.columns[cols], dtype="str"),
                             "minutes": dense.to_numpy()[rows, cols]})
    assert len(expected) > 15
    for max_cells in (1, 7, 100, 10**9):  # blocks of destinations (fewer than origins)
        got = pairs_within(road, origins, sites, 15, max_cells=max_cells, check_components=False)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # More destinations than origins: blocks of origins, same pairs.
    few = origins.iloc[:5]
    got = pairs_within(road, few, sites, 15, max_cells=40, check_components=False)
    pd.testing.assert_frame_equal(got, expected[expected["origin"].isin(few.index)]
                                  .reset_index(drop=True), check_exact=True)
