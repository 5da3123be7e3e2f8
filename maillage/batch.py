"""The diagnostic report of every EPCI of a département, in one command, in parallel.

Each report is the single-EPCI run (:func:`maillage.pipeline.run_diagnostic` with the same
arguments as ``maillage report --epci CODE``), written to ``<out>/<SIREN>/``; the reports run
as tasks on a Dask cluster (local processes by default, a scheduler address otherwise) or one
after the other (``workers=1``). A report that fails is listed with its French message; the
others are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from maillage.errors import InputError, MaillageError
from maillage.cluster import map_tasks


@dataclass
class EpciReport:
    """The outcome of one EPCI's report.

    Attributes
    ----------
    epci : str
        SIREN of the EPCI.
    name : str
        Its name.
    report : Path or None
        ``rapport.html`` (None when the run failed).
    seconds : float
        Wall-clock time of the run, seconds.
    error : str
        The French error message when it failed, else empty.
    """

    epci: str
    name: str
    report: Path | None
    seconds: float
    error: str = ""


def department_epcis(departement: str = "46") -> pd.DataFrame:
    """The EPCIs with communes in a département (embedded communes: the Lot).

    Parameters
    ----------
    departement : str
        Département code.

    Returns
    -------
    pandas.DataFrame
        ``epci`` (SIREN), ``name``, ``communes`` (number in the département), by SIREN.

    Raises
    ------
    InputError
        No commune of that département is known.
    """
    from maillage.layers import load_communes

    communes = load_communes(offline=True)
    communes = communes[communes["code"].astype(str).str[:2] == str(departement).zfill(2)]
    if communes.empty:
        raise InputError(f"aucune commune connue dans le département {departement}",
                         fix="choisir le Lot (46), le territoire embarqué de maillage")
    table = (communes.groupby("epci").agg(name=("epci_name", "first"), communes=("code", "size"))
             .reset_index().astype({"epci": "str"}))
    return table.sort_values("epci", ignore_index=True)


def epci_report_task(epci: tuple[str, str], out: str, options: dict) -> EpciReport:
    """Run the single-EPCI diagnostic of ``epci`` into ``out/<SIREN>`` (a Dask task).

    Parameters
    ----------
    epci : tuple of (str, str)
        SIREN and name.
    out : str
        The batch's output folder.
    options : dict
        Keyword arguments of :func:`maillage.pipeline.run_diagnostic` (``name``, ``scenario``,
        ``network``, ``settings``, ``self_contained``).

    Returns
    -------
    EpciReport
        The report's path and time, or the French error message.
    """
    from maillage.pipeline import run_diagnostic

    code, name = epci
    started = time.perf_counter()
    try:
        report = run_diagnostic(Path(out) / code, epci=code, **options)
    except MaillageError as exc:
        return EpciReport(code, name, None, time.perf_counter() - started, str(exc))
    return EpciReport(code, name, report, time.perf_counter() - started)


def run_epci_reports(out, *, departement: str = "46", epcis=None, address: str | None = None,
                     workers: int | None = None, processes: bool = True,
                     on_done: Callable[[EpciReport], None] | None = None,
                     **options) -> list[EpciReport]:
    """Write the diagnostic report of every EPCI of a département, in parallel.

    Parameters
    ----------
    out : path
        Folder of the reports: one sub-folder per SIREN (each replaced whole, as
        ``maillage report --out``).
    departement : str
        Département code (the Lot, 46, by default).
    epcis : iterable of str, optional
        Only these SIRENs (default: every EPCI of the département).
    address : str, optional
        Dask scheduler address of a real cluster (shared storage for ``out``).
    workers : int, optional
        Local worker processes (default: up to 2); ``1`` = one after the other, no Dask.
    processes : bool
        Local workers are processes (default; the report draws figures with matplotlib,
        which is not thread-safe).
    on_done : callable, optional
        Called with each :class:`EpciReport` as it finishes.
    **options
        Passed to :func:`maillage.pipeline.run_diagnostic` for every EPCI (``name``,
        ``scenario``, ``network``, ``settings``, ``self_contained``, ``at``).

    Returns
    -------
    list of EpciReport
        In SIREN order.

    Raises
    ------
    InputError
        An unknown SIREN, or no EPCI in the département.
    """
    table = department_epcis(departement)
    if epcis is not None:
        wanted = [str(e).strip() for e in epcis]
        unknown = sorted(set(wanted) - set(table["epci"]))
        if unknown:
            raise InputError(f"EPCI inconnu(s) dans le département {departement} : "
                             f"{', '.join(unknown)}",
                             fix=f"choisir parmi {', '.join(table['epci'])}")
        table = table[table["epci"].isin(wanted)]
    folder = Path(out).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    items = list(zip(table["epci"], table["name"]))
    return map_tasks(epci_report_task, items, str(folder), dict(options),
                     keys=[f"rapport-{code}" for code, _ in items], address=address,
                     workers=workers, processes=processes, on_done=on_done, folder=folder)
