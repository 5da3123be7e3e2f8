"""Benchmark: ``maillage app`` — start-up to first map, and the latency of one edit.

Start-up (a fresh Python process, imports included): load the Lot and its road graph,
compute the starting state (:meth:`Session.warm`), serialise the territory for the page —
everything before the first map is drawn.

Edits (same run, same territory, same road graph): a sequence of planner edits (open an ALSH,
an EAJE, a RPE or a France services in a random commune; resize, move by dragging, close an
existing facility; undo), each answered by ``POST /api/scenario/evaluate`` through FastAPI's
TestClient (JSON in and out, every indicator of the panel). Named baseline: the uncached full
recomputation, ``run_scenario`` of the same scenario for the same indicators with a plain
``NetworkTimer`` (what ``maillage scenario run`` computes; no JSON, no panel extras). Prints
the median and 90th percentile in ms, and the ratio baseline ÷ app.

Run: ``python bench/bench_app.py [--edits N] [--epci SIREN]`` (needs ``../shared/data`` for
the road graph; falls back to straight-line times, and says so).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

STARTUP = """
import json, time
t0 = time.perf_counter()
from maillage.app.start import open_session
from maillage.app.server import create_app, new_token
t1 = time.perf_counter()
session = open_session(epci={epci!r}, warm=False)
t2 = time.perf_counter()
session.warm()
t3 = time.perf_counter()
create_app(session, new_token())
payload = json.dumps(session.territory_json())
t4 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "load": t2 - t1, "first_state": t3 - t2,
                  "page_layers": t4 - t3, "total": t4 - t0, "timer": session.timer.description,
                  "layers_kb": len(payload) / 1024}}))
"""


def startup(epci: str | None) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", STARTUP.format(epci=epci)], capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start
    return result


def edits(session, n: int, seed: int = 0):
    """A reproducible sequence of page scenarios, one per edit (each the previous + 1 change,
    or the previous − 1 for an undo)."""
    rng = random.Random(seed)
    communes = session.territory.communes
    if session.epci:
        communes = communes[communes["epci"].astype(str) == session.epci]
    codes = list(communes.index.astype(str))
    in_force = session.registry
    in_force = in_force[in_force["commune_code"].astype(str).isin(codes)]
    existing = [str(i) for i in in_force.index if in_force.at[i, "kind"] == "alsh"
                and str(i).split("-")[-1] != "2020"]
    scenario = session.base_scenario()
    history = []
    for step in range(n):
        opened = [c["ouvrir"]["id"] for c in scenario["changements"] if "ouvrir" in c]
        closed = {c["fermer"]["id"] for c in scenario["changements"] if "fermer" in c}
        action = rng.choice(["open", "open", "resize", "move", "close", "undo"])
        change = None
        if action == "undo" and history:
            scenario = history.pop()
            yield "annuler", scenario
            continue
        if action == "open" or not existing:
            kind = rng.choice(["alsh", "eaje", "rpe", "france_services"])
            fid = f"bench-{kind}-{step}"
            fields = {"id": fid, "type": kind, "nom": f"Banc {step}", "commune": rng.choice(codes)}
            if kind in ("alsh", "eaje"):
                fields["places"] = rng.choice([12, 20, 30])
            change, label = {"ouvrir": fields}, "ouvrir"
        else:
            candidates = [i for i in existing + opened if i not in closed]
            fid = rng.choice(candidates)
            if action == "resize" and fid in existing:
                change, label = {"redimensionner": {"id": fid, "places": rng.choice([30, 60])}}, \
                    "redimensionner"
            elif action == "close":
                change, label = {"fermer": {"id": fid}}, "fermer"
            else:
                row = communes.loc[rng.choice(codes)]
                change, label = {"deplacer": {"id": fid,
                                              "lat": float(row["point_lat"]) + rng.uniform(-.01, .01),
                                              "lon": float(row["point_lon"]) + rng.uniform(-.01, .01)}}, \
                    "déplacer (glisser)"
        history.append(scenario)
        scenario = {**scenario, "changements": scenario["changements"] + [change]}
        yield label, scenario


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--epci", default=None, help="SIREN (default: the whole Lot)")
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()

    if not args.skip_startup:
        s = startup(args.epci)
        print(f"Démarrage (processus neuf) : {s['total']:.1f} s jusqu'à la première carte "
              f"(imports {s['imports']:.1f} s, couches et réseau {s['load']:.1f} s, état de "
              f"départ {s['first_state']:.1f} s, couches de la page {s['page_layers']:.1f} s, "
              f"{s['layers_kb']:.0f} Ko) ; temps : {s['timer']}")

    from fastapi.testclient import TestClient

    from maillage.analysis import run_scenario
    from maillage.app.scenario_json import scenario_from_json
    from maillage.app.server import create_app, new_token
    from maillage.app.start import open_session
    from maillage.pipeline import with_layers

    session = open_session(epci=args.epci)
    inner = session.timer.inner
    token = new_token()
    client = TestClient(create_app(session, token), base_url="http://127.0.0.1")
    client.headers["Authorization"] = f"token {token}"
    app_ms, base_ms, app_cpu, base_cpu, rows = [], [], [], [], []
    for label, scenario in edits(session, args.edits):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/scenario/evaluate", json=scenario)
        app_ms.append(1000 * (time.perf_counter() - start))
        app_cpu.append(1000 * (time.process_time() - cpu))
        assert response.status_code == 200, response.text
        parsed, _ = scenario_from_json(scenario)
        start, cpu = time.perf_counter(), time.process_time()
        run_scenario(with_layers(session.territory, facilities=session.registry), parsed,
                     timer=inner)
        base_ms.append(1000 * (time.perf_counter() - start))
        base_cpu.append(1000 * (time.process_time() - cpu))
        rows.append((label, app_ms[-1], base_ms[-1]))
    territory = session.territory.name if not args.epci else args.epci
    print(f"\n{len(rows)} modifications sur {territory} ({session.timer.description})")
    print(f"{'modification':<22}{'app (ms)':>10}{'référence (ms)':>16}")
    for label, app, base in rows[:12]:
        print(f"{label:<22}{app:>10.0f}{base:>16.0f}")
    med_app, med_base = statistics.median(app_ms), statistics.median(base_ms)
    print(f"\nmédiane : app {med_app:.0f} ms (p90 {percentile(app_ms, 0.9):.0f} ms) ; "
          f"référence sans mémoire run_scenario {med_base:.0f} ms "
          f"(p90 {percentile(base_ms, 0.9):.0f} ms) ; ratio référence ÷ app "
          f"{med_base / med_app:.1f}")
    print(f"temps CPU (insensible à la charge de la machine) : médiane app "
          f"{statistics.median(app_cpu):.0f} ms, référence {statistics.median(base_cpu):.0f} ms"
          f" ; charge moyenne de la machine : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} "
          "cœurs")
    print(f"colonnes de temps routées : {session.timer.misses}, relues en mémoire : "
          f"{session.timer.hits}")


if __name__ == "__main__":
    main()
