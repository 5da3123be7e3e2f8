"""The national list of France services (ANCT, data.gouv.fr) as facilities.

Columns read: ``id_fs``, ``lib_fs``, ``adresse``, ``insee_com``, ``code_postal``, ``lib_com``,
``latitude``, ``longitude``, ``h_lundi`` … ``h_samedi``, ``format_fs`` (Fixe, Bus_équivalent,
Itinérante, Multisites…), ``groupe_fs``, ``labellisation_fs``. Buses and itinerant services
(``format_fs`` = Bus_équivalent or Itinérante) are flagged ``itinerant`` at their base: the list
does not give their stops.
"""

from __future__ import annotations

import re

import json
import os
import urllib.request

import pandas as pd

from maillage import settings
from maillage.atomic import write_bytes
from maillage.errors import InputError

from .communes import load_communes
from .facilities import validate_facilities
from .report import LayerSource, ValidationReport
from .tables import ROW, display_name, normalize_header, read_any

#: data.gouv.fr dataset search used to find the ANCT list (the first CSV resource of the first
#: dataset found is downloaded); ``$MAILLAGE_FRANCE_SERVICES_URL`` gives a CSV URL directly.
DATASET_SEARCH_URL = ("https://www.data.gouv.fr/api/1/datasets/"
                      "?q=liste+des+structures+france+services&page_size=1")
ITINERANT_FORMATS = {"bus_equivalent", "itinerante"}
VINTAGE = "liste ANCT du 1er août 2024"


def _subtype(format_fs: str) -> str:
    key = normalize_header(format_fs)
    return {"bus_equivalent": "bus", "itinerante": "itinérante"}.get(key, format_fs.lower())


def _canonical(frame, file: str, report):
    """ANCT columns -> facility columns (text cells) with the same ``_row``."""
    required = ["id_fs", "lib_fs", "insee_com", "latitude", "longitude", "format_fs"]
    for column in required:
        if column not in frame.columns:
            report.error(f"colonne {column} absente : ce n'est pas la liste ANCT des France "
                         "services", file=file, row=1, column=column,
                         fix="utiliser le fichier de data.gouv.fr « Liste des structures "
                         "France services »")
    report.raise_if_errors()

    def get(column):
        return frame[column] if column in frame.columns else pd.Series("", index=frame.index)

    labels = get("labellisation_fs").fillna("")
    address = [", ".join(p for p in (a, f"{cp} {com}".strip()) if p)
               for a, cp, com in zip(get("adresse"), get("code_postal"), get("lib_com"))]
    opening = ["semaine;samedi" if str(sat).strip() else "semaine" for sat in get("h_samedi")]
    return pd.DataFrame({
        "id": "fs-" + frame["id_fs"].astype(str),
        "name": frame["lib_fs"], "kind": "france_services",
        "subtype": [_subtype(f) for f in frame["format_fs"]],
        "commune_code": frame["insee_com"], "address": address,
        "lat": frame["latitude"], "lon": frame["longitude"],
        "operator": get("groupe_fs"), "opening": opening,
        "valid_from": [(re.search(r"\d{2}/\d{2}/\d{4}", str(t)) or [""])[0] for t in labels],
        "itinerant": ["oui" if normalize_header(f) in ITINERANT_FORMATS else "non"
                      for f in frame["format_fs"]],
        "source": [f"ANCT France services ({VINTAGE}), id_fs {i}" for i in frame["id_fs"]],
        ROW: frame[ROW]})


def _download(target) -> str:
    """Download the ANCT CSV from data.gouv.fr into ``target``; return its URL."""
    url = os.environ.get("MAILLAGE_FRANCE_SERVICES_URL")
    if not url:
        with urllib.request.urlopen(DATASET_SEARCH_URL, timeout=30) as response:
            dataset = json.load(response)["data"][0]
        url = next(r["url"] for r in dataset["resources"] if r.get("format", "").lower() == "csv")
    with urllib.request.urlopen(url, timeout=60) as response:
        write_bytes(target, response.read())
    return url


def _resolve(path, offline, report):
    """The file to read and its LayerSource: user file → cache → shared data → online."""
    if path is not None:
        return path, LayerSource("fichier utilisateur", display_name(path), "", "")
    cached = settings.cache_dir() / "data.gouv.fr" / "liste-france-services.csv"
    if cached.is_file():
        return cached, LayerSource("cache", str(cached), "", "Licence Ouverte 2.0")
    shared = settings.shared_data_dir()
    if shared is not None and (shared / "france_services" / "liste-fs-20240801.csv").is_file():
        return (shared / "france_services" / "liste-fs-20240801.csv",
                LayerSource("données partagées", "liste ANCT des France services "
                            "(../shared/data)", VINTAGE, "Licence Ouverte 2.0"))
    if not (settings.offline() if offline is None else offline):
        try:
            url = _download(cached)
            return cached, LayerSource("en ligne", f"{url} (mis en cache)", "",
                                       "Licence Ouverte 2.0")
        except (OSError, ValueError, KeyError, IndexError, StopIteration) as exc:
            report.add("info", f"liste des France services non téléchargée ({exc})")
    raise InputError("liste des France services introuvable hors ligne",
                     fix="donner le fichier CSV de data.gouv.fr (liste des structures France "
                     "services) ou se connecter à internet")


def load_france_services(path=None, *, departement: str | None = "46", communes=None,
                         offline=None, report=None):
    r"""Load France services sites from the ANCT national list (CSV).

    Parameters
    ----------
    path : str or Path, optional
        The ANCT CSV (national or already filtered). Default: cache, then ../shared/data,
        then data.gouv.fr (cached).
    departement : str or None
        Keep the rows of this département (``insee_dep`` or the first two digits of
        ``insee_com``); None keeps every row.
    communes : GeoDataFrame, optional
        Territory communes (default: embedded Lot).
    offline : bool, optional
        Forbid the download (default: ``maillage.settings.offline()``).
    report : ValidationReport, optional
        Receives what loading changed.

    Returns
    -------
    GeoDataFrame
        Facilities schema (``kind`` = "france_services", ``itinerant`` True for buses and
        itinerant services, ``subtype`` "bus"/"itinérante"/"fixe"…); ``attrs["report"]``,
        ``attrs["source"]``.

    Examples
    --------
    Two rows of the ANCT list (a site and a bus), read from a file:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes
    >>> from maillage.layers.communes import points_layer
    >>> rows = ("id_fs;lib_fs;insee_com;latitude;longitude;format_fs\n"
    ...         "101;France services de Catus;46064;44.5578;1.3337;Fixe\n"
    ...         "102;Bus France services du Grand Cahors;46042;44.4475;1.4410;Bus_équivalent\n")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "france-services.csv"
    ...     _ = path.write_text(rows, encoding="utf-8")
    ...     sites = load_france_services(path, communes=points_layer(embedded_communes()))
    >>> sites[["kind", "subtype", "commune_code", "itinerant"]].to_numpy().tolist()
    [['france_services', 'fixe', '46064', False], ['france_services', 'bus', '46042', True]]
    >>> sites.index.tolist()
    ['fs-101', 'fs-102']
    """
    report = ValidationReport() if report is None else report
    resolved, source = _resolve(path, offline, report)
    file = display_name(resolved)
    frame = read_any(resolved, report)
    if departement is not None and "insee_com" in frame.columns:
        dep = frame["insee_dep"] if "insee_dep" in frame.columns else frame["insee_com"].str[:2]
        outside = int((dep != departement).sum())
        if outside:
            report.add("info", f"{outside} France services hors du département {departement} "
                       "non retenues", file=file)
        frame = frame[dep == departement]
    if communes is None:
        communes = load_communes(report=ValidationReport())
    facilities = validate_facilities(_canonical(frame, file, report), file, communes,
                                     report=report)
    facilities.attrs["source"] = source
    return facilities
