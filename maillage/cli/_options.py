"""Checks of the numbers typed on the command line, before anything is loaded or computed.

Typer turns ``--minutes nan`` into a float NaN and ``--top -1`` into -1 without complaint;
each command checks its numeric options here and stops with one French message naming the
option and the fix (exit status 2, see :mod:`maillage.cli`).
"""

from __future__ import annotations

import math

from maillage.errors import InputError


def check_number(option: str, value, *, low: float, high: float | None = None,
                 strict: bool = False, unit: str = "", integer: bool = False) -> None:
    """Refuse a NaN, infinite or out-of-range value of a command-line option.

    Parameters
    ----------
    option : str
        The option as the user typed it (``--minutes``).
    value : float or int or None
        The parsed value; None (option not given) is accepted.
    low, high : float
        Accepted range (``high`` None: no upper bound).
    strict : bool
        When True the value must be greater than ``low``, not equal to it.
    unit : str
        French unit shown in the fix ("minutes", "places", "secondes").
    integer : bool
        Whether the fix asks for a whole number.

    Raises
    ------
    InputError
        With the option, the value given and the accepted range.
    """
    if value is None:
        return
    number = float(value)
    bad = (not math.isfinite(number) or (number <= low if strict else number < low)
           or (high is not None and number > high))
    if not bad:
        return
    kind = "un nombre entier" if integer else "un nombre"
    bound = f"supérieur à {low:g}" if strict else f"au moins égal à {low:g}"
    if high is not None:
        bound += f" et au plus {high:g}"
    in_unit = f" (en {unit})" if unit else ""
    shown = f"{number:g}" if isinstance(value, float) else str(value)
    raise InputError(f"option {option} : valeur « {shown} » invalide",
                     fix=f"donner {kind} {bound}{in_unit}")
