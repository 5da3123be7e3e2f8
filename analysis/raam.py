"""Rational agent access model (RAAM, Saxon & Snow 2020), as PySAL ``access`` computes it.

Children (agents) choose the facility that minimises travel plus congestion: the cost of
going from origin i to facility j is ``t_ij / τ + D_j / (ρ S_j)``, where ``D_j`` is the demand
that chose j, ``S_j`` its places and ρ the territory's children per place. Starting from the
nearest facility, demand is moved, origin by origin, from its most to its least costly
facility until nobody gains by moving; the RAAM value of an origin is the mean cost its
children bear. It is a *cost*: lower means better access, 1 ≈ one τ of travel or a facility
exactly as congested as the territory on average.

The iteration (step sizes halving every ``half_life`` cycles, whole children moved, the
first cycles damped so that attractive facilities are not mobbed) follows ``access.raam``
so that both give the same numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maillage.errors import InputError

from .arguments import count, number, optional_number
from .fca import _aligned

#: Cycles during which moves towards one facility are scaled down to its places.
DAMPED_CYCLES = 20


def _cycle_moves(assignment, supply, travel, demand, cycle, initial_step, min_step, half_life):
    """One cycle: (total cost matrix, min locations, max locations, children moved per origin)."""
    rows = np.arange(len(demand))
    at_supply = assignment.sum(axis=0)
    total = at_supply / supply + travel
    chosen = np.where(assignment != 0, total, -np.inf)
    worst = chosen.argmax(axis=1)
    best = total.argmin(axis=1)
    s_best, s_worst = supply[best], supply[worst]
    a_best, a_worst = assignment[rows, best], assignment[rows, worst]
    others_best = at_supply[best] - a_best
    others_worst = at_supply[worst] - a_worst
    with np.errstate(invalid="ignore"):
        balanced = (s_best * s_worst / (s_best + s_worst)) * (
            travel[rows, worst] - travel[rows, best]
            + (a_best + a_worst + others_worst) / s_worst - others_best / s_best)
    move = np.minimum(balanced - a_best, a_worst)
    move = np.where(worst == best, 0.0, move)
    if isinstance(initial_step, float):
        step = max(initial_step * 0.5 ** (cycle / half_life), min_step)
        move = np.trunc(np.minimum(move, step * demand))
    else:
        step = max(int(np.round(initial_step * 0.5 ** (cycle / half_life))), min_step)
        move = np.trunc(np.minimum(move, step))
    if cycle < DAMPED_CYCLES:
        towards = np.zeros_like(travel)
        towards[rows, best] = move
        crowd = np.maximum(towards.sum(axis=0) / supply, 1.0)
        move = np.round(towards / crowd).sum(axis=1)
    return total, best, worst, move


def raam(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame, *, tau: float = 60.0,
         rho: float | None = None, max_cycles: int = 150, initial_step: float = 0.2,
         half_life: float = 50, min_step: float = 0.005) -> pd.Series:
    """Rational agent access model: the travel-plus-congestion cost children bear.

    Parameters
    ----------
    demand : pandas.Series
        Children by origin id (must cover ``cost.index``).
    supply : pandas.Series
        Places by facility id (columns of ``cost``).
    cost : pandas.DataFrame
        Travel times, minutes, origins × facilities (``inf`` = unreachable).
    tau : float
        Travel time (minutes) worth as much as a facility congested at the territory's
        mean ratio of children per place (default 60).
    rho : float, optional
        Children per place that counts as "as congested as average"; default the territory's
        total children ÷ total places.
    max_cycles : int
        Number of reallocation cycles.
    initial_step : float or int
        A float < 1: share of an origin's children that may move in the first cycle; an int:
        number of children.
    half_life : float
        Cycles after which the step is halved.
    min_step : float
        Smallest step (share or children).

    Returns
    -------
    pandas.Series
        RAAM cost per origin (no unit, in τ; lower is better). Origins without children get
        the cost one child would bear there (its cheapest facility at the final congestion);
        origins reaching no facility get ``inf``.

    Raises
    ------
    InputError
        No places, or no facility within reach of some children.

    Examples
    --------
    Children of Catus share a less crowded centre next door; those of Cahors bear the crowding of
    theirs (costs in τ, lower is better):

    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 300.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 60.0, "alsh-catus": 40.0})
    >>> to_alsh = pd.DataFrame({"alsh-cahors": [2.0, 12.0, 25.0], "alsh-catus": [25.0, 10.0, 1.0]},
    ...                        index=children.index)
    >>> raam(children, places, to_alsh).round(3)
    Cahors      1.144
    Calamane    1.000
    Catus       0.850
    Name: raam, dtype: float64
    """
    d, s = _aligned(demand, supply, cost)
    tau = number(tau, "tau", minimum=0, strict=True, unit="minutes")
    rho = optional_number(rho, "rho", minimum=0, strict=True)
    max_cycles = count(max_cycles, "max_cycles")
    half_life = number(half_life, "half_life", minimum=0, strict=True)
    min_step = number(min_step, "min_step", minimum=0)
    if isinstance(initial_step, bool) or not isinstance(initial_step, (int, float)):
        raise InputError(f"« initial_step » doit être un nombre, pas {initial_step!r}",
                         fix="donner une part (0,2) ou un nombre entier d'enfants")
    agents = d > 0
    open_ = s > 0
    if not open_.any():
        raise InputError("aucune place : le modèle RAAM n'a rien à répartir",
                         fix="donner l'offre (places) des équipements")
    travel_all = cost.to_numpy(dtype=float)[:, open_] / tau
    stranded = agents & ~np.isfinite(travel_all).any(axis=1)
    if stranded.any():
        raise InputError(f"« {cost.index[np.flatnonzero(stranded)[0]]} » n'atteint aucun "
                         f"équipement : le modèle RAAM suppose que chacun peut choisir",
                         fix="retirer ces origines ou calculer les temps sans limite")
    rho = d.sum() / s.sum() if rho is None else rho
    places = s[open_] * rho
    children = d[agents]
    travel = travel_all[agents]
    rows = np.arange(len(children))
    assignment = np.zeros_like(travel)
    assignment[rows, travel.argmin(axis=1)] = children
    total = travel + assignment.sum(axis=0) / places
    for cycle in range(max_cycles):
        total, best, worst, move = _cycle_moves(assignment, places, travel, children, cycle,
                                                initial_step, min_step, half_life)
        assignment[rows, best] += move
        assignment[rows, worst] -= move
    borne = np.where(assignment != 0, total * assignment, 0.0).sum(axis=1)
    result = np.full(len(d), np.nan)
    result[agents] = borne / assignment.sum(axis=1)
    congestion = assignment.sum(axis=0) / places
    result[~agents] = (travel_all[~agents] + congestion).min(axis=1)
    return pd.Series(result, index=cost.index, name="raam")
