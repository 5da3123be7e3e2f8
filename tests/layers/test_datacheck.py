"""``maillage data check``: every online source tried at once, quickly, explained in French."""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request

from maillage.cli import main
from maillage.layers.datacheck import SOURCES, check_sources


def test_offline_nothing_is_tried_and_each_source_says_so(monkeypatch):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")

    def forbidden(*args, **kwargs):
        raise AssertionError("network touched offline")

    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    results = check_sources()
    assert [r.source.name for r in results] == [s.name for s in SOURCES]
    assert not any(r.ok for r in results)
    assert all("hors ligne" in r.detail for r in results)


def test_sources_answering_or_not_are_told_apart(monkeypatch):
    def fake(request, timeout):
        url = request.full_url
        if "overpass" in url:
            raise urllib.error.URLError("Name or service not known")
        if "insee" in url:
            raise urllib.error.HTTPError(url, 503, "Service Unavailable", {}, None)
        return io.BytesIO(b"[]")

    monkeypatch.setattr(urllib.request, "urlopen", fake)
    results = {r.source.name: r for r in check_sources(offline=False)}
    assert results["Géocodeur (Base Adresse Nationale)"].ok
    osm = results["OpenStreetMap (Overpass)"]
    assert not osm.ok and "injoignable" in osm.detail and "--network" in osm.source.fix
    assert "503" in results["Âges des enfants (INSEE)"].detail


def test_a_source_that_hangs_does_not_hang_the_check(monkeypatch):
    def slow(request, timeout):
        if "overpass" in request.full_url:
            time.sleep(5)
        return io.BytesIO(b"ok")

    monkeypatch.setattr(urllib.request, "urlopen", slow)
    start = time.perf_counter()
    results = {r.source.name: r for r in check_sources(0.5, offline=False)}
    assert time.perf_counter() - start < 3
    assert results["OpenStreetMap (Overpass)"].detail == "pas de réponse en 0.5 s"
    assert results["Géocodeur (Base Adresse Nationale)"].ok


def test_the_command_reports_in_french_offline(monkeypatch, capsys):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["data", "check"]) == 0
    out = capsys.readouterr().out
    assert "Sources en ligne" in out and "0 source(s) en ligne sur 6 accessibles" in out
    assert "OpenStreetMap (Overpass)" in out and "mode hors ligne" in out
