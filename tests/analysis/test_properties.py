"""Properties of the indicators, checked on random small territories (hypothesis).

- Every indicator is invariant to the order of the rows it is given (communes, facilities,
  the rows and columns of the time matrix): places per 100 children, 2SFCA, coverage, time to
  nearest, the siting objective.
- Places per child are never negative.
- More supply never hurts: adding places at a site never lowers any origin's 2SFCA; adding a
  facility never raises anyone's time to the nearest one, so coverage within N minutes never
  drops; adding places to a commune's ALSH never lowers its places per 100 children.
- 2SFCA distributes places, it does not create them: Σ children × accessibility = the places
  of the sites someone reaches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.analysis.capacity import places_per_100_children
from maillage.analysis.coverage import coverage, time_to_nearest
from maillage.analysis.fca import enhanced_two_step_fca, two_step_fca
from maillage.analysis.siting import maximal_coverage, p_median

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

children = st.floats(min_value=0, max_value=500, allow_nan=False).map(lambda x: round(x, 1))
places = st.floats(min_value=0, max_value=120, allow_nan=False).map(lambda x: round(x, 1))
minutes = st.one_of(
    st.floats(min_value=0, max_value=60, allow_nan=False).map(lambda x: round(x, 2)),
    st.just(np.inf))


@st.composite
def catchments(draw, min_sites=1, max_sites=5):
    """Communes (children), sites (places) and a time matrix in minutes (``inf`` = no road)."""
    n = draw(st.integers(2, 8))
    m = draw(st.integers(min_sites, max_sites))
    origins = [f"460{i:02d}" for i in range(n)]
    sites = [f"alsh-{j}" for j in range(m)]
    demand = pd.Series(draw(st.lists(children, min_size=n, max_size=n)), index=origins)
    supply = pd.Series(draw(st.lists(places, min_size=m, max_size=m)), index=sites)
    cost = pd.DataFrame(np.array(draw(st.lists(minutes, min_size=n * m, max_size=n * m)),
                                 dtype=float).reshape(n, m), index=origins, columns=sites)
    return demand, supply, cost


@st.composite
def reorderings(draw, demand, supply, cost):
    rows = draw(st.permutations(list(cost.index)))
    cols = draw(st.permutations(list(cost.columns)))
    return (demand.reindex(draw(st.permutations(list(demand.index)))),
            supply.reindex(draw(st.permutations(list(supply.index)))),
            cost.loc[rows, cols])


# ------------------------------------------------------------------ floating catchment (2SFCA)


@SETTINGS
@given(data=st.data(), case=catchments(), threshold=st.sampled_from([10, 15, 20, 30]))
def test_two_step_fca_does_not_depend_on_row_order(data, case, threshold):
    demand, supply, cost = case
    shuffled = data.draw(reorderings(demand, supply, cost))
    base = two_step_fca(demand, supply, cost, threshold)
    again = two_step_fca(*shuffled, threshold)
    pd.testing.assert_series_equal(again.reindex(base.index), base, check_exact=False,
                                   rtol=1e-12, atol=1e-12)
    enhanced = enhanced_two_step_fca(demand, supply, cost, threshold)
    pd.testing.assert_series_equal(enhanced_two_step_fca(*shuffled, threshold)
                                   .reindex(enhanced.index), enhanced, check_exact=False,
                                   rtol=1e-12, atol=1e-12)


@SETTINGS
@given(case=catchments(), threshold=st.sampled_from([10, 20, 30, None]))
def test_places_per_child_are_never_negative_and_no_place_is_created(case, threshold):
    demand, supply, cost = case
    access = two_step_fca(demand, supply, cost, threshold)
    assert (access >= 0).all()
    within = np.isfinite(cost) & ((cost <= threshold) if threshold is not None else True)
    reached = (within.mul(demand, axis=0).sum(axis=0) > 0)
    assert (access * demand).sum() == pytest.approx(supply[reached].sum(), rel=1e-9, abs=1e-9)


@SETTINGS
@given(data=st.data(), case=catchments(), extra=st.floats(min_value=0.5, max_value=50),
       threshold=st.sampled_from([10, 20, 30]))
def test_adding_places_at_a_site_never_lowers_anyones_accessibility(data, case, extra,
                                                                     threshold):
    demand, supply, cost = case
    site = data.draw(st.sampled_from(list(supply.index)))
    grown = supply.copy()
    grown[site] += extra  # "Catus grows from 40 to 48 places"
    before = two_step_fca(demand, supply, cost, threshold)
    after = two_step_fca(demand, grown, cost, threshold)
    assert (after >= before - 1e-12).all()
    reached = (cost[site] <= threshold) & (demand > 0)
    if reached.any():
        assert (after[reached] > before[reached]).all()


# ------------------------------------------------------------------ coverage, time to nearest


@SETTINGS
@given(data=st.data(), case=catchments())
def test_coverage_and_time_to_nearest_do_not_depend_on_row_order(data, case):
    demand, supply, cost = case
    shuffled_demand, _, shuffled_cost = data.draw(reorderings(demand, supply, cost))
    times = time_to_nearest(cost)
    pd.testing.assert_series_equal(time_to_nearest(shuffled_cost).reindex(times.index), times)
    pd.testing.assert_frame_equal(coverage(time_to_nearest(shuffled_cost), shuffled_demand),
                                  coverage(times, demand), check_exact=False, rtol=1e-12)


@SETTINGS
@given(case=catchments(max_sites=4), new_site=st.lists(minutes, min_size=8, max_size=8))
def test_a_new_facility_never_lengthens_a_trip_nor_lowers_coverage(case, new_site):
    demand, supply, cost = case
    opened = cost.assign(**{"alsh-calamane": new_site[:len(cost)]})
    before, after = time_to_nearest(cost), time_to_nearest(opened)
    assert (after <= before).all()
    covered_before = coverage(before, demand)["population_within"]
    covered_after = coverage(after, demand)["population_within"]
    assert (covered_after >= covered_before - 1e-9).all()
    assert (coverage(after, demand)["origins_beyond"]
            <= coverage(before, demand)["origins_beyond"]).all()


# ------------------------------------------------------------------ places per 100 children


@st.composite
def registries(draw):
    """Communes with children of 3–11 and a registry of ALSH/EAJE with places and ages."""
    n = draw(st.integers(1, 6))
    codes = [f"460{i:02d}" for i in range(n)]
    communes = pd.DataFrame({
        "code": codes, "name": [f"Commune {c}" for c in codes],
        "epci": draw(st.lists(st.sampled_from(["200023737", "200039519"]), min_size=n,
                              max_size=n)),
        "pop_0_2": draw(st.lists(children, min_size=n, max_size=n)),
        "pop_3_5": draw(st.lists(children, min_size=n, max_size=n)),
        "pop_6_10": draw(st.lists(children, min_size=n, max_size=n)),
        "pop_11_17": draw(st.lists(children, min_size=n, max_size=n)),  # age 11 = 1/7
    }, index=codes)
    k = draw(st.integers(0, 7))
    facilities = pd.DataFrame({
        "kind": draw(st.lists(st.sampled_from(["alsh", "alsh", "eaje"]), min_size=k,
                              max_size=k)),
        "capacity": draw(st.lists(st.one_of(places, st.just(np.nan)), min_size=k, max_size=k)),
        "commune_code": draw(st.lists(st.sampled_from(codes + ["82121"]), min_size=k,
                                      max_size=k)),
        "age_min": draw(st.lists(st.sampled_from([np.nan, 0.0, 3.0, 6.0]), min_size=k,
                                 max_size=k)),
        "age_max": draw(st.lists(st.sampled_from([np.nan, 3.0, 12.0, 17.0]), min_size=k,
                                 max_size=k)),
        "opening": draw(st.lists(st.sampled_from(["mercredis;vacances", "vacances", ""]),
                                 min_size=k, max_size=k)),
    }, index=[f"f{i}" for i in range(k)])
    return communes, facilities


@SETTINGS
@given(data=st.data(), case=registries(), by=st.sampled_from(["commune", "epci", "territory"]),
       period=st.sampled_from([None, "mercredis"]))
def test_places_per_100_children_do_not_depend_on_row_order(data, case, by, period):
    communes, facilities = case
    shuffled_communes = communes.loc[data.draw(st.permutations(list(communes.index)))]
    shuffled_facilities = facilities.loc[data.draw(st.permutations(list(facilities.index)))]
    base = places_per_100_children(communes, facilities, kind="alsh", by=by, period=period)
    again = places_per_100_children(shuffled_communes, shuffled_facilities, kind="alsh", by=by,
                                    period=period)
    pd.testing.assert_frame_equal(again.loc[base.index], base, check_exact=False, rtol=1e-12)
    assert sorted(again.attrs["outside"]) == sorted(base.attrs["outside"])
    ratio = base["places_per_100_children"].dropna()
    assert (ratio >= 0).all()


@SETTINGS
@given(data=st.data(), case=registries(), extra=st.floats(min_value=1, max_value=40))
def test_adding_places_never_lowers_places_per_100_children(data, case, extra):
    communes, facilities = case
    code = data.draw(st.sampled_from(list(communes.index)))
    opened = pd.concat([facilities, pd.DataFrame(
        {"kind": ["alsh"], "capacity": [extra], "commune_code": [code], "age_min": [3.0],
         "age_max": [12.0], "opening": ["mercredis;vacances"]}, index=["alsh-nouveau"])])
    for by in ("commune", "epci", "territory"):
        before = places_per_100_children(communes, facilities, kind="alsh", by=by)
        after = places_per_100_children(communes, opened, kind="alsh", by=by)
        assert (after["places"] >= before["places"]).all()
        both = before["places_per_100_children"].notna()
        assert (after.loc[both, "places_per_100_children"]
                >= before.loc[both, "places_per_100_children"] - 1e-9).all()
    assert after["places"].sum() == pytest.approx(before["places"].sum() + extra)


# ------------------------------------------------------------------ siting


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), case=catchments(min_sites=2, max_sites=5),
       threshold=st.sampled_from([10, 20]))
def test_the_siting_objective_does_not_depend_on_row_order(data, case, threshold):
    demand, _, cost = case
    cost = cost.replace(np.inf, 999.0)  # p-median needs every child to reach some site
    _, _, shuffled_cost = data.draw(reorderings(demand, demand.iloc[:0], cost))
    shuffled_demand = demand.loc[shuffled_cost.index]
    p = data.draw(st.integers(1, len(cost.columns) - 1))
    covered = maximal_coverage(demand, cost, threshold, p).covered_demand
    again = maximal_coverage(shuffled_demand, shuffled_cost, threshold, p).covered_demand
    assert again == pytest.approx(covered, abs=1e-6)
    median = p_median(demand, cost, p).total_cost
    assert p_median(shuffled_demand, shuffled_cost, p).total_cost == pytest.approx(median,
                                                                                   rel=1e-6,
                                                                                   abs=1e-6)


# ------------------------------------------------------------------ timers: a new site never hurts


def _grid_graph():
    """A 6 × 6 grid of roads near Cahors (≈ 2 km spacing), D roads at 60 km/h, one-way
    links on one row so that times are not symmetric."""
    import networkx as nx

    graph = nx.MultiDiGraph(crs="EPSG:4326")
    step = 0.02
    for i in range(6):
        for j in range(6):
            graph.add_node(i * 6 + j, x=1.38 + j * step, y=44.40 + i * step)
    for i in range(6):
        for j in range(6):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < 6 and j + dj < 6:
                    u, v = i * 6 + j, (i + di) * 6 + j + dj
                    seconds = 2000 / (60 / 3.6)
                    graph.add_edge(u, v, length=2000.0, travel_time=seconds)
                    if not (i == 2 and di == 0):  # row 2 is one-way eastwards
                        graph.add_edge(v, u, length=2000.0, travel_time=seconds)
    return graph


points = st.lists(st.tuples(st.floats(1.385, 1.475), st.floats(44.405, 44.495)), min_size=1,
                  max_size=5)


def _gdf(coords, prefix):
    import geopandas as gpd

    return gpd.GeoDataFrame(geometry=gpd.points_from_xy([c[0] for c in coords],
                                                        [c[1] for c in coords]),
                            index=[f"{prefix}{i}" for i in range(len(coords))], crs="EPSG:4326")


@settings(max_examples=20, deadline=None, derandomize=True)
@given(origins=points, sites=points, new_site=points.map(lambda p: p[:1]))
def test_opening_a_site_never_lengthens_the_trip_to_the_nearest(origins, sites, new_site):
    from maillage.geo import NetworkTimer, StraightLineTimer

    communes, existing = _gdf(origins, "commune-"), _gdf(sites, "alsh-")
    opened = pd.concat([existing, _gdf(new_site, "nouveau-")])
    for timer in (NetworkTimer(_grid_graph()), StraightLineTimer()):
        before = timer.nearest(communes, existing)["minutes"]
        after = timer.nearest(communes, opened)["minutes"]
        assert (after <= before + 1e-9).all()
        matrix = timer.matrix(communes, opened)
        np.testing.assert_allclose(after.to_numpy(), matrix.min(axis=1).to_numpy(), rtol=1e-9)
        assert (matrix.to_numpy() >= 0).all()
