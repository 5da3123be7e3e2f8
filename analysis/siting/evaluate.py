"""What a given set of open sites achieves: children covered, assignment, child-minutes.

Used for exact and greedy choices alike, so both are measured the same way. Uncapacitated
models assign each demand point to its nearest open site; capacitated ones solve the
assignment LP with the sites fixed, then pick, among flows reaching that coverage, the one
with the fewest child-minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .instance import SitingInstance
from .models import capacitated_mclp_model, capacitated_p_median_model


@dataclass
class Evaluation:
    """Outcome of a set of open sites (see :class:`maillage.analysis.siting.SitingResult`)."""

    covered_demand: float
    assignment: pd.Series
    total_cost: float
    flows: pd.DataFrame | None = None


def _empty_assignment(inst: SitingInstance) -> pd.Series:
    return pd.Series(np.nan, index=inst.demand_ids, dtype=object, name="site")


def _nearest(inst: SitingInstance, open_sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cost = np.where(open_sites[None, :], inst.cost, np.inf)
    if not open_sites.any():
        return np.full(len(inst.weights), -1), np.full(len(inst.weights), np.inf)
    j = cost.argmin(axis=1)
    return j, cost[np.arange(len(j)), j]


def _weighted_cost(inst: SitingInstance, minutes: np.ndarray) -> float:
    active = inst.weights > 0
    return float(inst.weights[active] @ minutes[active])


def evaluate_uncapacitated(inst: SitingInstance, open_sites: np.ndarray,
                           threshold: float | None) -> Evaluation:
    """Nearest open site of every demand point; coverage within ``threshold`` when given.

    ``total_cost`` is the demand-weighted cost to the nearest open site (``inf`` when a
    point with children reaches none).
    """
    j, best = _nearest(inst, open_sites)
    limit = np.inf if threshold is None else threshold
    served = np.isfinite(best) & (best <= limit)
    assignment = _empty_assignment(inst)
    ids = np.asarray(inst.site_ids, dtype=object)
    assignment.iloc[np.flatnonzero(served)] = ids[j[served]]
    return Evaluation(
        covered_demand=float(inst.weights[served].sum()),
        assignment=assignment,
        total_cost=_weighted_cost(inst, best),
    )


def _flows_frame(inst, values, arcs, load) -> pd.DataFrame:
    r, c = arcs
    children = values * load
    keep = children > 1e-9
    return pd.DataFrame({
        "demand_point": inst.demand_ids[r[keep]],
        "site": np.asarray(inst.site_ids, dtype=object)[c[keep]],
        "children": children[keep],
        "cost": inst.cost[r[keep], c[keep]],
    })


def _from_flows(inst: SitingInstance, flows: pd.DataFrame) -> Evaluation:
    assignment = _empty_assignment(inst)
    if len(flows):
        main = flows.sort_values(["children", "cost"], ascending=[False, True])
        main = main.drop_duplicates("demand_point").set_index("demand_point")["site"]
        assignment.loc[main.index] = main.to_numpy()
    return Evaluation(
        covered_demand=float(flows["children"].sum()),
        assignment=assignment,
        total_cost=float((flows["children"] * flows["cost"]).sum()),
        flows=flows.reset_index(drop=True),
    )


def evaluate_capacitated_coverage(inst: SitingInstance, open_candidates: np.ndarray,
                                  threshold: float) -> Evaluation:
    """Children served within ``threshold`` by the open sites within their places.

    ``total_cost`` is the child-minutes (or child-metres) of the children served.
    """
    p = int(open_candidates.sum())
    builder, _, _, _ = capacitated_mclp_model(inst, threshold, p, fixed=open_candidates)
    best = builder.solve(maximize=True).objective
    builder, _, x, arcs = capacitated_mclp_model(inst, threshold, p, fixed=open_candidates,
                                                 floor=best * (1 - 1e-9))
    values = builder.solve(maximize=False).values[x]
    return _from_flows(inst, _flows_frame(inst, values, arcs, np.ones(len(x))))


def evaluate_capacitated_assignment(inst: SitingInstance, open_candidates: np.ndarray, *,
                                    single: bool = False, fill: bool = False) -> Evaluation:
    """Every child assigned to an open site within its places, fewest child-minutes.

    ``single``: one site per demand point; ``fill``: existing sites filled to their places.

    Raises
    ------
    SolverError
        The open sites have too few places for every child.
    """
    p = int(open_candidates.sum())
    builder, _, x, arcs = capacitated_p_median_model(inst, p, fixed=open_candidates,
                                                     single=single, fill=fill)
    values = builder.solve(maximize=False).values[x]
    return _from_flows(inst, _flows_frame(inst, values, arcs, inst.weights[arcs[0]]))
