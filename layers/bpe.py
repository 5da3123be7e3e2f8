"""INSEE Base permanente des équipements (BPE): family services recorded nationally.

The BPE lists equipment by type (``TYPEQU``) with the commune (``DEPCOM``), Lambert-93
coordinates (``LAMBERT_X``, ``LAMBERT_Y``; ``EPSG`` 2154 in metropolitan France) and their
quality (``QUALITE_XY``: "Bonne", "Acceptable", "Mauvaise", "Non géolocalisé"), ``;``-separated.
Recent vintages also give the name (``NOMRS``) and WGS84 ``LONGITUDE`` / ``LATITUDE``. The BPE
has **no places**: a facility known only from the BPE counts in access times and is shown as
« places inconnues » in places per 100 children.

Codes (BPE 2024): D502 EAJE, D503 LAEP, D504 relais petite enfance, D505 ALSH, D506 centre
social, A128 France services, D115 PMI (kind ``pmi``) and the schools (kind ``ecole``): C107
maternelle, C108 primaire, C109 élémentaire from BPE 2023 on; C101 maternelle, C102
maternelle de RPI dispersé, C104 élémentaire, C105 élémentaire de RPI dispersé before
(:data:`BPE_SCHOOLS`, the BPE label kept as ``subtype``). D503–D507 only appear in recent
vintages (the 2021 file has D502 alone). PMI and schools have no places: shown on maps and
listed, never counted in places per 100 children.
"""

from __future__ import annotations

import pandas as pd
from pyproj import Transformer

from maillage.errors import InputError
from maillage.kinds import service_kind
from maillage.settings import LAYER_CRS, METRIC_CRS

from .facilities import validate_facilities
from .report import ValidationReport
from .tables import ROW, display_name, read_any

#: BPE school types → French subtype, per vintage: ``"2023+"`` (BPE 2023 and later) and
#: ``"<2023"`` (BPE 2022 and earlier). All of them map to the kind ``ecole``.
BPE_SCHOOLS = {
    "2023+": {"C107": "école maternelle", "C108": "école primaire", "C109": "école élémentaire"},
    "<2023": {"C101": "école maternelle", "C102": "école maternelle (RPI dispersé)",
              "C104": "école élémentaire", "C105": "école élémentaire (RPI dispersé)"},
}
#: BPE type → maillage kind.
BPE_KINDS = {"D502": "eaje", "D503": "laep", "D504": "rpe", "D505": "alsh",
             "D506": "centre_social", "A128": "france_services", "D115": "pmi",
             **{code: "ecole" for codes in BPE_SCHOOLS.values() for code in codes}}
#: BPE types of family services that maillage has no kind for (reported, not loaded).
BPE_WITHOUT_KIND: dict[str, str] = {}
#: ``QUALITE_XY`` values whose coordinates are not used (the row goes to its commune point).
POOR_QUALITY = {"mauvaise", "non geolocalise", "non géolocalisé", "33"}
#: How a registry facility and a BPE one are matched (same kind, same commune).
MATCH_RULE = "même type et même commune"


def _get(frame, column):
    return frame[column] if column in frame.columns else pd.Series("", index=frame.index)


def _canonical(frame, file: str, codes: dict[str, str], report) -> pd.DataFrame:
    """BPE rows of mapped types → canonical facility columns (text cells, ``_row``)."""
    for column in ("typequ", "depcom"):
        if column not in frame.columns:
            report.error(f"colonne {column.upper()} absente : ce n'est pas un fichier de la "
                         "BPE", file=file, row=1, column=column.upper(),
                         fix="utiliser le fichier « ensemble des équipements » de la BPE "
                             "(colonnes TYPEQU, DEPCOM, LAMBERT_X, LAMBERT_Y, QUALITE_XY)")
    report.raise_if_errors()
    types = frame["typequ"].astype(str).str.strip().str.upper()
    counted = types[types.isin(list(BPE_WITHOUT_KIND))].value_counts()
    for code, n in counted.items():
        report.add("info", f"{n} équipement(s) BPE {code} ({BPE_WITHOUT_KIND[code]}) non "
                   "repris : pas de type de service maillage", file=file)
    frame = frame[types.isin(list(codes))]
    types = types.loc[frame.index]
    lon, lat = _coordinates(frame, file, report)
    quality = _get(frame, "qualite_xy").fillna("").astype(str).str.strip()
    poor = quality.str.lower().isin(POOR_QUALITY)
    if poor.any():
        report.add("réparé", f"{int(poor.sum())} équipement(s) BPE aux coordonnées de qualité "
                   "« mauvaise » ou non géolocalisés : placés au point de leur commune",
                   file=file, column="QUALITE_XY")
    lon, lat = lon.where(~poor, ""), lat.where(~poor, "")
    year = _get(frame, "an").fillna("").astype(str).str.strip()
    kinds = types.map(codes)
    names = _get(frame, "nomrs").fillna("").astype(str).str.strip()
    labels = kinds.map(lambda k: service_kind(k).label if service_kind(k) else k)
    name = names.where(names != "", labels + " (BPE)")
    source = ("INSEE BPE " + year.where(year != "", "?") + ", " + types + ", qualité XY "
              + quality.where(quality != "", "non précisée"))
    subtypes = {code: label for codes in BPE_SCHOOLS.values() for code, label in codes.items()}
    return pd.DataFrame({
        "id": "", "name": name, "kind": kinds, "subtype": types.map(subtypes).fillna(""),
        "commune_code": frame["depcom"],
        "lat": lat, "lon": lon, "source": source, "operator": "", "itinerant": "non",
        ROW: frame[ROW]}, index=frame.index)


def _coordinates(frame, file: str, report) -> tuple[pd.Series, pd.Series]:
    """WGS84 longitude and latitude as text ("" when unknown)."""
    empty = pd.Series("", index=frame.index)
    if {"longitude", "latitude"} <= set(frame.columns):
        return (frame["longitude"].fillna("").astype(str),
                frame["latitude"].fillna("").astype(str))
    if not {"lambert_x", "lambert_y"} <= set(frame.columns):
        report.add("info", "pas de coordonnées (LAMBERT_X, LAMBERT_Y) : équipements placés au "
                   "point de leur commune", file=file)
        return empty, empty
    x = pd.to_numeric(frame["lambert_x"].astype(str).str.replace(",", "."), errors="coerce")
    y = pd.to_numeric(frame["lambert_y"].astype(str).str.replace(",", "."), errors="coerce")
    epsg = _get(frame, "epsg").fillna("").astype(str).str.strip()
    other = (epsg != "") & (epsg != "2154")
    if other.any():
        report.add("info", f"{int(other.sum())} équipement(s) en EPSG autre que 2154 (outre-mer) "
                   "placés au point de leur commune", file=file, column="EPSG")
    known = x.notna() & y.notna() & ~other
    lon, lat = empty.copy(), empty.copy()
    if known.any():
        to_wgs84 = Transformer.from_crs(METRIC_CRS, LAYER_CRS, always_xy=True)
        lons, lats = to_wgs84.transform(x[known].to_numpy(), y[known].to_numpy())
        lon[known] = [f"{v:.6f}" for v in lons]
        lat[known] = [f"{v:.6f}" for v in lats]
    return lon, lat


def load_bpe(path, *, communes, departement: str | None = None, codes=None, report=None):
    r"""Load the family services of a BPE file as facilities (no places).

    Parameters
    ----------
    path : str or Path
        BPE CSV (``;``-separated, INSEE's « ensemble des équipements » file or an extract).
    communes : GeoDataFrame
        Territory communes: rows of other communes are left out (and counted).
    departement : str, optional
        Keep the rows of this département (``DEP`` or the first two digits of ``DEPCOM``).
    codes : dict, optional
        BPE type → maillage kind (default :data:`BPE_KINDS`).
    report : ValidationReport, optional
        Receives what loading changed.

    Returns
    -------
    GeoDataFrame
        Facilities schema (``capacity`` NaN: « places inconnues »; ``source`` = "INSEE BPE
        <year>, <TYPEQU>, qualité XY <quality>"); ids ``bpe-<kind>-<commune>-<n>``.
        ``attrs["report"]`` is the report.

    Examples
    --------
    Two BPE rows: an ALSH (D505) at Calamane, a crèche (D502) at Cahors:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes
    >>> from maillage.layers.communes import points_layer
    >>> rows = ("DEP;DEPCOM;AN;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY\n"
    ...         "46;46046;2024;D505;573562;6381266;Bonne\n"
    ...         "46;46042;2024;D502;575948;6373275;Bonne\n")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "bpe.csv"
    ...     _ = path.write_text(rows, encoding="utf-8")
    ...     bpe = load_bpe(path, communes=points_layer(embedded_communes()))
    >>> bpe[["kind", "commune_code", "capacity"]].to_numpy().tolist()
    [['alsh', '46046', nan], ['eaje', '46042', nan]]
    >>> [round(v, 3) for v in bpe.geometry.iloc[0].coords[0]]
    [1.409, 44.519]
    """
    report = ValidationReport() if report is None else report
    codes = dict(BPE_KINDS if codes is None else codes)
    file = display_name(path)
    frame = read_any(path, report)
    frame = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})
    if departement is not None and "depcom" in frame.columns:
        dep = _get(frame, "dep").fillna("").astype(str)
        dep = dep.where(dep != "", frame["depcom"].astype(str).str[:2])
        frame = frame[dep == str(departement)]
    canonical = _canonical(frame, file, codes, report)
    inside = canonical["commune_code"].astype(str).str.strip().isin(
        set(communes.index.astype(str)))
    if (~inside).any():
        report.add("info", f"{int((~inside).sum())} équipement(s) BPE hors du territoire non "
                   "retenus", file=file)
    canonical = canonical[inside].copy()
    rank = canonical.groupby(["kind", "commune_code"]).cumcount() + 1
    canonical["id"] = ("bpe-" + canonical["kind"].str.replace("_", "-") + "-"
                       + canonical["commune_code"].astype(str) + "-" + rank.astype(str))
    facilities = validate_facilities(canonical, file, communes, require_capacity=False,
                                     report=report)
    facilities.attrs["report"] = report
    return facilities


def merge_with_registry(registry, bpe, *, at=None, report=None):
    r"""Add the BPE facilities the registry lacks; match the others and report them.

    A BPE facility matches a registry facility of the same kind in the same commune, in
    force at ``at`` (one to one, in order of ids); matched BPE rows are not added (no double
    counting) and the registry row's ``source`` says it is also in the BPE; unmatched ones
    are added with unknown places.

    Parameters
    ----------
    registry, bpe : GeoDataFrame
        Facilities (the registry or the planner's file; :func:`load_bpe`).
    at : date-like, optional
        Registry facilities in force at this date are candidates (default: today).
    report : ValidationReport, optional
        Receives one line per match and the counts.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The merged facilities, and the matches: ``bpe_id``, ``registry_id``, ``kind``,
        ``commune_code``.

    Examples
    --------
    The registry knows the ALSH of Calamane (with its places), the BPE also lists a crèche at
    Cahors: the ALSH is matched (counted once), the crèche is added with unknown places.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from maillage.layers import embedded_communes, load_facilities
    >>> from maillage.layers.communes import points_layer
    >>> communes = points_layer(embedded_communes())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     registry_csv, bpe_csv = Path(folder) / "registre.csv", Path(folder) / "bpe.csv"
    ...     _ = registry_csv.write_text("id;nom;type;commune;places\n"
    ...                                 "alsh-calamane;ALSH de Calamane;alsh;46046;20\n")
    ...     _ = bpe_csv.write_text("DEPCOM;TYPEQU;QUALITE_XY\n46046;D505;Non géolocalisé\n"
    ...                            "46042;D502;Non géolocalisé\n")
    ...     registry = load_facilities(registry_csv, communes=communes)
    ...     bpe = load_bpe(bpe_csv, communes=communes)
    >>> merged, matches = merge_with_registry(registry, bpe, at="2025-06-01")
    >>> merged[["kind", "commune_code", "capacity"]].to_numpy().tolist()
    [['alsh', '46046', 20.0], ['eaje', '46042', nan]]
    >>> matches[["registry_id", "kind", "commune_code"]].to_numpy().tolist()
    [['alsh-calamane', 'alsh', '46046']]
    """
    report = ValidationReport() if report is None else report
    pairs, added = [], []
    day = pd.Timestamp(at) if at is not None else pd.Timestamp.today().normalize()
    start = registry.get("valid_from", pd.Series(pd.NaT, index=registry.index))
    end = registry.get("valid_to", pd.Series(pd.NaT, index=registry.index))
    current = registry[(start.isna() | (start <= day)) & (end.isna() | (end >= day))]
    free = {key: sorted(group.index) for key, group in
            current.groupby([current["kind"].astype(str),
                             current["commune_code"].astype(str)])}
    for fid, row in bpe.sort_index().iterrows():
        candidates = free.get((str(row["kind"]), str(row["commune_code"])), [])
        if candidates:
            match = candidates.pop(0)
            pairs.append({"bpe_id": fid, "registry_id": match, "kind": row["kind"],
                          "commune_code": row["commune_code"]})
            report.add("info", f"doublon BPE apparié ({MATCH_RULE}) : {fid} = {match}, "
                       "compté une fois (registre)")
        else:
            added.append(fid)
    report.add("info", f"BPE : {len(pairs)} équipement(s) déjà au registre, {len(added)} "
               "ajouté(s) sans nombre de places (« places inconnues »)")
    merged = pd.concat([registry, bpe.loc[added]]) if added else registry.copy()
    for pair in pairs:
        merged.at[pair["registry_id"], "source"] = (
            f"{merged.at[pair['registry_id'], 'source']} ; aussi dans la BPE "
            f"({pair['bpe_id']})")
    matches = pd.DataFrame(pairs, columns=["bpe_id", "registry_id", "kind", "commune_code"])
    if merged.index.duplicated().any():
        raise InputError("identifiants en double entre le registre et la BPE",
                         column="id", fix="renommer les identifiants commençant par « bpe- »")
    return merged, matches
