"""The report as printed: every table fits the page, headings stay with what follows, maps at
full width with readable sources, page numbers, running title, contents with page numbers."""

import re
import unicodedata
import xml.etree.ElementTree as ET

import lxml.html
import pytest
from pypdf import PdfReader
from maillage.maps import pdf
from maillage.maps.printing import MAX_COLUMNS, css_string, page_style, table_parts
from maillage.maps.static import FIGSIZE, SOURCE_PT

def _norm(text: str) -> str:
    """PDF text compared with HTML text: ligatures undone, spaces of any kind collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"-\s+", "-", text)  # a line may break after a hyphen
    return re.sub(r"\s+", " ", text).strip()


def test_a_user_typed_name_cannot_leave_the_css_string():
    name = 'Grand "Cahors" \\ </style><script>alert(1)</script>'
    quoted = css_string(name)
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert not set(inner) & set("\"'<>;{}") and "</" not in inner
    # Every escape decodes back to the name (CSS hex escapes end with one space).
    decoded = re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m[1], 16)), inner)
    assert decoded == name
    css = page_style(f"Diagnostic – {name}", "26/11/2026")
    assert "</style>" not in css and "<script" not in css


def test_a_wide_table_is_split_into_parts_that_keep_every_column():
    columns = (["code", "commune", "epci", "nom_epci", "population"]
               + [f"{p}{k}" for k in ("alsh", "eaje") for p in
                  ("enfants_", "places_", "places_pour_100_enfants_",
                   "equipements_places_inconnues_")]
               + ["accessibilite_2sfca_alsh_20min"]
               + [f"{p}{k}" for k in ("alsh", "rpe", "france_services")
                  for p in ("minutes_", "plus_proche_")])
    table = {"columns": columns, "headers": [c.upper() for c in columns],
             "rows": [[f"{c}-{i}" for c in columns] for i in range(3)],
             "numeric": [False] * len(columns), "identifier": [False] * len(columns)}
    parts = table_parts(table)
    assert len(parts) > 1
    seen = [c for part in parts for c in part["columns"] if c not in ("code", "commune")]
    assert sorted(seen) == sorted(columns[2:])  # every column once, none dropped
    for part in parts:
        assert part["columns"][:2] == ["code", "commune"]  # rows stay identifiable
        assert len(part["columns"]) <= MAX_COLUMNS and part["title"]
        assert part["rows"][1] == [f"{c}-1" for c in part["columns"]]
        assert part["headers"] == [c.upper() for c in part["columns"]]
    # One service's columns stay together.
    alsh = [i for i, p in enumerate(parts) if "places_pour_100_enfants_alsh" in p["columns"]]
    assert all("enfants_alsh" in parts[i]["columns"] for i in alsh)
    narrow = {**table, "columns": columns[:4], "headers": columns[:4]}
    assert table_parts(narrow) == [{**narrow, "title": ""}]


def test_contents_slots_are_filled_with_page_numbers():
    page = ('<li><a href="#epci">2.</a><span class="toc-page" data-target="epci"></span></li>'
            '<span class="toc-page" data-target="cartes">3</span>')
    filled = pdf.fill_contents(page, {"epci": 4, "cartes": 5})
    assert 'data-target="epci">4</span>' in filled and 'data-target="cartes">5</span>' in filled


def test_static_maps_print_at_full_text_width_with_sources_of_at_least_7_points(tmp_path):
    from tests.fixtures.maps import synthetic
    from maillage.maps.folium_capacity import capacity_classes, mapped_ratio
    from maillage.maps.static import static_map

    diag = synthetic.diagnostic(scenario=False)
    alsh = diag.capacity[0].by_commune
    long_source = "Sources : " + " ; ".join(f"couche {i} : un fichier au nom long" for i in range(12))
    paths = static_map(diag.territory, mapped_ratio(alsh), capacity_classes(alsh),
                       tmp_path / "carte", title="ALSH : places pour 100 enfants",
                       source=long_source, kinds=["alsh"])
    root = ET.parse(paths[1]).getroot()
    width_pt = float(root.get("width").removesuffix("pt"))
    assert width_pt == pytest.approx(FIGSIZE[0] * 72, rel=0.01)  # 180 mm: the text width
    sizes = [float(m) for m in re.findall(r"font(?:-size)?:\s*(?:[a-z]+ )*([0-9.]+)px",
                                          paths[1].read_text(encoding="utf-8"))]
    assert sizes and min(sizes) >= 7 and SOURCE_PT >= 7
    svg = paths[1].read_text(encoding="utf-8")
    assert "couche 11 : un fichier au nom long" in svg  # the long source is wrapped, not cut


# --- The Grand Cahors report printed by Chromium -----------------------------------------

@pytest.fixture(scope="module")
def printed(grand_cahors_report):
    if pdf.find_browser() is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    report = grand_cahors_report
    written = pdf.report_pdf(report)
    reader = PdfReader(str(written))
    pages = [_norm(page.extract_text()) for page in reader.pages]
    root = lxml.html.parse(str(report)).getroot()
    return {"report": report, "pdf": written, "reader": reader, "pages": pages, "html": root}


def _squash(text: str) -> str:
    """Text without any space: long cells may wrap anywhere in print."""
    return re.sub(r"\s+", "", _norm(text))


def test_every_column_of_every_table_is_printed(printed):
    text = _squash(" ".join(printed["pages"]))
    tables = printed["html"].findall(".//table")
    assert len(tables) >= 10
    for table in tables:
        headers = [_norm(th.text_content()) for th in table.iter("th")]
        first = table.find(".//tbody/tr")
        cells = [_norm(td.text_content()) for td in first.iter("td")] if first is not None else []
        for header in headers:
            assert _squash(header) in text, f"column « {header} » missing from the PDF"
        for cell in cells:
            assert _squash(cell) in text, f"cell « {cell} » (first row, columns {headers}) missing"
    # The commune table (20 columns) is printed in parts that keep the commune on each row.
    commune_parts = printed["html"].findall(".//section[@id='communes']//table")
    assert len(commune_parts) >= 2


def test_no_printed_text_runs_off_the_page(printed):
    for number, page in enumerate(printed["reader"].pages, start=1):
        width = float(page.mediabox.width)
        xs = []

        def visit(text, cm, tm, font, size, xs=xs):
            if text.strip():
                xs.append(cm[0] * tm[4] + cm[2] * tm[5] + cm[4])

        page.extract_text(visitor_text=visit)
        assert xs and min(xs) >= 0 and max(xs) < width - 20, f"page {number}"


def test_running_title_page_numbers_and_contents(printed):
    pages, reader = printed["pages"], printed["reader"]
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} / {total}" in page
        assert "Diagnostic de couverture – CA du Grand Cahors" in page
    targets = pdf.destination_pages(printed["pdf"])
    toc = printed["html"].find(".//nav")
    entries = [(a.get("href").lstrip("#"), _norm(a.text_content())) for a in toc.iter("a")]
    assert len(entries) >= 9
    for target, label in entries:
        page = targets[target]
        # The contents line ends with the page number where the section's heading is printed.
        assert re.search(re.escape(label) + r" " + str(page) + r"\b", pages[0]), label
        assert label.split(" : ")[0] in pages[page - 1]
    assert reader.outline, "the PDF has bookmarks of its headings"


def _content_heights(page) -> list[float]:
    """Heights (points from the bottom) of the text lines and images drawn on a page."""
    ys: list[float] = []

    def operator(op, args, cm, tm):
        if op == b"Do":  # an image: its top edge
            ys.append(cm[3] + cm[5])

    def text(content, cm, tm, font, size):
        if content.strip():
            ys.append(cm[1] * tm[4] + cm[3] * tm[5] + cm[5])

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return ys


def test_no_heading_is_left_alone_at_the_foot_of_a_page(printed):
    reader, pages = printed["reader"], printed["pages"]

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item

    footer = 16 / 25.4 * 72  # bottom page margin (page number), points
    checked = 0
    for entry in walk(reader.outline):
        number = reader.get_destination_page_number(entry)
        assert _squash(entry.title) in _squash(reader.pages[number].extract_text())
        below = [y for y in _content_heights(reader.pages[number])
                 if footer < y < float(entry["/Top"]) - 24]
        assert below, f"« {entry.title} » is the last thing on page {number + 1}"
        checked += 1
    assert checked >= 15
    assert "Ouvrir la carte en plein écran" not in " ".join(pages)


def test_every_map_is_printed_as_its_figure(printed):
    figures = printed["html"].findall(".//img")
    assert len(figures) >= 4
    images = sum(len(page.images) for page in printed["reader"].pages)
    assert images >= len(figures)
