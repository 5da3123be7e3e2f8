"""Where people are counted from: one point per commune, or the inhabited cells of a grid.

A commune reduced to its representative point puts all its children at one place. With the
INSEE Filosofi 200 m grid (:mod:`maillage.layers.filosofi`), each inhabited cell is an origin
weighted by the children of the right age who live there; travel times, coverage and floating
catchments are computed from the cells, then aggregated back to communes (children-weighted
means) and EPCIs (sums of children). Cell children are scaled to the commune's population
municipale, so that the cells of a commune add up to the commune's counts exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.formatting import fr_number
from maillage.kinds import CHILDREN_COLUMNS, with_year_bands
from maillage.layers.filosofi import caf_bands

#: CRS of Filosofi cell centres (metres).
CELL_CRS = "EPSG:3035"


@dataclass
class Origins:
    """Origins of travel times and the people counted at each one.

    Attributes
    ----------
    points : GeoDataFrame
        Index = origin id (a commune code, or ``"<code>#<n>"`` for a cell), Point geometry
        (EPSG:4326).
    people : DataFrame
        Same index: ``commune``, ``epci``, ``population`` (inhabitants) and the ``pop_*``
        columns (children).
    kind : str
        ``"communes"`` (representative points) or ``"carreaux"`` (inhabited grid cells).
    description : str
        French description for the report's methodology.

    Examples
    --------
    The Lot's communes as origins, then those of the Grand Cahors and their children of 3 to
    10 years:

    >>> from maillage.layers import embedded_communes
    >>> from maillage.layers.communes import points_layer
    >>> lot = commune_origins(points_layer(embedded_communes()))
    >>> grand_cahors = lot.within(lot.people.index[lot.people["epci"] == "200023737"])
    >>> len(lot.points), len(grand_cahors.points), grand_cahors.cells
    (312, 36, False)
    >>> grand_cahors.weights(["pop_3_5", "pop_6_10"]).head(2)
    46007    75.5
    46032    23.1
    dtype: float64
    """

    points: gpd.GeoDataFrame
    people: pd.DataFrame
    kind: str
    description: str

    @property
    def cells(self) -> bool:
        """True when the origins are grid cells (several per commune)."""
        return self.kind == "carreaux"

    def within(self, codes) -> Origins:
        """The origins of the communes ``codes`` (an iterable of commune codes)."""
        keep = self.people["commune"].isin(set(map(str, codes))).to_numpy()
        return Origins(self.points.loc[keep], self.people.loc[keep], self.kind,
                       self.description)

    def weights(self, columns) -> pd.Series:
        """People at each origin: the sum of ``columns`` (children, or ``population``)."""
        return self.people[list(columns)].astype(float).sum(axis=1)

    def to_communes(self, values: pd.Series, weights: pd.Series) -> pd.Series:
        """Weighted mean of ``values`` (by origin) per commune.

        A commune whose origins all weigh 0 gets the plain mean of its origins; ``inf``
        (unreachable) propagates when an origin with people cannot reach.
        """
        values = self._aligned(values)
        weights = np.nan_to_num(self._aligned(weights), nan=0.0)
        if not self.cells:
            return pd.Series(values, index=self.people["commune"].to_numpy())
        codes, communes = self._groups()
        n = len(communes)
        known = ~np.isnan(values)
        # Sums per commune over integer group numbers (np.bincount; the numbers are computed
        # once per Origins): the app calls this several times per edit on ~23 000 cells.
        # A missing value adds nothing to a weighted sum but its weight still counts.
        weighted = weights > 0
        with np.errstate(invalid="ignore"):
            products = np.where(known, values * weights, 0.0)
        summed = np.bincount(codes[weighted], products[weighted], minlength=n)
        heavy = np.bincount(codes[weighted], weights[weighted], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            plain = (np.bincount(codes[known], values[known], minlength=n)
                     / np.bincount(codes[known], minlength=n))
            mean = np.where(heavy > 0, summed / np.where(heavy > 0, heavy, 1.0), plain)
        return pd.Series(np.where(np.isnan(mean), plain, mean), index=communes)

    def _aligned(self, series: pd.Series) -> np.ndarray:
        """``series`` as floats in the order of the origins (reindexed unless it already is)."""
        index = self.people.index
        if series.index is not index and not series.index.equals(index):
            series = series.reindex(index)
        return series.to_numpy(dtype=float, na_value=np.nan)

    def _groups(self) -> tuple[np.ndarray, pd.Index]:
        """Commune number of each origin and the communes (sorted codes), computed once."""
        cached = self.__dict__.get("_commune_groups")
        if cached is None:
            codes, communes = pd.factorize(self.people["commune"], sort=True)
            cached = self.__dict__["_commune_groups"] = (codes, pd.Index(communes))
        return cached

    def heaviest(self, weights: pd.Series) -> pd.Series:
        """Origin id of each commune with the most people (commune code → origin id)."""
        frame = pd.DataFrame({"w": weights.reindex(self.people.index).fillna(0.0),
                              "c": self.people["commune"]})
        return frame.groupby("c")["w"].idxmax()


def commune_origins(communes) -> Origins:
    """One origin per commune, at its representative point (``point_lon`` / ``point_lat``).

    Parameters
    ----------
    communes : DataFrame
        Communes (index = code) with ``epci``, ``point_lon``, ``point_lat`` (degrees),
        ``population`` (inhabitants) and the ``pop_*`` children columns.

    Returns
    -------
    Origins
        One origin per commune, identified by its code.

    Examples
    --------
    >>> import pandas as pd
    >>> calamane = pd.DataFrame({"epci": ["200023737"], "population": [500], "pop_0_2": [15.0],
    ...                          "pop_3_5": [15.0], "pop_6_10": [25.0], "pop_11_17": [35.0],
    ...                          "point_lon": [1.409], "point_lat": [44.519]}, index=["46046"])
    >>> origins = commune_origins(calamane)
    >>> origins.kind, origins.points.geometry.iloc[0].coords[0]
    ('communes', (1.409, 44.519))
    >>> origins.people[["commune", "population", "pop_6_10"]].to_numpy().tolist()
    [['46046', 500.0, 25.0]]
    """
    communes = with_year_bands(communes)
    index = communes.index.astype(str)
    points = gpd.GeoDataFrame(index=index, crs="EPSG:4326", geometry=gpd.points_from_xy(
        communes["point_lon"].astype(float), communes["point_lat"].astype(float)))
    people = pd.DataFrame({"commune": index, "epci": communes["epci"].astype(str).to_numpy()},
                          index=index)
    for column in ("population", *CHILDREN_COLUMNS):
        if column in communes:
            people[column] = communes[column].astype(float).to_numpy()
    return Origins(points, people, "communes",
                   "depuis le point représentatif de chaque commune")


def cell_origins(communes, cells: pd.DataFrame) -> Origins:
    """One origin per inhabited grid cell, with its children scaled to the commune's counts.

    Parameters
    ----------
    communes : DataFrame
        Communes (index = code) with ``epci``, ``population`` (inhabitants), the ``pop_*``
        children columns and ``point_lon`` / ``point_lat`` (degrees).
    cells : DataFrame
        Filosofi cells (:func:`maillage.layers.filosofi.read_cells`): ``x``, ``y`` (centre,
        metres, EPSG:3035), ``ind`` and the Filosofi bands, ``commune`` (code).

    Returns
    -------
    Origins
        Cells of the communes with ``ind > 0``; each cell's ``pop_*`` = its Filosofi children
        of the band (:data:`maillage.layers.filosofi.BAND_RULE`) × the commune's children of
        the band ÷ the commune's Filosofi children of the band, so that a commune's cells sum
        to its counts. A commune without inhabited cell keeps its representative point.

    Examples
    --------
    Calamane's 500 inhabitants (census) live in two Filosofi cells holding 300 and 100 fiscal
    inhabitants: the commune's children are shared between the cells in Filosofi's proportions
    (6–10 years: 15 and 5 in Filosofi, so ¾ and ¼ of the commune's 25):

    >>> import pandas as pd
    >>> calamane = pd.DataFrame({"epci": ["200023737"], "population": [500], "pop_0_2": [15.0],
    ...                          "pop_3_5": [15.0], "pop_6_10": [25.0], "pop_11_17": [35.0],
    ...                          "point_lon": [1.409], "point_lat": [44.519]}, index=["46046"])
    >>> cells = pd.DataFrame({"x": [3638300.0, 3638500.0], "y": [2417900.0, 2417900.0],
    ...                       "ind": [300.0, 100.0], "ind_0_3": [12.0, 4.0], "ind_4_5": [6.0, 2.0],
    ...                       "ind_6_10": [15.0, 5.0], "ind_11_17": [21.0, 7.0],
    ...                       "commune": ["46046", "46046"]})
    >>> origins = cell_origins(calamane, cells)
    >>> origins.kind, origins.people["pop_6_10"].to_dict()
    ('carreaux', {'46046#1': 18.75, '46046#2': 6.25})
    """
    communes = with_year_bands(communes)
    codes = communes.index.astype(str)
    cells = cells[cells["commune"].isin(set(codes)) & (cells["ind"] > 0)]
    bands = caf_bands(cells)
    bands["population"] = cells["ind"].astype(float)
    columns = [c for c in ("population", *CHILDREN_COLUMNS) if c in communes]
    totals = bands[columns].groupby(cells["commune"].to_numpy()).sum()
    target = communes[columns].astype(float).set_axis(codes)
    factor = (target.loc[totals.index] / totals.where(totals > 0)).fillna(0.0)
    scaled = bands[columns].to_numpy() * factor.loc[cells["commune"]].to_numpy()
    people = pd.DataFrame(scaled, columns=columns, index=cells.index)
    people.insert(0, "commune", cells["commune"].to_numpy())
    epci = communes["epci"].astype(str).set_axis(codes)
    people.insert(1, "epci", epci.loc[cells["commune"]].to_numpy())
    rank = people.groupby("commune").cumcount() + 1
    people.index = people["commune"] + "#" + rank.astype(str)
    points = gpd.GeoDataFrame(index=people.index, geometry=gpd.points_from_xy(
        cells["x"].to_numpy(float), cells["y"].to_numpy(float)), crs=CELL_CRS).to_crs(
        "EPSG:4326")
    alone = codes.difference(pd.Index(totals.index))
    if len(alone):
        single = commune_origins(communes.loc[communes.index.astype(str).isin(alone)])
        points = pd.concat([points, single.points])
        people = pd.concat([people, single.people[people.columns]])
    return Origins(gpd.GeoDataFrame(points, geometry="geometry", crs="EPSG:4326"), people,
                   "carreaux",
                   f"depuis les {fr_number(len(cells))} carreaux habités de 200 m de l'INSEE "
                   "(Filosofi 2021) où vivent les enfants, pondérés par les enfants de l'âge "
                   "concerné")


def territory_origins(territory) -> Origins:
    """The origins of a territory: its Filosofi cells when loaded, else commune points.

    Parameters
    ----------
    territory : Territory
        With ``communes`` and, when a Filosofi 200 m cells file was available, ``cells``.

    Returns
    -------
    Origins
        :func:`cell_origins` of the cells, or :func:`commune_origins`.

    Examples
    --------
    A territory without Filosofi cells is counted from its commune points:

    >>> from maillage.layers import embedded_communes
    >>> from maillage.layers.communes import points_layer
    >>> from types import SimpleNamespace
    >>> lot = SimpleNamespace(communes=points_layer(embedded_communes()), cells=None)
    >>> origins = territory_origins(lot)
    >>> origins.kind, len(origins.points)
    ('communes', 312)
    """
    cells = getattr(territory, "cells", None)
    if cells is None or len(cells) == 0:
        return commune_origins(territory.communes)
    return cell_origins(territory.communes, cells)
