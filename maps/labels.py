"""French labels and number formatting for everything a planner reads on a map or in a report."""

from __future__ import annotations

from maillage.formatting import fr_number, is_missing
from maillage.kinds import SERVICE_KINDS, RegistryView, kind_color, kind_label

__all__ = ["KIND_COLORS", "KIND_LABELS", "LAYER_LABELS", "OPENING_LABELS", "ages_label",
           "fr_number", "is_missing", "kind_color", "kind_label", "layer_label",
           "opening_label", "protect_count", "short_kind"]

#: Facility kinds (``facilities.kind``) as planners name them: a view of the registry
#: :data:`maillage.kinds.SERVICE_KINDS` (add a kind there).
KIND_LABELS = RegistryView(lambda: {k: v.label for k, v in SERVICE_KINDS.items()})

#: Opening tokens (``facilities.opening``) in words.
OPENING_LABELS = {
    "mercredis": "mercredis",
    "vacances": "vacances scolaires",
    "periscolaire": "périscolaire",
    "semaine": "en semaine",
    "samedi": "samedi",
}

#: Marker colours per kind (colour-blind safe Okabe-Ito palette, then greys): a view of the
#: registry :data:`maillage.kinds.SERVICE_KINDS`.
KIND_COLORS = RegistryView(lambda: {k: v.color for k, v in SERVICE_KINDS.items()})


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


def short_kind(kind: str) -> str:
    """``alsh`` → ``ALSH`` (the acronym of the French label when it has one)."""
    label = kind_label(kind)
    return label[label.rindex("(") + 1:-1] if label.endswith(")") else label


def opening_label(opening) -> str:
    """``"mercredis;vacances"`` → ``"mercredis, vacances scolaires"`` (empty when unknown)."""
    if not isinstance(opening, str) or not opening.strip():
        return ""
    tokens = [t.strip() for t in opening.split(";") if t.strip()]
    return ", ".join(OPENING_LABELS.get(t, t) for t in tokens)


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
