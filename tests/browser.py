"""Debian's headless Chromium for the browser tests (never a downloaded browser)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

#: The system Chromium (Debian's package), or None.
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else (
    shutil.which("chromium") or shutil.which("chromium-browser"))
#: Flags for a headless run on a machine with no network and no display.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--no-first-run"]


def playwright_or_skip():
    """``playwright.sync_api``; skips the calling test module when it or Chromium is absent."""
    api = pytest.importorskip(
        "playwright.sync_api", reason="le paquet Python playwright n'est pas installé")
    if CHROMIUM is None:
        pytest.skip("Chromium absent (apt-get install chromium)", allow_module_level=True)
    return api
