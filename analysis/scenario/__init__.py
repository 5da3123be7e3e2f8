"""maillage.analysis.scenario: what-if scenarios (open, resize, close, move a service).

- :mod:`.file`: reading and validating the YAML scenario file (:func:`load_scenario`);
- :mod:`.apply`: applying its changes to the facility registry (:func:`apply_changes`), with
  the scenario's own facilities (:func:`with_scenario_facilities`);
- :mod:`.run`: indicators before and after, per commune and per EPCI (:func:`run_scenario`).
"""

from .apply import apply_changes, with_scenario_facilities
from .file import Scenario, load_scenario, parse_scenario
from .run import FCA_MINUTES, ScenarioResult, indicator_band, run_scenario

__all__ = ["FCA_MINUTES", "Scenario", "ScenarioResult", "apply_changes", "indicator_band",
           "load_scenario", "parse_scenario", "run_scenario",
           "with_scenario_facilities"]
