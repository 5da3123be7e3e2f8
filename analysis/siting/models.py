"""Exact siting models as mixed-integer programs solved by HiGHS.

Notation: demand points i (weights w_i, children), sites j (existing first, then
candidates), cost d_ij (minutes or metres), threshold T, places Q_j. ``y_j`` (binary) opens
candidate j; existing sites are open and free. Each builder takes ``fixed`` (0/1 per
candidate) to evaluate a given choice of sites with the same constraints (an LP).

- MCLP (Church & ReVelle 1974): max sum_i w_i z_i, z_i <= sum_{j: d_ij <= T} y_j,
  sum_j y_j = p; points already within T of an existing site are covered beforehand.
- Capacitated MCLP: max sum x_ij over arcs d_ij <= T, sum_j x_ij <= w_i,
  sum_i x_ij <= Q_j y_j, x_ij <= w_i y_j. Children of one demand point may be split
  between several sites (fractional assignment: children are individuals, the demand
  point is only their commune).
- p-median (ReVelle & Swain 1970): min sum w_i d_ij x_ij, sum_j x_ij = 1, x_ij <= y_j;
  a candidate farther than the nearest existing site is never used, so those arcs are dropped.
- Capacitated p-median: the same plus sum_i w_i x_ij <= Q_j y_j, full assignment required.
  With ``single=True`` each demand point goes to one site (x binary, spopt's PMedian with
  capacities); with ``fill=True`` existing sites are filled exactly to their places
  (spopt's ``fulfill_predefined_fac``).
- Set cover (LSCP, Toregas et al. 1971): min sum y_j, every point with children not
  within T of an existing site has sum_{j: d_ij <= T} y_j >= 1.
- Capacitated set cover (CLSCP-SO, spopt's LSCP with capacities): min sum y_j, every child
  assigned within T (split allowed), sum_i w_i x_ij <= Q_j y_j.
"""

from __future__ import annotations

import numpy as np

from .highs import INF, MipBuilder
from .instance import SitingInstance


def _site_variables(builder: MipBuilder, inst: SitingInstance, fixed, cost=0.0) -> np.ndarray:
    if fixed is None:
        return builder.variables(inst.n_candidates, cost, 0.0, 1.0, integer=True)
    fixed = np.asarray(fixed, dtype=float)
    return builder.variables(inst.n_candidates, cost, fixed, fixed)


def _cardinality(builder: MipBuilder, y: np.ndarray, p: int) -> None:
    if len(y):
        builder.rows(np.zeros(len(y)), y, 1.0, p, p, count=1)


def _links(builder, x_cols, y_cols, coef) -> None:
    """x - coef * y <= 0 for each pair (one row per pair)."""  # noqa: D403
    k = len(x_cols)
    builder.rows(np.r_[np.arange(k), np.arange(k)], np.r_[x_cols, y_cols],
                 np.r_[np.ones(k), -np.broadcast_to(coef, (k,))], -INF, 0.0, count=k)


def mclp_model(inst: SitingInstance, threshold: float, p: int, fixed=None):
    """Uncapacitated maximal coverage; returns (builder, y columns)."""
    ne = inst.n_existing
    reach = inst.within(threshold)[:, ne:]
    rows = np.flatnonzero(~inst.existing_reach(threshold) & reach.any(axis=1) & (inst.weights > 0))
    builder = MipBuilder()
    y = _site_variables(builder, inst, fixed)
    z = builder.variables(len(rows), inst.weights[rows], 0.0, 1.0)
    r, c = np.nonzero(reach[rows])
    builder.rows(np.r_[np.arange(len(rows)), r], np.r_[z, y[c]],
                 np.r_[np.ones(len(rows)), -np.ones(len(r))], -INF, 0.0, count=len(rows))
    _cardinality(builder, y, p)
    return builder, y


def _capacity_rows(builder, inst: SitingInstance, x, arc_sites, load, y) -> None:
    """sum_i load * x_ij <= Q_j (existing) or <= Q_j y_j (candidates)."""
    ne, m = inst.n_existing, len(inst.site_ids)
    cand = np.arange(inst.n_candidates)
    builder.rows(np.r_[arc_sites, ne + cand], np.r_[x, y],
                 np.r_[load, -inst.capacity[ne:]], -INF,
                 np.r_[inst.capacity[:ne], np.zeros(m - ne)])


def capacitated_mclp_model(inst: SitingInstance, threshold: float, p: int, fixed=None,
                           floor: float | None = None):
    """Capacitated maximal coverage; returns (builder, y columns, x columns, arcs).

    With ``floor`` (children), the model instead minimises child-minutes among flows that
    serve at least ``floor`` children: the nearest assignment of an optimal coverage.
    """
    ne, w = inst.n_existing, inst.weights
    r, c = np.nonzero(inst.within(threshold) & (w[:, None] > 0))
    builder = MipBuilder()
    y = _site_variables(builder, inst, fixed)
    cost = 1.0 if floor is None else inst.cost[r, c]
    x = builder.variables(len(r), cost, 0.0, w[r])
    builder.rows(r, x, 1.0, -INF, w)
    _capacity_rows(builder, inst, x, c, np.ones(len(r)), y)
    cand = np.flatnonzero(c >= ne)
    _links(builder, x[cand], y[c[cand] - ne], w[r[cand]])
    _cardinality(builder, y, p)
    if floor is not None:
        builder.rows(np.zeros(len(x)), x, 1.0, floor, INF, count=1)
    return builder, y, x, (r, c)


def _assign_all(builder: MipBuilder, active: np.ndarray, r: np.ndarray, x: np.ndarray) -> None:
    """sum_j x_ij = 1 for every demand point with children (x = fractions of its children)."""
    rows = np.flatnonzero(active)
    position = np.full(len(active), -1)
    position[rows] = np.arange(len(rows))
    builder.rows(position[r], x, 1.0, 1.0, 1.0, count=len(rows))


def p_median_model(inst: SitingInstance, p: int, fixed=None):
    """Uncapacitated p-median; returns (builder, y columns)."""
    ne, d, w = inst.n_existing, inst.cost, inst.weights
    active = w > 0
    best_existing = d[:, :ne].min(axis=1) if ne else np.full(len(w), np.inf)
    useful = (d[:, ne:] < best_existing[:, None]) & np.isfinite(d[:, ne:]) & active[:, None]
    r_c, c_c = np.nonzero(useful)
    r_e = np.flatnonzero(np.isfinite(best_existing) & active)
    c_e = d[r_e, :ne].argmin(axis=1) if ne else np.zeros(0, dtype=int)
    r = np.r_[r_e, r_c]
    c = np.r_[c_e, c_c + ne]
    builder = MipBuilder()
    y = _site_variables(builder, inst, fixed)
    x = builder.variables(len(r), w[r] * d[r, c], 0.0, 1.0)
    _assign_all(builder, active, r, x)
    cand = np.flatnonzero(c >= ne)
    _links(builder, x[cand], y[c[cand] - ne], 1.0)
    _cardinality(builder, y, p)
    return builder, y


def capacitated_p_median_model(inst: SitingInstance, p: int, fixed=None, *,
                               single: bool = False, fill: bool = False):
    """Capacitated p-median; returns (builder, y columns, x columns, arcs).

    ``single``: each demand point is served by one site (x binary); ``fill``: existing
    sites serve exactly their places.
    """
    ne, d, w = inst.n_existing, inst.cost, inst.weights
    active = w > 0
    r, c = np.nonzero(np.isfinite(d) & active[:, None])
    builder = MipBuilder()
    y = _site_variables(builder, inst, fixed)
    x = builder.variables(len(r), w[r] * d[r, c], 0.0, 1.0, integer=single)
    _assign_all(builder, active, r, x)
    _capacity_rows(builder, inst, x, c, w[r], y)
    if fill and ne:
        at = np.flatnonzero(c < ne)
        builder.rows(c[at], x[at], w[r[at]], inst.capacity[:ne], inst.capacity[:ne], count=ne)
    cand = np.flatnonzero(c >= ne)
    _links(builder, x[cand], y[c[cand] - ne], 1.0)
    _cardinality(builder, y, p)
    return builder, y, x, (r, c)


def set_cover_model(inst: SitingInstance, threshold: float):
    """Location set covering; returns (builder, y columns)."""
    ne = inst.n_existing
    reach = inst.within(threshold)[:, ne:]
    need = np.flatnonzero((inst.weights > 0) & ~inst.existing_reach(threshold))
    builder = MipBuilder()
    y = builder.variables(inst.n_candidates, 1.0, 0.0, 1.0, integer=True)
    r, c = np.nonzero(reach[need])
    builder.rows(r, y[c], 1.0, 1.0, INF, count=len(need))
    return builder, y


def capacitated_set_cover_model(inst: SitingInstance, threshold: float, fixed=None):
    """Capacitated set cover; returns (builder, y columns, x columns, arcs)."""
    ne, w = inst.n_existing, inst.weights
    active = w > 0
    r, c = np.nonzero(inst.within(threshold) & active[:, None])
    builder = MipBuilder()
    if fixed is None:
        y = builder.variables(inst.n_candidates, 1.0, 0.0, 1.0, integer=True)
    else:
        y = _site_variables(builder, inst, fixed, cost=1.0)
    x = builder.variables(len(r), 0.0, 0.0, 1.0)
    _assign_all(builder, active, r, x)
    _capacity_rows(builder, inst, x, c, w[r], y)
    cand = np.flatnonzero(c >= ne)
    _links(builder, x[cand], y[c[cand] - ne], 1.0)
    return builder, y, x, (r, c)
