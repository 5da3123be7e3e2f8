"""Our HiGHS models reach the same objective values as spopt on spopt's own test instances.

Two instances, as spopt's tests build them:
- the synthetic one: clients and facilities scattered on the streets of a 10 × 10 lattice
  (lines every unit, spaghetti's ``regular_lattice((0, 0, 10, 10), 9, exterior=True)``),
  network distances, weights 1–11; re-created here deterministically with our own RNG;
- the San Francisco one: 205 census tracts × 16 candidate stores, network metres, tract
  population as weights (the CSV files spopt ships with its tests, read in place).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from maillage.analysis.siting import maximal_coverage, p_median, set_cover
from maillage.errors import SolverError

spopt_locate = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def cbc():
    """CBC through PuLP, as spopt's own tests solve (an independent solver from ours)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False)


def lattice_instance(n_clients: int, n_facilities: int, seed: int):
    """Clients and facilities on the unit-spaced streets of a 10 × 10 lattice.

    Returns (weights, cost DataFrame clients × facilities in street distance units).
    """
    rng = np.random.default_rng(seed)
    size = 10
    node = lambda x, y: x * (size + 1) + y  # noqa: E731
    edges = [(node(x, y), node(x + 1, y)) for x in range(size) for y in range(size + 1)]
    edges += [(node(x, y), node(x, y + 1)) for x in range(size + 1) for y in range(size)]
    n_points = n_clients + n_facilities
    on_edge = rng.integers(0, len(edges), n_points)
    offset = rng.uniform(0.0, 1.0, n_points)
    first_point = (size + 1) ** 2
    rows, cols, lengths = [], [], []
    for e, (u, v) in enumerate(edges):
        here = np.flatnonzero(on_edge == e)
        here = here[np.argsort(offset[here])]
        chain = [u, *(first_point + here), v]
        positions = [0.0, *offset[here], 1.0]
        for a, b, pa, pb in zip(chain, chain[1:], positions, positions[1:]):
            rows.append(a)
            cols.append(b)
            lengths.append(max(pb - pa, 1e-12))
    graph = sp.csr_matrix((lengths, (rows, cols)), shape=(first_point + n_points,) * 2)
    clients = first_point + np.arange(n_clients)
    facilities = first_point + n_clients + np.arange(n_facilities)
    distances = dijkstra(graph, directed=False, indices=clients)[:, facilities]
    weights = rng.integers(1, 12, n_clients).astype(float)
    return weights, distances


def as_frames(weights, distances):
    cost = pd.DataFrame(distances, columns=[f"f{j}" for j in range(distances.shape[1])])
    return pd.Series(weights, index=cost.index), cost


@pytest.fixture(scope="module")
def lattice():
    return lattice_instance(100, 5, seed=5)


@pytest.fixture(scope="module")
def lattice_20():
    return lattice_instance(100, 20, seed=6)


@pytest.fixture(scope="module")
def san_francisco():
    folder = Path(spopt_locate.__file__).parent.parent / "tests" / "test_locate" / "data"
    distances = folder / "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
    tracts = folder / "SF_demand_205_centroid_uniform_weight.csv"
    if not distances.is_file() or not tracts.is_file():
        pytest.skip("spopt's San Francisco test data is not installed with spopt")
    table = pd.read_csv(distances).pivot_table(
        values="distance", index="DestinationName", columns="name")
    population = pd.read_csv(tracts).sort_values("NAME")["POP2000"].to_numpy(dtype=float)
    return population, table.to_numpy()


INSTANCES = ["lattice", "lattice_20", "san_francisco"]
RADIUS = {"lattice": 7.0, "lattice_20": 4.0, "san_francisco": 5000.0}
COVER_RADIUS = {"lattice": 9.0, "lattice_20": 5.0, "san_francisco": 5000.0}


@pytest.mark.parametrize("name", INSTANCES)
def test_maximal_coverage_equals_spopt(name, request, cbc):
    weights, distances = request.getfixturevalue(name)
    theirs = spopt_locate.MCLP.from_cost_matrix(distances, weights, RADIUS[name], 4)
    theirs.solve(cbc)
    ours = maximal_coverage(*as_frames(weights, distances), RADIUS[name], 4)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())
    assert ours.optimal


@pytest.mark.parametrize("name", INSTANCES)
def test_p_median_equals_spopt(name, request, cbc):
    weights, distances = request.getfixturevalue(name)
    theirs = spopt_locate.PMedian.from_cost_matrix(distances, weights, 4)
    theirs.solve(cbc)
    ours = p_median(*as_frames(weights, distances), 4)
    assert ours.total_cost == pytest.approx(theirs.problem.objective.value(), rel=1e-9)


@pytest.mark.parametrize("name", INSTANCES)
def test_set_cover_equals_spopt(name, request, cbc):
    weights, distances = request.getfixturevalue(name)
    theirs = spopt_locate.LSCP.from_cost_matrix(distances, COVER_RADIUS[name])
    theirs.solve(cbc)
    ours = set_cover(*as_frames(np.ones_like(weights), distances), COVER_RADIUS[name])
    assert ours.count == pytest.approx(theirs.problem.objective.value())


def test_set_cover_infeasible_for_both_when_a_client_is_too_far(lattice, cbc):
    weights, distances = lattice
    with pytest.raises(RuntimeError, match="Infeasible"):
        spopt_locate.LSCP.from_cost_matrix(distances, 8.0).solve(cbc)
    with pytest.raises(SolverError, match="relever le seuil à au moins 9"):
        set_cover(*as_frames(weights, distances), 8.0)


def test_existing_sites_match_spopt_predefined_facilities(lattice_20, cbc):
    weights, distances = lattice_20
    predefined = np.zeros(distances.shape[1], dtype=int)
    predefined[[1, 4, 9]] = 1
    mclp = spopt_locate.MCLP.from_cost_matrix(distances, weights, 4.0, 5,
                                              predefined_facilities_arr=predefined)
    mclp.solve(cbc)
    median = spopt_locate.PMedian.from_cost_matrix(distances, weights, 5,
                                                   predefined_facilities_arr=predefined)
    median.solve(cbc)
    demand, cost = as_frames(weights, distances)
    existing = ["f1", "f4", "f9"]
    # spopt's p counts the predefined facilities; ours counts new sites only.
    ours = maximal_coverage(demand, cost, 4.0, 2, existing=existing)
    assert ours.objective == pytest.approx(mclp.problem.objective.value())
    assert not set(ours.selected) & set(existing)
    ours = p_median(demand, cost, 2, existing=existing)
    assert ours.objective == pytest.approx(median.problem.objective.value(), rel=1e-9)


def test_fractional_capacitated_p_median_never_costs_more_than_spopt(lattice_20, cbc):
    """spopt assigns each client to one facility; we may split it, so we cost at most as much."""
    weights, distances = lattice_20
    places = np.full(distances.shape[1], weights.sum() / 3)
    theirs = spopt_locate.PMedian.from_cost_matrix(distances, weights, 4,
                                                   facility_capacities=places)
    theirs.solve(cbc)
    demand, cost = as_frames(weights, distances)
    ours = p_median(demand, cost, 4, capacity=dict(zip(cost.columns, places)))
    assert ours.total_cost <= theirs.problem.objective.value() + 1e-6
    served = ours.flows.groupby("site")["children"].sum()
    assert (served <= weights.sum() / 3 + 1e-6).all()
