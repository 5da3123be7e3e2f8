"""The service kinds maillage knows, in one registry: one entry per kind, read by every layer.

A kind of family service (``alsh``, ``eaje``, ``rpe``, ``france_services`` …) is described
once, by a :class:`ServiceKind` in :data:`SERVICE_KINDS`: its French names, its colour and
icon on maps, whether a facility of that kind must give its places, the ages it serves, the
children (commune columns) its indicators count, and which sections of a diagnostic report
it appears in. The facility loader, the scenario files, the capacity indicators, the
pipeline, the maps and the report all read this registry; adding a kind is adding one entry
(:func:`register`).

Ages follow ONE convention everywhere in maillage: a range of years is **half-open**,
``(start, end)`` = ``[start, end)`` = from the ``start``-th birthday up to (not including)
the ``end``-th birthday. "De 3 à 11 ans" (3-year-olds to 11-year-olds) is ``(3, 12)``; the
census band ``pop_0_2`` (children aged 0, 1 and 2) is ``(0, 3)``. A facility's ``age_min`` /
``age_max`` columns are read the same way (``"de 3 à 12 ans"`` = ``[3, 12)``). The children
counted for "3 à 11 ans" are therefore ``pop_3_5 + pop_6_10 + pop_11`` (ages 3 to 11
inclusive: the 11-year-olds are :data:`YEAR_BANDS` ``pop_11``, 1/7 of the census band 11–17).

This module is a base module (like :mod:`maillage.errors`): it imports nothing from maillage,
so that layers, geo, analysis and maps can all read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

__all__ = [
    "AGE_SPLITS", "CHILDREN_COLUMNS", "POPULATION_BANDS", "SERVICE_KINDS", "YEAR_BANDS",
    "AgeBand", "ServiceKind", "age_text", "counted_kinds", "indicator_bands", "kind_color",
    "kind_label", "kinds_where", "register", "service_kind", "with_year_bands",
]

#: Census age bands of the communes layer: column → ages served, years, ``[start, end)``.
#: They do not overlap and add up to the children aged 0 to 17.
POPULATION_BANDS: dict[str, tuple[int, int]] = {
    "pop_0_2": (0, 3), "pop_3_5": (3, 6), "pop_6_10": (6, 11), "pop_11_17": (11, 18)}

#: Single years split off a census band, for the CAF bands that cut one: column → (ages,
#: years ``[start, end)``; the census band it is part of; its share of that band). The CAF's
#: « 3 à 11 ans » (ALSH, ALAE) includes the 11-year-olds, who sit in the census band 11–17:
#: children are spread evenly over the years of a band, so age 11 is 1/7 of 11–17. A year
#: column is *part of* its band, never added to it.
YEAR_BANDS: dict[str, tuple[tuple[int, int], str, float]] = {
    "pop_11": ((11, 12), "pop_11_17", 1 / 7)}

#: Every children column of the communes layer → ages, years, ``[start, end)``.
CHILDREN_COLUMNS: dict[str, tuple[int, int]] = {
    **POPULATION_BANDS, **{column: ages for column, (ages, _, _) in YEAR_BANDS.items()}}


def with_year_bands(frame):
    """``frame`` with the :data:`YEAR_BANDS` columns it lacks, derived from their band.

    Parameters
    ----------
    frame : DataFrame
        Communes (or origins) with the census band columns (children).

    Returns
    -------
    DataFrame
        ``frame`` itself when nothing is missing, else a copy with, e.g., ``pop_11`` =
        ``pop_11_17`` × 1/7 (children aged 11).
    """
    missing = {column: (band, share) for column, (_, band, share) in YEAR_BANDS.items()
               if column not in frame.columns and band in frame.columns}
    if not missing:
        return frame
    return frame.assign(**{column: frame[band].astype(float) * share
                           for column, (band, share) in missing.items()})

#: Colour of a kind missing from the registry (maps, figures).
UNKNOWN_COLOR = "#444444"


@dataclass(frozen=True)
class AgeBand:
    """Which places count over which children (an indicator of places per 100 children).

    Attributes
    ----------
    kinds : tuple of str
        Facility kinds whose ``capacity`` counts (e.g. ``("eaje", "mam")``).
    children : tuple of str
        Commune columns summed as the children served (e.g. ``("pop_3_5", "pop_6_10")``).
    ages : tuple of float
        Ages served, years, ``[start, end)`` (``(3, 12)`` = from the 3rd to the 12th birthday).
    label : str
        French label for tables.
    commune_places : str or None
        Commune column of extra places when present (assistantes maternelles' places).
    """

    kinds: tuple[str, ...]
    children: tuple[str, ...]
    ages: tuple[float, float]
    label: str
    commune_places: str | None = None


@dataclass(frozen=True)
class ServiceKind:
    """One kind of family service and everything maillage does with it.

    Attributes
    ----------
    key : str
        Identifier, as in ``facilities.kind`` (``"alsh"``).
    name : str
        Full French name, lower case (``"accueil de loisirs sans hébergement"``).
    label : str
        French label on maps and in reports (``"Accueil de loisirs (ALSH)"``).
    color : str
        Hex colour of its markers and isochrones (colour-blind safe palette).
    icon : str
        Font Awesome icon name (web app, marker icons).
    article : str
        French indefinite article of the key, for messages (``"un"`` alsh, ``"une"`` mam).
    capacity : str
        ``"required"`` (places must be given: a facility file without them is an error),
        ``"optional"`` or ``"none"`` (the kind has no places: places given are ignored).
    ages : tuple of float, optional
        Ages served, years, ``[start, end)``; None when the kind serves everyone.
    population : tuple of str
        Commune columns of the people counted for its access and coverage (children of the
        ages served); empty: all inhabitants (``population``).
    population_label : str
        Who ``population`` is, French (``"enfants de 3 à 11 ans"``, ``"habitants"``).
    counted_with : tuple of str
        Other kinds whose places and sites count together with this one (``eaje`` with
        ``mam`` and assistantes maternelles: the CAF "taux de couverture").
    commune_places : str, optional
        Commune column of extra places counted with the kind (``places_assmat``).
    indicator_label : str
        French label of its places-per-100-children indicator (``"ALSH (3-11 ans)"``);
        empty when the kind has no such indicator.
    report_places : bool
        The diagnostic computes places per 100 children and the 2SFCA accessibility.
    report_access : bool
        The diagnostic maps the time from every commune to the nearest service.
    report_presence : bool
        The diagnostic reports presence at itinerant stops (days per month within reach).
    report_isochrones : bool
        The diagnostic draws isochrones around its fixed sites (road network only).
    """

    key: str
    name: str
    label: str
    color: str
    icon: str = "circle"
    article: str = "un"
    capacity: str = "optional"
    ages: tuple[float, float] | None = None
    population: tuple[str, ...] = ()
    population_label: str = "habitants"
    counted_with: tuple[str, ...] = ()
    commune_places: str | None = None
    indicator_label: str = ""
    report_places: bool = False
    report_access: bool = False
    report_presence: bool = False
    report_isochrones: bool = False

    def __post_init__(self):
        if self.capacity not in ("required", "optional", "none"):
            raise ValueError(f"capacity of {self.key!r} must be required, optional or none")
        if self.indicator_label and (self.ages is None or not self.population):
            raise ValueError(f"{self.key!r}: an indicator needs ages and population columns")
        if self.ages is not None and not self.ages[0] < self.ages[1]:
            raise ValueError(f"{self.key!r}: ages must be [start, end) with start < end")

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kind itself and the kinds counted with it."""
        return (self.key, *self.counted_with)

    @property
    def band(self) -> AgeBand | None:
        """Its places-per-100-children indicator, or None."""
        if not self.indicator_label:
            return None
        return AgeBand(self.kinds, self.population, self.ages, self.indicator_label,
                       commune_places=self.commune_places)


def _kind(key, name, label, color, icon, **fields) -> ServiceKind:
    return ServiceKind(key, name, label, color, icon, **fields)


_CHILDREN_3_11 = {"ages": (3, 12), "population": ("pop_3_5", "pop_6_10", "pop_11"),
                  "population_label": "enfants de 3 à 11 ans"}
_CHILDREN_0_2 = {"ages": (0, 3), "population": ("pop_0_2",),
                 "population_label": "enfants de 0 à 2 ans"}

#: The registry: kind key → :class:`ServiceKind`, in the order lists and menus show them.
#: Colours: Okabe-Ito palette (colour-blind safe), then greys.
SERVICE_KINDS: dict[str, ServiceKind] = {k.key: k for k in (
    _kind("alsh", "accueil de loisirs sans hébergement", "Accueil de loisirs (ALSH)",
          "#D55E00", "child", capacity="required", **_CHILDREN_3_11,
          indicator_label="ALSH (3-11 ans)", report_places=True, report_access=True,
          report_isochrones=True),
    _kind("alae", "accueil de loisirs associé à l'école", "Accueil périscolaire (ALAE)",
          "#E69F00", "school", **_CHILDREN_3_11,
          indicator_label="Accueil périscolaire (3-11 ans)"),
    _kind("eaje", "établissement d'accueil du jeune enfant", "Crèche (EAJE)", "#0072B2",
          "baby", capacity="required", **_CHILDREN_0_2,
          counted_with=("mam", "assistante_maternelle"), commune_places="places_assmat",
          indicator_label="Accueil du jeune enfant (0-2 ans)", report_places=True,
          report_access=True, report_isochrones=True),
    _kind("mam", "maison d'assistants maternels", "Maison d'assistants maternels (MAM)",
          "#56B4E9", "baby-carriage", article="une", capacity="required", **_CHILDREN_0_2),
    _kind("rpe", "relais petite enfance", "Relais petite enfance (RPE)", "#009E73",
          "people-roof", capacity="none", **_CHILDREN_0_2, report_access=True,
          report_presence=True),
    _kind("laep", "lieu d'accueil enfants-parents", "Lieu d'accueil enfants-parents (LAEP)",
          "#F0E442", "hands-holding-child"),
    _kind("france_services", "France services", "France services", "#CC79A7", "landmark",
          capacity="none", report_access=True, report_presence=True, report_isochrones=True),
    _kind("centre_social", "centre social", "Centre social", "#7F4F24", "house-user"),
    _kind("evs", "espace de vie sociale", "Espace de vie sociale (EVS)", "#999999", "users"),
    _kind("point_justice", "point justice", "Point justice", "#555555", "scale-balanced"),
    _kind("accueil_jeunes", "accueil jeunes", "Accueil jeunes", "#332288", "person-running"),
    # Known from the BPE (no places): shown on maps and in the list of facilities, not
    # counted in places per 100 children. PMI consultations are also held in permanences the
    # BPE does not list, so no access section by default (DiagnosticSettings.access_kinds).
    _kind("pmi", "protection maternelle et infantile", "Protection maternelle et infantile "
          "(PMI)", "#88CCEE", "stethoscope", article="une", capacity="none", ages=(0, 6),
          population=("pop_0_2", "pop_3_5"), population_label="enfants de 0 à 5 ans"),
    # Schools are where the children of 3 to 10 are on school days (ALAE, transport to the
    # ALSH on Wednesdays): context on maps, no places.
    _kind("ecole", "école maternelle ou élémentaire", "École (maternelle, élémentaire)",
          "#AA4499", "school-flag", article="une", capacity="none", ages=(3, 11),
          population=("pop_3_5", "pop_6_10"), population_label="enfants de 3 à 10 ans"),
)}

#: Indicators splitting a kind's ages (not kinds of their own): the age groups DREES reports
#: ALSH places in (the 11–17 census band stands for 12–17).
AGE_SPLITS: dict[str, AgeBand] = {
    "alsh_moins_6": AgeBand(("alsh",), ("pop_3_5",), (3, 6), "ALSH (moins de 6 ans)"),
    "alsh_6_11": AgeBand(("alsh",), ("pop_6_10", "pop_11"), (6, 12), "ALSH (6-11 ans)"),
    "alsh_12_17": AgeBand(("alsh", "accueil_jeunes"), ("pop_11_17",), (12, 18),
                          "ALSH et accueils jeunes (12-17 ans)"),
}


def register(kind: ServiceKind, *, replace: bool = False) -> ServiceKind:
    """Add a kind to the registry (every part of maillage reads it from then on).

    Parameters
    ----------
    kind : ServiceKind
        The new kind.
    replace : bool
        Allow replacing a kind of the same key.

    Returns
    -------
    ServiceKind
        ``kind``.
    """
    if kind.key in SERVICE_KINDS and not replace:
        raise ValueError(f"kind {kind.key!r} is already registered")
    SERVICE_KINDS[kind.key] = kind
    return kind


def service_kind(key: str) -> ServiceKind | None:
    """The registry entry of ``key``, or None for a kind maillage does not know."""
    return SERVICE_KINDS.get(str(key))


def kind_label(key: str) -> str:
    """French label of a kind (``"alsh"`` → ``"Accueil de loisirs (ALSH)"``); unknown kinds
    are shown as given."""
    kind = service_kind(key)
    return kind.label if kind else str(key)


def kind_color(key: str) -> str:
    """Hex colour of a kind on every map and figure (grey for an unknown kind)."""
    kind = service_kind(key)
    return kind.color if kind else UNKNOWN_COLOR


def counted_kinds(key: str) -> tuple[str, ...]:
    """Kinds whose sites and places count for ``key`` (``"eaje"`` → eaje, mam, assmat).

    An indicator of :data:`AGE_SPLITS` gives its band's kinds; an unknown key gives itself.
    """
    kind = service_kind(key)
    if kind is not None:
        return kind.kinds
    if key in AGE_SPLITS:
        return AGE_SPLITS[key].kinds
    return (str(key),)


def kinds_where(predicate: Callable[[ServiceKind], bool] | str) -> tuple[str, ...]:
    """Keys of the kinds satisfying ``predicate`` (a callable, or a boolean field name such
    as ``"report_access"``), in registry order."""
    test = (lambda k: bool(getattr(k, predicate))) if isinstance(predicate, str) else predicate
    return tuple(key for key, kind in SERVICE_KINDS.items() if test(kind))


def indicator_bands() -> dict[str, AgeBand]:
    """Every places-per-100-children indicator: the kinds' bands, then :data:`AGE_SPLITS`."""
    bands = {key: kind.band for key, kind in SERVICE_KINDS.items() if kind.band is not None}
    return {**bands, **AGE_SPLITS}


def age_text(ages: tuple[float, float]) -> str:
    """``(3, 12)`` (half-open years) → ``"3 à 11 ans"`` (the last whole year served)."""
    start, end = ages
    return f"{start:g} à {end - 1:g} ans"


class RegistryView(Mapping):
    """A read-only mapping recomputed from the registry at each use (old public names)."""

    def __init__(self, build: Callable[[], Mapping]):
        self._build = build

    def __getitem__(self, key):
        return self._build()[key]

    def __iter__(self) -> Iterator:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._build())!r})"


class RegistrySet(AbstractSet):
    """A read-only set of kind keys recomputed from the registry at each use."""

    def __init__(self, build: Callable[[], tuple[str, ...]]):
        self._build = build

    def __contains__(self, key) -> bool:
        return key in self._build()

    def __iter__(self) -> Iterator:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({set(self._build())!r})"
