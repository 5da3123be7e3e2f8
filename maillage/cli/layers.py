"""CLI command group ``maillage layers``: check a file, show the embedded territory."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from maillage.formatting import fr_number

LEVEL_STYLES = {"erreur": "bold red", "réparé": "yellow", "converti": "cyan", "info": "dim"}
OTHER_KINDS = {"communes": "contours de communes", "arrets": "arrêts de services itinérants",
               "gtfs": "flux GTFS", "france_services": "liste ANCT des France services",
               "ages": "population par âge INSEE"}


def _load(path: Path, kind: Optional[str], report):
    """Run the loader matching ``kind`` on ``path``; return (layer, (singular, plural))."""
    from maillage import layers

    if kind == "gtfs" or (kind is None and (path.is_dir() or path.suffix.lower() == ".zip")):
        return layers.load_gtfs_stops(path, report=report), ("arrêt de bus", "arrêts de bus")
    if kind == "communes":
        return layers.read_contours(path, report), ("commune", "communes")
    if kind == "arrets":
        return layers.load_itinerant_stops(path, report=report), ("arrêt", "arrêts")
    if kind == "france_services":
        return (layers.load_france_services(path, departement=None, report=report),
                ("structure", "structures"))
    if kind == "ages":
        communes = layers.load_communes(report=layers.ValidationReport())
        return layers.apply_insee_ages(communes, path, report), ("commune", "communes")
    return layers.load_facilities(path, kind=kind, report=report), ("structure", "structures")


#: Report lines shown in the table; beyond, the errors first, then a summary (a file of a
#: million rows has a million lines: printing them takes longer than checking them).
SHOWN = 200


def _report_table(report, title: str, entries=None):
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for header in ("niveau", "ligne", "colonne", "message", "correction"):
        table.add_column(header, overflow="fold")
    entries = report.entries if entries is None else entries
    for e in sorted(entries, key=lambda e: (e.file or "", e.row or 0)):
        style = LEVEL_STYLES.get(e.level, "")
        table.add_row(Text(e.level, style=style), "" if e.row is None else str(e.row),
                      e.column or "", e.message, e.fix or "")
    return table


def _print_report(console, report, title: str) -> None:
    """The report as a table; past :data:`SHOWN` lines, the first ones (errors first) and a
    summary of the others by level and column, with one example each."""
    from rich.table import Table

    from maillage.layers.report import LEVELS

    if len(report) <= SHOWN:
        console.print(_report_table(report, title))
        return
    errors = report.errors
    shown = errors[:SHOWN]
    if len(shown) < SHOWN:
        shown += [e for e in report.entries if e.level != "erreur"][:SHOWN - len(shown)]
    console.print(_report_table(report, f"{title} ({SHOWN} premières lignes sur "
                                f"{_int(len(report))}, erreurs d'abord)", shown))
    counts: dict = {}
    for e in report.entries:
        key = (e.level, e.column or "")
        if key in counts:
            counts[key][0] += 1
        else:
            counts[key] = [1, e]
    summary = Table(title="Toutes les remarques, par niveau et colonne")
    for header in ("niveau", "colonne", "lignes", "exemple"):
        summary.add_column(header, overflow="fold", justify="right" if header == "lignes"
                           else "left")
    for (level, column), (count, e) in sorted(
            counts.items(), key=lambda item: (LEVELS.index(item[0][0]), -item[1][0])):
        where = f"ligne {e.row} : " if e.row is not None else ""
        summary.add_row(Text(level, style=LEVEL_STYLES.get(level, "")), column, _int(count),
                        where + e.message)
    console.print(summary)
    console.print("Rapport complet : --out FICHIER.csv (une ligne par remarque).")


def _write_report(report, out: Path) -> None:
    from maillage.atomic import atomic_path
    from maillage.safe import spreadsheet_safe

    with atomic_path(out) as tmp:
        spreadsheet_safe(report.to_frame()).to_csv(tmp, index=False, encoding="utf-8")


def check(
    file: Path = typer.Argument(..., help="Fichier à vérifier (CSV, XLSX, GeoJSON, GPKG, SHP, "
                                "GTFS)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Type de service des lignes sans type "
                                       "(alsh, eaje, rpe…) ou type de fichier : "
                                       + ", ".join(OTHER_KINDS)),
    out: Optional[Path] = typer.Option(None, "--out", help="Écrire le rapport complet dans ce "
                                       "fichier CSV (niveau, fichier, ligne, colonne, message, "
                                       "correction)."),
    no_geocode: bool = typer.Option(False, "--no-geocode",
                                    help="Structures : ne pas placer les adresses sans "
                                         "coordonnées avec la Base Adresse Nationale."),
) -> None:
    """Vérifier un fichier et afficher le rapport de validation (sortie 2 en cas d'erreur)."""
    from rich.console import Console

    from maillage import layers
    from maillage.errors import InputError
    from maillage.layers import ValidationReport

    console = Console(markup=False)  # user text (names, files) printed as is
    if out is not None:
        from maillage.atomic import check_output_file

        check_output_file(out)  # before the work
    report = ValidationReport()
    try:
        layer, what = _load(file, kind, report)
        if not no_geocode and what[0] == "structure" and kind != "france_services":
            layer = layers.geocode_facilities(layer, report=report)
    except InputError as exc:
        report = getattr(exc, "report", None) or report
        if not report.errors:
            raise
        _print_report(console, report, f"Rapport de validation : {file}")
        if out is not None:
            _write_report(report, out)
        count = len(report.errors)
        raise InputError(f"{count} erreur{'s' if count > 1 else ''} : fichier non chargé",
                         file=str(file),
                         fix="corriger les lignes signalées dans le tableau") from exc
    if len(report):
        _print_report(console, report, f"Rapport de validation : {file}")
    else:
        console.print(report.to_text())
    if out is not None:
        _write_report(report, out)
        console.print(f"Rapport complet écrit : {out}")
    console.print(Text.assemble((f"Chargé : {len(layer)} {what[len(layer) > 1]}", "green"),
                                f" depuis {file}."))


def show(
    epci: Optional[str] = typer.Option(None, "--epci", help="SIREN d'une intercommunalité "
                                       "(ex. 200023737 pour le Grand Cahors)."),
) -> None:
    """Résumer le territoire intégré : communes, population, enfants, structures, sources."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from maillage.layers import AGE_BANDS, load_territory

    territory = load_territory("lot", epci=epci)
    communes, facilities = territory.communes, territory.facilities
    console = Console(markup=False)  # user text (names, files) printed as is
    estimated = communes["age_source"].str.startswith("estimation").sum()
    console.print(Text.assemble((territory.name, "bold"), f" : {len(communes)} communes, "
                                f"{len(territory.epcis)} intercommunalité(s), "
                                f"{_int(communes['population'].sum())} habitants"))
    epcis = Table(title="Intercommunalités (enfants par tranche d'âge, en années)")
    for header in ("intercommunalité", "SIREN", "communes", "habitants",
                   *[f"{a}-{b - 1}" for a, b in AGE_BANDS.values()]):
        epcis.add_column(header, no_wrap=header == "SIREN",
                         justify="left" if header in ("intercommunalité", "SIREN") else "right")
    children = communes.groupby("epci")[list(AGE_BANDS)].sum()
    for row in territory.epcis.itertuples():
        epcis.add_row(row.name, row.code, str(row.n_communes), _int(row.population),
                      *[_int(children.at[row.code, band]) for band in AGE_BANDS])
    console.print(epcis)
    console.print(f"Enfants par âge : {estimated} communes en estimation, "
                  f"{len(communes) - estimated} avec comptages INSEE.")
    today = pd.Timestamp.today().normalize()
    in_force = facilities[(facilities["valid_from"].isna() | (facilities["valid_from"] <= today))
                          & (facilities["valid_to"].isna() | (facilities["valid_to"] >= today))]
    kinds = Table(title=f"Structures en vigueur le {today:%d/%m/%Y}, par type et "
                  "intercommunalité")
    for header in ("type", "intercommunalité", "structures", "places connues"):
        kinds.add_column(header, justify="right" if header in ("structures", "places connues")
                         else "left")
    names = dict(zip(territory.epcis["code"], territory.epcis["name"]))
    grouped = in_force.groupby(["kind", "epci"], as_index=False).agg(
        n=("id", "count"), places=("capacity", "sum"), known=("capacity", "count"))
    for row in grouped.itertuples():
        kinds.add_row(row.kind, names.get(row.epci, row.epci), str(row.n),
                      f"{row.places:.0f} ({row.known}/{row.n} structures)" if row.known else "")
    console.print(kinds)
    console.print(f"Arrêts de services itinérants : {len(territory.itinerant_stops)}")
    sources = Table(title="Sources")
    sources.add_column("couche")
    sources.add_column("source", overflow="fold")
    for layer, source in territory.sources.items():
        sources.add_row(layer, str(source))
    console.print(sources)


def _int(value) -> str:
    """Integer with a French thousands separator (a plain space: terminal output)."""
    return fr_number(value, thousands=" ")


def register(app: typer.Typer) -> None:
    """Attach this group's commands to the main maillage app."""
    group = typer.Typer(help="Couches : vérifier un fichier, résumer le territoire.",
                        no_args_is_help=True)
    group.command("check")(check)
    group.command("show")(show)
    app.add_typer(group, name="layers")
