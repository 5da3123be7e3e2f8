"""Benchmark: travel-time matrices bounded by the largest threshold in use vs unbounded.

Not a test: a script that prints a table. Run ``python bench/bench_cutoff.py`` (``--quick``:
fewer repeats). Needs ``../shared/data`` (the Lot road graph).

A diagnostic compares travel times with thresholds (2SFCA catchment 20 min, coverage and
sensitivity 10–30 min): times beyond the largest threshold are never read, so the pipeline
passes it to the engine as ``cutoff`` (minutes) and the Dijkstra searches stop there. Each
row times the same matrix both ways in the same run, checks that every time within the
cutoff is identical, and prints the ratio unbounded ÷ bounded (> 1: the bound is faster).

Rows, on the Lot's A/N/D roads (:func:`maillage.geo.default_timer`):

- the diagnostic's 2SFCA / sensitivity matrix: 312 commune points × the ALSH and EAJE sites
  of the registry in force (cutoff :attr:`DiagnosticSettings.cutoff_minutes`, 30 min);
- the presence matrix: commune points × RPE and France services sites and itinerant stops;
- siting at 15 min (``maillage site cover --minutes 15``): commune points × (existing ALSH +
  one candidate per commune);
- population cells: 4,595 Filosofi 1 km cells × 320 commune centres at 15 and 30 min.
"""

from __future__ import annotations

import argparse

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.analysis.capacity import in_force
from maillage.analysis.itinerant import presence_points
from maillage.analysis.siting.territory import commune_candidates
from maillage.geo import NetworkTimer, load_edge_list, population_points
from maillage.kinds import counted_kinds
from maillage.layers import load_territory
from maillage.pipeline import commune_points
from maillage.settings import DEFAULT_SETTINGS, shared_data_dir
from timing import best_of

AT = "2025-06-01"


def points(frame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            index=frame.index.astype(str), crs="EPSG:4326")


def cases(shared):
    """(name, origins, destinations, cutoff minutes) of each row."""
    lot = load_territory("lot", offline=True)
    origins = commune_points(lot.communes)
    sites = in_force(lot.facilities, AT)
    cutoff = DEFAULT_SETTINGS.cutoff_minutes
    with_places = sites[sites["kind"].isin({*counted_kinds("alsh"), *counted_kinds("eaje")})]
    yield ("2SFCA + sensibilité (ALSH, EAJE)", origins, with_places[["geometry"]], cutoff)
    present = presence_points(lot.facilities, lot.itinerant_stops,
                              kinds=("rpe", "france_services"), at=AT)
    present = present[present["lon"].notna() & present["lat"].notna()]
    yield ("présence (RPE, France services, arrêts)", origins, points(present), cutoff)
    alsh = sites[sites["kind"] == "alsh"][["geometry"]]
    candidates = commune_candidates(lot.communes)[["geometry"]]
    yield ("implantation ALSH, seuil 15 min", origins,
           pd.concat([alsh, candidates]), 15.0)
    communes = gpd.read_file(shared / "communes" / "communes-46-lot.geojson").set_index("code")
    cells = population_points(communes, shared / "population" / "filosofi2015_1km_lot.csv")
    centres = gpd.GeoDataFrame(geometry=communes.representative_point())
    for minutes in (15.0, 30.0):
        yield (f"carreaux 1 km × chefs-lieux, {minutes:g} min", cells, centres, minutes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per measure")
    args = parser.parse_args()
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data absent : le graphe routier du Lot est nécessaire")
    repeat = 1 if args.quick else 5
    graph = load_edge_list(shared / "roads" / "travelmapping_edges_lot_bbox.csv")
    timer = NetworkTimer(graph)
    print(f"Réseau : {timer.description} ; meilleur de {repeat} essai(s)\n")
    print(f"{'matrice':45} {'paires':>9} {'seuil':>6} {'sans borne s':>13} "
          f"{'bornée s':>9} {'ratio':>6} {'identique':>9}")
    for name, origins, destinations, cutoff in cases(shared):
        full_s, full = best_of(lambda: timer.matrix(origins, destinations), repeat)
        bounded_s, bounded = best_of(lambda: timer.matrix(origins, destinations, cutoff=cutoff),
                                     repeat)
        expected = full.where(full <= cutoff, np.inf)
        same = bool(np.array_equal(expected.to_numpy(), bounded.to_numpy()))
        print(f"{name:45} {full.size:>9,} {cutoff:>6g} {full_s:>13.3f} {bounded_s:>9.3f} "
              f"{full_s / bounded_s:>6.1f} {'oui' if same else 'NON':>9}")


if __name__ == "__main__":
    main()
