"""One planner's session: the territory, its timer and the registry, kept in memory.

Loaded once at start-up (layers, compiled road graph, a :class:`MemoTimer` that remembers
every routed column); each request then runs the library's own functions on it:
:func:`~maillage.analysis.scenario.run_scenario` (one indicator at a time, remembered per
indicator and per the changes that touch its kinds, so that an edit recomputes only the
indicators it changes), :func:`~maillage.analysis.coverage.coverage`,
:func:`~maillage.analysis.coverage.zones_blanches`,
:func:`~maillage.analysis.coverage.france_services_target`, the siting functions, and the
report writer for the export.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from maillage.analysis import (
    AGE_BANDS,
    territory_origins,
    coverage,
    france_services_target,
    maximal_coverage,
    rank_candidates,
    run_scenario,
    zones_blanches,
)
from maillage.analysis.scenario import (
    ScenarioResult,
    apply_changes,
    indicator_band,
    with_scenario_facilities,
)
from maillage.errors import InputError
from maillage.kinds import kind_label
from maillage.pipeline import registry_scope, with_layers
from maillage.settings import DEFAULT_SETTINGS, METRIC_CRS, DiagnosticSettings

from . import geojson
from .cache import MemoTimer
from .scenario_json import (
    PAGE_FILE,
    facility_entries,
    located,
    scenario_from_json,
    scenario_to_json,
)

__all__ = ["Session", "UPLOAD_MAX_BYTES"]

#: Largest facility file accepted, bytes.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: Largest scenario file accepted, bytes.
SCENARIO_MAX_BYTES = 256 * 1024
#: File types accepted for facility uploads.
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".gpkg", ".geojson", ".json")
#: Results of single-indicator runs remembered.
RESULTS_KEPT = 256
#: Per-commune measures sent to the page (before / after; the page computes differences).
COMMUNE_COLUMNS = ("children", *(f"{m}_{s}" for m in ("places", "places_per_100_children",
                                                      "access_per_100_children",
                                                      "minutes_nearest")
                                  for s in ("before", "after")))
#: Measures the map can show, and their unit in legends.
MEASURES = {"places_per_100_children": "places pour 100 enfants",
            "access_per_100_children": "places pour 100 enfants", "minutes_nearest": "min"}
#: Class bounds of places per 100 children on the map (as the report's fixed classes).
PLACES_EDGES = (0, 5, 10, 20, 40)


def safe_name(name: str | None, default: str = "fichier") -> str:
    """A file name fit for messages and a private temporary folder: the last path part,
    letters, digits, spaces, dots, hyphens and underscores only, at most 80 characters."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = re.sub(r"[^\w .\-]", "_", base).strip(" .")[:80]
    return base or default


class Session:
    """The in-memory state of ``maillage app``.

    Parameters
    ----------
    territory : maillage.layers.Territory
        The territory (the Lot by default).
    timer : maillage.geo.Timer
        Source of travel times (minutes); wrapped in a :class:`MemoTimer`.
    epci : str, optional
        EPCI (SIREN) the page starts on.
    date : str, optional
        Base date the page starts on (AAAA-MM-JJ); default today.
    workdir : path, optional
        The app's private temporary folder (uploads, exports); created when omitted.
    settings : DiagnosticSettings, optional
        Thresholds (coverage, zones blanches, France services target, minutes) and the kinds
        compared (the report's access kinds); default :data:`maillage.settings.DEFAULT_SETTINGS`.

    Examples
    --------
    The page sends a scenario; the session answers the before / after of every indicator:

    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> session = Session(grand_cahors, StraightLineTimer(), epci="200023737", date="2025-03-31")
    >>> scenario = session.base_scenario()
    >>> scenario["changements"] = [{"ouvrir": {"id": "alsh-calamane", "type": "alsh",
    ...                                        "commune": "46046", "places": 20}}]
    >>> answer = session.evaluate(scenario)
    >>> answer["changes"]
    ['ouvrir alsh « alsh-calamane » à 46046 (20 places)']
    >>> answer["summary"][0]
    {'Indicateur': 'ALSH (3-11 ans) : places', 'Avant': 246.0, 'Après': 266.0, 'Écart': 20.0}
    >>> session.close()
    """

    def __init__(self, territory, timer, *, epci: str | None = None, date: str | None = None,
                 workdir: str | Path | None = None,
                 settings: DiagnosticSettings = DEFAULT_SETTINGS):
        self.territory = territory
        self.settings = settings
        self.indicators = settings.kinds("access")
        self.timer = timer if isinstance(timer, MemoTimer) else MemoTimer(timer)
        self.registry = territory.facilities
        self.uploads: list[str] = []
        #: The planner's uploaded facilities as the scenario's ``equipements`` entries (id →
        #: entry): every scenario of the page carries them, so that its saved YAML runs the
        #: same anywhere; the registry above is built from them, as ``scenario run`` does.
        self.uploaded: dict[str, dict] = {}
        self.epci = epci
        self.date = date or pd.Timestamp.today().strftime("%Y-%m-%d")
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="maillage-app-"))
        self.workdir.chmod(0o700)
        self._lock = threading.RLock()
        self._results: OrderedDict = OrderedDict()
        self._frames: dict = {}
        self._version = 0
        # Computed once: where travel times start (the Filosofi cells, ~23 000 in the Lot),
        # projected once to the metric CRS the router snaps in (it would project them again
        # for every new column: ≈ 0.1 s), and the measures of every state already run (the
        # base state of each edit).
        self.origins = territory_origins(territory)
        self.origins.points = self.origins.points.to_crs(METRIC_CRS)
        self._measures: dict = {}
        codes = territory.communes["epci"].astype(str)
        if epci is not None and epci not in set(codes):
            raise InputError(f"l'EPCI « {epci} » n'est pas dans le territoire", column="--epci",
                             fix="donner le SIREN d'un EPCI du territoire (9 chiffres)")

    def base_scenario(self) -> dict:
        """The page's starting scenario: no change, the start EPCI and date, every indicator."""
        return {"nom": "Scénario de l'atelier", "territoire": "lot", "epci": self.epci,
                "date": self.date, "indicateurs": list(self.indicators), "changements": []}

    def warm(self) -> float:
        """Compute the starting state once (routes every commune × facility column), so that
        the page's first map comes at once; returns the seconds it took."""
        start = time.perf_counter()
        self.evaluate(self.base_scenario())
        return time.perf_counter() - start

    # -- static layers -----------------------------------------------------------------
    def territory_json(self) -> dict:
        """Everything the page draws once: communes, EPCI outlines, kinds, indicators."""
        communes = self.territory.communes
        scope = registry_scope(with_layers(self.territory, facilities=self.registry))
        return {
            "name": str(self.territory.name),
            "date": self.date,
            "epci": self.epci,
            "scenario": self.base_scenario(),
            "timer": {"description": self.timer.description, "estimated": self.timer.estimated},
            "epcis": [{"code": str(r.code), "name": str(r.name)}
                      for r in self.territory.epcis.itertuples()],
            "communes": geojson.communes(communes, scope),
            "outlines": geojson.epci_outlines(communes),
            "kinds": geojson.kinds(),
            "indicators": [{"key": k, "label": indicator_band(k).label,
                            "places": k in AGE_BANDS} for k in self.indicators],
            "defaults": {"indicateurs": list(self.indicators),
                         "zone_blanche": self.settings.zone_blanche_minutes,
                         "france_services": self.settings.france_services_minutes,
                         "seuils": list(self.settings.thresholds)},
            "uploads": list(self.uploads),
        }

    # -- scenario ------------------------------------------------------------------------
    def _communes(self, epci, *, plain: bool = False):
        """The communes analysed (the EPCI's, or all), index = code as text; with ``plain``
        without their polygons (the panel's reads are faster on a plain table). Computed once
        per EPCI and shared: callers never modify them."""
        key = ("communes", epci, plain)
        with self._lock:
            if key in self._frames:
                return self._frames[key]
        communes = self.territory.communes.copy()
        communes.index = communes.index.astype(str)
        if epci:
            if epci not in set(communes["epci"].astype(str)):
                raise InputError(f"l'EPCI « {epci} » n'est pas dans le territoire",
                                 file=PAGE_FILE, column="epci",
                                 fix="choisir un EPCI dans la liste")
            communes = communes[communes["epci"].astype(str) == epci]
        if plain:
            communes = pd.DataFrame(communes.drop(columns="geometry", errors="ignore"))
        with self._lock:
            self._frames[key] = communes
        return communes

    def _kinds_of_changes(self, scenario) -> list[str]:
        """Kind of the facility each change touches (in order)."""
        kinds, opened = [], {}
        for change in scenario.changes:
            fid = change.fields["id"]
            if change.action == "ouvrir":
                opened[fid] = str(change.fields["type"])
                kinds.append(opened[fid])
            elif fid in opened:
                kinds.append(opened[fid])
            else:
                kinds.append(str(self.registry.at[fid, "kind"]) if fid in self.registry.index
                             else "")
        return kinds

    def _indicator_result(self, scenario, indicator: str, kinds: list[str], communes):
        """``run_scenario`` of one indicator with only the changes touching its kinds, and
        its part of the panel (remembered: an edit of another kind reuses both)."""
        band = indicator_band(indicator)
        mine = [c for c, k in zip(scenario.changes, kinds) if k in band.kinds]
        key = (self._version, f"{scenario.date:%Y-%m-%d}", scenario.epci, indicator,
               json.dumps([[c.action, c.fields] for c in mine], sort_keys=True, default=str))
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        sub = copy.copy(scenario)
        # The session's registry already holds the uploaded facilities (``equipements``),
        # built by the same function ``run_scenario`` would call.
        sub.indicators, sub.changes, sub.facilities = [indicator], mine, []
        # Only the band's kinds enter this indicator: run on that part of the registry.
        registry = self.registry[self.registry["kind"].isin(band.kinds)]
        result = run_scenario(with_layers(self.territory, facilities=registry), sub,
                              timer=self.timer, origins=self.origins, memo=self._measures)
        value = (result, self._panel(indicator, result, communes))
        with self._lock:
            self._results[key] = value
            while len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)
        return value

    def _panel(self, indicator: str, result: ScenarioResult, communes) -> dict:
        """One indicator's part of the page: communes, EPCIs, coverage, zones blanches,
        France services target, map legends (JSON-ready)."""
        rows = result.by_commune
        settings = self.settings
        children = rows["children"].astype(float)
        states = {s: rows[f"minutes_nearest_{s}"].astype(float) for s in ("before", "after")}
        cov = {s: coverage(t, children, thresholds=settings.thresholds)
               for s, t in states.items()}
        panel = {
            "communes": geojson.by_code(rows, COMMUNE_COLUMNS),
            "epcis": geojson.records(result.by_epci.reset_index()),
            "coverage": geojson.clean([
                {"minutes": float(m), "before": cov["before"].at[m, "share_within"],
                 "after": cov["after"].at[m, "share_within"],
                 "beyond_before": cov["before"].at[m, "population_beyond"],
                 "beyond_after": cov["after"].at[m, "population_beyond"]}
                for m in cov["before"].index]),
            "zones_blanches": {},
            "legends": self._legends(rows, settings.time_classes),
        }
        for state, times in states.items():
            zone = zones_blanches(times, settings.zone_blanche_minutes, communes, children)
            panel["zones_blanches"][state] = geojson.clean({
                "communes": int(len(zone)), "children": float(zone["population"].sum()),
                "list": geojson.records(zone.reset_index().head(40))})
        if indicator == "france_services":
            target = {}
            for state, times in states.items():
                check = france_services_target(times, children, communes,
                                               minutes=settings.france_services_minutes)
                target[state] = {"passed": check.passed, "text": check.text(),
                                 "share_within": check.share_within,
                                 "population_beyond": check.population_beyond,
                                 "communes": int(len(check.failing))}
            panel["france_services"] = geojson.clean(target)
        return panel

    def _before_json(self, scenario, layer: str, frame) -> dict:
        """GeoJSON of the base state's facilities or stops (remembered per date and EPCI)."""
        key = (self._version, f"{scenario.date:%Y-%m-%d}", scenario.epci, layer)
        with self._lock:
            if key not in self._results:
                self._results[key] = (geojson.facilities(frame) if layer == "facilities"
                                      else geojson.stops(frame))
            return self._results[key]

    def _with_uploads(self, data):
        """The page's scenario with the uploaded facilities as its ``equipements``."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if k != "equipements"}
        if self.uploaded:
            data["equipements"] = list(self.uploaded.values())
        return data

    def prepare(self, data):
        """Validate a page scenario and apply it: (scenario, yaml text, before, after,
        stops after, communes analysed)."""
        scenario, text = scenario_from_json(self._with_uploads(data))
        communes = self._communes(scenario.epci)
        try:
            before, after, stops_after = apply_changes(scenario, self.registry, communes,
                                                       self.territory.itinerant_stops)
        except InputError as exc:
            raise located(exc, text) from exc
        return scenario, text, before, after, stops_after, communes

    def evaluate(self, data) -> dict:
        """Before / after indicators of a page scenario (the JSON the page draws).

        Returns
        -------
        dict
            ``summary`` (rows of ``ScenarioResult.table()``), ``communes`` and ``epcis``
            per indicator (places, places per 100 children, 2SFCA places per 100 children,
            minutes to the nearest: before and after), ``coverage`` (share of children
            within 10/15/20/30 min), ``zones_blanches``, ``france_services`` (30-min
            target), facilities and itinerant stops before / after (GeoJSON), ``yaml``.
        """
        start = time.perf_counter()
        scenario, text, before, after, stops_after, communes = self.prepare(data)
        kinds = self._kinds_of_changes(scenario)
        plain = self._communes(scenario.epci, plain=True)
        results = [self._indicator_result(scenario, ind, kinds, plain)
                   for ind in scenario.indicators]
        result = ScenarioResult(
            scenario=scenario, before=before, after=after,
            by_commune=pd.concat([r.by_commune for r, _ in results]),
            by_epci=pd.concat([r.by_epci for r, _ in results]),
            timer_description=self.timer.description, estimated=self.timer.estimated,
            notes=[n for r, _ in results for n in r.notes])
        stops = self.territory.itinerant_stops
        stops_before = stops[stops["service_id"].astype(str).isin(before.index.astype(str))]
        stops_now = stops_before if stops_after is None else \
            stops_after[stops_after["service_id"].astype(str).isin(after.index.astype(str))]
        body = {
            "scenario": {k: v for k, v in scenario_to_json(scenario).items()
                         if k != "equipements"} | {"changements": data.get("changements") or []},
            "changes": [c.describe() for c in scenario.changes],
            "timer": {"description": self.timer.description, "estimated": self.timer.estimated},
            "indicators": [{"key": k, "label": indicator_band(k).label, "places": k in AGE_BANDS}
                           for k in scenario.indicators],
            "summary": geojson.records(result.table().reset_index()),
            "communes": {}, "epcis": {}, "coverage": {}, "zones_blanches": {}, "legends": {},
            "facilities": {"before": self._before_json(scenario, "facilities", before),
                           "after": geojson.facilities(after)},
            "stops": {"before": self._before_json(scenario, "stops", stops_before),
                      "after": geojson.stops(stops_now)},
            "notes": list(result.notes),
            "yaml": text,
        }
        for indicator, (_, panel) in zip(scenario.indicators, results):
            for part, value in panel.items():
                if part == "france_services":
                    body["france_services"] = value
                else:
                    body.setdefault(part, {})[indicator] = value
        panels = {part: body.pop(part) for part in ("communes", "epcis", "coverage",
                                                      "zones_blanches", "legends",
                                                      "france_services", "facilities", "stops")
                  if part in body}
        body = geojson.clean(body)  # the panels are JSON-ready already
        body.update(panels)
        body["elapsed_ms"] = round(1000 * (time.perf_counter() - start), 1)
        return body

    @staticmethod
    def _legends(by_commune: pd.DataFrame, time_edges) -> dict:
        """Map classes of one indicator, per measure (the report's own classes): fixed
        breaks for a state, diverging ones for the difference."""
        from maillage.maps.classes import diverging_classes, fixed_classes
        from maillage.maps.folium_coverage import time_classes

        def as_json(classes) -> dict:
            return {"edges": [e if np.isfinite(e) else None for e in classes.edges],
                    "labels": classes.labels, "colors": classes.colors,
                    "no_data": classes.no_data_label, "no_data_color": classes.no_data_color}

        legends = {}
        for measure, unit in MEASURES.items():
            states = (time_classes(time_edges) if measure == "minutes_nearest"
                      else fixed_classes(PLACES_EDGES, unit="", cmap="YlGnBu"))
            diff = by_commune[f"{measure}_difference"].astype(float).to_numpy()
            if measure == "minutes_nearest":  # shorter is better: gains in blue, losses in red
                change = as_json(diverging_classes(-diff, unit=unit))
                swap = {"hausse": "baisse", "baisse": "hausse"}
                change.update(edges=[None if e is None else -e for e in reversed(change["edges"])],
                              labels=[" ".join(swap.get(w, w) for w in label.split(" "))
                                      for label in reversed(change["labels"])],
                              colors=list(reversed(change["colors"])))
            else:
                change = as_json(diverging_classes(diff, unit=unit))
            legends[measure] = {"state": as_json(states), "difference": change}
        return geojson.clean(legends)

    # -- suggestions -----------------------------------------------------------------------
    def suggest(self, data, *, kind: str = "alsh", p: int = 1, minutes: float = 15.0,
                places: float = 20.0, top: int = 10) -> dict:
        """Best sites for ``p`` new facilities (MCLP) and the ranking of candidate communes,
        on the state after the page's scenario.

        Parameters
        ----------
        data : dict
            The page's scenario (its changes are the state sited against).
        kind : str
            ``alsh`` or ``eaje``.
        p : int
            New sites (1 to 10).
        minutes : float
            Coverage threshold, minutes.
        places : float
            Places of each suggested facility (used when a suggestion becomes an edit).
        top : int
            Candidates listed in the ranking.
        """
        from maillage.analysis.siting.territory import siting_inputs

        sited = self.settings.kinds("capacity")
        if kind not in sited:
            raise InputError(f"type « {kind} » non proposé", column="type",
                             fix="choisir " + " ou ".join(sited))
        if not 1 <= int(p) <= 10:
            raise InputError(f"nombre de sites {p} hors limites", column="p",
                             fix="choisir entre 1 et 10 nouveaux sites")
        if not 1 <= float(minutes) <= 120:
            raise InputError(f"seuil de {minutes} minutes hors limites", column="minutes",
                             fix="choisir un seuil entre 1 et 120 minutes")
        if not 0 < float(places) <= 1000:
            raise InputError(f"{places} places hors limites", column="places",
                             fix="choisir entre 1 et 1000 places")
        scenario, _, _, after, _, communes = self.prepare(data)
        if not scenario.epci:
            scope = registry_scope(with_layers(self.territory, facilities=self.registry))
            communes = communes[scope.reindex(communes.index).fillna(False).to_numpy()]
        view = with_layers(self.territory, communes=communes,
                           facilities=after[after["commune_code"].astype(str)
                                            .isin(communes.index)])
        inputs = siting_inputs(view, kind, timer=self.timer, at=scenario.date)
        best = maximal_coverage(inputs.demand, inputs.cost, float(minutes), int(p),
                                candidates=inputs.candidates, existing=inputs.existing)
        ranking = rank_candidates(inputs.demand, inputs.cost, float(minutes),
                                  existing=inputs.existing, candidates=inputs.candidates)
        ages = list(AGE_BANDS[kind].ages)
        label = kind_label(kind)

        def site(site_id, **extra) -> dict:
            code = str(inputs.communes[site_id])
            name = str(inputs.labels[site_id])
            return {"site": str(site_id), "commune": code, "name": name,
                    "lon": float(communes.at[code, "point_lon"]),
                    "lat": float(communes.at[code, "point_lat"]),
                    "edit": {"ouvrir": {"type": kind, "nom": f"{label} de {name} (suggestion)",
                                        "commune": code, "places": float(places),
                                        "ages": ages}}, **extra}

        body = {
            "kind": kind, "p": int(p), "minutes": float(minutes),
            "covered_before": float(ranking.attrs["children_covered_by_existing"]),
            "covered_after": float(best.covered_demand), "total": float(best.total_demand),
            "best": [site(s) for s in best.selected],
            "ranking": [site(s, rank=int(r["rank"]), children_covered=float(r["children_covered"]),
                             minutes_saved_per_child=float(r["minutes_saved_per_child"]))
                        for s, r in ranking.head(top).iterrows()],
            "notes": list(inputs.notes),
        }
        return geojson.clean(body)

    # -- uploads ---------------------------------------------------------------------------
    def upload(self, filename: str | None, content: bytes) -> dict:
        """Validate a planner's facility file and add its facilities to the session's
        registry (a facility with an id already there replaces it).

        The file is parsed in a private temporary folder of the app, deleted right after.

        Returns
        -------
        dict
            ``ok``, ``added``, ``replaced``, ``entries`` (the validation report: level, file,
            row, column, message, fix).

        Raises
        ------
        InputError
            Empty or too large file, unsupported type; the report's first error otherwise
            (``exc.report`` holds every entry).
        """
        from maillage.layers import ValidationReport, load_facilities

        name = safe_name(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise InputError(f"type de fichier « {suffix or name} » non pris en charge",
                             file=name, fix="envoyer un fichier " + ", ".join(UPLOAD_SUFFIXES))
        if not content:
            raise InputError("fichier vide", file=name, fix="choisir le bon fichier")
        if len(content) > UPLOAD_MAX_BYTES:
            raise InputError(f"fichier trop gros ({len(content) / 1e6:.1f} Mo)", file=name,
                             fix=f"au plus {UPLOAD_MAX_BYTES // (1024 * 1024)} Mo")
        folder = Path(tempfile.mkdtemp(prefix="depot-", dir=self.workdir))
        report = ValidationReport()
        path = folder / name
        try:
            path.write_bytes(content)
            try:
                loaded = load_facilities(path, communes=self.territory.communes, report=report)
            except InputError as exc:
                raise _as_user_file(exc, report, path, name) from exc
            except Exception as exc:  # a parser's own failure on a damaged file
                raise _as_user_file(InputError(
                    f"fichier illisible ({type(exc).__name__})", file=name,
                    fix="enregistrer le fichier en CSV UTF-8, XLSX, GeoPackage ou GeoJSON "
                        "et réessayer"), report, path, name) from exc
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        _as_user_file(None, report, path, name)
        with self._lock:
            replaced = sorted(set(loaded.index.astype(str)) & set(self.registry.index.astype(str)))
            entries = {**self.uploaded, **{e["id"]: e for e in facility_entries(loaded)}}
            self._set_uploaded(entries, name)
            self.uploads.append(name)
        entries = geojson.records(report.to_frame()) if len(report) else []
        return {"ok": True, "file": name, "added": int(len(loaded)) - len(replaced),
                "replaced": replaced, "entries": entries}

    def _set_uploaded(self, entries: dict[str, dict], name: str) -> None:
        """Adopt uploaded facilities (``equipements`` entries): validated as a scenario's,
        then the registry is the territory's with them, as ``scenario run`` builds it."""
        probe = {**self.base_scenario(), "equipements": list(entries.values())}
        try:
            scenario, _ = scenario_from_json(probe)
        except InputError as exc:
            raise InputError(f"équipements inutilisables dans un scénario : {exc.message}",
                             file=name, column=exc.column,
                             fix=exc.fix or "corriger le fichier et le déposer à nouveau") \
                from exc
        with self._lock:
            self.registry = with_scenario_facilities(scenario, self.territory.facilities,
                                                     self._communes(None))
            self.uploaded = entries
            self._version += 1
            self._results.clear()
            self._measures.clear()

    def load_scenario_file(self, filename: str | None, content: bytes) -> dict:
        """A scenario YAML file sent by the page → the page's JSON; the facilities it carries
        (``equipements``, saved with uploaded facilities) become the session's uploads."""
        data = parse_scenario_file(filename, content)
        entries = data.pop("equipements", None)
        if entries:
            name = safe_name(filename, "scenario.yaml")
            self._set_uploaded({e["id"]: e for e in entries}, name)
            with self._lock:
                self.uploads = [f"{name} (équipements du scénario)"]
        return data

    def reset_uploads(self) -> None:
        """Back to the territory's own registry."""
        with self._lock:
            self.registry = self.territory.facilities
            self.uploads = []
            self.uploaded = {}
            self._version += 1
            self._results.clear()
            self._measures.clear()

    # -- export ---------------------------------------------------------------------------
    def export(self, data) -> bytes:
        """The full diagnostic report (``rapport.html`` and its Word version ``rapport.docx``,
        maps, figures, tables) of the state at the scenario's date, with the scenario
        compared, as a zip (bytes); the scenario's YAML is in it (``scenario.yaml``)."""
        from maillage.layers.territory import epci_table
        from maillage.maps import report_docx, write_report
        from maillage.pipeline import build_diagnostic

        scenario, text, *_ = self.prepare(data)
        territory = with_layers(self.territory, facilities=self.registry)
        if scenario.epci:
            communes = self._communes(scenario.epci).copy()
            registry = self.registry[self.registry["epci"].astype(str) == scenario.epci]
            stops = self.territory.itinerant_stops
            territory = with_layers(territory, communes=communes, facilities=registry,
                                    itinerant_stops=stops[stops["service_id"].isin(
                                        registry.index)],
                                    name=str(communes["epci_name"].iloc[0]),
                                    epcis=epci_table(communes))
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=self.workdir))
        try:
            diag = build_diagnostic(territory, self.timer, at=scenario.date,
                                    scenario=scenario if scenario.changes else None)
            out = write_report(diag, folder / "rapport").parent
            report_docx(out / "rapport.html")  # the same report, editable in Word
            (out / "scenario.yaml").write_text(text, encoding="utf-8")
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(out.rglob("*")):
                    if path.is_file():
                        archive.write(path, Path("maillage-rapport") / path.relative_to(out))
            return buffer.getvalue()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Delete the app's temporary folder (when the session created it)."""
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _as_user_file(exc: InputError | None, report, path: Path, name: str):
    """The report (and error) of a file parsed in the private folder, naming the planner's
    file as they sent it (the private path never reaches the page). Row numbers as int."""
    hidden = str(path)
    for entry in report.entries:
        if entry.file == hidden:
            entry.file = name
        entry.message = str(entry.message).replace(hidden, name)
        if entry.row is not None and not pd.isna(entry.row):
            entry.row = int(entry.row)
    if exc is None:
        return None
    error = InputError(str(exc.message).replace(hidden, name), file=name,
                       row=None if exc.row is None or pd.isna(exc.row) else int(exc.row),
                       column=exc.column, fix=exc.fix)
    error.report = report
    return error


def parse_scenario_file(filename: str | None, content: bytes) -> dict:
    """A scenario YAML file sent by the page → the page's JSON (validated)."""
    from maillage.analysis.scenario import parse_scenario

    name = safe_name(filename, "scenario.yaml")
    if len(content) > SCENARIO_MAX_BYTES:
        raise InputError(f"fichier trop gros ({len(content) // 1024} Ko)", file=name,
                         fix=f"un scénario tient en moins de {SCENARIO_MAX_BYTES // 1024} Ko")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("le scénario n'est pas en UTF-8", file=name,
                         fix="enregistrer le fichier en UTF-8") from exc
    return scenario_to_json(parse_scenario(text, file=name))

