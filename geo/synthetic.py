"""A synthetic road-like network over any extent, for national-style runs where no real one is.

A jittered grid in Lambert-93 (EPSG:2154): nodes every ``spacing_m`` metres, each moved at
random by up to ``jitter`` × spacing; every node joined to its right and upper neighbours in
both directions. Lines of the grid carry road classes: every ``national_every``-th line is a
national road (110 km/h), every ``departmental_every``-th a departmental road (80 km/h), the
others local roads (50 km/h), of which ``drop_local`` are removed at random (dead ends and
detours, as in a real rural network). Road length = straight length × ``detour`` (bends).
With ``relief`` > 0, random hilly areas (round, ``hill_km`` across) slow every road in them,
by up to ``relief`` × its speed at their centre: access then differs from place to place as it
does in a real territory, instead of being uniformly fast. :data:`ROAD_LIKE` is the sparser,
hillier profile the national batch uses. Deterministic for a given ``seed``. Its times are
not real road times: outputs built on it must say so (:data:`SYNTHETIC_DESCRIPTION`,
:data:`ROAD_LIKE_DESCRIPTION`).
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer

from maillage.errors import InputError
from maillage.settings import LAYER_CRS, METRIC_CRS

from .engine import RoadGraph, graph_from_arrays

#: Speed of each synthetic road class, km/h.
SYNTHETIC_SPEEDS_KMH = {"nationale": 110.0, "départementale": 80.0, "locale": 50.0}

#: How outputs built on the synthetic network describe it (French).
SYNTHETIC_DESCRIPTION = ("réseau routier synthétique (grille perturbée : routes nationales "
                         "110 km/h, départementales 80 km/h, locales 50 km/h ; pas un "
                         "réseau réel)")


def road_like(spacing_m: float = 1000.0) -> dict:
    """The road-like rural profile for a grid step: the options of :func:`synthetic_road_graph`.

    National roads every 30 km and departmental roads every 6 km whatever the step (the
    number of grid lines between them scales with it), local roads at 45 km/h with 30 % of
    their segments missing, bends × 1.3, hilly areas 25 km across slowing roads by up to 55 %.

    Parameters
    ----------
    spacing_m : float
        Grid step, metres.

    Returns
    -------
    dict
        Keyword arguments of :func:`synthetic_road_graph` (besides the extent, step, seed).

    Examples
    --------
    >>> road_like(250)["national_every"], road_like(250)["departmental_every"]
    (120, 24)
    """
    return {"national_every": max(1, round(30_000 / spacing_m)),
            "departmental_every": max(1, round(6_000 / spacing_m)),
            "drop_local": 0.3, "detour": 1.3,
            "speeds_kmh": {"nationale": 110.0, "départementale": 80.0, "locale": 45.0},
            "relief": 0.55, "hill_km": 25.0}


#: The road-like rural profile at a 1 km step (:func:`road_like`): national roads every 30 km,
#: departmental roads every 6 km, local roads at 45 km/h with 30 % of their segments missing
#: (dead ends, detours), bends × 1.3, and hilly areas about 25 km across slowing roads by up to
#: 55 % at their centre. Not calibrated on real times (none are available offline): chosen so
#: that access is uneven, with some places beyond 30 minutes of a service.
ROAD_LIKE = road_like(1000.0)

#: How outputs built on the road-like profile (:func:`road_like`) describe it (French).
ROAD_LIKE_DESCRIPTION = ("réseau routier synthétique (grille perturbée : routes nationales "
                         "110 km/h tous les 30 km, départementales 80 km/h tous les 6 km, "
                         "locales 45 km/h dont 30 % de tronçons absents, reliefs fictifs "
                         "ralentissant jusqu'à 55 % ; pas un réseau réel, temps non calibrés)")


def synthetic_road_graph(bounds_m, *, spacing_m: float = 1000.0, jitter: float = 0.3,
                         detour: float = 1.2, national_every: int = 20,
                         departmental_every: int = 5, drop_local: float = 0.08,
                         seed: int = 15, speeds_kmh: dict | None = None, relief: float = 0.0,
                         hill_km: float = 25.0) -> RoadGraph:
    """A compiled road-like graph (jittered grid with road classes) covering ``bounds_m``.

    Parameters
    ----------
    bounds_m : tuple of float
        ``(xmin, ymin, xmax, ymax)``, metres, EPSG:2154.
    spacing_m : float
        Grid step, metres.
    jitter : float
        Largest random move of a node, as a share of ``spacing_m`` (below 0.5).
    detour : float
        Road length over straight length (≥ 1).
    national_every, departmental_every : int
        Every n-th grid line is a national / departmental road.
    drop_local : float
        Share of local road segments removed at random (0 to 1).
    seed : int
        Random seed (the same seed gives the same graph).
    speeds_kmh : dict, optional
        Speed of each class (``nationale``, ``départementale``, ``locale``), km/h (default
        :data:`SYNTHETIC_SPEEDS_KMH`).
    relief : float
        Largest slowdown in hilly areas, as a share of the speed (0: flat, none; below 1).
    hill_km : float
        Diameter of a hilly area, km (they cover about a third of the extent).

    Returns
    -------
    RoadGraph
        Node ids ``0 … n - 1``; arc weights ``travel_time`` in seconds; speeds of
        ``speeds_kmh``, lowered in hilly areas.

    Raises
    ------
    InputError
        Empty extent or bad parameters.

    Examples
    --------
    >>> road = synthetic_road_graph((560_000, 6_360_000, 570_000, 6_370_000), spacing_m=2000)
    >>> road.n_nodes
    36
    >>> hilly = synthetic_road_graph((560_000, 6_360_000, 570_000, 6_370_000), spacing_m=2000,
    ...                              relief=0.5, hill_km=5)
    >>> bool((hilly.matrix.data >= road.matrix.data).all())  # same roads, slower in hills
    True
    """
    xmin, ymin, xmax, ymax = map(float, bounds_m)
    if not (xmax > xmin and ymax > ymin) or not spacing_m > 0 or not 0 <= jitter < 0.5 \
            or not detour >= 1 or not 0 <= drop_local < 1 \
            or min(national_every, departmental_every) < 1 or not 0 <= relief < 1 \
            or not hill_km > 0:
        raise InputError("paramètres du réseau synthétique invalides",
                         fix="étendue non vide, pas > 0, 0 ≤ jitter < 0.5, détour ≥ 1, "
                             "0 ≤ drop_local < 1, 0 ≤ relief < 1, hill_km > 0")
    speeds = {**SYNTHETIC_SPEEDS_KMH, **(speeds_kmh or {})}
    if sorted(speeds) != sorted(SYNTHETIC_SPEEDS_KMH) or min(speeds.values()) <= 0:
        raise InputError("vitesses du réseau synthétique invalides",
                         fix="donner nationale, départementale et locale en km/h (> 0)")
    rng = np.random.default_rng(seed)
    nx_, ny_ = int(np.ceil((xmax - xmin) / spacing_m)) + 1, int(np.ceil((ymax - ymin) / spacing_m)) + 1
    col, row = np.meshgrid(np.arange(nx_), np.arange(ny_))
    col, row = col.ravel(), row.ravel()
    x = xmin + col * spacing_m + rng.uniform(-jitter, jitter, col.size) * spacing_m
    y = ymin + row * spacing_m + rng.uniform(-jitter, jitter, col.size) * spacing_m
    node = np.arange(col.size).reshape(ny_, nx_)
    # Horizontal segments lie on row lines, vertical ones on column lines.
    h_tail, h_head = node[:, :-1].ravel(), node[:, 1:].ravel()
    v_tail, v_head = node[:-1, :].ravel(), node[1:, :].ravel()
    tail = np.r_[h_tail, v_tail]
    head = np.r_[h_head, v_head]
    line = np.r_[row[h_tail], col[v_tail]]
    speed = np.where(line % national_every == 0, speeds["nationale"],
                     np.where(line % departmental_every == 0, speeds["départementale"],
                              speeds["locale"]))
    local = (line % national_every != 0) & (line % departmental_every != 0)
    keep = ~local | (rng.random(len(tail)) >= drop_local)
    tail, head, speed = tail[keep], head[keep], speed[keep]
    if relief > 0:
        speed = speed * (1.0 - relief * _hills((x[tail] + x[head]) / 2, (y[tail] + y[head]) / 2,
                                               (xmin, ymin, xmax, ymax), hill_km * 1000.0,
                                               seed))
    metres = np.hypot(x[tail] - x[head], y[tail] - y[head]) * detour
    seconds = metres / (speed / 3.6)
    lon, lat = Transformer.from_crs(METRIC_CRS, LAYER_CRS, always_xy=True).transform(x, y)
    return graph_from_arrays(np.arange(len(x)), lon, lat, tail, head, seconds, two_way=True)


def _hills(x, y, bounds, diameter_m: float, seed: int) -> np.ndarray:
    """Height of the fictitious relief at (x, y), 0 (flat) to 1 (a hill's centre).

    Round hills (Gaussian, ``diameter_m`` ≈ 4 standard deviations) at random centres, about
    one per 3 × ``diameter_m``² of the extent (so they cover about a third of it); the highest
    wins where they overlap. Drawn from its own random stream: the roads are the same with or
    without relief.
    """
    xmin, ymin, xmax, ymax = bounds
    rng = np.random.default_rng([seed, 1])
    count = max(1, int(round((xmax - xmin) * (ymax - ymin) / (3 * diameter_m ** 2))))
    cx = rng.uniform(xmin, xmax, count)
    cy = rng.uniform(ymin, ymax, count)
    sigma = diameter_m / 4
    height = np.zeros(len(x))
    for hx, hy in zip(cx, cy):
        np.maximum(height, np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * sigma ** 2)),
                   out=height)
    return height
