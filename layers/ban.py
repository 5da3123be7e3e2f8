"""Geocoding of planners' addresses with the Base Adresse Nationale (BAN), batch CSV endpoint.

The addresses are sent once as a CSV (``id``, ``adresse``, ``citycode``) to the BAN's
``/search/csv/`` endpoint, which answers the same CSV with ``latitude``, ``longitude``,
``result_label``, ``result_score`` (0–1), ``result_type``, ``result_citycode``… appended. The
answer is cached under ``maillage.settings.cache_dir()/ban`` (key: the request's content), so
that a second run is offline. Offline without cache, or below the score threshold, or in
another commune than the one given, an address keeps its commune point
(``location_precision = "commune"``) and the report says why.
"""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error
import urllib.request
import uuid

import pandas as pd

from maillage import settings
from maillage.atomic import write_bytes
from maillage.errors import NetworkError
from maillage.formatting import fr_number

from .report import ValidationReport

#: The BAN batch endpoint (``$MAILLAGE_BAN_URL`` overrides it, e.g. for the Géoplateforme).
BAN_CSV_URL = "https://api-adresse.data.gouv.fr/search/csv/"
#: Results below this score (0–1) are not trusted: the commune point is kept.
MIN_SCORE = 0.6
RESULT_COLUMNS = ["id", "lon", "lat", "score", "label", "result_type", "location_precision"]


def _fr(value: float) -> str:
    """A score as French text with two decimals (0.6 → "0,60")."""
    return fr_number(value, 2)


def summary(results: pd.DataFrame, min_score: float = MIN_SCORE) -> str:
    """One French line: how many addresses were placed, at which scores, which fell back.

    Parameters
    ----------
    results : DataFrame
        :func:`geocode_addresses` results (index = id).
    min_score : float
        The threshold used (0–1).

    Returns
    -------
    str
        E.g. « géocodage BAN : 2 adresse(s) sur 4 placées (score ≥ 0,60 ; scores de 0,77 à
        0,89, médiane 0,83) ; 2 au point de leur commune : a, b ».
    """
    placed = results[results["location_precision"] == "adresse"]
    text = (f"géocodage BAN : {len(placed)} adresse(s) sur {len(results)} placées "
            f"(score ≥ {_fr(min_score)}")
    if len(placed):
        scores = placed["score"].astype(float)
        text += (f" ; scores de {_fr(scores.min())} à {_fr(scores.max())}, médiane "
                 f"{_fr(scores.median())}")
    text += ")"
    rest = results.index[results["location_precision"] != "adresse"]
    if len(rest):
        shown = ", ".join(map(str, rest[:10])) + (" …" if len(rest) > 10 else "")
        text += f" ; {len(rest)} au point de leur commune : {shown}"
    return text


def _request_body(table: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    table[["id", "adresse", "citycode"]].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _multipart(csv: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("columns", "adresse"), ("citycode", "citycode")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="data"; '
                 'filename="adresses.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                 + csv + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def cache_path(csv: bytes):
    """Cache file of the answer to a request body (content hash)."""
    return settings.cache_dir() / "ban" / f"{hashlib.sha256(csv).hexdigest()[:24]}.csv"


def fetch_ban(csv: bytes, *, timeout: float = 30.0):
    """Send a CSV of addresses to the BAN batch endpoint; cache and return the answer's path.

    Raises
    ------
    NetworkError
        Offline (``MAILLAGE_OFFLINE=1``) or when the service does not answer.
    """
    if settings.offline():
        raise NetworkError("mode hors ligne (MAILLAGE_OFFLINE=1) : géocodage impossible")
    url = os.environ.get("MAILLAGE_BAN_URL", BAN_CSV_URL)
    body, content_type = _multipart(csv)
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "User-Agent": "maillage"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read()
    except (OSError, ValueError) as exc:
        raise NetworkError(f"géocodeur {url} injoignable ({exc})") from None
    return write_bytes(cache_path(csv), answer)


def geocode_addresses(table: pd.DataFrame, *, min_score: float = MIN_SCORE, offline=None,
                      report: ValidationReport | None = None) -> pd.DataFrame:
    """Coordinates of addresses from the BAN, with their score.

    Parameters
    ----------
    table : DataFrame
        ``id``, ``adresse`` (text) and ``citycode`` (INSEE code of the commune, to keep the
        search inside it).
    min_score : float
        Results scored below (0–1) keep the commune point.
    offline : bool, optional
        Do not call the service; only the cache is read (default
        ``maillage.settings.offline()``).
    report : ValidationReport, optional
        Receives why an address keeps its commune point.

    Returns
    -------
    DataFrame
        Index ``id``: ``lon``, ``lat`` (degrees, NaN when not placed), ``score`` (0–1),
        ``label`` (the BAN's address), ``result_type``, ``location_precision``
        ("adresse" when placed, else "commune").

    Examples
    --------
    Offline and with nothing cached, every address keeps its commune point, and the report says
    so:

    >>> import pandas as pd
    >>> from maillage.layers import ValidationReport
    >>> table = pd.DataFrame({"id": ["alsh-calamane"], "adresse": ["Le Bourg, 46150 Calamane"],
    ...                       "citycode": ["46046"]})
    >>> report = ValidationReport()
    >>> placed = geocode_addresses(table, offline=True, report=report)
    >>> placed.loc["alsh-calamane", ["lon", "lat", "location_precision"]].tolist()
    [nan, nan, 'commune']
    >>> print(report.to_frame()["message"].iloc[0])
    géocodage BAN non fait (hors ligne, pas de cache) : 1 adresse(s) au point de leur commune
    """
    report = ValidationReport() if report is None else report
    table = table.assign(id=table["id"].astype(str),
                         adresse=table["adresse"].fillna("").astype(str).str.strip(),
                         citycode=table["citycode"].fillna("").astype(str))
    table = table[table["adresse"] != ""]
    out = pd.DataFrame(index=pd.Index(table["id"], name=None),
                       columns=RESULT_COLUMNS[1:]).assign(location_precision="commune")
    if table.empty:
        return out
    csv = _request_body(table)
    cached = cache_path(csv)
    offline = settings.offline() if offline is None else offline
    if cached.is_file():
        answer = cached
    elif offline:
        report.add("info", f"géocodage BAN non fait (hors ligne, pas de cache) : {len(table)} "
                   "adresse(s) au point de leur commune")
        return out
    else:
        try:
            answer = fetch_ban(csv)
        except NetworkError as exc:
            report.add("info", f"géocodage BAN non fait ({exc}) : {len(table)} adresse(s) au "
                       "point de leur commune")
            return out
    result = pd.read_csv(answer, dtype=str, keep_default_na=False).set_index("id")
    for fid, row in result.iterrows():
        if fid not in out.index:
            continue
        score = pd.to_numeric(row.get("result_score", ""), errors="coerce")
        lon = pd.to_numeric(row.get("longitude", ""), errors="coerce")
        lat = pd.to_numeric(row.get("latitude", ""), errors="coerce")
        out.loc[fid, ["score", "label", "result_type"]] = [
            score, row.get("result_label", ""), row.get("result_type", "")]
        wanted = table.loc[table["id"] == fid, "citycode"].iloc[0]
        city = row.get("result_citycode", "")
        status = str(row.get("result_status", "ok") or "ok")
        if status != "ok" or pd.isna(score) or pd.isna(lon) or pd.isna(lat):
            report.add("info", f"{fid} : adresse introuvable par la BAN, point de la commune")
        elif score < min_score:
            report.add("info", f"{fid} : géocodage BAN peu sûr (score {_fr(score)} < "
                       f"{_fr(min_score)}), point de la commune")
        elif wanted and city and city != wanted:
            report.add("info", f"{fid} : la BAN situe l'adresse dans la commune {city}, pas "
                       f"{wanted} : point de la commune")
        else:
            out.loc[fid, ["lon", "lat", "location_precision"]] = [lon, lat, "adresse"]
    out[["lon", "lat", "score"]] = out[["lon", "lat", "score"]].astype(float)
    report.add("info", summary(out, min_score))
    return out


def geocode_facilities(facilities, *, min_score: float = MIN_SCORE, offline=None,
                       report: ValidationReport | None = None):
    r"""Place at their address the facilities that sit at their commune point.

    Rows with ``location_precision = "commune"`` and an ``address`` are geocoded
    (:func:`geocode_addresses`); placed rows get ``lon``, ``lat``, ``geometry``,
    ``location_precision = "adresse"`` and their ``source`` names the BAN and the score. The
    others are unchanged.

    Parameters
    ----------
    facilities : GeoDataFrame
        Facilities schema (``address``, ``commune_code``, ``location_precision``).
    min_score : float
        Results scored below (0–1) keep the commune point.
    offline : bool, optional
        Only the cache is read (default ``maillage.settings.offline()``).
    report : ValidationReport, optional
        Receives what geocoding did.

    Returns
    -------
    GeoDataFrame
        A copy of ``facilities``; ``attrs["geocoding"]`` holds the results table.

    Examples
    --------
    Offline and with nothing cached, the facilities stay at their commune point:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes, load_facilities
    >>> from maillage.layers.communes import points_layer
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "alsh.csv"
    ...     _ = path.write_text("nom;type;commune;adresse;places\n"
    ...                         "ALSH de Calamane;alsh;46046;Le Bourg;20\n")
    ...     alsh = load_facilities(path, communes=points_layer(embedded_communes()))
    >>> placed = geocode_facilities(alsh, offline=True)
    >>> placed["location_precision"].tolist(), placed.attrs["geocoding"]["score"].tolist()
    (['commune'], [nan])
    """
    from shapely import Point

    report = ValidationReport() if report is None else report
    todo = facilities[(facilities["location_precision"] == "commune")
                      & facilities["address"].fillna("").astype(str).str.strip().ne("")]
    query = pd.DataFrame({"id": todo.index.astype(str), "adresse": todo["address"].to_numpy(),
                          "citycode": todo["commune_code"].astype(str).to_numpy()})
    results = geocode_addresses(query, min_score=min_score, offline=offline, report=report)
    out = facilities.copy()
    placed = results[results["location_precision"] == "adresse"]
    for fid, row in placed.iterrows():
        out.loc[fid, ["lon", "lat", "location_precision"]] = [row["lon"], row["lat"], "adresse"]
        out.loc[fid, "geometry"] = Point(row["lon"], row["lat"])
        score = f"{row['score']:.2f}".replace(".", ",")
        out.loc[fid, "source"] = f"{out.at[fid, 'source']} ; géocodé BAN (score {score})"
    out.attrs["geocoding"] = results
    return out
