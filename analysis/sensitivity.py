"""Sensitivity: how each headline indicator moves when the threshold or the decay changes.

A COPIL conclusion ("Calamane's children are under-served") should not depend on whether
the catchment is 15 or 20 minutes. :func:`sensitivity` recomputes the headline indicators
for each threshold (decay fixed at the baseline) and each decay (threshold fixed at the
baseline) and returns a tidy table with the change from the baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maillage.settings import DEFAULT_SETTINGS

from .coverage import time_to_nearest
from .equity import gini
from .fca import E2SFCA_STEPS, Weights, decay_description, two_step_fca

#: Thresholds tried by default, minutes (:class:`DiagnosticSettings`).
THRESHOLDS = DEFAULT_SETTINGS.thresholds
#: Decays tried by default (French label → spec).
DECAYS: dict[str, Weights] = {
    "sans décroissance": None,
    "paliers 10/20/30 min (1 ; 0,68 ; 0,22)": E2SFCA_STEPS,
    "gaussienne σ = 10 min": ("gaussian", 10),
}

ACCESS = "places accessibles pour 100 enfants (moyenne pondérée)"
NO_OFFER = "part des enfants sans place accessible"
WITHIN = "part des enfants à moins du seuil d'un équipement"
GINI = "indice de Gini de l'accessibilité"


def headline_indicators(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                        threshold: float, weights: Weights = None) -> pd.Series:
    """The accessibility headline figures for one threshold and decay.

    Parameters
    ----------
    demand, supply, cost, threshold, weights
        As :func:`maillage.analysis.fca.two_step_fca` (children, places, minutes).

    Returns
    -------
    pandas.Series
        Indexed by French indicator label: mean accessible places per 100 children
        (children-weighted 2SFCA × 100), share of children with no accessible place (0–1),
        share of children within ``threshold`` of a facility with places (0–1), Gini of the
        2SFCA values across origins.
    """
    access = two_step_fca(demand, supply, cost, threshold, weights)
    children = demand.reindex(cost.index).astype(float)
    total = children.sum()
    offered = supply[supply > 0].index.intersection(cost.columns)
    nearest = time_to_nearest(cost[offered])
    return pd.Series({
        ACCESS: 100 * float((access * children).sum() / total) if total > 0 else np.nan,
        NO_OFFER: float(children[access <= 0].sum() / total) if total > 0 else np.nan,
        WITHIN: float(children[nearest <= threshold].sum() / total) if total > 0 else np.nan,
        GINI: gini(access, children),
    })


def sensitivity(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame, *,
                baseline_threshold: float = DEFAULT_SETTINGS.catchment_minutes,
                baseline_weights: Weights = None,
                thresholds=THRESHOLDS, decays: dict[str, Weights] | None = None) -> pd.DataFrame:
    """Headline indicators under each threshold and each decay, against a baseline.

    Parameters
    ----------
    demand : pandas.Series
        Children by origin id (as :func:`maillage.analysis.fca.two_step_fca`).
    supply : pandas.Series
        Places by destination id (columns of ``cost``).
    cost : pandas.DataFrame
        Travel times, minutes, origins × destinations.
    baseline_threshold : float
        Threshold of the baseline, minutes (default 20).
    baseline_weights : decay spec
        Decay of the baseline (default none: a plain 2SFCA).
    thresholds : iterable of float
        Thresholds to try, minutes.
    decays : dict of label → decay spec, optional
        Decays to try (default :data:`DECAYS`).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``parameter`` ("seuil" | "décroissance"), ``setting`` (French label),
        ``threshold`` (minutes), ``indicator`` (French label), ``value``, ``baseline``,
        ``change`` (value − baseline, in the indicator's unit).

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 120.0, "alsh-catus": 40.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [5.0, 12.0, 25.0],
    ...                         "alsh-catus": [25.0, 14.0, 3.0]}, index=children.index)
    >>> table = sensitivity(children, places, minutes, thresholds=(10, 20), decays={})
    >>> table.loc[table["indicator"] == ACCESS, ["threshold", "value", "change"]].round(2)
       threshold  value  change
    0         10  13.91     0.0
    4         20  13.91     0.0
    """
    decays = DECAYS if decays is None else decays
    baseline = headline_indicators(demand, supply, cost, baseline_threshold, baseline_weights)
    runs = [("seuil", f"{t:g} min", t, baseline_weights) for t in thresholds]
    runs += [("décroissance", label, baseline_threshold, spec) for label, spec in decays.items()]
    rows = []
    for parameter, setting, threshold, spec in runs:
        values = headline_indicators(demand, supply, cost, threshold, spec)
        for indicator, value in values.items():
            rows.append({"parameter": parameter, "setting": setting, "threshold": threshold,
                         "indicator": indicator, "value": value,
                         "baseline": baseline[indicator],
                         "change": value - baseline[indicator]})
    table = pd.DataFrame(rows)
    table.attrs["baseline"] = (f"seuil {baseline_threshold:g} min, "
                               f"{decay_description(baseline_weights)}")
    return table
