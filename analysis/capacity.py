"""Capacity per child: places per 100 children of the age a service serves.

The indicator of a CTG diagnostic and of the CAF "taux de couverture": places of the
facilities of some kinds, in force at a date and open in a period, over the children of
the age band they serve, per commune, EPCI, territory or any commune column.

Which kinds count over which children is the table :data:`AGE_BANDS` (read from the kinds
registry :mod:`maillage.kinds`), overridable by passing ``bands=``. Ages follow maillage's
one convention (:mod:`maillage.kinds`): half-open years, "de 3 à 12 ans" = from the 3rd to
the 12th birthday: a facility covers ``[age_min, age_max)`` years. A facility serving
a wider range than the band counts for the share of its years inside the band: an accueil
for 11–17 year-olds (``[11, 17)``, 6 years) counts 5/6 of its places in the 12–17 band.
Missing ages take the band's. A facility of the band's kinds with an unknown capacity is not
counted (its places are unknown, not zero): it is listed in the result's
``attrs["capacity_unknown"]`` and counted in the ``capacity_unknown`` column, so that a
reader knows the figure is a lower bound.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from maillage.errors import InputError
from maillage.kinds import AgeBand, RegistryView, indicator_bands, with_year_bands

#: Opening tokens of ``facilities.opening``.
PERIODS = ("mercredis", "vacances", "periscolaire", "semaine", "samedi")


#: Indicators → places and children: a view of the registry (:mod:`maillage.kinds`), the
#: bands of the kinds with an indicator then :data:`maillage.kinds.AGE_SPLITS`. ``eaje`` is
#: the CAF "taux de couverture" (EAJE + MAM + assistantes maternelles' places over children
#: under 3); ``alsh`` is 3–11 years; the ``alsh_*`` splits follow the age groups DREES
#: reports ALSH places in (the 11–17 census band stands for 12–17).
AGE_BANDS: Mapping[str, AgeBand] = RegistryView(indicator_bands)


def in_force(facilities: pd.DataFrame, at=None) -> pd.DataFrame:
    """Facilities in force at a date: ``valid_from ≤ at ≤ valid_to``, NaT = open-ended.

    Parameters
    ----------
    facilities : DataFrame
        With optional ``valid_from`` / ``valid_to`` (datetime64) columns.
    at : date-like or None
        None keeps every facility.

    Returns
    -------
    DataFrame
        The rows of ``facilities`` in force at ``at`` (same columns).

    Examples
    --------
    >>> import pandas as pd
    >>> facilities = pd.DataFrame({"valid_from": pd.to_datetime(["2010-01-01", "2025-04-01"]),
    ...                            "valid_to": pd.NaT}, index=["alsh-cahors", "alsh-calamane"])
    >>> in_force(facilities, "2025-03-31").index.tolist()
    ['alsh-cahors']
    >>> in_force(facilities, "2025-06-01").index.tolist()
    ['alsh-cahors', 'alsh-calamane']
    """
    if at is None:
        return facilities
    try:
        day = pd.Timestamp(at)
    except (ValueError, TypeError) as exc:
        raise InputError(f"date illisible : {at!r}", fix="écrire la date AAAA-MM-JJ") from exc
    keep = pd.Series(True, index=facilities.index)
    if "valid_from" in facilities:
        start = pd.to_datetime(facilities["valid_from"])
        keep &= start.isna() | (start <= day)
    if "valid_to" in facilities:
        end = pd.to_datetime(facilities["valid_to"])
        keep &= end.isna() | (end >= day)
    return facilities[keep]


def open_in(facilities: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """Facilities whose ``opening`` tokens include ``period`` (None keeps all).

    A facility with no ``opening`` is open in no period: an ALSH open only on holidays
    ("vacances") is not a Wednesday ("mercredis") offer.
    """
    if period is None:
        return facilities
    if period not in PERIODS:
        raise InputError(f"période inconnue : « {period} »",
                         fix="choisir parmi " + ", ".join(PERIODS))
    if "opening" not in facilities:
        raise InputError("les équipements n'ont pas de colonne d'ouverture",
                         column="opening", fix="renseigner les périodes d'ouverture")
    tokens = facilities["opening"].fillna("").astype(str).str.split(";")
    return facilities[tokens.map(lambda t: period in {x.strip() for x in t}).astype(bool)]


def _years(facilities: pd.DataFrame, column: str) -> pd.Series:
    """An age column as floats (years), NaN when absent."""
    if column not in facilities:
        return pd.Series(np.nan, index=facilities.index)
    return pd.to_numeric(facilities[column], errors="coerce")


def band_share(facilities: pd.DataFrame, band: AgeBand) -> pd.Series:
    """Share of each facility's places that falls in the band's ages (0–1).

    The facility covers ``[age_min, age_max)`` years (one year from ``age_min`` when
    ``age_max ≤ age_min``); the band ``band.ages``.
    """
    lo_band, hi_band = band.ages
    lo = _years(facilities, "age_min").fillna(lo_band).to_numpy(dtype=float)
    hi = _years(facilities, "age_max").fillna(hi_band).to_numpy(dtype=float)
    hi = np.where(hi > lo, hi, lo + 1)
    span = hi - lo
    overlap = np.clip(np.minimum(hi, hi_band) - np.maximum(lo, lo_band), 0, None)
    share = np.divide(overlap, span, out=np.zeros_like(overlap), where=span > 0)
    return pd.Series(share, index=facilities.index)


def band_facilities(facilities: pd.DataFrame, band: AgeBand, *, at=None,
                    period: str | None = None) -> pd.DataFrame:
    """Facilities of the band's kinds, in force at ``at`` and open in ``period``."""
    chosen = open_in(in_force(facilities, at), period)
    return chosen[chosen["kind"].isin(band.kinds)]


def counted_places(facilities: pd.DataFrame, band: AgeBand, *, at=None,
                   period: str | None = None) -> pd.Series:
    """Places each facility contributes to a band (places), NaN where the capacity is unknown.

    Raises
    ------
    InputError
        A negative capacity.
    """
    chosen = band_facilities(facilities, band, at=at, period=period)
    capacity = pd.to_numeric(chosen["capacity"], errors="coerce")
    if (capacity < 0).any():
        bad = capacity.index[capacity < 0][0]
        raise InputError(f"l'équipement « {bad} » a une capacité négative", column="capacity",
                         fix="renseigner le nombre de places (≥ 0)")
    return (capacity * band_share(chosen, band)).rename("places")


def _resolve(communes, facilities):
    """Accept a Territory (``.communes``, ``.facilities``) or the two tables."""
    if facilities is None and hasattr(communes, "facilities"):
        return communes.communes, communes.facilities
    if facilities is None:
        raise InputError("aucun registre d'équipements", fix="passer les équipements")
    return communes, facilities


def places_per_100_children(communes, facilities=None, kind: str = "alsh",
                            by: str = "commune", at=None, period: str | None = None,
                            bands: dict[str, AgeBand] | None = None) -> pd.DataFrame:
    """Places per 100 children of the age served, per commune, EPCI, territory or column.

    Parameters
    ----------
    communes : GeoDataFrame or Territory
        Communes (index = INSEE code) with the children columns of the band, ``epci``, ``name``.
        A :class:`maillage.layers.Territory` may be passed instead of both tables.
    facilities : DataFrame, optional
        Registry: ``kind``, ``capacity`` (places), ``commune_code``, optional ``age_min``,
        ``age_max`` (years), ``opening``, ``valid_from``, ``valid_to``.
    kind : str
        A key of the bands table (``"alsh"``, ``"eaje"``, ``"alsh_moins_6"`` …).
    by : str
        ``"commune"``, ``"epci"``, ``"territory"`` or any commune column.
    at : date-like, optional
        Count the facilities in force at this date.
    period : str, optional
        Count only facilities open in this period (``mercredis``, ``vacances``, ``periscolaire`` …).
    bands : dict, optional
        Replaces :data:`AGE_BANDS`.

    Returns
    -------
    pandas.DataFrame
        Index = group; ``places`` (places), ``capacity_unknown`` (facilities of the band
        whose places are unknown, not counted), ``children`` (children of the band),
        ``places_per_100_children`` (NaN where there are no children). ``attrs["outside"]``
        lists facilities whose commune is not in ``communes`` (not counted),
        ``attrs["capacity_unknown"]`` those without a capacity.

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"name": ["Cahors", "Calamane"], "epci": ["200023737"] * 2,
    ...                          "pop_3_5": [400.0, 20.0], "pop_6_10": [600.0, 30.0],
    ...                          "pop_11_17": [700.0, 35.0]},  # age 11: 1/7 of 11-17
    ...                         index=["46042", "46046"])
    >>> facilities = pd.DataFrame({"kind": ["alsh", "alsh"], "capacity": [120.0, 20.0],
    ...                            "commune_code": ["46042", "46046"]})
    >>> table = places_per_100_children(communes, facilities, "alsh")
    >>> table[["places", "children", "places_per_100_children"]]
           places  children  places_per_100_children
    46042   120.0    1100.0                10.909091
    46046    20.0      55.0                36.363636
    >>> places_per_100_children(communes, facilities, "alsh", by="epci")["places_per_100_children"]
    epci
    200023737    12.121212
    Name: places_per_100_children, dtype: float64
    """
    communes, facilities = _resolve(communes, facilities)
    table = AGE_BANDS if bands is None else bands
    if kind not in table:
        raise InputError(f"indicateur inconnu : « {kind} »",
                         fix="choisir parmi " + ", ".join(table))
    band = table[kind]
    communes = with_year_bands(communes)  # pop_11 (age 11) from pop_11_17 when absent
    missing = [c for c in band.children if c not in communes]
    if missing:
        raise InputError(f"les communes n'ont pas la colonne « {missing[0]} »", column=missing[0],
                         fix="charger les populations par tranche d'âge (pop_11, les enfants "
                             "de 11 ans, se déduit de pop_11_17)")
    places = counted_places(facilities, band, at=at, period=period)
    where = facilities.loc[places.index, "commune_code"].astype(str)
    inside = where.isin(communes.index.astype(str))
    unknown = places.isna()
    frame = pd.DataFrame(index=communes.index.astype(str))
    per_commune = places[inside & ~unknown].groupby(where[inside & ~unknown]).sum()
    frame["places"] = per_commune.reindex(frame.index, fill_value=0.0).astype(float)
    unknown_count = where[inside & unknown].value_counts()
    frame["capacity_unknown"] = unknown_count.reindex(frame.index, fill_value=0).astype(int)
    if band.commune_places and band.commune_places in communes:
        extra = pd.to_numeric(communes[band.commune_places], errors="coerce").fillna(0.0)
        frame["places"] += extra.to_numpy()
    frame["children"] = communes[list(band.children)].astype(float).sum(axis=1).to_numpy()
    if by == "commune":
        grouped = frame
        if "name" in communes:
            grouped.insert(0, "name", communes["name"].to_numpy())
    else:
        if by == "territory":
            key = pd.Series("territoire", index=frame.index)
        elif by in communes:
            key = communes[by].astype(str).set_axis(frame.index)
        else:
            raise InputError(f"regroupement inconnu : « {by} »",
                             fix="choisir commune, epci, territory ou une colonne des communes")
        grouped = frame.groupby(key.rename(by)).sum()
        if by == "epci" and "epci_name" in communes:
            names = communes.groupby(communes["epci"].astype(str))["epci_name"].first()
            grouped.insert(0, "name", names.reindex(grouped.index).to_numpy())
    ratio = 100 * grouped["places"] / grouped["children"].where(grouped["children"] > 0)
    grouped["places_per_100_children"] = ratio
    grouped.attrs["outside"] = sorted(places.index[~inside].astype(str))
    grouped.attrs["capacity_unknown"] = sorted(places.index[inside & unknown].astype(str))
    grouped.attrs["indicator"] = band.label
    return grouped
