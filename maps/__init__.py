"""maillage.maps: Folium maps, printable figures and the HTML diagnostic report.

- Results to present: :class:`Diagnostic` (with :class:`CapacityResult`, :class:`AccessResult`,
  :class:`ScenarioView`), computed by :mod:`maillage.pipeline`.
- Interactive maps: :func:`capacity_map` (places per 100 children), :func:`coverage_map`
  (minutes to the nearest service), :func:`scenario_map` (before / after / difference);
  :func:`save_map` / :func:`render_html` write them self-contained (Leaflet inlined, no tiles).
- Printable maps: :func:`static_map` (PNG + SVG, legend, scale bar, north arrow, source).
- Classes and legends: :func:`classify`, :func:`fixed_classes`, :func:`diverging_classes`.
- The report folder: :func:`write_report` (report, maps, figures, CSV/XLSX, GeoPackage).
- The report as an editable Word document: :func:`write_docx` (from a diagnostic),
  :func:`report_docx` (from a report folder's ``rapport.html``); printed to PDF:
  :func:`maillage.maps.pdf.report_pdf`.
"""

from .classes import Classes, classify, diverging_classes, fixed_classes
from .diagnostic import AccessResult, CapacityResult, Diagnostic, ScenarioView
from .folium_capacity import capacity_map
from .folium_coverage import coverage_map
from .folium_scenario import scenario_map
from .leaflet import render_html, save_map
from .report import write_report
from .secret import protect_frame
from .static import static_map
from .word import report_docx, write_docx

__all__ = [
    "AccessResult",
    "CapacityResult",
    "Classes",
    "Diagnostic",
    "ScenarioView",
    "capacity_map",
    "classify",
    "coverage_map",
    "diverging_classes",
    "fixed_classes",
    "protect_frame",
    "report_docx",
    "render_html",
    "save_map",
    "scenario_map",
    "static_map",
    "write_docx",
    "write_report",
]
