"""Explicit settings of maillage, in one module (as osmnx does).

Process-wide values (CRS, cache folder, offline mode) can be overridden by an environment
variable, read when the setting is used. The policy choices of a diagnostic (thresholds,
catchment, date, kinds compared) are one :class:`DiagnosticSettings` object passed down.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

#: Projected CRS for metric work in metropolitan France (Lambert-93, metres).
METRIC_CRS = "EPSG:2154"
#: Geographic CRS of every layer maillage returns (WGS84 longitude/latitude, degrees).
LAYER_CRS = "EPSG:4326"
#: Child counts strictly below this are shown as "< N" in published outputs (secret statistique).
SMALL_COUNT_THRESHOLD = 5


def cache_dir() -> Path:
    """Folder where fetched data (contours, populations, networks) is cached.

    ``$MAILLAGE_CACHE`` when set, else ``~/.cache/maillage``.
    """
    return Path(os.environ.get("MAILLAGE_CACHE", Path.home() / ".cache" / "maillage"))


def offline() -> bool:
    """True when maillage must not touch the network (``MAILLAGE_OFFLINE=1``, set in CI)."""
    return os.environ.get("MAILLAGE_OFFLINE", "").strip().lower() in {"1", "true", "yes", "oui"}


def shared_data_dir() -> Path | None:
    """The ``shared/data`` folder of real Lot data beside the project, or None when absent.

    Looked up in ``$MAILLAGE_SHARED_DATA`` when set (and only there: a folder without
    ``README.md`` means none), else ``../shared/data`` from the current folder and from the
    project checkout.
    """
    env = os.environ.get("MAILLAGE_SHARED_DATA")
    here = Path(__file__).resolve().parent.parent
    # An explicit folder is the only one tried (an empty one simulates a fresh machine).
    candidates = ([Path(env)] if env else
                  [Path.cwd().parent / "shared" / "data", here.parent / "shared" / "data"])
    for path in candidates:
        if (path / "README.md").is_file():
            return path
    return None


@dataclass(frozen=True)
class DiagnosticSettings:
    """The policy choices of one diagnostic, in one object passed down by the CLI, the report
    pipeline and the web app. Every duration is in **minutes** of travel.

    Attributes
    ----------
    thresholds : tuple of float
        Coverage thresholds, minutes: share of people within 10, 15, 20, 30 min of the
        nearest service (also the thresholds tried by the sensitivity analysis and the
        presence of itinerant services).
    catchment_minutes : float
        Catchment of the floating catchment accessibility (2SFCA), minutes.
    zone_blanche_minutes : float
        A commune farther than this from the nearest service with places is a "zone blanche".
    france_services_minutes : float
        National France services target: every resident within this many minutes.
    isochrone_minutes : tuple of float
        Isochrone bands drawn on the maps, minutes.
    scenario_thresholds : tuple of float
        Coverage thresholds compared before / after a scenario, minutes.
    date : str or date, optional
        Facilities in force at this date (default: today).
    capacity_kinds, access_kinds, presence_kinds, isochrone_kinds : tuple of str, optional
        Kinds of each section of the report; None: the registry's choice
        (:data:`maillage.kinds.SERVICE_KINDS`, fields ``report_*``).
    """

    thresholds: tuple[float, ...] = (10, 15, 20, 30)
    catchment_minutes: float = 20
    zone_blanche_minutes: float = 20
    france_services_minutes: float = 30
    isochrone_minutes: tuple[float, ...] = (10, 20)
    scenario_thresholds: tuple[float, ...] = (15, 20)
    date: object = None
    capacity_kinds: tuple[str, ...] | None = None
    access_kinds: tuple[str, ...] | None = None
    presence_kinds: tuple[str, ...] | None = None
    isochrone_kinds: tuple[str, ...] | None = None

    def kinds(self, section: str) -> tuple[str, ...]:
        """Kinds of a report section: ``"capacity"``, ``"access"``, ``"presence"`` or
        ``"isochrone"`` (this object's choice, else the registry's)."""
        from maillage.kinds import kinds_where

        chosen = getattr(self, f"{section}_kinds")
        if chosen is not None:
            return tuple(chosen)
        flag = {"capacity": "report_places", "access": "report_access",
                "presence": "report_presence", "isochrone": "report_isochrones"}[section]
        return kinds_where(flag)

    @property
    def time_classes(self) -> tuple[float, ...]:
        """Class edges of the travel-time maps, minutes: 0, then the thresholds."""
        return (0, *self.thresholds)

    @property
    def cutoff_minutes(self) -> float:
        """The largest threshold in use, minutes: the bound (``cutoff``) of the travel-time
        searches whose times are only compared with thresholds (times beyond come back as
        ``inf``). Not used where a time itself is reported (time to the nearest service)."""
        return float(max(*self.thresholds, self.catchment_minutes, self.zone_blanche_minutes,
                         self.france_services_minutes, *self.isochrone_minutes,
                         *self.scenario_thresholds))

    def replace(self, **changes) -> DiagnosticSettings:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)


#: The settings of a diagnostic unless told otherwise.
DEFAULT_SETTINGS = DiagnosticSettings()
