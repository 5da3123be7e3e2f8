"""CLI flags are English; the French (and older) names of earlier versions still work as aliases."""

from __future__ import annotations

import pytest
import typer.main

from maillage.cli import app, main

pytestmark = pytest.mark.usefixtures("offline")

#: French flag of earlier versions -> its English name.
FRENCH_ALIASES = {
    "--territoire": "--territory",
    "--reseau": "--network",
    "--en-ligne": "--online",
    "--methode": "--method",
    "--candidats": "--candidates",
    "--limite": "--time-limit",
    "--limit": "--time-limit",
    "--pieton": "--walk",
    "--tampon": "--buffer",
    "--contour": "--boundary",
}


def _options():
    """(command path, option names) of every option of every command."""
    def walk(command, path):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk(sub, (*path, name))
            return
        for param in command.params:
            if param.param_type_name == "option":
                yield " ".join(path), list(param.opts) + list(param.secondary_opts)

    return list(walk(typer.main.get_command(app), ()))


def test_every_option_is_named_in_english_first():
    for command, names in _options():
        long_names = [n for n in names if n.startswith("--")]
        assert long_names[0] not in FRENCH_ALIASES, f"maillage {command} {names}"
        for name in long_names[1:]:
            assert FRENCH_ALIASES.get(name) == long_names[0], f"maillage {command} {names}"


def test_every_french_flag_is_still_accepted_beside_its_english_name():
    pairs = {(names[0], alias) for _, names in _options() for alias in names[1:]
             if alias.startswith("--")}
    assert {(english, french) for french, english in FRENCH_ALIASES.items()} <= pairs


@pytest.mark.parametrize("english,french", [("--limit", "--limite"), ("--method", "--methode")])
def test_the_alias_and_the_english_flag_do_the_same(english, french, capsys):
    value = "nan" if english == "--limit" else "glouton"
    results = []
    for flag in (english, french):
        status = main(["site", "best", "--epci", "200023737", flag, value])
        results.append((status, capsys.readouterr().err))
    assert results[0] == results[1]
    assert results[0][0] == 2


def test_report_network_flag_and_its_french_alias_read_the_same_file(tmp_path, capsys):
    results = []
    for flag in ("--network", "--reseau"):
        status = main(["report", "--epci", "200023737", flag, str(tmp_path / "absent.graphml"),
                       "--out", str(tmp_path / flag.strip("-"))])
        results.append((status, capsys.readouterr().err))
    assert results[0] == results[1]
    assert results[0][0] == 2 and "absent.graphml" in results[0][1]
