"""Which online sources answer from this machine, and what to do when one does not.

``maillage data check`` calls :func:`check_sources`: every online source a planner relies on
(commune contours and populations, INSEE ages and equipment base, the France services list,
the address geocoder, OpenStreetMap) is tried at once, each with a short timeout, so that the
whole check takes a few seconds and never hangs. Offline (``MAILLAGE_OFFLINE=1``) nothing is
tried and each source says so. Local sources (cache folder, ../shared/data) are reported too.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from maillage import settings

from .contours import GEO_API_EPCI_URL
from .filosofi_online import INSEE_PAGE
from .france_services import DATASET_SEARCH_URL

#: Seconds each online source gets (connection and first bytes).
DEFAULT_TIMEOUT = 4.0


@dataclass(frozen=True)
class Source:
    """An online source: what it gives maillage, where, and what to do without it (French)."""

    name: str
    url: str
    gives: str
    fix: str


@dataclass
class SourceCheck:
    """The answer of one source (French ``detail``; ``seconds`` of the attempt)."""

    source: Source
    ok: bool
    detail: str
    seconds: float = 0.0


#: The online sources, in the order a diagnostic uses them.
SOURCES = (
    Source("Contours et populations des communes", GEO_API_EPCI_URL.format(epci="200023737"),
           "contours des communes et population municipale (geo.api.gouv.fr)",
           "sans lui, le Lot garde ses contours et populations intégrés ; ailleurs, donner un "
           "fichier de contours (GeoJSON, GeoPackage) à maillage"),
    Source("Âges des enfants (INSEE)", INSEE_PAGE,
           "carroyage Filosofi 2021 200 m et recensement par âge (insee.fr)",
           "le Lot a ses effectifs par âge intégrés (Filosofi 2021) ; ailleurs, télécharger "
           "Filosofi2021_carreaux_200m_csv.zip sur insee.fr depuis un poste connecté, le "
           "placer dans le cache (filosofi/) ou le désigner par MAILLAGE_FILOSOFI_URL, puis "
           "fetch_cells"),
    Source("Base permanente des équipements (INSEE)",
           "https://www.insee.fr/fr/metadonnees/source/serie/s1161",
           "crèches, relais, accueils de loisirs, écoles recensés par l'INSEE",
           "le registre intégré des 4 CTG reste la source des équipements ; donner un fichier "
           "BPE téléchargé sur insee.fr avec bpe=FICHIER"),
    Source("Liste des France services (ANCT)", DATASET_SEARCH_URL,
           "liste nationale des France services (data.gouv.fr)",
           "télécharger la liste sur data.gouv.fr depuis un poste connecté, ou donner son "
           "adresse CSV dans MAILLAGE_FRANCE_SERVICES_URL"),
    Source("Géocodeur (Base Adresse Nationale)",
           "https://api-adresse.data.gouv.fr/search/?q=Cahors&limit=1",
           "coordonnées des adresses des équipements (api-adresse.data.gouv.fr)",
           "les équipements sans coordonnées restent au point de leur commune "
           "(location_precision = commune) : donner lat/lon dans le fichier"),
    Source("OpenStreetMap (Overpass)", "https://overpass-api.de/api/status",
           "réseau routier pour les temps de trajet (maillage network fetch)",
           "donner un extrait .osm.pbf (Geofabrik) ou un GraphML avec --network ; sinon les "
           "temps sont estimés à vol d'oiseau"),
)


def _is_local(source: Source) -> bool:
    return urllib.parse.urlsplit(source.url).scheme.lower() == "file"


def _try_file(source: Source) -> SourceCheck:
    """A ``file://`` source: the file must exist and be readable (nothing is downloaded)."""
    parts = urllib.parse.urlsplit(source.url)
    if parts.netloc not in ("", "localhost"):
        return SourceCheck(source, False, f"fichier sur une autre machine ({parts.netloc}) : "
                                          f"donner un chemin local (file:///chemin/du/fichier)")
    path = Path(urllib.request.url2pathname(parts.path))
    if not path.exists():
        return SourceCheck(source, False, f"fichier local absent : {path}")
    if not path.is_file():
        return SourceCheck(source, False, f"n'est pas un fichier : {path}")
    try:
        with path.open("rb") as stream:
            stream.read(1)
    except OSError as exc:
        return SourceCheck(source, False,
                           f"fichier local illisible : {path} ({exc.strerror or exc})")
    return SourceCheck(source, True, f"fichier local lisible : {path}")


def _try(source: Source, timeout: float) -> SourceCheck:
    if _is_local(source):
        return _try_file(source)
    start = time.perf_counter()
    request = urllib.request.Request(source.url, headers={"User-Agent": "maillage data check"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            status = getattr(response, "status", None) or 200
    except urllib.error.HTTPError as exc:
        return SourceCheck(source, False, f"le serveur répond « {exc.code} »",
                           time.perf_counter() - start)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return SourceCheck(source, False, f"injoignable ({reason})", time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    if status >= 400:
        return SourceCheck(source, False, f"le serveur répond « {status} »", elapsed)
    return SourceCheck(source, True, f"accessible ({elapsed:.1f} s)".replace(".", ","), elapsed)


def check_sources(timeout: float = DEFAULT_TIMEOUT, *, offline: bool | None = None,
                  sources=SOURCES) -> list[SourceCheck]:
    """Try every online source at once, each for at most ``timeout`` seconds.

    A source given as a ``file://`` URL (a file downloaded beforehand) is a local file: it is
    checked by existence and readability, never downloaded.

    Parameters
    ----------
    timeout : float
        Seconds per source (connection and first bytes); the whole check takes about as
        long, since the sources are tried in parallel.
    offline : bool, optional
        Do not touch the network (default: ``maillage.settings.offline()``).
    sources : sequence of Source
        The sources to try (default :data:`SOURCES`).

    Returns
    -------
    list of SourceCheck
        One per source, in order; ``ok`` False with a French ``detail`` when it did not
        answer, and ``source.fix`` says what to do.

    Examples
    --------
    Offline, no online source is tried (``file://`` sources, local files, are still checked
    for existence and readability); a source that does not answer is reported with the
    reason:

    >>> [check.detail for check in check_sources(offline=True)][:1]
    ['non essayé : mode hors ligne (MAILLAGE_OFFLINE=1)']
    >>> closed = Source("Port fermé", "http://127.0.0.1:9/", "rien", "aucune")
    >>> [(check.ok, check.detail) for check in check_sources(1.0, offline=False,
    ...                                                      sources=[closed])]
    [(False, 'injoignable (...)')]
    """
    offline = settings.offline() if offline is None else offline
    if offline:
        return [_try_file(s) if _is_local(s) else
                SourceCheck(s, False, "non essayé : mode hors ligne (MAILLAGE_OFFLINE=1)")
                for s in sources]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(sources)))
    futures = [pool.submit(_try, s, timeout) for s in sources]
    concurrent.futures.wait(futures, timeout=timeout + 1.0)
    results = []
    for source, future in zip(sources, futures):
        if future.done():
            results.append(future.result())
        else:
            results.append(SourceCheck(source, False, f"pas de réponse en {timeout:g} s",
                                       timeout))
    pool.shutdown(wait=False, cancel_futures=True)
    return results


def local_sources() -> list[tuple[str, bool, str]]:
    """Local sources: (French name, available, French detail)."""
    rows = []
    cache = settings.cache_dir()
    writable = cache.is_dir() and os.access(cache, os.W_OK) or (
        not cache.exists() and os.access(_existing_parent(cache), os.W_OK))
    rows.append(("Cache des téléchargements", writable,
                 f"{cache} " + ("(accessible en écriture)" if writable else
                                "(non accessible en écriture : définir MAILLAGE_CACHE)")))
    shared = settings.shared_data_dir()
    rows.append(("Données partagées (../shared/data)", shared is not None,
                 str(shared) if shared is not None else
                 "absentes : maillage utilise les données intégrées du Lot"))
    rows.append(("Mode hors ligne", not settings.offline(),
                 "MAILLAGE_OFFLINE=1 : aucun téléchargement" if settings.offline() else
                 "téléchargements autorisés"))
    return rows


def _existing_parent(path):
    for parent in path.parents:
        if parent.exists():
            return parent
    return path.anchor
