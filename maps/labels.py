"""French labels and number formatting for everything a planner reads on a map or in a report."""

from __future__ import annotations

import math

#: Facility kinds (``facilities.kind``) as planners name them.
KIND_LABELS = {
    "alsh": "Accueil de loisirs (ALSH)",
    "alae": "Accueil périscolaire (ALAE)",
    "eaje": "Crèche (EAJE)",
    "mam": "Maison d'assistants maternels (MAM)",
    "rpe": "Relais petite enfance (RPE)",
    "laep": "Lieu d'accueil enfants-parents (LAEP)",
    "france_services": "France services",
    "centre_social": "Centre social",
    "evs": "Espace de vie sociale (EVS)",
    "point_justice": "Point justice",
    "accueil_jeunes": "Accueil jeunes",
}

#: Opening tokens (``facilities.opening``) in words.
OPENING_LABELS = {
    "mercredis": "mercredis",
    "vacances": "vacances scolaires",
    "periscolaire": "périscolaire",
    "semaine": "en semaine",
    "samedi": "samedi",
}

#: Marker colours per kind (colour-blind safe Okabe-Ito palette, then greys).
KIND_COLORS = {
    "alsh": "#D55E00",
    "alae": "#E69F00",
    "eaje": "#0072B2",
    "mam": "#56B4E9",
    "rpe": "#009E73",
    "laep": "#F0E442",
    "france_services": "#CC79A7",
    "centre_social": "#7F4F24",
    "evs": "#999999",
    "point_justice": "#555555",
    "accueil_jeunes": "#332288",
}


#: Layer names (``Territory.sources`` keys) as planners say them.
LAYER_LABELS = {
    "communes": "communes",
    "facilities": "équipements",
    "itinerant_stops": "arrêts itinérants",
    "bus_stops": "arrêts de bus",
}


def layer_label(name: str) -> str:
    """French name of a layer (``"facilities"`` → ``"équipements"``)."""
    return LAYER_LABELS.get(str(name), str(name))


def kind_label(kind: str) -> str:
    """French name of a facility kind; unknown kinds are shown as given."""
    return KIND_LABELS.get(str(kind), str(kind))


def kind_color(kind: str) -> str:
    """Hex colour used for a facility kind on every map and figure."""
    return KIND_COLORS.get(str(kind), "#444444")


def opening_label(opening) -> str:
    """``"mercredis;vacances"`` → ``"mercredis, vacances scolaires"`` (empty when unknown)."""
    if not isinstance(opening, str) or not opening.strip():
        return ""
    tokens = [t.strip() for t in opening.split(";") if t.strip()]
    return ", ".join(OPENING_LABELS.get(t, t) for t in tokens)


def is_missing(value) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def fr_number(value, decimals: int = 0) -> str:
    """A number written the French way: ``12 345,6`` (narrow no-break space, decimal comma).

    Missing values give ``"–"``.
    """
    if is_missing(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def ages_label(age_min, age_max) -> str:
    """``(3, 11)`` → ``"3 à 11 ans"``; partial or missing bounds are written accordingly."""
    lo, hi = (None if is_missing(a) else fr_number(a, 0 if float(a).is_integer() else 1)
              for a in (age_min, age_max))
    if lo and hi:
        return f"{lo} à {hi} ans"
    if lo:
        return f"à partir de {lo} ans"
    if hi:
        return f"jusqu'à {hi} ans"
    return "non précisé"


def protect_count(value, threshold: int) -> str:
    """A child count as published: ``"< 5"`` from 1 to ``threshold`` − 1 (secret statistique).

    Zero is published as such: it reveals no one.

    Parameters
    ----------
    value : float
        Number of children (may be fractional when estimated).
    threshold : int
        Counts strictly below it are hidden (``maillage.settings.SMALL_COUNT_THRESHOLD``).

    Returns
    -------
    str
        ``"< 5"``, the rounded count (``"12"``) or ``""`` when missing.
    """
    if is_missing(value):
        return ""
    if 0 < float(value) < threshold:
        return f"< {threshold}"
    return str(int(round(float(value))))
