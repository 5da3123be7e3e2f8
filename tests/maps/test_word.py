"""The report as an editable Word document: Word headings, real tables, maps as pictures with
caption and source, small counts hidden, user text kept as text; it opens in LibreOffice."""

import re
import shutil
import subprocess
import zipfile

import docx
import lxml.html
import pytest
from pypdf import PdfReader

from maillage.maps import report_docx, write_docx, write_report
from maillage.maps.word import HEADING_STYLES, docx_bytes


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _html_counts(report):
    root = lxml.html.parse(str(report)).getroot()
    tables = root.findall(".//table")
    pictures = [img for img in root.iter("img") if "print-only" in (img.get("class") or "")]
    headings = [_norm(h.text_content()) for h in root.iter("h2")]
    return root, tables, pictures, headings


@pytest.fixture(scope="module")
def grand_cahors_docx(grand_cahors_report):
    return report_docx(grand_cahors_report, grand_cahors_report.with_name("rapport.docx"))


def test_the_word_document_has_every_table_and_map_of_the_report(grand_cahors_report,
                                                                  grand_cahors_docx):
    root, tables, pictures, headings = _html_counts(grand_cahors_report)
    document = docx.Document(str(grand_cahors_docx))
    assert len(tables) >= 10 and len(pictures) >= 4
    assert len(document.tables) == len(tables)
    assert len(document.inline_shapes) == len(pictures)
    # Headings in Word's own styles: a template and a table of contents apply to them.
    word_headings = [_norm(p.text) for p in document.paragraphs
                     if p.style.name == HEADING_STYLES["h2"]]
    assert word_headings == headings
    assert any(p.style.name == "Title" for p in document.paragraphs)
    # Each table as the report shows it: same headers and cells, French number formatting.
    for html_table, word_table in zip(tables, document.tables):
        html_rows = [[_norm(c.text_content()) for c in tr if c.tag in ("td", "th")]
                     for tr in html_table.iter("tr")]
        word_rows = [[_norm(cell.text) for cell in row.cells] for row in word_table.rows]
        assert word_rows == html_rows
    # Each map with its caption and its source.
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    figures = [c for c in captions if c.startswith("Figure ")]
    assert len(figures) == len(pictures)
    assert sum(c.startswith("Sources : ") for c in captions) == len(pictures)


def test_small_counts_are_hidden_and_numbers_written_the_french_way(synthetic_diagnostic,
                                                                    tmp_path):
    path = write_docx(synthetic_diagnostic, tmp_path / "diagnostic.docx")
    document = docx.Document(str(path))
    rows = [[cell.text for cell in row.cells] for table in document.tables
            for row in table.rows]
    published: dict[str, dict[str, str]] = {}
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = [cell.text for cell in row.cells]
            for name in ("Petitville", "Bourgville"):
                if name in cells:
                    published.setdefault(name, {}).update(zip(header, cells))
    # Petitville has 4.3 children of ALSH age (3 + 1 + 2/7) and 10 places: neither the count
    # nor the ratio.
    assert published["Petitville"]["Enfants (ALSH)"] == "< 5"
    assert published["Petitville"]["Places pour 100 enfants (ALSH)"] == "secret statistique"
    # Bourgville: 60 places for 70 + 110 + 160/7 children aged 3-11.
    assert published["Bourgville"]["Places pour 100 enfants (ALSH)"] == "29,6"
    assert not [c for r in rows for c in r if re.fullmatch(r"\d+\.\d+", c)]  # decimal comma
    assert [p.name for p in tmp_path.iterdir()] == ["diagnostic.docx"]  # nothing left behind


def test_user_text_stays_text_in_word(tmp_path):
    name = 'Crèche <b>« Les Lutins »</b> { PAGE } \x0b"&'
    escaped = (name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;"))
    page = (f"<html><head><title>Diagnostic – {escaped}</title></head><body>"
            f"<h2>1. {escaped}</h2><p>{escaped}</p>"
            f"<table><thead><tr><th>Nom</th></tr></thead><tbody><tr><td>{escaped}</td></tr>"
            "</tbody></table></body></html>")
    data = docx_bytes(page, tmp_path)
    (tmp_path / "t.docx").write_bytes(data)
    document = docx.Document(str(tmp_path / "t.docx"))
    expected = _norm(name.replace("\x0b", ""))
    assert _norm(document.paragraphs[0].text) == "1. " + expected
    assert document.tables[0].cell(1, 0).text == expected
    with zipfile.ZipFile(tmp_path / "t.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    # No field in the body: user text never becomes one.
    assert "fldSimple" not in xml and "<b>" not in xml
    assert xml.count("<w:instrText") == 0
    assert "&lt;b&gt;« Les Lutins »&lt;/b&gt; { PAGE }" in xml


def test_a_missing_figure_is_reported_in_french(synthetic_diagnostic, tmp_path):
    report = write_report(synthetic_diagnostic, tmp_path / "sortie")
    shutil.rmtree(report.parent / "figures")
    from maillage.errors import MaillageError

    with pytest.raises(MaillageError, match="introuvable"):
        report_docx(report)
    assert not report.with_suffix(".docx").exists()


def test_the_word_document_opens_in_libreoffice(grand_cahors_report, grand_cahors_docx,
                                               tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice absent (apt-get install libreoffice-writer-nogui)")
    profile = (tmp_path / "profil").as_uri()
    done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(grand_cahors_docx)], capture_output=True, timeout=300)
    converted = tmp_path / "rapport.pdf"
    assert done.returncode == 0 and converted.is_file(), done.stderr
    reader = PdfReader(str(converted))
    text = re.sub(r"\s+", "", " ".join(page.extract_text() for page in reader.pages))
    _, tables, pictures, headings = _html_counts(grand_cahors_report)
    for heading in headings:
        assert re.sub(r"\s+", "", heading) in text
    for table in tables:
        for th in table.iter("th"):
            assert re.sub(r"\s+", "", th.text_content()) in text, th.text_content()
    assert sum(len(page.images) for page in reader.pages) >= len(pictures)
