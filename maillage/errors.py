"""Exceptions shared by every layer of maillage.

Every error a planner can cause carries a French message that names the file, the row, the
column and the fix. The CLI prints that message and exits with status 2, never a traceback.
"""

from __future__ import annotations


class MaillageError(ValueError):
    """Base class of the errors maillage reports to users (message in French).

    A :class:`ValueError`, as for any bad value given to a library, so that callers catch
    maillage's errors the usual way (``except ValueError``) or precisely (``except InputError``).

    Examples
    --------
    >>> from maillage.errors import InputError
    >>> try:
    ...     raise InputError("« vingt » illisible", file="a.csv", row=3, column="places",
    ...                      fix="écrire 20")
    ... except ValueError as error:
    ...     print(error)
    fichier a.csv, ligne 3, colonne « places » : « vingt » illisible. Correction : écrire 20
    """


class InputError(MaillageError):
    """Bad user input: the message names the file, the row, the column and the fix.

    Parameters
    ----------
    message : str
        What is wrong, in French.
    file : str, optional
        The input file (path as the user gave it).
    row : int, optional
        1-based line number in the file as a spreadsheet shows it (header = line 1).
    column : str, optional
        The column concerned.
    fix : str, optional
        What to do about it, in French.
    """

    #: The :class:`~maillage.layers.ValidationReport` listing every error, when a loader
    #: raised it (``report.raise_if_errors()``), else None.
    report = None

    def __init__(self, message: str, *, file=None, row=None, column=None, fix=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"fichier {self.file}")
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        text = (", ".join(where) + " : " if where else "") + self.message
        if self.fix:
            text += f". Correction : {self.fix}"
        return text


class NetworkError(MaillageError):
    """A road network cannot be built, loaded or used (message in French)."""


class SolverError(MaillageError):
    """A siting model is infeasible or the solver failed (message in French)."""
