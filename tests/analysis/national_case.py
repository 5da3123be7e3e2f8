"""A small national-style case: a synthetic grid, origins in three 'départements', two kinds."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from maillage.geo import synthetic_road_graph

BOUNDS = (560_000.0, 6_350_000.0, 680_000.0, 6_410_000.0)  # 120 km × 60 km, Lambert-93
MINUTES = 20.0


def _points(x, y, index, **columns) -> gpd.GeoDataFrame:
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(x, y)
    return gpd.GeoDataFrame(columns, index=pd.Index(index, dtype="str"), crs="EPSG:4326",
                            geometry=gpd.points_from_xy(lon, lat))


def case(seed: int = 3, n_origins: int = 240, spacing_m: float = 2000.0):
    """(road, origins, services): three bands of 40 km, each a 'département'."""
    rng = np.random.default_rng(seed)
    road = synthetic_road_graph(BOUNDS, spacing_m=spacing_m, seed=seed)
    x = rng.uniform(BOUNDS[0] + 1000, BOUNDS[2] - 1000, n_origins)
    y = rng.uniform(BOUNDS[1] + 1000, BOUNDS[3] - 1000, n_origins)
    dep = np.where(x < 600_000, "01", np.where(x < 640_000, "02", "03"))
    commune = [f"{d}{i // 3:03d}" for i, d in enumerate(dep)]
    population = rng.integers(10, 500, n_origins).astype(float)
    population[dep == "03"] = np.nan  # unknown population: weight 1 per origin
    origins = _points(x, y, [f"o{i:04d}" for i in range(n_origins)], commune=commune,
                      departement=dep, epci=np.where(dep == "01", "e1", "e2"),
                      population=population)
    services = {}
    for kind, count in (("france_services", 12), ("eaje", 30)):
        sx = rng.uniform(BOUNDS[0], BOUNDS[2], count)
        sy = rng.uniform(BOUNDS[1], BOUNDS[3], count)
        services[kind] = _points(sx, sy, [f"{kind}-{i}" for i in range(count)])
    return road, origins, services
