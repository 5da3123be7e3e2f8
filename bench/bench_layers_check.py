"""Benchmark: ``maillage layers check`` on a planner's facility file of 20k, 100k, 1M rows.

What is timed is what the command runs: :func:`maillage.layers.load_facilities` (read the CSV,
validate every cell, place every row in its commune, build the layer and the report). Two
baselines, measured in the same run on the same files:

- ``pandas.read_csv`` of the file (text cells, no validation): the floor, what merely reading
  costs; the ratio says how many times slower than reading validation is;
- the previous per-row location (``PerRowLocator`` below, the code of ``layers/locate.py``
  before it was vectorised: one ``DataFrame.at`` per row, which deep-copies the frame's
  ``attrs``, and a Python loop over every commune per point), plugged into the same loader.
  Slow (50 s for 20k rows on the development machine), so only run up to ``--baseline-rows``.

Every method runs in its own child process, so that the peak memory (``ru_maxrss``) is that
method's alone. The files: random facilities of the Lot (alsh, eaje, mam, rpe, France
services), 60 % placed by INSEE code, 40 % by coordinates jittered around a commune's point
(half of them without a code: the commune is deduced), French decimal commas, dates, ages,
opening periods, one end date in seven written 31/12/2999. The communes are those
``layers check`` uses: contours from ``../shared/data`` when present, else commune points.

The previous and the new location are also checked to give the same layer and the same
report (every message) on the largest file both ran on.

Run: ``python bench/bench_layers_check.py [--rows 20000 100000 1000000] [--baseline-rows
20000]``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HEADER = ("nom;type;code_insee;latitude;longitude;places;age_min;age_max;ouverture;"
          "date_debut;date_fin\n")


def write_planner_file(path: Path, rows: int, seed: int = 0) -> None:
    """A facility CSV of ``rows`` rows as planners export them (see the module docstring)."""
    from maillage.layers.communes import embedded_communes

    rng = np.random.default_rng(seed)
    communes = embedded_communes()
    codes = communes["code"].astype(str).to_numpy()
    lon, lat = communes["point_lon"].to_numpy(), communes["point_lat"].to_numpy()
    pick = rng.integers(0, len(codes), rows)
    by_point = rng.random(rows) < 0.4
    jitter_lon = lon[pick] + rng.normal(0, 0.004, rows)
    jitter_lat = lat[pick] + rng.normal(0, 0.004, rows)
    kinds = np.array(["alsh", "eaje", "rpe", "mam", "france_services"])[rng.integers(0, 5, rows)]
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            if by_point[i]:
                la = f"{jitter_lat[i]:.5f}".replace(".", ",")
                lo = f"{jitter_lon[i]:.5f}".replace(".", ",")
            else:
                la = lo = ""
            code = "" if by_point[i] and i % 2 else codes[pick[i]]
            end = "31/12/2999" if i % 7 == 0 else ""
            out.write(f"Structure {i};{kinds[i]};{code};{la};{lo};{20 + i % 30};3;11;"
                      f"mercredis, vacances;01/09/2019;{end}\n")


# --- the previous per-row location (layers/locate.py before vectorisation), the baseline ---

def _km(lon1, lat1, lon2, lat2):
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def per_row_locator_class():
    """The previous Locator: same checks, one row at a time, ``communes.at`` per lookup."""
    from shapely import Point

    from maillage.layers import locate

    class PerRowLocator(locate.Locator):
        def __init__(self, communes, file, report):
            self.communes, self.file, self.report = communes, file, report
            self.polygons = bool((communes["geometry_kind"] == "polygone").all())
            names = communes["name"]
            self.names = _AtLookup(communes, "name", names)
            self.points = _PointLookup(communes)

        def prepare(self, lat_cells, lon_cells):  # no batch step
            return None

        def commune_of_point(self, lon, lat):
            point = Point(lon, lat)
            if self.polygons:
                hits = self.communes.sindex.query(point, predicate="intersects")
                if len(hits) == 0:
                    hits = self.communes.sindex.query(
                        point.buffer(locate.CONTOUR_TOLERANCE_DEG), predicate="intersects")
                return None if len(hits) == 0 else self.communes.index[hits[0]]
            distances = [_km(lon, lat, x, y) for x, y in
                         zip(self.communes["point_lon"], self.communes["point_lat"])]
            best = min(range(len(distances)), key=distances.__getitem__)
            return (self.communes.index[best]
                    if distances[best] <= locate.MAX_KM_FROM_COMMUNE_POINT else None)

    return PerRowLocator


class _AtLookup(dict):
    """``names[code]`` answered by ``communes.at[code, "name"]`` as before (attrs copied)."""

    def __init__(self, communes, column, values):
        super().__init__(zip(communes.index, values))
        self.communes, self.column = communes, column

    def __getitem__(self, code):
        return self.communes.at[code, self.column]


class _PointLookup(dict):
    def __init__(self, communes):
        super().__init__((c, None) for c in communes.index)
        self.communes = communes

    def __getitem__(self, code):
        return (float(self.communes.at[code, "point_lon"]),
                float(self.communes.at[code, "point_lat"]))


# --- one measurement, in a child process -------------------------------------------------

def _communes():
    from maillage import layers
    from maillage.layers.communes import load_communes

    return load_communes(report=layers.ValidationReport())


def measure(method: str, path: Path, dump: Path | None) -> dict:
    """Run ``method`` on ``path`` once; seconds, rows, peak RSS (MB) of this process."""
    import pandas as pd

    from maillage import layers

    communes = _communes() if method != "read_csv" else None
    start = time.perf_counter()
    if method == "read_csv":
        rows = len(pd.read_csv(path, sep=";", dtype=str, keep_default_na=False))
        report = None
    else:
        if method == "per_row":
            import maillage.layers.facilities as facilities

            facilities.Locator = per_row_locator_class()
        report = layers.ValidationReport()
        layer = layers.load_facilities(path, communes=communes, report=report)
        rows = len(layer)
    seconds = time.perf_counter() - start
    if dump is not None and report is not None:
        layer.drop(columns="geometry").to_csv(dump.with_suffix(".csv"))
        dump.with_suffix(".txt").write_text(report.to_text(), encoding="utf-8")
    return {"seconds": seconds, "rows": rows,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "communes": "" if communes is None else str(communes["geometry_kind"].iloc[0])}


def _child(method: str, path: Path, dump: Path | None = None) -> dict:
    args = [sys.executable, __file__, "--one", method, str(path)]
    if dump is not None:
        args += ["--dump", str(dump)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000, 1_000_000])
    parser.add_argument("--baseline-rows", type=int, default=20_000,
                        help="largest file the previous per-row location is run on")
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], Path(args.one[1]), args.dump)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| lignes | Mo | méthode | s | lignes/s | × read_csv | gain vs ligne à ligne "
              "| pic mémoire Mo |")
        print("|---:|---:|---|---:|---:|---:|---:|---:|")
        compared = None
        for rows in args.rows:
            path = folder / f"structures-{rows}.csv"
            write_planner_file(path, rows)
            size = path.stat().st_size / 1e6
            floor = _child("read_csv", path)
            new = _child("maillage", path, folder / f"new-{rows}")
            old = None
            if rows <= args.baseline_rows:
                old = _child("per_row", path, folder / f"old-{rows}")
                compared = rows
            for name, result in (("pandas.read_csv (lecture seule)", floor),
                                 ("ligne à ligne (précédente)", old),
                                 (f"maillage load_facilities ({new['communes']}s)", new)):
                if result is None:
                    continue
                gain = "" if old is None else f"{old['seconds'] / result['seconds']:.1f}"
                print(f"| {rows:,} | {size:.0f} | {name} | {result['seconds']:.2f} | "
                      f"{rows / result['seconds']:,.0f} | "
                      f"{result['seconds'] / floor['seconds']:.1f} | {gain} | "
                      f"{result['peak_mb']:.0f} |".replace(",", " "))
        if compared is not None:
            same = all((folder / f"new-{compared}{s}").read_bytes()
                       == (folder / f"old-{compared}{s}").read_bytes() for s in (".csv", ".txt"))
            print(f"\nMême couche et même rapport (chaque message) que la localisation ligne à "
                  f"ligne sur {compared:,} lignes : {'oui' if same else 'NON'}".replace(",", " "))


if __name__ == "__main__":
    main()
