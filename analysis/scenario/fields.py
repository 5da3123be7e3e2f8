"""Checks of the values a scenario file gives: texts, kinds, numbers, places, ages, stops.

Each check takes the value as YAML gave it and returns it cleaned, or raises the
:class:`~maillage.errors.InputError` the planner reads (French, with the file, the line, the
column and the fix). :mod:`maillage.analysis.scenario.file` calls them change by change.
"""

from __future__ import annotations

import math

from maillage.layers.facilities import KIND_SYNONYMS, KINDS, MAX_AGE
from maillage.layers.locate import FRANCE_LAT, FRANCE_LON, L93_X, L93_Y
from maillage.layers.tables import normalize_header
from maillage.settings import LAYER_CRS, METRIC_CRS

from ..capacity import AGE_BANDS

#: Most days per month an itinerant service can stop somewhere.
MAX_DAYS_PER_MONTH = 31
#: Keys of one stop of ``itinerance: {arrets: [...]}``.
STOP_KEYS = {"commune", "jours_par_mois", "nom", "lat", "lon"}


def key_problem(key) -> str | None:
    """Why ``key`` cannot be a key of a scenario (None when it is a word)."""
    if key is None or key == "":
        return "clé vide"
    if not isinstance(key, str):
        return f"clé « {key} » qui n'est pas un mot"
    return None


def text(error, value, key: str, *, required: bool = False) -> str | None:
    """``value`` as text: a string or a number written bare (``id: 12``); lists refused."""
    if value is None or value == "":
        if required:
            raise error(f"« {key} » vide", key, f"écrire {key}: \"…\"")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise error(f"« {key} » doit être un texte, pas une liste ni un dictionnaire", key,
                    f"écrire {key}: \"…\" (entre guillemets)")
    return str(value).strip()


def kind(error, value) -> tuple[str, str]:
    """The registry kind of ``type:`` and the sub-type its synonym implies.

    Read as the facility loader reads the ``type`` column: case, accents and spaces do not
    matter (``ALSH`` → ``alsh``, ``Crèche`` → ``eaje`` / ``crèche``); an unknown kind is an
    error naming the known ones (:data:`maillage.kinds.SERVICE_KINDS`).
    """
    raw = text(error, value, "type", required=True)
    key = normalize_header(raw)
    if key in KINDS:
        return key, ""
    if key in KIND_SYNONYMS:
        return KIND_SYNONYMS[key]
    raise error(f"type de service « {raw} » inconnu", "type",
                "utiliser un de ces types : " + ", ".join(KINDS))


def indicators(error, value) -> list[str]:
    """``indicateurs:``: one kind or a list of kinds (or age bands such as ``alsh_3_5``)."""
    known = list(dict.fromkeys([*KINDS, *AGE_BANDS]))
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        raise error(f"« indicateurs » vaut {value!r} : une liste de types est attendue",
                    "indicateurs", "écrire indicateurs: [alsh] (ou [alsh, eaje]…)")
    if not values:
        raise error("aucun indicateur à comparer", "indicateurs",
                    "écrire indicateurs: [alsh] (ou eaje, …)")
    chosen = []
    for item in values:
        raw = text(error, item, "indicateurs", required=True)
        key = normalize_header(raw)
        if key not in known:
            raise error(f"indicateur « {raw} » inconnu", "indicateurs",
                        "choisir parmi " + ", ".join(known))
        chosen.append(key)
    return chosen


def number(error, value, key: str, *, minimum: float = 0.0, maximum: float = math.inf,
           where: str = "") -> float:
    """A finite number in ``[minimum, maximum]`` (``where``: the change, for the message)."""
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or not minimum <= value <= maximum):
        bound = f"un nombre ≥ {minimum:g}" if maximum == math.inf else \
            f"un nombre entre {minimum:g} et {maximum:g}"
        raise error(f"« {key} » vaut {value!r}" + (f" dans « {where} »" if where else ""), key,
                    f"écrire {bound}")
    return float(value)


def point(error, lat, lon) -> tuple[float, float]:
    """``lat:`` / ``lon:`` in WGS84 degrees, in metropolitan France; ``(lat, lon)``.

    Lambert-93 metres typed as degrees and points outside France are refused with the fix.
    """
    for value, key in ((lat, "lat"), (lon, "lon")):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            raise error(f"« {key} » vaut {value!r}", key, "écrire des degrés décimaux "
                        "(ex. lat: 44.4475, lon: 1.4390)")
    if FRANCE_LAT[0] <= lat <= FRANCE_LAT[1] and FRANCE_LON[0] <= lon <= FRANCE_LON[1]:
        return float(lat), float(lon)
    for x, y in ((lon, lat), (lat, lon)):
        if L93_X[0] <= x <= L93_X[1] and L93_Y[0] <= y <= L93_Y[1]:
            from pyproj import Transformer

            lon_deg, lat_deg = Transformer.from_crs(METRIC_CRS, LAYER_CRS,
                                                    always_xy=True).transform(x, y)
            raise error("coordonnées en mètres (Lambert-93) au lieu de degrés", "lat",
                        f"écrire des degrés WGS84 : lat: {lat_deg:.5f}, lon: {lon_deg:.5f}")
    raise error(f"point hors de France (lat {lat:g}, lon {lon:g})", "lat",
                "écrire des degrés décimaux WGS84 (lat ≈ 44,4 et lon ≈ 1,4 dans le Lot)")


def ages(error, value) -> list[float]:
    """``ages: [min, max]``: years, ``0 ≤ min < max ≤`` :data:`MAX_AGE`."""
    readable = (isinstance(value, list) and len(value) == 2 and all(
        isinstance(a, int | float) and not isinstance(a, bool) for a in value))
    if not readable or value[1] <= value[0]:
        raise error(f"âges illisibles : {value!r}", "ages",
                    "écrire ages: [3, 12] (âge minimum, âge maximum)")
    if not all(math.isfinite(a) and 0 <= a <= MAX_AGE for a in value):
        raise error(f"âges hors de 0 à {MAX_AGE} ans : {value!r}", "ages",
                    "écrire ages: [3, 12] (âge minimum, âge maximum, en années)")
    return [float(a) for a in value]


def stops(error, value) -> list[dict]:
    """``arrets:`` of an ``itinerance``: a list of ``{commune, jours_par_mois}`` (cleaned)."""
    example = "chaque arrêt : {commune: \"46046\", jours_par_mois: 2}"
    if not isinstance(value, list) or not value:
        raise error("« arrets » doit être une liste d'arrêts", "arrets",
                    "écrire arrets: [{commune: \"46046\", jours_par_mois: 2}]")
    cleaned = []
    for stop in value:
        if not isinstance(stop, dict) or not stop.get("commune"):
            raise error(f"arrêt illisible : {stop!r}", "arrets", example)
        for key in stop:
            problem = key_problem(key) or (None if key in STOP_KEYS else
                                           f"clé inconnue « {key} »")
            if problem:
                raise error(f"{problem} dans un arrêt", "arrets",
                            "clés d'un arrêt : " + ", ".join(sorted(STOP_KEYS)))
        commune = text(error, stop["commune"], "commune", required=True).zfill(5)
        days = stop.get("jours_par_mois")
        if isinstance(days, bool) or not isinstance(days, int | float) or days < 0 \
                or not math.isfinite(days):
            raise error(f"arrêt illisible : {stop!r}", "arrets", example)
        if days > MAX_DAYS_PER_MONTH:
            raise error(f"arrêt de « {commune} » : {days:g} jours par mois", "jours_par_mois",
                        "donner un nombre de jours de présence par mois "
                        f"({MAX_DAYS_PER_MONTH} au plus)")
        clean = {**stop, "commune": commune, "jours_par_mois": float(days)}
        if "nom" in stop:
            clean["nom"] = text(error, stop["nom"], "nom") or commune
        if "lat" in stop or "lon" in stop:
            clean["lat"], clean["lon"] = point(error, stop.get("lat"), stop.get("lon"))
        cleaned.append(clean)
    return cleaned
