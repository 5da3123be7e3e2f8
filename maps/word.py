"""The diagnostic as an editable Word document (``rapport.docx``), made from the HTML report.

The Word document is the same report as ``rapport.html``, read element by element: its
headings become Word's built-in heading styles (so that a planner's own template and table
of contents apply), its tables real Word tables, its maps the printable figures of
``figures/`` with their caption and source. Nothing is recomputed here: the tables arrive
already published (French number formatting, small counts shown « < 5 »).

Every text is written as plain text runs (never as a field or markup), so that a name typed
by a user stays text in Word.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from maillage.atomic import write_bytes
from maillage.errors import MaillageError

from .report import write_report

#: Width of the maps in the document (A4 portrait, 2 cm margins), centimetres.
PICTURE_WIDTH_CM = 17.0
#: Font size of the table cells, points.
TABLE_PT = 8
#: Word styles of the HTML headings (``Title`` for the report's title).
HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
#: Elements present on screen only (interactive maps, links to them, table-of-contents slots).
_SCREEN_ONLY = ("screen-only", "noprint", "leader", "toc-page")
#: Characters XML (hence Word) cannot hold.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str | None) -> str:
    """Text as Word can hold it: XML-forbidden control characters removed."""
    return _NOT_XML.sub("", value or "")


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _skipped(element) -> bool:
    return (not isinstance(element.tag, str)
            or element.tag in ("script", "style", "iframe", "summary", "footer", "template")
            or bool(_classes(element) & set(_SCREEN_ONLY)))


def _inline(paragraph, element, *, bold: bool = False, size: float | None = None) -> None:
    """Append ``element``'s text (with its inline children) to ``paragraph`` as runs."""

    def run(text: str, strong: bool) -> None:
        text = re.sub(r"\s+", " ", _text(text))
        if text:
            r = paragraph.add_run(text)
            r.bold = strong or None
            if size:
                r.font.size = Pt(size)

    run(element.text, bold)
    for child in element:
        if not _skipped(child):
            if child.tag == "br":
                paragraph.add_run().add_break()
            else:
                _inline(paragraph, child, bold=bold or child.tag in ("b", "strong", "th"),
                        size=size)
        run(child.tail, bold)


def _strip(paragraph) -> None:
    """Remove the spaces the HTML layout leaves at both ends of a paragraph."""
    runs = paragraph.runs
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()


def _paragraph(doc, element, style: str | None = None, *, size: float | None = None):
    p = doc.add_paragraph(style=style)
    _inline(p, element, size=size)
    _strip(p)
    return p


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_header(row) -> None:
    """Mark a table row as a header row, repeated at the top of each page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(doc, element) -> None:
    caption = element.find("caption")
    if caption is not None:
        p = _paragraph(doc, caption, "Caption")
        p.paragraph_format.keep_with_next = True
    rows = [tr for tr in element.iter("tr")]
    if not rows:
        return
    grid = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
    width = max(len(cells) for cells in grid)
    table = doc.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    section = doc.sections[-1]
    text_width = (section.page_width - section.left_margin - section.right_margin) / Cm(1)
    widths = _column_widths(grid, width, text_width)
    for cells in grid:
        row = table.add_row()
        header = all(c.tag == "th" for c in cells)
        if header:
            _repeat_header(row)
        for target, source in zip(row.cells, cells):
            p = target.paragraphs[0]
            _inline(p, source, bold=header, size=TABLE_PT)
            _strip(p)
            if "num" in _classes(source):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if header:
                _shade(target, "EEF4F6")
    for column, cm in zip(table.columns, widths):
        column.width = Cm(cm)
        for cell in column.cells:
            cell.width = Cm(cm)
    doc.add_paragraph()


def _column_widths(grid, width: int, text_width: float) -> list[float]:
    """Column widths (cm) summing to the text width: each at least its longest word, the
    rest shared in proportion to the longest cell (headers wrap, numbers never do)."""
    cm_per_char, padding = 0.19, 0.45
    least, wants = [1.0] * width, [1.0] * width
    for cells in grid:
        for i, cell in enumerate(cells[:width]):
            text = re.sub(r"\s+", " ", cell.text_content()).strip()
            numeric = "num" in _classes(cell) or "code" in _classes(cell)
            # Numbers and codes never wrap; a long word may (headers, hyphenated names).
            word = len(text) if numeric else min(max([len(w) for w in text.split()] or [0]),
                                                 10 if cell.tag == "th" else 12)
            least[i] = max(least[i], word * cm_per_char + padding)
            want = min(len(text), 12 if cell.tag == "th" else 40)
            wants[i] = max(wants[i], want * cm_per_char + padding)
    floor = sum(least)
    if floor >= text_width:
        return [round(text_width * w / floor, 2) for w in least]
    extra = [max(w - m, 0.0) for w, m in zip(wants, least)]
    share = (text_width - floor) / (sum(extra) or 1)
    return [round(m + e * share, 2) for m, e in zip(least, extra)]


def _figure(doc, element, folder: Path, counter: list[int]) -> None:
    title = element.find("h3")
    if title is not None:
        _paragraph(doc, title, HEADING_STYLES["h3"]).paragraph_format.keep_with_next = True
    image = next((img for img in element.iter("img") if "print-only" in _classes(img)), None)
    source = next((s for s in element.iter("span") if "fig-source" in _classes(s)), None)
    if image is not None:
        path = (folder / (image.get("src") or "")).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            raise MaillageError(f"Word : la figure « {image.get('src')} » est introuvable dans "
                                f"{folder}. Correction : régénérez le rapport.")
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(str(path), width=Cm(PICTURE_WIDTH_CM))
        counter[0] += 1
        caption = doc.add_paragraph(style="Caption")
        caption.add_run(f"Figure {counter[0]} – {_text(image.get('alt'))}")
        if source is not None:
            caption.paragraph_format.keep_with_next = True
            _paragraph(doc, source, "Caption")
    else:
        for p in element.iter("p"):
            _paragraph(doc, p)


def _contents(doc) -> None:
    """A Word table-of-contents field (headings 1–2), filled when Word updates fields."""
    doc.add_paragraph().add_run("Sommaire").bold = True
    paragraph = doc.add_paragraph()
    for kind, text in (("begin", None), (None, 'TOC \\o "1-2" \\h \\z \\u'),
                       ("separate", None), ("text", "Clic droit puis « Mettre à jour le "
                                                     "champ » pour afficher le sommaire."),
                       ("end", None)):
        run = paragraph.add_run()
        if kind in ("begin", "separate", "end"):
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif kind is None:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text
            run.italic = True
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _page_number(paragraph) -> None:
    """``Page N`` with Word's PAGE field (a fixed instruction, no user text)."""
    paragraph.add_run("Page ")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)


def _setup(doc, running_title: str) -> None:
    """A4 portrait, 2 cm margins, French language, running title and page numbers."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    fonts = normal.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "fr-FR")
    fonts.append(language)
    header = section.header.paragraphs[0]
    header.add_run(_text(running_title)).font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_number(footer)
    for run in footer.runs:
        run.font.size = Pt(8)


def _orientation(doc, *, landscape: bool) -> None:
    """Start a new section (new page) in landscape or portrait A4."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _walk(doc, element, folder: Path, counter: list[int]) -> None:
    for child in element:
        if _skipped(child):
            continue
        tag, classes = child.tag, _classes(child)
        if tag in HEADING_STYLES:
            p = _paragraph(doc, child, HEADING_STYLES[tag])
            p.paragraph_format.keep_with_next = True
        elif tag == "nav":
            _contents(doc)
        elif tag == "table":
            _table(doc, child)
        elif tag == "figure":
            _figure(doc, child, folder, counter)
        elif tag in ("ul", "ol"):
            style = "List Number" if tag == "ol" else "List Bullet"
            for item in child.iter("li"):
                _paragraph(doc, item, style)
        elif "facts" in classes:
            for fact in child:
                p = doc.add_paragraph(style="List Bullet")
                for part in fact:  # the value in bold, then its label
                    p.add_run(_text(part.text_content()).strip() + " ").bold = True
                    p.add_run(_text(part.tail).strip())
                if not len(fact):
                    _inline(p, fact)
        elif "alert" in classes:
            _paragraph(doc, child, "Intense Quote")
        elif tag == "p":
            style = "Subtitle" if element.tag == "header" else None
            _paragraph(doc, child, style, size=9 if "small" in classes else None)
        elif tag == "section" and "wide" in classes:
            _orientation(doc, landscape=True)
            _walk(doc, child, folder, counter)
            _orientation(doc, landscape=False)
        elif tag in ("header", "main", "section", "div", "details", "body"):
            _walk(doc, child, folder, counter)
        elif (child.text or "").strip() or len(child):
            _paragraph(doc, child)


def docx_bytes(html: str, folder: str | os.PathLike) -> bytes:
    """The Word document of a rendered report.

    Parameters
    ----------
    html : str
        The report's HTML (``rapport.html``).
    folder : path
        The report's folder (its ``figures/`` are embedded as pictures).

    Returns
    -------
    bytes
        A ``.docx`` file.
    """
    root = lxml.html.document_fromstring(html)
    doc = Document()
    title = root.findtext(".//title") or "Diagnostic"
    date = root.find(".//meta[@name='dcterms.date']")
    _setup(doc, title + (f" · {date.get('content')}" if date is not None else ""))
    doc.core_properties.title = _text(title)
    doc.core_properties.language = "fr-FR"
    body = root.find("body")
    _walk(doc, body if body is not None else root, Path(folder), [0])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def report_docx(html: str | os.PathLike, docx: str | os.PathLike | None = None) -> Path:
    """Write the Word version of a report folder's ``rapport.html``.

    Parameters
    ----------
    html : path
        The report (``rapport.html``, with its ``figures/`` beside it).
    docx : path, optional
        Output file; default: beside the report, same name, ``.docx``. Written atomically.

    Returns
    -------
    pathlib.Path
        The document written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.analysis import Diagnostic
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     html = write_report(Diagnostic(grand_cahors, "temps estimés", True),
    ...                         Path(folder) / "rapport")
    ...     docx = report_docx(html)
    ...     docx.name, docx.parent == html.parent, docx.stat().st_size > 10_000
    ('rapport.docx', True, True)
    """
    html = Path(html)
    docx = Path(docx) if docx is not None else html.with_suffix(".docx")
    data = docx_bytes(html.read_text(encoding="utf-8"), html.parent)
    return write_bytes(docx, data)


def write_docx(diag, path: str | os.PathLike, *, small: int | None = None) -> Path:
    """Write a diagnostic as an editable Word document.

    The report is rendered (tables, figures) into a temporary folder, then converted: the
    same content as ``rapport.html``, with Word headings, real Word tables and the maps as
    pictures with their caption and source.

    Parameters
    ----------
    diag : Diagnostic
        Computed results (``maillage.pipeline.build_diagnostic``).
    path : path
        Output ``.docx`` file, written atomically.
    small : int, optional
        Small-count threshold (default ``maillage.settings.SMALL_COUNT_THRESHOLD``).

    Returns
    -------
    pathlib.Path
        The document written.

    Examples
    --------
    A diagnostic of the Grand Cahors's layers only (:func:`maillage.pipeline.build_diagnostic`
    gives the full one), as Word: the report's sections are Word headings:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from docx import Document
    >>> from maillage.analysis import Diagnostic
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> diagnostic = Diagnostic(grand_cahors, "temps estimés à vol d'oiseau", True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     document = Document(write_docx(diagnostic, Path(folder) / "diagnostic.docx"))
    >>> [p.text for p in document.paragraphs if p.style.name == "Heading 1"][:2]
    ['1. Le territoire', '2. Indicateurs par intercommunalité']
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix=".maillage-docx-") as tmp:
        report = write_report(diag, Path(tmp) / "rapport", small=small)
        return report_docx(report, path)
