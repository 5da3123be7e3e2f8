"""Checks of the arguments a planner passes to the analysis functions.

One rule for the whole public API of :mod:`maillage.analysis`: an argument of the wrong type
or out of range raises :class:`maillage.errors.InputError` (a French message naming the
argument, the value received and the fix), never a raw ``TypeError`` / ``ValueError`` from
numpy or pandas. ``InputError`` is what the CLI prints without a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from maillage.errors import InputError


def number(value, name: str, *, minimum: float | None = None, strict: bool = False,
           unit: str = "", fix: str | None = None) -> float:
    """``value`` as a finite float, else :class:`InputError`.

    Parameters
    ----------
    value : object
        What the caller passed.
    name : str
        The argument's name, shown in the message ("threshold", "sigma").
    minimum : float, optional
        Smallest accepted value (inclusive, or exclusive when ``strict``).
    strict : bool
        The value must be strictly above ``minimum``.
    unit : str
        Unit shown in the fix ("minutes").
    fix : str, optional
        French correction replacing the default one.
    """
    bound = "" if minimum is None else (f" > {minimum:g}" if strict else f" ≥ {minimum:g}")
    fix = fix or f"donner un nombre{bound}{' en ' + unit if unit else ''}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _numpy_number(value):
        raise InputError(f"« {name} » doit être un nombre, pas {value!r}", fix=fix)
    result = float(value)
    if not math.isfinite(result):
        raise InputError(f"« {name} » = {value!r} n'est pas un nombre fini", fix=fix)
    if minimum is not None and (result < minimum or (strict and result == minimum)):
        raise InputError(f"« {name} » = {value!r} hors limites", fix=fix)
    return result


def _numpy_number(value) -> bool:
    import numpy as np

    return isinstance(value, np.number) and not isinstance(value, np.complexfloating)


def optional_number(value, name: str, **options) -> float | None:
    """:func:`number`, but None passes through (e.g. "no catchment limit")."""
    return None if value is None else number(value, name, **options)


def count(value, name: str, *, fix: str | None = None) -> int:
    """``value`` as a non-negative integer (``2`` or ``2.0``), else :class:`InputError`."""
    fix = fix or "donner un entier positif ou nul"
    if isinstance(value, bool) or not (isinstance(value, (int, float)) or _numpy_number(value)):
        raise InputError(f"« {name} » doit être un entier, pas {value!r}", fix=fix)
    if not math.isfinite(float(value)) or int(value) != value or value < 0:
        raise InputError(f"« {name} » = {value!r} invalide", fix=fix)
    return int(value)


def series(value, name: str, what: str) -> pd.Series:
    """``value`` must be a pandas Series (indexed by ids), else :class:`InputError`."""
    if not isinstance(value, pd.Series):
        raise InputError(f"« {name} » doit être une Series pandas indexée par identifiant "
                         f"({what}), pas {type(value).__name__}",
                         fix=f"passer une Series : identifiant → {what}")
    return value


def frame(value, name: str = "cost") -> pd.DataFrame:
    """``value`` must be a DataFrame origins × destinations, else :class:`InputError`."""
    if not isinstance(value, pd.DataFrame):
        raise InputError(f"« {name} » doit être un tableau origines × destinations "
                         f"(DataFrame), pas {type(value).__name__}",
                         fix="passer un DataFrame de minutes (index = origines, "
                             "colonnes = destinations)")
    return value


def choice(value, name: str, options: Iterable[str]) -> str:
    """``value`` must be one of ``options``, else :class:`InputError`."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise InputError(f"« {name} » = {value!r} inconnu",
                         fix="choisir parmi " + ", ".join(options))
    return value
