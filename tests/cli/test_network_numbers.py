"""``maillage network build|info`` print numbers as the reports do (``maillage.formatting``):
thousands with a space (terminal output, as the other commands), decimal commas,
« 98,77 % » with a no-break space."""

from __future__ import annotations

from maillage.cli import network


def test_network_summary_numbers_are_written_the_french_way(monkeypatch, capsys):
    import maillage.geo

    info = {"nœuds": 123456, "tronçons": 1234567, "part fortement connexe": 0.98765,
            "emprise": (1.43214, 44.25, 2.0, 45.1), "source": "lot.osm.pbf", "date": "2026-11-01"}
    monkeypatch.setattr(maillage.geo, "network_info", lambda graph: info)
    monkeypatch.setenv("COLUMNS", "200")
    network._print_info(object())
    printed = capsys.readouterr().out
    assert "123 456" in printed
    assert "1 234 567" in printed
    assert "98,77\u00a0%" in printed
    assert "1,4321 ; 44,2500 → 2,0000 ; 45,1000" in printed
