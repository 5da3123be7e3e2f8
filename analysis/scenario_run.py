"""Former home of :func:`run_scenario`, kept for callers written against it (the pipeline).

Import from :mod:`maillage.analysis.scenario` instead.
"""

from maillage.analysis.scenario import ScenarioResult, run_scenario

__all__ = ["ScenarioResult", "run_scenario"]
