"""A territory: its communes, facilities, itinerant stops, bus stops, and where they came from.

Source resolution is explicit and logged (logger ``maillage.layers``): user files → cache →
../shared/data when present → online fetch → embedded default. ``Territory.sources`` says which
one each layer came from and what could not be done offline.
"""

from __future__ import annotations

import importlib.resources
import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from maillage.errors import InputError

from maillage import settings

from .ban import geocode_facilities
from .ban import summary as ban_summary
from .bpe import load_bpe, merge_with_registry
from .communes import load_communes, restrict_to_epci
from .filosofi import is_cells_file, is_filosofi_file, read_cells, shared_file
from .facilities import FACILITY_COLUMNS, facilities_frame, load_facilities
from .gtfs import load_gtfs_stops
from .itinerant import STOP_COLUMNS, load_itinerant_stops
from .report import LayerSource, ValidationReport
from .tables import as_path

log = logging.getLogger("maillage.layers")

REGISTRY_VINTAGE = "documents CTG 2020-2025"
REGISTRY_LICENCE = "registre maillage (faits tirés des documents CTG publics)"
REGISTRY_CITATION = "documents CTG 2020-2025 des intercommunalités et de la CAF du Lot"


@dataclass
class Territory:
    """Layers of a territory (every layer in EPSG:4326; see docs/DESIGN.md for schemas).

    Attributes
    ----------
    name : str
        "Lot" or the name of the intercommunality.
    communes : geopandas.GeoDataFrame
        One row per current (COG 2026) commune: population (inhabitants), children by age
        band, representative point (degrees), contour where known.
    facilities : geopandas.GeoDataFrame
        Every service of the registry, fixed or itinerant (at its base), with its places.
    itinerant_stops : geopandas.GeoDataFrame
        Stops of the itinerant services (days per month at each stop).
    bus_stops : geopandas.GeoDataFrame or None
        GTFS bus stops (departures per weekday) when a feed was given.
    sources : dict of str to LayerSource
        Where each layer came from (file, cache, shared data, online, embedded).
    report : ValidationReport
        What loading repaired, converted, mapped or rejected.
    epcis : pandas.DataFrame
        Intercommunalities: code (SIREN), name, population, number of communes.

    Examples
    --------
    >>> lot = load_territory("lot", offline=True)
    >>> len(lot.communes), sorted(lot.epcis["code"])[:2]
    (312, ['200023737', '200035327'])
    """

    name: str
    communes: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    itinerant_stops: gpd.GeoDataFrame
    bus_stops: gpd.GeoDataFrame | None
    sources: dict[str, LayerSource]
    report: ValidationReport
    epcis: pd.DataFrame
    #: INSEE Filosofi 200 m cells of the communes (:func:`maillage.layers.filosofi.read_cells`)
    #: when a cells file is available: the travel-time origins where children live.
    cells: pd.DataFrame | None = None


def _embedded(name: str):
    resource = importlib.resources.files("maillage.data").joinpath(name)
    return resource if resource.is_file() else None


def _as_list(value):
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def _load_facilities(paths, communes, report, *, geocode=True, offline=None):
    if paths:
        frames = [load_facilities(p, communes=communes, report=report) for p in paths]
        names = ", ".join(Path(p).name for p in paths)
        source = LayerSource("fichier utilisateur", ", ".join(map(str, paths)),
                             citation=f"structures : {names}")
        facilities = pd.concat(frames) if len(frames) > 1 else frames[0]
        _refuse_duplicates(facilities, report)
        if geocode:
            facilities = geocode_facilities(facilities, offline=offline, report=report)
            results = facilities.attrs.pop("geocoding")
            if len(results):
                source = LayerSource("fichier utilisateur", f"{source.description} ; "
                                     f"{ban_summary(results)}",
                                     citation=f"{source.citation}, géocodage Base Adresse "
                                              "Nationale")
        return facilities[FACILITY_COLUMNS], source
    embedded = _embedded("facilities_lot.csv")
    if embedded is None:
        return facilities_frame([]), LayerSource("intégré", "aucun registre intégré",
                                                 missing="aucune structure : registre absent")
    with importlib.resources.as_file(embedded) as path:
        registry = load_facilities(path, communes=communes, require_capacity=False,
                                   report=report)
    return registry[FACILITY_COLUMNS], LayerSource(
        "intégré", "maillage.data/facilities_lot.csv (registre des 4 CTG)", REGISTRY_VINTAGE,
        REGISTRY_LICENCE, citation=REGISTRY_CITATION)


def _refuse_duplicates(facilities, report):
    duplicated = facilities.index[facilities.index.duplicated()].unique().tolist()
    if duplicated:
        report.error(f"identifiants en double entre fichiers : {', '.join(duplicated)}",
                     column="id", fix="donner des identifiants uniques dans tous les fichiers")
        report.raise_if_errors()


def _load_stops(path, communes, facilities, report, *, registry=True):
    if path is not None:
        stops = load_itinerant_stops(path, communes, facilities, report=report)
        return stops, LayerSource("fichier utilisateur", str(path))
    embedded = _embedded("itinerant_stops_lot.csv") if registry else None
    if embedded is None and not registry:
        empty = gpd.GeoDataFrame(columns=STOP_COLUMNS, geometry="geometry", crs="EPSG:4326")
        return empty, LayerSource("aucune", "arrêts itinérants du registre intégré non repris : "
                                  "les structures viennent d'un fichier utilisateur",
                                  missing="donner les arrêts des services itinérants "
                                          "(fichier d'arrêts) s'il y en a")
    if embedded is None:
        empty = gpd.GeoDataFrame(columns=STOP_COLUMNS, geometry="geometry", crs="EPSG:4326")
        return empty, LayerSource("intégré", "aucun arrêt itinérant intégré")
    with importlib.resources.as_file(embedded) as file:
        stops = load_itinerant_stops(file, communes, facilities, report=report)
    return stops, LayerSource("intégré", "maillage.data/itinerant_stops_lot.csv",
                              REGISTRY_VINTAGE, REGISTRY_LICENCE, citation=REGISTRY_CITATION)


def epci_table(communes):
    """Intercommunalities of a communes layer: ``code``, ``name``, ``population``
    (inhabitants), ``n_communes``, one row per EPCI, largest first."""
    table = communes.groupby(["epci", "epci_name"], as_index=False).agg(
        population=("population", "sum"), n_communes=("code", "count"))
    table = table.rename(columns={"epci": "code", "epci_name": "name"})
    return table.sort_values("population", ascending=False).reset_index(drop=True)


def load_territory(name: str = "lot", *, epci=None, facilities=None, communes=None, bpe=None,
                   itinerant=None, gtfs=None, ages=None, offline=None,
                   geocode: bool = True) -> Territory:
    """Load the layers of a territory: by default the Lot and its four CTG registries.

    Parameters
    ----------
    name : str
        "lot" (the 312 communes of the Lot), or the SIREN of one of its intercommunalities.
    epci : str, optional
        SIREN of an intercommunality to restrict to (e.g. "200023737", Grand Cahors). When
        ``name`` is already a SIREN, ``epci`` must be absent or the same SIREN.
    facilities : path or list of paths, optional
        Facility files replacing the embedded registry (see :func:`load_facilities`).
    communes : path, optional
        Commune contour file (geo.api.gouv.fr GeoJSON, GeoPackage, Shapefile).
    bpe : path, optional
        INSEE BPE file (``;``, Lambert-93): its family services that the facilities lack are
        added without places; default ``shared/data/equipements/bpe*.csv`` when present.
    itinerant : path, optional
        Itinerant stops file replacing the embedded one.
    gtfs : path, optional
        GTFS feed (zip or folder): fills ``bus_stops``.
    ages : path, optional
        INSEE Filosofi file (cells or per-commune) or INSEE RP population-by-age CSV
        replacing the embedded children.
    offline : bool, optional
        Forbid downloads (default: ``maillage.settings.offline()``).
    geocode : bool
        Place the facilities of ``facilities`` files that give an address but no coordinates
        at their address with the Base Adresse Nationale (:func:`maillage.layers.ban.
        geocode_facilities`: one batch request, cached; offline only the cache is read;
        below the score threshold the commune point is kept). The report and
        ``sources["facilities"]`` say how many were placed, at which scores, and which kept
        their commune point. The embedded registry is never geocoded.

    Returns
    -------
    Territory
        Communes (population in inhabitants, children per band), facilities (capacity in
        places), itinerant stops, bus stops (None without GTFS), sources, report, epcis.

    Raises
    ------
    InputError
        Unknown territory or intercommunality, a territory SIREN contradicted by ``epci``,
        or the first error of a user file.
    TypeError
        A file argument that is not a path (``str`` or ``pathlib.Path``).

    Examples
    --------
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> grand_cahors.name, len(grand_cahors.communes), str(grand_cahors.communes.crs)
    ('CA du Grand Cahors', 36, 'EPSG:4326')
    """
    for argument, value in (("communes", communes), ("itinerant", itinerant), ("gtfs", gtfs),
                            ("ages", ages), *(("facilities", f) for f in _as_list(facilities))):
        if value is not None:
            as_path(value, argument)  # TypeError now, not an AttributeError deep down
    key = str(name).strip().lower()
    if key != "lot":
        if not key.isdigit():
            raise InputError(f"territoire « {name} » inconnu", column="territoire",
                             fix="utiliser « lot » ou le SIREN d'une intercommunalité du Lot")
        if epci is not None and str(epci).strip() != key:
            raise InputError(f"territoire « {name} » et intercommunalité « {epci} » "
                             "contradictoires : le territoire est déjà une intercommunalité",
                             fix="donner soit le territoire « lot » et "
                             "l'intercommunalité (--epci), soit le seul SIREN du territoire")
        epci = key
    report = ValidationReport()
    all_communes = load_communes(communes, ages=ages, offline=offline, report=report)
    sources = {"communes": all_communes.attrs["source"]}
    facility_layer, sources["facilities"] = _load_facilities(
        _as_list(facilities), all_communes, report, geocode=geocode, offline=offline)
    facility_layer = _with_bpe(facility_layer, bpe, all_communes, sources, report)
    stops, sources["itinerant_stops"] = _load_stops(itinerant, all_communes, facility_layer,
                                                    report, registry=not facilities)
    bus_stops = None
    if gtfs is not None:
        bus_stops = load_gtfs_stops(gtfs, report=report)
        sources["bus_stops"] = LayerSource("fichier utilisateur", str(gtfs), crs="EPSG:4326")
    else:
        sources["bus_stops"] = LayerSource("aucune", "pas de flux GTFS fourni",
                                           missing="pas d'arrêts de bus (donner un flux GTFS)")
    cells, sources["cells"] = _load_cells(ages)
    title = "Lot"
    kept = all_communes
    if epci is not None:
        kept = all_communes.loc[restrict_to_epci(all_communes, epci).index]
        title = str(kept["epci_name"].iloc[0])
        facility_layer = facility_layer[facility_layer["epci"] == str(epci)]
        stops = stops[stops["service_id"].isin(facility_layer.index)]
    for layer, source in sources.items():
        log.info("couche %s : %s", layer, source)
    for attr_owner in (kept, facility_layer, stops):
        attr_owner.attrs.pop("report", None)
    if cells is not None:
        cells = cells[cells["commune"].isin(set(kept.index.astype(str)))].reset_index(drop=True)
    return Territory(name=title, communes=kept, facilities=facility_layer,
                     itinerant_stops=stops, bus_stops=bus_stops, sources=sources,
                     report=report, epcis=epci_table(kept), cells=cells)


def _with_bpe(facilities, path, communes, sources, report):
    """The facilities with those of an INSEE BPE file (``path``, else shared/data/equipements)
    that they lack; duplicates matched and reported (:func:`maillage.layers.bpe.merge_with_registry`)."""
    kind = "fichier utilisateur"
    if path is None:
        shared = settings.shared_data_dir()
        found = sorted((shared / "equipements").glob("bpe*.csv")) if shared is not None else []
        if not found:
            return facilities
        path, kind = found[0], "données partagées"
    layer = load_bpe(path, communes=communes, report=report)
    merged, matches = merge_with_registry(facilities, layer, report=report)
    sources["bpe"] = LayerSource(kind, f"INSEE Base permanente des équipements ({Path(path).name}) :"
                                 f" {len(layer)} équipement(s), {len(matches)} déjà au registre",
                                 "BPE", "INSEE, Licence Ouverte",
                                 missing="pas de nombre de places dans la BPE (« places inconnues »)",
                                 citation="INSEE Base permanente des équipements")
    return merged


def _load_cells(ages):
    """Filosofi 200 m cells (the ``ages`` file when it is a cells file, else shared/data)."""
    path = ages if ages is not None and is_filosofi_cells(ages) else None
    if path is None and ages is None:
        path = shared_file()
        path = path if path is not None and is_cells_file(path) else None
    if path is None:
        return None, LayerSource("aucune", "pas de carroyage Filosofi 200 m",
                                 missing="trajets depuis le point représentatif de chaque "
                                         "commune (pas de carroyage)")
    return read_cells(path), LayerSource(
        "fichier utilisateur" if ages is not None else "données partagées",
        f"INSEE Filosofi 2021, carroyage 200 m ({Path(path).name})", "Filosofi 2021",
        "INSEE, Licence Ouverte", crs="EPSG:3035", citation="INSEE Filosofi 2021")


def is_filosofi_cells(path) -> bool:
    """True when ``path`` is a Filosofi 200 m cells file (not per-commune sums, not RP)."""
    return is_filosofi_file(path) and is_cells_file(path)
