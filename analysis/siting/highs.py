"""A thin sparse-matrix front end to the HiGHS MIP solver (``highspy``).

Models are assembled as blocks of variables and blocks of rows given as COO triplets, then
passed to HiGHS in one ``passModel`` call (column-wise sparse matrix), as the HiGHS docs
recommend over row-by-row construction.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from maillage.errors import SolverError
from maillage.formatting import fr_number, fr_percent

INF = highspy.kHighsInf


def _new_highs() -> highspy.Highs:
    """A silent Highs instance.

    HiGHS prints its banner on the process's standard output when the first instance is
    created, before any option can silence it: that first creation runs with file
    descriptor 1 pointed at the null device.
    """
    if _new_highs.banner_shown:  # type: ignore[attr-defined]
        return highspy.Highs()
    _new_highs.banner_shown = True  # type: ignore[attr-defined]
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_new_highs.banner_shown = False  # type: ignore[attr-defined]


class TimeLimitError(SolverError):
    """The time limit stopped HiGHS before it found any solution.

    ``dual_bound`` is the bound on the optimum HiGHS had proved (model units; NaN: none).
    """

    dual_bound = float("nan")


@dataclass
class MipSolution:
    """What HiGHS returned.

    Attributes
    ----------
    values : numpy.ndarray
        Value of every variable.
    objective : float
        Objective value (model units).
    optimal : bool
        True when proven optimal; False when the time limit stopped the search.
    mip_gap : float
        Relative gap between the best solution and the bound (0 when optimal).
    seconds : float
        Wall-clock solve time, seconds.
    dual_bound : float
        Bound on the optimum proved by HiGHS (model units: an upper bound when maximising,
        a lower bound when minimising); the objective itself when optimal.
    """

    values: np.ndarray
    objective: float
    optimal: bool
    mip_gap: float
    seconds: float
    dual_bound: float = float("nan")


class MipBuilder:
    """Collect variables and sparse rows, then solve with HiGHS."""

    def __init__(self) -> None:
        self._cost: list[np.ndarray] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._integer: list[np.ndarray] = []
        self._triplets: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._row_lower: list[np.ndarray] = []
        self._row_upper: list[np.ndarray] = []
        self.n_cols = 0
        self.n_rows = 0

    def variables(self, count: int, cost, lower=0.0, upper=1.0, integer=False) -> np.ndarray:
        """Add ``count`` variables; return their column indices."""
        self._cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (count,)).copy())
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (count,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (count,)).copy())
        self._integer.append(np.full(count, bool(integer)))
        columns = np.arange(self.n_cols, self.n_cols + count)
        self.n_cols += count
        return columns

    def rows(self, row, col, value, lower, upper, count: int | None = None) -> np.ndarray:
        """Add rows ``lower <= A x <= upper``; ``row`` numbers them from 0 within this block.

        The number of rows is ``count``, else the length of the bounds.
        """
        row = np.asarray(row, dtype=np.int64)
        lower = np.atleast_1d(np.asarray(lower, dtype=float))
        upper = np.atleast_1d(np.asarray(upper, dtype=float))
        if count is None:
            count = max(len(lower), len(upper))
        lower = np.broadcast_to(lower, (count,)).copy()
        upper = np.broadcast_to(upper, (count,)).copy()
        row = row + self.n_rows
        col = np.asarray(col, dtype=np.int64)
        value = np.broadcast_to(np.asarray(value, dtype=float), row.shape).copy()
        self._triplets.append((row, col, value))
        self._row_lower.append(lower)
        self._row_upper.append(upper)
        self.n_rows += count
        return np.arange(self.n_rows - count, self.n_rows)

    def _lp(self, maximize: bool) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.concatenate(self._cost)
        lp.col_lower_ = np.concatenate(self._lower)
        lp.col_upper_ = np.nan_to_num(np.concatenate(self._upper), posinf=INF)
        lp.row_lower_ = np.nan_to_num(np.concatenate(self._row_lower), neginf=-INF)
        lp.row_upper_ = np.nan_to_num(np.concatenate(self._row_upper), posinf=INF)
        rows = np.concatenate([t[0] for t in self._triplets])
        cols = np.concatenate([t[1] for t in self._triplets])
        vals = np.concatenate([t[2] for t in self._triplets])
        matrix = sp.csc_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        matrix.sum_duplicates()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        integer = np.concatenate(self._integer)
        if integer.any():
            kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
            lp.integrality_ = [kinds[int(flag)] for flag in integer]
        lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        return lp

    def solve(
        self,
        *,
        maximize: bool,
        time_limit: float = 60.0,
        progress: Callable[[str], None] | None = None,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> MipSolution:
        """Solve with HiGHS within ``time_limit`` seconds.

        ``progress`` receives a French status line at each improved solution; ``start``
        (columns, values) is a partial starting solution (e.g. a greedy choice of sites)
        that HiGHS completes.

        Raises
        ------
        SolverError
            Infeasible model, or no solution found within the time limit.
        """
        highs = _new_highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("mip_rel_gap", 1e-9)
        highs.passModel(self._lp(maximize))
        if start is not None and len(start[0]):
            columns, values = start
            highs.setSolution(len(columns), np.asarray(columns, dtype=np.int32),
                              np.asarray(values, dtype=float))
        if progress is not None:
            def report(event):
                data = event.data_out
                gap = (fr_percent(data.mip_gap, 2) if np.isfinite(data.mip_gap)
                       else "inconnu : pas encore de borne")
                progress(f"meilleure solution {fr_number(data.objective_function_value, 1)}"
                         f" (écart {gap})")
            highs.cbMipImprovingSolution.subscribe(report)
        start = time.perf_counter()
        highs.run()
        seconds = time.perf_counter() - start
        status = highs.getModelStatus()
        info = highs.getInfo()
        has_solution = info.primal_solution_status == 2
        if status == highspy.HighsModelStatus.kInfeasible:
            raise SolverError(
                "le modèle d'implantation n'a pas de solution (infaisable). Correction : "
                "vérifier que chaque point de demande peut joindre assez de places (capacités "
                "des sites à sa portée), augmenter p ou les places, ou relever le seuil")
        if status != highspy.HighsModelStatus.kOptimal and not has_solution:
            error = TimeLimitError if status == highspy.HighsModelStatus.kTimeLimit else SolverError
            exc: SolverError = error(
                f"HiGHS s'est arrêté sans solution ({highs.modelStatusToString(status)}) "
                f"après {seconds:.0f} s. Correction : augmenter la limite de temps "
                f"(time_limit, --time-limit) ou utiliser la méthode gloutonne (method='greedy')"
            )
            exc.dual_bound = self._dual_bound(info)  # type: ignore[attr-defined]
            raise exc
        optimal = status == highspy.HighsModelStatus.kOptimal
        gap = float(info.mip_gap) if self._has_integers() and not optimal else 0.0
        objective = float(info.objective_function_value)
        return MipSolution(
            values=np.asarray(highs.getSolution().col_value),
            objective=objective,
            optimal=optimal,
            mip_gap=gap if np.isfinite(gap) else float("inf"),
            seconds=seconds,
            dual_bound=objective if optimal else self._dual_bound(info),
        )

    def _dual_bound(self, info) -> float:
        """HiGHS's proved bound on the optimum; NaN when it has none (±inf, or an LP)."""
        bound = float(info.mip_dual_bound) if self._has_integers() else float("nan")
        return bound if np.isfinite(bound) and abs(bound) < INF else float("nan")

    def _has_integers(self) -> bool:
        return any(block.any() for block in self._integer)
