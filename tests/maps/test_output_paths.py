"""Output paths checked before the work, nothing left behind by a dead run, one writer at a time.

Real processes (``kill -9`` mid-run, three writers at once) and threads, each bounded by a
timeout.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import threading
import time

import pytest

from maillage.errors import InputError
from maillage.maps.output import (LOCK_SUFFIX, MARKER, OWNER, check_output, clean_stale,
                                  output_folder, output_lock)
from tests.writers import kill_when_ready, start_writer


def test_a_symlinked_out_is_refused_with_the_real_folder(tmp_path):
    real = tmp_path / "reel"
    real.mkdir()
    link = tmp_path / "lien"
    link.symlink_to(real)
    with pytest.raises(InputError) as caught:
        check_output(link)
    assert str(caught.value) == (f"« {link} » est un lien symbolique (vers « {real} ») : "
                                 "maillage ne remplace pas un lien par un dossier. Correction : "
                                 f"donner le dossier réel : --out {real}")
    assert link.is_symlink()


def test_a_dangling_symlink_out_is_refused(tmp_path):
    link = tmp_path / "lien"
    link.symlink_to(tmp_path / "absent")
    with pytest.raises(InputError) as caught:
        check_output(link)
    assert str(caught.value) == (f"« {link} » est un lien symbolique vers « {tmp_path / 'absent'} »"
                                 ", qui n'existe pas. Correction : donner un dossier réel avec "
                                 "--out")


def test_an_out_under_a_file_is_refused(tmp_path):
    blocker = tmp_path / "fichier.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_output(blocker / "sortie")
    assert str(caught.value) == (f"« {blocker} » n'est pas un dossier : impossible d'y écrire "
                                 "« sortie ». Correction : choisir un autre chemin de sortie")


@pytest.mark.skipif(os.geteuid() == 0, reason="root écrit partout : pas de dossier en lecture "
                                               "seule pour lui")
def test_a_read_only_parent_is_refused_before_the_work(tmp_path):
    locked = tmp_path / "verrouille"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="est en lecture seule"):
            check_output(locked / "sortie")
    finally:
        locked.chmod(0o700)


def test_the_report_command_fails_before_computing_on_a_bad_out(offline, tmp_path, capsys):
    from maillage.cli import main

    link = tmp_path / "lien"
    link.symlink_to(tmp_path / "absent")
    started = time.monotonic()
    status = main(["report", "--out", str(link)])
    err = capsys.readouterr().err
    assert status == 2 and "qui n'existe pas" in err
    assert time.monotonic() - started < 20  # no diagnostic computed (a full run takes longer)
    assert link.is_symlink() and not (tmp_path / "absent").exists()


def test_scenario_run_out_must_be_a_folder(offline, tmp_path, capsys):
    from maillage.cli import main
    from tests import paths

    target = tmp_path / "tableaux.csv"
    target.write_text("garde\n", encoding="utf-8")
    status = main(["scenario", "run", str(paths.FIXTURES / "maps" / "calamane-test.yaml"),
                   "--out", str(target)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"« {target} » est un fichier : --out attend un dossier" in err
    assert target.read_text(encoding="utf-8") == "garde\n"


def test_network_build_out_must_be_a_file(offline, tmp_path, capsys):
    from maillage.cli import main

    status = main(["network", "build", str(tmp_path / "absent.csv"), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"« {tmp_path} » est un dossier : un fichier est attendu" in err


_WRITER = textwrap.dedent("""
    import sys, time
    from maillage.maps.output import output_folder
    with output_folder(sys.argv[1]) as work:
        (work / "rapport.html").write_text("nouveau", encoding="utf-8")
        print("pret", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _writer(out, seconds) -> subprocess.Popen:
    return start_writer(_WRITER, out, seconds)


def test_a_killed_run_leaves_its_temporary_folder_cleaned_at_the_next_start(tmp_path):
    out = tmp_path / "sortie"
    with output_folder(out) as work:
        (work / "rapport.html").write_text("ancien", encoding="utf-8")
    proc = _writer(out, 60)
    kill_when_ready(proc)
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and (leftovers[0] / OWNER).is_file()
    assert (out / "rapport.html").read_text(encoding="utf-8") == "ancien"
    stranger = tmp_path / ".sortie.abcd.tmp"  # same name pattern, not maillage's: kept
    stranger.mkdir()
    with output_folder(out) as work:
        (work / "rapport.html").write_text("suivant", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sortie.abcd.tmp", "sortie"]
    assert (out / "rapport.html").read_text(encoding="utf-8") == "suivant"
    assert (out / MARKER).is_file() and not (out / OWNER).exists()


def test_a_live_run_s_temporary_folder_is_never_removed(tmp_path):
    out = tmp_path / "sortie"
    proc = _writer(out, 60)
    try:
        assert proc.stdout.readline().strip() == "pret"
        assert clean_stale(out) == []
        assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_three_processes_on_one_output_one_wins_the_others_get_a_message(tmp_path):
    out = tmp_path / "sortie"
    procs = [_writer(out, 3) for _ in range(3)]
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        results.append((proc.returncode, stdout, stderr))
    winners = [r for r in results if r[0] == 0]
    losers = [r for r in results if r[0] != 0]
    assert len(winners) >= 1 and len(winners) + len(losers) == 3
    for _, _, stderr in losers:
        assert "une autre exécution de maillage écrit déjà dans" in stderr
        assert "OSError" not in stderr and "FileNotFoundError" not in stderr
    assert (out / "rapport.html").read_text(encoding="utf-8") == "nouveau"
    assert [p.name for p in tmp_path.iterdir()] == ["sortie"]  # no temporary, no lock file


def test_two_threads_on_one_output_one_gets_a_message(tmp_path):
    out = tmp_path / "sortie"
    inside, release = threading.Event(), threading.Event()
    errors = []

    def first():
        with output_folder(out) as work:
            (work / "a.txt").write_text("a", encoding="utf-8")
            inside.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        try:
            with output_folder(out):
                pass
        except InputError as exc:
            errors.append(str(exc))
    finally:
        release.set()
        thread.join(timeout=30)
    assert not (tmp_path / f".sortie{LOCK_SUFFIX}").exists()
    assert errors == [f"une autre exécution de maillage écrit déjà dans « {out} » (processus "
                      f"{os.getpid()}). Correction : attendre qu'elle se termine, ou choisir un "
                      "autre dossier avec --out"]
    assert (out / "a.txt").is_file()


def test_the_lock_is_reentrant_in_one_thread(tmp_path):
    out = tmp_path / "sortie"
    with output_lock(out), output_folder(out) as work:
        (work / "a.txt").write_text("a", encoding="utf-8")
    assert (out / "a.txt").is_file()
