"""A ``scenario run --out DIR`` killed while writing: its temporaries go at the next start.

``kill -9`` between writing the tables and renaming them leaves hidden temporary files in the
output folder; the next run removes those of dead processes (and says so), never those of a
run still writing, never a planner's own file.
"""

from __future__ import annotations

import os
import subprocess
import textwrap

import pytest

from maillage.atomic import atomic_files, clean_stale_temporaries
from tests import paths
from tests.writers import kill_when_ready, start_writer

_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from maillage.atomic import atomic_files
    out = Path(sys.argv[1])
    with atomic_files([out / "calamane-test-communes.csv", out / "calamane-test-epci.csv"]) as t:
        for tmp in t:
            tmp.write_text("moitié écrit", encoding="utf-8")
        print("pret", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _writer(out, seconds: float) -> subprocess.Popen:
    return start_writer(_WRITER, out, seconds)


def _temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


@pytest.fixture
def killed_run(tmp_path):
    """An output folder with the temporaries of a writer killed by ``kill -9``."""
    out = tmp_path / "sortie"
    out.mkdir()
    proc = _writer(out, 60)
    kill_when_ready(proc)
    assert len(_temporaries(out)) == 2
    return out


def test_scenario_run_removes_the_temporaries_of_a_killed_run_and_says_so(
        killed_run, capsys, monkeypatch):
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    stale = [killed_run / name for name in _temporaries(killed_run)]
    stranger = killed_run / ".calamane-test-resume.csv.abcd.tmp.csv"  # not maillage's name
    stranger.write_text("à garder", encoding="utf-8")
    status = main(["scenario", "run", str(paths.FIXTURES / "maps" / "calamane-test.yaml"),
                   "--out", str(killed_run)])
    printed = capsys.readouterr().out
    assert status == 0
    for path in stale:
        assert (f"Fichier temporaire d'une exécution interrompue supprimé : {path}"
                in printed.replace("\n", ""))
    assert _temporaries(killed_run) == [stranger.name]
    assert (killed_run / "calamane-test-communes.csv").is_file()


def test_the_temporaries_of_a_run_still_writing_are_kept(tmp_path):
    proc = _writer(tmp_path, 60)
    try:
        assert proc.stdout.readline().strip() == "pret"
        assert clean_stale_temporaries(tmp_path) == []
        assert len(_temporaries(tmp_path)) == 2
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_a_finished_write_leaves_no_temporary_and_its_names_say_the_owner(tmp_path):
    with atomic_files([tmp_path / "a.csv"]) as (tmp,):
        assert tmp.name.startswith(f".a.csv.{os.getpid()}-")
        tmp.write_text("x", encoding="utf-8")
    assert clean_stale_temporaries(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
