"""The synthetic road-like network: same roads with or without relief, hills only slow them."""

from __future__ import annotations

import numpy as np
import pytest

from maillage.errors import InputError
from maillage.geo import ROAD_LIKE, max_straight_speed_kmh, nearest, synthetic_road_graph

from ..analysis.national_case import BOUNDS, case


def test_relief_slows_roads_in_hills_only_and_keeps_the_halo():
    flat = synthetic_road_graph(BOUNDS, spacing_m=2000, **{**ROAD_LIKE, "relief": 0.0})
    hilly = synthetic_road_graph(BOUNDS, spacing_m=2000, **ROAD_LIKE)
    assert (flat.matrix.indices == hilly.matrix.indices).all()  # the same roads
    ratio = flat.matrix.data / hilly.matrix.data  # speed kept, 1 - relief at a hill's centre
    assert ratio.min() >= 1 - ROAD_LIKE["relief"] - 1e-9 and ratio.max() <= 1 + 1e-12
    assert (ratio < 0.8).mean() > 0.05 and (ratio > 0.99).mean() > 0.3  # hills and plains
    assert max_straight_speed_kmh(hilly) == pytest.approx(max_straight_speed_kmh(flat))


def test_the_road_like_network_is_slower_and_leaves_more_origins_beyond_the_threshold():
    # 12 sites over 120 km × 60 km: the dense default grid already leaves a few origins
    # beyond 30 min; the road-like network (sparser fast roads, hills) leaves many more, and
    # is slower where both reach.
    _, origins, services = case()
    times = {}
    for name, options in (("grid", {}), ("road-like", ROAD_LIKE)):
        road = synthetic_road_graph(BOUNDS, spacing_m=2000, seed=3, **options)
        times[name] = nearest(road, origins, services["france_services"], cutoff=30,
                              check_components=False)["minutes"].to_numpy()
    beyond = {name: (~np.isfinite(t)).mean() for name, t in times.items()}
    assert 0 < beyond["grid"] < 0.25 and beyond["road-like"] > 2 * beyond["grid"]
    both = np.isfinite(times["grid"]) & np.isfinite(times["road-like"])
    assert np.median(times["road-like"][both] / times["grid"][both]) > 1.1


def test_bad_relief_or_speeds_are_refused_in_french():
    with pytest.raises(InputError, match="paramètres du réseau synthétique"):
        synthetic_road_graph(BOUNDS, relief=1.0)
    with pytest.raises(InputError, match="vitesses du réseau synthétique"):
        synthetic_road_graph(BOUNDS, speeds_kmh={"autoroute": 130.0})
