"""maillage.analysis: indicators on layers and travel times.

Capacity per child (places per 100 children), floating-catchment accessibility (2SFCA, E2SFCA,
3SFCA, spatial availability, FCA ratio, weighted catchment, RAAM; normalised and combined
scores), coverage within N minutes, equity, sensitivity,
what-if scenarios and siting models (MCLP, p-median, set cover).
"""

from .capacity import AGE_BANDS, PERIODS, in_force, places_per_100_children
from .catchment import fca_ratio, weighted_catchment
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
    gravity_weights,
    spatial_availability,
    step_weights,
    three_step_fca,
    two_step_fca,
)
from .itinerant import presence_coverage
from .national import (
    Partition,
    PartitionResult,
    indicators_by,
    make_partitions,
    merge_partitions,
    run_partition,
    whole_territory,
)
from .normalise import combined_score, normalised
from .origins import Origins, cell_origins, commune_origins, territory_origins
from .raam import raam
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
    "Partition",
    "PartitionResult",
    "indicators_by",
    "make_partitions",
    "merge_partitions",
    "run_partition",
    "whole_territory",
    "AccessResult",
    "AGE_BANDS",
    "apply_changes",
    "capacitated_maximal_coverage",
    "CapacityResult",
    "combined_score",
    "coverage",
    "Diagnostic",
    "enhanced_two_step_fca",
    "equity_summary",
    "fca_ratio",
    "france_services_target",
    "gaussian_weights",
    "gini",
    "gravity_weights",
    "in_force",
    "load_scenario",
    "maximal_coverage",
    "normalised",
    "p_median",
    "palma",
    "PERIODS",
    "places_per_100_children",
    "presence_coverage",
    "raam",
    "Scenario",
    "ScenarioResult",
    "ScenarioView",
    "SitingResult",
    "rank_candidates", "run_scenario", "sensitivity", "set_cover", "spatial_availability",
    "step_weights", "three_step_fca", "time_summary", "time_to_nearest", "two_step_fca",
    "weighted_catchment", "zones_blanches",
    "Origins", "cell_origins", "commune_origins", "territory_origins",
]
