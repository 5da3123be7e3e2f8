"""Where the test data lives, for every test module (``from tests.paths import FIXTURES``).

The test folders mirror the packages (``tests/geo/`` tests ``maillage.geo`` …) and are Python
packages themselves, so a test imports these helpers normally: no ``sys.path`` edits.
"""

from __future__ import annotations

from pathlib import Path

#: The ``tests/`` folder.
TESTS = Path(__file__).resolve().parent
#: Small recorded files of the real formats, by package (``fixtures/geo``, ``fixtures/layers`` …).
FIXTURES = TESTS / "fixtures"
#: The bad-file corpus: one planner's mistake per file (see ``layers/test_bad_inputs.py``).
BAD_INPUTS = TESTS / "bad_inputs"
