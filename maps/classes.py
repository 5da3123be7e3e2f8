"""Map classes: mapclassify breaks rounded to readable numbers, with French legend labels.

A :class:`Classes` object is shared by the Folium maps and the static figures, so a commune
falls in the same class, with the same colour and the same label, everywhere.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from .labels import fr_number

#: Colour of communes without a value (no children, or data absent).
NO_DATA_COLOR = "#d9d9d9"
#: Colour of the "exactly zero" class (e.g. no place at all).
ZERO_COLOR = "#fbf3dc"
#: Legend label of communes without a value.
NO_DATA_LABEL = "pas d'enfant / donnée absente (hors registre)"


@dataclass
class Classes:
    """Classes of a numeric indicator.

    Attributes
    ----------
    edges : list of float
        ``k + 1`` increasing bounds, in the indicator's unit; class ``i`` holds
        ``edges[i] < v <= edges[i + 1]`` (upper bounds included, as mapclassify's bins; the
        first class also holds ``edges[0]``).
    labels : list of str
        French legend label of each class (``"de 10 à 25 places pour 100 enfants"``).
    colors : list of str
        Hex colour of each class.
    unit : str
        Unit written in the labels.

    Examples
    --------
    Access-time classes: each value falls in the class whose upper bound it does not exceed, with
    its colour and label; a missing value gets the no-data grey:

    >>> classes = fixed_classes([0, 10, 20, 30], unit="min")
    >>> classes.index(10.0), classes.label(12.5), classes.label(45.0)
    (0, 'de 10 à 20 min', 'plus de 30 min')
    >>> classes.color(float("nan")) == classes.no_data_color, classes.label(None)
    (True, "pas d'enfant / donnée absente (hors registre)")
    """

    edges: list[float]
    labels: list[str]
    colors: list[str]
    unit: str = ""
    no_data_label: str = NO_DATA_LABEL
    no_data_color: str = NO_DATA_COLOR
    method: str = field(default="")
    #: When set, exactly 0 is a class of its own (the first label and colour); ``edges`` then
    #: bound the other classes.
    zero_label: str | None = None

    def index(self, value) -> int | None:
        """Class number of ``value`` (None when missing)."""
        if value is None or value != value:
            return None
        v = float(value)
        offset = 0
        if self.zero_label is not None:
            if v == 0:
                return 0
            offset = 1
        for i in range(len(self.labels) - offset - 1):
            if v <= self.edges[i + 1]:
                return i + offset
        return len(self.labels) - 1

    def color(self, value) -> str:
        """Fill colour of ``value`` (the no-data grey when missing)."""
        i = self.index(value)
        return self.no_data_color if i is None else self.colors[i]

    def label(self, value) -> str:
        """Legend label of ``value``."""
        i = self.index(value)
        return self.no_data_label if i is None else self.labels[i]


def _round_edge(value: float, span: float, how=np.round) -> float:
    """Round a break to a readable number for the data's range (``how``: round, floor, ceil)."""
    step = max(10 ** np.floor(np.log10(span / 10)), 0.1) if span > 0 else 0.1
    return round(float(how(round(value / step, 9)) * step), 10)


def _palette(name: str, k: int) -> list[str]:
    cmap = colormaps[name]
    if k == 1:
        return [to_hex(cmap(0.6))]
    return [to_hex(cmap(0.15 + 0.8 * i / (k - 1))) for i in range(k)]


def _range_labels(edges: list[float], unit: str, decimals: int) -> list[str]:
    suffix = f" {unit}" if unit else ""
    return [f"de {fr_number(a, decimals)} à {fr_number(b, decimals)}{suffix}" if a != b
            else f"{fr_number(a, decimals)}{suffix}" for a, b in zip(edges[:-1], edges[1:])]


def classify(values, *, k: int = 5, scheme: str = "FisherJenks", unit: str = "",
             cmap: str = "YlGnBu", zero_label: str | None = None) -> Classes:
    """Classes of ``values`` computed by mapclassify, with rounded breaks and French labels.

    Parameters
    ----------
    values : array-like of float
        Indicator values (NaN = no data, left out of the breaks).
    k : int
        Wanted number of classes (fewer when there are fewer distinct values).
    scheme : str
        A mapclassify classifier name: ``"FisherJenks"``, ``"Quantiles"``,
        ``"EqualInterval"``, ``"NaturalBreaks"``, etc.
    unit : str
        Unit written after each label (``"places pour 100 enfants"``).
    cmap : str
        Matplotlib colormap name.
    zero_label : str, optional
        When given and some values are exactly 0, they form a first class of their own with
        this label (e.g. "aucune place"), and the breaks are computed on the other values.

    Returns
    -------
    Classes
        Breaks (in ``unit``), French labels, colours and the no-data class of a legend.

    Examples
    --------
    >>> classes = classify([0, 5, 12, 40, 18, float("nan")], k=3, scheme="Quantiles",
    ...                    unit="places pour 100 enfants")
    >>> classes.labels  # doctest: +NORMALIZE_WHITESPACE
    ['de 0 à 7 places pour 100 enfants', 'de 7 à 16 places pour 100 enfants',
     'de 16 à 40 places pour 100 enfants']
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if zero_label is not None and (arr == 0).any():
        rest = classify(arr[arr != 0], k=max(k - 1, 1), scheme=scheme, unit=unit, cmap=cmap)
        return Classes(edges=rest.edges, labels=[zero_label, *rest.labels],
                       colors=[ZERO_COLOR, *rest.colors], unit=unit, method=scheme,
                       zero_label=zero_label)
    if arr.size == 0:
        return Classes(edges=[0.0, 0.0], labels=[], colors=[], unit=unit, method=scheme)
    lo, hi = float(arr.min()), float(arr.max())
    distinct = np.unique(arr)
    k = max(1, min(k, distinct.size))
    if k == 1 or hi == lo:
        edges = [lo, hi]
    else:
        # mapclassify only here: its import compiles a numba kernel and loads scikit-learn
        # (≈ 3 s), which the app's fixed and diverging classes never need.
        import mapclassify

        with warnings.catch_warnings():  # "Numba not installed": the pure Python path is fine
            warnings.simplefilter("ignore", UserWarning)
            breaks = getattr(mapclassify, scheme)(arr, k=k).bins
        span = hi - lo
        low, high = _round_edge(lo, span, np.floor), _round_edge(hi, span, np.ceil)
        inner = sorted({_round_edge(b, span) for b in breaks[:-1]})
        edges = [low, *(b for b in inner if low <= b < high), high]
    decimals = 0 if all(float(e).is_integer() for e in edges) else 1
    labels = _range_labels(edges, unit, decimals)[:1] if edges[0] == edges[-1] else \
        _range_labels(edges, unit, decimals)
    return Classes(edges=[float(e) for e in edges], labels=labels,
                   colors=_palette(cmap, len(labels)), unit=unit, method=scheme)


def fixed_classes(edges, *, unit: str, cmap: str = "YlOrRd", open_ended: bool = True,
                  no_data_label: str = NO_DATA_LABEL) -> Classes:
    """Classes with fixed, meaningful breaks (e.g. access time 0–10–15–20–30 min).

    Parameters
    ----------
    edges : sequence of float
        Increasing bounds; with ``open_ended`` the last class is "plus de <last bound>".
    unit : str
        Unit written after each label (``"min"``).
    cmap : str
        Matplotlib colormap name.
    open_ended : bool
        Add a last class above the last bound.
    no_data_label : str
        French label of the class of missing values.

    Returns
    -------
    Classes
        Breaks (in ``unit``), French labels, colours and the no-data class of a legend.

    Examples
    --------
    >>> classes = fixed_classes([0, 10, 15, 20, 30], unit="min")
    >>> classes.labels
    ['de 0 à 10 min', 'de 10 à 15 min', 'de 15 à 20 min', 'de 20 à 30 min', 'plus de 30 min']
    """
    edges = [float(e) for e in edges]
    decimals = 0 if all(e.is_integer() for e in edges) else 1
    labels = _range_labels(edges, unit, decimals)
    if open_ended:
        suffix = f" {unit}" if unit else ""
        labels.append(f"plus de {fr_number(edges[-1], decimals)}{suffix}")
        edges = [*edges, float("inf")]
    return Classes(edges=edges, labels=labels, colors=_palette(cmap, len(labels)), unit=unit,
                   no_data_label=no_data_label, method="seuils fixes")


def diverging_classes(values, *, unit: str, k_side: int = 3) -> Classes:
    """Classes of a change (after − before): losses in red, gains in blue, "inchangé" between.

    Only the sides that occur are drawn (no "baisse" classes when nothing decreases).

    Parameters
    ----------
    values : array-like of float
        Differences, in ``unit``.
    unit : str
        Unit written in the labels.
    k_side : int
        Classes on each side of zero.

    Returns
    -------
    Classes
        Breaks (in ``unit``), French labels, colours and the no-data class of a legend.

    Examples
    --------
    >>> classes = diverging_classes([-3.0, 0.0, 5.0], unit="places", k_side=1)
    >>> classes.labels
    ['baisse de 0 à 5 places', 'inchangé', 'hausse de 0 à 5 places']
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    eps = 0.05
    top = float(np.abs(arr).max()) if arr.size else 0.0
    ups = []
    if top > eps:
        step = top / k_side
        ups = sorted({max(_round_edge(step * (i + 1), top), eps) for i in range(k_side - 1)})
        ups.append(_round_edge(top, top, np.ceil))
        ups = sorted(set(ups))
    suffix = f" {unit}" if unit else ""
    decimals = 0 if all(float(e).is_integer() for e in ups) else 1
    edges, labels, colors = [], [], []
    n = len(ups)
    if arr.size and arr.min() < -eps:
        bounds = [-u for u in reversed(ups)] + [-eps]
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
            inner = 0 if b == -eps else -b
            labels.append(f"baisse de {fr_number(inner, decimals)} à {fr_number(-a, decimals)}"
                          f"{suffix}")
            colors.append(to_hex(colormaps["Reds"](0.85 - 0.5 * i / max(n - 1, 1))))
        edges = bounds[:-1]
    edges += [-eps, eps]
    labels.append("inchangé")
    colors.append("#f7f7f7")
    if arr.size and arr.max() > eps:
        bounds = [eps, *ups]
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
            inner = 0 if a == eps else a
            labels.append(f"hausse de {fr_number(inner, decimals)} à {fr_number(b, decimals)}"
                          f"{suffix}")
            colors.append(to_hex(colormaps["Blues"](0.35 + 0.5 * i / max(n - 1, 1))))
        edges += ups
    return Classes(edges=edges, labels=labels, colors=colors, unit=unit, method="écarts")
