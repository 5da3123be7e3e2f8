"""What-if scenarios: read a scenario file (YAML) and apply its changes to the registry.

A scenario file (schema in docs/DESIGN.md) names a base date and lists changes, with the
planners' French keys: ``ouvrir`` (open), ``redimensionner`` (resize), ``fermer`` (close),
``deplacer`` (move), ``itinerance`` (replace an itinerant service's stops). Every mistake is
reported with the file, the line and the fix. Running a scenario (indicators before and
after) is :func:`maillage.analysis.scenario.run_scenario`.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from maillage.errors import InputError
from maillage.kinds import RegistrySet, kinds_where, service_kind

from ..capacity import PERIODS, in_force

#: Kinds counted in places: opening one needs ``places`` (as the facility loader requires a
#: capacity); the registry's field ``capacity``.
CAPACITY_REQUIRED = RegistrySet(lambda: kinds_where(lambda k: k.capacity == "required"))

#: Change type → (required keys, optional keys).
CHANGE_KEYS = {
    "ouvrir": ({"id", "type"}, {"nom", "commune", "lat", "lon", "places", "ages", "ouverture",
                                "sous_type"}),
    "redimensionner": ({"id", "places"}, set()),
    "fermer": ({"id"}, set()),
    "deplacer": ({"id"}, {"commune", "lat", "lon"}),
    "itinerance": ({"id", "arrets"}, set()),
}
#: French verb of each change, for messages ("le scénario ferme « x » …").
VERBS = {"ouvrir": "ouvre", "redimensionner": "redimensionne", "fermer": "ferme",
         "deplacer": "déplace", "itinerance": "change l'itinérance de"}
TOP_KEYS = {"nom", "description", "source", "territoire", "epci", "date", "indicateurs",
            "changements"}


@dataclass
class Change:
    """One change of a scenario: its type, its fields and where it is written.

    Attributes
    ----------
    action : str
        ``ouvrir``, ``redimensionner``, ``fermer``, ``deplacer`` or ``itinerance``.
    fields : dict
        The change's keys as written (``id``, ``places`` …).
    line : int
        Line of the change in the scenario file (1-based).
    """

    action: str
    fields: dict
    line: int

    def describe(self) -> str:
        """French one-line description ("ouvrir alsh « ALSH de Calamane » (20 places)")."""
        f = self.fields
        if self.action == "ouvrir":
            places = f" ({f['places']:g} places)" if f.get("places") is not None else ""
            where = f" à {f['commune']}" if f.get("commune") else ""
            return f"ouvrir {f['type']} « {f.get('nom', f['id'])} »{where}{places}"
        if self.action == "redimensionner":
            return f"redimensionner « {f['id']} » à {f['places']:g} places"
        if self.action == "deplacer":
            return f"déplacer « {f['id']} » vers {f.get('commune') or 'un nouveau point'}"
        if self.action == "itinerance":
            return f"nouvelle tournée de « {f['id']} » ({len(f['arrets'])} arrêt(s))"
        return f"fermer « {f['id']} »"


@dataclass
class Scenario:
    """A parsed, validated scenario file.

    Attributes
    ----------
    name : str
        ``nom``.
    date : pandas.Timestamp
        Base state: the facilities in force at this date.
    territory : str
        ``territoire`` ("lot" or an EPCI SIREN).
    epci : str or None
        Optional restriction to one EPCI (SIREN).
    indicators : list of str
        Kinds compared (keys of :data:`maillage.analysis.capacity.AGE_BANDS` or facility kinds).
    changes : list of Change
    path : str or None
        The file, for error messages.
    """

    name: str
    date: pd.Timestamp
    territory: str = "lot"
    epci: str | None = None
    indicators: list[str] = field(default_factory=lambda: ["alsh"])
    changes: list[Change] = field(default_factory=list)
    path: str | None = None
    description: str = ""
    source: str = ""

    def error(self, message: str, change: Change | None = None, column=None, fix=None):
        """An :class:`InputError` located in this scenario file."""
        return InputError(message, file=self.path, row=None if change is None else change.line,
                          column=column, fix=fix)


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text (checked and parsed by us, with a line)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _lines(node) -> dict:
    """Line (1-based) of each top-level key and of each item of ``changements``."""
    lines = {"changements": []}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        lines[key.value] = key.start_mark.line + 1
        if key.value == "changements" and isinstance(value, yaml.SequenceNode):
            lines["changements"] = [item.start_mark.line + 1 for item in value.value]
    return lines


def _date(value) -> pd.Timestamp | None:
    """A base date written AAAA-MM-JJ or, the French way, JJ/MM/AAAA (day first)."""
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return pd.Timestamp(datetime.strptime(str(value).strip(), form))
        except ValueError:
            continue
    return None


def _number(scenario, change, key, *, minimum=0.0) -> float:
    value = change.fields.get(key)
    if (isinstance(value, bool) or not isinstance(value, int | float) or value < minimum
            or not math.isfinite(value)):
        raise scenario.error(f"« {key} » vaut {value!r} dans « {change.action} »", change, key,
                             f"écrire un nombre ≥ {minimum:g}")
    return float(value)


def _with_articles(kinds) -> str:
    """``{"alsh", "mam"}`` → ``"un alsh ou une mam"`` (registry order)."""
    words = [f"{service_kind(k).article} {k}" for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " ou " + words[-1]


def _check_change(scenario: Scenario, change: Change) -> None:
    required, optional = CHANGE_KEYS[change.action]
    keys = set(change.fields)
    if required - keys:
        missing = sorted(required - keys)[0]
        raise scenario.error(f"« {change.action} » sans « {missing} »", change, missing,
                             f"ajouter {missing}: …")
    if keys - required - optional:
        extra = sorted(keys - required - optional)[0]
        raise scenario.error(f"clé inconnue « {extra} » dans « {change.action} »", change, extra,
                             "clés acceptées : " + ", ".join(sorted(required | optional)))
    change.fields["id"] = str(change.fields["id"])
    if "places" in change.fields and change.fields["places"] is not None:
        change.fields["places"] = _number(scenario, change, "places")
    elif change.action == "ouvrir" and change.fields["type"] in CAPACITY_REQUIRED:
        raise scenario.error(f"« ouvrir » un service {change.fields['type']} sans « places »",
                             change, "places", "indiquer places: (capacité agréée) pour "
                             + _with_articles(CAPACITY_REQUIRED))
    if change.action in ("ouvrir", "deplacer"):
        has_point = "lat" in keys and "lon" in keys
        if not change.fields.get("commune") and not has_point:
            raise scenario.error(f"« {change.action} » sans lieu", change, "commune",
                                 "indiquer commune: \"46046\" (code INSEE) ou lat: et lon:")
        if change.fields.get("commune"):
            change.fields["commune"] = str(change.fields["commune"]).zfill(5)
        if has_point:
            _number(scenario, change, "lat", minimum=-90)
            _number(scenario, change, "lon", minimum=-180)
    if "ages" in change.fields:
        ages = change.fields["ages"]
        if (not isinstance(ages, list) or len(ages) != 2
                or not all(isinstance(a, int | float) for a in ages) or ages[1] <= ages[0]):
            raise scenario.error(f"âges illisibles : {ages!r}", change, "ages",
                                 "écrire ages: [3, 12] (âge minimum, âge maximum)")
    if "ouverture" in change.fields:
        tokens = change.fields["ouverture"]
        tokens = tokens if isinstance(tokens, list) else str(tokens).split(";")
        unknown = [t for t in tokens if str(t).strip() not in PERIODS]
        if unknown:
            raise scenario.error(f"période d'ouverture inconnue « {unknown[0]} »", change,
                                 "ouverture", "choisir parmi " + ", ".join(PERIODS))
        change.fields["ouverture"] = ";".join(str(t).strip() for t in tokens)
    if change.action == "itinerance":
        stops = change.fields["arrets"]
        if not isinstance(stops, list) or not stops:
            raise scenario.error("« arrets » doit être une liste d'arrêts", change, "arrets",
                                 "écrire arrets: [{commune: \"46046\", jours_par_mois: 2}]")
        for stop in stops:
            days = stop.get("jours_par_mois") if isinstance(stop, dict) else None
            if (not isinstance(stop, dict) or not stop.get("commune")
                    or isinstance(days, bool) or not isinstance(days, int | float) or days < 0):
                raise scenario.error(f"arrêt illisible : {stop!r}", change, "arrets",
                                     "chaque arrêt : {commune: \"46046\", jours_par_mois: 2}")
            stop["commune"] = str(stop["commune"]).zfill(5)


def parse_scenario(text: str, file: str | None = None) -> Scenario:
    """Parse and validate the text of a scenario file (see :func:`load_scenario`).

    Parameters
    ----------
    text : str
        The YAML text of the scenario.
    file : str, optional
        The file it came from, named in error messages.

    Returns
    -------
    Scenario
        The scenario: name, date, territory and its changes, each with its line.

    Raises
    ------
    InputError
        Unreadable YAML or a change that cannot be applied (the message gives the line).

    Examples
    --------
    >>> text = '''
    ... nom: "Ouverture de l'ALSH de Calamane"
    ... date: 2025-03-31
    ... epci: "200023737"
    ... changements:
    ...   - ouvrir: {id: alsh-calamane, type: alsh, commune: "46046", places: 20}
    ...   - redimensionner: {id: alsh-catus, places: 48}
    ... '''
    >>> scenario = parse_scenario(text)
    >>> scenario.name, f"{scenario.date:%Y-%m-%d}"
    ("Ouverture de l'ALSH de Calamane", '2025-03-31')
    >>> [(change.action, change.fields["id"], change.line) for change in scenario.changes]
    [('ouvrir', 'alsh-calamane', 6), ('redimensionner', 'alsh-catus', 7)]
    """
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        lines = _lines(yaml.compose(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"YAML illisible : {getattr(exc, 'problem', exc)}", file=file,
                         row=None if mark is None else mark.line + 1,
                         fix="vérifier l'indentation et les deux-points") from exc
    if not isinstance(data, dict):
        raise InputError("le scénario doit être un dictionnaire YAML", file=file,
                         fix="commencer par nom:, date:, changements:")
    for key in data:
        if key not in TOP_KEYS:
            raise InputError(f"clé inconnue « {key} »", file=file, row=lines.get(key),
                             fix="clés acceptées : " + ", ".join(sorted(TOP_KEYS)))
    date = _date(data.get("date"))
    if date is None:
        raise InputError(f"date de base illisible : {data.get('date')!r}", file=file,
                         row=lines.get("date"), column="date",
                         fix="écrire date: AAAA-MM-JJ (l'état du registre à comparer)")
    indicators = data.get("indicateurs", ["alsh"])
    indicators = [indicators] if isinstance(indicators, str) else list(indicators or [])
    if not indicators:
        raise InputError("aucun indicateur à comparer", file=file, row=lines.get("indicateurs"),
                         column="indicateurs", fix="écrire indicateurs: [alsh] (ou eaje, …)")
    scenario = Scenario(name=str(data.get("nom") or Path(file or "scénario").stem), date=date,
                        territory=str(data.get("territoire", "lot")),
                        epci=None if data.get("epci") is None else str(data["epci"]),
                        indicators=[str(i) for i in indicators], path=file,
                        description=str(data.get("description") or ""),
                        source=str(data.get("source") or ""))
    items = data.get("changements")
    if not items:
        raise scenario.error("le scénario ne contient aucun changement", column="changements",
                             fix="ajouter changements: avec au moins un changement ("
                                 + ", ".join(CHANGE_KEYS) + ")")
    if not isinstance(items, list):
        raise scenario.error("« changements » doit être une liste", column="changements",
                             fix="écrire chaque changement sur une ligne commençant par « - »")
    for position, item in enumerate(items):
        line = lines["changements"][position] if position < len(lines["changements"]) else None
        if not isinstance(item, dict) or len(item) != 1:
            raise InputError("un changement doit avoir un seul type", file=file, row=line,
                             fix="écrire « - ouvrir: {…} » (un type par tiret)")
        (action, fields), = item.items()
        if action not in CHANGE_KEYS:
            raise InputError(f"type de changement inconnu « {action} »", file=file, row=line,
                             fix="choisir parmi " + ", ".join(CHANGE_KEYS))
        if not isinstance(fields, dict):
            raise InputError(f"« {action} » doit être suivi de ses champs", file=file, row=line,
                             fix=f"écrire « - {action}: {{id: …}} »")
        change = Change(action, dict(fields), line)
        _check_change(scenario, change)
        scenario.changes.append(change)
    return scenario


def check_ids(scenario: Scenario, facilities: pd.DataFrame) -> None:
    """Check the scenario's facility ids against a registry, change by change.

    A resized, closed, moved or rerouted id must be in force at the scenario date (or opened
    by an earlier change); an opened id must be new. Raises :class:`InputError` with the line.
    """
    present = set(in_force(facilities, scenario.date).index.astype(str))
    closed = {}
    for change in scenario.changes:
        fid = change.fields["id"]
        if change.action == "ouvrir":
            if fid in facilities.index or fid in present:
                raise scenario.error(f"le scénario ouvre « {fid} » qui existe déjà dans le "
                                     "registre", change, "id", "choisir un nouvel identifiant")
            present.add(fid)
            continue
        require_id(scenario, change, pd.Index(sorted(present)), facilities, closed)
        if change.action == "fermer":
            present.discard(fid)
            closed[fid] = change.line


def require_id(scenario, change, present, registry, closed: dict) -> str:
    """The change's facility id, checked against the ids in force (``present``: an Index);
    ``closed`` maps the ids closed by earlier changes to their line."""
    fid = change.fields["id"]
    if fid in present:
        return fid
    verb = VERBS[change.action]
    if fid in closed:
        raise scenario.error(f"le scénario {verb} « {fid} » qu'il ferme plus haut "
                             f"(ligne {closed[fid]})", change, "id",
                             "retirer l'un des deux changements")
    if fid in registry.index:
        raise scenario.error(f"le scénario {verb} « {fid} » qui n'est pas en service au "
                             f"{scenario.date:%Y-%m-%d}", change, "id",
                             "choisir l'identifiant en service à la date du scénario")
    raise scenario.error(f"le scénario {verb} « {fid} » qui n'existe pas dans le registre",
                         change, "id",
                         "copier l'identifiant exact depuis la colonne id du registre")


def load_scenario(path, registry: pd.DataFrame | None = None) -> Scenario:
    """Read and validate a scenario file (YAML).

    Parameters
    ----------
    path : str or path-like
        The scenario file.
    registry : DataFrame, optional
        Facilities (every date): when given, the ids are checked too (:func:`check_ids`).

    Returns
    -------
    Scenario
        The scenario: name, date, territory and its changes, each with its line.

    Raises
    ------
    InputError
        Unreadable YAML, unknown keys or change types, negative places, bad dates or ages,
        with the file, the line and the fix. Unknown facility ids ("le scénario ferme « x »
        qui n'existe pas dans le registre") are checked when ``registry`` is given, and
        always when the scenario is applied
        (:func:`~maillage.analysis.scenario.apply.apply_changes`).

    Examples
    --------
    >>> from importlib.resources import files
    >>> scenario = load_scenario(files("maillage.data") / "scenarios" / "calamane-2025.yaml")
    >>> scenario.epci, [change.action for change in scenario.changes]
    ('200023737', ['ouvrir'])
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("fichier de scénario introuvable", file=str(path),
                         fix="vérifier le chemin du fichier YAML") from exc
    except UnicodeDecodeError as exc:
        raise InputError("le scénario n'est pas en UTF-8", file=str(path),
                         fix="enregistrer le fichier en UTF-8") from exc
    scenario = parse_scenario(text, file=str(path))
    if registry is not None:
        check_ids(scenario, registry)
    return scenario
