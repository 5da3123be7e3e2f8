"""Catchment sums and ratios, normalisation and combined scores (PySAL ``access``'s family).

- :func:`weighted_catchment`: places (or facilities) within reach of each origin, weighted
  by a decay: cumulative opportunities with a step, a gravity potential with a power decay;
- :func:`fca_ratio`: the simple floating-catchment ratio, places within reach of an origin
  over the children within reach of that same origin;
- ``normalize=True`` divides by the children-weighted mean (:func:`.normalise.normalised`).

Inputs follow :mod:`maillage.analysis.fca`: ``demand`` by origin id, ``supply`` by
destination id, ``cost`` origins × destinations in minutes (``inf`` = unreachable), a decay
spec ``weights`` (None = step 1 within ``threshold``, a dict of steps, ``("gaussian", σ)``,
``("gravity", scale, alpha, min_minutes)`` or a function of minutes).
"""

from __future__ import annotations

import pandas as pd

from maillage.errors import InputError

from .arguments import frame, series
from .fca import Weights, _aligned, _ratio, _weight_matrix
from .normalise import normalised


def weighted_catchment(supply: pd.Series, cost: pd.DataFrame, threshold: float | None = None,
                       weights: Weights = None, *, normalize: bool = False,
                       demand: pd.Series | None = None) -> pd.Series:
    """Places within reach of each origin, weighted by the decay: ``A_i = Σ_j W_ij S_j``.

    With ``weights=None`` it is the cumulative-opportunities measure (places within
    ``threshold`` minutes); with a gravity decay, the gravity potential (Hansen 1959).
    Same numbers as ``access.Access.weighted_catchment``.

    Parameters
    ----------
    supply : pandas.Series
        Places (or 1 per facility to count facilities) by destination id.
    cost : pandas.DataFrame
        Travel times, minutes, origins × destinations (``inf`` = unreachable).
    threshold : float or None
        Catchment limit, minutes (inclusive); None = no limit.
    weights : decay spec, optional
        None = 1 within the catchment (see :mod:`maillage.analysis.fca`).
    normalize : bool
        Divide by the children-weighted mean (needs ``demand``), as ``access``.
    demand : pandas.Series, optional
        Children by origin; required with ``normalize``.

    Returns
    -------
    pandas.Series
        Weighted places within reach, by origin (places; 0 when nothing is in reach).

    Examples
    --------
    >>> import pandas as pd
    >>> cost = pd.DataFrame({"alsh_catus": [5.0, 12.0], "alsh_cahors": [25.0, 15.0]},
    ...                     index=["Catus", "Calamane"])
    >>> weighted_catchment(pd.Series({"alsh_catus": 30, "alsh_cahors": 60}), cost, 20).tolist()
    [30.0, 90.0]
    """
    frame(cost)
    d = pd.Series(0.0, index=cost.index) if demand is None else demand
    _, s = _aligned(d, series(supply, "supply", "places"), cost)
    result = pd.Series(_weight_matrix(cost, threshold, weights) @ s, index=cost.index,
                       name="weighted_catchment")
    return normalised(result, _need_demand(demand, normalize)) if normalize else result


def fca_ratio(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
              threshold: float | None, *, demand_cost: pd.DataFrame | None = None,
              weights: Weights = None, normalize: bool = False) -> pd.Series:
    """Floating-catchment ratio: places within reach over children within reach, per origin.

    ``FCA_i = Σ_j W(t_ij) S_j / Σ_k W(n_ik) D_k``, where ``t`` are times from origins to
    facilities (``cost``) and ``n`` times between origins (``demand_cost``). This is
    ``access.Access.fca_ratio`` (Peng 1997's floating catchment): each origin compares the
    places and the children around itself, unlike 2SFCA which divides at each facility.

    Parameters
    ----------
    demand : pandas.Series
        Children by origin id (must cover ``cost.index``).
    supply : pandas.Series
        Places by destination id.
    cost : pandas.DataFrame
        Minutes, origins × facilities.
    threshold : float or None
        Catchment radius, minutes (inclusive).
    demand_cost : pandas.DataFrame, optional
        Minutes between origins (origins × origins); default: the columns of ``cost``
        that are origins (when facilities are located at origins, as in ``access``'s data).
    weights : decay spec, optional
        Applied to both sums (``access`` uses none here).
    normalize : bool
        Divide by the children-weighted mean, as ``access``'s ``normalize=True``.

    Returns
    -------
    pandas.Series
        Places per child around each origin (0 when no child is within reach).

    Examples
    --------
    Each village compares the places within 15 minutes of it with the children within 15 minutes
    of it (itself included):

    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 300.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 60.0, "alsh-catus": 40.0})
    >>> to_alsh = pd.DataFrame({"alsh-cahors": [2.0, 12.0, 25.0], "alsh-catus": [25.0, 10.0, 1.0]},
    ...                        index=children.index)
    >>> between = pd.DataFrame([[0.0, 12.0, 25.0], [12.0, 0.0, 10.0], [25.0, 10.0, 0.0]],
    ...                        index=children.index, columns=children.index)
    >>> fca_ratio(children, places, to_alsh, 15, demand_cost=between).round(3)
    Cahors      0.171
    Calamane    0.222
    Catus       0.267
    Name: fca, dtype: float64
    """
    d, s = _aligned(demand, supply, cost)
    if demand_cost is None:
        if not cost.index.isin(cost.columns).all():
            raise InputError("les temps entre origines sont nécessaires pour compter les enfants "
                             "à portée de chaque origine", column="demand_cost",
                             fix="passer demand_cost=matrice origines × origines (minutes)")
        demand_cost = cost.loc[:, cost.index]
    frame(demand_cost, "demand_cost")
    missing = cost.index.difference(demand_cost.index).union(
        cost.index.difference(demand_cost.columns))
    if len(missing):
        raise InputError(f"origine « {missing[0]} » absente de demand_cost",
                         column="demand_cost", fix="donner les temps entre toutes les origines")
    near = demand_cost.loc[cost.index, cost.index]
    places = _weight_matrix(cost, threshold, weights) @ s
    children = _weight_matrix(near, threshold, weights) @ d
    result = pd.Series(_ratio(places, children), index=cost.index, name="fca")
    return normalised(result, demand) if normalize else result


def _need_demand(demand, normalize: bool) -> pd.Series:
    if normalize and demand is None:
        raise InputError("la normalisation pondère par les enfants de chaque origine",
                         column="demand", fix="passer demand=enfants par origine")
    return demand
