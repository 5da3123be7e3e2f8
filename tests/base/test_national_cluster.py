"""The national batch on a real Dask cluster: ``dask scheduler`` and ``dask worker`` processes.

Each process is started with the ``dask`` command as an operator would on remote machines,
in its own process group, and killed at the end of its fixture. The graph work is a few
seconds; every wait is bounded.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest

from maillage.analysis import merge_partitions
from maillage.cli import main
from maillage.errors import InputError
from maillage.national import run_partitions

from .dask_processes import ProcessCluster, group_pids, needs_dask_cli
from .national_tasks import stall_once, tagged

pytestmark = needs_dask_cli

#: Longest wait for a whole batch on the cluster, seconds.
RUN_S = 240.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers (``--nworkers 1 --nthreads 1``), for the module."""
    processes = ProcessCluster(tmp_path_factory.mktemp("cluster"))
    try:
        processes.start_scheduler()
        processes.start_worker("w1")
        processes.start_worker("w2")
        processes.wait_workers(2)
        yield processes
    finally:
        processes.close()


@pytest.fixture
def own_cluster(tmp_path):
    """A scheduler alone, for a test that starts and kills its own workers."""
    processes = ProcessCluster(tmp_path / "cluster")
    try:
        processes.start_scheduler()
        yield processes
    finally:
        processes.close()


def bounded(function, timeout: float = RUN_S):
    """``function()`` in a thread, failing the test if it has not returned in ``timeout`` s."""
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(function).result(timeout=timeout)
    finally:
        pool.shutdown(wait=False)


def _pairs(folder: Path) -> pd.DataFrame:
    frames = [pq.read_table(path).to_pandas() for path in sorted(folder.glob("*.parquet"))]
    return pd.concat(frames, ignore_index=True)


def _ran_on(folder: Path, name: str) -> set[int]:
    """Process groups that ran partition ``name`` (markers left by the tagged tasks)."""
    return {int(p.name.rsplit("-", 1)[1]) for p in folder.glob(f"ran-{name}-*")}


def test_a_real_cluster_equals_one_process_bit_for_bit(cluster, partitions, single, tmp_path):
    results = bounded(lambda: run_partitions(partitions, address=cluster.address,
                                             pairs_dir=tmp_path, task=tagged))
    table, folder = single
    pd.testing.assert_frame_equal(merge_partitions(results), table, check_exact=True)
    pd.testing.assert_frame_equal(_pairs(tmp_path), _pairs(folder), check_exact=True)
    # Run by the worker processes started with « dask worker », not here.
    workers = {cluster.processes[name].pid for name in ("w1", "w2")}
    ran = set().union(*(_ran_on(tmp_path, p.name) for p in partitions))
    assert ran and ran <= workers and os.getpgid(0) not in ran
    assert not list(tmp_path.glob(".*")), "no marker or temporary file left"
    # The scheduler file written by « dask scheduler --scheduler-file » names the cluster too.
    by_file = bounded(lambda: run_partitions(partitions[:1], pairs_dir=tmp_path / "fichier",
                                             address=str(cluster.folder / "scheduler.json")))
    pd.testing.assert_frame_equal(merge_partitions(by_file), table.loc[by_file[0].table.index],
                                  check_exact=True)


def test_the_cli_runs_on_the_cluster_and_streams_geopackages(shared_data, cluster, tmp_path,
                                                             capsys):
    common = ["national", "--departements", "82", "--spacing", "5000", "--shared",
              str(shared_data)]
    assert main([*common, "--workers", "1", "--out", str(tmp_path / "seul")]) == 0
    capsys.readouterr()
    status = bounded(lambda: main([*common, "--dask", cluster.address, "--format", "gpkg",
                                   "--out", str(tmp_path / "cluster")]))
    assert status == 0, capsys.readouterr().err
    assert f"cluster Dask {cluster.address}" in capsys.readouterr().out
    alone, spread = tmp_path / "seul", tmp_path / "cluster"
    assert (spread / "communes.csv").read_bytes() == (alone / "communes.csv").read_bytes()
    pairs = pyogrio.read_dataframe(spread / "paires" / "france_services-82.gpkg")
    expected = pq.read_table(alone / "paires" / "france_services-82.parquet").to_pandas()
    assert len(expected) > 100
    pd.testing.assert_frame_equal(pd.DataFrame(pairs.drop(columns="geometry")), expected,
                                  check_exact=True, check_dtype=False)
    origins = pyogrio.read_dataframe(spread / "origines.gpkg").set_index("origin")
    assert pairs.geometry.geom_equals(origins.geometry.loc[pairs["origin"]].reset_index(
        drop=True)).all()


def test_a_worker_killed_mid_run_is_replaced_and_the_result_is_unchanged(
        own_cluster, partitions, single, tmp_path):
    first = own_cluster.start_worker("a")
    own_cluster.wait_workers(1)
    pool = ThreadPoolExecutor(1)
    try:
        running = pool.submit(run_partitions, partitions, address=own_cluster.address,
                              pairs_dir=tmp_path, task=stall_once)
        started = tmp_path / "started-02"
        deadline = time.monotonic() + RUN_S
        while not started.exists() and time.monotonic() < deadline and not running.done():
            time.sleep(0.1)
        assert started.exists() and not running.done(), "partition 02 never started"
        own_cluster.kill("a", signal.SIGKILL)  # the worker and its nanny: nothing restarts it
        assert int(started.read_text()) == first.pid  # 02 was running in that group
        assert group_pids(first.pid) == []
        replacement = own_cluster.start_worker("b")
        results = running.result(timeout=RUN_S)
    finally:
        pool.shutdown(wait=False)
    assert _ran_on(tmp_path, "02") == {replacement.pid}  # rerun by the new worker
    pd.testing.assert_frame_equal(merge_partitions(results), single[0], check_exact=True)
    pd.testing.assert_frame_equal(_pairs(tmp_path), _pairs(single[1]), check_exact=True)


def test_workers_with_another_maillage_are_refused_before_any_task(own_cluster, partitions,
                                                                   tmp_path):
    # A worker whose Python finds maillage 9.9.9 first (its installed metadata).
    fake = tmp_path / "ailleurs"
    (fake / "maillage-9.9.9.dist-info").mkdir(parents=True)
    (fake / "maillage-9.9.9.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: maillage\nVersion: 9.9.9\n")
    from .dask_processes import ROOT

    own_cluster.start_worker("ancien", env={"PYTHONPATH": f"{fake}{os.pathsep}{ROOT}"})
    own_cluster.wait_workers(1)
    with pytest.raises(InputError, match="pas la même version") as error:
        bounded(lambda: run_partitions(partitions, address=own_cluster.address,
                                       pairs_dir=tmp_path / "out"))
    assert "maillage 9.9.9 (ici 0.1.0)" in str(error.value)
    assert "Mismatched versions" in str(error.value)  # distributed's own table
    assert not list((tmp_path / "out").glob("*")), "nothing written"


def _can_isolate() -> bool:
    """Root, with setpriv and a private mount namespace (unshare -m) available."""
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


# The « nobody » worker runs the venv's Python through another path: distributed warns that its
# patch version differs, which is beside the point here.
@pytest.mark.filterwarnings("ignore:Mismatched versions found")
@pytest.mark.skipif(not _can_isolate(), reason="il faut root, setpriv et unshare -m (espace de "
                                               "montage privé) pour simuler un worker sans accès")
def test_an_output_folder_workers_cannot_see_or_write_is_refused_in_french(own_cluster,
                                                                         partitions):
    shared = Path(tempfile.mkdtemp(prefix="maillage-partage-"))
    try:
        shared.chmod(0o755)
        out = shared / "sorties"
        out.mkdir(mode=0o755)
        # A worker on « another machine »: its own mount of that folder (an empty tmpfs).
        mount = 'mount -t tmpfs maillage "$0" && exec "$@"'
        own_cluster.start_worker("ailleurs", prefix=["unshare", "-m", "--propagation",
                                                     "private", "sh", "-c", mount, str(shared)])
        own_cluster.wait_workers(1)
        with pytest.raises(InputError, match="ne voit pas ce dossier"):
            bounded(lambda: run_partitions(partitions, address=own_cluster.address,
                                           pairs_dir=out))
        own_cluster.kill("ailleurs", signal.SIGTERM)
        own_cluster.wait_workers(0)
        # A worker running as « nobody »: it sees the folder but cannot write there (without a
        # nanny: multiprocessing's resource tracker does not start under setpriv here).
        local = shared / "local"
        local.mkdir(mode=0o777)
        local.chmod(0o777)
        own_cluster.start_worker("nobody", local=local, env={"HOME": str(local)},
                                 prefix=["setpriv", "--reuid", "65534", "--regid", "65534",
                                         "--clear-groups"], options=["--no-nanny"])
        own_cluster.wait_workers(1)
        with pytest.raises(InputError, match="ne peut pas y écrire") as error:
            bounded(lambda: run_partitions(partitions, address=own_cluster.address,
                                           pairs_dir=out))
        assert "stockage partagé" in str(error.value) and str(out) in str(error.value)
        assert not list(out.iterdir()), "no marker left"
    finally:
        own_cluster.close()
        shutil.rmtree(shared, ignore_errors=True)
