"""The HTML report printed to PDF by a headless Chromium (Debian's ``chromium`` package)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader

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


#: Empty page-number slot of the contents list, filled after a first printing.
_TOC_SLOT = re.compile(r'(<span class="toc-page" data-target="([A-Za-z0-9_-]+)">)(\d*)(</span>)')


def destination_pages(pdf: str | os.PathLike) -> dict[str, int]:
    """Page (1-based) of each named destination of a PDF printed by Chromium.

    Chromium writes one named destination per element ``id`` that a link points to
    (``<a href="#epci">``), on the page where the element starts.

    Parameters
    ----------
    pdf : path
        The PDF.

    Returns
    -------
    dict
        Element id → page number (1 = first page).
    """
    reader = PdfReader(str(pdf))
    return {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def fill_contents(page: str, pages: dict[str, int]) -> str:
    """The report's HTML with the page number of each contents entry filled in."""
    return _TOC_SLOT.sub(lambda m: f"{m[1]}{pages.get(m[2], '')}{m[4]}", page)


def _print(browser: str, html: Path, pdf: Path, profile: str, *, timeout_s: float,
           map_delay_ms: int) -> None:
    """One printing of ``html`` to ``pdf`` by headless Chromium."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--generate-pdf-document-outline",
               f"--virtual-time-budget={map_delay_ms}", f"--print-to-pdf={pdf}", html.as_uri()]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise MaillageError(f"PDF : le navigateur n'a pas répondu en {timeout_s:g} s. "
                            "Correction : relancez, ou imprimez le rapport depuis un "
                            "navigateur.") from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise MaillageError(f"PDF : le navigateur a échoué ({tail[0]}). Correction : "
                            "imprimez le rapport depuis un navigateur.")


def report_pdf(html: str | Path, pdf: str | Path | None = None, *, timeout_s: float = 120,
               map_delay_ms: int = 3_000) -> Path:
    """Print the HTML report to PDF (A4) with a headless Chromium.

    The page rules of the report give the running title, the date and the page numbers.
    When the report has a contents list, it is printed a second time with the page number
    of each section filled in (read from the first printing); the PDF also carries
    bookmarks of its headings.

    Parameters
    ----------
    html : path
        The report (``rapport.html``).
    pdf : path, optional
        Output file; default: beside the report, same name, ``.pdf``. Written atomically.
    timeout_s : float
        Longest wait for the browser, seconds (per printing).
    map_delay_ms : int
        Time given to the page to load its figures before printing, milliseconds.

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
    options = {"timeout_s": timeout_s, "map_delay_ms": map_delay_ms}
    with atomic_path(pdf) as tmp, tempfile.TemporaryDirectory() as profile:
        _print(browser, html, tmp, profile, **options)
        text = html.read_text(encoding="utf-8")
        if _TOC_SLOT.search(text):
            # The copy sits beside the report so that its figures resolve the same way.
            fd, name = tempfile.mkstemp(prefix=f".{html.stem}.", suffix=".tmp.html",
                                        dir=html.parent)
            os.close(fd)
            copy = Path(name)
            try:
                pages: dict[str, int] = {}
                for _ in range(3):  # numbers take no more room: one refill suffices
                    found = destination_pages(tmp)
                    if found == pages:
                        break
                    pages = found
                    copy.write_text(fill_contents(text, pages), encoding="utf-8")
                    _print(browser, copy, tmp, profile, **options)
            finally:
                copy.unlink(missing_ok=True)
    return pdf
