"""maillage.layers: read and validate the layers of a territory (communes, facilities,
itinerant stops, GTFS bus stops), with a report of every change and the source of each layer.

- Territory: :func:`load_territory` → :class:`Territory` (communes, facilities, stops, sources).
- Communes: :func:`load_communes`, :func:`embedded_communes`, :func:`current_code`,
  :func:`apply_insee_ages`; contours :func:`read_contours`, :func:`fetch_geo_api`;
  any geographic file in EPSG:4326: :func:`read_geo`.
- Facilities: :func:`load_facilities` (:data:`KINDS`), :func:`load_itinerant_stops`,
  :func:`load_gtfs_stops`, :func:`load_france_services`; age bands :data:`AGE_BANDS`.
- What loading changed: :class:`ValidationReport`; where a layer came from: :class:`LayerSource`.
"""

from .ages import AGE_BANDS
from .communes import apply_insee_ages, current_code, embedded_communes, load_communes
from .contours import fetch_geo_api, read_contours
from .facilities import KINDS, load_facilities
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
    "apply_insee_ages",
    "current_code",
    "embedded_communes",
    "fetch_geo_api",
    "load_communes",
    "load_facilities",
    "load_france_services",
    "load_gtfs_stops",
    "load_itinerant_stops",
    "load_territory",
    "read_contours",
    "read_geo",
]
