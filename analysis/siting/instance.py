"""Validated arrays of a siting problem: demand weights, a cost matrix, open and candidate sites.

Every siting model (:mod:`maillage.analysis.siting`) starts from a :class:`SitingInstance`:
the user's pandas objects are checked once here, then the solvers work on plain arrays.
Columns are ordered existing sites first, then candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from maillage.errors import InputError

from ..arguments import number


@dataclass
class SitingInstance:
    """A siting problem as arrays.

    Attributes
    ----------
    demand_ids : pandas.Index
        Demand points (e.g. commune codes), in row order.
    weights : numpy.ndarray
        Demand of each point (children), shape (n,).
    site_ids : list
        Site ids, existing sites first then candidates, shape (m,).
    n_existing : int
        How many of ``site_ids`` are already open.
    cost : numpy.ndarray
        Cost from each demand point to each site (minutes or metres), ``inf`` when
        unreachable, shape (n, m).
    capacity : numpy.ndarray or None
        Places of each site, shape (m,), or None for uncapacitated models.
    unit : str
        Unit of the costs for messages ("min", "m"), from ``cost.attrs["unit"]``.
    labels : dict
        Display names of demand points for messages, from ``demand.attrs["labels"]``.
    """

    demand_ids: pd.Index
    weights: np.ndarray
    site_ids: list
    n_existing: int
    cost: np.ndarray
    capacity: np.ndarray | None = None
    unit: str = ""
    labels: dict | None = None

    @property
    def n_candidates(self) -> int:
        """Number of candidate sites (columns after the existing ones)."""
        return len(self.site_ids) - self.n_existing

    @property
    def total_demand(self) -> float:
        """Total demand (children)."""
        return float(self.weights.sum())

    def within(self, threshold: float) -> np.ndarray:
        """Boolean matrix (n, m): site j is within ``threshold`` of demand point i."""
        return self.cost <= threshold

    def existing_reach(self, threshold: float) -> np.ndarray:
        """Boolean vector (n,): demand point within ``threshold`` of an open site."""
        return (self.cost[:, : self.n_existing] <= threshold).any(axis=1)

    def label(self, row: int) -> str:
        """Display name of the demand point at row position ``row``."""
        point = self.demand_ids[row]
        return str((self.labels or {}).get(point, point))

    def with_candidates(self, positions) -> SitingInstance:
        """The same problem with only the candidates at ``positions`` (existing sites kept)."""
        columns = np.r_[np.arange(self.n_existing), self.n_existing + np.asarray(positions, int)]
        return SitingInstance(
            demand_ids=self.demand_ids,
            weights=self.weights,
            site_ids=[self.site_ids[j] for j in columns],
            n_existing=self.n_existing,
            cost=self.cost[:, columns],
            capacity=None if self.capacity is None else self.capacity[columns],
            unit=self.unit,
            labels=self.labels,
        )


def check_threshold(threshold) -> float:
    """The coverage threshold as a positive float (minutes or metres), else InputError."""
    return number(threshold, "threshold", minimum=0, strict=True,
                  fix="donner un seuil positif (minutes ou mètres, comme la matrice)")


def _as_list(ids, what: str) -> list:
    if ids is None:
        return []
    if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
        raise InputError(
            f"« {what} » doit être une liste d'identifiants de sites, pas {ids!r}",
            column=what,
            fix=f"passer {what}=[\"id1\", \"id2\"]",
        )
    return list(dict.fromkeys(ids))


def _check_ids(ids: list, columns: pd.Index, what: str) -> None:
    missing = [i for i in ids if i not in columns]
    if missing:
        raise InputError(
            f"{len(missing)} site(s) de « {what} » absent(s) des colonnes de la matrice "
            f"de coûts : {', '.join(map(str, missing[:10]))}",
            column=what,
            fix="calculer la matrice de coûts vers tous les sites existants et candidats",
        )


def _weights(demand: pd.Series, cost: pd.DataFrame) -> np.ndarray:
    if not isinstance(demand, pd.Series):
        raise InputError("la demande doit être une Series indexée par point de demande",
                         column="demand", fix="passer par exemple territory.communes['pop_3_5']")
    if demand.index.has_duplicates:
        dup = demand.index[demand.index.duplicated()].unique().tolist()
        raise InputError(f"points de demande en double : {', '.join(map(str, dup[:10]))}",
                         column="demand", fix="agréger la demande par point avant l'optimisation")
    missing = demand.index.difference(cost.index)
    if len(missing):
        raise InputError(
            f"{len(missing)} point(s) de demande sans ligne dans la matrice de coûts : "
            f"{', '.join(map(str, missing[:10]))}",
            column="cost", fix="calculer les temps depuis tous les points de demande",
        )
    values = pd.to_numeric(demand, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        names = [str(demand.index[i]) for i in np.flatnonzero(bad)[:10]]
        raise InputError(
            f"demande manquante ou négative pour : {', '.join(names)}",
            column="demand", fix="renseigner un nombre d'enfants positif ou nul",
        )
    return values


def _capacity(capacity, site_ids: list) -> np.ndarray | None:
    if capacity is None:
        return None
    if np.isscalar(capacity):
        values = np.full(len(site_ids), float(capacity))
    else:
        series = pd.Series(capacity, dtype=float)
        missing = [s for s in site_ids if s not in series.index or pd.isna(series.get(s))]
        if missing:
            raise InputError(
                f"capacité (places) inconnue pour {len(missing)} site(s) : "
                f"{', '.join(map(str, missing[:10]))}",
                column="capacity",
                fix="donner les places de chaque site existant et candidat, ou un nombre unique",
            )
        values = series.reindex(site_ids).to_numpy(dtype=float)
    if (values < 0).any() or not np.isfinite(values).all():
        raise InputError("capacité négative ou infinie", column="capacity",
                         fix="donner un nombre de places positif ou nul par site")
    return values


def build_instance(demand, cost, candidates=None, existing=None, capacity=None) -> SitingInstance:
    """Check the user's inputs and return a :class:`SitingInstance`.

    Parameters
    ----------
    demand : pandas.Series
        Demand per demand point (children), indexed like ``cost``'s rows.
    cost : pandas.DataFrame
        Cost (minutes or metres) from demand points (rows) to sites (columns), ``inf``
        meaning unreachable, never NaN. ``cost.attrs["unit"]`` ("min", "m"), when set,
        is shown in messages; so are ``demand.attrs["labels"]`` (demand id -> name).
    candidates : list, optional
        Columns eligible for new sites; default every column not in ``existing``.
    existing : list, optional
        Columns already open (kept open, free).
    capacity : float or mapping, optional
        Places per site: one number for every site, or a mapping site id -> places.

    Raises
    ------
    InputError
        Unknown ids, missing or negative demand, NaN costs, a site both existing and candidate.
    """
    if not isinstance(cost, pd.DataFrame):
        raise InputError("la matrice de coûts doit être un DataFrame points de demande × sites",
                         column="cost", fix="utiliser timer.matrix(points, sites)")
    weights = _weights(demand, cost)
    existing_ids = _as_list(existing, "existing")
    _check_ids(existing_ids, cost.columns, "existing")
    if candidates is None:
        candidate_ids = [c for c in cost.columns if c not in set(existing_ids)]
    else:
        candidate_ids = _as_list(candidates, "candidates")
        _check_ids(candidate_ids, cost.columns, "candidates")
        both = [c for c in candidate_ids if c in set(existing_ids)]
        if both:
            raise InputError(
                f"site(s) à la fois existant(s) et candidat(s) : {', '.join(map(str, both[:10]))}",
                column="candidates", fix="retirer les sites déjà ouverts de la liste des candidats",
            )
    site_ids = existing_ids + candidate_ids
    matrix = cost.loc[demand.index, site_ids].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(matrix).any():
        rows, cols = np.nonzero(np.isnan(matrix))
        pairs = [f"{demand.index[r]}→{site_ids[c]}" for r, c in zip(rows[:5], cols[:5])]
        raise InputError(
            f"{len(rows)} coût(s) manquant(s) (NaN) dans la matrice : {', '.join(pairs)}",
            column="cost", fix="mettre inf pour un site injoignable, jamais NaN",
        )
    if (matrix < 0).any():
        raise InputError("coût négatif dans la matrice", column="cost",
                         fix="vérifier le calcul des temps (minutes) ou distances (mètres)")
    return SitingInstance(
        demand_ids=demand.index,
        weights=weights,
        site_ids=site_ids,
        n_existing=len(existing_ids),
        cost=matrix,
        capacity=_capacity(capacity, site_ids),
        unit=str(cost.attrs.get("unit", "")),
        labels=dict(demand.attrs.get("labels", {})),
    )
