"""maillage.layers: read and validate the layers of a territory (communes, facilities,
itinerant stops, GTFS bus stops), with a report of every change and the source of each layer.

Public names are imported lazily so that ``import maillage.layers`` stays fast.
"""

from __future__ import annotations

from maillage.lazy import lazy_getattr

_PUBLIC = {
    "load_territory": "maillage.layers.territory",
    "Territory": "maillage.layers.territory",
    "load_communes": "maillage.layers.communes",
    "embedded_communes": "maillage.layers.communes",
    "current_code": "maillage.layers.communes",
    "apply_insee_ages": "maillage.layers.communes",
    "read_contours": "maillage.layers.contours",
    "read_geo": "maillage.layers.tables",
    "fetch_geo_api": "maillage.layers.contours",
    "load_facilities": "maillage.layers.facilities",
    "KINDS": "maillage.layers.facilities",
    "load_itinerant_stops": "maillage.layers.itinerant",
    "load_gtfs_stops": "maillage.layers.gtfs",
    "load_france_services": "maillage.layers.france_services",
    "ValidationReport": "maillage.layers.report",
    "LayerSource": "maillage.layers.report",
    "AGE_BANDS": "maillage.layers.ages",
}

__all__ = list(_PUBLIC)


__getattr__ = lazy_getattr("maillage.layers", _PUBLIC)
