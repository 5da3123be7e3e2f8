"""The HTML report printed to PDF by a headless Chromium (Debian's ``chromium`` package)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from maillage.atomic import atomic_path
from maillage.errors import MaillageError

#: Browsers looked for on the PATH, in this order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """Path of a Chromium-family browser on the PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def report_pdf(html: str | Path, pdf: str | Path | None = None, *, timeout_s: float = 120,
               map_delay_ms: int = 3_000) -> Path:
    """Print the HTML report to PDF (A4) with a headless Chromium.

    Parameters
    ----------
    html : path
        The report (``rapport.html``).
    pdf : path, optional
        Output file; default: beside the report, same name, ``.pdf``. Written atomically.
    timeout_s : float
        Longest wait for the browser, seconds.
    map_delay_ms : int
        Time given to the embedded maps to draw before printing, milliseconds.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    MaillageError
        No browser installed, or the browser failed (French message with the fix).
    """
    html = Path(html).resolve()
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    browser = find_browser()
    if browser is None:
        raise MaillageError("PDF impossible : aucun navigateur Chromium n'est installé. "
                            "Correction : installez-le (apt-get install chromium) ou ouvrez "
                            f"{html.name} dans un navigateur et imprimez-le en PDF.")
    with atomic_path(pdf) as tmp, tempfile.TemporaryDirectory() as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", f"--virtual-time-budget={map_delay_ms}",
                   f"--print-to-pdf={tmp}", html.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise MaillageError(f"PDF : le navigateur n'a pas répondu en {timeout_s:g} s. "
                                "Correction : relancez, ou imprimez le rapport depuis un "
                                "navigateur.") from None
        if done.returncode != 0 or tmp.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise MaillageError(f"PDF : le navigateur a échoué ({tail[0]}). Correction : "
                                "imprimez le rapport depuis un navigateur.")
    return pdf
