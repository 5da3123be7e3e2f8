"""CLI command group ``maillage network``: fetch, build and describe road networks."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from maillage.formatting import fr_number, fr_percent

console = Console(markup=False)  # user text (names, files) printed as is
network_app = typer.Typer(
    help="Réseaux routiers : téléchargement, construction, description.", no_args_is_help=True
)


@contextlib.contextmanager
def _steps(total: int):
    """A rich progress bar over the named steps of a command."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("Démarrage", total=total)

        def step(label: str) -> None:
            progress.update(task, description=label)
            progress.advance(task)

        yield step
        progress.update(task, description="Terminé", completed=total)


def _save(graph, out: Path) -> None:
    import osmnx as ox

    from maillage.atomic import atomic_path

    with atomic_path(out) as tmp:
        ox.io.save_graphml(graph, tmp)


def _print_info(graph) -> None:
    from maillage.geo import network_info

    info = network_info(graph)
    table = Table(title="Réseau routier", show_header=False)
    west, south, east, north = info["emprise"]
    table.add_row("Nœuds", fr_number(info["nœuds"], thousands=" "))
    table.add_row("Tronçons", fr_number(info["tronçons"], thousands=" "))
    table.add_row("Part fortement connexe", fr_percent(info["part fortement connexe"], 2, thousands=" "))
    table.add_row("Emprise (lon/lat)", f"{fr_number(west, 4)} ; {fr_number(south, 4)} → "
                                       f"{fr_number(east, 4)} ; {fr_number(north, 4)}")
    table.add_row("Source", str(info["source"]))
    table.add_row("Date", str(info["date"]))
    meta = graph.graph if hasattr(graph, "graph") else getattr(graph, "info", {})
    for key in ("ways_trimmed", "ways_dropped"):
        if str(meta.get(key, "0")) not in {"0", ""}:
            label = (
                "Voies coupées (nœuds hors extrait)"
                if key == "ways_trimmed"
                else "Voies abandonnées"
            )
            table.add_row(label, str(meta[key]))
    console.print(table)


@network_app.command("build")
def build(
    file: Path = typer.Argument(
        ..., help="Fichier source : .osm, .osm.gz, .osm.bz2, .osm.pbf, .csv (tronçons) ou .graphml."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Fichier GraphML à écrire."),
    walk: bool = typer.Option(
        False, "--walk", "--pieton", help="Réseau piéton (4,5 km/h) au lieu du réseau routier."
    ),
) -> None:
    """Construit un réseau routier (temps de parcours) depuis un fichier local."""
    from maillage.geo import load_network

    from maillage.atomic import check_output_file

    check_output_file(out)  # before the work: --out is a file maillage can write
    options = {"network_type": "walk"} if walk else {}
    with _steps(2) as step:
        step(f"Lecture de {file.name}")
        graph = load_network(file, **options)
        step(f"Écriture de {out}")
        _save(graph, out)
    _print_info(graph)


@network_app.command("fetch")
def fetch(
    out: Path = typer.Option(..., "--out", "-o", help="Fichier GraphML à écrire."),
    territoire: str = typer.Option(
        "lot",
        "--territory",
        "--territoire",
        help="Territoire (« lot ») dont les communes délimitent la zone.",
    ),
    epci: str | None = typer.Option(None, help="SIREN d'un EPCI pour restreindre la zone."),
    contour: Path | None = typer.Option(
        None,
        "--boundary",
        "--contour",
        help="Contour (GeoJSON, GeoPackage…) à la place du territoire.",
    ),
    tampon: float = typer.Option(
        10_000, "--buffer", "--tampon", help="Marge autour du territoire, en mètres."
    ),
    walk: bool = typer.Option(
        False, "--walk", "--pieton", help="Réseau piéton au lieu du réseau routier."
    ),
) -> None:
    """Télécharge le réseau OpenStreetMap d'un territoire (osmnx), avec cache réutilisé hors ligne."""
    from maillage.cli._options import check_number
    from maillage.geo import fetch_network

    check_number("--buffer", tampon, low=0, high=100_000, unit="mètres")
    from maillage.atomic import check_output_file

    check_output_file(out)  # before the download: --out is a file maillage can write
    with _steps(3) as step:
        step("Contour du territoire")
        if contour is not None:
            from maillage.layers import ValidationReport, read_geo

            area = read_geo(contour, ValidationReport())
        else:
            from maillage.layers import load_territory

            area = load_territory(territoire, epci=epci).communes
        step(f"Téléchargement OSM (tampon {fr_number(tampon, thousands=' ')} m)")
        graph = fetch_network(area, buffer_m=tampon, network_type="walk" if walk else "drive")
        step(f"Écriture de {out}")
        _save(graph, out)
    _print_info(graph)


@network_app.command("info")
def info(
    file: Path | None = typer.Argument(
        None, help="Réseau (.graphml, .csv, .osm…) ; par défaut le réseau du Lot partagé."
    ),
) -> None:
    """Décrit un réseau : nœuds, tronçons, part fortement connexe, emprise, source et date."""
    from maillage.errors import NetworkError
    from maillage.geo import default_network, load_road_graph

    if file is None:
        graph, description = default_network()
        if graph is None:
            raise NetworkError(
                f"Pas de réseau par défaut : {description}. Correction : indiquez un fichier."
            )
        console.print(description)
    else:
        with _steps(1) as step:
            step(f"Lecture de {file.name}")
            graph = load_road_graph(file)  # compiled straight from the file: no networkx graph
    _print_info(graph)


def register(app: typer.Typer) -> None:
    """Attach the ``network`` command group to the main maillage app."""
    app.add_typer(
        network_app, name="network", help="Réseaux routiers (OSM, liste de tronçons, GraphML)."
    )
