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

from __future__ import annotations

from typing import TYPE_CHECKING

from maillage.lazy import lazy_getattr

if TYPE_CHECKING:
    from .classes import Classes, classify, diverging_classes, fixed_classes
    from .diagnostic import AccessResult, CapacityResult, Diagnostic, ScenarioView
    from .word import report_docx, write_docx
    from .folium_capacity import capacity_map
    from .folium_coverage import coverage_map
    from .folium_scenario import scenario_map
    from .leaflet import render_html, save_map
    from .report import write_report
    from .secret import protect_frame
    from .static import static_map

#: Public name → defining module. Loaded on first use (PEP 562), as the root package: the
#: output modules bring matplotlib, folium and python-docx (≈ 3 s of imports), and the app
#: and the analyses use only :mod:`.classes` and :mod:`.labels`, which must not pay for them.
_PUBLIC = {
    "Classes": "maillage.maps.classes",
    "classify": "maillage.maps.classes",
    "diverging_classes": "maillage.maps.classes",
    "fixed_classes": "maillage.maps.classes",
    "AccessResult": "maillage.maps.diagnostic",
    "CapacityResult": "maillage.maps.diagnostic",
    "Diagnostic": "maillage.maps.diagnostic",
    "ScenarioView": "maillage.maps.diagnostic",
    "report_docx": "maillage.maps.word",
    "write_docx": "maillage.maps.word",
    "capacity_map": "maillage.maps.folium_capacity",
    "coverage_map": "maillage.maps.folium_coverage",
    "scenario_map": "maillage.maps.folium_scenario",
    "render_html": "maillage.maps.leaflet",
    "save_map": "maillage.maps.leaflet",
    "write_report": "maillage.maps.report",
    "protect_frame": "maillage.maps.secret",
    "static_map": "maillage.maps.static",
}

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

__getattr__ = lazy_getattr("maillage.maps", _PUBLIC)
