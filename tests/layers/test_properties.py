"""Properties of the loaders, checked on random planners' tables (hypothesis).

- The same facilities saved by Excel in French (``;``, Windows-1252, decimal commas, dates
  jj/mm/aaaa), in UTF-8 with ``,`` and ISO dates, with a BOM and tabs, or in UTF-16 give the
  same layer.
- No row is lost: every data row of a table is either in the layer, or reported as an error at
  its spreadsheet line, or reported as an empty line ignored.
- The layer does not depend on the order of the rows (same facilities, same ids).
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.errors import InputError
from maillage.layers.facilities import load_facilities
from maillage.layers.tables import normalize_header

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

#: Communes of the Grand Cahors (codes of the embedded COG 2026 table).
CODES = ["46042", "46046", "46064", "46102", "46156", "46033"]
HEADER = ["nom", "type", "code_insee", "places", "âge minimum", "âge maximum", "date début",
          "gestionnaire"]

# Letters a French name uses, all of them in Windows-1252 (Excel's encoding).
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêàâçôîïùûœÉÈ '’-«»;,\""
names = st.text(NAME_CHARS, min_size=1, max_size=20).map(lambda s: " ".join(s.split())).map(
    lambda s: f"ALSH {s}".strip())
capacities = st.integers(0, 2000).map(lambda tenths: tenths / 10)  # 0 to 200 places, 0.1 steps
dates = st.one_of(st.none(), st.dates(min_value=pd.Timestamp("2015-01-01").date(),
                                      max_value=pd.Timestamp("2030-12-31").date()))


@st.composite
def facility_rows(draw):
    kind = draw(st.sampled_from(["alsh", "eaje", "mam", "rpe"]))
    return {"name": draw(names), "kind": kind, "code": draw(st.sampled_from(CODES)),
            "places": None if kind == "rpe" else draw(capacities),
            "ages": draw(st.sampled_from([(None, None), (3, 12), (0, 3), (2.5, 6)])),
            "start": draw(dates), "operator": draw(st.sampled_from(["Grand Cahors", "", "Léo"]))}


def _number(value, decimal: str) -> str:
    if value is None:
        return ""
    text = f"{value:g}"
    return text.replace(".", decimal)


def _table(rows, *, sep: str, decimal: str, french_dates: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in rows:
        start = "" if r["start"] is None else (
            r["start"].strftime("%d/%m/%Y") if french_dates else r["start"].isoformat())
        writer.writerow([r["name"], r["kind"], r["code"], _number(r["places"], decimal),
                         _number(r["ages"][0], decimal), _number(r["ages"][1], decimal), start,
                         r["operator"]])
    return out.getvalue()


#: How planners' tables reach maillage: (label, separator, decimal mark, French dates, bytes).
ENCODINGS = [
    ("utf-8 ,", ",", ".", False, lambda text: text.encode("utf-8")),
    ("excel fr", ";", ",", True, lambda text: text.encode("cp1252")),
    ("utf-8 bom tab", "\t", ",", True, lambda text: text.encode("utf-8-sig")),
    ("utf-16", ";", ".", False, lambda text: text.encode("utf-16")),
]


@pytest.fixture(scope="module")
def communes():
    from maillage.layers import load_communes

    return load_communes(offline=True)


def _load(folder: Path, name: str, data: bytes, communes):
    path = folder / name
    path.write_bytes(data)
    return load_facilities(path, communes=communes)


@SETTINGS
@given(rows=st.lists(facility_rows(), min_size=1, max_size=8))
def test_excel_french_csv_and_utf8_csv_give_the_same_layer(rows, communes):
    with tempfile.TemporaryDirectory() as tmp:
        layers = []
        for label, sep, decimal, french, encode in ENCODINGS:
            text = _table(rows, sep=sep, decimal=decimal, french_dates=french)
            layers.append((label, _load(Path(tmp), "structures.csv", encode(text), communes)))
    reference = layers[0][1]
    assert len(reference) == len(rows)
    assert reference["name"].tolist() == [r["name"] for r in rows]
    assert reference["capacity"].fillna(-1).tolist() == [
        -1 if r["places"] is None else r["places"] for r in rows]
    for label, layer in layers[1:]:
        pd.testing.assert_frame_equal(layer, reference, obj=label)


@st.composite
def tables_with_mistakes(draw):
    """Good rows, rows with one planner's mistake, and empty lines, shuffled."""
    good = draw(st.lists(facility_rows(), min_size=0, max_size=6))
    mistakes = draw(st.lists(st.sampled_from(["unknown_code", "negative", "kind", "no_name",
                                              "text_places"]), min_size=0, max_size=4))
    empties = draw(st.integers(0, 2))
    lines = ([("good", r) for r in good] + [(m, None) for m in mistakes]
             + [("empty", None)] * empties)
    order = draw(st.permutations(range(len(lines))))
    return [lines[i] for i in order]


def _cells(kind, row):
    if kind == "good":
        return [row["name"], row["kind"], row["code"], _number(row["places"], ","),
                _number(row["ages"][0], ","), _number(row["ages"][1], ","),
                "" if row["start"] is None else row["start"].strftime("%d/%m/%Y"),
                row["operator"]]
    if kind == "empty":
        return [""] * len(HEADER)
    base = {"unknown_code": ["ALSH fantôme", "alsh", "46999", "20"],
            "negative": ["ALSH de Catus", "alsh", "46064", "-8"],
            "kind": ["Ludothèque", "ludotheque", "46042", ""],
            "no_name": ["", "alsh", "46046", "20"],
            "text_places": ["ALSH de Calamane", "alsh", "46046", "vingt"]}[kind]
    return base + ["", "", "", ""]


@SETTINGS
@given(lines=tables_with_mistakes())
def test_no_row_is_lost(lines, communes):
    if not any(kind != "empty" for kind, _ in lines):
        lines = lines + [("good", {"name": "ALSH de Catus", "kind": "alsh", "code": "46064",
                                   "places": 48.0, "ages": (3, 12), "start": None,
                                   "operator": ""})]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for kind, row in lines:
        writer.writerow(_cells(kind, row))
    spreadsheet_line = {i + 2: kind for i, (kind, _) in enumerate(lines)}  # header = line 1
    bad = {line for line, kind in spreadsheet_line.items() if kind not in ("good", "empty")}
    empty = {line for line, kind in spreadsheet_line.items() if kind == "empty"}
    good = {line for line, kind in spreadsheet_line.items() if kind == "good"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "structures.csv"
        path.write_text(out.getvalue(), encoding="cp1252", errors="strict")
        try:
            layer = load_facilities(path, communes=communes)
        except InputError as exc:
            report, layer = exc.report, None
        else:
            report = layer.attrs["report"]
    rejected = {e.row for e in report.errors}
    ignored = {e.row for e in report.entries if e.message == "ligne vide ignorée"}
    assert rejected == bad
    assert ignored == empty
    if layer is None:
        assert bad, "an error was raised without a bad row"
    else:
        assert not bad and len(layer) == len(good)
    assert len(good) + len(rejected) + len(ignored) == len(lines)


@SETTINGS
@given(rows=st.lists(facility_rows(), min_size=2, max_size=7), data=st.data())
def test_the_layer_does_not_depend_on_row_order(rows, data, communes):
    order = data.draw(st.permutations(range(len(rows))))
    with tempfile.TemporaryDirectory() as tmp:
        text = _table(rows, sep=";", decimal=",", french_dates=True)
        first = _load(Path(tmp), "a.csv", text.encode("cp1252"), communes)
        text = _table([rows[i] for i in order], sep=";", decimal=",", french_dates=True)
        second = _load(Path(tmp), "a.csv", text.encode("cp1252"), communes)
    # Ids are derived from kind, name and commune; identical rows get -2, -3 … in file order,
    # so compare the multiset of facilities, not the ids of duplicates.
    columns = [c for c in first.columns if c not in ("id", "geometry")]
    key = lambda f: sorted(map(tuple, f[columns].astype(str).to_numpy()))  # noqa: E731
    assert key(first) == key(second)
    unique = [r for r in rows if sum(
        (s["kind"], s["name"], s["code"]) == (r["kind"], r["name"], r["code"]) for s in rows) == 1]
    for r in unique:
        one = first[(first["name"] == r["name"]) & (first["commune_code"] == r["code"])
                    & (first["kind"] == r["kind"])]
        two = second[(second["name"] == r["name"]) & (second["commune_code"] == r["code"])
                     & (second["kind"] == r["kind"])]
        assert one.index.tolist() == two.index.tolist()


# ------------------------------------------------------------ fuzzed loaders: never a traceback

#: Cells planners (and their spreadsheets) really produce, good and bad.
CELLS = st.sampled_from([
    "", " ", "ALSH de Catus", "alsh", "eaje", "micro-crèche", "ludothèque", "46064", "46046",
    "46300", "46999", "46000", "4604", "2A004", "20", "-8", "24,5", "1 234,5", "vingt", "1e400",
    "nan", "NaN", "#N/A", "#VALEUR!", "44.4475", "1,4419", "600000", "6400000", "01/04/2025",
    "31/02/2025", "2025-04-01", "oui", "non", "peut-être", "mercredis;vacances", "3-11 ans",
    "=SOMME(A1:A3)", "\"", "é\u00a0è", "0x1F", "inf", "-0", "12;3",
])
#: Likely cells of each usual column; any column may also get any messy cell.
COLUMN_CELLS = {
    "nom": st.sampled_from(["ALSH de Catus", "Crèche « Les Pitchouns »", "MAM Les Lutins"]),
    "type": st.sampled_from(["alsh", "eaje", "mam", "rpe", "multi-accueil", "Accueil de loisirs"]),
    "code_insee": st.sampled_from(["46064", "46046", "46042", "46300", "46077"]),
    "places": st.sampled_from(["20", "24,5", "48", "0", "1e400"]),
    "latitude": st.sampled_from(["", "44,5598", "44.52003"]),
    "longitude": st.sampled_from(["", "1,3386", "1.41007"]),
    "date début": st.sampled_from(["", "01/04/2025", "2024-09-01"]),
    "âge minimum": st.sampled_from(["", "3", "0"]),
    "âge maximum": st.sampled_from(["", "12", "3"]),
}
HEADERS = st.sampled_from([*COLUMN_CELLS, "date fin", "ouverture", "itinérance", "id",
                           "adresse", "inconnue", "NOM"])


@st.composite
def messy_tables(draw):
    """The usual columns (sometimes one missing) plus random ones; cells mostly plausible,
    sometimes a planner's mistake."""
    usual = ["nom", "type", "code_insee", "places"]
    dropped = draw(st.sampled_from([None] * 12 + usual))  # one table in four lacks a column
    header = [h for h in usual if h != dropped]
    for extra in draw(st.lists(HEADERS, max_size=4, unique=True)):
        if normalize_header(extra) not in map(normalize_header, header):
            header.append(extra)
    header = draw(st.permutations(header))
    cell = {h: st.integers(0, 5).flatmap(  # one cell in six is any messy cell
        lambda k, h=h: CELLS if k == 0 else COLUMN_CELLS.get(h, CELLS)) for h in header}
    rows = draw(st.lists(st.tuples(*(cell[h] for h in header)), min_size=1, max_size=4))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
                                 errors="replace")


@settings(SETTINGS, max_examples=60)
@given(data=st.one_of(messy_tables(), st.binary(max_size=300)))
def test_a_messy_facility_table_loads_or_says_what_to_fix(data, communes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "structures.csv"
        path.write_bytes(data)
        try:
            layer = load_facilities(path, communes=communes)
        except InputError as exc:
            assert exc.file == str(path) and exc.fix, str(exc)
            return
    assert layer.crs.to_epsg() == 4326
    assert layer["lat"].between(41, 51.5).all() and layer["lon"].between(-5.5, 10).all()
    capacity = layer["capacity"].dropna()
    assert (capacity >= 0).all() and np.isfinite(capacity).all()  # "1e400", "inf": absurd


DATE_LINES = st.sampled_from(["date: 2025-03-31", "date: 2025-03-31", "date: 2024-09-01",
                              "date: 01/04/2025", "date: 31/02/2025", "date: demain", ""])
HEAD_LINES = st.sampled_from([
    "territoire: lot", "indicateurs: [alsh]", "indicateurs: alsh", "indicateurs: [eaje, alsh]",
    "epci: \"200023737\"", "epci: 200023737", "nom:", "capacite: 3", "description: >-",
])
CHANGE_LINES = st.sampled_from([
    "  - ouvrir: {id: x, type: alsh, commune: \"46046\", places: 20}",
    "  - ouvrir: {id: x, type: alsh, commune: 46046, places: 20, ages: [3, 12]}",
    "  - ouvrir: {id: x, type: eaje, lat: 44.5, lon: 1.4, places: 12}",
    "  - ouvrir: {id: x, type: rpe, commune: \"46064\"}",
    "  - ouvrir: {id: x, type: alsh, places: 20}", "  - ouvrir: {id: x, type: crèche, places: 9}",
    "  - ouvrir: {id: x, type: alsh, commune: \"46046\", places: 20, ouverture: [lundi]}",
    "  - redimensionner: {id: gc-alsh-catus, places: 48}",
    "  - redimensionner: {id: y, places: -3}",
    "  - redimensionner: {id: gc-alsh-catus, places: [1, 2]}",
    "  - redimensionner: {id: gc-alsh-catus, places: .inf}",
    "  - fermer: {id: gc-alsh-catus}", "  - fermer: gc-alsh-catus", "  - fermer: {id: 46042}",
    "  - deplacer: {id: gc-alsh-catus, commune: 46046}", "  - deplacer: {id: gc-alsh-catus}",
    "  - deplacer: {id: gc-alsh-catus, lat: 95, lon: 1.4}",
    "  - itinerance: {id: gc-fs-bus, arrets: [{commune: \"46046\", jours_par_mois: 2}]}",
    "  - itinerance: {id: gc-alsh-catus, arrets: [{commune: \"46999\", jours_par_mois: 2}]}",
    "  - itinerance: {id: gc-fs-bus, arrets: [46046]}", "  - itinerance: {id: z, arrets: {}}",
    "  - {}", "  - ", "  - ouvrir:", "  - [ouvrir, fermer]", "  ages: [3]", "\tnom: tab", ": :",
])


@st.composite
def messy_scenarios(draw):
    """A scenario file: top keys, then changes, each line possibly a planner's mistake."""
    lines = ["nom: Calamane", draw(DATE_LINES), *draw(st.lists(HEAD_LINES, max_size=3))]
    if draw(st.integers(0, 5)):
        lines.append("changements:")
    lines += draw(st.lists(CHANGE_LINES, min_size=0, max_size=4))
    return "\n".join(lines) + "\n"


@SETTINGS
@given(text=messy_scenarios())
def test_a_messy_scenario_file_loads_or_says_what_to_fix(text, communes):
    from maillage.analysis.scenario import apply_changes, load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(path)
            apply_changes(scenario, _registry(communes), communes)
        except InputError as exc:
            assert exc.file == str(path) and exc.fix, str(exc)


_REGISTRY = {}


def _registry(communes):
    """The embedded registry of the four CTG (loaded once)."""
    if "lot" not in _REGISTRY:
        from maillage.layers import load_territory

        _REGISTRY["lot"] = load_territory("lot", offline=True).facilities
    return _REGISTRY["lot"]


GTFS = {
    "agency.txt": [["agency_id", "agency_name", "agency_url", "agency_timezone"],
                   ["lio", "liO Lot", "https://lio.laregion.fr", "Europe/Paris"]],
    "routes.txt": [["route_id", "agency_id", "route_short_name", "route_type"],
                   ["L1", "lio", "891", "3"]],
    "trips.txt": [["route_id", "service_id", "trip_id"], ["L1", "SEM", "T1"],
                  ["L1", "SEM", "T2"]],
    "calendar.txt": [["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                      "saturday", "sunday", "start_date", "end_date"],
                     ["SEM", "1", "1", "1", "1", "1", "0", "0", "20250101", "20251231"]],
    "stops.txt": [["stop_id", "stop_name", "stop_lat", "stop_lon"],
                  ["CAH", "Cahors Gare", "44.44917", "1.43417"],
                  ["CAT", "Catus Halle", "44.55979", "1.33856"]],
    "stop_times.txt": [["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
                       ["T1", "07:00:00", "07:00:00", "CAH", "1"],
                       ["T1", "07:30:00", "07:30:00", "CAT", "2"],
                       ["T2", "17:00:00", "17:00:00", "CAT", "1"],
                       ["T2", "17:30:00", "17:30:00", "CAH", "2"]],
}
GTFS_CELLS = st.sampled_from(["", "X", "CAH", "T9", "SEM", "1", "-1", "deux", "25:61:00",
                              "7:00", "44,5", "abc", "99999999", "20250231", "\u00e9"])


@st.composite
def messy_feeds(draw):
    """The small liO feed with a few files damaged: a column dropped, cells changed, rows cut."""
    feed = {name: [list(r) for r in rows] for name, rows in GTFS.items()}
    for name in draw(st.lists(st.sampled_from(sorted(feed)), max_size=3, unique=True)):
        rows = feed[name]
        damage = draw(st.sampled_from(["column", "cell", "cell", "rows", "missing"]))
        if damage == "missing":
            del feed[name]
        elif damage == "rows":
            feed[name] = rows[:draw(st.integers(0, 1))]
        elif damage == "column":
            drop = draw(st.integers(0, len(rows[0]) - 1))
            feed[name] = [r[:drop] + r[drop + 1:] for r in rows]
        elif len(rows) > 1:
            i, j = draw(st.integers(1, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1))
            rows[i][j] = draw(GTFS_CELLS)
    return feed


@SETTINGS
@given(feed=messy_feeds())
def test_a_damaged_gtfs_feed_loads_or_says_what_to_fix(feed):
    import zipfile

    from maillage.layers import load_gtfs_stops

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lio.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, rows in feed.items():
                archive.writestr(name, "".join(",".join(r) + "\n" for r in rows))
        try:
            stops = load_gtfs_stops(path)
        except InputError as exc:
            assert exc.file == str(path) and exc.fix, str(exc)
            return
    assert (stops["departures_weekday"] >= 0).all()
    assert stops.crs.to_epsg() == 4326


EDGE_CELLS = st.sampled_from(["1", "2", "3", "44.45647", "1.44716", "44.52003", "1.41007",
                              "D820", "A20", "", "7400", "-7400", "abc", "1e400", "nan"])


@SETTINGS
@given(header=st.permutations(["u", "u_lat", "u_lon", "v", "v_lat", "v_lon", "route",
                               "length_m_straight"]).flatmap(
           lambda h: st.lists(st.sampled_from(h), min_size=6, max_size=8, unique=True)),
       rows=st.lists(st.lists(EDGE_CELLS, min_size=8, max_size=8), max_size=4))
def test_a_damaged_edge_list_loads_or_says_what_to_fix(header, rows):
    from maillage.errors import MaillageError
    from maillage.geo import load_network

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "routes.csv"
        path.write_text("\n".join(",".join(r[:len(header)]) for r in [header, *rows]) + "\n",
                        encoding="utf-8")
        try:
            graph = load_network(path)
        except MaillageError as exc:
            assert str(path) in str(exc) or getattr(exc, "file", None) == str(path), str(exc)
            return
    assert graph.number_of_edges() > 0
    for _, _, data in graph.edges(data=True):
        assert 0 <= data["travel_time"] < float("inf")


# ------------------------------------------------------------------ INSEE ages: no child lost

#: Current codes, former codes of merged communes (→ Bellefont-La Rauze, Porte-du-Quercy) and
#: codes of other départements (Toulouse, Montauban).
INSEE_CODES = st.sampled_from(["46042", "46046", "46064", "46156", "46077", "46327", "46033",
                               "46099", "46278", "31555", "82121"])
BANDS = ("P21_POP0002", "P21_POP0305", "P21_POP0610", "P21_POP1117")


@SETTINGS
@given(rows=st.lists(st.tuples(INSEE_CODES, st.lists(st.integers(0, 5000), min_size=4,
                                                      max_size=4)),
                     min_size=1, max_size=8, unique_by=lambda r: r[0]))
def test_every_insee_child_is_counted_once_in_the_current_commune(rows, communes):
    """Children of former codes are added to the merged commune; other départements' rows
    are left out, and every row is either used or reported."""
    from maillage.layers import ValidationReport
    from maillage.layers.communes import apply_insee_ages, current_code

    lines = ["CODGEO;" + ";".join(BANDS)]
    lines += [f"{code};" + ";".join(f"{n / 10:g}".replace(".", ",") for n in counts)
              for code, counts in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "insee.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = ValidationReport()
        layer = apply_insee_ages(communes, path, report)
    inside = [(current_code(code), counts) for code, counts in rows
              if current_code(code) in communes.index]
    counted = sorted({code for code, _ in inside})
    for i, band in enumerate(("pop_0_2", "pop_3_5", "pop_6_10", "pop_11_17")):
        assert layer.loc[counted, band].sum() == pytest.approx(
            sum(counts[i] / 10 for _, counts in inside))
        untouched = layer.index.difference(counted)
        pd.testing.assert_series_equal(layer.loc[untouched, band], communes.loc[untouched, band])
    mapped = [e.row for e in report.entries if e.level == "converti"]
    assert mapped == [i + 2 for i, (code, _) in enumerate(rows)
                      if current_code(code) != code and current_code(code) in communes.index]
    outside = [code for code, _ in rows if current_code(code) not in communes.index]
    if outside:
        assert any(e.message.startswith(f"{len(outside)} ligne") and "hors du territoire" in
                   e.message for e in report.entries), report.to_text()
