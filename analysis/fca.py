"""Floating catchment accessibility: 2SFCA, enhanced 2SFCA, 3SFCA and spatial availability.

Every method works on the same three inputs, as PySAL ``access`` does:

- ``demand``: a Series indexed by origin id (children, or inhabitants),
- ``supply``: a Series indexed by destination id (places),
- ``cost``: a DataFrame origins × destinations of travel times in minutes (``inf`` = unreachable),

and returns a Series indexed like ``cost.index``. The numbers are those of ``access`` with
``normalize=False`` (tested against it), except that an origin with nothing within reach gets
0 places per child (``access`` leaves it missing) and a facility whose catchment holds no
children offers its places to nobody (``access`` divides by zero).

Decay weights ("weights") are given as:

- ``None``: a step, weight 1 up to ``threshold`` (classic 2SFCA, Luo & Wang 2003);
- a dict ``{10: 1.0, 20: 0.68, 30: 0.22}``: weight of the first key ≥ the time, 0 beyond the
  last key (E2SFCA sub-zones, Luo & Qi 2009; same rule as ``access.weights.step_fn``);
- ``("gaussian", sigma)`` or :func:`gaussian_weights`: ``exp(-t² / 2σ²)``
  (as ``access.weights.gaussian``);
- any callable of minutes returning weights (vectorised when it can be, else applied per value).

The catchment is always cut at ``threshold`` (time ≤ threshold), as ``access``'s ``max_cost``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from maillage.errors import InputError

#: E2SFCA sub-zone weights of Luo & Qi (2009), the default of ``access.enhanced_two_stage_fca``.
E2SFCA_STEPS = {10: 1.0, 20: 0.68, 30: 0.22}
#: 3SFCA sub-zone weights of Wan, Zou & Sternberg (2012), the default of ``access.three_stage_fca``.
WAN_STEPS = {10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042}

Weights = None | Mapping[float, float] | Callable | tuple


def step_weights(steps: Mapping[float, float]) -> Callable[[np.ndarray], np.ndarray]:
    """Step decay: the weight of the first sub-zone limit at or above the time.

    Parameters
    ----------
    steps : mapping of float to float
        Sub-zone upper limit (minutes) → weight (≥ 0), e.g. ``{10: 1.0, 20: 0.68, 30: 0.22}``.

    Returns
    -------
    callable
        Array of minutes → array of weights; 0 beyond the largest limit.

    Examples
    --------
    >>> import numpy as np
    >>> weight = step_weights({10: 1.0, 20: 0.68, 30: 0.22})
    >>> weight(np.array([5.0, 15.0, 25.0, 40.0]))
    array([1.  , 0.68, 0.22, 0.  ])
    >>> weight.description
    'paliers ≤10 min : 1, ≤20 min : 0.68, ≤30 min : 0.22'
    """
    if not steps:
        raise InputError("la décroissance par paliers est vide",
                         fix="donner au moins un palier, par ex. {10: 1.0, 20: 0.68}")
    limits = np.array(sorted(steps), dtype=float)
    values = np.array([steps[k] for k in sorted(steps)], dtype=float)
    if (values < 0).any():
        raise InputError("un poids de palier est négatif", fix="donner des poids entre 0 et 1")
    values = np.append(values, 0.0)

    def weight(minutes):
        return values[np.searchsorted(limits, np.asarray(minutes, dtype=float), side="left")]

    weight.description = "paliers " + ", ".join(  # type: ignore[attr-defined]
        f"≤{k:g} min : {v:g}" for k, v in zip(limits, values[:-1], strict=True))
    return weight


def gaussian_weights(sigma: float) -> Callable[[np.ndarray], np.ndarray]:
    """Gaussian decay ``exp(-t² / (2 σ²))`` with weight 1 at 0 minutes.

    Parameters
    ----------
    sigma : float
        Width, minutes (> 0).

    Returns
    -------
    callable
        Weight (0 to 1) of an array of minutes; its ``description`` says it in French.

    Examples
    --------
    >>> import numpy as np
    >>> weight = gaussian_weights(10)
    >>> weight(np.array([0.0, 10.0])).round(3)
    array([1.   , 0.607])
    >>> weight.description
    'gaussienne σ = 10 min'
    """
    if not sigma or sigma <= 0:
        raise InputError(f"largeur de gaussienne invalide : {sigma}",
                         fix="donner une largeur sigma positive, en minutes")

    def weight(minutes):
        minutes = np.asarray(minutes, dtype=float)
        return np.exp(-minutes * minutes / (2.0 * sigma**2))

    weight.description = f"gaussienne σ = {sigma:g} min"  # type: ignore[attr-defined]
    return weight


def resolve_weights(weights: Weights) -> Callable[[np.ndarray], np.ndarray] | None:
    """Turn a decay spec (None, dict of steps, ``("gaussian", σ)``, callable) into a function."""
    if weights is None:
        return None
    if isinstance(weights, Mapping):
        return step_weights(weights)
    if isinstance(weights, tuple) and len(weights) == 2 and weights[0] == "gaussian":
        return gaussian_weights(float(weights[1]))
    if callable(weights):
        return weights
    raise InputError(f"décroissance non reconnue : {weights!r}",
                     fix="donner None, un dict de paliers {minutes: poids}, "
                         "('gaussian', sigma) ou une fonction des minutes")


def decay_description(weights: Weights) -> str:
    """French label of a decay spec, for tables ("sans décroissance", "gaussienne σ = 10 min")."""
    fn = resolve_weights(weights)
    if fn is None:
        return "sans décroissance"
    return getattr(fn, "description", getattr(fn, "__name__", "fonction"))


def _weight_matrix(cost: pd.DataFrame, threshold: float | None, weights: Weights) -> np.ndarray:
    """W[i, j] = decay(cost[i, j]) inside the catchment (cost ≤ threshold), else 0."""
    minutes = cost.to_numpy(dtype=float)
    inside = np.isfinite(minutes)
    if threshold is not None:
        inside &= minutes <= threshold
    fn = resolve_weights(weights)
    if fn is None:
        return inside.astype(float)
    safe = np.where(inside, minutes, 0.0)
    try:
        values = np.asarray(fn(safe), dtype=float)
        if values.shape != safe.shape:
            raise ValueError
    except (ValueError, TypeError):  # a scalar-only function, e.g. access.weights.step_fn
        values = np.vectorize(fn, otypes=[float])(safe)
    return np.where(inside, values, 0.0)


def _aligned(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame):
    """Demand on cost rows and supply on cost columns, as float arrays; check the ids."""
    if not isinstance(cost, pd.DataFrame):
        raise InputError("la matrice des temps doit être un tableau origines × destinations",
                         fix="passer un DataFrame de minutes (index = origines)")
    missing = cost.index.difference(demand.index)
    if len(missing):
        raise InputError(f"{len(missing)} origine(s) sans demande, dont « {missing[0]} »",
                         fix="donner une demande (éventuellement 0) pour chaque ligne "
                             "de la matrice")
    unknown = supply.index.difference(cost.columns)
    if len(unknown):
        raise InputError(f"l'offre « {unknown[0]} » n'a pas de colonne dans la matrice des temps",
                         fix="calculer les temps vers chaque équipement de l'offre")
    for name, series in (("demande", demand), ("offre", supply)):
        values = pd.to_numeric(series, errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            raise InputError(f"{name} manquante ou négative pour « {series.index[bad][0]} »",
                             fix=f"donner une {name} positive ou nulle pour chaque identifiant")
    d = demand.reindex(cost.index).to_numpy(dtype=float)
    s = supply.groupby(level=0).sum().reindex(cost.columns, fill_value=0.0).to_numpy(dtype=float)
    return d, s


def _ratio(places: np.ndarray, children: np.ndarray) -> np.ndarray:
    """places / children, 0 where there are no children."""  # noqa: D403
    out = np.zeros_like(places, dtype=float)
    np.divide(places, children, out=out, where=children > 0)
    return out


def _catchment(demand, supply, cost, w, name) -> pd.Series:
    """Two steps with a given weight matrix: R_j = S_j / Σ_i W_ij D_i, A_i = Σ_j W_ij R_j."""
    d, s = _aligned(demand, supply, cost)
    ratio = _ratio(s, w.T @ d)
    return pd.Series(w @ ratio, index=cost.index, name=name)


def two_step_fca(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                 threshold: float | None, weights: Weights = None) -> pd.Series:
    """Two-step floating catchment area: places per child accessible from each origin.

    Step 1, at each facility j: ``R_j = S_j / Σ_i W_ij D_i``; step 2, at each origin i:
    ``A_i = Σ_j W_ij R_j``, with ``W_ij = decay(t_ij)`` if ``t_ij ≤ threshold`` else 0.

    Parameters
    ----------
    demand : pandas.Series
        Children (or inhabitants) by origin id; must cover ``cost.index``.
    supply : pandas.Series
        Places by destination id; ids must be columns of ``cost`` (repeated ids are summed).
    cost : pandas.DataFrame
        Travel times, minutes, origins × destinations (``inf`` = unreachable).
    threshold : float or None
        Catchment limit, minutes (inclusive); None = no limit (the decay alone decides).
    weights : None, dict, tuple or callable, optional
        Distance decay (see the module docstring). None = step 1 inside the catchment.

    Returns
    -------
    pandas.Series
        Places per child accessible at each origin (index = ``cost.index``), 0 where no
        facility is within reach. Multiply by 100 for places per 100 children.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 120.0, "alsh-catus": 40.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [5.0, 12.0, 25.0],
    ...                         "alsh-catus": [25.0, 14.0, 3.0]}, index=children.index)
    >>> (100 * two_step_fca(children, places, minutes, threshold=20)).round(1)
    Cahors      11.4
    Calamane    38.1
    Catus       26.7
    Name: 2sfca, dtype: float64
    """
    return _catchment(demand, supply, cost, _weight_matrix(cost, threshold, weights), "2sfca")


def enhanced_two_step_fca(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                          threshold: float | None = 30, weights: Weights = None) -> pd.Series:
    """Enhanced 2SFCA (Luo & Qi 2009): 2SFCA with sub-zone weights, by default
    ``{10: 1.0, 20: 0.68, 30: 0.22}`` (:data:`E2SFCA_STEPS`).

    Parameters
    ----------
    demand : pandas.Series
        Children (or inhabitants) by origin id; must cover ``cost.index``.
    supply : pandas.Series
        Places by destination id (columns of ``cost``).
    cost : pandas.DataFrame
        Travel times, minutes, origins × destinations (``inf`` = unreachable).
    threshold : float or None
        Catchment limit, minutes (default 30).
    weights : None, dict, tuple or callable, optional
        Distance decay; None = :data:`E2SFCA_STEPS`.

    Returns
    -------
    pandas.Series
        Places per child accessible at each origin (index = ``cost.index``).

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 120.0, "alsh-catus": 40.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [5.0, 12.0, 25.0],
    ...                         "alsh-catus": [25.0, 14.0, 3.0]}, index=children.index)
    >>> enhanced_two_step_fca(children, places, minutes).round(3)
    Cahors      0.138
    Calamane    0.154
    Catus       0.138
    Name: e2sfca, dtype: float64
    """
    weights = E2SFCA_STEPS if weights is None else weights
    return _catchment(demand, supply, cost, _weight_matrix(cost, threshold, weights), "e2sfca")


def three_step_fca(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                   threshold: float | None = 60, weights: Weights = None) -> pd.Series:
    """Three-step FCA (Wan, Zou & Sternberg 2012): competition-corrected 2SFCA.

    Each origin splits its demand between the facilities it reaches with selection weights
    ``G_ij = W_ij / Σ_k W_ik`` (k within the catchment); then ``R_j = S_j / Σ_i G_ij W_ij D_i``
    and ``A_i = Σ_j G_ij W_ij R_j``. Same numbers as ``access.Access.three_stage_fca`` when the
    decay is 0 beyond ``threshold`` (``access`` sums the selection weights over the whole cost
    table, ignoring ``max_cost``).

    Parameters
    ----------
    demand : pandas.Series
        Children (or inhabitants) by origin id; must cover ``cost.index``.
    supply : pandas.Series
        Places by destination id (columns of ``cost``).
    cost : pandas.DataFrame
        Travel times, minutes, origins × destinations (``inf`` = unreachable).
    threshold : float or None
        Catchment limit, minutes (default 60, the last sub-zone of Wan et al.).
    weights : decay spec, optional
        Default :data:`WAN_STEPS` ``{10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042}``.

    Returns
    -------
    pandas.Series
        Places per child at each origin.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 120.0, "alsh-catus": 40.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [5.0, 12.0, 25.0],
    ...                         "alsh-catus": [25.0, 14.0, 3.0]}, index=children.index)
    >>> three_step_fca(children, places, minutes).round(3)
    Cahors      0.137
    Calamane    0.132
    Catus       0.161
    Name: 3sfca, dtype: float64
    """
    weights = WAN_STEPS if weights is None else weights
    w = _weight_matrix(cost, threshold, weights)
    row = w.sum(axis=1, keepdims=True)
    g = np.divide(w, row, out=np.zeros_like(w), where=row > 0)
    return _catchment(demand, supply, cost, g * w, "3sfca")


def spatial_availability(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                         threshold: float | None = None, weights: Weights = None,
                         alpha: float = 1.0) -> pd.DataFrame:
    """Spatial availability (Soukhov et al. 2023): places allocated to each origin.

    Each facility's places are shared between the origins that reach it in proportion to
    ``D_i^α W_ij``: ``V_i = Σ_j S_j D_i^α W_ij / Σ_k D_k^α W_kj``. The allocated places add up
    to the places that someone reaches (nothing is counted twice, unlike a sum of 2SFCA catchments);
    with ``alpha = 1``, ``V_i / D_i`` equals the 2SFCA value.

    Parameters
    ----------
    demand : pandas.Series
        Children (or inhabitants) by origin id; must cover ``cost.index``.
    supply : pandas.Series
        Places by destination id (columns of ``cost``).
    cost : pandas.DataFrame
        Travel times, minutes, origins × destinations (``inf`` = unreachable).
    threshold : float or None
        Catchment limit, minutes.
    weights : decay spec, optional
        None = step 1 inside the catchment.
    alpha : float
        Exponent of demand in the allocation (1 = proportional to children).

    Returns
    -------
    pandas.DataFrame
        ``places`` (places allocated to the origin) and ``places_per_child``;
        index = ``cost.index``.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 1000.0, "Calamane": 50.0, "Catus": 100.0})
    >>> places = pd.Series({"alsh-cahors": 120.0, "alsh-catus": 40.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [5.0, 12.0, 25.0],
    ...                         "alsh-catus": [25.0, 14.0, 3.0]}, index=children.index)
    >>> spatial_availability(children, places, minutes, threshold=20).round(3)
               places  places_per_child
    Cahors    114.286             0.114
    Calamane   19.048             0.381
    Catus      26.667             0.267
    """
    d, s = _aligned(demand, supply, cost)
    w = _weight_matrix(cost, threshold, weights)
    share = (d**alpha)[:, None] * w
    allocated = share @ _ratio(s, share.sum(axis=0))
    return pd.DataFrame({"places": allocated, "places_per_child": _ratio(allocated, d)},
                        index=cost.index)
