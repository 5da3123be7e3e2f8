"""Rebuild the children columns of ``communes_lot.csv`` from INSEE Filosofi 2021.

Usage: ``python tools/build_ages.py [FILOSOFI_CELLS_CSV]`` (default: the Lot's 200 m cells
of ``shared/data/population``). Reads the embedded ``communes_lot.csv``, sums the cells per
commune, writes the Filosofi sums (``filosofi_*`` columns, inhabitants and children) and the
census-level bands ``pop_0_2`` … ``pop_11_17`` and the 11-year-olds ``pop_11`` (Filosofi age
shares × population municipale, rule of :mod:`maillage.layers.filosofi`), and rewrites the
file in place. Only aggregated
counts per commune are written: the cells themselves are never copied into the project.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from maillage.layers import filosofi
from maillage.layers.communes import current_code
from maillage.layers.report import ValidationReport

HERE = Path(__file__).resolve().parent.parent / "data"
TABLE = HERE / "communes_lot.csv"
SUMS = {"filosofi_ind": "ind", "filosofi_0_3": "ind_0_3", "filosofi_4_5": "ind_4_5",
        "filosofi_6_10": "ind_6_10", "filosofi_11_17": "ind_11_17"}


def main(argv: list[str]) -> None:
    """Command-line entry point (``argv`` as ``sys.argv``)."""
    path = Path(argv[1]) if len(argv) > 1 else filosofi.shared_file()
    if path is None or not path.is_file():
        sys.exit("fichier Filosofi introuvable : donner son chemin")
    table = pd.read_csv(TABLE, dtype=str, keep_default_na=False)
    frame = table.set_index("code", drop=False)
    frame["population"] = frame["population"].astype(float)
    report = ValidationReport()
    derived = filosofi.apply_filosofi(frame, path, report)
    print(report.to_text())
    sums = filosofi.commune_sums(filosofi.read_cells(path))
    sums.index = [current_code(c) for c in sums.index]
    sums = sums.groupby(level=0).sum().reindex(frame.index)
    for column, source in SUMS.items():
        table[column] = sums[source].round(1).to_numpy()
    for band in filosofi.BAND_RULE:
        table[band] = derived[band].to_numpy()
    table["age_source"] = derived["age_source"].to_numpy()
    columns = [c for c in table.columns if c not in SUMS and c not in filosofi.BAND_RULE]
    at = columns.index("population") + 1
    columns = columns[:at] + list(filosofi.BAND_RULE) + columns[at:] + list(SUMS)
    table[columns].to_csv(TABLE, index=False, lineterminator="\n")
    print(f"{TABLE} : {len(table)} communes réécrites depuis {path.name}")


if __name__ == "__main__":
    main(sys.argv)
