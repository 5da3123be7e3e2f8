"""maillage.analysis.siting: where should the next places go?

- :mod:`.problems`: the public models (MCLP, p-median, set cover, capacitated variants) and
  :class:`SitingResult`;
- :mod:`.instance`: checked inputs (demand, cost in minutes, candidates, existing sites);
- :mod:`.models` / :mod:`.highs`: the MIP formulations and the HiGHS wrapper;
- :mod:`.greedy`: the heuristic and its reported gap; :mod:`.evaluate`: one evaluation for all;
- :mod:`.center`: p-center (shortest longest trip) and p-dispersion (sites spread apart);
- :mod:`.backup`: backup coverage (LSCP-B: everyone covered, as many as possible twice);
- :mod:`.rank`: ranking candidate sites one by one;
- :mod:`.territory`: siting inputs drawn from a territory (children, candidates, times).
"""

from .backup import backup_coverage
from .center import p_center, p_dispersion
from .problems import (
    METHODS,
    SitingResult,
    capacitated_maximal_coverage,
    maximal_coverage,
    p_median,
    set_cover,
)
from .rank import rank_candidates
from .territory import SitingInputs, find_site, read_candidates, siting_inputs

__all__ = [
    "METHODS",
    "SitingInputs",
    "SitingResult",
    "backup_coverage",
    "capacitated_maximal_coverage",
    "find_site",
    "maximal_coverage",
    "p_center",
    "p_dispersion",
    "p_median",
    "rank_candidates",
    "read_candidates",
    "set_cover",
    "siting_inputs",
]
