"""`maillage report --network FILE` (alias `--reseau`): the planner's own road network
drives the travel times."""

import pytest

from maillage.cli import main
from maillage.settings import shared_data_dir


def test_report_uses_the_network_file_it_is_given(tmp_path, monkeypatch):
    shared = shared_data_dir()
    if shared is None:
        pytest.skip("shared/data absent: no road edge list of the Lot to give as --reseau")
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    edges = shared / "roads" / "travelmapping_edges_lot_bbox.csv"
    out = tmp_path / "grand-cahors"
    assert main(["report", "--epci", "200023737", "--reseau", str(edges), "--out", str(out)]) == 0
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "réseau routier du fichier travelmapping_edges_lot_bbox.csv (5 535 nœuds)" in html
    assert "vol d&#39;oiseau" not in html.split("Méthodologie")[1].split("Temps d")[0]


def test_a_missing_network_file_is_a_french_error_not_a_traceback(tmp_path, capsys):
    code = main(["report", "--epci", "200023737", "--reseau", str(tmp_path / "absent.graphml"),
                 "--out", str(tmp_path / "sortie")])
    assert code == 2
    assert "absent.graphml" in capsys.readouterr().err
