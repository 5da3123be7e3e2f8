"""A synthetic, road-like OpenStreetMap file (.osm.pbf) of any size, written with pyosmium.

No national extract exists on the development machine; this writes one with the shape of an
unsimplified OSM drive network: junctions on a jittered grid (≈ 1 km apart), each stretch
between two junctions drawn with ``shape`` intermediate nodes (bends), ways of two stretches
(≈ 9 node references per way, as OSM road ways), road classes by grid line (primary every
20th line, secondary every 5th, residential otherwise), some ``maxspeed`` tags (in km/h, mph
and "FR:urban"), 5 % one-way residential ways (half of them tagged against the node order),
8 % of residential ways removed (dead ends, a few cut-off islands dropped as osmnx drops
them). Arcs per node ≈ 2.1, as in real unsimplified OSM drive graphs (Andorra 1.9,
Saint-Barthélemy 2.0). Deterministic for a seed.

``python bench/synthetic_osm.py 250000 out.osm.pbf`` writes ≈ 250,000 road nodes.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np


def synthetic_osm(path, nodes: int, *, shape: int = 3, seed: int = 15) -> dict:
    """Write a road-like ``.osm.pbf`` (or ``.osm``) of about ``nodes`` road nodes.

    Parameters
    ----------
    path : str or pathlib.Path
        Output file; the extension chooses the format (pyosmium).
    nodes : int
        Wanted number of road nodes (the file holds about that many).
    shape : int
        Intermediate (shape) nodes between two junctions.
    seed : int
        Random seed.

    Returns
    -------
    dict
        ``nodes``, ``ways`` written and ``seconds`` taken.
    """
    import osmium

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    per_cell = 1 + 2 * shape  # one junction and two stretches of shape nodes per grid cell
    side = max(3, int(math.sqrt(nodes / per_cell)))
    spacing_deg = 0.009  # ≈ 1 km in latitude
    jx = (np.arange(side)[None, :] + rng.uniform(-0.3, 0.3, (side, side))) * spacing_deg * 1.4
    jy = (np.arange(side)[:, None] + rng.uniform(-0.3, 0.3, (side, side))) * spacing_deg
    junction_lon, junction_lat = (0.5 + jx).ravel(), (43.5 + jy).ravel()
    grid = np.arange(side * side).reshape(side, side)  # junction index (id - 1), row-major
    # Stretches between neighbouring junctions: along rows, then along columns; ways take
    # two consecutive stretches of one line.
    rows = np.stack([grid[:, :-1].ravel(), grid[:, 1:].ravel()], axis=1)
    cols = np.stack([grid[:-1, :].T.ravel(), grid[1:, :].T.ravel()], axis=1)
    stretches = np.concatenate([rows, cols])
    n_stretch = len(stretches)
    t = (np.arange(1, shape + 1) / (shape + 1))[None, :]
    a_lon, a_lat = junction_lon[stretches[:, 0]][:, None], junction_lat[stretches[:, 0]][:, None]
    b_lon, b_lat = junction_lon[stretches[:, 1]][:, None], junction_lat[stretches[:, 1]][:, None]
    shape_lon = a_lon + t * (b_lon - a_lon) + rng.normal(0, spacing_deg * 0.03, (n_stretch, shape))
    shape_lat = a_lat + t * (b_lat - a_lat) + rng.normal(0, spacing_deg * 0.03, (n_stretch, shape))
    n_junctions = side * side
    shape_ids = n_junctions + 1 + np.arange(n_stretch * shape).reshape(n_stretch, shape)
    lon = np.concatenate([junction_lon, shape_lon.ravel()])
    lat = np.concatenate([junction_lat, shape_lat.ravel()])
    per_line = side - 1
    lines = np.arange(n_stretch) // per_line % side  # grid line of each stretch
    draw = rng.random(n_stretch)
    extra = rng.random(n_stretch)
    folder = Path(path).parent
    opl = folder / (Path(path).name + ".opl")
    with open(opl, "w", encoding="utf-8") as out:
        out.write("\n".join(f"n{i + 1} v1 x{x:.7f} y{y:.7f}" for i, (x, y) in
                             enumerate(zip(lon.tolist(), lat.tolist()))))
        out.write("\n")
        way_id = 0
        for first in range(0, n_stretch, per_line):  # one grid line
            for k in range(first, first + per_line, 2):
                pair = range(k, min(k + 2, first + per_line))
                tags = _tags(int(lines[k]), float(draw[k]), float(extra[k]))
                if not tags:
                    continue
                refs = [int(stretches[k, 0]) + 1]
                for j in pair:
                    refs += shape_ids[j].tolist() + [int(stretches[j, 1]) + 1]
                way_id += 1
                tag_text = ",".join(f"{key}={value.replace(' ', '%20%')}" for key, value in tags.items())
                out.write(f"w{way_id} v1 T{tag_text} N{','.join(f'n{r}' for r in refs)}\n")
    path = Path(path)
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        osmium.apply(str(opl), writer)  # OPL → PBF in pyosmium's C++ reader and writer
    finally:
        writer.close()
    opl.unlink()
    return {"nodes": len(lon), "ways": way_id, "seconds": time.perf_counter() - start}


def _tags(line: int, draw: float, extra: float) -> dict:
    """Tags of a way on grid line ``line`` (empty: the way is removed)."""
    if line % 20 == 0:
        return {"highway": "primary", **({"maxspeed": "80"} if draw < 0.5 else {})}
    if line % 5 == 0:
        tags = {"highway": "secondary"}
        if draw < 0.2:
            tags["maxspeed"] = ["70", "50 mph", "FR:rural"][int(extra * 3)]
        return tags
    if draw < 0.08:
        return {}
    tags = {"highway": "residential"}
    if draw < 0.13:
        tags["oneway"] = "yes" if draw < 0.105 else "-1"
    elif draw < 0.2:
        tags["maxspeed"] = ["30", "FR:urban"][int(extra * 2)]
    return tags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nodes", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(synthetic_osm(args.out, args.nodes))


if __name__ == "__main__":
    main()
