"""Tasks for the Dask tests, importable by worker processes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from maillage.national import partition_task


def kill_once(partition, pairs_dir):
    """Kill the worker process the first time partition '02' runs (marker file), then work."""
    marker = Path(pairs_dir) / f"killed-{partition.name}"
    if partition.name == "02" and not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return partition_task(partition, pairs_dir)
