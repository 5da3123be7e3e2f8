"""Tasks for the Dask tests, importable by worker processes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from maillage.national import partition_task


def kill_once(partition, pairs_dir, fmt="parquet"):
    """Kill the worker process the first time partition '02' runs (marker file), then work."""
    marker = Path(pairs_dir) / f"killed-{partition.name}"
    if partition.name == "02" and not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return partition_task(partition, pairs_dir, fmt)


def tagged(partition, pairs_dir, fmt="parquet"):
    """The partition's task, leaving ``ran-<partition>-<process group>`` (who ran it)."""
    Path(pairs_dir, f"ran-{partition.name}-{os.getpgid(0)}").write_text(str(os.getpid()))
    return partition_task(partition, pairs_dir, fmt)


def stall_once(partition, pairs_dir, fmt="parquet"):
    """Partition '02' waits (up to 120 s) the first time, after a ``started-02`` marker: the
    test kills its worker meanwhile. Every run leaves ``ran-<partition>-<process group>``."""
    marker = Path(pairs_dir) / f"started-{partition.name}"
    if partition.name == "02" and not marker.exists():
        marker.write_text(str(os.getpgid(0)))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(0.1)
    return tagged(partition, pairs_dir, fmt)
