"""The HTML diagnostic report and everything beside it, written into one output folder.

Layout of the folder (all of it replaced at once, see :mod:`maillage.maps.output`)::

    rapport.html                 the diagnostic (maps embedded as iframes)
    cartes/*.html                interactive maps (self-contained by default)
    figures/*.png, *.svg         printable maps for Word / PDF
    tableaux/*.csv, tableaux.xlsx
    couches.gpkg                 layers for QGIS
    validation.txt               what loading repaired, converted, rejected
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

import maillage
from maillage.analysis.diagnostic import Diagnostic
from maillage.atomic import write_text
from maillage.kinds import counted_kinds

from .classes import diverging_classes
from .folium_capacity import CAPACITY_UNIT, capacity_classes, capacity_map, mapped_ratio
from .folium_coverage import coverage_map, time_classes
from .folium_layers import has_contours
from .folium_scenario import scenario_difference, scenario_map
from .labels import fr_number, kind_label, layer_label, short_kind
from .leaflet import save_map
from .output import output_folder
from .printing import page_style, table_parts
from .report_indicators import (equity_table, france_services_check, france_services_table,
                                presence_table, sensitivity_table, zones_blanches_table)
from .report_text import (facility_summary, methodology, sources_rows, territory_facts,
                          validation_summary)
from .secret import threshold
from .static import static_map
from .tables import (commune_table, coverage_table, epci_table, scenario_table, write_layers,
                     write_tables)

#: Name of the report inside the output folder.
REPORT_NAME = "rapport.html"


def _environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(files("maillage.maps").joinpath("templates")))
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["parts"] = table_parts
    return env


#: Column-name prefixes of the published tables and their French headers.
_HEADER_PREFIXES = (
    ("places_pour_100_enfants_", "Places pour 100 enfants"),
    ("equipements_places_inconnues_", "Équipements aux places inconnues"),
    ("accessibilite_2sfca_", "Places accessibles pour 100 enfants (2SFCA)"),
    ("plus_proche_", "Le plus proche"),
    ("minutes_", "Minutes jusqu'au plus proche"),
    ("enfants_", "Enfants"),
    ("places_", "Places"),
)
_HEADERS = {"code": "Code", "commune": "Commune", "epci": "EPCI", "nom_epci": "Nom de l'EPCI",
            "population": "Population", "communes": "Communes", "enfants": "Enfants",
            "places_avant": "Places avant", "places_apres": "Places après",
            "places_pour_100_enfants_avant": "Places pour 100 enfants avant",
            "places_pour_100_enfants_apres": "Places pour 100 enfants après"}


def header(column: str) -> str:
    """French header of a published table column (``places_alsh`` → ``Places (ALSH)``)."""
    if column in _HEADERS:
        return _HEADERS[column]
    for prefix, label in _HEADER_PREFIXES:
        if column.startswith(prefix):
            rest = column[len(prefix):]
            if prefix == "accessibilite_2sfca_":
                kind, _, minutes = rest.rpartition("_")
                return f"{label}, {minutes.replace('min', ' min')} ({short_kind(kind)})"
            return f"{label} ({short_kind(rest)})"
    return column.replace("_", " ")


#: Columns holding identifiers (INSEE codes, SIREN): never formatted as numbers.
_CODE_COLUMNS = {"code", "epci", "perimetre"}


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _column_decimals(values) -> int:
    """Decimals of a column's numbers: 1 when one of them has a fraction, else 0, so that a
    column reads alike from top to bottom (« 9,0 » beside « 6,4 », never « 9 »)."""
    return int(any(_is_number(v) and np.isfinite(v) and not float(v).is_integer()
                   for v in values))


def _cell(value, decimals: int = 0) -> str:
    if _is_number(value):
        if np.isnan(value):
            return "–"
        text = fr_number(value, decimals)
        return "0" if text in ("-0", "-0,0") else text
    if value is None or value is pd.NA:
        return "–"
    text = str(value)
    return fr_number(int(text)) if text.isdigit() and len(text) > 3 else text


#: Cell texts that stand for a number in a numeric column (aligned right with the numbers).
_NUMBER_WORDS = re.compile(r"^(–|< ?\d+|secret statistique|places inconnues|[-+]?[\d\u202f\u00a0 ]+(,\d+)?)$")


def _is_numeric(column: str, cells: list[str]) -> bool:
    """A column is aligned as numbers unless it is an identifier or holds plain text."""
    return (column not in _CODE_COLUMNS
            and any(c not in ("", "–") for c in cells)
            and all(_NUMBER_WORDS.match(c) for c in cells if c))


def html_table(frame: pd.DataFrame | None, headers: dict[str, str] | None = None) -> dict:
    """A published table as the report shows it, French number formatting applied.

    Returns
    -------
    dict
        ``columns`` (keys of ``frame``), ``headers`` (French), ``rows`` (cell texts),
        ``numeric`` (one bool per column: aligned right as numbers), ``identifier`` (one
        bool per column: codes, never wrapped).
    """
    if frame is None or frame.empty:
        return {"columns": [], "headers": [], "rows": [], "numeric": [], "identifier": []}
    headers = headers or {}
    columns = [str(c) for c in frame.columns]
    decimals = [_column_decimals(frame.iloc[:, i]) for i in range(len(columns))]
    rows = [[str(v) if c in _CODE_COLUMNS else _cell(v, d)
             for c, v, d in zip(columns, row, decimals)]
            for row in frame.itertuples(index=False)]
    return {"columns": columns,
            "headers": [headers.get(c, header(c)) for c in columns],
            "rows": rows,
            "numeric": [_is_numeric(c, [r[i] for r in rows]) for i, c in enumerate(columns)],
            "identifier": [c in _CODE_COLUMNS for c in columns]}


#: French headers of the issue-4 tables.
_INDICATOR_HEADERS = {"service": "Service", "nom": "Commune", "minutes": "Minutes",
                      "enfants": "Enfants concernés", "habitants": "Habitants",
                      "gini_100": "Gini (0–100)", "palma": "Palma",
                      "mediane": "Médiane (places / 100 enfants)",
                      "part_sous_mediane_pct": "Enfants sous la médiane (%)",
                      "indicateur": "Indicateur"}


def _indicator_views(diag: Diagnostic, tables: dict[str, pd.DataFrame]) -> dict:
    """Template inputs of the section "Zones blanches, objectif France services, équité"."""
    check = france_services_check(diag)
    blanches = tables["zones_blanches"].assign(
        service=lambda t: t["service"].map(short_kind))
    equity = tables["equite"].assign(service=lambda t: t["service"].map(short_kind))
    return {"zones_blanches": html_table(blanches, _INDICATOR_HEADERS),
            "france_services": check.text() if check is not None else "",
            "france_services_passed": bool(check.passed) if check is not None else None,
            "france_services_failing": html_table(tables["objectif_france_services"],
                                                  _INDICATOR_HEADERS),
            "equity": html_table(equity, _INDICATOR_HEADERS),
            "presence": html_table(tables["presence_itinerants"].assign(
                service=lambda t: t["service"].map(short_kind)),
                {**_INDICATOR_HEADERS, "presence": "Présence du service"}),
            "sensitivity": html_table(tables["sensibilite"].assign(
                service=lambda t: t["service"].map(short_kind)), _INDICATOR_HEADERS)}


def coverage_overview(table: pd.DataFrame) -> pd.DataFrame:
    """Coverage as planners read it: one row per service and perimeter, the share (%) of
    people within each threshold in columns."""
    if table.empty:
        return table
    wide = table.pivot_table(index=["service", "nom", "public"], columns="minutes",
                             values="part_pct", sort=False)
    wide.columns = [f"≤ {m:g} min (%)" for m in wide.columns]
    wide = wide.reset_index()
    wide["service"] = wide["service"].map(kind_label)
    return wide.rename(columns={"service": "Service", "nom": "Périmètre", "public": "Public"})


def _cited(name: str, src) -> list[str]:
    """How a layer source is cited: its citation, else its description without file paths."""
    citation = getattr(src, "citation", "")
    if citation:
        return [part.strip() for part in citation.split(";")]
    text = re.sub(r"\s*\([^()]*[/\\][^()]*\)", "", str(getattr(src, "description", src)))
    text = re.sub(r"(?:[\w.~-]*[/\\])+([\w.-]+)", r"\1", text)  # a path → its file name
    return [f"{layer_label(name)} : {text}"]


def source_line(diag: Diagnostic, width: int = 120) -> str:
    """Source line printed under the static figures (French): who produced the data, once
    each, without file paths (« INSEE Filosofi 2021 ; IGN Admin Express 2018 … »)."""
    parts: list[str] = []
    for name, src in diag.territory.sources.items():
        if getattr(src, "kind", "") != "aucune":
            parts += [p for p in _cited(name, src) if p not in parts]
    text = "Sources : " + " ; ".join(parts) + f". Traitement maillage {maillage.__version__}."
    return "\n".join(textwrap.wrap(text, width))


def _maps(diag: Diagnostic, folder: Path, *, tiles: bool,
          small: int | None) -> list[dict]:
    """Write the interactive maps and the static figures; return their descriptions."""
    territory = diag.territory
    made = []
    source = source_line(diag)
    notes = [f"Effectifs d'enfants inférieurs à {threshold(small)} masqués "
             "(secret statistique)."]
    if not has_contours(territory.communes):
        notes.append("Contours des communes indisponibles : cercles proportionnels aux enfants.")
    for result in diag.capacity:
        indicator = result.by_commune.reindex(territory.communes.index)
        isochrones = None
        if diag.isochrones is not None:
            isochrones = diag.isochrones[diag.isochrones["kind"] == result.kind]
        m = capacity_map(territory, indicator, kind=result.kind, age_label=result.label,
                         isochrones=isochrones, estimated=diag.estimated, tiles=tiles,
                         small=small)
        name = f"capacite_{result.kind}"
        save_map(m, folder / "cartes" / f"{name}.html")
        title = f"{kind_label(result.kind)} : places pour 100 enfants ({result.label})"
        static_map(territory, mapped_ratio(indicator, small),
                   capacity_classes(indicator, small=small), folder / "figures" / name,
                   title=title, source=source, size=indicator["children"],
                   kinds=[result.kind], notes=notes)
        made.append({"title": title, "map": f"cartes/{name}.html",
                     "figure": f"figures/{name}", "source": source})
    for access in diag.access:
        name = f"acces_{access.kind}"
        m = coverage_map(territory, access.nearest, kind=access.kind,
                         size=territory.communes["population"], size_label="habitants",
                         estimated=diag.estimated, tiles=tiles,
                         timer_description=diag.timer_description,
                         edges=diag.settings.time_classes)
        save_map(m, folder / "cartes" / f"{name}.html")
        minutes = pd.to_numeric(access.nearest["minutes"], errors="coerce").astype(float)
        title = f"Temps d'accès au plus proche : {kind_label(access.kind)}"
        static_map(territory, minutes.where(np.isfinite(minutes)),
                   time_classes(diag.settings.time_classes),
                   folder / "figures" / name, title=title, source=source,
                   kinds=[access.kind], notes=[f"Temps d'accès : {diag.timer_description}."])
        made.append({"title": title, "map": f"cartes/{name}.html",
                     "figure": f"figures/{name}", "source": source})
    if diag.scenario is not None:
        view = diag.scenario
        m = scenario_map(view.after_territory or territory, view.before, view.after,
                         kind=view.kind, title=view.name,
                         after_territory=view.after_territory, tiles=tiles, small=small)
        save_map(m, folder / "cartes" / "scenario.html")
        title = f"Scénario : {view.name}"
        scenario_figure(view, territory, folder / "figures" / "scenario", title=title,
                        source=source, small=small)
        made.append({"title": title, "map": "cartes/scenario.html",
                     "figure": "figures/scenario", "source": source})
    return made


def scenario_figure(view, territory, stem: Path, *, title: str, source: str,
                    small: int | None = None) -> list[Path]:
    """The printable figure of a scenario: the change of places per 100 children by commune
    (after − before), the facilities after, and the totals before and after in the notes.

    Parameters
    ----------
    view : ScenarioView
        The scenario's before/after by commune (``places``, ``children``,
        ``places_per_100_children``).
    territory : Territory
        Layers before the scenario (``view.after_territory`` is drawn when set).
    stem : Path
        Output path without extension (``.png`` and ``.svg`` are written).
    title, source : str
        Title and source line (French).
    small : int, optional
        Small-count threshold (secret statistique).

    Returns
    -------
    list of Path
        The PNG and SVG written.
    """
    layers = view.after_territory or territory
    before = view.before.reindex(layers.communes.index)
    after = view.after.reindex(layers.communes.index)
    diff = scenario_difference(before, after, small)
    notes = []
    for label, frame in (("avant", before), ("après", after)):
        places, children = frame["places"].sum(), frame["children"].sum()
        ratio = fr_number(100 * places / children, 1) if children > 0 else "–"
        notes.append(f"{label.capitalize()} : {fr_number(places)} places pour "
                     f"{fr_number(children)} enfants ({ratio} places pour 100 enfants).")
    return static_map(layers, diff, diverging_classes(diff, unit=CAPACITY_UNIT), stem,
                      title=f"{title} — écart de places pour 100 enfants (après − avant), "
                            f"{kind_label(view.kind)}",
                      source=source, size=after["children"],
                      kinds=[k for k in counted_kinds(view.kind)
                             if (layers.facilities["kind"] == k).any()], notes=notes)


def write_report(diag: Diagnostic, out: str | os.PathLike, *, self_contained: bool = True,
                 tiles: bool | None = None, small: int | None = None,
                 step: Callable[[str], None] | None = None) -> Path:
    """Write the diagnostic report, maps, figures, tables and layers into ``out``.

    Parameters
    ----------
    diag : Diagnostic
        Computed results.
    out : path
        Output folder; replaced whole on success (it must be new, empty, or a previous
        maillage output), left untouched on failure.
    self_contained : bool
        Maps open without internet: no tile layer, the communes are the base. Leaflet itself
        is always inlined, so that a map works even where its tiles cannot load.
    tiles : bool, optional
        Draw OpenStreetMap tiles (internet needed); default: ``not self_contained``.
    small : int, optional
        Small-count threshold (default ``maillage.settings.SMALL_COUNT_THRESHOLD``).
    step : callable, optional
        Called with a French step name before each stage (progress display).

    Returns
    -------
    Path
        ``out/rapport.html``.

    Examples
    --------
    :func:`maillage.pipeline.build_diagnostic` computes the full diagnostic; here only the
    layers of the Grand Cahors, without indicators (fast):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.analysis import Diagnostic
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> diagnostic = Diagnostic(grand_cahors, "temps estimés à vol d'oiseau", True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     report = write_report(diagnostic, Path(folder) / "diagnostic-grand-cahors")
    ...     written = sorted(path.name for path in report.parent.iterdir()
    ...                      if not path.name.startswith("."))
    >>> report.name, written
    ('rapport.html', ['couches.gpkg', 'rapport.html', 'tableaux', 'validation.txt'])
    """
    tiles = (not self_contained) if tiles is None else tiles
    step = step or (lambda name: None)
    out = Path(out)
    with output_folder(out) as folder:
        step("Cartes et figures")
        made = _maps(diag, folder, tiles=tiles, small=small)
        step("Tableaux et couches SIG")
        communes = commune_table(diag, small=small)
        tables = {"communes": communes, "epci": epci_table(diag, small=small),
                  "couverture": coverage_table(diag, small=small)}
        scenario = scenario_table(diag, small=small)
        if scenario is not None:
            tables["scenario"] = scenario
        tables["zones_blanches"] = zones_blanches_table(diag, small=small)
        tables["objectif_france_services"] = france_services_table(diag)
        tables["equite"] = equity_table(diag)
        tables["sensibilite"] = sensitivity_table(diag)
        tables["presence_itinerants"] = presence_table(diag)
        validation = diag.territory.report.to_frame()
        tables["validation"] = validation
        write_tables(tables, folder / "tableaux")
        write_layers(diag, folder / "couches.gpkg", communes_table=communes)
        write_text(folder / "validation.txt", diag.territory.report.to_text() + "\n")
        step("Rapport")
        template = _environment().get_template("rapport.html")
        generated = dt.date.today().strftime("%d/%m/%Y")
        css = files("maillage.maps").joinpath("templates", "rapport.css").read_text("utf-8")
        page = template.render(
            diag=diag, css=css, version=maillage.__version__, generated=generated,
            page_css=page_style(f"Diagnostic de couverture – {diag.territory.name}",
                                generated),
            maps=made,
            territory=diag.territory, facts=territory_facts(diag),
            facilities=html_table(facility_summary(diag)),
            epci=html_table(tables["epci"]), communes=html_table(communes),
            coverage=html_table(coverage_overview(tables["couverture"])),
            scenario=html_table(scenario),
            indicators=_indicator_views(diag, tables),
            scenario_summary=html_table(diag.scenario.table if diag.scenario else None),
            sources=sources_rows(diag), validation=validation_summary(diag),
            methodology=methodology(diag, small=small), small=threshold(small),
            contours=has_contours(diag.territory.communes))
        write_text(folder / REPORT_NAME, page)
    return out / REPORT_NAME
