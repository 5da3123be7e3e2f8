"""The diagnostic result types, kept importable from their former place.

They live in :mod:`maillage.analysis.diagnostic` (analysis computes, maps only renders).
"""

from __future__ import annotations

from maillage.analysis.diagnostic import (
    AccessResult,
    CapacityResult,
    Diagnostic,
    ScenarioView,
)

__all__ = ["AccessResult", "CapacityResult", "Diagnostic", "ScenarioView"]
