"""Equity of access across communes: Gini, Palma, share of people under the median.

Values are per-commune indicators (places per 100 children, 2SFCA places per child …) and
weights the people they concern (children of the band). Everyone in a commune is taken to
have the commune's value, so the Lorenz curve is piecewise linear between communes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maillage.errors import InputError

from .coverage import weighted_quantile


def _clean(values: pd.Series, weights: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    missing = values.index.difference(weights.index)
    if len(missing):
        raise InputError(f"pas de population pour « {missing[0]} »",
                         fix="donner une population pour chaque commune")
    w = pd.to_numeric(weights.reindex(values.index), errors="coerce").to_numpy(dtype=float)
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(x) & np.isfinite(w) & (w > 0)
    if (x[keep] < 0).any():
        raise InputError("une valeur négative ne peut pas entrer dans un indice d'inégalité",
                         fix="utiliser un indicateur positif ou nul (places par enfant)")
    return x[keep], w[keep]


def lorenz(values: pd.Series, weights: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Population-weighted Lorenz curve.

    Returns
    -------
    (population_share, value_share) : two arrays from (0, 0) to (1, 1), communes sorted by
    increasing value. Communes without people or with a missing value are left out.
    """
    x, w = _clean(values, weights)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    held = x * w
    if w.sum() <= 0 or held.sum() <= 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0])
    return (np.r_[0.0, np.cumsum(w) / w.sum()], np.r_[0.0, np.cumsum(held) / held.sum()])


def gini(values: pd.Series, weights: pd.Series) -> float:
    """Population-weighted Gini coefficient (0 = every child has the same value, →1 = all in one).

    ``G = 1 − Σ_k (p_k − p_{k−1}) (L_k + L_{k−1})`` on the Lorenz curve, which equals
    ``Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ)``.

    Parameters
    ----------
    values : pandas.Series
        The indicator per area (e.g. places per 100 children), any unit ≥ 0.
    weights : pandas.Series
        People per area (e.g. children), same index as ``values``.

    Returns
    -------
    float
        The Gini coefficient, from 0 (equal) to 1 (all in one area).

    Examples
    --------
    >>> import pandas as pd
    >>> places_per_100 = pd.Series({"Cahors": 12.0, "Calamane": 0.0, "Catus": 40.0})
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> round(gini(places_per_100, children), 3)
    0.196
    """
    p, share = lorenz(values, weights)
    return float(1.0 - np.sum(np.diff(p) * (share[1:] + share[:-1])))


def palma(values: pd.Series, weights: pd.Series) -> float:
    """Palma ratio: share held by the best-served 10 % of people over the worst-served 40 %.

    Read on the (interpolated) Lorenz curve: ``(1 − L(0.9)) / L(0.4)``; ``inf`` when the
    worst-served 40 % have nothing.

    Parameters
    ----------
    values : pandas.Series
        The indicator per area (e.g. places per 100 children), any unit ≥ 0.
    weights : pandas.Series
        People per area (e.g. children), same index as ``values``.

    Returns
    -------
    float
        The Palma ratio (1 = the top 10 % hold as much as the bottom 40 %).

    Examples
    --------
    >>> import pandas as pd
    >>> places_per_100 = pd.Series({"Cahors": 12.0, "Calamane": 0.0, "Catus": 40.0})
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> round(palma(places_per_100, children), 3)
    0.85
    """
    p, share = lorenz(values, weights)
    bottom = float(np.interp(0.4, p, share))
    top = 1.0 - float(np.interp(0.9, p, share))
    return np.inf if bottom <= 0 else top / bottom


def share_below(values: pd.Series, weights: pd.Series, reference: float | None = None) -> float:
    """Share of people living in a commune whose value is strictly below ``reference``.

    ``reference`` defaults to the population-weighted median of ``values`` (pass the
    département's median to compare an EPCI with its département).
    """
    x, w = _clean(values, weights)
    if w.sum() <= 0:
        return np.nan
    if reference is None:
        reference = weighted_quantile(x, w, 0.5)
    return float(w[x < reference].sum() / w.sum())


def equity_summary(values: pd.Series, weights: pd.Series,
                   reference: float | None = None) -> pd.Series:
    """Gini, Palma, median and share below the median of a per-commune indicator.

    Parameters
    ----------
    values : pandas.Series
        Indicator by commune (e.g. places per 100 children).
    weights : pandas.Series
        People by commune (children of the band).
    reference : float, optional
        Median to compare with (the département's); default the weighted median of ``values``.

    Returns
    -------
    pandas.Series
        ``gini``, ``palma``, ``median`` (unit of ``values``), ``share_below_median`` (0–1).

    Examples
    --------
    >>> import pandas as pd
    >>> places_per_100 = pd.Series({"Cahors": 12.0, "Calamane": 0.0, "Catus": 40.0})
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> equity_summary(places_per_100, children).round(3)
    gini                   0.196
    palma                  0.850
    median                12.000
    share_below_median     0.043
    dtype: float64
    """
    x, w = _clean(values, weights)
    median = weighted_quantile(x, w, 0.5) if reference is None else reference
    return pd.Series({"gini": gini(values, weights), "palma": palma(values, weights),
                      "median": median,
                      "share_below_median": share_below(values, weights, median)})
