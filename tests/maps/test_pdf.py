"""`maillage report --pdf`: the report printed to PDF with Debian's Chromium."""

import pytest

from maillage.errors import MaillageError
from maillage.maps import pdf


def test_the_report_prints_to_a_pdf_beside_it(tmp_path):
    if pdf.find_browser() is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    html = tmp_path / "rapport.html"
    html.write_text("<html><body><h1>Diagnostic de couverture</h1>"
                    "<img class='print-only' src='x.png'></body></html>", encoding="utf-8")
    written = pdf.report_pdf(html)
    assert written == tmp_path / "rapport.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_without_a_browser_the_message_says_how_to_get_a_pdf(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_browser", lambda: None)
    html = tmp_path / "rapport.html"
    html.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(MaillageError, match="apt-get install chromium"):
        pdf.report_pdf(html)
    assert not (tmp_path / "rapport.pdf").exists()
