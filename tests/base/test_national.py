"""The national batch on Dask: same results as in one process, bit for bit, even after a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from maillage.analysis import merge_partitions
from maillage.errors import InputError
from maillage.national import dask_client, run_partitions

from ..analysis.national_case import MINUTES
from .national_tasks import kill_once


def _pairs(folder: Path) -> pd.DataFrame:
    frames = [pq.read_table(path).to_pandas() for path in sorted(folder.glob("*.parquet"))]
    return pd.concat(frames, ignore_index=True)


def test_dask_local_cluster_equals_one_process_bit_for_bit(partitions, single, tmp_path):
    seen = []
    # Threads here (no worker start-up cost); processes are exercised by the crash test.
    results = run_partitions(partitions, workers=2, pairs_dir=tmp_path, processes=False,
                             on_done=lambda r: seen.append(r.name))
    assert sorted(seen) == ["01", "02", "03"]
    assert [r.name for r in results] == ["01", "02", "03"]  # the partitions' order
    table, folder = single
    pd.testing.assert_frame_equal(merge_partitions(results), table, check_exact=True)
    assert sorted(p.name for p in tmp_path.glob("*.parquet")) == [
        "france_services-01.parquet", "france_services-02.parquet", "france_services-03.parquet"]
    pd.testing.assert_frame_equal(_pairs(tmp_path), _pairs(folder), check_exact=True)
    assert len(_pairs(folder)) > 20
    assert pq.read_schema(tmp_path / "france_services-01.parquet").metadata[
        b"maillage_minutes"] == str(MINUTES).encode()
    assert not list(tmp_path.glob(".*")), "no temporary file left"


def test_a_killed_worker_is_retried_and_the_result_is_unchanged(partitions, single, tmp_path):
    # One worker process: it dies on partition 02, its nanny starts a new one, Dask reruns.
    results = run_partitions(partitions, workers=1, use_dask=True, pairs_dir=tmp_path,
                             task=kill_once, processes=True)
    marker = tmp_path / "killed-02"
    assert marker.exists()  # the worker running partition 02 did die once
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    pd.testing.assert_frame_equal(merge_partitions(results), single[0], check_exact=True)
    pd.testing.assert_frame_equal(_pairs(tmp_path), _pairs(single[1]), check_exact=True)


@pytest.mark.parametrize("address", ["pas une adresse !", "tcp://"])
def test_a_malformed_scheduler_address_is_refused_in_french(address):
    with pytest.raises(InputError, match="adresse du planificateur Dask"):
        with dask_client(address):
            pass


def test_no_scheduler_at_the_address_says_so_in_french():
    with pytest.raises(InputError, match="aucun planificateur Dask ne répond"):
        with dask_client("tcp://127.0.0.1:9", timeout=1.0):
            pass


def test_geopackage_pairs_open_with_geopandas_and_equal_the_parquet(partitions, single, tmp_path):
    import geopandas as gpd
    import pyogrio

    results = run_partitions(partitions, workers=1, pairs_dir=tmp_path, fmt="gpkg")
    pd.testing.assert_frame_equal(merge_partitions(results), single[0], check_exact=True)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["france_services-01.gpkg", "france_services-02.gpkg",
                     "france_services-03.gpkg"], "one file per partition, no temporary left"
    frames = []
    for part in partitions:
        path = tmp_path / f"france_services-{part.name}.gpkg"
        info = pyogrio.read_info(path)
        assert info["layer_metadata"] == {"maillage_minutes": str(MINUTES)}
        assert info["geometry_type"] == "Point" and info["crs"] == "EPSG:4326"
        layer = gpd.read_file(path, layer="paires")
        # Each pair sits at its origin's point.
        at = part.origins.geometry.loc[layer["origin"]].reset_index(drop=True)
        assert layer.geometry.geom_equals_exact(at, 1e-9).all()
        frames.append(pd.DataFrame(layer.drop(columns="geometry")))
    gpkg = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(gpkg, _pairs(single[1]), check_exact=True, check_dtype=False)


def test_an_unknown_format_or_unwritable_folder_is_refused_in_french(partitions, tmp_path):
    with pytest.raises(InputError, match="format de sortie « csv » inconnu"):
        run_partitions(partitions, workers=1, pairs_dir=tmp_path, fmt="csv")
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    with pytest.raises(InputError, match="écriture impossible") as error:
        run_partitions(partitions[:1], workers=1, pairs_dir=blocker / "paires")
    assert "stockage partagé" in str(error.value)
