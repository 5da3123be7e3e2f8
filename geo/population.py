"""Population-weighted origins: several points per commune from a population grid.

A commune reduced to one representative point misplaces the people of a large commune; the
cells of a population grid (INSEE Filosofi, 1 km or 200 m) give one origin per inhabited cell,
weighted by its inhabitants. Times from those points are averaged back per commune.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.errors import InputError
from maillage.settings import LAYER_CRS, METRIC_CRS

log = logging.getLogger(__name__)

GRID_COLUMNS = ("x", "y", "Ind")


def read_population_grid(path, *, crs: str = "EPSG:3035") -> gpd.GeoDataFrame:
    r"""Read a gridded population CSV (cell centres and inhabitants).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with columns ``x``, ``y`` (cell centre, metres in ``crs``) and ``Ind``
        (inhabitants), as INSEE Filosofi grids.
    crs : str
        CRS of ``x``/``y`` (EPSG:3035 for Filosofi; stated, never guessed).

    Returns
    -------
    geopandas.GeoDataFrame
        ``population`` (inhabitants) and Point ``geometry`` in EPSG:4326.

    Examples
    --------
    Two 1 km cells of a Filosofi grid (centres in EPSG:3035 metres), returned in degrees:

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "carreaux.csv"
    ...     _ = path.write_text("x,y,Ind\n3638500,2417500,120\n3639500,2417500,35.5\n")
    ...     grid = read_population_grid(path)
    >>> grid["population"].tolist(), grid.crs.to_epsg()
    ([120.0, 35.5], 4326)
    >>> [round(v, 2) for v in grid.geometry.iloc[0].coords[0]]
    [1.41, 44.52]
    """
    table = pd.read_csv(path)
    missing = [c for c in GRID_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            f"colonnes manquantes : {', '.join(missing)}",
            file=path,
            row=1,
            fix="en-tête attendu : x,y,Ind",
        )
    values = table[list(GRID_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(
            "nombre attendu",
            file=path,
            row=int(row) + 2,
            column=GRID_COLUMNS[col],
            fix="corrigez la valeur",
        )
    points = gpd.points_from_xy(values["x"], values["y"], crs=crs)
    grid = gpd.GeoDataFrame({"population": values["Ind"].to_numpy(float)}, geometry=points)
    return grid.to_crs(LAYER_CRS)


def population_points(
    communes: gpd.GeoDataFrame, grid, *, min_population: float = 0.0, edge_m: float = 1_000.0
) -> gpd.GeoDataFrame:
    """Population-weighted origin points: the inhabited grid cells of each commune.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Communes (index = code) with Polygon/MultiPolygon geometries; a commune given as a
        Point, or containing no inhabited cell centre, gets its own point with its
        ``population`` (or 1 when the column is absent) as weight.
    grid : geopandas.GeoDataFrame or str or pathlib.Path
        Population grid (:func:`read_population_grid`) or the path of its CSV.
    min_population : float
        Cells with fewer inhabitants are left out.
    edge_m : float
        A cell centre outside every commune (border cells, simplified contours) goes to the
        nearest commune within this distance, metres; cells further away are counted in
        ``attrs["outside_population"]`` (inhabitants) and logged.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``"<code>#<n>"``; ``commune`` (code), ``weight`` (inhabitants), Point
        ``geometry`` (EPSG:4326). Feed it to a timer as origins, then
        :func:`aggregate_by_commune`.

    Examples
    --------
    Commune A holds two inhabited cells, commune B none (it keeps one point weighted by its
    population):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> communes = gpd.GeoDataFrame({"population": [300, 80]}, index=["A", "B"], crs="EPSG:4326",
    ...                             geometry=[box(1.40, 44.50, 1.42, 44.52),
    ...                                       box(1.42, 44.50, 1.44, 44.52)])
    >>> grid = gpd.GeoDataFrame({"population": [200.0, 90.0]}, crs="EPSG:4326",
    ...                         geometry=[Point(1.405, 44.505), Point(1.415, 44.515)])
    >>> points = population_points(communes, grid)
    >>> points[["commune", "weight"]]
        commune  weight
    A#1       A   200.0
    A#2       A    90.0
    B#1       B    80.0
    """
    if isinstance(grid, (str, Path)):
        grid = read_population_grid(grid)
    if communes.crs is None:
        raise InputError(
            "Les communes n'ont pas de CRS.", fix="indiquez-le avec .set_crs('EPSG:4326')"
        )
    shapes = communes.to_crs(LAYER_CRS)
    cells = grid.to_crs(LAYER_CRS)
    cells = cells[cells["population"] > min_population]
    polygons = shapes[shapes.geom_type.isin(["Polygon", "MultiPolygon"])]
    joined = _cells_in_communes(cells, polygons, edge_m)
    alone = shapes.index.difference(pd.Index(joined["commune"].unique()))
    weight = (
        shapes["population"]
        if "population" in shapes.columns
        else pd.Series(1.0, index=shapes.index)
    )
    single = gpd.GeoDataFrame(
        {"commune": alone, "weight": weight.reindex(alone).to_numpy(float)},
        geometry=shapes.geometry.reindex(alone).representative_point().values,
        crs=LAYER_CRS,
    )
    points = pd.concat([joined, single], ignore_index=True).sort_values("commune", kind="stable")
    rank = points.groupby("commune").cumcount() + 1
    points.index = points["commune"].astype(str) + "#" + rank.astype(str)
    result = gpd.GeoDataFrame(points, geometry="geometry", crs=LAYER_CRS)
    result.attrs["outside_population"] = float(cells["population"].sum() - joined["weight"].sum())
    if result.attrs["outside_population"] > 0:
        log.info(
            "Carroyage : %.0f habitants hors des communes choisies.",
            result.attrs["outside_population"],
        )
    return result


def _cells_in_communes(
    cells: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, edge_m: float
) -> gpd.GeoDataFrame:
    """Cells within a commune, then unmatched cells joined to the nearest commune within edge_m."""
    target = gpd.GeoDataFrame(
        {"commune": polygons.index}, geometry=polygons.geometry.values, crs=LAYER_CRS
    )
    inside = gpd.sjoin(cells, target, predicate="within", how="inner")
    rest = cells.loc[cells.index.difference(inside.index)].to_crs(METRIC_CRS)
    near = gpd.sjoin_nearest(
        rest, target.to_crs(METRIC_CRS), max_distance=edge_m, how="inner"
    ).to_crs(LAYER_CRS)
    near = near[~near.index.duplicated()]
    joined = pd.concat([inside, near])
    return joined[["commune", "population", "geometry"]].rename(columns={"population": "weight"})


def aggregate_by_commune(times: pd.DataFrame, points: gpd.GeoDataFrame) -> pd.DataFrame:
    """Population-weighted mean of point times per commune (minutes).

    Parameters
    ----------
    times : pandas.DataFrame
        Minutes, index = ids of ``points`` (a timer's matrix, or one column of ``nearest``).
    points : geopandas.GeoDataFrame
        Output of :func:`population_points` (``commune``, ``weight``).

    Returns
    -------
    pandas.DataFrame
        Index = commune codes, same columns, population-weighted mean minutes; ``inf`` when
        any inhabited point of the commune cannot reach the destination.

    Examples
    --------
    The people of commune A live in two places, 6 and 12 minutes from the ALSH: the commune's
    time is their weighted mean:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point
    >>> points = gpd.GeoDataFrame({"commune": ["A", "A", "B"], "weight": [200.0, 100.0, 80.0]},
    ...                           index=["A#1", "A#2", "B#1"], crs="EPSG:4326",
    ...                           geometry=[Point(1.405, 44.505), Point(1.415, 44.515),
    ...                                     Point(1.43, 44.51)])
    >>> minutes = pd.DataFrame({"alsh": [6.0, 12.0, 9.0]}, index=points.index)
    >>> aggregate_by_commune(minutes, points)
       alsh
    A   8.0
    B   9.0
    """
    frame = times.to_frame() if isinstance(times, pd.Series) else times
    weights = points["weight"].reindex(frame.index).to_numpy(float)
    communes = points["commune"].reindex(frame.index)
    keep = weights > 0
    values = frame.to_numpy(float)[keep] * weights[keep, None]
    summed = pd.DataFrame(values, columns=frame.columns).groupby(communes.to_numpy()[keep]).sum()
    total = pd.Series(weights[keep]).groupby(communes.to_numpy()[keep]).sum()
    return summed.div(total, axis=0)
