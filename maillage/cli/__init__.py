"""The ``maillage`` command: parses arguments and calls the public API, nothing more.

Each command group lives in its own module and exposes ``register(app)``.
Errors a user can cause (:class:`maillage.errors.MaillageError`) are printed in French
with the fix, and the command exits with status 2, never with a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from maillage.errors import MaillageError

app = typer.Typer(
    name="maillage",
    help="maillage : couverture territoriale des services aux familles (CTG).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

err_console = Console(stderr=True)


def _register_all() -> None:
    from maillage.cli import layers, network, report, scenario, site

    for module in (layers, network, scenario, site, report):
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``maillage`` console script."""
    try:
        app(args=argv, standalone_mode=False)
    except MaillageError as exc:
        err_console.print("[bold red]Erreur[/] : ", end="")
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("[yellow]Interrompu.[/]")
        return 130
    except SystemExit as exc:  # typer/click exits (--help, usage errors)
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors and similar
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
