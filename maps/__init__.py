"""maillage.maps: Folium maps, printable figures and the HTML diagnostic report.

- Results to present: :class:`Diagnostic` (with :class:`CapacityResult`, :class:`AccessResult`,
  :class:`ScenarioView`), defined in :mod:`maillage.analysis.diagnostic` and computed by
  :func:`maillage.pipeline.build_diagnostic`; maps only renders a finished diagnostic.
- Interactive maps: :func:`capacity_map` (places per 100 children), :func:`coverage_map`
  (minutes to the nearest service), :func:`scenario_map` (before / after / difference);
  :func:`save_map` / :func:`render_html` write them self-contained (Leaflet inlined, no tiles).
- Printable maps: :func:`static_map` (PNG + SVG, legend, scale bar, north arrow, source).
- Classes and legends: :func:`classify`, :func:`fixed_classes`, :func:`diverging_classes`.
- The report folder: :func:`write_report` (report, maps, figures, CSV/XLSX, GeoPackage).

Public names are imported lazily so that ``import maillage.maps`` stays light.
"""

from __future__ import annotations

from maillage.lazy import lazy_getattr

_PUBLIC = {
    "Diagnostic": "maillage.analysis.diagnostic",
    "CapacityResult": "maillage.analysis.diagnostic",
    "AccessResult": "maillage.analysis.diagnostic",
    "ScenarioView": "maillage.analysis.diagnostic",
    "capacity_map": "maillage.maps.folium_capacity",
    "coverage_map": "maillage.maps.folium_coverage",
    "scenario_map": "maillage.maps.folium_scenario",
    "save_map": "maillage.maps.leaflet",
    "render_html": "maillage.maps.leaflet",
    "static_map": "maillage.maps.static",
    "classify": "maillage.maps.classes",
    "fixed_classes": "maillage.maps.classes",
    "diverging_classes": "maillage.maps.classes",
    "Classes": "maillage.maps.classes",
    "write_report": "maillage.maps.report",
    "protect_frame": "maillage.maps.secret",
}

__all__ = list(_PUBLIC)


__getattr__ = lazy_getattr("maillage.maps", _PUBLIC)
