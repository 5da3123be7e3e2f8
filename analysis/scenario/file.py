"""What-if scenarios: read a scenario file (YAML) and apply its changes to the registry.

A scenario file (schema in docs/DESIGN.md) names a base date and lists changes, with the
planners' French keys: ``ouvrir`` (open), ``redimensionner`` (resize), ``fermer`` (close),
``deplacer`` (move), ``itinerance`` (replace an itinerant service's stops). Every mistake is
reported with the file, the line and the fix. Running a scenario (indicators before and
after) is :func:`maillage.analysis.scenario.run_scenario`.

The file is user input: it is read within budgets (size, nesting, aliases: no YAML bomb) by
:mod:`.safe_yaml`, and every value is checked by :mod:`.fields`. A service ``type`` is read
as the facility loader reads its ``type`` column (``ALSH`` → ``alsh``, ``Crèche`` → ``eaje``);
an unknown one is an error naming the kinds of :data:`maillage.kinds.SERVICE_KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from maillage.errors import InputError
from maillage.formatting import fr_number
from maillage.kinds import RegistrySet, kinds_where, service_kind
from maillage.layers.facilities import EARLIEST_YEAR, OPEN_ENDED_YEAR

from ..capacity import PERIODS, in_force
from . import fields as check
from .safe_yaml import MAX_BYTES, read_yaml

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
            "changements", "equipements"}
#: Keys of a facility added to the base registry (``equipements``): those of ``ouvrir``, plus
#: its validity dates, whether it is itinerant, and free texts.
FACILITY_EXTRA_KEYS = {"debut", "fin", "itinerant", "adresse", "gestionnaire", "source"}


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
    facilities : list of Change
        ``equipements``: facilities added to the base registry before the changes (a
        planner's own file, carried in the scenario so that it runs anywhere); each is an
        ``ouvrir`` change with, optionally, ``debut`` / ``fin`` (validity dates),
        ``itinerant``, ``adresse``, ``gestionnaire``, ``source``. An id already in the
        registry is replaced.

    Examples
    --------
    >>> scenario = parse_scenario('''
    ... nom: "Catus passe à 48 places"
    ... date: 2024-08-31
    ... indicateurs: [alsh]
    ... changements:
    ...   - redimensionner: {id: gc-alsh-catus, places: 48}
    ... ''')
    >>> scenario.name, scenario.territory, scenario.indicators, f"{scenario.date:%d/%m/%Y}"
    ('Catus passe à 48 places', 'lot', ['alsh'], '31/08/2024')
    >>> scenario.changes[0].action, scenario.changes[0].fields
    ('redimensionner', {'id': 'gc-alsh-catus', 'places': 48.0})
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
    facilities: list[Change] = field(default_factory=list)

    def error(self, message: str, change: Change | None = None, column=None, fix=None):
        """An :class:`InputError` located in this scenario file."""
        return InputError(message, file=self.path, row=None if change is None else change.line,
                          column=column, fix=fix)


def _lines(node) -> dict:
    """Line (1-based) of each top-level key and of each item of ``changements``."""
    lines = {"changements": [], "equipements": []}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        lines.setdefault(key.value, key.start_mark.line + 1)
        if key.tag.endswith(":null"):
            lines.setdefault(None, key.start_mark.line + 1)
        elif key.tag.endswith(":int") and key.value.lstrip("+-").isdigit():
            lines.setdefault(int(key.value), key.start_mark.line + 1)
        if key.value in ("changements", "equipements") and isinstance(value,
                                                                     yaml.SequenceNode):
            lines[key.value] = [item.start_mark.line + 1 for item in value.value]
    return lines


def _date(value) -> datetime | None:
    """A base date written AAAA-MM-JJ or, the French way, JJ/MM/AAAA (day first)."""
    if not isinstance(value, str | int):
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(str(value).strip(), form)
        except ValueError:
            continue
    return None


def _base_date(data: dict, file, lines) -> pd.Timestamp:
    """``date:``, a day between :data:`EARLIEST_YEAR` and :data:`OPEN_ENDED_YEAR` (excluded).

    A scenario compares the registry *at* a date: a far-future one (9999-01-01, which
    planners type for "no end" in end-date columns) is no state of the registry.
    """
    date = _date(data.get("date"))
    if date is None:
        raise InputError(f"date de base illisible : {data.get('date')!r}", file=file,
                         row=lines.get("date"), column="date",
                         fix="écrire date: AAAA-MM-JJ (l'état du registre à comparer)")
    if not EARLIEST_YEAR <= date.year < OPEN_ENDED_YEAR:
        raise InputError(f"date de base improbable (année {date.year})", file=file,
                         row=lines.get("date"), column="date",
                         fix=f"écrire une date entre {EARLIEST_YEAR} et {OPEN_ENDED_YEAR - 1} "
                             "(AAAA-MM-JJ) : l'état du registre à comparer")
    return pd.Timestamp(date)


def _with_articles(kinds) -> str:
    """``{"alsh", "mam"}`` → ``"un alsh ou une mam"`` (registry order)."""
    words = [f"{service_kind(k).article} {k}" for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " ou " + words[-1]


def _check_change(scenario: Scenario, change: Change, *, places_required: bool = True) -> None:
    """Check and clean one change's fields in place (see :mod:`.fields`); a registry entry
    (``places_required`` False) may have unknown places."""
    def error(message, column, fix):
        return scenario.error(message, change, column, fix)

    f = change.fields
    for key in f:
        problem = check.key_problem(key)
        if problem:
            raise error(f"{problem} dans « {change.action} »", None,
                        "écrire les clés en lettres (id:, places: …)")
    required, optional = CHANGE_KEYS[change.action]
    keys = set(f)
    if required - keys:
        missing = sorted(required - keys)[0]
        raise error(f"« {change.action} » sans « {missing} »", missing, f"ajouter {missing}: …")
    if keys - required - optional:
        extra = sorted(keys - required - optional)[0]
        raise error(f"clé inconnue « {extra} » dans « {change.action} »", extra,
                    "clés acceptées : " + ", ".join(sorted(required | optional)))
    f["id"] = check.text(error, f["id"], "id", required=True)
    for key in ("nom", "sous_type"):
        if key in f:
            f[key] = check.text(error, f[key], key)
    if change.action == "ouvrir":
        f["type"], subtype = check.kind(error, f["type"])
        if subtype and not f.get("sous_type"):
            f["sous_type"] = subtype
    if "places" in f and f["places"] is not None:
        f["places"] = check.number(error, f["places"], "places", where=change.action)
    elif change.action == "ouvrir" and f["type"] in CAPACITY_REQUIRED and places_required:
        raise error(f"« ouvrir » un service {f['type']} sans « places »", "places",
                    "indiquer places: (capacité agréée) pour " + _with_articles(CAPACITY_REQUIRED))
    if change.action in ("ouvrir", "deplacer"):
        has_point = "lat" in keys or "lon" in keys
        if f.get("commune") is not None:
            f["commune"] = check.text(error, f["commune"], "commune").zfill(5)
        if not f.get("commune") and not has_point:
            raise error(f"« {change.action} » sans lieu", "commune",
                        "indiquer commune: \"46046\" (code INSEE) ou lat: et lon:")
        if has_point:
            f["lat"], f["lon"] = check.point(error, f.get("lat"), f.get("lon"))
    if "ages" in f:
        f["ages"] = check.ages(error, f["ages"])
    if "ouverture" in f:
        tokens = f["ouverture"]
        tokens = tokens if isinstance(tokens, list) else str(tokens).split(";")
        unknown = [t for t in tokens if str(t).strip() not in PERIODS]
        if unknown:
            raise error(f"période d'ouverture inconnue « {unknown[0]} »", "ouverture",
                        "choisir parmi " + ", ".join(PERIODS))
        f["ouverture"] = ";".join(str(t).strip() for t in tokens)
    if change.action == "itinerance":
        f["arrets"] = check.stops(error, f["arrets"])


def _check_facility(scenario: Scenario, fields, line) -> Change:
    """One entry of ``equipements``: an ``ouvrir`` change's fields, validated as such, plus
    its validity dates, itinerant flag and free texts."""
    if not isinstance(fields, dict):
        raise InputError("un équipement doit être un dictionnaire de champs",
                         file=scenario.path, row=line, column="equipements",
                         fix="écrire « - {id: …, type: …, commune: …} »")
    change = Change("ouvrir", dict(fields), line)
    extra = {key: change.fields.pop(key) for key in FACILITY_EXTRA_KEYS
             if key in change.fields}
    _check_change(scenario, change, places_required=False)
    for key in ("debut", "fin"):
        if extra.get(key) is not None:
            day = _date(extra[key])
            if day is None:
                raise scenario.error(f"date « {key} » illisible : {extra[key]!r}", change, key,
                                     "écrire la date AAAA-MM-JJ")
            extra[key] = f"{day:%Y-%m-%d}"
    if not isinstance(extra.get("itinerant", False), bool):
        raise scenario.error("« itinerant » doit valoir true ou false", change, "itinerant",
                             "écrire itinerant: true pour un service itinérant")

    def error(message, column, fix):
        return scenario.error(message, change, column, fix)

    for key in ("adresse", "gestionnaire", "source"):
        if key in extra:
            extra[key] = check.text(error, extra[key], key)
    change.fields.update({k: v for k, v in extra.items() if v is not None})
    return change


def _opened_once(scenario: Scenario) -> None:
    """The same id opened twice in one scenario is a copy-paste mistake: refuse it."""
    opened: dict[str, int] = {}
    for change in scenario.changes:
        if change.action != "ouvrir":
            continue
        fid = change.fields["id"]
        if fid in opened:
            raise scenario.error(f"« {fid} » ouvert deux fois (déjà ligne {opened[fid]})",
                                 change, "id", "donner un identifiant différent à chaque "
                                               "ouverture")
        opened[fid] = change.line


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
        YAML that does not parse or breaks a budget (:mod:`.safe_yaml`), or a value that
        is not valid (see :func:`load_scenario`); the message gives the line.

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
    data, node = read_yaml(text, file)
    lines = _lines(node)
    if not isinstance(data, dict):
        raise InputError("le scénario doit être un dictionnaire YAML", file=file,
                         fix="commencer par nom:, date:, changements:")

    def error(message, column, fix):
        return InputError(message, file=file, row=lines.get(column), column=column, fix=fix)

    for key in data:
        problem = check.key_problem(key)
        if problem:
            raise InputError(problem, file=file, row=lines.get(key),
                             fix="écrire les clés en lettres : nom:, date:, changements:")
        if key not in TOP_KEYS:
            raise InputError(f"clé inconnue « {key} »", file=file, row=lines.get(key),
                             fix="clés acceptées : " + ", ".join(sorted(TOP_KEYS)))
    date = _base_date(data, file, lines)
    texts = {key: check.text(error, data.get(key), key)
             for key in ("nom", "description", "source", "territoire", "epci")}
    scenario = Scenario(name=texts["nom"] or Path(file or "scénario").stem, date=date,
                        territory=texts["territoire"] or "lot", epci=texts["epci"],
                        indicators=check.indicators(error, data.get("indicateurs", ["alsh"])),
                        path=file, description=texts["description"] or "",
                        source=texts["source"] or "")
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
    _opened_once(scenario)
    added = data.get("equipements") or []
    if not isinstance(added, list):
        raise scenario.error("« equipements » doit être une liste", column="equipements",
                             fix="écrire chaque équipement sur une ligne commençant par « - »")
    seen: dict[str, int | None] = {}
    for position, fields in enumerate(added):
        line = lines["equipements"][position] if position < len(lines["equipements"]) else None
        change = _check_facility(scenario, fields, line)
        fid = change.fields["id"]
        if fid in seen:
            raise scenario.error(f"équipement « {fid} » listé deux fois (déjà ligne "
                                 f"{seen[fid]})", change, "id",
                                 "garder une seule ligne par identifiant")
        seen[fid] = line
        scenario.facilities.append(change)
    return scenario


def check_ids(scenario: Scenario, facilities: pd.DataFrame) -> None:
    """Check the scenario's facility ids against a registry, change by change.

    A resized, closed, moved or rerouted id must be in force at the scenario date (or opened
    by an earlier change); an opened id must be new. Raises :class:`InputError` with the line.
    """
    present = set(in_force(facilities, scenario.date).index.astype(str))
    day = f"{scenario.date:%Y-%m-%d}"
    for entry in scenario.facilities:  # the scenario's own facilities (``equipements``)
        f = entry.fields
        present.discard(f["id"])
        if f.get("debut", day) <= day <= f.get("fin", day):
            present.add(f["id"])
    closed = {}
    for change in scenario.changes:
        fid = change.fields["id"]
        if change.action == "ouvrir":
            if fid in facilities.index or fid in present or fid in {
                    e.fields["id"] for e in scenario.facilities}:
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
        With the file, the line and the fix: a folder or a file too big; YAML that does not
        parse, holds a tag (``!!python/…``), nests too deep or expands its aliases too far
        (:mod:`.safe_yaml`); keys that are not words, unknown keys or change types; texts
        given as lists; an unknown service kind (``type: piscine``; case and accents do not
        matter, ``ALSH`` is ``alsh``) or indicator; places, coordinates (Lambert-93 or
        outside France), ages (0 to 120 years) or days per month (31 at most) out of range;
        a base date unreadable or outside 1900–2099; the same id opened twice. Unknown
        facility ids ("le scénario ferme « x »
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
    if path.is_dir():
        raise InputError("le scénario donné est un dossier", file=str(path),
                         fix="donner le fichier YAML du scénario (ex. calamane-2025.yaml)")
    if path.is_file() and path.stat().st_size > MAX_BYTES:
        raise InputError(f"fichier YAML trop gros ({fr_number(path.stat().st_size)} octets, "
                         f"{fr_number(MAX_BYTES)} au plus)", file=str(path),
                         fix="un scénario tient en quelques lignes : vérifier le fichier donné")
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
