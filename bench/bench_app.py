"""Benchmark: ``maillage app`` — start-up to the first map, and the latency of one edit.

Start-up: the real command, ``maillage app --no-browser --port P``, in a fresh process; the
clock runs from its launch until the page's first map could be drawn: the address printed,
``GET /api/territory`` and the first ``POST /api/scenario/evaluate`` (the starting state)
answered. ``--detail`` also times the parts in a separate fresh process (imports, layers and
road graph, starting state, the page's layers).

Edits (same territory, same road graph, cell origins when the Filosofi cells are there): a
reproducible sequence of planner edits (open an ALSH, an EAJE, a RPE or a France services in
a random commune; resize, move by dragging, close an existing facility; undo), each answered
by ``POST /api/scenario/evaluate`` through FastAPI's TestClient (JSON in and out, every
indicator of the panel). Named baseline, on the first edits only (it is slow): the uncached
full recomputation, ``run_scenario`` of the same scenario for the same indicators with a
plain ``NetworkTimer`` (what ``maillage scenario run`` computes; no JSON, no panel extras).

Goals (issue 14): start-up to first map ≤ 10 s, median edit ≤ 300 ms; the last lines say
PASS or FAIL for each, with the machine's load average (the clock time of a shared machine
is not the app's). Run: ``python bench/bench_app.py [--edits 30] [--epci SIREN]
[--skip-startup] [--detail]`` (needs ``../shared/data`` for the road graph; falls back to
straight-line times, and says so). About a minute on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time

from timing import load

#: Goals of issue 14.
STARTUP_GOAL_S = 10.0
EDIT_GOAL_MS = 300.0

DETAIL = """
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


def startup(epci: str | None, timeout: float = 120.0) -> dict:
    """Seconds from launching ``maillage app --no-browser`` to the first map's data served.

    The server is stopped (terminate, then kill) whatever happens."""
    import httpx

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from maillage.app.server import free_port

    port = free_port()
    command = [sys.executable, "-m", "maillage", "app", "--no-browser", "--port", str(port)]
    if epci:
        command += ["--epci", epci]
    env = {**os.environ, "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
    try:
        url = None
        seen = []
        while url is None:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("maillage app s'est arrêté sans afficher son adresse :\n"
                                   + "".join(seen[-20:]))
            seen.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=([\w-]+)", line)
            if found:
                url, token = found.group(0), found.group(1)
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"pas d'adresse après {timeout:.0f} s")
        listening = time.perf_counter() - start
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"token {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
            territory = client.get("/api/territory")
            territory.raise_for_status()
            first = client.post("/api/scenario/evaluate", json=territory.json()["scenario"])
            first.raise_for_status()
        total = time.perf_counter() - start
        result = {"total": total, "listening": listening,
                  "timer": territory.json()["timer"]["description"],
                  "kb": (len(territory.content) + len(first.content)) / 1024}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    # CPU seconds of the app's process (it did nothing after the first map): what the
    # start-up costs whatever else runs on the machine.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu"] = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return result


def startup_detail(epci: str | None) -> dict:
    done = subprocess.run([sys.executable, "-c", DETAIL.format(epci=epci)], capture_output=True,
                          text=True, check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--baseline-edits", type=int, default=4,
                        help="edits also run by the uncached baseline (slow)")
    parser.add_argument("--epci", default=None, help="SIREN (default: the whole Lot)")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--detail", action="store_true", help="time the start-up's parts")
    args = parser.parse_args()

    verdicts = []
    print(f"Au départ : {load()}")
    if not args.skip_startup:
        s = startup(args.epci)
        print(f"Démarrage de « maillage app --no-browser » (processus neuf) : {s['total']:.1f} s "
              f"jusqu'aux données de la première carte (adresse affichée à "
              f"{s['listening']:.1f} s ; {s['kb']:.0f} Ko de JSON ; temps CPU du processus "
              f"{s['cpu']:.1f} s) ; {load()}")
        print(f"  temps de trajet : {s['timer']}")
        verdicts.append(("DÉMARRAGE", s["total"] <= STARTUP_GOAL_S,
                         f"{s['total']:.1f} s pour un objectif ≤ {STARTUP_GOAL_S:.0f} s "
                         f"(CPU {s['cpu']:.1f} s)"))
        if args.detail:
            d = startup_detail(args.epci)
            print(f"  détail (autre processus neuf) : imports {d['imports']:.1f} s, couches et "
                  f"réseau {d['load']:.1f} s, état de départ {d['first_state']:.1f} s, couches "
                  f"de la page {d['page_layers']:.1f} s ({d['layers_kb']:.0f} Ko)")

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
    for step, (label, scenario) in enumerate(edits(session, args.edits)):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/scenario/evaluate", json=scenario)
        app_ms.append(1000 * (time.perf_counter() - start))
        app_cpu.append(1000 * (time.process_time() - cpu))
        assert response.status_code == 200, response.text
        base = None
        if step < args.baseline_edits:
            parsed, _ = scenario_from_json(scenario)
            start, cpu = time.perf_counter(), time.process_time()
            run_scenario(with_layers(session.territory, facilities=session.registry), parsed,
                         timer=inner)
            base = 1000 * (time.perf_counter() - start)
            base_ms.append(base)
            base_cpu.append(1000 * (time.process_time() - cpu))
        rows.append((label, app_ms[-1], app_cpu[-1], base))
    territory = session.territory.name if not args.epci else args.epci
    print(f"\n{len(rows)} modifications sur {territory} ({session.timer.description} ; "
          f"origines : {session.origins.description})")
    print(f"{'modification':<22}{'app (ms)':>10}{'app CPU (ms)':>14}{'référence (ms)':>16}")
    for label, app, cpu, base in rows[:12]:
        print(f"{label:<22}{app:>10.0f}{cpu:>14.0f}{'' if base is None else f'{base:.0f}':>16}")
    med_app, med_cpu = statistics.median(app_ms), statistics.median(app_cpu)
    print(f"\nmédiane : app {med_app:.0f} ms (p90 {percentile(app_ms, 0.9):.0f} ms), temps CPU "
          f"{med_cpu:.0f} ms (insensible à la charge de la machine) ; {load()}")
    if base_ms:
        first = statistics.median(app_ms[:len(base_ms)])
        print(f"référence sans mémoire (run_scenario, {len(base_ms)} premières modifications) : "
              f"médiane {statistics.median(base_ms):.0f} ms, CPU "
              f"{statistics.median(base_cpu):.0f} ms ; ratio référence ÷ app sur les mêmes "
              f"modifications {statistics.median(base_ms) / first:.1f}")
    print(f"colonnes de temps routées : {session.timer.misses}, relues en mémoire : "
          f"{session.timer.hits}")
    verdicts.append(("MODIFICATION", med_app <= EDIT_GOAL_MS,
                     f"médiane {med_app:.0f} ms pour un objectif ≤ {EDIT_GOAL_MS:.0f} ms "
                     f"(CPU {med_cpu:.0f} ms)"))
    print()
    for name, passed, text in verdicts:
        print(f"{name} : {'PASS' if passed else 'FAIL'} — {text} ; {load()}")


if __name__ == "__main__":
    main()
