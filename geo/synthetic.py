"""A synthetic road-like network over any extent, for national-style runs where no real one is.

A jittered grid in Lambert-93 (EPSG:2154): nodes every ``spacing_m`` metres, each moved at
random by up to ``jitter`` × spacing; every node joined to its right and upper neighbours in
both directions. Lines of the grid carry road classes: every ``national_every``-th line is a
national road (110 km/h), every ``departmental_every``-th a departmental road (80 km/h), the
others local roads (50 km/h), of which ``drop_local`` are removed at random (dead ends and
detours, as in a real rural network). Road length = straight length × ``detour`` (bends).
Deterministic for a given ``seed``. Its times are not real road times: outputs built on it
must say so (:data:`SYNTHETIC_DESCRIPTION`).
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


def synthetic_road_graph(bounds_m, *, spacing_m: float = 1000.0, jitter: float = 0.3,
                         detour: float = 1.2, national_every: int = 20,
                         departmental_every: int = 5, drop_local: float = 0.08,
                         seed: int = 15) -> RoadGraph:
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

    Returns
    -------
    RoadGraph
        Node ids ``0 … n - 1``; arc weights ``travel_time`` in seconds; speeds of
        :data:`SYNTHETIC_SPEEDS_KMH`.

    Raises
    ------
    InputError
        Empty extent or bad parameters.

    Examples
    --------
    >>> road = synthetic_road_graph((560_000, 6_360_000, 570_000, 6_370_000), spacing_m=2000)
    >>> road.n_nodes
    36
    """
    xmin, ymin, xmax, ymax = map(float, bounds_m)
    if not (xmax > xmin and ymax > ymin) or not spacing_m > 0 or not 0 <= jitter < 0.5 \
            or not detour >= 1 or not 0 <= drop_local < 1 \
            or min(national_every, departmental_every) < 1:
        raise InputError("paramètres du réseau synthétique invalides",
                         fix="étendue non vide, pas > 0, 0 ≤ jitter < 0.5, détour ≥ 1, "
                             "0 ≤ drop_local < 1")
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
    speed = np.where(line % national_every == 0, SYNTHETIC_SPEEDS_KMH["nationale"],
                     np.where(line % departmental_every == 0,
                              SYNTHETIC_SPEEDS_KMH["départementale"],
                              SYNTHETIC_SPEEDS_KMH["locale"]))
    keep = (speed > SYNTHETIC_SPEEDS_KMH["locale"]) | (rng.random(len(tail)) >= drop_local)
    tail, head, speed = tail[keep], head[keep], speed[keep]
    metres = np.hypot(x[tail] - x[head], y[tail] - y[head]) * detour
    seconds = metres / (speed / 3.6)
    lon, lat = Transformer.from_crs(METRIC_CRS, LAYER_CRS, always_xy=True).transform(x, y)
    return graph_from_arrays(np.arange(len(x)), lon, lat, tail, head, seconds, two_way=True)
