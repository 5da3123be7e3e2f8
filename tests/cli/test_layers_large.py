"""``maillage layers check`` on a large file: the first lines, a summary, the full report."""

from __future__ import annotations

import pandas as pd
import pytest

from maillage.cli import main

pytestmark = pytest.mark.usefixtures("offline")


def _file(tmp_path, rows: int, mistakes: int = 0):
    path = tmp_path / "structures.csv"
    lines = ["nom;type;code_insee;places"]
    lines += [f"ALSH {i};alsh;46042;{'vingt' if i < mistakes else 20}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_past_200_lines_the_table_is_cut_and_summarised_and_out_has_them_all(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "rapport.csv"
    assert main(["layers", "check", str(_file(tmp_path, 300)), "--out", str(out)]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # long titles wrap
    assert "(200 premières lignes sur 301, erreurs d'abord)" in printed
    assert "Toutes les remarques, par niveau et colonne" in printed
    assert "Chargé : 300 structures" in printed
    full = pd.read_csv(out, dtype=str)
    assert list(full.columns) == ["level", "file", "row", "column", "message", "fix"]
    assert len(full) == 301  # the columns recognised, then one id attributed per row
    assert full["message"].iloc[-1] == "identifiant absent : « alsh-alsh-299-46042 » attribué"


def test_errors_come_first_in_a_cut_table(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    path = _file(tmp_path, 260, mistakes=3)
    assert main(["layers", "check", str(path)]) == 2
    printed = " ".join(capsys.readouterr().out.split())
    assert printed.count("« vingt » n'est pas un nombre") == 3 + 1  # 3 in the table, 1 example
