"""Coverage weighted by presence: a bus stop served one morning a month is not a site open
every weekday.

Every point where a service can be met carries its days of presence per month:

- a fixed site open on weekdays counts :data:`FIXED_SITE_DAYS_PER_MONTH` = 21.7 days
  (5 days × 52.14 weeks / 12 months), whatever its hours: the registry does not hold
  opening hours precisely enough to do better;
- an itinerant stop counts its ``days_per_month`` (from ``itinerant_stops``);
- an itinerant service's base is not a point (the bus is on the road).

Two readings are reported side by side, as the issue asks: "within N minutes of a point"
(any stop) and "within N minutes of a point open at least K days per month".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maillage import geo
from maillage.errors import InputError
from maillage.settings import DEFAULT_SETTINGS

from .capacity import in_force
from .coverage import time_to_nearest

#: Days per month of a fixed site open on weekdays (5 × 52.14 / 12).
FIXED_SITE_DAYS_PER_MONTH = 21.7
#: Default presence levels, days per month: any stop, weekly, twice a week, every weekday.
MIN_DAYS = (0, 4, 8, FIXED_SITE_DAYS_PER_MONTH)


def presence_points(facilities: pd.DataFrame, stops: pd.DataFrame | None,
                    kinds=("france_services",), at=None) -> pd.DataFrame:
    """Points where a service of ``kinds`` can be met, with their days of presence.

    Parameters
    ----------
    facilities : DataFrame
        Registry with ``kind``, ``itinerant``, ``lon``, ``lat`` (degrees).
    stops : DataFrame or None
        Itinerant stops with ``service_id``, ``stop_id``, ``lon``, ``lat``, ``days_per_month``.
    kinds : iterable of str
        Facility kinds to keep.
    at : date-like, optional
        Keep the services in force at this date.

    Returns
    -------
    pandas.DataFrame
        Index = point id (facility id, or ``stop_id``); ``service_id``, ``lon``, ``lat``,
        ``days_per_month`` (days; NaN where the documents give no day: such a stop counts
        as a point within reach, never as one open at least K days), ``itinerant`` (bool).
    """
    chosen = in_force(facilities, at)
    chosen = chosen[chosen["kind"].isin(list(kinds))]
    moving = chosen["itinerant"].fillna(False).astype(bool) if "itinerant" in chosen \
        else pd.Series(False, index=chosen.index)
    fixed = pd.DataFrame({"service_id": chosen.index[~moving].astype(str),
                          "lon": chosen.loc[~moving, "lon"].to_numpy(dtype=float),
                          "lat": chosen.loc[~moving, "lat"].to_numpy(dtype=float),
                          "days_per_month": FIXED_SITE_DAYS_PER_MONTH, "itinerant": False},
                         index=chosen.index[~moving].astype(str))
    if stops is None or not moving.any():
        return fixed
    served = stops[stops["service_id"].astype(str).isin(chosen.index[moving].astype(str))]
    # Unknown presence (the documents give no day) stays NaN: the stop is a place where the
    # service can be met, but never counts as "open at least K days a month".
    days = pd.to_numeric(served["days_per_month"], errors="coerce")
    if (days < 0).any():
        bad = served.index[days < 0][0]
        raise InputError(f"l'arrêt « {served.loc[bad, 'stop_id']} » a un nombre de jours "
                         "de présence par mois négatif", column="days_per_month",
                         fix="indiquer le nombre de jours par mois "
                             "(par ex. 2 pour un mardi sur deux)")
    moving_points = pd.DataFrame({"service_id": served["service_id"].astype(str).to_numpy(),
                                  "lon": served["lon"].to_numpy(dtype=float),
                                  "lat": served["lat"].to_numpy(dtype=float),
                                  "days_per_month": days.to_numpy(dtype=float),
                                  "itinerant": True},
                                 index=served["stop_id"].astype(str).to_numpy())
    return pd.concat([fixed, moving_points])


def _days_matrix(cost: pd.DataFrame, days_per_month: pd.Series, threshold: float) -> np.ndarray:
    unknown = cost.columns.difference(days_per_month.index)
    if len(unknown):
        raise InputError(f"le point « {unknown[0]} » n'a pas de jours de présence",
                         fix="donner days_per_month pour chaque point de la matrice")
    days = days_per_month[~days_per_month.index.duplicated()].reindex(cost.columns)
    days = days.fillna(0.0).to_numpy(dtype=float)  # unknown presence counts no day
    return np.where(cost.to_numpy(dtype=float) <= threshold, days, 0.0)


def days_within(cost: pd.DataFrame, days_per_month: pd.Series, threshold: float) -> pd.Series:
    """Days of presence per month a resident of each origin can reach within ``threshold``.

    The days of every point within reach add up (two stops each served 2 days a month give 4
    days), capped at :data:`FIXED_SITE_DAYS_PER_MONTH` (a resident cannot use more than every
    weekday). A planner's "presence-weighted" access.

    Parameters
    ----------
    cost : DataFrame
        Minutes, origins × points.
    days_per_month : pandas.Series
        Days of presence per month by point id.
    threshold : float
        Minutes (inclusive).
    """
    total = _days_matrix(cost, days_per_month, threshold).sum(axis=1)
    return pd.Series(np.minimum(total, FIXED_SITE_DAYS_PER_MONTH), index=cost.index,
                     name="days_per_month")


def presence_coverage(cost: pd.DataFrame, population: pd.Series, days_per_month: pd.Series,
                      thresholds=DEFAULT_SETTINGS.thresholds, min_days=MIN_DAYS) -> pd.DataFrame:
    """Share of people within N minutes of a point open at least K days per month.

    Parameters
    ----------
    cost : DataFrame
        Minutes, origins × points (fixed sites and itinerant stops).
    population : pandas.Series
        People by origin.
    days_per_month : pandas.Series
        Days of presence per month by point id.
    thresholds : iterable of float
        Minutes.
    min_days : iterable of float
        Presence levels K, days per month; 0 means "any point" (a stop however rarely served).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``minutes``, ``min_days_per_month``, ``label`` (French), ``population_within``
        (people), ``share_within`` (0–1); plus ``mean_days_within`` (population-weighted mean
        of :func:`days_within`, days per month) repeated on each threshold's rows.

    Examples
    --------
    >>> import pandas as pd
    >>> minutes = pd.DataFrame({"site-fixe": [5.0, 25.0], "arret-bus": [30.0, 8.0]},
    ...                        index=["Cahors", "Lherm"])
    >>> people = pd.Series({"Cahors": 1000.0, "Lherm": 100.0})
    >>> days = pd.Series({"site-fixe": 21.7, "arret-bus": 2.0})
    >>> table = presence_coverage(minutes, people, days, thresholds=(10,), min_days=(0, 4))
    >>> table[["minutes", "min_days_per_month", "share_within"]].round(3)
       minutes  min_days_per_month  share_within
    0       10                   0         1.000
    1       10                   4         0.909
    """
    people = pd.to_numeric(population.reindex(cost.index), errors="coerce")
    if people.isna().any():
        raise InputError(f"pas de population pour « {people.index[people.isna()][0]} »",
                         fix="donner une population (éventuellement 0) pour chaque origine")
    people = people.to_numpy(dtype=float)
    total = people.sum()
    rows = []
    for minutes in thresholds:
        days = _days_matrix(cost, days_per_month, minutes)
        best = days.max(axis=1)
        reach = (cost.to_numpy(dtype=float) <= minutes).any(axis=1)
        mean_days = float(np.average(np.minimum(days.sum(axis=1), FIXED_SITE_DAYS_PER_MONTH),
                                     weights=people)) if total > 0 else np.nan
        for k in min_days:
            within = reach if k <= 0 else best >= k - 1e-9
            label = (f"à {minutes:g} min ou moins d'un point (même rarement desservi)" if k <= 0
                     else f"à {minutes:g} min ou moins d'un point ouvert ≥ {k:g} j/mois")
            rows.append({"minutes": minutes, "min_days_per_month": k, "label": label,
                         "population_within": people[within].sum(),
                         "share_within": people[within].sum() / total if total > 0 else np.nan,
                         "mean_days_within": mean_days})
    return pd.DataFrame(rows)


def as_points(frame: pd.DataFrame, lon: str = "lon", lat: str = "lat"):
    """A GeoDataFrame of points (EPSG:4326) from two degree columns, same (string) index."""
    import geopandas as gpd

    return gpd.GeoDataFrame(index=frame.index.astype(str), crs="EPSG:4326",
                            geometry=gpd.points_from_xy(frame[lon].astype(float),
                                                        frame[lat].astype(float)))


def minutes_to_nearest(territory, kinds, *, timer=None, at=None,
                       min_days: float = 0.0) -> pd.Series:
    """Minutes from each commune to the nearest point of a service open ≥ ``min_days`` a month.

    Parameters
    ----------
    territory : maillage.layers.Territory
        ``communes`` (``point_lon``, ``point_lat``), ``facilities``, ``itinerant_stops``.
    kinds : iterable of str
        Facility kinds (e.g. ``["france_services"]``).
    timer : Timer, optional
        Default :func:`maillage.geo.default_timer`.
    at : date-like, optional
        Services in force at this date.
    min_days : float
        Keep points present at least this many days per month (0 = every stop).

    Returns
    -------
    pandas.Series
        Minutes by commune code (``inf`` when no point is reachable or none qualifies).
        Feed it to :func:`maillage.analysis.coverage.france_services_target`.
    """
    points = presence_points(territory.facilities, territory.itinerant_stops, kinds=kinds, at=at)
    points = points[(points["days_per_month"] >= min_days) & points["lon"].notna()
                    & points["lat"].notna()]
    origins = as_points(territory.communes, "point_lon", "point_lat")
    if points.empty:
        return pd.Series(np.inf, index=origins.index, name="minutes")
    if timer is None:
        timer = geo.default_timer(territory)
    return time_to_nearest(timer.matrix(origins, as_points(points)))
