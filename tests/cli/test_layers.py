"""`maillage layers check` and `maillage layers show`, as a planner runs them."""

from __future__ import annotations


import pytest

from maillage.cli import main
from tests import paths

BAD = paths.BAD_INPUTS


pytestmark = pytest.mark.usefixtures("offline")


def test_check_prints_every_error_and_exits_2_without_traceback(capsys):
    code = main(["layers", "check", str(BAD / "non_numeric_places.csv"), "--kind", "alsh"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "nombre de places « vingt » n'est pas un nombre" in out
    assert "1 erreur : fichier non chargé" in err
    assert "Traceback" not in out + err


def test_check_of_a_good_file_exits_0(capsys):
    assert main(["layers", "check", str(BAD / "cp1252.csv")]) == 0
    out = capsys.readouterr().out
    assert "encodage Windows-1252" in out
    assert "Chargé : 1 structure depuis" in out


def test_show_summarises_grand_cahors(capsys):
    assert main(["layers", "show", "--epci", "200023737"]) == 0
    out = capsys.readouterr().out
    assert "CA du Grand Cahors : 36 communes" in out
    assert "42 094" in out
    assert "alsh" in out and "Sources" in out
