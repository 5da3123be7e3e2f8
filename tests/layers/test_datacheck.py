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


def test_a_local_file_source_is_checked_by_existence_and_readability(tmp_path, monkeypatch):
    """A source given as file:// (a list downloaded beforehand) is read from disk, never fetched,
    even offline; a missing file is named in French."""
    from maillage.layers.datacheck import Source

    listing = tmp_path / "france services.csv"
    listing.write_text("nom;commune\n", encoding="utf-8")
    present = Source("Liste locale", listing.as_uri(), "liste", "la télécharger")
    absent = Source("Liste perdue", (tmp_path / "perdue.csv").as_uri(), "liste", "la télécharger")
    folder = Source("Dossier", tmp_path.as_uri(), "liste", "la télécharger")

    def forbidden(*args, **kwargs):
        raise AssertionError("a local file goes through the network code")

    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    for offline in (False, True):
        found, lost, directory = check_sources(1.0, offline=offline,
                                               sources=[present, absent, folder])
        assert found.ok and found.detail == f"fichier local lisible : {listing}"
        assert not lost.ok and lost.detail == f"fichier local absent : {tmp_path / 'perdue.csv'}"
        assert not directory.ok and directory.detail.startswith("n'est pas un fichier")


def test_an_answer_without_a_status_counts_as_answered(monkeypatch):
    """Some handlers (ftp:, data:) answer without an HTTP status: not a crash."""

    class NoStatus(io.BytesIO):
        status = None

    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: NoStatus(b"ok"))
    results = check_sources(1.0, offline=False, sources=SOURCES[:1])
    assert results[0].ok
