"""Compare the Grand Cahors figures computed from commune points and from Filosofi cells.

Usage: ``MAILLAGE_SHARED_DATA=../shared/data python tools/compare_origins.py [OUT.md]``
(needs the Lot's Filosofi 200 m cells and road graph of ``shared/data``). Builds the
diagnostic of Grand Cahors twice on the same road-network timer, once with one origin per
commune (representative point) and once with the inhabited 200 m cells weighted by children,
and writes a Markdown table of the headline figures (default ``docs/origins.md``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from maillage.geo import default_timer
from maillage.layers import load_territory
from maillage.pipeline import build_diagnostic, demo_scenario_path, with_layers

GRAND_CAHORS = "200023737"
HEADER = """# Origins of travel times: commune points versus the cells where children live

Grand Cahors (36 communes, 42,094 inhabitants), facilities in force on {date}, travel times on
{timer}. **Commune points**: one origin per commune, at its representative point, with all its
children. **Cells**: the {cells} inhabited INSEE Filosofi 2021 200 m cells of the EPCI, each
weighted by the children of the right age who live there (cell children scaled so that each
commune's cells add up to its counts); commune figures are children-weighted means of their
cells. Children of 3 to 11 years (ALSH) are 3–5 + 6–10 + the 11-year-olds, 1/7 of the band
11–17 (the CAF band includes age 11; Filosofi 2021 rule of `maillage.layers.filosofi.BAND_RULE`,
with 0–2 = ¾ of 0–3 and 3–5 = ¼ of 0–3 + 4–5). Computed by `tools/compare_origins.py`
({seconds:.0f} s for both runs).

| figure | commune points | cells | difference |
|---|---|---|---|
"""

READING = """
Reading. Places per 100 children do not move: they count children per commune, and both
runs use the same counts. The 2SFCA mean over the EPCI does not move either: every child of
Grand Cahors reaches an ALSH within 20 minutes, so the weighted mean is places ÷ children in
both runs. What moves is *who is within N minutes*: a commune point stands for the whole
commune, cells put children in the hamlets and quarters where they live. Mean times rise
(children live farther from the facilities than the village centres), while shares within
15–20 minutes can rise or fall: a large commune whose point lies on the wrong side of a
threshold moves all its children at once with points, only some with cells (Cahors's
inhabitants within 15 minutes of a France services site). Zones blanches are communes whose
children-weighted mean time exceeds 20 minutes. Run again with `tools/compare_origins.py`.
"""


def _rows(diag):
    rows = {}
    for access in diag.access:
        for minutes, row in access.coverage.iterrows():
            rows[f"{access.kind} : part des {access.population_label} à {minutes:g} min ou "
                 "moins (%)"] = 100 * row["share_within"]
        rows[f"{access.kind} : communes à plus de 20 min (zones blanches, nombre)"] = float(
            (access.nearest["minutes"].astype(float) > 20).sum())
    for result in diag.capacity:
        if result.fca is not None:
            children = result.by_commune["children"].reindex(result.fca.index)
            valid = result.fca.notna()
            rows[f"{result.kind} : 2SFCA {result.fca_minutes:g} min, places pour 100 enfants "
                 "(moyenne pondérée par les enfants)"] = float(
                (result.fca[valid] * children[valid]).sum() / children[valid].sum())
    if diag.scenario is not None:
        for _, row in diag.scenario.table.iterrows():
            for state, column in (("avant", "Avant"), ("après", "Après")):
                rows[f"scénario Calamane, {state} : {row['Indicateur']}"] = float(row[column])
    return rows


def main(argv):
    """Command-line entry point (``argv`` as ``sys.argv``)."""
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "origins.md"
    territory = load_territory(epci=GRAND_CAHORS, offline=True)
    if territory.cells is None:
        sys.exit("carroyage Filosofi absent : donner MAILLAGE_SHARED_DATA")
    timer = default_timer(territory)
    start = time.perf_counter()
    date = "2025-06-01"
    scenario = demo_scenario_path()
    cells = _rows(build_diagnostic(territory, timer, at=date, scenario=scenario))
    points = _rows(build_diagnostic(with_layers(territory, cells=None), timer, at=date,
                                    scenario=scenario))
    seconds = time.perf_counter() - start
    text = HEADER.format(date=date, timer=timer.description, cells=f"{len(territory.cells):,}",
                         seconds=seconds)
    for name, before in points.items():
        after = cells.get(name)
        if after is None:
            continue
        text += f"| {name} | {before:.1f} | {after:.1f} | {after - before:+.1f} |\n"
    text += READING
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv)
