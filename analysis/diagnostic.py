"""The results of a coverage diagnostic, gathered in one object, and its summary indicators.

:func:`maillage.pipeline.build_diagnostic` computes the parts (layers → times → indicators →
scenario); a :class:`Diagnostic` then derives its summary indicators from them (zones
blanches, the France services target, equity), here in analysis. The report, the maps, the
figures, the tables and the web app only read a finished diagnostic: they compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from maillage.layers import Territory
from maillage.settings import DEFAULT_SETTINGS, DiagnosticSettings

from .coverage import TargetCheck, access_population, france_services_target, zones_blanches
from .equity import equity_summary

#: The kind whose national target (everyone within N minutes) the diagnostic checks.
FRANCE_SERVICES = "france_services"


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

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage.analysis import places_per_100_children
    >>> communes = pd.DataFrame({"name": ["Cahors", "Calamane"], "epci": ["200023737"] * 2,
    ...                          "pop_3_5": [400.0, 20.0], "pop_6_10": [600.0, 30.0],
    ...                          "pop_11_17": [700.0, 35.0]}, index=["46042", "46046"])
    >>> facilities = pd.DataFrame({"kind": ["alsh", "alsh"], "capacity": [120.0, 20.0],
    ...                            "commune_code": ["46042", "46046"]})
    >>> result = CapacityResult(
    ...     "alsh", "ALSH, 3 à 11 ans",
    ...     by_commune=places_per_100_children(communes, facilities, "alsh"),
    ...     by_epci=places_per_100_children(communes, facilities, "alsh", by="epci"))
    >>> result.by_commune["places_per_100_children"].round(1).tolist(), result.fca_minutes
    ([10.9, 36.4], 20.0)
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

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage.analysis import coverage
    >>> nearest = pd.DataFrame({"minutes": [4.0, 12.0, 34.0],
    ...                         "destination": ["gc-fs-cahors"] * 3},
    ...                        index=["46042", "46046", "46102"])
    >>> inhabitants = pd.Series([19500.0, 458.0, 310.0], index=nearest.index)
    >>> result = AccessResult("france_services", nearest,
    ...                       coverage(nearest["minutes"], inhabitants, thresholds=(15, 30)))
    >>> result.coverage["share_within"].round(3).tolist()
    [0.985, 0.985]
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
    after_territory : Territory, optional
        Layers after the changes (facilities drawn on the scenario map).
    description : str
        What the scenario does (French).
    by_epci : DataFrame, optional
        Before/after by EPCI.

    Examples
    --------
    >>> import pandas as pd
    >>> before = pd.DataFrame({"places": [0.0], "children": [39.1],
    ...                        "places_per_100_children": [0.0]}, index=["46046"])
    >>> after = before.assign(places=20.0, places_per_100_children=100 * 20 / 39.1)
    >>> view = ScenarioView("Ouverture de l'ALSH de Calamane", "alsh", before, after,
    ...                     table=pd.DataFrame())
    >>> (view.after["places"] - view.before["places"]).tolist(), view.after_territory is None
    ([20.0], True)
    """

    name: str
    kind: str
    before: pd.DataFrame
    after: pd.DataFrame
    table: pd.DataFrame
    after_territory: Territory | None = None
    description: str = ""
    by_epci: pd.DataFrame | None = None


@dataclass
class Diagnostic:
    r"""Everything a coverage diagnostic reports on one territory.

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
    zones_blanches : DataFrame
        Communes beyond ``settings.zone_blanche_minutes`` of the nearest service with places
        (:func:`zones_blanches_by_kind`). Derived from ``access`` when not given.
    france_services : TargetCheck, optional
        The France services target (:func:`france_services_check`); None without France
        services access times. Derived from ``access`` when not given.
    equity : DataFrame
        Inequality of the 2SFCA accessibility by kind (:func:`equity_by_kind`). Derived
        from ``capacity`` when not given.
    origins : str
        Where travel times start from, in French (commune points, or the inhabited cells
        of the population grid weighted by children).

    Examples
    --------
    The pipeline (:func:`maillage.pipeline.build_diagnostic`) fills it; given access times, it
    derives its summary indicators itself. Here Calamane is 25 minutes from the nearest ALSH and
    34 minutes from a France services, every other commune of the Grand Cahors 8 and 12 minutes:

    >>> import pandas as pd
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> def nearest(minutes, calamane, site):
    ...     table = pd.DataFrame({"minutes": minutes, "destination": site},
    ...                          index=grand_cahors.communes.index)
    ...     table.loc["46046", "minutes"] = calamane
    ...     return table
    >>> access = [AccessResult("alsh", nearest(8.0, 25.0, "gc-alsh-catus"), pd.DataFrame()),
    ...           AccessResult("france_services", nearest(12.0, 34.0, "gc-fs-cahors"),
    ...                        pd.DataFrame())]
    >>> diag = Diagnostic(grand_cahors, "temps d'exemple", False, access=access)
    >>> diag.zones_blanches[["service", "name", "minutes", "population"]].round(1).to_numpy().tolist()
    [['alsh', 'Calamane', 25.0, 45.3]]
    >>> diag.france_services.text()
    'Objectif non atteint : 458 habitants (1,1\xa0%) dans 1 commune(s) à plus de 30 min.'
    """

    territory: Territory
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
    zones_blanches: pd.DataFrame | None = None
    france_services: TargetCheck | None = None
    equity: pd.DataFrame | None = None
    origins: str = "depuis le point représentatif de chaque commune"

    def __post_init__(self):
        communes = getattr(self.territory, "communes", None)
        if communes is None:
            return
        if self.zones_blanches is None:
            self.zones_blanches = zones_blanches_by_kind(
                self.access, communes, kinds=self.settings.kinds("capacity"),
                minutes=self.settings.zone_blanche_minutes)
        if self.france_services is None:
            self.france_services = france_services_check(
                self.access, communes, minutes=self.settings.france_services_minutes)
        if self.equity is None:
            self.equity = equity_by_kind(self.capacity)


def _by_code(communes: pd.DataFrame) -> pd.DataFrame:
    return communes.set_axis(communes.index.astype(str))


def zones_blanches_by_kind(access: list[AccessResult], communes: pd.DataFrame, *, kinds,
                           minutes: float) -> pd.DataFrame:
    """Communes beyond ``minutes`` of the nearest service of each of ``kinds``.

    Parameters
    ----------
    access : list of AccessResult
        Times to the nearest service, by kind.
    communes : DataFrame
        Communes (index = INSEE code) with ``name``, ``epci`` and the population columns.
    kinds : iterable of str
        Kinds listed (default in a diagnostic: the kinds with places, ALSH and EAJE).
    minutes : float
        Threshold, minutes (communes strictly beyond it are listed).

    Returns
    -------
    DataFrame
        ``service``, ``code``, ``name``, ``epci``, ``minutes`` (to the nearest, minutes),
        ``population`` (children of the service's ages, else inhabitants), by service then
        farthest first.
    """
    communes = _by_code(communes)
    kinds = set(kinds)
    rows = []
    for result in access:
        if result.kind not in kinds:
            continue
        people, _ = access_population(communes, result.kind)
        beyond = zones_blanches(result.nearest["minutes"].astype(float), minutes, communes,
                                people)
        # Published to 0.1 minute: a commune shown at « 20,0 » is not beyond 20 minutes.
        beyond = beyond[beyond["minutes"].astype(float).round(1) > minutes]
        for code, row in beyond.iterrows():
            rows.append({"service": result.kind, "code": str(code), "name": row.get("name", ""),
                         "epci": str(row.get("epci", "")), "minutes": float(row["minutes"]),
                         "population": float(row["population"])})
    table = pd.DataFrame(rows, columns=["service", "code", "name", "epci", "minutes",
                                        "population"])
    return table.sort_values(["service", "minutes", "code"], ascending=[True, False, True],
                             kind="mergesort").reset_index(drop=True)


def france_services_check(access: list[AccessResult], communes: pd.DataFrame, *,
                          minutes: float = DEFAULT_SETTINGS.france_services_minutes
                          ) -> TargetCheck | None:
    """The national target (every resident within ``minutes`` of a France services).

    Parameters
    ----------
    access : list of AccessResult
        Times to the nearest service, by kind (``france_services`` among them).
    communes : DataFrame
        Communes (index = INSEE code) with ``population``, ``name``, ``epci``.
    minutes : float
        The target, minutes (default 30).

    Returns
    -------
    maillage.analysis.coverage.TargetCheck or None
        None when there are no France services access times.
    """
    communes = _by_code(communes)
    for result in access:
        if result.kind == FRANCE_SERVICES:
            people, _ = access_population(communes, FRANCE_SERVICES)
            times = result.nearest["minutes"].astype(float)
            return france_services_target(times, people.reindex(times.index), communes,
                                          minutes=minutes)
    return None


def equity_by_kind(capacity: list[CapacityResult]) -> pd.DataFrame:
    """Inequality of the 2SFCA accessibility across communes, children-weighted, by kind.

    Parameters
    ----------
    capacity : list of CapacityResult
        Places per 100 children and 2SFCA accessibility, by kind.

    Returns
    -------
    DataFrame
        One row per kind with a 2SFCA: ``service``, ``gini`` (0–1), ``palma`` (ratio of the
        10 % best served to the 40 % least served; inf when the 40 % have no place),
        ``median`` (places per 100 children), ``share_below_median`` (share of children,
        0–1).
    """
    rows = []
    for result in capacity:
        if result.fca is None:
            continue
        children = result.by_commune["children"].astype(float)
        children = children.set_axis(result.by_commune.index.astype(str))
        fca = result.fca.dropna()
        if fca.empty:
            continue
        summary = equity_summary(fca, children.reindex(fca.index).fillna(0.0))
        rows.append({"service": result.kind, "gini": float(summary["gini"]),
                     "palma": float(summary["palma"]), "median": float(summary["median"]),
                     "share_below_median": float(summary["share_below_median"])})
    return pd.DataFrame(rows, columns=["service", "gini", "palma", "median",
                                       "share_below_median"])
