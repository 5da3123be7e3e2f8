"""Normalised measures and combined scores, as PySAL ``access``'s ``normalize`` and ``score``.

An access measure in places per child (or RAAM cost) is hard to compare across services;
divided by its children-weighted mean it reads "1 = the territory's average", and several
services can then be weighed into one score.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from maillage.errors import InputError

from .arguments import number, series


def normalised(values: pd.Series, demand: pd.Series) -> pd.Series:
    """A measure divided by its children-weighted mean: 1 = the territory's average.

    ``values_i / (Σ_k D_k values_k / Σ_k D_k)``, as ``access``'s ``normalize=True``.
    Missing values count as 0 in the mean (``access`` skips them in the numerator only).

    Parameters
    ----------
    values : pandas.Series
        An access measure by origin (places per child, weighted places, RAAM cost…).
    demand : pandas.Series
        Children by origin (covers ``values.index``).

    Returns
    -------
    pandas.Series
        The measure relative to its average (no unit).

    Raises
    ------
    InputError
        No children, or a mean of 0 (nothing to compare to).

    Examples
    --------
    >>> import pandas as pd
    >>> places = pd.Series({"Cahors": 3.0, "Calamane": 1.0, "Catus": 1.0})
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 100.0, "Catus": 200.0})
    >>> normalised(places, children).round(3)
    Cahors      2.000
    Calamane    0.667
    Catus       0.667
    dtype: float64
    """
    series(values, "values", "mesure d'accès")
    series(demand, "demand", "enfants")
    missing = values.index.difference(demand.index)
    if len(missing):
        raise InputError(f"pas d'enfants pour « {missing[0]} »", column="demand",
                         fix="donner une demande pour chaque origine de la mesure")
    weights = pd.to_numeric(demand.reindex(values.index), errors="coerce").fillna(0.0)
    mean = float((values.fillna(0.0) * weights).sum() / weights.sum()) if weights.sum() else 0.0
    if not mean or not np.isfinite(mean):
        raise InputError("moyenne pondérée nulle : la mesure ne peut pas être normalisée",
                         fix="vérifier que des enfants ont accès à une offre")
    return values / mean


def combined_score(measures: Mapping[str, pd.Series] | pd.DataFrame,
                   weights: Mapping[str, float], demand: pd.Series) -> pd.Series:
    """Weighted sum of normalised measures, as ``access.Access.score``.

    Each measure is first divided by its children-weighted mean (:func:`normalised`), then
    ``score_i = Σ_k w_k × measure_k,i / mean_k``.

    Parameters
    ----------
    measures : mapping of name to Series, or DataFrame
        Access measures by origin (e.g. ``{"alsh": …, "eaje": …}``).
    weights : mapping of name to float
        Weight of each measure, e.g. ``{"alsh": 0.8, "eaje": 0.2}``.
    demand : pandas.Series
        Children by origin.

    Returns
    -------
    pandas.Series
        The combined score (no unit; 1 = average when the weights add up to 1).

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 100.0, "Catus": 200.0})
    >>> measures = {"alsh": pd.Series({"Cahors": 3.0, "Calamane": 1.0, "Catus": 1.0}),
    ...             "eaje": pd.Series({"Cahors": 1.0, "Calamane": 1.0, "Catus": 2.0})}
    >>> combined_score(measures, {"alsh": 0.5, "eaje": 0.5}, children).round(3)
    Cahors      1.333
    Calamane    0.667
    Catus       1.000
    Name: score, dtype: float64
    """
    table = measures if isinstance(measures, pd.DataFrame) else pd.DataFrame(dict(measures))
    if not isinstance(weights, Mapping) or not weights:
        raise InputError(f"poids du score invalides : {weights!r}", column="weights",
                         fix="donner un dict {mesure: poids}, par ex. {'alsh': 0.8, 'eaje': 0.2}")
    unknown = [k for k in weights if k not in table.columns]
    if unknown:
        raise InputError(f"mesure « {unknown[0]} » inconnue pour le score", column="weights",
                         fix="choisir parmi " + ", ".join(map(str, table.columns)))
    score = sum(number(w, f"poids de {k}") * normalised(table[k], demand)
                for k, w in weights.items())
    return score.rename("score")
