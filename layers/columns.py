"""Validating a table column by column: each distinct cell read once, findings in row order.

A planner's file of a million rows has few distinct cells per column (kinds, places, dates,
opening periods, commune codes). :class:`Cells` reads each distinct cell of a column once
with the same function a row-by-row reader would call, and spreads the answers back to every
row as arrays. :class:`Findings` collects what the rules found, rule by rule, for the failing
rows only, and writes them to the :class:`~maillage.layers.report.ValidationReport` in the
order a row-by-row reader would have: by row, then by rule, then by position in the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .report import ReportEntry
from .tables import BLANK_WORDS


def _text(value) -> str:
    """A cell as stripped text, "" when blank (as ``RowCells.text``)."""
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text in BLANK_WORDS else text


class Cells:
    """The cells of one column: distinct stripped texts and, per row, which one it holds.

    Parameters
    ----------
    frame : DataFrame
        The table (text cells).
    column : str
        Canonical column name; an absent column reads as blank cells.
    """

    def __init__(self, frame, column: str):
        n = len(frame)
        if column in frame.columns:
            codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object),
                                          use_na_sentinel=True)
            texts = [_text(u) for u in uniques.tolist()]
        else:
            codes, texts = np.full(n, -1, dtype=np.int64), []
        texts.append("")  # a missing value (code -1) reads as blank
        self.codes = np.where(codes < 0, len(texts) - 1, codes)
        #: Distinct stripped texts (blank cells are "").
        self.texts = texts

    def text(self) -> np.ndarray:
        """Stripped text of every row (object array, "" when blank)."""
        return np.asarray(self.texts, dtype=object)[self.codes]

    def blank(self) -> np.ndarray:
        """True for every blank row."""
        return np.array([t == "" for t in self.texts], dtype=bool)[self.codes]

    def map(self, function: Callable[[str], Any]) -> list:
        """``function`` of each distinct text, in the order of :attr:`texts`."""
        return [function(t) for t in self.texts]

    def spread(self, values: list, dtype=object) -> np.ndarray:
        """Per-distinct-text ``values`` spread to every row."""
        return np.asarray(values, dtype=dtype)[self.codes]


def spread_findings(cells: Cells, answers: list, rows: np.ndarray | None = None):
    """Rows whose distinct text got a finding, and the finding of each.

    ``answers`` holds, per distinct text, None (nothing to say) or a finding; ``rows``
    restricts to these row positions. Returns (row positions, findings).
    """
    has = np.array([a is not None for a in answers], dtype=bool)
    codes = cells.codes if rows is None else cells.codes[rows]
    hit = np.flatnonzero(has[codes])
    positions = hit if rows is None else rows[hit]
    return positions, [answers[c] for c in codes[hit].tolist()]


class Findings:
    """Report entries of a table collected rule by rule, written in row order.

    Parameters
    ----------
    rows : array of int
        Spreadsheet line number of each row (header = line 1).
    file : str
        File name used in messages.
    headers : dict
        Canonical column -> the user's header (messages name the user's column).
    """

    def __init__(self, rows, file: str, headers: dict | None = None):
        self.rows = np.asarray(rows).tolist()
        self.file = file
        self.headers = headers or {}
        #: True for every row with at least one error.
        self.has_error = np.zeros(len(self.rows), dtype=bool)
        self._blocks: list[tuple] = []

    def header(self, column: str | None) -> str | None:
        """The user's header for a canonical column (the canonical name when absent)."""
        return None if column is None else self.headers.get(column, column)

    def add(self, step: int, level: str, positions, messages, column: str | None,
            fix=None, sub=0) -> None:
        """Findings of one rule: one message per row position (or one for all).

        ``step`` orders rules within a row, ``sub`` (one per position, or one for all)
        findings of one rule within a row; ``fix`` is one text for all, or one per position.
        """
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return
        if isinstance(messages, str):
            messages = [messages] * len(positions)
        if level == "erreur":
            self.has_error[positions] = True
        self._blocks.append((positions, step, np.broadcast_to(np.asarray(sub), positions.shape),
                             level, list(messages), self.header(column), fix))

    def write(self, report) -> None:
        """Append every finding to ``report``: by row, then rule, then ``sub``."""
        if not self._blocks:
            return
        positions = np.concatenate([b[0] for b in self._blocks])
        steps = np.concatenate([np.full(len(b[0]), b[1]) for b in self._blocks])
        subs = np.concatenate([b[2] for b in self._blocks])
        block = np.concatenate([np.full(len(b[0]), k) for k, b in enumerate(self._blocks)])
        within = np.concatenate([np.arange(len(b[0])) for b in self._blocks])
        order = np.lexsort((subs, steps, positions))
        rows, file, blocks = self.rows, self.file, self._blocks
        entries = []
        for p, k, j in zip(positions[order].tolist(), block[order].tolist(),
                           within[order].tolist()):
            _, _, _, level, messages, column, fix = blocks[k]
            entries.append(ReportEntry(level, file, rows[p], column, messages[j],
                                       fix if fix is None or isinstance(fix, str) else fix[j]))
        report.entries.extend(entries)
