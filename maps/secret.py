"""Secret statistique: small child counts are never published as such.

INSEE and the CAF hide counts under a threshold. maillage shows a child count below
``maillage.settings.SMALL_COUNT_THRESHOLD`` as ``"< 5"``; a ratio whose numerator is public
(places) and whose denominator is such a count would give the count back, so it is hidden too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maillage import settings

from .labels import protect_count

#: Text shown instead of a hidden ratio.
SECRET_LABEL = "secret statistique"


def threshold(value: int | None = None) -> int:
    """The small-count threshold in force (``value`` when given, else the setting)."""
    return settings.SMALL_COUNT_THRESHOLD if value is None else int(value)


def is_secret(children: pd.Series, places: pd.Series | None = None, *,
              small: int | None = None) -> pd.Series:
    """Which rows' ratio must be hidden: fewer than ``small`` children and some places.

    Parameters
    ----------
    children : Series of float
        Children (count) per row.
    places : Series of float, optional
        Places per row; when omitted every small count is secret.
    small : int, optional
        Threshold (default ``SMALL_COUNT_THRESHOLD``).

    Returns
    -------
    Series of bool
    """
    kids = pd.to_numeric(children, errors="coerce")
    secret = (kids < threshold(small)) & (kids > 0)
    if places is not None:
        secret &= pd.to_numeric(places, errors="coerce").fillna(0) > 0
    return secret.astype(bool)


def publishable_ratio(ratio: pd.Series, children: pd.Series, places: pd.Series | None = None,
                      *, small: int | None = None) -> pd.Series:
    """``ratio`` with the secret rows set to NaN (maps colour them as no data)."""
    values = pd.to_numeric(ratio, errors="coerce").astype(float)
    return values.mask(is_secret(children, places, small=small), np.nan)


def protect_frame(frame: pd.DataFrame, *, counts=(), ratios=(), places: str | None = None,
                  children: str | None = None, small: int | None = None) -> pd.DataFrame:
    """A copy of ``frame`` fit for publication.

    Parameters
    ----------
    frame : DataFrame
        Indicator table.
    counts : sequence of str
        Child-count columns: values under the threshold become ``"< 5"`` (text column).
    ratios : sequence of str
        Ratio columns hidden (``"secret statistique"``) where ``children`` is small and
        ``places`` positive.
    places, children : str, optional
        Columns used to decide which ratios are secret.
    small : int, optional
        Threshold (default ``SMALL_COUNT_THRESHOLD``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` ready to publish: small counts as « < N », secret ratios hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"enfants": [3, 120], "places": [10.0, 30.0],
    ...                       "ratio": [333.3, 25.0]}, index=["Petitville", "Bourgville"])
    >>> protect_frame(table, counts=["enfants"], ratios=["ratio"], places="places",
    ...               children="enfants")
               enfants  places               ratio
    Petitville     < 5    10.0  secret statistique
    Bourgville     120    30.0                25.0
    """
    out = frame.copy()
    limit = threshold(small)
    if ratios and children:
        secret = is_secret(frame[children], frame[places] if places else None, small=limit)
        for column in ratios:
            values = frame[column].astype(object).where(~secret, SECRET_LABEL)
            out[column] = values
    for column in counts:
        out[column] = pd.Series([protect_count(v, limit) for v in frame[column]],
                                index=frame.index, dtype="string")
    return out
