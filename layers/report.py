"""What loading did: the validation report and the provenance of each layer.

Every loader appends to a :class:`ValidationReport` what it repaired, converted, mapped or
rejected, so that no row is changed or dropped silently. A :class:`LayerSource` says where a
layer came from (user file, cache, shared data, online, embedded default) and what could not
be done offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from maillage.errors import InputError

#: Report levels, from the most to the least serious.
LEVELS = ("erreur", "réparé", "converti", "info")


@dataclass(slots=True)  # a million of them for a file of a million rows
class ReportEntry:
    """One line of a validation report (French message and fix)."""

    level: str
    file: str | None
    row: int | None
    column: str | None
    message: str
    fix: str | None = None


@dataclass
class ValidationReport:
    """What loading repaired, converted, mapped or rejected.

    Row numbers are spreadsheet line numbers (header = line 1).

    Attributes
    ----------
    entries : list of ReportEntry
        What happened, in order, each with its ``level`` among "erreur", "réparé",
        "converti", "info", and the file, row, column and fix it concerns.

    Examples
    --------
    >>> report = ValidationReport()
    >>> entry = report.add("réparé", "espace en trop retiré", file="alsh.csv", row=3, column="nom")
    >>> len(report), report.entries[0].level, report.errors
    (1, 'réparé', [])
    """

    entries: list[ReportEntry] = field(default_factory=list)
    #: (entries scanned, errors among them): lets :attr:`error_count` scan only new entries.
    _counted: tuple[int, int] = field(default=(0, 0), init=False, repr=False, compare=False)

    def add(self, level: str, message: str, *, file=None, row=None, column=None,
            fix=None) -> ReportEntry:
        """Append an entry and return it; ``level`` must be one of :data:`LEVELS`."""
        if level not in LEVELS:
            raise ValueError(f"unknown report level {level!r}")
        entry = ReportEntry(level, None if file is None else str(file), row, column,
                            message, fix)
        self.entries.append(entry)
        return entry

    def error(self, message: str, **where) -> ReportEntry:
        """Append an "erreur" entry (same keywords as :meth:`add`)."""
        return self.add("erreur", message, **where)

    def extend(self, other: ValidationReport) -> None:
        """Append every entry of ``other``."""
        self.entries.extend(other.entries)

    @property
    def errors(self) -> list[ReportEntry]:
        """The "erreur" entries, in file order."""
        return [e for e in self.entries if e.level == "erreur"]

    @property
    def error_count(self) -> int:
        """Number of "erreur" entries (cheap to ask after every row of a large file)."""
        scanned, count = self._counted
        if scanned == len(self.entries):
            return count
        if scanned > len(self.entries):  # entries were removed: count again
            scanned, count = 0, 0
        count += sum(1 for e in self.entries[scanned:] if e.level == "erreur")
        self._counted = (len(self.entries), count)
        return count

    def raise_if_errors(self) -> None:
        """Raise the first error as an :class:`~maillage.errors.InputError` carrying this report.

        Raises
        ------
        InputError
            With ``exc.report`` set to this report, so that callers can show every error.
        """
        errors = self.errors
        if not errors:
            return
        first = errors[0]
        exc = InputError(first.message, file=first.file, row=first.row, column=first.column,
                         fix=first.fix)
        exc.report = self
        raise exc

    def to_frame(self):
        """The entries as a DataFrame (columns level, file, row, column, message, fix)."""
        columns = ["level", "file", "row", "column", "message", "fix"]
        return pd.DataFrame([[getattr(e, c) for c in columns] for e in self.entries],
                            columns=columns)

    def to_text(self) -> str:
        """The entries as French text, one line each ("aucune remarque" when empty)."""
        if not self.entries:
            return "Aucune remarque : le fichier a été chargé sans modification."
        lines = []
        for e in self.entries:
            where = ", ".join(w for w in (
                e.file and f"fichier {e.file}",
                e.row is not None and f"ligne {e.row}",
                e.column and f"colonne « {e.column} »") if w)
            text = f"[{e.level}] " + (f"{where} : " if where else "") + e.message
            if e.fix:
                text += f". Correction : {e.fix}"
            lines.append(text)
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class LayerSource:
    """Provenance of one layer.

    Parameters
    ----------
    kind : str
        "fichier utilisateur", "cache", "données partagées", "en ligne" or "intégré".
    description : str
        What was read (file or URL), in French.
    vintage : str
        Reference date of the data (e.g. "COG 2026").
    licence : str
        Licence of the data.
    crs : str
        CRS of the layer as returned (always EPSG:4326 for maillage layers).
    missing : str
        What could not be done (offline, no contours...), in French; empty when nothing.
    citation : str
        How figures and maps cite the source, French, without file paths (« IGN Admin
        Express 2018 », « INSEE Filosofi 2021 »); empty: the description is cited.

    Examples
    --------
    >>> source = LayerSource("fichier utilisateur", "alsh.csv", "2025", "")
    >>> source.kind, source.description
    ('fichier utilisateur', 'alsh.csv')
    """

    kind: str
    description: str
    vintage: str = ""
    licence: str = ""
    crs: str = "EPSG:4326"
    missing: str = ""
    citation: str = ""

    def __str__(self) -> str:
        text = f"{self.kind} : {self.description}"
        if self.vintage:
            text += f" ({self.vintage})"
        if self.missing:
            text += f" — {self.missing}"
        return text
