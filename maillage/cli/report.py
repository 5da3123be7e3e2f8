"""CLI commands ``maillage demo`` and ``maillage report``: the diagnostic, end to end."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

console = Console(markup=False)  # user text (paths, names) printed as is


def _run(out: Path, **options) -> Path:
    """Run :func:`maillage.pipeline.run_diagnostic` with a French progress bar."""
    from maillage import pipeline

    steps = list(pipeline.STEPS)
    if options.get("scenario") is None:
        steps.remove("Scénario")
    # The chain logs its choices (network or fallback): shown in the report, not on screen.
    logging.getLogger("maillage").setLevel(logging.ERROR)
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("Démarrage", total=len(steps))
        seen = []

        def on_step(name: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(name)
            progress.update(task, description=name)

        report = pipeline.run_diagnostic(out, on_step=on_step, **options)
        progress.update(task, completed=len(steps), description="Terminé")
    return report


def _done(report: Path, pdf: bool = False, docx: bool = False) -> None:
    if docx:
        from maillage.maps.word import report_docx

        with console.status("Export du rapport en Word…"):
            written = report_docx(report)
        console.print(f"Word : [bold]{written}[/]", soft_wrap=True)
    if pdf:
        from maillage.maps.pdf import report_pdf

        with console.status("Impression du rapport en PDF…"):
            written = report_pdf(report)
        console.print(Text.assemble("PDF : ", (str(written), "bold")), soft_wrap=True)
    try:
        shown = report.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = report
    # soft_wrap: a long path stays on one line, ready to copy.
    console.print(Text.assemble("Rapport : ", (str(shown), "bold")), soft_wrap=True)
    console.print(f"Cartes, figures, tableaux (CSV, XLSX) et couches SIG (GeoPackage) : "
                  f"{shown.parent}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Attach ``demo`` and ``report`` to the main maillage app."""

    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("maillage-output"), "--out", "-o",
                                 help="Dossier de sortie (remplacé en entier)."),
        online: bool = typer.Option(False, "--online", "--en-ligne",
                                    help="Fond de carte OpenStreetMap (internet requis) "
                                         "au lieu de cartes autonomes."),
        pdf: bool = typer.Option(False, "--pdf", help="Imprimer aussi le rapport en PDF "
                                 "(rapport.pdf, avec Chromium)."),
        docx: bool = typer.Option(False, "--docx", help="Exporter aussi le rapport en "
                                  "document Word modifiable (rapport.docx)."),
    ) -> None:
        """Diagnostic de démonstration : le Lot, son registre et le scénario de Calamane."""
        from maillage.pipeline import demo_scenario_path

        _done(_run(out, scenario=demo_scenario_path(), self_contained=not online), pdf, docx)

    @app.command("report")
    def report(
        out: Path = typer.Option(Path("maillage-output"), "--out", "-o",
                                 help="Dossier de sortie (remplacé en entier)."),
        territoire: str = typer.Option("lot", "--territory", "--territoire",
                                       help="« lot » ou le SIREN d'une intercommunalité."),
        epci: Optional[str] = typer.Option(None, "--epci",
                                           help="SIREN de l'EPCI à étudier (ex. 200023737)."),
        scenario: Optional[Path] = typer.Option(None, "--scenario",
                                                help="Fichier de scénario YAML à comparer."),
        date: Optional[str] = typer.Option(None, "--date",
                                           help="Équipements en service à cette date "
                                                "(AAAA-MM-JJ ; défaut : aujourd'hui)."),
        online: bool = typer.Option(False, "--online", "--en-ligne",
                                    help="Fond de carte OpenStreetMap (internet requis)."),
        reseau: Optional[Path] = typer.Option(None, "--network", "--reseau",
                                              help="Réseau routier (GraphML de « maillage "
                                                   "network fetch », fichier OSM, liste de "
                                                   "tronçons) pour les temps de trajet."),
        pdf: bool = typer.Option(False, "--pdf", help="Imprimer aussi le rapport en PDF "
                                 "(rapport.pdf, avec Chromium)."),
        docx: bool = typer.Option(False, "--docx", help="Exporter aussi le rapport en "
                                  "document Word modifiable (rapport.docx)."),
        structures: Optional[list[Path]] = typer.Option(
            None, "--facilities",
            help="Fichier de structures (CSV, XLSX, GeoJSON…) remplaçant le registre "
                 "intégré ; option répétable."),
        no_geocode: bool = typer.Option(False, "--no-geocode",
                                        help="Ne pas placer à leur adresse (Base Adresse "
                                             "Nationale) les structures sans coordonnées : "
                                             "point de leur commune."),
    ) -> None:
        """Rapport de diagnostic HTML (cartes, tableaux, couches SIG) d'un territoire."""
        from maillage.settings import DiagnosticSettings

        settings = DiagnosticSettings(date=date)  # thresholds and kinds: the defaults
        _done(_run(out, name=territoire, epci=epci, scenario=scenario, settings=settings,
                   network=reseau, self_contained=not online, facilities=structures or None,
                   geocode=not no_geocode), pdf, docx)
