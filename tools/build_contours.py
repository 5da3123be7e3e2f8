"""Build ``communes_lot.geojson``: the Lot's commune contours dissolved to the 2026 communes.

Usage: ``python tools/build_contours.py [TOLERANCE_DEGREES]`` with ``../shared/data``
present (or ``MAILLAGE_SHARED_DATA`` set). Reads the IGN Admin Express 2018 contours of the Lot
(``communes/communes-46-lot.geojson``, Licence Ouverte, already simplified by Visvalingam at
25 %), maps every 2018 code to its 2026 commune (``admin/lot_commune_codes_2015plus_to_cog2026.csv``
through :func:`maillage.layers.current_code`), dissolves, simplifies the whole set as one
coverage (shared borders stay shared: ``shapely.coverage_simplify``), rounds coordinates to
4 decimals (≈ 10 m) and writes a GeoJSON of 312 features with the property ``code`` only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapely

from maillage.layers.contours import read_contours
from maillage.layers.report import ValidationReport
from maillage.settings import shared_data_dir

TARGET = Path(__file__).resolve().parent.parent / "data" / "communes_lot.geojson"


def main(argv: list[str]) -> None:
    """Command-line entry point (``argv`` as ``sys.argv``)."""
    tolerance = float(argv[1]) if len(argv) > 1 else 0.0004
    shared = shared_data_dir()
    if shared is None:
        sys.exit("../shared/data introuvable : donner MAILLAGE_SHARED_DATA")
    contours = read_contours(shared / "communes" / "communes-46-lot.geojson", ValidationReport())
    contours = contours.sort_index()
    geometries = shapely.coverage_simplify(contours.geometry.values, tolerance)
    geometries = shapely.set_precision(geometries, 1e-4)
    features = []
    for code, geometry in zip(contours.index, geometries):
        shape = shapely.geometry.mapping(geometry)
        features.append({"type": "Feature", "properties": {"code": code},
                         "geometry": json.loads(json.dumps(shape))})
    collection = {"type": "FeatureCollection", "features": features}
    TARGET.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"{TARGET} : {len(features)} communes, {TARGET.stat().st_size / 1e3:.0f} ko")


if __name__ == "__main__":
    main(sys.argv)
