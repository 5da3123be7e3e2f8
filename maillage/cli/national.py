"""Batch CLI commands: ``maillage national`` (access indicators for every commune of several
départements, with Dask) and ``maillage report-epcis`` (the report of every EPCI of a
département, in parallel)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from maillage.formatting import fr_number

from ._options import check_number

console = Console(markup=False)


def _departements(text: Optional[str]):
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def register(app: typer.Typer) -> None:
    """Attach ``national`` and ``report-epcis`` to the main maillage app."""

    @app.command("national")
    def national(
        out: Path = typer.Option(Path("maillage-national"), "--out", "-o",
                                 help="Dossier de sortie (tableaux CSV, paires Parquet ou "
                                      "GeoPackage) ; avec --dask, sur un stockage partagé "
                                      "que chaque worker voit au même chemin."),
        fmt: str = typer.Option("parquet", "--format", help="Format des paires et du tableau "
                                "des origines : parquet (compact) ou gpkg (GeoPackage, "
                                "chaque paire au point de sa commune : s'ouvre en carte dans "
                                "QGIS)."),
        departements: Optional[str] = typer.Option(
            None, "--departements", help="Codes des départements séparés par des virgules "
            "(défaut : les sept de shared/data/communes)."),
        minutes: float = typer.Option(30.0, "--minutes", help="Seuil en minutes (et largeur "
                                      "du halo des partitions)."),
        dask: Optional[str] = typer.Option(None, "--dask", help="Adresse du planificateur "
                                           "Dask d'un cluster (ex. tcp://machine:8786) ou "
                                           "son fichier --scheduler-file (.json)."),
        workers: Optional[int] = typer.Option(None, "--workers", help="Processus du cluster "
                                              "local (1 : sans Dask, dans ce processus)."),
        reseau: Optional[Path] = typer.Option(None, "--network", "--reseau",
                                              help="Réseau routier (fichier) ; défaut : réseau "
                                                   "synthétique sur l'emprise."),
        pas: float = typer.Option(1000.0, "--spacing", help="Pas du réseau synthétique, "
                                  "en mètres."),
        eaje: Optional[Path] = typer.Option(None, "--eaje", help="Liste réelle d'EAJE (CSV "
                                            "id, lon, lat) ; défaut : EAJE fictifs signalés."),
        shared: Optional[Path] = typer.Option(None, "--shared", help="Dossier shared/data."),
    ) -> None:
        """Indicateurs d'accès (France services à 30 min, EAJE le plus proche) de chaque
        commune, calculés par département en parallèle (Dask)."""
        from maillage.national import check_address, national_inputs, run_national
        from maillage.pairfiles import check_format

        check_number("--minutes", minutes, low=0, high=600, strict=True, unit="minutes")
        check_number("--workers", workers, low=1, high=256, unit="processus", integer=True)
        check_number("--spacing", pas, low=50, high=100_000, unit="mètres")
        fmt = check_format(fmt)
        if dask is not None:
            check_address(dask)
        logging.getLogger("maillage").setLevel(logging.ERROR)
        with console.status("Chargement des communes, des services et du réseau…"):
            inputs = national_inputs(_departements(departements), shared=shared,
                                     network=reseau, spacing_m=pas, eaje=eaje)
        for key, text in inputs.sources.items():
            console.print(f"{key} : {text}", soft_wrap=True)
        where = f"cluster Dask {dask}" if dask else (
            "ce processus (sans Dask)" if workers == 1 else "cluster Dask local")
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} départements"),
                      TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task(f"Partitions ({where})", total=None)

            def on_partitions(parts) -> None:
                progress.update(task, total=len(parts))

            def on_done(result) -> None:
                progress.advance(task)
                sizes = {k: fr_number(v, thousands=" ") for k, v in result.sizes.items()}
                progress.console.print(
                    f"  département {result.name} : {sizes['origins']} communes, "
                    f"{sizes['nodes']} nœuds, {sizes['pairs']} paires, "
                    f"{fr_number(result.seconds['total'], 1)} s")

            run = run_national(inputs, out, minutes=minutes, address=dask, workers=workers,
                               on_done=on_done, on_partitions=on_partitions, fmt=fmt)
        console.print(Text.assemble("Résultats : ", (str(run.out), "bold")), soft_wrap=True)

    @app.command("report-epcis")
    def report_epcis(
        out: Path = typer.Option(Path("maillage-epci"), "--out", "-o",
                                 help="Dossier des rapports (un sous-dossier par SIREN)."),
        departement: str = typer.Option("46", "--departement", help="Code du département."),
        epci: Optional[str] = typer.Option(None, "--epci", help="SIREN des EPCI à traiter, "
                                           "séparés par des virgules (défaut : tous)."),
        scenario: Optional[Path] = typer.Option(None, "--scenario",
                                                help="Fichier de scénario YAML à comparer."),
        date: Optional[str] = typer.Option(None, "--date", help="Équipements en service à "
                                           "cette date (AAAA-MM-JJ ; défaut : aujourd'hui)."),
        reseau: Optional[Path] = typer.Option(None, "--network", "--reseau",
                                              help="Réseau routier (fichier)."),
        dask: Optional[str] = typer.Option(None, "--dask", help="Adresse du planificateur "
                                           "Dask d'un cluster (ex. tcp://machine:8786)."),
        workers: Optional[int] = typer.Option(None, "--workers", help="Processus du cluster "
                                              "local (1 : l'un après l'autre, sans Dask)."),
    ) -> None:
        """Rapport de diagnostic de chaque EPCI d'un département, en parallèle (identique à
        « maillage report --epci SIREN »)."""
        from maillage.batch import run_epci_reports
        from maillage.national import check_address
        from maillage.settings import DiagnosticSettings

        check_number("--workers", workers, low=1, high=256, unit="processus", integer=True)
        if dask is not None:
            check_address(dask)
        logging.getLogger("maillage").setLevel(logging.ERROR)
        settings = DiagnosticSettings(date=date)  # as « maillage report »
        failed = []
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.completed} rapport(s)"), TimeElapsedColumn(),
                      console=console) as progress:
            task = progress.add_task("Rapports des EPCI", total=None)

            def on_done(result) -> None:
                progress.advance(task)
                if result.error:
                    failed.append(result)
                    progress.console.print(f"  {result.epci} {result.name} : échec "
                                           f"({result.error})", soft_wrap=True)
                else:
                    progress.console.print(f"  {result.epci} {result.name} : "
                                           f"{result.report} ({fr_number(result.seconds)} s)",
                                           soft_wrap=True)

            results = run_epci_reports(out, departement=departement,
                                       epcis=_departements(epci), address=dask,
                                       workers=workers, on_done=on_done, scenario=scenario,
                                       settings=settings, network=reseau)
        console.print(f"{len(results) - len(failed)} rapport(s) écrit(s) dans {out}",
                      soft_wrap=True)
        if failed:
            raise typer.Exit(1)
