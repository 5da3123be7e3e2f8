"""maillage.analysis: indicators on layers and travel times.

Capacity per child (places per 100 children), floating-catchment accessibility (2SFCA, E2SFCA,
3SFCA, spatial availability; places per child), coverage within N minutes, equity, sensitivity,
what-if scenarios and siting models (MCLP, p-median, set cover).
"""

from .capacity import AGE_BANDS, PERIODS, in_force, places_per_100_children
from .coverage import (
    coverage,
    france_services_target,
    time_summary,
    time_to_nearest,
    zones_blanches,
)
from .diagnostic import AccessResult, CapacityResult, Diagnostic, ScenarioView
from .equity import equity_summary, gini, palma
from .fca import (
    enhanced_two_step_fca,
    gaussian_weights,
    step_weights,
    three_step_fca,
    spatial_availability,
    two_step_fca,
)
from .itinerant import presence_coverage
from .scenario import (
    Scenario,
    ScenarioResult,
    apply_changes,
    load_scenario,
    run_scenario,
)
from .sensitivity import sensitivity
from .siting import (
    SitingResult,
    capacitated_maximal_coverage,
    maximal_coverage,
    p_median,
    set_cover,
)
from .siting.rank import rank_candidates

__all__ = [
    "AGE_BANDS", "AccessResult", "CapacityResult", "Diagnostic", "PERIODS", "Scenario",
    "ScenarioResult", "ScenarioView", "SitingResult", "apply_changes",
    "capacitated_maximal_coverage", "coverage", "enhanced_two_step_fca", "equity_summary",
    "france_services_target", "gaussian_weights", "gini", "in_force", "load_scenario",
    "maximal_coverage", "p_median", "palma", "places_per_100_children", "presence_coverage",
    "rank_candidates", "run_scenario", "sensitivity", "set_cover", "spatial_availability",
    "step_weights", "three_step_fca", "time_summary", "time_to_nearest", "two_step_fca",
    "zones_blanches",
]
