"""National-style batch: access indicators for every commune of several départements, with Dask.

The territory is cut by département with a halo (:func:`maillage.analysis.make_partitions`);
each partition is one task (:func:`partition_task`): its bounded searches, its indicators, and
its origin–site pairs within the threshold streamed to a Parquet file written atomically by
the worker. Tasks run on a Dask cluster (``address``, the scheduler of a real cluster), on a
``LocalCluster`` of this machine, or one after the other in this process (``workers=1``):
the results are the same, bit for bit. Dask reruns the task of a worker that died.

On a real cluster the output folder must be one the workers can write (shared storage), and
maillage must be installed on the workers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.analysis.national import (
    Partition,
    PartitionResult,
    indicators_by,
    make_partitions,
    merge_partitions,
    run_partition,
)
from maillage.atomic import write_text
from maillage.cluster import check_address, dask_client, map_tasks  # noqa: F401 (public here)
from maillage.errors import InputError
from maillage.formatting import fr_number
from maillage.pairfiles import check_format, write_geopackage, write_pairs, write_parquet
from maillage.settings import METRIC_CRS

#: The service kinds of the national batch and their French names.
KINDS = {"france_services": "France services", "eaje": "EAJE"}

#: How the EAJE proxy is described in every output (no national EAJE list here).
EAJE_PROXY = ("EAJE FICTIFS (proxy, pas une liste réelle) : un site à chaque France services "
              "et au point d'une commune sur quatre tirée au hasard (graine {seed}) ; "
              "donner une liste réelle avec --eaje FICHIER")


@dataclass
class NationalInputs:
    """What the batch times: origins, sites per kind, the road graph and their sources.

    Attributes
    ----------
    origins : geopandas.GeoDataFrame
        One origin per commune (representative point): ``commune``, ``name``,
        ``departement``, ``epci`` (missing outside the Lot), ``population`` (NaN = unknown).
    services : dict of str to geopandas.GeoDataFrame
        ``france_services`` and ``eaje`` sites (index = site id).
    road : maillage.geo.RoadGraph
        The road graph.
    sources : dict of str to str
        French description of each input (network, communes, population, France services,
        EAJE).
    """

    origins: gpd.GeoDataFrame
    services: dict[str, gpd.GeoDataFrame]
    road: object
    sources: dict[str, str] = field(default_factory=dict)


def _shared_dir(shared) -> Path:
    from maillage.settings import shared_data_dir

    folder = Path(shared) if shared is not None else shared_data_dir()
    if folder is None or not (folder / "communes").is_dir():
        raise InputError("dossier des données partagées introuvable (communes par département)",
                         fix="placer shared/data à côté du projet ou donner --shared DOSSIER")
    return folder


def department_communes(shared=None, departements=None) -> gpd.GeoDataFrame:
    """Communes of the départements in ``shared/data/communes``, one point each.

    The Lot comes from :func:`maillage.layers.load_communes` (COG 2026 communes, population
    municipale, EPCI); the other départements from their contour files (IGN Admin Express
    2018, code and name only: population and EPCI unknown).

    Parameters
    ----------
    shared : path, optional
        The ``shared/data`` folder (default: :func:`maillage.settings.shared_data_dir`).
    departements : iterable of str, optional
        Département codes to keep (default: every file of the folder).

    Returns
    -------
    geopandas.GeoDataFrame
        Index = commune code; ``commune``, ``name``, ``departement``, ``epci``,
        ``population`` (NaN = unknown), Point geometry (representative point, EPSG:4326).

    Raises
    ------
    InputError
        Folder missing, or a requested département without a file.
    """
    from maillage.layers import load_communes

    folder = _shared_dir(shared) / "communes"
    files = {m.group(1): path for path in sorted(folder.glob("communes-*.geojson"))
             if (m := re.match(r"communes-(\w{2})-", path.name))}
    wanted = sorted(files) if departements is None else [str(d).zfill(2) for d in departements]
    unknown = [d for d in wanted if d not in files]
    if unknown:
        raise InputError(f"département(s) sans fichier de communes : {', '.join(unknown)}",
                         file=str(folder), fix=f"choisir parmi {', '.join(sorted(files))}")
    frames = []
    for dep in wanted:
        if dep == "46":
            lot = load_communes(offline=True)
            table = pd.DataFrame({"commune": lot["code"].astype(str), "name": lot["name"],
                                  "epci": lot["epci"].astype(str),
                                  "population": lot["population"].astype(float)})
            geometry = lot.geometry
        else:
            raw = gpd.read_file(files[dep])
            table = pd.DataFrame({"commune": raw["code"].astype(str), "name": raw["nom"],
                                  "epci": pd.Series(pd.NA, index=raw.index, dtype="str"),
                                  "population": np.nan})
            geometry = raw.geometry
        points = geometry.to_crs(METRIC_CRS).representative_point().to_crs("EPSG:4326")
        frames.append(gpd.GeoDataFrame(table.assign(departement=dep).reset_index(drop=True),
                                       geometry=points.reset_index(drop=True), crs="EPSG:4326"))
    communes = pd.concat(frames, ignore_index=True)
    communes = gpd.GeoDataFrame(communes, geometry="geometry", crs="EPSG:4326")
    communes.index = pd.Index(communes["commune"].astype(str), name="origin")
    communes = communes[~communes.index.duplicated()]
    return communes[["commune", "name", "departement", "epci", "population", "geometry"]]


def _read_points_csv(path, required, *, lon: str, lat: str, columns_fix: str, coordinates_fix: str,
                     coordinates_column: str) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """A CSV of points read as text, with its ``required`` columns and degrees checked.

    Returns the table and its longitudes and latitudes (degrees); the first missing column
    or the first row without valid coordinates raises an ``InputError`` naming the file,
    the line (header = 1), the column (``coordinates_column`` for coordinates) and the fix.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in required:
        if column not in frame.columns:
            raise InputError(f"colonne {column} absente", file=str(path), row=1, column=column,
                             fix=columns_fix)
    lons = pd.to_numeric(frame[lon], errors="coerce")
    lats = pd.to_numeric(frame[lat], errors="coerce")
    bad = ~(lats.between(-90, 90) & lons.between(-180, 180))
    if bad.any():
        raise InputError("coordonnées absentes ou illisibles", file=str(path),
                         row=int(np.flatnonzero(bad.to_numpy())[0]) + 2, column=coordinates_column,
                         fix=coordinates_fix)
    return frame, lons, lats


def france_services_sites(shared=None, path=None) -> gpd.GeoDataFrame:
    """Every France services site of the ANCT national list (real data), as points.

    Parameters
    ----------
    shared : path, optional
        The ``shared/data`` folder.
    path : path, optional
        The ANCT CSV (default: ``shared/data/france_services/liste-fs-20240801.csv``).

    Returns
    -------
    geopandas.GeoDataFrame
        Index = ``fs-<id_fs>``; ``name``, Point geometry (EPSG:4326).

    Raises
    ------
    InputError
        Missing columns, or rows without valid coordinates (named with their line).
    """
    path = Path(path) if path is not None else (
        _shared_dir(shared) / "france_services" / "liste-fs-20240801.csv")
    frame, lon, lat = _read_points_csv(
        path, ("id_fs", "lib_fs", "latitude", "longitude"), lon="longitude", lat="latitude",
        columns_fix="utiliser la liste ANCT des France services (data.gouv.fr)",
        coordinates_fix="renseigner latitude et longitude en degrés décimaux",
        coordinates_column="latitude")
    return gpd.GeoDataFrame({"name": frame["lib_fs"].to_numpy()},
                            index=pd.Index("fs-" + frame["id_fs"], dtype="str"),
                            geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def eaje_sites(origins: gpd.GeoDataFrame, france_services: gpd.GeoDataFrame, *, path=None,
               seed: int = 15) -> tuple[gpd.GeoDataFrame, str]:
    """EAJE sites: a real list (CSV ``id``, ``lon``, ``lat``) or the documented proxy.

    Parameters
    ----------
    origins : geopandas.GeoDataFrame
        Commune points (see :func:`department_communes`).
    france_services : geopandas.GeoDataFrame
        France services sites.
    path : path, optional
        A CSV of real EAJE (columns ``id``, ``lon``, ``lat`` in degrees).
    seed : int
        Seed of the proxy's random draw.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, str)
        The sites (index = site id) and their French description (the proxy says so).

    Raises
    ------
    InputError
        The CSV lacks a column or has unreadable coordinates.
    """
    if path is not None:
        frame, lon, lat = _read_points_csv(
            path, ("id", "lon", "lat"), lon="lon", lat="lat",
            columns_fix="donner les colonnes id, lon, lat",
            coordinates_fix="renseigner lon et lat en degrés décimaux", coordinates_column="lon")
        sites = gpd.GeoDataFrame(index=pd.Index(frame["id"], dtype="str"), crs="EPSG:4326",
                                 geometry=gpd.points_from_xy(lon, lat))
        return sites, f"liste d'EAJE du fichier {Path(path).name} ({len(sites)} sites)"
    rng = np.random.default_rng(seed)
    drawn = origins.iloc[np.flatnonzero(rng.random(len(origins)) < 0.25)]
    sites = pd.concat([
        gpd.GeoDataFrame(index=pd.Index("eaje-fs-" + france_services.index.str[3:], dtype="str"),
                         geometry=france_services.geometry.to_numpy(), crs="EPSG:4326"),
        gpd.GeoDataFrame(index=pd.Index("eaje-" + drawn.index, dtype="str"),
                         geometry=drawn.geometry.to_numpy(), crs="EPSG:4326")])
    return sites, EAJE_PROXY.format(seed=seed) + f" ({len(sites)} sites)"


def national_inputs(departements=None, *, shared=None, network=None, spacing_m: float = 1000.0,
                    margin_m: float = 60_000.0, eaje=None, seed: int = 15) -> NationalInputs:
    """Everything the national batch needs, from ``shared/data`` (and the synthetic network).

    Parameters
    ----------
    departements : iterable of str, optional
        Département codes (default: the seven of ``shared/data/communes``).
    shared : path, optional
        The ``shared/data`` folder.
    network : path, optional
        A road network file (``.osm.pbf``, OSM XML, GraphML, edge list ``.csv``), read
        straight to a compiled graph without networkx (:func:`maillage.geo.load_road_graph`);
        default: the synthetic road-like network (:func:`maillage.geo.road_like`: sparse
        fast roads, slow local roads, fictitious hilly areas) over the communes' extent plus
        ``margin_m``.
    spacing_m : float
        Grid step of the synthetic network, metres.
    margin_m : float
        Extent of the synthetic network beyond the communes, metres (≥ the halo).
    eaje : path, optional
        A CSV of real EAJE (``id``, ``lon``, ``lat``); default: the proxy of
        :func:`eaje_sites`.
    seed : int
        Seed of the synthetic network and of the EAJE proxy.

    Returns
    -------
    NationalInputs
        Origins, sites, graph and sources (French).
    """
    from maillage.geo import ROAD_LIKE_DESCRIPTION, load_road_graph, road_like
    from maillage.geo import synthetic_road_graph, within_halo

    origins = department_communes(shared, departements)
    if network is None:
        xmin, ymin, xmax, ymax = origins.to_crs(METRIC_CRS).total_bounds
        road = synthetic_road_graph((xmin - margin_m, ymin - margin_m, xmax + margin_m,
                                     ymax + margin_m), spacing_m=spacing_m, seed=seed,
                                     **road_like(spacing_m))
        network_text = (f"{ROAD_LIKE_DESCRIPTION} : {fr_number(road.n_nodes)} nœuds, pas de "
                        f"{fr_number(spacing_m, 0 if float(spacing_m).is_integer() else 1)} m, "
                        f"graine {seed}")
    else:
        road = load_road_graph(network)
        network_text = f"réseau routier du fichier {Path(network).name} ({road.n_nodes} nœuds)"
    fs = france_services_sites(shared)
    hull = gpd.GeoSeries([road_hull(road)], crs=METRIC_CRS).iloc[0]
    fs_m = fs.to_crs(METRIC_CRS)
    fs = fs[within_halo(hull, 0.0, fs_m.geometry.x.to_numpy(), fs_m.geometry.y.to_numpy())]
    fs, fs_far = _near_network(fs, road)
    eaje_points, eaje_text = eaje_sites(origins, fs, path=eaje, seed=seed)
    eaje_points, eaje_far = _near_network(eaje_points, road)
    sources = {
        "réseau": network_text,
        "communes": "contours IGN Admin Express 2018 (shared/data/communes) ; Lot : communes "
                    "COG 2026 de maillage",
        "population": "population municipale COG 2026 pour le Lot ; inconnue ailleurs (chaque "
                      "commune y pèse 1 : part des communes, pas des habitants)",
        "france_services": f"liste ANCT des France services du 1er août 2024 (réelle) : "
                           f"{len(fs)} sites sur l'emprise du réseau" + _far_text(fs_far),
        "eaje": eaje_text + _far_text(eaje_far),
    }
    return NationalInputs(origins, {"france_services": fs, "eaje": eaje_points}, road, sources)


def _near_network(sites: gpd.GeoDataFrame, road) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The sites within the largest snap distance of the network, and the ids of the others."""
    from scipy.spatial import cKDTree

    from maillage.geo import MAX_SNAP_M

    metric = sites.geometry.to_crs(METRIC_CRS)
    distance, _ = cKDTree(np.column_stack([road.x, road.y])).query(
        np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()]))
    near = distance <= MAX_SNAP_M
    return sites[near], list(sites.index[~near])


def _far_text(ids: list[str]) -> str:
    if not ids:
        return ""
    shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
    return (f" ; {len(ids)} site(s) à plus de 5 km du réseau écarté(s) (hors de sa couverture) "
            f": {shown}")


def road_hull(road):
    """Convex hull of a compiled graph's nodes (EPSG:2154, metres)."""
    return gpd.points_from_xy(road.x, road.y).union_all().convex_hull


def partition_task(partition: Partition, pairs_dir: str | None = None,
                   fmt: str = "parquet") -> PartitionResult:
    """Run one partition (:func:`maillage.analysis.run_partition`) and stream its pairs.

    The task Dask runs on a worker. With ``pairs_dir``, each kind's pairs within the
    threshold are written there as ``<kind>-<partition>.parquet`` or ``.gpkg``
    (:func:`maillage.pairfiles.write_pairs`: atomically, memory of this partition only) and
    dropped from the returned result.

    Parameters
    ----------
    partition : Partition
        The unit of work.
    pairs_dir : str, optional
        Folder of the pair files (shared storage on a real cluster).
    fmt : str
        ``parquet`` or ``gpkg`` (pairs located at their origin's point).

    Returns
    -------
    PartitionResult
        Per-origin table, timings (seconds, ``write`` included) and sizes.

    Raises
    ------
    InputError
        The folder cannot be written from this worker (French, with the machine's name).

    Examples
    --------
    >>> from maillage.analysis import make_partitions
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> first = make_partitions(road, origins, services, 15, pairs_kinds=["france_services"])[0]
    >>> partition_task(first).sizes["pairs"]
    2
    """
    result = run_partition(partition)
    if pairs_dir is not None:
        clock = time.perf_counter()
        for kind, pairs in result.pairs.items():
            write_pairs(pairs, pairs_dir, f"{kind}-{partition.name}", fmt,
                        origins=partition.origins, minutes=partition.minutes)
        result.pairs = {}
        result.seconds["write"] = time.perf_counter() - clock
    return result


def run_partitions(partitions, *, address: str | None = None, workers: int | None = None,
                   pairs_dir=None, on_done: Callable[[PartitionResult], None] | None = None,
                   task: Callable = partition_task, processes: bool = True,
                   use_dask: bool | None = None, fmt: str = "parquet") -> list[PartitionResult]:
    """Run every partition's task: on Dask (cluster or local), or in this process.

    Parameters
    ----------
    partitions : list of Partition
        The units of work.
    address : str, optional
        Dask scheduler address of a real cluster.
    workers : int, optional
        ``1`` without ``address``: one after the other in this process, no Dask; otherwise
        the number of local worker processes (default: up to 2).
    pairs_dir : path, optional
        Where the tasks write their pairs; on a Dask cluster it must be on storage every
        worker sees at the same path (checked first, :func:`maillage.cluster.check_workers`).
    on_done : callable, optional
        Called with each result as it arrives (progress).
    task : callable
        The function applied to each partition (``task(partition, pairs_dir, fmt)``),
        picklable.
    processes : bool
        Local workers are processes (default), else threads of this process.
    use_dask : bool, optional
        Force Dask (True, e.g. a local cluster of one worker) or not (False); default: Dask
        unless ``workers == 1`` without ``address``.
    fmt : str
        Format of the pair files: ``parquet`` or ``gpkg``.

    Returns
    -------
    list of PartitionResult
        In the order of ``partitions``.

    Raises
    ------
    InputError
        Unknown format; on Dask: no worker, workers without the same maillage, or an output
        folder they cannot see or write (:func:`maillage.cluster.check_workers`).

    Examples
    --------
    >>> from maillage.analysis import make_partitions, merge_partitions
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> parts = make_partitions(road, origins, services, 15)
    >>> len(merge_partitions(run_partitions(parts, workers=1)))
    6
    """
    fmt = check_format(fmt)
    pairs_dir = None if pairs_dir is None else str(Path(pairs_dir).absolute())
    return map_tasks(task, partitions, pairs_dir, fmt,
                     keys=[f"partition-{p.name}" for p in partitions], address=address,
                     workers=workers, processes=processes, use_dask=use_dask, on_done=on_done,
                     folder=pairs_dir)


@dataclass
class NationalRun:
    """The outcome of :func:`run_national`.

    Attributes
    ----------
    origins : pandas.DataFrame
        Per-origin table (:func:`maillage.analysis.merge_partitions`).
    communes, epci, departements : pandas.DataFrame
        Indicators per commune, EPCI (where known) and département
        (:func:`maillage.analysis.indicators_by`).
    partitions : pandas.DataFrame
        One row per partition: sizes and times (seconds).
    out : Path or None
        Output folder.
    """

    origins: pd.DataFrame
    communes: pd.DataFrame
    epci: pd.DataFrame
    departements: pd.DataFrame
    partitions: pd.DataFrame
    out: Path | None = None


def run_national(inputs: NationalInputs, out=None, *, minutes: float = 30.0,
                 address: str | None = None, workers: int | None = None,
                 on_done: Callable[[PartitionResult], None] | None = None,
                 on_partitions: Callable[[list[Partition]], None] | None = None,
                 fmt: str = "parquet") -> NationalRun:
    """The national batch: partition by département, run the tasks, merge, write.

    France services: share of the population within ``minutes`` and time to the nearest
    site; EAJE: time to the nearest site; both beyond ``minutes`` are ``inf`` (« au-delà »),
    the halo being as wide as ``minutes`` allows.

    Parameters
    ----------
    inputs : NationalInputs
        Origins, sites, graph (:func:`national_inputs`).
    out : path, optional
        Output folder: ``paires/france_services-<dép>.parquet`` or ``.gpkg`` (pairs within
        ``minutes``, one file per partition written by the worker), ``origines.parquet`` or
        ``.gpkg``, ``communes.csv``, ``epci.csv``, ``departements.csv``, ``partitions.csv``,
        ``LISEZMOI.txt`` (sources, proxies, method). On a Dask cluster: a folder on storage
        every worker sees at the same path (shared storage), checked before any task.
    minutes : float
        Threshold (and halo), minutes.
    address : str, optional
        Dask scheduler address (real cluster).
    workers : int, optional
        Local worker processes; ``1`` = in this process, without Dask.
    on_done : callable, optional
        Called with each partition's result as it finishes.
    on_partitions : callable, optional
        Called with the partitions once cut (e.g. to size a progress bar).
    fmt : str
        ``parquet`` (compact long tables) or ``gpkg`` (GeoPackage point layers, the pairs
        located at their origin: they open as maps in QGIS).

    Returns
    -------
    NationalRun
        Tables and the output folder.

    Raises
    ------
    InputError
        Unknown format, or a Dask cluster that cannot run the tasks
        (:func:`maillage.cluster.check_workers`).

    Examples
    --------
    >>> import tempfile
    >>> from maillage.analysis.national import example_territory
    >>> road, origins, services = example_territory()
    >>> inputs = NationalInputs(origins.assign(name=origins["commune"]), services, road)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     run = run_national(inputs, folder, minutes=15, workers=1, fmt="gpkg")
    ...     sorted(p.name for p in (run.out / "paires").iterdir())
    ['france_services-01.gpkg', 'france_services-02.gpkg']
    >>> run.departements["share_france_services"].round(2).tolist()
    [0.95, 0.33]
    """
    fmt = check_format(fmt)
    partitions = make_partitions(inputs.road, inputs.origins, inputs.services, minutes,
                                 pairs_kinds=["france_services"])
    if on_partitions is not None:
        on_partitions(partitions)
    pairs_dir = None if out is None else Path(out) / "paires"
    results = run_partitions(partitions, address=address, workers=workers,
                             pairs_dir=pairs_dir, on_done=on_done, fmt=fmt)
    table = merge_partitions(results)
    kinds = list(inputs.services)
    communes = indicators_by(table, "commune", kinds, minutes)
    names = inputs.origins.drop_duplicates("commune").set_index("commune")["name"]
    communes.insert(0, "name", names.reindex(communes.index).to_numpy())
    epci = indicators_by(table[table["epci"].notna()], "epci", kinds, minutes)
    departements = indicators_by(table, "departement", kinds, minutes)
    timings = pd.DataFrame([{"partition": r.name, **r.sizes,
                             **{f"s_{k}": v for k, v in r.seconds.items()}} for r in results])
    run = NationalRun(table, communes, epci, departements, timings)
    if out is not None:
        run.out = write_national(run, out, inputs, minutes, partitions, fmt=fmt)
    return run


def _french(frame: pd.DataFrame, minutes: float) -> pd.DataFrame:
    names = {"name": "nom", "origins": "origines", "population": "population",
             "population_known": "population_connue"}
    for kind, label in KINDS.items():
        names[f"share_{kind}"] = f"part {label} à {minutes:g} min ou moins"
        names[f"minutes_{kind}"] = f"minutes jusqu'au plus proche {label} (inf = au-delà)"
        names[f"minutes_within_{kind}"] = (f"minutes jusqu'au plus proche {label}, moyenne "
                                           f"des origines à {minutes:g} min ou moins")
    return frame.rename(columns=names)


def write_national(run: NationalRun, out, inputs: NationalInputs, minutes: float,
                   partitions, *, fmt: str = "parquet") -> Path:
    """Write the tables of a national run (CSV, atomically) and its LISEZMOI.txt.

    Parameters
    ----------
    run : NationalRun
        The merged results.
    out : path
        Output folder (created if needed).
    inputs : NationalInputs
        Its ``sources`` are written in LISEZMOI.txt.
    minutes : float
        Threshold, minutes.
    partitions : list of Partition
        For the halo width.
    fmt : str
        Format of the per-origin table: ``parquet``, or ``gpkg`` (origin points).

    Returns
    -------
    Path
        The folder.
    """
    fmt = check_format(fmt)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("communes", run.communes), ("epci", run.epci),
                        ("departements", run.departements)):
        write_text(out / f"{name}.csv", _french(frame, minutes).to_csv(
            lineterminator="\n", float_format="%.2f"))
    table = run.origins.reset_index(names="origin")
    if fmt == "gpkg":
        points = inputs.origins.geometry.set_axis(inputs.origins.index.astype(str))
        write_geopackage(gpd.GeoDataFrame(table, geometry=points.reindex(table["origin"])
                                          .to_numpy(), crs=points.crs),
                         out / "origines.gpkg", layer="origines", minutes=minutes)
    else:
        write_parquet(table, out / "origines.parquet", minutes=minutes)
    write_text(out / "partitions.csv", run.partitions.to_csv(index=False, lineterminator="\n"))
    halo = partitions[0].halo_m if partitions else float("nan")
    lines = ["maillage national : indicateurs d'accès par commune", "",
             f"Seuil : {minutes:g} minutes ; partition par département, halo de "
             f"{fr_number(halo / 1000, 1)} km (seuil × vitesse à vol d'oiseau la plus rapide du réseau) : "
             "les temps sont exacts jusqu'au seuil ; au-delà, « inf ».", "",
             "Sources :"]
    lines += [f"- {key} : {text}" for key, text in inputs.sources.items()]
    lines += ["", f"Fichiers : origines.{fmt} (valeurs exactes par origine), communes.csv, "
              "epci.csv (Lot), departements.csv, partitions.csv (temps par partition, "
              f"secondes), paires/*.{fmt} (origine, destination, minutes : toutes les paires "
              "à moins du seuil" + (", chacune au point de son origine : filtrer sur "
                                   "« destination » pour voir les communes à portée d'un site"
                                   if fmt == "gpkg" else "") + ")."]
    write_text(out / "LISEZMOI.txt", "\n".join(lines) + "\n")
    return out
