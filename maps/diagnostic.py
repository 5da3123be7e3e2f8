"""The results a diagnostic report presents, gathered in one object.

:mod:`maillage.pipeline` computes them (layers → times → indicators → scenario); the report,
the maps, the figures and the tables only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from maillage.settings import DEFAULT_SETTINGS, DiagnosticSettings


@dataclass
class CapacityResult:
    """Capacity per child of one indicator (``alsh``, ``eaje`` …).

    Attributes
    ----------
    kind : str
        Indicator key (a key of ``maillage.analysis.capacity.AGE_BANDS``) and facility kind
        drawn on its map.
    label : str
        French label of the indicator (``"ALSH, 3 à 11 ans"``).
    by_commune, by_epci : DataFrame
        ``places``, ``children``, ``places_per_100_children`` by commune code / EPCI SIREN
        (``name`` also, when known).
    fca : Series, optional
        Places per 100 children accessible within ``fca_minutes`` (2SFCA), by commune code.
    fca_minutes : float
        Catchment of the 2SFCA, minutes.
    sensitivity : DataFrame, optional
        Headline indicators by threshold and decay
        (``maillage.analysis.sensitivity.sensitivity``, tidy).
    """

    kind: str
    label: str
    by_commune: pd.DataFrame
    by_epci: pd.DataFrame
    fca: pd.Series | None = None
    fca_minutes: float = 20.0
    sensitivity: pd.DataFrame | None = None


@dataclass
class AccessResult:
    """Travel time from each commune to the nearest service of a kind.

    Attributes
    ----------
    kind : str
        Facility kind reached.
    nearest : DataFrame
        By commune code: ``minutes`` (inf = unreachable), ``destination`` (facility id).
    coverage : DataFrame
        By threshold (index ``minutes``): ``population_within``, ``share_within``,
        ``population_beyond``, ``origins_beyond`` (as ``maillage.analysis.coverage``).
    population_label : str
        Who is counted in ``coverage`` (``"enfants de 3 à 11 ans"``, ``"habitants"``).
    by_epci : DataFrame, optional
        Coverage per EPCI: index (``epci``, ``minutes``), same columns.
    presence : DataFrame, optional
        Coverage by presence level (``maillage.analysis.itinerant.presence_coverage``,
        tidy): within N minutes of any stop vs of a point open at least K days per month.
    """

    kind: str
    nearest: pd.DataFrame
    coverage: pd.DataFrame
    population_label: str = "habitants"
    by_epci: pd.DataFrame | None = None
    presence: pd.DataFrame | None = None


@dataclass
class ScenarioView:
    """A scenario's before/after for one indicator.

    Attributes
    ----------
    name : str
        Scenario name (``nom`` of the YAML file).
    kind : str
        Indicator compared.
    before, after : DataFrame
        By commune code: ``places``, ``children``, ``places_per_100_children``.
    table : DataFrame
        The scenario's summary table (``ScenarioResult.table()``), French columns.
    after_territory : object, optional
        Layers after the changes (facilities drawn on the scenario map).
    description : str
        What the scenario does (French).
    by_epci : DataFrame, optional
        Before/after by EPCI.
    """

    name: str
    kind: str
    before: pd.DataFrame
    after: pd.DataFrame
    table: pd.DataFrame
    after_territory: object = None
    description: str = ""
    by_epci: pd.DataFrame | None = None


@dataclass
class Diagnostic:
    """Everything a coverage diagnostic reports on one territory.

    Attributes
    ----------
    territory : Territory
        Layers as loaded (``maillage.layers.load_territory``).
    timer_description : str
        How travel times were obtained (French).
    estimated : bool
        Travel times are straight-line estimates (no road network).
    capacity : list of CapacityResult
    access : list of AccessResult
    isochrones : GeoDataFrame, optional
        ``kind``, ``minutes``, polygons (EPSG:4326).
    scenario : ScenarioView, optional
    date : str
        Reference date of the facilities counted (ISO), or empty.
    notes : list of str
        Caveats shown in the report (French): stand-ins, fallbacks.
    scope_name : str
        Name of the area the coverage totals are computed on, when it is not the whole
        territory (e.g. the EPCIs the facility registry covers).
    settings : DiagnosticSettings
        The thresholds, catchment and kinds the diagnostic was computed with (minutes).
    """

    territory: object
    timer_description: str
    estimated: bool
    capacity: list[CapacityResult] = field(default_factory=list)
    access: list[AccessResult] = field(default_factory=list)
    isochrones: gpd.GeoDataFrame | None = None
    scenario: ScenarioView | None = None
    date: str = ""
    notes: list[str] = field(default_factory=list)
    scope_name: str = ""
    settings: DiagnosticSettings = DEFAULT_SETTINGS
