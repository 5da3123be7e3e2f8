"""Outputs are written atomically and planners' input files are never touched.

- ``maillage.atomic``: a failure in the middle of a write leaves the previous file intact and no
  temporary file behind.
- The output folder of ``maillage demo`` / ``maillage report`` is never half-overwritten: when a
  writer fails in the middle, the previous folder content is intact.
- Inputs are opened read-only: a read-only (0o444) file still loads, no write-mode ``open`` of
  it happens (Python audit hook), and its bytes and modification time are unchanged after
  loading and after running a scenario.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import pytest

from maillage.atomic import atomic_path, write_bytes, write_text
from tests.fixtures.maps import synthetic

# ---------------------------------------------------------------------------------------------
# maillage.atomic


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_write_text_replaces_the_whole_file(tmp_path):
    target = tmp_path / "indicateurs.csv"
    target.write_text("ancien contenu\n" * 1000, encoding="utf-8")
    write_text(target, "code;places\n46046;20\n")
    assert target.read_text(encoding="utf-8") == "code;places\n46046;20\n"
    assert _leftovers(tmp_path, {"indicateurs.csv"}) == []


def test_a_failure_in_the_middle_of_a_write_leaves_the_target_untouched(tmp_path):
    target = tmp_path / "indicateurs.csv"
    target.write_bytes(b"code;places\n46064;40\n")
    before = target.stat().st_mtime_ns
    with pytest.raises(RuntimeError, match="disque plein"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"code;places\n46064;4")  # half the new content …
            raise RuntimeError("disque plein")  # … then the writer fails
    assert target.read_bytes() == b"code;places\n46064;40\n"
    assert target.stat().st_mtime_ns == before
    assert _leftovers(tmp_path, {"indicateurs.csv"}) == []


def test_a_failure_before_anything_is_written_creates_no_target(tmp_path):
    target = tmp_path / "sous-dossier" / "carte.html"
    with pytest.raises(ValueError):
        with atomic_path(target):
            raise ValueError("rendu impossible")
    assert not target.exists()
    assert _leftovers(target.parent, set()) == []


def test_the_temporary_file_sits_beside_the_target_so_the_rename_is_atomic(tmp_path):
    target = tmp_path / "couches.gpkg"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent  # same file system: os.replace is atomic
        assert tmp != target and tmp.suffix == ".gpkg"  # GDAL picks the driver by suffix
        tmp.write_bytes(b"x")
        assert not target.exists()  # nothing visible until the block succeeds
    assert target.read_bytes() == b"x"


def test_write_bytes_round_trips_binary_content(tmp_path):
    data = bytes(range(256)) * 10
    assert write_bytes(tmp_path / "a.bin", data).read_bytes() == data


# ---------------------------------------------------------------------------------------------
# The output folder of a report is replaced whole or not at all


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p != folder)


class _FailsOnCall:
    """Wraps a writer so that its n-th call raises (a full disk, a crash mid-way)."""

    def __init__(self, writer, n: int):
        self.writer, self.n, self.calls = writer, n, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise OSError(28, "No space left on device")
        return self.writer(*args, **kwargs)


@pytest.fixture
def previous_report(tmp_path, monkeypatch):
    """A report already written to ``tmp_path/sortie`` (synthetic territory).

    Static figures are skipped in these tests (they are slow and not what is tested here).
    """
    from maillage.maps import report

    monkeypatch.setattr(report, "static_map", lambda *args, **kwargs: None)
    out = tmp_path / "sortie"
    report.write_report(synthetic.diagnostic(), out)
    return out


@pytest.mark.parametrize("writer,n", [("save_map", 2), ("write_layers", 1), ("write_text", 2)],
                         ids=["second-map", "geopackage", "report-page"])
def test_a_report_failing_midway_leaves_the_previous_folder_intact(previous_report, monkeypatch,
                                                                    writer, n):
    from maillage.maps import report

    before = _snapshot(previous_report)
    assert {"rapport.html", "couches.gpkg", "validation.txt"} <= set(before)
    failing = _FailsOnCall(getattr(report, writer), n)
    monkeypatch.setattr(report, writer, failing)
    with pytest.raises(OSError, match="No space left"):
        report.write_report(synthetic.diagnostic(scenario=False), previous_report)
    assert failing.calls == n  # the failure happened after some outputs were written
    assert _snapshot(previous_report) == before
    assert _siblings(previous_report) == []  # no temporary folder left beside it


def test_a_successful_report_replaces_the_folder_whole(previous_report):
    from maillage.maps import report

    (previous_report / "cartes" / "ancienne-carte.html").write_text("périmée", encoding="utf-8")
    report.write_report(synthetic.diagnostic(scenario=False), previous_report)
    after = _snapshot(previous_report)
    assert "cartes/ancienne-carte.html" not in after  # nothing stale mixed with new outputs
    assert "cartes/scenario.html" not in after and "rapport.html" in after
    assert _siblings(previous_report) == []


def test_a_folder_maillage_did_not_write_is_never_replaced(tmp_path):
    from maillage.errors import InputError
    from maillage.maps.report import write_report

    mine = tmp_path / "mes-documents"
    mine.mkdir()
    (mine / "budget.xlsx").write_bytes(b"precious")
    with pytest.raises(InputError, match="n'a pas été créé par maillage"):
        write_report(synthetic.diagnostic(scenario=False), mine)
    assert _snapshot(mine) == {"budget.xlsx": hashlib.sha256(b"precious").hexdigest()}


def test_a_demo_failing_midway_leaves_the_previous_output_intact(previous_report, monkeypatch):
    """``maillage demo`` on the Lot crashes while writing its maps: the last good output stays."""
    import maillage.geo
    from maillage import pipeline
    from maillage.geo import StraightLineTimer
    from maillage.maps import report

    before = _snapshot(previous_report)
    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory: StraightLineTimer())
    failing = _FailsOnCall(report.save_map, 2)
    monkeypatch.setattr(report, "save_map", failing)
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    with pytest.raises(OSError, match="No space left"):
        pipeline.run_demo(previous_report)
    assert failing.calls == 2
    assert _snapshot(previous_report) == before
    assert _siblings(previous_report) == []


def test_scenario_tables_are_replaced_all_together_or_not_at_all(tmp_path, monkeypatch):
    """``maillage scenario run FILE --out DIR`` fails writing its second table: the tables of
    the previous run stay, all of them, never a mix of old and new."""
    from maillage.cli import main
    from maillage.cli import scenario as cli_scenario
    from maillage.pipeline import demo_scenario_path

    previous = {f"calamane-2025-{part}": f"ancien {part}\n" for part in
                ("communes.csv", "epci.csv", "resume.csv", "validation.txt")}
    for name, text in previous.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(cli_scenario, "_write_csv", _FailsOnCall(cli_scenario._write_csv, 2))
    with pytest.raises(OSError, match="No space left"):
        main(["scenario", "run", str(demo_scenario_path()), "--out", str(tmp_path)])
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == previous


# ---------------------------------------------------------------------------------------------
# Inputs opened read-only


class _WriteOpens:
    """Records every Python-level ``open`` of the watched paths with a write mode or flag."""

    def __init__(self):
        self.watched: set[str] = set()
        self.writes: list[tuple[str, str]] = []
        sys.addaudithook(self)  # audit hooks cannot be removed: the hook is idle when unwatched

    def __call__(self, event, args):
        if event != "open" or not self.watched or not args or args[0] is None:
            return
        path, mode, flags = args
        if isinstance(path, int):
            return
        try:
            name = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return
        if name not in self.watched:
            return
        writing = (mode is not None and any(c in str(mode) for c in "wax+")) or bool(
            flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC))
        if writing:
            self.writes.append((name, str(mode)))


_WATCH = _WriteOpens()


@pytest.fixture
def read_only(tmp_path):
    """Make files read-only (0o444), watch their opens, and check them untouched afterwards."""
    files: dict[Path, tuple[bytes, int]] = {}

    def make(path: Path) -> Path:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        files[path] = (path.read_bytes(), path.stat().st_mtime_ns)
        _WATCH.watched.add(os.path.realpath(path))
        return path

    yield make
    _WATCH.watched.clear()
    writes, _WATCH.writes[:] = list(_WATCH.writes), []
    assert writes == [], f"input opened for writing: {writes}"
    for path, (data, mtime) in files.items():
        assert path.read_bytes() == data, f"{path.name} modified"
        assert path.stat().st_mtime_ns == mtime, f"{path.name} touched"
        path.chmod(0o644)


def test_the_watch_sees_an_input_opened_for_writing(tmp_path):
    """The audit hook behind ``read_only`` does catch a write-mode open (even one that writes
    nothing), so that the tests below can fail."""
    path = tmp_path / "structures.csv"
    path.write_text("nom\n", encoding="utf-8")
    _WATCH.watched.add(os.path.realpath(path))
    try:
        with open(path, encoding="utf-8"):
            pass
        assert _WATCH.writes == []
        with open(path, "r+", encoding="utf-8"):
            pass
        assert _WATCH.writes == [(os.path.realpath(path), "r+")]
    finally:
        _WATCH.watched.clear()
        _WATCH.writes.clear()


FACILITIES_CP1252 = (
    "nom;type;code_insee;places;âge minimum;âge maximum;date début\r\n"
    "ALSH de Catus;alsh;46064;48;3;12;01/09/2024\r\n"
    "ALSH de Calamane;alsh;46046;20;3;12;01/04/2025\r\n"
    "Crèche « Les Pitchouns »;multi-accueil;46042;24,5;0;3;\r\n"
).encode("cp1252")


def test_a_read_only_facility_file_loads_and_is_left_as_it_was(tmp_path, read_only):
    from maillage.layers.facilities import load_facilities

    facilities = load_facilities(read_only(_planner_csv(tmp_path)))
    assert list(facilities["name"]) == ["ALSH de Catus", "ALSH de Calamane",
                                        "Crèche « Les Pitchouns »"]
    assert facilities.loc[facilities["kind"] == "eaje", "capacity"].item() == 24.5


def _planner_csv(folder: Path) -> Path:
    """A planner's facility table saved by Excel (cp1252, ``;``, decimal comma)."""
    path = folder / "structures.csv"
    path.write_bytes(FACILITIES_CP1252)
    return path


def test_a_read_only_xlsx_and_geojson_load_unchanged(tmp_path, read_only):
    import geopandas as gpd
    from openpyxl import Workbook

    from maillage.layers.facilities import load_facilities

    book = Workbook()
    sheet = book.active
    sheet.append(["nom", "type", "code_insee", "places"])
    sheet.append(["ALSH de Catus", "alsh", "46064", 48])
    book.save(tmp_path / "structures.xlsx")
    gpd.GeoDataFrame({"nom": ["ALSH de Calamane"], "type": ["alsh"], "places": [20]},
                     geometry=gpd.points_from_xy([1.41007], [44.52003]), crs="EPSG:4326"
                     ).to_file(tmp_path / "structures.geojson", driver="GeoJSON")
    xlsx = load_facilities(read_only(tmp_path / "structures.xlsx"))
    geojson = load_facilities(read_only(tmp_path / "structures.geojson"))
    assert xlsx["capacity"].tolist() == [48.0]
    assert geojson["commune_code"].tolist() == ["46046"]  # point inside Calamane


def test_running_a_scenario_leaves_its_input_files_untouched(tmp_path, read_only):
    from maillage.analysis.scenario import run_scenario
    from maillage.geo import StraightLineTimer
    from maillage.layers.facilities import load_facilities

    facilities = load_facilities(read_only(_planner_csv(tmp_path)))
    path = tmp_path / "calamane.yaml"
    path.write_text(
        "nom: Calamane\nterritoire: lot\nepci: \"200023737\"\ndate: 2025-03-31\n"
        "indicateurs: [alsh]\nchangements:\n"
        "  - redimensionner: {id: alsh-alsh-de-catus-46064, places: 60}\n", encoding="utf-8")
    read_only(path)
    base = _territory_with(facilities)
    result = run_scenario(base, path, timer=StraightLineTimer())
    assert result.after.at["alsh-alsh-de-catus-46064", "capacity"] == 60  # "Catus grows to 60"


def _territory_with(facilities):
    """The embedded Lot with the given facilities (the public territory loader)."""
    from maillage.layers import load_territory

    territory = load_territory("lot", offline=True)
    territory.facilities = facilities
    return territory
