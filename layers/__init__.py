"""maillage.layers: read and validate the layers of a territory (communes, facilities,
itinerant stops, GTFS bus stops), with a report of every change and the source of each layer.

- Territory: :func:`load_territory` → :class:`Territory` (communes, facilities, stops, sources).
- Communes: :func:`load_communes`, :func:`embedded_communes`, :func:`current_code`,
  :func:`apply_insee_ages`; contours :func:`read_contours`, :func:`fetch_geo_api`;
  any geographic file in EPSG:4326: :func:`read_geo`.
- Facilities: :func:`load_facilities` (:data:`KINDS`), :func:`load_itinerant_stops`,
  :func:`load_gtfs_stops`, :func:`load_france_services`; age bands :data:`AGE_BANDS`.
- Children by age: INSEE Filosofi (:func:`read_cells`, :func:`read_commune_sums`,
  :func:`caf_bands`, :func:`apply_filosofi`; online: :func:`fetch_cells`, INSEE's national
  archive, the tiled mirror as fallback).
- National open data: BPE (:func:`load_bpe`, :func:`merge_with_registry`), BAN geocoding
  (:func:`geocode_addresses`, :func:`geocode_facilities`), online sources
  (:func:`check_sources`).
- What loading changed: :class:`ValidationReport`; where a layer came from: :class:`LayerSource`.
"""

from .ages import AGE_BANDS
from .ban import geocode_addresses, geocode_facilities
from .bpe import load_bpe, merge_with_registry
from .communes import apply_insee_ages, current_code, embedded_communes, load_communes
from .contours import fetch_geo_api, read_contours
from .datacheck import check_sources
from .facilities import KINDS, load_facilities
from .filosofi import apply_filosofi, caf_bands, read_cells, read_commune_sums
from .filosofi_online import fetch_cells
from .france_services import load_france_services
from .gtfs import load_gtfs_stops
from .itinerant import load_itinerant_stops
from .report import LayerSource, ValidationReport
from .tables import read_geo
from .territory import Territory, load_territory

__all__ = [
    "AGE_BANDS",
    "KINDS",
    "LayerSource",
    "Territory",
    "ValidationReport",
    "apply_filosofi",
    "apply_insee_ages",
    "caf_bands",
    "check_sources",
    "current_code",
    "embedded_communes",
    "fetch_cells",
    "fetch_geo_api",
    "geocode_addresses",
    "geocode_facilities",
    "load_bpe",
    "load_communes",
    "load_facilities",
    "load_france_services",
    "load_gtfs_stops",
    "load_itinerant_stops",
    "load_territory",
    "merge_with_registry",
    "read_cells",
    "read_commune_sums",
    "read_contours",
    "read_geo",
]
