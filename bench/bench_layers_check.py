"""Benchmark: ``maillage layers check`` on a planner's facility file of 20k, 100k, 1M rows.

What is timed is what the command runs: :func:`maillage.layers.load_facilities` (read the CSV,
validate every cell, place every row in its commune, build the layer and the report). Two
baselines, measured in the same run on the same files:

- ``pandas.read_csv`` of the file (text cells, no validation): the floor, what merely reading
  costs; the ratio says how many times slower than reading validation is;
- the previous row-by-row validation: ``layers/facilities.py`` as it was at commit
  :data:`BASELINE_COMMIT` (one dict per row, every rule and every report entry row by row,
  the commune location already vectorised), read from git and plugged into the same
  package. Slow (≈ 6 s for 20k rows, > 20 min and 3.5 GB for 1M rows), so only run up to
  ``--baseline-rows``.

Every method runs in its own child process, so that the peak memory (``ru_maxrss``) is that
method's alone. The files: random facilities of the Lot (alsh, eaje, mam, rpe, France
services), 60 % placed by INSEE code, 40 % by coordinates jittered around a commune's point
(within 250 m; half of them without a code: the commune is deduced), French decimal commas, dates, ages,
opening periods, one end date in seven written 31/12/2999. The communes are those
``layers check`` uses: contours from ``../shared/data`` when present, else commune points.

The timed files are clean (a valid export: every row loads). The previous and the new
validation are also checked to give the same layer and the same report (every message, in
the same order) on the largest file both ran on, and the same report on a file of that size
with one planner's mistake in 50 rows (unknown kind, places in letters, impossible date,
unknown opening word, swapped coordinates, point outside the territory, blank line...).

Run: ``python bench/bench_layers_check.py [--rows 20000 100000 1000000] [--baseline-rows
20000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HEADER = ("nom;type;code_insee;latitude;longitude;places;age_min;age_max;ouverture;"
          "date_debut;date_fin\n")


#: Commit whose ``layers/facilities.py`` is the row-by-row baseline.
BASELINE_COMMIT = "74c7427cb04128d32fc9c00df6157fdae8ab553b"
#: Planners' mistakes, cycled over one row in 50 of the ``--mistakes`` file: column -> cell.
MISTAKES = [{"type": "garderie"}, {"places": "vingt"}, {"places": "-4"}, {"places": "1e400"},
            {"date_debut": "31/02/2025"}, {"date_fin": "01/01/1019"},
            {"ouverture": "dimanches"}, {"latitude": "1,33856", "longitude": "44,55979"},
            {"latitude": "43,6045", "longitude": "1,444", "code_insee": ""},
            {"code_insee": "46999"}, {"code_insee": "4604"}, {"code_insee": "46300"},
            {"age_min": "12", "age_max": "3"}, {"age_max": "400"}, {"nom": ""},
            {"latitude": "1e400"}, {"latitude": "44,5"}, {"type": "Crèche", "places": ""},
            {"type": "rpe"}, {"ouverture": "lundi et mardi, vacances"}, {"*": ""}]


def write_planner_file(path: Path, rows: int, seed: int = 0, mistakes: bool = False) -> None:
    """A facility CSV of ``rows`` rows as planners export them (see the module docstring)."""
    from maillage.layers.communes import embedded_communes

    rng = np.random.default_rng(seed)
    communes = embedded_communes()
    codes = communes["code"].astype(str).to_numpy()
    lon, lat = communes["point_lon"].to_numpy(), communes["point_lat"].to_numpy()
    pick = rng.integers(0, len(codes), rows)
    by_point = rng.random(rows) < 0.4
    # within the point-in-commune tolerance (0.003°) of the commune's point: every row loads
    jitter_lon = lon[pick] + np.clip(rng.normal(0, 0.001, rows), -0.0025, 0.0025)
    jitter_lat = lat[pick] + np.clip(rng.normal(0, 0.001, rows), -0.0025, 0.0025)
    kinds = np.array(["alsh", "eaje", "rpe", "mam", "france_services"])[rng.integers(0, 5, rows)]
    columns = HEADER.strip().split(";")
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
            cells = [f"Structure {i}", kinds[i], code, la, lo, str(20 + i % 30), "3", "11",
                     "mercredis, vacances", "01/09/2019", end]
            if mistakes and i % 50 == 7:
                change = MISTAKES[(i // 50) % len(MISTAKES)]
                cells = ([""] * len(cells) if "*" in change else
                         [change.get(c, v) for c, v in zip(columns, cells)])
            out.write(";".join(cells) + "\n")


def use_row_by_row_baseline() -> None:
    """Swap in ``layers/facilities.py`` of :data:`BASELINE_COMMIT` (read from git)."""
    import importlib.util

    import maillage.layers as layers
    import maillage.layers.facilities as current

    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "-C", str(root), "show",
                             f"{BASELINE_COMMIT}:layers/facilities.py"],
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("maillage.layers.facilities", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "maillage.layers"
    exec(compile(source, f"{BASELINE_COMMIT[:7]}:layers/facilities.py", "exec"),
         module.__dict__)
    current.validate_facilities = module.validate_facilities
    layers.load_facilities = module.load_facilities


# --- one measurement, in a child process -------------------------------------------------

def _communes():
    from maillage import layers
    from maillage.layers.communes import load_communes

    return load_communes(report=layers.ValidationReport())


def measure(method: str, path: Path, dump: Path | None) -> dict:
    """Run ``method`` on ``path`` once; seconds, rows, peak RSS (MB) of this process."""
    import pandas as pd

    from maillage import layers
    from maillage.errors import InputError

    communes = _communes() if method != "read_csv" else None
    if method == "per_row":
        use_row_by_row_baseline()
    start = time.perf_counter()
    layer = report = None
    if method == "read_csv":
        rows = len(pd.read_csv(path, sep=";", dtype=str, keep_default_na=False))
    else:
        report = layers.ValidationReport()
        try:
            layer = layers.load_facilities(path, communes=communes, report=report)
            rows = len(layer)
        except InputError:
            rows = 0
    seconds = time.perf_counter() - start
    if dump is not None and report is not None:
        if layer is not None:
            layer.drop(columns="geometry").to_csv(dump.with_suffix(".csv"))
            dump.with_suffix(".dtypes").write_text(str({k: str(v) for k, v in layer.dtypes.items()}))
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


def _same(folder: Path, one: str, two: str) -> bool:
    files = [p.name[len(one):] for p in folder.glob(f"{one}*")]
    return bool(files) and all((folder / f"{one}{s}").read_bytes()
                               == (folder / f"{two}{s}").read_bytes() for s in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000, 1_000_000])
    parser.add_argument("--baseline-rows", type=int, default=20_000,
                        help="largest file the previous row-by-row validation is run on")
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
            compare = rows <= args.baseline_rows  # dumps (layer, report) only to compare
            new = _child("maillage", path, folder / f"new-{rows}" if compare else None)
            old = None
            if compare:
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
                      f"{result['peak_mb']:.0f} |".replace(",", " "), flush=True)
        if compared is not None:
            same = _same(folder, f"new-{compared}", f"old-{compared}")
            path = folder / "erreurs.csv"
            write_planner_file(path, compared, seed=1, mistakes=True)
            _child("maillage", path, folder / "new-erreurs")
            _child("per_row", path, folder / "old-erreurs")
            errors = (folder / "new-erreurs.txt").read_text(encoding="utf-8").count("[erreur]")
            same_errors = _same(folder, "new-erreurs", "old-erreurs")
            n = f"{compared:,}".replace(",", " ")
            print(f"\nMême couche et même rapport (chaque message, dans l'ordre) que la "
                  f"validation ligne à ligne sur {n} lignes : {'oui' if same else 'NON'} ; "
                  f"même rapport sur un fichier de {n} lignes avec {errors} erreurs : "
                  f"{'oui' if same_errors else 'NON'}")


if __name__ == "__main__":
    main()
