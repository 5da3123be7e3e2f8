"""A scenario as the page sends it (the YAML schema, as JSON) ↔ the YAML file and ``Scenario``.

The page never builds a second scenario format: its JSON is dumped to the YAML text that
``maillage scenario run`` reads, and parsed back by :func:`maillage.analysis.scenario.parse_scenario`
(the same validation, the same messages). Saving writes that very text.
"""

from __future__ import annotations

import math

import pandas as pd
import yaml

from maillage.analysis.scenario import Scenario, parse_scenario
from maillage.errors import InputError

__all__ = ["MAX_CHANGES", "PAGE_FILE", "facility_entries", "located", "scenario_error",
           "scenario_from_json", "scenario_to_json", "scenario_yaml"]

#: Name given to the scenario being edited in the page, in messages.
PAGE_FILE = "scénario de la page"
#: At most this many changes in one scenario (an edit history, not a data file).
MAX_CHANGES = 500
#: Order of the top-level keys in a saved file.
KEY_ORDER = ("nom", "description", "source", "territoire", "epci", "date", "indicateurs",
             "changements", "equipements")
#: Stand-in change used to validate a scenario with no change yet (never applied).
_PLACEHOLDER = {"fermer": {"id": "aucun-changement"}}


def _change_lines(text: str) -> list[int]:
    """Line (1-based) of each item of ``changements`` in a YAML text."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "changements" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def located(exc: InputError, text: str) -> InputError:
    """``exc`` with its line in the generated ``text`` replaced by the change's position
    (1 = first change), which is what the page shows."""
    lines = _change_lines(text) if exc.row is not None else []
    before = [n for n, line in enumerate(lines, start=1) if line <= exc.row]
    return InputError(exc.message, file=PAGE_FILE, row=before[-1] if before else None,
                      column=exc.column, fix=exc.fix)


def scenario_yaml(data: dict) -> str:
    """The YAML text of a scenario given as JSON (keys in the usual order, UTF-8 text)."""
    ordered = {key: data[key] for key in KEY_ORDER if key in data and data[key] is not None}
    ordered.update({k: v for k, v in data.items() if k not in ordered and v is not None})
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)


def scenario_from_json(data) -> tuple[Scenario, str]:
    """Validate a scenario sent by the page; return it and its YAML text.

    Parameters
    ----------
    data : dict
        The YAML schema as JSON (``nom``, ``date``, ``epci``, ``indicateurs``,
        ``changements`` …); ``changements`` may be empty (the base state).

    Raises
    ------
    InputError
        As :func:`~maillage.analysis.scenario.parse_scenario`; ``row`` is then the position
        of the faulty change (1 = first change) rather than a line of the generated text.
    """
    if not isinstance(data, dict):
        raise InputError("le scénario doit être un objet JSON", file=PAGE_FILE,
                         fix="envoyer {\"nom\": …, \"date\": …, \"changements\": […]}")
    changes = data.get("changements") or []
    if not isinstance(changes, list):
        raise InputError("« changements » doit être une liste", file=PAGE_FILE,
                         column="changements", fix="envoyer une liste de changements")
    if len(changes) > MAX_CHANGES:
        raise InputError(f"trop de changements ({len(changes)})", file=PAGE_FILE,
                         column="changements",
                         fix=f"au plus {MAX_CHANGES} changements par scénario")
    empty = not changes
    text = scenario_yaml({**data, "changements": [_PLACEHOLDER] if empty else changes})
    try:
        scenario = parse_scenario(text, file=PAGE_FILE)
    except InputError as exc:
        raise located(exc, text) from exc
    if empty:
        scenario.changes = []
        text = scenario_yaml({**data, "changements": []})
    return scenario, text


def facility_entries(facilities: pd.DataFrame) -> list[dict]:
    """Registry rows (a loaded facility file) as the scenario's ``equipements`` entries: the
    fields of ``ouvrir`` (id, type, name, commune, point, places, ages, opening) plus the
    validity dates, the itinerant flag, address, operator and source, so that the file
    carries them to ``maillage scenario run`` on another machine."""

    def known(value) -> bool:
        if value is None or value is pd.NA or value is pd.NaT:
            return False
        if isinstance(value, float) and math.isnan(value):
            return False
        return str(value).strip() != ""

    entries = []
    for fid, row in facilities.iterrows():
        get = row.get
        entry = {"id": str(fid), "type": str(get("kind"))}
        for key, column in (("sous_type", "subtype"), ("nom", "name"),
                            ("commune", "commune_code"), ("ouverture", "opening"),
                            ("adresse", "address"), ("gestionnaire", "operator"),
                            ("source", "source")):
            if known(get(column)):
                entry[key] = str(get(column))
        entry["lat"], entry["lon"] = float(get("lat")), float(get("lon"))
        if known(get("capacity")):
            entry["places"] = float(get("capacity"))
        if known(get("age_min")) and known(get("age_max")):
            entry["ages"] = [float(get("age_min")), float(get("age_max"))]
        for key, column in (("debut", "valid_from"), ("fin", "valid_to")):
            if known(get(column)):
                entry[key] = f"{pd.Timestamp(get(column)):%Y-%m-%d}"
        if bool(get("itinerant", False)):
            entry["itinerant"] = True
        entries.append(entry)
    return entries


def scenario_to_json(scenario: Scenario) -> dict:
    """The page's JSON of a parsed scenario (normalised: commune codes on 5 characters,
    numbers as numbers, the date as AAAA-MM-JJ)."""
    epci = scenario.epci
    if epci is None and scenario.territory.isdigit():
        epci = scenario.territory
    data = {"nom": scenario.name, "territoire": "lot", "epci": epci,
            "date": f"{scenario.date:%Y-%m-%d}", "indicateurs": list(scenario.indicators),
            "changements": [{change.action: dict(change.fields)} for change in scenario.changes]}
    if scenario.description:
        data["description"] = scenario.description
    if scenario.source:
        data["source"] = scenario.source
    if scenario.facilities:
        data["equipements"] = [dict(entry.fields) for entry in scenario.facilities]
    return data


def scenario_error(exc: InputError, *, page: bool = True) -> dict:
    """JSON body of a scenario error: French message, where (change or line), the fix."""
    where = None
    if exc.row is not None:
        where = f"changement n° {exc.row}" if page else f"ligne {exc.row}"
    message = exc.message if where is None else f"{where} : {exc.message}"
    return {"erreur": message, "correction": exc.fix or "", "colonne": exc.column or "",
            "fichier": exc.file or "", "position": exc.row}
