"""maillage: territorial service coverage for family services in France.

Public API:

- :func:`load_territory` -- layers of a territory (communes, facilities, itinerant stops)
- :func:`travel_time_matrix`, :func:`nearest`, :func:`isochrones` -- road travel times (minutes)
- :func:`two_step_fca`, :func:`run_scenario`, :func:`maximal_coverage`, :func:`p_median`

Every package imports its public names eagerly (``from .module import name``, listed in
``__all__``); this root package is the one exception: it re-exports the names above lazily, on
first use (PEP 562), because ``import maillage.errors`` or ``import maillage.settings`` runs it
and must stay light. The same imports under ``TYPE_CHECKING`` show them to readers and tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_getattr

if TYPE_CHECKING:
    from maillage.analysis import maximal_coverage, p_median, run_scenario, two_step_fca
    from maillage.geo import isochrones, nearest, travel_time_matrix
    from maillage.layers import Territory, load_territory

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

__all__ = [
    "Territory",
    "__version__",
    "isochrones",
    "load_territory",
    "maximal_coverage",
    "nearest",
    "p_median",
    "run_scenario",
    "travel_time_matrix",
    "two_step_fca",
]


__getattr__ = lazy_getattr("maillage", _PUBLIC)
