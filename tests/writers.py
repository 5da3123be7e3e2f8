"""Writer processes for the tests of interrupted outputs: a Python snippet run in its own
process, which prints « pret » once its temporaries exist, and the ``kill -9`` of such a
process at that moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def start_writer(script: str, *args) -> subprocess.Popen:
    """Run ``script`` (Python source) with ``args`` in a new process, text pipes."""
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when_ready(proc: subprocess.Popen) -> None:
    """Wait for the writer's « pret », then ``kill -9`` it (and reap it, whatever happens)."""
    try:
        assert proc.stdout.readline().strip() == "pret"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
