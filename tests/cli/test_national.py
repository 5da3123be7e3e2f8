"""``maillage national``: the batch end to end on two départements, and its French errors."""

from __future__ import annotations

import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from maillage.cli import main


def test_national_writes_tables_pairs_and_sources(shared_data, tmp_path, capsys):
    out = tmp_path / "national"
    status = main(["national", "--departements", "46,82", "--workers", "1", "--spacing", "3000",
                   "--out", str(out), "--shared", str(shared_data)])
    assert status == 0, capsys.readouterr().err
    shown = capsys.readouterr().out
    assert "département 46 : 312 communes" in shown and "département 82 : 195 communes" in shown
    assert "EAJE FICTIFS" in shown and "synthétique" in shown
    communes = pd.read_csv(out / "communes.csv", dtype={"commune": str})
    assert len(communes) == 312 + 195
    lot = communes[communes["commune"].str.startswith("46")]
    assert lot["population_connue"].all() and lot["population"].sum() > 170_000
    assert communes[communes["commune"].str.startswith("82")]["population"].isna().all()
    epci = pd.read_csv(out / "epci.csv", dtype={"epci": str}).set_index("epci")
    assert "200023737" in epci.index  # Grand Cahors
    readme = (out / "LISEZMOI.txt").read_text()
    assert "EAJE FICTIFS" in readme and "halo de" in readme
    pairs = pq.read_table(out / "paires" / "france_services-46.parquet").to_pandas()
    assert list(pairs.columns) == ["origin", "destination", "minutes"]
    assert len(pairs) and (pairs["minutes"] <= 30).all()
    origins = pq.read_table(out / "origines.parquet").to_pandas().set_index("origin")
    # The commune table's share is the origins' (one origin per commune here).
    cahors = origins.loc["46042"]
    assert cahors["minutes_france_services"] <= 30
    assert communes.set_index("commune").loc["46042", "part France services à 30 min ou moins"] == 1


@pytest.mark.parametrize("args, message", [
    (["--dask", "pas une adresse"], "adresse du planificateur Dask « pas une adresse » invalide"),
    (["--minutes", "0"], "option --minutes"),
    (["--departements", "99"], "département(s) sans fichier de communes : 99"),
])
def test_national_bad_options_get_a_french_message(shared_data, args, message, capsys, tmp_path):
    status = main(["national", "--out", str(tmp_path / "o"), "--spacing", "5000",
                   "--shared", str(shared_data), *args])
    assert status == 2
    assert message in capsys.readouterr().err


def test_without_dask_the_message_says_what_to_install(shared_data, monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    status = main(["national", "--departements", "82", "--spacing", "5000", "--out",
                   str(tmp_path / "o"), "--shared", str(shared_data)])
    assert status == 2
    err = capsys.readouterr().err
    assert "Dask (dask.distributed) n'est pas installé" in err and "maillage[national]" in err


def test_a_network_file_is_read_straight_to_arrays(shared_data, tmp_path, capsys):
    # The real TravelMapping roads of the Lot, through load_road_graph (no networkx graph).
    from maillage.geo.roadfile import FileRoadGraph
    from maillage.national import national_inputs

    network = shared_data / "roads" / "travelmapping_edges_lot_bbox.csv"
    inputs = national_inputs(["46"], shared=shared_data, network=network)
    assert isinstance(inputs.road, FileRoadGraph) and inputs.road.n_nodes > 5000
    out = tmp_path / "reel"
    status = main(["national", "--departements", "46", "--workers", "1", "--network",
                   str(network), "--out", str(out), "--shared", str(shared_data)])
    assert status == 0, capsys.readouterr().err
    assert "réseau routier du fichier travelmapping_edges_lot_bbox.csv" in capsys.readouterr().out
    lot = pd.read_csv(out / "departements.csv", dtype={"departement": str}).set_index(
        "departement").loc["46"]
    assert lot["population"] > 170_000
    assert 0 < lot["minutes jusqu'au plus proche France services (inf = au-delà)"] <= 30
