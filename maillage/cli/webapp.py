"""CLI command ``maillage app``: the what-if workbench in the browser (local server)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Attach ``maillage app`` to the main app."""

    @app.command("app")
    def run_app(
        epci: Optional[str] = typer.Option(None, "--epci", help="SIREN de l'intercommunalité "
                                           "affichée au départ (ex. 200023737)."),
        network: Optional[Path] = typer.Option(None, "--network", "--reseau",
                                               help="Réseau routier (GraphML, fichier OSM, "
                                                    "liste de tronçons) pour les temps de "
                                                    "trajet."),
        port: Optional[int] = typer.Option(None, "--port", min=1024, max=65535,
                                           help="Port local (défaut : un port libre)."),
        date: Optional[str] = typer.Option(None, "--date", help="Date de l'état de base "
                                           "(AAAA-MM-JJ ; défaut : aujourd'hui)."),
        no_browser: bool = typer.Option(False, "--no-browser",
                                        help="Ne pas ouvrir le navigateur."),
    ) -> None:
        """Atelier de scénarios dans le navigateur : ouvrir, fermer, déplacer des services et
        voir les indicateurs changer (serveur local, 127.0.0.1 seulement)."""
        import logging

        from rich.console import Console

        from maillage.app.server import serve
        from maillage.app.start import open_session

        console = Console()
        logging.getLogger("maillage").setLevel(logging.ERROR)
        with console.status("Chargement du territoire et du réseau routier…"):
            session = open_session(epci=epci, network=network, date=date)

        def ready(url: str) -> None:
            console.print("maillage app : ouvrir cette adresse dans le navigateur "
                          "(Ctrl+C pour arrêter) :")
            console.print(url, markup=False, highlight=False, soft_wrap=True)

        serve(session, port=port, open_browser=not no_browser, on_ready=ready)
