"""Numbers written the French way, in one place: reports, maps, tables and CLI messages.

``12 345,6``: a narrow no-break space between thousands (a plain space in terminal output),
a decimal comma. Missing values give ``"–"``.
"""

from __future__ import annotations

import math

__all__ = ["NARROW_SPACE", "fr_number", "fr_percent", "is_missing"]

#: Thousands separator of printed French numbers (U+202F, narrow no-break space).
NARROW_SPACE = "\u202f"


def is_missing(value) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        missing = value != value  # noqa: PLR0124 - NaN, NaT and NA differ from themselves
        return bool(missing) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def fr_number(value, decimals: int = 0, *, thousands: str = NARROW_SPACE) -> str:
    """A number written the French way: ``12 345,6``.

    Parameters
    ----------
    value : float
        The number (None / NaN give ``"–"``).
    decimals : int
        Digits after the decimal comma.
    thousands : str
        Thousands separator: a narrow no-break space (reports, maps), or ``" "`` (terminal).

    Returns
    -------
    str

    Examples
    --------
    >>> fr_number(12345.67, 1, thousands=" ")
    '12 345,7'
    """
    if is_missing(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", thousands).replace(".", ",")


def fr_percent(share, decimals: int = 1, *, thousands: str = NARROW_SPACE) -> str:
    """A share (0–1) as a French percentage: ``0.1234`` → ``"12,3 %"`` (no-break space)."""
    if is_missing(share):
        return "–"
    return fr_number(100 * float(share), decimals, thousands=thousands) + "\u00a0%"
