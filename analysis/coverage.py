"""Coverage: who lives within N minutes of the nearest service, and who does not.

Inputs are a Series of minutes to the nearest service per origin (commune) and a Series of
people (children or inhabitants) on the same index. Every resident of an origin is taken at
the origin's point: a commune is covered or not as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from maillage.errors import InputError
from maillage.formatting import fr_number, fr_percent
from maillage.kinds import service_kind, with_year_bands
from maillage.settings import DEFAULT_SETTINGS

from .arguments import number, series

#: Thresholds of the headline coverage table, minutes (:class:`DiagnosticSettings`).
THRESHOLDS = DEFAULT_SETTINGS.thresholds
#: National France Services target: every resident within 30 minutes of a France Services.
FRANCE_SERVICES_MINUTES = DEFAULT_SETTINGS.france_services_minutes


def time_to_nearest(cost: pd.DataFrame) -> pd.Series:
    """Minutes from each origin to its nearest destination (``inf`` when none is reachable).

    Parameters
    ----------
    cost : DataFrame
        Travel times, minutes, origins × destinations.

    Returns
    -------
    pandas.Series
        Minutes to the nearest destination, by origin (index = ``cost.index``).

    Examples
    --------
    >>> import pandas as pd
    >>> minutes = pd.DataFrame({"alsh-cahors": [5.0, 12.0], "alsh-catus": [25.0, 14.0]},
    ...                        index=["Cahors", "Calamane"])
    >>> time_to_nearest(minutes)
    Cahors       5.0
    Calamane    12.0
    Name: minutes, dtype: float64
    """
    if cost.shape[1] == 0:
        return pd.Series(np.inf, index=cost.index, name="minutes")
    return cost.min(axis=1).astype(float).rename("minutes")


def access_population(communes, kind: str) -> tuple[pd.Series, str]:
    """People counted for the access to ``kind`` by commune, and who they are (French).

    Children of the kind's ages (registry field ``population``) when the communes carry
    them, else all inhabitants.

    Parameters
    ----------
    communes : DataFrame
        Communes with ``population`` and the ``pop_*`` children columns.
    kind : str
        A kind of :data:`maillage.kinds.SERVICE_KINDS`.

    Returns
    -------
    tuple of (pandas.Series, str)
        People by commune (children or inhabitants) and who they are, in French
        (``"enfants de 3 à 11 ans"``, ``"habitants"``).
    """
    entry = service_kind(kind)
    communes = with_year_bands(communes)  # pop_11 (age 11) from pop_11_17 when absent
    if entry is not None and entry.population and all(c in communes for c in entry.population):
        people = communes[list(entry.population)].astype(float).sum(axis=1)
        return people, entry.population_label
    return communes["population"].astype(float), "habitants"


def _aligned(times: pd.Series, population: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    series(times, "times", "minutes")
    series(population, "population", "enfants ou habitants")
    missing = times.index.difference(population.index)
    if len(missing):
        raise InputError(f"pas de population pour « {missing[0]} »",
                         fix="donner une population (éventuellement 0) pour chaque origine")
    people = pd.to_numeric(population.reindex(times.index), errors="coerce")
    if people.isna().any() or (people < 0).any():
        bad = people.index[people.isna() | (people < 0)][0]
        raise InputError(f"population manquante ou négative pour « {bad} »",
                         fix="donner une population positive ou nulle")
    minutes = pd.to_numeric(times, errors="coerce")
    if minutes.isna().any():
        raise InputError(f"temps d'accès manquant pour « {minutes.index[minutes.isna()][0]} »",
                         fix="utiliser inf pour une origine sans service atteignable")
    return minutes.to_numpy(dtype=float), people.to_numpy(dtype=float)


def coverage(times: pd.Series, population: pd.Series,
             thresholds=THRESHOLDS) -> pd.DataFrame:
    """Number and share of people within each threshold of the nearest service.

    Parameters
    ----------
    times : pandas.Series
        Minutes to the nearest service, by origin (``inf`` = none reachable).
    population : pandas.Series
        Children or inhabitants by origin.
    thresholds : iterable of float
        Minutes (inclusive: a commune at exactly 15 minutes is within 15 minutes).

    Returns
    -------
    pandas.DataFrame
        Index ``minutes`` (the thresholds); ``population_within`` (people),
        ``share_within`` (0–1), ``population_beyond`` (people), ``origins_beyond`` (count).

    Examples
    --------
    >>> import pandas as pd
    >>> minutes = pd.Series({"Cahors": 5.0, "Calamane": 12.0, "Catus": 3.0})
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> coverage(minutes, children, thresholds=(10, 15)).round(3)
             population_within  share_within  population_beyond  origins_beyond
    minutes
    10                  1100.0         0.957               50.0               1
    15                  1150.0         1.000                0.0               0
    """
    minutes, people = _aligned(times, population)
    if isinstance(thresholds, (int, float, str)) or not hasattr(thresholds, "__iter__"):
        thresholds = [thresholds]
    thresholds = list(thresholds)
    for limit in thresholds:
        number(limit, "thresholds", minimum=0, unit="minutes")
    total = people.sum()
    rows = []
    for limit in thresholds:
        within = minutes <= limit
        covered = people[within].sum()
        rows.append({"minutes": limit, "population_within": covered,
                     "share_within": covered / total if total > 0 else np.nan,
                     "population_beyond": total - covered,
                     "origins_beyond": int((~within).sum())})
    return pd.DataFrame(rows).set_index("minutes")


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value v such that the weight of values ≤ v is at least ``q`` of the total.

    The "inverse of the distribution" definition: with 10 people at 5 minutes and 90 at
    20 minutes, the 0.1 quantile is 5 and the 0.11 quantile is 20.
    """
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    if cumulative.size == 0 or cumulative[-1] <= 0:
        return np.nan
    position = np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1])
    return float(values[order][min(position, len(order) - 1)])


def time_summary(times: pd.Series, population: pd.Series) -> pd.Series:
    """Population-weighted mean, median and 90th percentile time to the nearest service.

    Parameters
    ----------
    times : pandas.Series
        Minutes to the nearest service, by area.
    population : pandas.Series
        People by area (same index as ``times``), the weights.

    Returns
    -------
    pandas.Series
        ``mean_minutes``, ``median_minutes``, ``p90_minutes`` (minutes; ``inf`` when people
        have no reachable service), ``population_unreachable`` (people).

    Examples
    --------
    >>> import pandas as pd
    >>> minutes = pd.Series({"Cahors": 5.0, "Calamane": 12.0, "Catus": 3.0})
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> time_summary(minutes, children).round(2)
    mean_minutes              5.13
    median_minutes            5.00
    p90_minutes               5.00
    population_unreachable    0.00
    dtype: float64
    """
    minutes, people = _aligned(times, population)
    reachable = np.isfinite(minutes)
    if people.sum() <= 0:
        mean = np.nan
    elif people[~reachable].sum() > 0:
        mean = np.inf
    else:
        mean = float(np.average(minutes[reachable], weights=people[reachable]))
    return pd.Series({"mean_minutes": mean,
                      "median_minutes": weighted_quantile(minutes, people, 0.5),
                      "p90_minutes": weighted_quantile(minutes, people, 0.9),
                      "population_unreachable": people[~reachable].sum()})


def zones_blanches(times: pd.Series, threshold: float, communes: pd.DataFrame | None = None,
                   population: pd.Series | None = None) -> pd.DataFrame:
    """Communes beyond ``threshold`` minutes of the nearest service ("zones blanches").

    Parameters
    ----------
    times : pandas.Series
        Minutes to the nearest service by commune code.
    threshold : float
        Minutes; communes strictly beyond it are listed.
    communes : DataFrame, optional
        Adds ``name`` and ``epci`` when present.
    population : pandas.Series, optional
        Adds the ``population`` concerned.

    Returns
    -------
    pandas.DataFrame
        One row per commune beyond, farthest first: ``minutes`` (+ name, epci, population).

    Examples
    --------
    >>> import pandas as pd
    >>> minutes = pd.Series({"Cahors": 5.0, "Calamane": 12.0, "Catus": 3.0})
    >>> zones_blanches(minutes, 10)
              minutes
    Calamane     12.0
    """
    series(times, "times", "minutes")
    threshold = number(threshold, "threshold", minimum=0, unit="minutes")
    beyond = times[times > threshold].sort_values(ascending=False).rename("minutes").to_frame()
    if communes is not None:
        for column in ("name", "epci"):
            if column in communes:
                beyond[column] = communes[column].reindex(beyond.index).to_numpy()
    if population is not None:
        beyond["population"] = population.reindex(beyond.index).to_numpy()
    return beyond


@dataclass
class TargetCheck:
    """Result of a "everyone within N minutes" target.

    Attributes
    ----------
    passed : bool
        True when nobody lives beyond ``minutes``.
    minutes : float
        The target, minutes.
    share_within : float
        Share of residents within the target (0–1).
    population_beyond : float
        Residents beyond the target.
    failing : DataFrame
        The communes beyond (as :func:`zones_blanches`).
    """

    passed: bool
    minutes: float
    share_within: float
    population_beyond: float
    failing: pd.DataFrame

    def text(self) -> str:
        """French one-line verdict, numbers written the French way (``1 234``, ``1,9 %``)."""
        minutes = fr_number(self.minutes, 0 if float(self.minutes).is_integer() else 1)
        if self.passed:
            return f"Objectif atteint : tous les habitants sont à {minutes} min ou moins."
        return (f"Objectif non atteint : {fr_number(self.population_beyond)} habitants "
                f"({fr_percent(1 - self.share_within)}) dans {len(self.failing)} commune(s) "
                f"à plus de {minutes} min.")


def france_services_target(times: pd.Series, population: pd.Series,
                           communes: pd.DataFrame | None = None,
                           minutes: float = FRANCE_SERVICES_MINUTES) -> TargetCheck:
    """Check the national France Services target: every resident within 30 minutes.

    Parameters
    ----------
    times : pandas.Series
        Minutes from each commune to the nearest France Services (fixed site or bus stop).
    population : pandas.Series
        Inhabitants by commune.
    communes : DataFrame, optional
        Names and EPCI for the list of failing communes.
    minutes : float
        The target (default 30 minutes).

    Returns
    -------
    TargetCheck
        Whether the target is met, the people and communes beyond it (minutes, people).

    Examples
    --------
    >>> import pandas as pd
    >>> minutes = pd.Series({"Cahors": 5.0, "Calamane": 12.0, "Lherm": 34.0})
    >>> inhabitants = pd.Series({"Cahors": 20000.0, "Calamane": 500.0, "Lherm": 300.0})
    >>> check = france_services_target(minutes, inhabitants)
    >>> check.passed, check.population_beyond, round(check.share_within, 3)
    (False, 300.0, 0.986)
    """
    table = coverage(times, population, thresholds=(minutes,)).iloc[0]
    failing = zones_blanches(times, minutes, communes, population)
    failing = failing[failing["population"] > 0] if "population" in failing else failing
    return TargetCheck(passed=bool(table["population_beyond"] == 0), minutes=minutes,
                       share_within=float(table["share_within"]),
                       population_beyond=float(table["population_beyond"]), failing=failing)
