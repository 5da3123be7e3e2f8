"""CLI command group ``maillage data``: which data sources answer from this machine."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def check(timeout: float = typer.Option(4.0, "--timeout", min=0.5, max=60,
                                        help="Secondes accordées à chaque source en ligne.")):
    """Essaie chaque source en ligne (contours, âges, BPE, France services, géocodeur, OSM) et
    dit, en français, ce qui marche et quoi faire sinon."""
    from maillage.layers.datacheck import check_sources, local_sources

    console = Console()
    local = Table(title="Sources locales", show_header=False)
    for name, ok, detail in local_sources():
        local.add_row("[green]✓[/]" if ok else "[yellow]–[/]", escape(name), escape(detail))
    console.print(local)
    results = check_sources(timeout)
    table = Table(title="Sources en ligne")
    for header in ("", "source", "sert à", "état", "à faire si indisponible"):
        table.add_column(header)
    for result in results:
        table.add_row("[green]✓[/]" if result.ok else "[red]✗[/]", escape(result.source.name),
                      escape(result.source.gives), escape(result.detail),
                      "" if result.ok else escape(result.source.fix))
    console.print(table)
    working = sum(r.ok for r in results)
    console.print(f"{working} source(s) en ligne sur {len(results)} accessibles."
                  + ("" if working == len(results) else
                     " maillage fonctionne sans elles avec les données intégrées du Lot "
                     "(voir « à faire »)."))


def register(app: typer.Typer) -> None:
    """Attach the ``data`` command group to the main maillage app."""
    group = typer.Typer(help="Données : sources en ligne et locales disponibles.",
                        no_args_is_help=True)
    group.command("check")(check)
    app.add_typer(group, name="data")
