"""Bus stops from a GTFS feed (zip or folder): departures per weekday and routes served."""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from maillage.errors import InputError
from maillage.settings import LAYER_CRS

from .report import ValidationReport
from .tables import display_name

WEEKDAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday")
BUS_STOP_COLUMNS = ["stop_id", "name", "departures_weekday", "routes", "geometry"]
#: Largest ``stop_sequence`` accepted (a stop's rank in its trip; feeds use steps of 1 or 10).
MAX_STOP_SEQUENCE = 1_000_000


#: Columns the GTFS reference requires in each file maillage reads (stops.txt is checked
#: with its own message in :func:`load_gtfs_stops`).
REQUIRED_COLUMNS = {
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
    "routes.txt": ("route_id",),
    "calendar.txt": ("service_id",),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
}


class _Feed:
    """Reads the text files of a GTFS feed from a zip archive or a folder."""

    def __init__(self, path: Path):
        self.path, self.file = path, display_name(path)
        if not path.exists():
            raise InputError("flux GTFS introuvable", file=self.file,
                             fix="donner le chemin d'un fichier .zip ou d'un dossier GTFS")
        self.names: dict[str, str] = {}
        if path.is_dir():
            self.names = {p.name: str(p) for p in path.iterdir() if p.suffix == ".txt"}
            self.archive = None
        else:
            try:
                self.archive = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise InputError("ce fichier n'est pas une archive ZIP GTFS", file=self.file,
                                 fix="donner le .zip du flux tel que publié sur "
                                 "transport.data.gouv.fr, ou le dossier décompressé") from None
            self.names = {Path(n).name: n for n in self.archive.namelist() if n.endswith(".txt")}

    def read(self, name: str, required: bool = True):
        if name not in self.names:
            if not required:
                return None
            if not self.names:
                raise InputError("flux GTFS vide (aucun fichier .txt)", file=self.file,
                                 fix="vérifier le téléchargement du flux GTFS")
            raise InputError(f"fichier {name} absent du flux GTFS", file=self.file,
                             column=name, fix=f"un flux GTFS doit contenir {name} : "
                             "télécharger à nouveau le flux complet")
        if self.archive is None:
            data = Path(self.names[name]).read_bytes()
        else:
            try:
                data = self.archive.read(self.names[name])
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError,
                    NotImplementedError) as exc:
                raise InputError(f"{name} illisible : archive ZIP endommagée "
                                 f"({type(exc).__name__})", file=self.file, column=name,
                                 fix="télécharger à nouveau le flux GTFS (le fichier a été "
                                 "tronqué ou abîmé)") from None
        columns = REQUIRED_COLUMNS.get(name, ())
        if not data.strip():
            if columns and required:
                raise InputError(f"{name} est vide (pas même une ligne d'en-tête)",
                                 file=self.file, column=name, fix="télécharger à nouveau le "
                                 "flux GTFS complet")
            return pd.DataFrame(columns=list(columns))
        try:
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                                encoding="utf-8-sig").rename(columns=str.strip)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{name} illisible ({exc})", file=self.file, column=name,
                             fix="un fichier GTFS est un CSV UTF-8 séparé par des virgules : "
                             "télécharger à nouveau le flux") from None
        for column in columns:
            if column not in frame.columns:
                raise InputError(f"colonne {column} absente de {name}", file=self.file, row=1,
                                 column=column, fix=f"la spécification GTFS exige {column} "
                                 f"dans {name} : télécharger à nouveau le flux complet")
        return frame


def _seconds(text: str) -> int:
    h, m, s = (int(x) for x in text.strip().split(":"))
    return 3600 * h + 60 * m + s


def _weekday_share(feed: _Feed) -> dict[str, float]:
    """service_id -> mean number of Monday–Friday days it runs on, per weekday (0 to 1)."""
    share: dict[str, float] = {}
    calendar = feed.read("calendar.txt", required=False)
    if calendar is not None and len(calendar):
        for record in calendar.to_dict("records"):
            share[record["service_id"]] = sum(record.get(d, "0") == "1"
                                              for d in WEEKDAY_COLUMNS) / 5
    dates = feed.read("calendar_dates.txt", required=False)
    if dates is not None and len(dates):
        added = dates[(dates["exception_type"] == "1")
                      & ~dates["service_id"].isin(list(share))].copy()
        if len(added):
            added["day"] = pd.to_datetime(added["date"], format="%Y%m%d", errors="coerce")
            if added["day"].isna().any():
                position = int(added.index[added["day"].isna()][0])
                raise InputError(f"calendar_dates.txt : date « {added.at[position, 'date']} » "
                                 "illisible", file=feed.file, row=position + 2, column="date",
                                 fix="écrire les dates AAAAMMJJ (ex. 20250331)")
            weekdays = added[added["day"].dt.dayofweek < 5]
            n_days = max(weekdays["day"].nunique(), 1)
            for service, group in weekdays.groupby("service_id"):
                share[service] = group["day"].nunique() / n_days
    return share


def _runs_per_trip(feed: _Feed) -> dict[str, int]:
    """trip_id -> departures of that trip per day when frequencies.txt repeats it."""
    frequencies = feed.read("frequencies.txt", required=False)
    runs: dict[str, int] = {}
    if frequencies is None or not len(frequencies):
        return runs
    for position, record in enumerate(frequencies.to_dict("records")):
        try:
            span = _seconds(record["end_time"]) - _seconds(record["start_time"])
            headway = int(record["headway_secs"])
            if headway <= 0 or span < 0:
                raise ValueError
        except ValueError:
            raise InputError("frequencies.txt : horaire ou intervalle illisible",
                             file=feed.file, row=position + 2, column="headway_secs",
                             fix="start_time/end_time en HH:MM:SS, headway_secs entier "
                             "positif") from None
        count = math.ceil(span / headway)
        runs[record["trip_id"]] = runs.get(record["trip_id"], 0) + count
    return runs


def _checked_stop_times(stop_times, known_stops: set, known_trips: set, file: str):
    """stop_times with an integer ``seq``; unknown stops or trips, unreadable orders are
    errors."""
    for position, (stop, sequence) in enumerate(zip(stop_times["stop_id"],
                                                    stop_times["stop_sequence"])):
        if stop not in known_stops:
            raise InputError(f"stop_times.txt cite l'arrêt « {stop} » absent de stops.txt",
                             file=file, row=position + 2, column="stop_id",
                             fix="corriger stop_times.txt ou télécharger à nouveau le flux "
                             "complet")
        text = str(sequence).strip()
        if not text.isdigit():
            raise InputError(f"stop_times.txt : ordre d'arrêt « {sequence} » illisible",
                             file=file, row=position + 2, column="stop_sequence",
                             fix="stop_sequence doit être un entier")
        if int(text) > MAX_STOP_SEQUENCE:
            raise InputError(f"stop_times.txt : ordre d'arrêt « {sequence} » démesuré",
                             file=file, row=position + 2, column="stop_sequence",
                             fix=f"stop_sequence doit être un entier d'au plus "
                             f"{MAX_STOP_SEQUENCE:,} (rang de l'arrêt dans la "
                             "course)".replace(",", " "))
    for position, trip in enumerate(stop_times["trip_id"]):
        if trip not in known_trips:
            raise InputError(f"stop_times.txt cite la course « {trip} » absente de trips.txt",
                             file=file, row=position + 2, column="trip_id",
                             fix="corriger stop_times.txt ou télécharger à nouveau le flux "
                             "complet")
    return stop_times.assign(seq=stop_times["stop_sequence"].astype("int64"))


def _checked_trips(trips, known_routes: set, file: str) -> None:
    """Every trip's route_id is one of routes.txt."""
    unknown = ~trips["route_id"].isin(known_routes)
    if unknown.any():
        position = int(unknown.to_numpy().nonzero()[0][0])
        raise InputError(f"trips.txt cite la ligne « {trips['route_id'].iloc[position]} » "
                         "absente de routes.txt", file=file, row=position + 2,
                         column="route_id", fix="corriger trips.txt ou télécharger à nouveau "
                         "le flux complet")


def load_gtfs_stops(path, *, report=None):
    r"""Bus stops of a GTFS feed with their mean departures per weekday and their routes.

    Parameters
    ----------
    path : str or Path
        GTFS ``.zip`` or folder (``stops.txt``, ``trips.txt``, ``stop_times.txt``, ``routes.txt``,
        ``calendar.txt`` and/or ``calendar_dates.txt``; ``frequencies.txt`` honoured).
    report : ValidationReport, optional
        Receives the stations skipped and stops without departures.

    Returns
    -------
    GeoDataFrame
        ``stop_id``, ``name``, ``departures_weekday`` (int, mean departures per day Monday to
        Friday), ``routes`` (";"-joined short names), ``geometry`` (Point, EPSG:4326).

    Examples
    --------
    A feed of one route (« L1 ») running every weekday, there and back, between two stops: a
    trip's last stop is an arrival, so each stop has one departure per weekday.

    >>> import tempfile
    >>> from pathlib import Path
    >>> files = {
    ...     "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    ...                  "cahors,Cahors Gare,44.4491,1.4346\ncalamane,Calamane Bourg,44.5190,1.4090\n",
    ...     "routes.txt": "route_id,route_short_name,route_type\nl1,L1,3\n",
    ...     "trips.txt": "route_id,service_id,trip_id\nl1,semaine,t1\nl1,semaine,t2\n",
    ...     "stop_times.txt": "trip_id,stop_id,stop_sequence,departure_time\n"
    ...                       "t1,cahors,1,07:30:00\nt1,calamane,2,07:50:00\n"
    ...                       "t2,calamane,1,17:10:00\nt2,cahors,2,17:30:00\n",
    ...     "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    ...                     "start_date,end_date\nsemaine,1,1,1,1,1,0,0,20250101,20251231\n"}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for name, text in files.items():
    ...         _ = (Path(folder) / name).write_text(text, encoding="utf-8")
    ...     stops = load_gtfs_stops(folder)
    >>> stops[["stop_id", "name", "departures_weekday", "routes"]].to_numpy().tolist()
    [['cahors', 'Cahors Gare', 1, 'L1'], ['calamane', 'Calamane Bourg', 1, 'L1']]
    """
    report = ValidationReport() if report is None else report
    feed = _Feed(Path(path))
    stops = feed.read("stops.txt")
    if stops.empty:
        raise InputError("stops.txt ne contient aucun arrêt", file=feed.file, column="stops.txt",
                         fix="vérifier le flux GTFS (stops.txt vide)")
    for column in ("stop_id", "stop_lat", "stop_lon"):
        if column not in stops.columns:
            raise InputError(f"colonne {column} absente de stops.txt", file=feed.file, row=1,
                             column=column, fix="un flux GTFS donne stop_lat et stop_lon pour "
                             "chaque arrêt : télécharger à nouveau le flux complet")
    if "stop_name" not in stops.columns:
        stops = stops.assign(stop_name=stops["stop_id"])
    known_stops = set(stops["stop_id"])
    stations = stops.get("location_type", pd.Series("", index=stops.index)).isin(["1", "2", "3",
                                                                                "4"])
    if stations.any():
        report.add("info", f"{int(stations.sum())} gares ou entrées ignorées "
                   "(location_type ≠ 0)", file=feed.file, column="stops.txt")
    stops = stops[~stations]
    trips = feed.read("trips.txt")
    stop_times = feed.read("stop_times.txt")
    routes = feed.read("routes.txt")
    share, runs = _weekday_share(feed), _runs_per_trip(feed)
    trips = trips.assign(per_day=[share.get(s, 0.0) * runs.get(t, 1)
                                  for s, t in zip(trips["service_id"], trips["trip_id"])])
    names = dict(zip(routes["route_id"], [s or r for s, r in
                                          zip(routes.get("route_short_name", routes["route_id"]),
                                              routes["route_id"])]))
    _checked_trips(trips, set(routes["route_id"]), feed.file)
    times = _checked_stop_times(stop_times, known_stops, set(trips["trip_id"]), feed.file)
    last = times.groupby("trip_id")["seq"].transform("max")
    departures = times[times["seq"] < last].merge(trips, on="trip_id", how="left")
    per_stop = departures.groupby("stop_id")["per_day"].sum()
    served = times.merge(trips, on="trip_id", how="left")
    route_sets = served.groupby("stop_id")["route_id"].agg(
        lambda s: ";".join(sorted({names.get(r, r) for r in s.dropna()})))
    lat = pd.to_numeric(stops["stop_lat"], errors="coerce")
    lon = pd.to_numeric(stops["stop_lon"], errors="coerce")
    bad = lat.isna() | lon.isna()
    for position in bad[bad].index:
        report.error(f"arrêt {stops.at[position, 'stop_id']} sans coordonnées lisibles",
                     file=feed.file, row=int(position) + 2, column="stop_lat",
                     fix="corriger stop_lat et stop_lon dans stops.txt")
    outside = ~bad & ~(lat.between(-90, 90) & lon.between(-180, 180))
    for position in outside[outside].index:
        column = "stop_lat" if not -90 <= lat[position] <= 90 else "stop_lon"
        report.error(f"arrêt {stops.at[position, 'stop_id']} : coordonnées hors limites "
                     f"(stop_lat {stops.at[position, 'stop_lat']}, stop_lon "
                     f"{stops.at[position, 'stop_lon']})", file=feed.file,
                     row=int(position) + 2, column=column,
                     fix="donner des degrés WGS84 (latitude entre -90 et 90, longitude entre "
                     "-180 et 180) dans stops.txt")
    report.raise_if_errors()
    result = pd.DataFrame({
        "stop_id": stops["stop_id"].values, "name": stops["stop_name"].values,
        "departures_weekday": [int(round(per_stop.get(s, 0.0))) for s in stops["stop_id"]],
        "routes": [route_sets.get(s, "") for s in stops["stop_id"]]})
    idle = int((result["departures_weekday"] == 0).sum())
    if idle:
        report.add("info", f"{idle} arrêts sans départ en semaine", file=feed.file,
                   column="stop_times.txt")
    gdf = gpd.GeoDataFrame(result, geometry=gpd.points_from_xy(lon.values, lat.values),
                           crs=LAYER_CRS)
    gdf.attrs["report"] = report
    return gdf
