"""Siting inputs from a territory: children per commune, candidate sites, existing sites, times.

Candidates are the chef-lieu (representative point) of each commune by default, or a
planner's list (CSV: ``nom`` and either ``commune`` — INSEE code or name — or ``lat`` and
``lon`` in degrees). Existing sites are the facilities of the kind's age band in force.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from maillage.errors import InputError
from maillage.kinds import with_year_bands
from maillage.layers.report import ValidationReport
from maillage.layers.tables import ROW, blank, display_name, parse_number, read_any, \
    rename_columns
from maillage.settings import LAYER_CRS

from ..capacity import AGE_BANDS, counted_places


def fold(text) -> str:
    """Lower-case text without accents, hyphens or apostrophes (for matching names)."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace("-", " ").replace("'", " ").split())


def commune_candidates(communes: pd.DataFrame) -> gpd.GeoDataFrame:
    """One candidate site per commune, at its chef-lieu (representative point).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``candidat-<code>``; ``name``, ``commune_code``, ``geometry`` (EPSG:4326).
    """
    ids = "candidat-" + communes.index.astype(str)
    return gpd.GeoDataFrame(
        {"name": communes["name"].to_numpy(), "commune_code": communes.index.astype(str)},
        index=pd.Index(ids, name="site"),
        geometry=gpd.points_from_xy(communes["point_lon"], communes["point_lat"]),
        crs=LAYER_CRS,
    )


def _commune_of(value, communes: pd.DataFrame, path, row) -> str:
    text = str(value).strip()
    if text in communes.index:
        return text
    matches = communes.index[communes["name"].map(fold) == fold(text)]
    if len(matches) == 1:
        return str(matches[0])
    raise InputError(f"commune « {text} » introuvable dans le territoire", file=path, row=row,
                     column="commune", fix="donner le code INSEE ou le nom exact de la commune")


def _coordinate(value, path, row, column, low, high) -> float:
    try:
        number = parse_number(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise InputError(f"{column} « {value} » invalide", file=path, row=row, column=column,
                         fix=f"donner un nombre en degrés entre {low} et {high} (WGS84)")
    return float(number)


#: Candidate-file columns -> accepted headers (normalised; see ``rename_columns``).
CANDIDATE_ALIASES = {"nom": ("name", "site", "nom_du_site"),
                     "commune": ("code_insee", "insee", "code_commune", "codgeo"),
                     "lat": ("latitude",), "lon": ("longitude", "lng")}


def read_candidates(path, communes: pd.DataFrame) -> gpd.GeoDataFrame:
    r"""Read a planner's candidate sites (CSV or XLSX, read as every other layer's table).

    Columns: ``nom`` (required) and either ``commune`` (INSEE code or name: the site sits at
    the commune's chef-lieu) or ``lat`` and ``lon`` (degrees, WGS84). CSV files may be UTF-8
    (with or without BOM), UTF-16 or Windows-1252 (Excel), with ``;``, ``,`` or tab separators
    and decimal commas.

    Parameters
    ----------
    path : str or path-like
        The planner's file.
    communes : pandas.DataFrame
        Communes (index = code) with ``name`` and representative points (degrees).

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`commune_candidates`; index ``candidat-<n>`` in file order.

    Raises
    ------
    InputError
        Missing, empty, binary or unreadable file, missing column, empty name, unknown
        commune, bad coordinates (file, line, column).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes
    >>> communes = embedded_communes().set_index("code", drop=False)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "candidats.csv"
    ...     _ = path.write_text("nom;commune\nAncienne école;Calamane\n", encoding="utf-8")
    ...     sites = read_candidates(path, communes)
    >>> sites[["name", "commune_code"]].to_numpy().tolist()
    [['Ancienne école', '46046']]
    """
    report = ValidationReport()
    file = display_name(path)
    table = rename_columns(read_any(path, report), CANDIDATE_ALIASES, file, report)
    has_point = {"lat", "lon"} <= set(table.columns)
    if "nom" not in table.columns or not ("commune" in table.columns or has_point):
        raise InputError("colonnes attendues : « nom » et « commune », ou « nom », « lat », « lon »",
                         file=file, row=1, fix="ajouter ces colonnes dans la ligne d'en-tête")
    names, codes, lons, lats = [], [], [], []
    for record in table.to_dict("records"):
        row = record[ROW]
        if all(blank(v) for k, v in record.items() if k != ROW):
            continue  # a blank line (often the last one of an Excel export)
        name = record.get("nom")
        if blank(name):
            raise InputError("nom du site vide", file=file, row=row, column="nom",
                             fix="donner un nom à chaque site candidat")
        commune = record.get("commune")
        if has_point and not (blank(record.get("lat")) and blank(record.get("lon"))):
            lat = _coordinate(record["lat"], file, row, "lat", -90, 90)
            lon = _coordinate(record.get("lon"), file, row, "lon", -180, 180)
            code = None if blank(commune) else _commune_of(commune, communes, file, row)
        elif not blank(commune):
            code = _commune_of(commune, communes, file, row)
            lat, lon = communes.at[code, "point_lat"], communes.at[code, "point_lon"]
        else:
            raise InputError("ni commune ni coordonnées pour ce site", file=file, row=row,
                             column="commune", fix="renseigner la commune ou lat/lon")
        names.append(str(name).strip())
        codes.append(code)
        lons.append(lon)
        lats.append(lat)
    if not names:
        raise InputError("aucun site candidat (lignes vides)", file=file,
                         fix="ajouter au moins un site sous l'en-tête")
    return gpd.GeoDataFrame(
        {"name": names, "commune_code": codes},
        index=pd.Index([f"candidat-{k + 1}" for k in range(len(names))], name="site"),
        geometry=gpd.points_from_xy(lons, lats), crs=LAYER_CRS,
    )


@dataclass
class SitingInputs:
    """Everything the siting functions need for one kind of service on a territory.

    Attributes
    ----------
    demand : pandas.Series
        Children of the band per commune (index = INSEE code).
    cost : pandas.DataFrame
        Minutes from each commune's representative point to each site.
    existing : list
        Ids of the facilities of the band in force.
    candidates : list
        Ids of the candidate sites.
    capacity : pandas.Series or None
        Places per site (existing and candidates) when ``places`` was given.
    labels : pandas.Series
        Site id -> French label ("ALSH de Catus", "Calamane").
    communes : pandas.Series
        Site id -> INSEE code of its commune (None for a candidate given by lat/lon only).
    notes : list of str
        Assumptions the planner should read (French).
    site_points : geopandas.GeoSeries or None
        Site id -> point (EPSG:4326), existing sites then candidates.

    Examples
    --------
    The ALSH of the Grand Cahors: its 36 communes' children, its 5 centres in force before
    Calamane opens, every commune as a candidate; the inputs feed the models directly:

    >>> from maillage.analysis.siting import maximal_coverage
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> inputs = siting_inputs(grand_cahors, "alsh", timer=StraightLineTimer(), at="2025-03-31")
    >>> inputs.cost.shape, inputs.labels[inputs.existing[0]]
    ((36, 41), 'ALSH de Catus')
    >>> result = maximal_coverage(inputs.demand, inputs.cost, 10, 1, inputs.candidates,
    ...                           inputs.existing)
    >>> len(result.selected), result.covered_demand > 0
    (1, True)
    """

    demand: pd.Series
    cost: pd.DataFrame
    existing: list
    candidates: list
    capacity: pd.Series | None
    labels: pd.Series
    communes: pd.Series
    notes: list = field(default_factory=list)
    site_points: gpd.GeoSeries | None = None


def _existing_capacity(places: pd.Series, notes: list) -> pd.Series:
    unknown = places.index[places.isna()]
    if len(unknown) and places.notna().any():
        fill = float(places.median())
        notes.append(f"{len(unknown)} équipement(s) sans capacité connue comptés pour "
                     f"{fill:g} places (médiane) : {', '.join(map(str, unknown[:5]))}")
        return places.fillna(fill)
    if len(unknown):
        raise InputError("aucune capacité connue pour les équipements existants",
                         column="capacity", fix="renseigner les places dans le registre")
    return places


def siting_inputs(territory, kind: str = "alsh", *, timer, candidates=None,
                  places: float | None = None, at=None,
                  cutoff: float | None = None) -> SitingInputs:
    """Demand, costs (minutes), existing and candidate sites of ``kind`` on ``territory``.

    Parameters
    ----------
    territory : maillage.layers.Territory
        Communes (children by age band, representative points) and facilities.
    kind : str
        A key of :data:`maillage.analysis.capacity.AGE_BANDS` ("alsh": children 3–11 years,
        ``pop_3_5 + pop_6_10``; "eaje": ``pop_0_2``).
    timer : maillage.geo.Timer
        Source of travel times (minutes).
    candidates : geopandas.GeoDataFrame, optional
        Candidate sites (:func:`read_candidates`); default one per commune chef-lieu.
    places : float, optional
        Places of each new site (capacitated models); existing sites keep their capacity.
    at : date-like, optional
        Existing facilities in force at this date (default: today).
    cutoff : float, optional
        Bound of the travel-time searches, minutes: costs beyond it are ``inf``. Safe only
        for models that compare costs with a threshold ≤ ``cutoff`` (set cover); p-median,
        minutes saved and mean times need the whole costs (default: unbounded).

    Returns
    -------
    SitingInputs
        Children per commune, minutes communes × sites, existing and candidate site ids,
        places per site, French labels and notes.

    Examples
    --------
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> inputs = siting_inputs(grand_cahors, "alsh", timer=StraightLineTimer(), at="2025-03-31")
    >>> len(inputs.demand), len(inputs.existing), len(inputs.candidates)
    (36, 5, 36)
    """
    if kind not in AGE_BANDS:
        raise InputError(f"type de service « {kind} » inconnu", column="kind",
                         fix="choisir parmi " + ", ".join(AGE_BANDS))
    band = AGE_BANDS[kind]
    communes = with_year_bands(territory.communes)
    demand = communes[list(band.children)].astype(float).sum(axis=1).rename("children")
    demand.attrs["labels"] = communes["name"].astype(str).to_dict()
    sites = commune_candidates(communes) if candidates is None else candidates
    at = pd.Timestamp.today().normalize() if at is None else at
    existing_places = counted_places(territory.facilities, band, at=at)
    existing = territory.facilities.loc[existing_places.index]
    origins = gpd.GeoSeries(gpd.points_from_xy(communes["point_lon"], communes["point_lat"]),
                            index=communes.index, crs=LAYER_CRS)
    targets = pd.concat([existing.geometry.to_crs(LAYER_CRS), sites.geometry])
    cost = timer.matrix(origins, targets, cutoff=cutoff)
    cost.attrs["unit"] = "min"
    labels = pd.concat([existing["name"], sites["name"]]).astype(str)
    site_communes = pd.concat([existing["commune_code"], sites["commune_code"]])
    notes: list[str] = []
    capacity = None
    if places is not None:
        known = _existing_capacity(existing_places.astype(float), notes)
        capacity = pd.concat([known, pd.Series(float(places), index=sites.index)])
    if getattr(timer, "estimated", False):
        notes.append(f"temps estimés : {timer.description}")
    return SitingInputs(demand=demand, cost=cost, existing=list(existing.index),
                        candidates=list(sites.index), capacity=capacity, labels=labels,
                        communes=site_communes, notes=notes, site_points=targets)


def find_site(labels: pd.Series, candidates: list, query: str) -> str:
    """The candidate id whose label (or id, or commune code) matches ``query``.

    Parameters
    ----------
    labels : pandas.Series
        French label of each site, by site id.
    candidates : list
        The candidate site ids.
    query : str
        What the planner typed: a name (accents and case ignored), an id or a commune code.

    Returns
    -------
    str
        The matching candidate id.

    Raises
    ------
    InputError
        No candidate matches; the message suggests close names.

    Examples
    --------
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> grand_cahors = load_territory(epci="200023737", offline=True)
    >>> inputs = siting_inputs(grand_cahors, "alsh", timer=StraightLineTimer(), at="2025-03-31")
    >>> find_site(inputs.labels, inputs.candidates, "calamane")
    'candidat-46046'
    """
    wanted = fold(query)
    for site in candidates:
        if fold(labels.get(site, "")) == wanted or fold(site) == wanted or \
                fold(site) == fold(f"candidat-{query}"):
            return site
    import difflib

    close = difflib.get_close_matches(wanted, [fold(labels[s]) for s in candidates], n=3)
    hint = f" (proches : {', '.join(close)})" if close else ""
    raise InputError(f"site candidat « {query} » introuvable{hint}", column="--site",
                     fix="donner le nom d'une commune du territoire ou d'un site de la liste")


