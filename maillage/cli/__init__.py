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

#: Errors go to stderr as plain text: a message quoting user text (« [/] ») is never markup.
err_console = Console(stderr=True, markup=False)


def _register_all() -> None:
    # The ``app`` command lives in ``webapp``: a submodule named ``app`` would shadow ``app``.
    from maillage.cli import data, layers, national, network, report, scenario, site, webapp

    for module in (layers, network, scenario, site, report, webapp, data, national):
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``maillage`` console script; returns the exit status."""
    try:
        # Standalone mode: typer prints usage errors and --help itself and exits.
        app(args=argv, standalone_mode=True)
    except MaillageError as exc:
        err_console.print("Erreur", style="bold red", end="")
        err_console.print(" : ", end="")
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("Interrompu.", style="yellow")
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
