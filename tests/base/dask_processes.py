"""A real Dask cluster for the tests: ``dask scheduler`` and ``dask worker`` as OS processes.

Started as an operator would on remote machines (the ``dask`` command of distributed), each
process in its own process group (killed whole: the worker and its nanny), every wait bounded,
everything killed on :meth:`ProcessCluster.close` (the fixtures call it in their teardown).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The ``dask`` command beside this Python (the venv's), else on the PATH.
DASK = shutil.which("dask", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                  os.environ.get("PATH", "")]))

#: Skip marker of the tests that need it.
needs_dask_cli = pytest.mark.skipif(
    DASK is None, reason="commande « dask » (distributed) absente : pas de cluster réel à lancer")

#: Longest wait for a process to come up, seconds.
START_S = 90.0


def group_pids(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


class ProcessCluster:
    """A scheduler and its workers, each a process group started with ``dask …``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.address: str | None = None

    def _start(self, name: str, command: list[str], *, prefix=(), env=None,
               cwd=None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (kept open by the child)
        environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        process = subprocess.Popen([*prefix, DASK, *command], stdout=log, stderr=log,
                                   stdin=subprocess.DEVNULL, cwd=str(cwd or self.folder),
                                   env=environment, start_new_session=True)
        log.close()
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    def start_scheduler(self) -> str:
        """Start ``dask scheduler`` on a free port of 127.0.0.1; its address."""
        info = self.folder / "scheduler.json"
        process = self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0",
                                            "--no-dashboard", "--scheduler-file", str(info)])
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dask scheduler stopped:\n{self.log('scheduler')}")
            try:
                self.address = json.loads(info.read_text())["address"]
                return self.address
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        raise RuntimeError(f"dask scheduler not up after {START_S} s:\n{self.log('scheduler')}")

    def start_worker(self, name: str, *, prefix=(), env=None, local=None,
                     options=()) -> subprocess.Popen:
        """Start ``dask worker ADDRESS --nworkers 1 --nthreads 1`` (with its nanny).

        ``local``: the worker's own folder (scratch space and working directory), default
        beside the logs; ``options``: more ``dask worker`` options."""
        local = Path(local) if local is not None else self.folder / f"{name}-local"
        local.mkdir(exist_ok=True)
        return self._start(name, ["worker", self.address, "--nworkers", "1", "--nthreads", "1",
                                  "--no-dashboard", "--name", name, "--death-timeout", "60",
                                  "--local-directory", str(local), *options], prefix=prefix,
                           env=env,
                           cwd=local)

    def wait_workers(self, count: int, timeout: float = START_S) -> list[str]:
        """Wait until the scheduler knows exactly ``count`` workers; their names."""
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(self.address, timeout="20s") as client:
            while time.monotonic() < deadline:
                workers = client.scheduler_info(n_workers=-1)["workers"]
                if len(workers) == count:
                    return sorted(str(w["name"]) for w in workers.values())
                time.sleep(0.3)
        logs = "\n".join(self.log(n) for n in self.processes if n != "scheduler")
        raise RuntimeError(f"not {count} workers after {timeout} s:\n{logs}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill a process's whole group (a worker and its nanny), and reap it."""
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while group_pids(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # the nanny's children are reaped by init

    def close(self) -> None:
        """Stop everything: workers first (SIGTERM, then SIGKILL), then the scheduler."""
        names = [n for n in self.processes if n != "scheduler"] + (
            ["scheduler"] if "scheduler" in self.processes else [])
        for name in names:  # SIGTERM: the nanny stops its worker and their semaphores go too
            self.kill(name, signal.SIGTERM)
