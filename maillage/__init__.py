"""maillage: territorial service coverage for family services in France.

Public API (imported lazily so that ``import maillage.layers`` stays light):

- :func:`load_territory` -- layers of a territory (communes, facilities, itinerant stops)
- :func:`travel_time_matrix`, :func:`nearest`, :func:`isochrones` -- road travel times (minutes)
- :func:`two_step_fca`, :func:`run_scenario`, :func:`maximal_coverage`, :func:`p_median`
"""

from __future__ import annotations

from maillage.lazy import lazy_getattr

__version__ = "0.1.0"

_PUBLIC = {
    "load_territory": "maillage.layers",
    "Territory": "maillage.layers",
    "travel_time_matrix": "maillage.geo",
    "nearest": "maillage.geo",
    "isochrones": "maillage.geo",
    "two_step_fca": "maillage.analysis",
    "run_scenario": "maillage.analysis",
    "maximal_coverage": "maillage.analysis",
    "p_median": "maillage.analysis",
}

__all__ = ["__version__", *_PUBLIC]


__getattr__ = lazy_getattr("maillage", _PUBLIC)
