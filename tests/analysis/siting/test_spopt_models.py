"""p-center, p-dispersion, backup coverage, capacitated set cover, single assignment and
"existing sites must be filled": the same objective values as spopt on spopt's own examples.

The synthetic instances are built as spopt's ``tests/conftest.py`` builds them (spaghetti's
10 × 10 regular lattice, clients simulated with seed 5 and facilities with seed 6, network
distances); the schools example reads the CSV files spopt ships with its tests, in place.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.siting import (
    backup_coverage,
    p_center,
    p_dispersion,
    p_median,
    set_cover,
)
from maillage.errors import InputError, SolverError

spopt_locate = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def cbc():
    return pulp.PULP_CBC_CMD(msg=False)


@functools.cache
def network_instance(client_count, facility_count):
    """spopt's ``network_instance`` fixture: network distances clients × facilities
    (facilities × facilities when ``client_count`` is None)."""
    spaghetti = pytest.importorskip("spaghetti")
    import geopandas

    from spopt.locate.util import simulated_geo_points

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lattice = spaghetti.regular_lattice((0, 0, 10, 10), 9, exterior=True)
        network = spaghetti.Network(in_data=lattice)
        arcs = spaghetti.element_as_gdf(network, arcs=True)
        street = geopandas.GeoDataFrame(geopandas.GeoSeries(arcs.buffer(0.2).union_all()),
                                        crs=arcs.crs, columns=["geometry"])
        facilities = simulated_geo_points(street, needed=facility_count, seed=6)
        network.snapobservations(facilities, "facilities", attribute=True)
        if client_count:
            clients = simulated_geo_points(street, needed=client_count, seed=5)
            network.snapobservations(clients, "clients", attribute=True)
            source = network.pointpatterns["clients"]
        else:
            source = network.pointpatterns["facilities"]
        return network.allneighbordistances(sourcepattern=source,
                                            destpattern=network.pointpatterns["facilities"])


def frames(weights, distances, prefix="f"):
    cost = pd.DataFrame(distances, columns=[f"{prefix}{j}" for j in range(distances.shape[1])])
    return pd.Series(np.asarray(weights, dtype=float), index=cost.index), cost


@pytest.fixture(scope="module")
def clients_100():
    distances = network_instance(100, 5)
    weights = np.random.default_rng(12).integers(1, 12, 100)
    return weights, distances


@pytest.fixture(scope="module")
def schools():
    """spopt's schools example: 10 students × 74 schools (minutes, 10 000 when no journey),
    capacities ``Count``, the 7 priority-1 schools predefined, p = 10 schools in all."""
    folder = Path(spopt_locate.__file__).parent.parent / "tests" / "test_locate" / "data"
    journeys = folder / "example_subject_student_school_journeys.csv"
    if not journeys.is_file():
        pytest.skip("spopt's schools example is not installed with spopt")
    times = pd.read_csv(journeys).pivot_table(columns="school", fill_value=10000,
                                              index="student", sort=False, values="time")
    cost = times.astype(int).to_numpy()
    students = pd.read_csv(folder / "example_subject_students.csv")
    table = pd.read_csv(folder / "example_subject_schools.csv")
    priority = np.array(table[table["priority"] == 1].index.tolist())
    return np.ones(len(students)), cost, table["Count"].to_numpy(), priority


# --- p-center ------------------------------------------------------------------------------


def test_p_center_equals_spopt(clients_100, cbc):
    weights, distances = clients_100
    theirs = spopt_locate.PCenter.from_cost_matrix(distances, p_facilities=4).solve(cbc)
    ours = p_center(*frames(weights, distances), 4)
    # CBC prints its continuous W to 8 significant digits.
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-7)
    assert len(ours.selected) == 4 and ours.optimal


def test_p_center_with_existing_sites_equals_spopt_predefined(clients_100, cbc):
    weights, distances = clients_100
    theirs = spopt_locate.PCenter.from_cost_matrix(
        distances, p_facilities=3, predefined_facilities_arr=np.array([0, 0, 1, 0, 0]))
    theirs.solve(cbc)
    ours = p_center(*frames(weights, distances), 2, existing=["f2"])
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-7)


def test_p_center_with_nothing_to_open_is_a_solver_error(clients_100):
    with pytest.raises(SolverError, match="p = 0"):
        p_center(*frames(*clients_100), 0)


# --- p-dispersion --------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2, 3, 4])
def test_p_dispersion_equals_spopt(cbc, p):
    distances = network_instance(None, 5)
    theirs = spopt_locate.PDispersion.from_cost_matrix(distances, p).solve(cbc)
    cost = pd.DataFrame(distances, index=[f"f{j}" for j in range(5)],
                        columns=[f"f{j}" for j in range(5)])
    ours = p_dispersion(cost, p)
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-7)
    assert len(ours.selected) == p


def test_p_dispersion_with_an_existing_site_equals_spopt_predefined(cbc):
    distances = network_instance(None, 5)
    theirs = spopt_locate.PDispersion.from_cost_matrix(
        distances, 3, predefined_facilities_arr=np.array([1, 0, 0, 0, 0])).solve(cbc)
    ids = [f"f{j}" for j in range(5)]
    ours = p_dispersion(pd.DataFrame(distances, index=ids, columns=ids), 2, existing=["f0"])
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-7)


def test_p_dispersion_needs_a_square_site_matrix(clients_100):
    with pytest.raises(InputError, match="sites × sites"):
        p_dispersion(frames(*clients_100)[1], 2)


# --- backup coverage (LSCP-B) --------------------------------------------------------------


@pytest.mark.parametrize("radius", [8.0, 10.0, 12.0])
def test_backup_coverage_equals_spopt_up_to_its_single_site_clients(clients_100, cbc, radius):
    """spopt counts a client with fewer than two sites in reach as backed up; we do not:
    its objective is ours plus the number of such clients (unit weights, as spopt)."""
    _, distances = clients_100
    theirs = spopt_locate.LSCPB.from_cost_matrix(distances, radius, cbc).solve()
    ours = backup_coverage(*frames(np.ones(100), distances), radius)
    single = int(((distances <= radius).sum(axis=1) < 2).sum())
    assert ours.objective + single == pytest.approx(theirs.problem.objective.value())
    assert len(ours.selected) == theirs.lscp_obj_value
    assert ours.covered_demand == 100


# --- capacitated set cover (CLSCP-SO) ------------------------------------------------------


@pytest.mark.parametrize(("radius", "places"), [(8, [5, 15]), (8, [15, 5]), (7, [8, 8])])
def test_capacitated_set_cover_equals_spopt(cbc, radius, places):
    distances = network_instance(5, 2)
    need = np.arange(1, 6)
    theirs = spopt_locate.LSCP.from_cost_matrix(
        distances, radius, facility_capacity_arr=np.array(places),
        demand_quantity_arr=need).solve(cbc)
    demand, cost = frames(need, distances)
    ours = set_cover(demand, cost, radius, capacity=dict(zip(cost.columns, places)))
    assert ours.count == pytest.approx(theirs.problem.objective.value())
    served = ours.flows.groupby("site")["children"].sum()
    assert (served <= pd.Series(dict(zip(cost.columns, places))).reindex(served.index)).all()


# --- capacitated p-median: single assignment, existing sites filled ------------------------


def test_single_assignment_equals_spopt_capacitated_example(cbc):
    """spopt's test_c_p_median: 2 clients (4 and 10), 3 sites (5, 7, 10 places), p = 2."""
    distances = network_instance(2, 3)
    places = np.array([5, 7, 10])
    need = np.array([4, 10])
    theirs = spopt_locate.PMedian.from_cost_matrix(distances, need, p_facilities=2,
                                                   facility_capacities=places).solve(cbc)
    demand, cost = frames(need, distances)
    capacity = dict(zip(cost.columns, places))
    single = p_median(demand, cost, 2, capacity=capacity, assignment="single")
    split = p_median(demand, cost, 2, capacity=capacity)
    assert single.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-9)
    assert single.objective == pytest.approx(102.38, abs=0.01)
    assert split.objective == pytest.approx(89.69, abs=0.01)  # children split between sites
    assert single.flows.groupby("demand_point").size().max() == 1


@pytest.mark.parametrize("fill", [True, False])
def test_existing_sites_filled_equals_spopt_schools_example(schools, cbc, fill):
    """spopt's schools example: mean time 87.2 min with the priority schools filled,
    81.6 without (10 students, 10 schools of which the 7 priority ones)."""
    need, minutes, places, priority = schools
    theirs = spopt_locate.PMedian.from_cost_matrix(
        minutes, need, 10, predefined_facilities_arr=priority, facility_capacities=places,
        fulfill_predefined_fac=fill).solve(cbc)
    demand, cost = frames(need, minutes, prefix="school-")
    existing = [cost.columns[j] for j in priority]
    ours = p_median(demand, cost, 10 - len(existing), existing=existing,
                    capacity=dict(zip(cost.columns, places)), assignment="single",
                    fill_existing=fill)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())
    assert ours.objective / demand.sum() == pytest.approx(87.2 if fill else 81.6)


def test_existing_sites_that_cannot_be_filled_are_an_error(schools):
    need, minutes, places, _ = schools
    demand, cost = frames(need, minutes, prefix="school-")
    big = list(cost.columns[np.argsort(places)[::-1][:8]])
    with pytest.raises(SolverError, match="remplir"):
        p_median(demand, cost, 1, existing=big, capacity=dict(zip(cost.columns, places)),
                 fill_existing=True)
    with pytest.raises(InputError, match="capacity"):
        p_median(demand, cost, 1, existing=big[:1], fill_existing=True)


def test_capacitated_p_median_with_nothing_to_open_is_a_solver_error(schools):
    need, minutes, places, _ = schools
    demand, cost = frames(need, minutes, prefix="school-")
    with pytest.raises(SolverError):
        p_median(demand, cost, 0, capacity=dict(zip(cost.columns, places)))
