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
- ``("gravity", scale, alpha[, min_minutes])`` or :func:`gravity_weights`:
  ``(max(t, t_min) / scale) ** alpha`` (as ``access.weights.gravity``);
- any callable of minutes returning weights ≥ 0. It is first called once on the array of
  times; a function that only takes one number (``access.weights.step_fn``) is then called
  once per distinct time inside the catchment: prefer numpy functions for large matrices.

A weight that is infinite, NaN or negative inside the catchment (a gravity decay at
0 minutes, which every commune-to-itself pair is) raises :class:`~maillage.errors.InputError`
naming the pair; ``access`` returns NaN there. Bad arguments of any type raise ``InputError``.

The catchment is always cut at ``threshold`` (time ≤ threshold), as ``access``'s ``max_cost``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from maillage.errors import InputError

from .arguments import choice, frame, number, optional_number, series
from .normalise import normalised

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

    Raises
    ------
    InputError
        ``steps`` is not a non-empty mapping of numbers, or a weight is negative.

    Examples
    --------
    >>> import numpy as np
    >>> weight = step_weights({10: 1.0, 20: 0.68, 30: 0.22})
    >>> weight(np.array([5.0, 15.0, 25.0, 40.0]))
    array([1.  , 0.68, 0.22, 0.  ])
    >>> weight.description
    'paliers ≤10 min : 1, ≤20 min : 0.68, ≤30 min : 0.22'
    """
    fix = "donner un dict {minutes: poids}, par ex. {10: 1.0, 20: 0.68}"
    if not isinstance(steps, Mapping):
        raise InputError(f"la décroissance par paliers doit être un dict, pas {steps!r}",
                         column="steps", fix=fix)
    if not steps:
        raise InputError("la décroissance par paliers est vide", column="steps",
                         fix="donner au moins un palier, par ex. {10: 1.0, 20: 0.68}")
    pairs = sorted((number(k, "palier (minutes)", fix=fix), number(v, "poids", fix=fix))
                   for k, v in steps.items())
    limits = np.array([k for k, _ in pairs])
    values = np.array([v for _, v in pairs])
    if (values < 0).any():
        raise InputError("un poids de palier est négatif", column="steps",
                         fix="donner des poids entre 0 et 1")
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
    sigma = number(sigma, "sigma", minimum=0, strict=True, unit="minutes",
                   fix="donner une largeur sigma positive, en minutes")

    def weight(minutes):
        minutes = np.asarray(minutes, dtype=float)
        return np.exp(-minutes * minutes / (2.0 * sigma**2))

    weight.description = f"gaussienne σ = {sigma:g} min"  # type: ignore[attr-defined]
    return weight


def gravity_weights(scale: float, alpha: float,
                    min_minutes: float = 0.0) -> Callable[[np.ndarray], np.ndarray]:
    """Gravity (power) decay ``(max(t, t_min) / scale) ** alpha``, as ``access.weights.gravity``.

    With a negative ``alpha`` the weight is infinite at 0 minutes (a commune's own
    facility): give ``min_minutes`` (e.g. 1) so that trips shorter than it weigh as it does.
    Without it, a 0-minute pair inside the catchment is refused with an :class:`InputError`
    by every measure (never a silent NaN).

    Parameters
    ----------
    scale : float
        Time scale, minutes (> 0): the weight is 1 at ``scale`` minutes.
    alpha : float
        Exponent, usually negative (-1, -2).
    min_minutes : float
        Shortest time the decay sees, minutes (≥ 0).

    Returns
    -------
    callable
        Weight of an array of minutes (no upper bound); its ``description`` says it in
        French.

    Examples
    --------
    >>> from maillage.analysis import gravity_weights
    >>> gravity_weights(20, -2, min_minutes=1)([0, 1, 2, 20, 40]).round(2).tolist()
    [400.0, 400.0, 100.0, 1.0, 0.25]
    """
    scale = number(scale, "scale", minimum=0, strict=True, unit="minutes")
    alpha = number(alpha, "alpha")
    floor = number(min_minutes, "min_minutes", minimum=0, unit="minutes")

    def weight(minutes):
        with np.errstate(divide="ignore"):
            return np.power(np.maximum(np.asarray(minutes, dtype=float), floor) / scale, alpha)

    weight.description = (f"gravitaire (t / {scale:g} min)^{alpha:g}"  # type: ignore[attr-defined]
                          + (f", t ≥ {floor:g} min" if floor else ""))
    return weight


def resolve_weights(weights: Weights) -> Callable[[np.ndarray], np.ndarray] | None:
    """Turn a decay spec (None, dict of steps, ``("gaussian", σ)``, callable) into a function."""
    if weights is None:
        return None
    if isinstance(weights, Mapping):
        return step_weights(weights)
    if isinstance(weights, tuple) and len(weights) == 2 and weights[0] == "gaussian":
        return gaussian_weights(weights[1])
    if isinstance(weights, tuple) and len(weights) in (3, 4) and weights[0] == "gravity":
        return gravity_weights(*weights[1:])
    if callable(weights):
        return weights
    raise InputError(f"décroissance non reconnue : {weights!r}", column="weights",
                     fix="donner None, un dict de paliers {minutes: poids}, "
                         "('gaussian', sigma), ('gravity', échelle, alpha, t_min) "
                         "ou une fonction des minutes")


def decay_description(weights: Weights) -> str:
    """French label of a decay spec, for tables ("sans décroissance", "gaussienne σ = 10 min")."""
    fn = resolve_weights(weights)
    if fn is None:
        return "sans décroissance"
    return getattr(fn, "description", getattr(fn, "__name__", "fonction"))


def _apply(fn, minutes: np.ndarray) -> np.ndarray:
    """``fn`` on an array of minutes: one array call, else once per distinct time.

    A function that only takes one number at a time (e.g. ``access.weights.step_fn``) is
    called once per distinct value, not once per cell.
    """
    try:
        values = np.asarray(fn(minutes), dtype=float)
        if values.shape == minutes.shape:
            return values
    except (ValueError, TypeError):
        pass
    distinct, where = np.unique(minutes, return_inverse=True)
    try:
        return np.array([float(fn(t)) for t in distinct], dtype=float)[where]
    except (ValueError, TypeError) as error:
        raise InputError(f"la fonction de décroissance a échoué : {error}", column="weights",
                         fix="donner une fonction qui prend des minutes et renvoie un poids "
                             "≥ 0") from None


def _weight_matrix(cost: pd.DataFrame, threshold: float | None, weights: Weights) -> np.ndarray:
    """W[i, j] = decay(cost[i, j]) inside the catchment (cost ≤ threshold), else 0.

    Raises
    ------
    InputError
        The decay is infinite, missing (NaN) or negative inside the catchment (e.g. a
        gravity decay at 0 minutes without a minimum time).
    """
    threshold = optional_number(threshold, "threshold", minimum=0, unit="minutes")
    minutes = frame(cost).to_numpy(dtype=float)
    inside = np.isfinite(minutes)
    if threshold is not None:
        inside &= minutes <= threshold
    fn = resolve_weights(weights)
    if fn is None:
        return inside.astype(float)
    values = np.zeros_like(minutes)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        values[inside] = _apply(fn, minutes[inside])
    bad = inside & ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        raise InputError(
            f"la décroissance vaut {values[i, j]:g} pour {minutes[i, j]:g} min "
            f"(de « {cost.index[i]} » à « {cost.columns[j]} »), {int(bad.sum())} paire(s) "
            f"concernée(s) : un poids doit être un nombre fini ≥ 0", column="weights",
            fix="pour une décroissance gravitaire, donner un temps minimum "
                "(gravity_weights(échelle, alpha, min_minutes=1), comme min_dist "
                "d'access.weights.gravity)")
    return values


def _aligned(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame):
    """Demand on cost rows and supply on cost columns, as float arrays; check the ids."""
    frame(cost)
    series(demand, "demand", "enfants")
    series(supply, "supply", "places")
    missing = cost.index.difference(demand.index)
    if len(missing):
        raise InputError(f"{len(missing)} origine(s) sans demande, dont « {missing[0]} »",
                         fix="donner une demande (éventuellement 0) pour chaque ligne "
                             "de la matrice")
    unknown = supply.index.difference(cost.columns)
    if len(unknown):
        raise InputError(f"l'offre « {unknown[0]} » n'a pas de colonne dans la matrice des temps",
                         fix="calculer les temps vers chaque équipement de l'offre")
    for name, given in (("demande", demand), ("offre", supply)):
        values = pd.to_numeric(given, errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            raise InputError(f"{name} manquante ou négative pour « {given.index[bad][0]} »",
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
                 threshold: float | None, weights: Weights = None, *,
                 normalize: bool = False) -> pd.Series:
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
    normalize : bool
        Divide by the children-weighted mean (1 = the territory's average), as ``access``'s
        ``normalize=True``.

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
    result = _catchment(demand, supply, cost, _weight_matrix(cost, threshold, weights), "2sfca")
    return _finish(result, demand, normalize)


def enhanced_two_step_fca(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                          threshold: float | None = 30, weights: Weights = None, *,
                          normalize: bool = False) -> pd.Series:
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
    normalize : bool
        Divide by the children-weighted mean (1 = average), as ``access``'s ``normalize``.

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
    result = _catchment(demand, supply, cost, _weight_matrix(cost, threshold, weights), "e2sfca")
    return _finish(result, demand, normalize)


#: Selection-weight normalisations of 3SFCA (see :func:`three_step_fca`).
SELECTIONS = ("catchment", "all")


def three_step_fca(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame,
                   threshold: float | None = 60, weights: Weights = None, *,
                   selection: str = "catchment", normalize: bool = False) -> pd.Series:
    """Three-step FCA (Wan, Zou & Sternberg 2012): competition-corrected 2SFCA.

    Each origin splits its demand between the facilities it reaches with selection weights
    ``G_ij = W_ij / Σ_k W_ik``; then ``R_j = S_j / Σ_i G_ij W_ij D_i`` and
    ``A_i = Σ_j G_ij W_ij R_j``. Two normalisations of ``G`` are offered:

    - ``selection="catchment"`` (default): the sum runs over the facilities within
      ``threshold`` only, so an origin's selection weights add up to 1 over the facilities it
      may actually use (Wan et al.'s intent: demand is split among reachable facilities);
    - ``selection="all"``: the sum runs over every destination with a finite time, whatever
      the threshold, as PySAL ``access.Access.three_stage_fca`` and its reference code do.

    Both agree when the decay is 0 beyond ``threshold`` (the default Wan steps end at 60 min).

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
    selection : {"catchment", "all"}
        Over which destinations the selection weights are normalised (see above).
    normalize : bool
        Divide by the children-weighted mean (1 = average), as ``access``'s ``normalize``.

    Returns
    -------
    pandas.Series
        Places per child at each origin (no unit when normalised).

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
    choice(selection, "selection", SELECTIONS)
    weights = WAN_STEPS if weights is None else weights
    w = _weight_matrix(cost, threshold, weights)
    pool = w if selection == "catchment" else _weight_matrix(cost, None, weights)
    row = pool.sum(axis=1, keepdims=True)
    g = np.divide(pool, row, out=np.zeros_like(pool), where=row > 0)
    return _finish(_catchment(demand, supply, cost, g * w, "3sfca"), demand, normalize)


def _finish(result: pd.Series, demand: pd.Series, normalize: bool) -> pd.Series:
    """The measure, divided by its children-weighted mean when ``normalize``."""
    return normalised(result, demand) if normalize else result


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
    alpha = number(alpha, "alpha")
    w = _weight_matrix(cost, threshold, weights)
    share = (d**alpha)[:, None] * w
    allocated = share @ _ratio(s, share.sum(axis=0))
    return pd.DataFrame({"places": allocated, "places_per_child": _ratio(allocated, d)},
                        index=cost.index)
