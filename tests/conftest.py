"""Fixtures shared by the test packages (``tests/geo/``, ``tests/layers/``, ``tests/analysis/`` …).

- ``shared_data``: the ``../shared/data`` folder of real Lot data; the test is skipped, with the
  reason, when it is absent (and gets the ``shared`` marker automatically).
- ``offline``: no network, a fresh cache folder (as in CI), wide terminal for CLI output.
- ``lot_territory``: the embedded Lot (312 communes, the registry of the 4 CTG), offline.
- ``lot_points``: the embedded Lot communes as points (what the loaders check codes against).
- ``straight_line_timer``: straight-line travel times (no road graph needed).
- ``synthetic_diagnostic``: the diagnostic of the synthetic territory
  (``tests/fixtures/maps/synthetic.py``).
- ``browser``: Debian's headless Chromium through playwright (``tests/browser.py``), once per
  module; modules that use it call ``playwright_or_skip()`` so that they skip without it.
- ``grand_cahors_report``: ``rapport.html`` of the Grand Cahors diagnostic, written once per
  session (print and Word export tests).
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    """Tests that read ``../shared/data`` carry the ``shared`` marker (``-m "not shared"``)."""
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)


@pytest.fixture(scope="session")
def shared_data():
    """The ``../shared/data`` folder (a :class:`pathlib.Path`); skips the test when absent."""
    from maillage.settings import shared_data_dir

    root = shared_data_dir()
    if root is None:
        pytest.skip("../shared/data absent : données réelles du Lot non disponibles")
    return root


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network access and an empty cache folder, as in CI; CLI output 200 columns wide."""
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="module")
def lot_territory():
    """The embedded Lot: communes, registry of the 4 CTG intercommunalities, itinerant stops."""
    from maillage.layers import load_territory

    return load_territory("lot", offline=True)


@pytest.fixture(scope="module")
def lot_points():
    """The embedded Lot communes as points: the same checks with or without ../shared/data."""
    from maillage.layers.communes import embedded_communes, points_layer

    return points_layer(embedded_communes())


@pytest.fixture(scope="module")
def straight_line_timer():
    """Straight-line travel times at the default speed and detour (minutes)."""
    from maillage.geo.timers import StraightLineTimer

    return StraightLineTimer()


@pytest.fixture(scope="module")
def synthetic_diagnostic():
    """The diagnostic of the synthetic territory (straight-line times, with the scenario)."""
    from tests.fixtures.maps import synthetic

    return synthetic.diagnostic()


@pytest.fixture(scope="session")
def grand_cahors_report(tmp_path_factory):
    """The Grand Cahors report folder (``maillage report --epci 200023737``), rapport.html."""
    from maillage.pipeline import run_diagnostic

    return run_diagnostic(tmp_path_factory.mktemp("grand-cahors") / "sortie", epci="200023737")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (playwright ``Browser``), closed after the module."""
    from tests.browser import ARGS, CHROMIUM, playwright_or_skip

    with playwright_or_skip().sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
