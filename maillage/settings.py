"""Explicit settings of maillage, in one module (as osmnx does).

Every value can be overridden by an environment variable, read when the setting is used.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Projected CRS for metric work in metropolitan France (Lambert-93, metres).
METRIC_CRS = "EPSG:2154"
#: Geographic CRS of every layer maillage returns (WGS84 longitude/latitude, degrees).
LAYER_CRS = "EPSG:4326"
#: Child counts strictly below this are shown as "< N" in published outputs (secret statistique).
SMALL_COUNT_THRESHOLD = 5


def cache_dir() -> Path:
    """Folder where fetched data (contours, populations, networks) is cached.

    ``$MAILLAGE_CACHE`` when set, else ``~/.cache/maillage``.
    """
    return Path(os.environ.get("MAILLAGE_CACHE", Path.home() / ".cache" / "maillage"))


def offline() -> bool:
    """True when maillage must not touch the network (``MAILLAGE_OFFLINE=1``, set in CI)."""
    return os.environ.get("MAILLAGE_OFFLINE", "").strip().lower() in {"1", "true", "yes", "oui"}


def shared_data_dir() -> Path | None:
    """The ``shared/data`` folder of real Lot data beside the project, or None when absent.

    Looked up in ``$MAILLAGE_SHARED_DATA``, then ``../shared/data`` from the current folder
    and from the project checkout.
    """
    env = os.environ.get("MAILLAGE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent.parent
    candidates += [Path.cwd().parent / "shared" / "data", here.parent / "shared" / "data"]
    for path in candidates:
        if (path / "README.md").is_file():
            return path
    return None
