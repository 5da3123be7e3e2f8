"""The JSON API of ``maillage app`` (docs/app.md), endpoint by endpoint, with FastAPI's
TestClient: the token and Host checks, the figures (the library's own, compared with
``run_scenario``), bad scenarios and bad uploads (French message, HTTP 4xx, session still
usable)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
import yaml

from maillage.analysis import run_scenario
from maillage.analysis.scenario import parse_scenario
from maillage.app.scenario_json import scenario_from_json

from tests.app.scenarios import GRAND_CAHORS, calamane

XSS = "</script><script>document.title='x'</script>"


def summary_frame(body) -> pd.DataFrame:
    return pd.DataFrame(body["summary"]).set_index("Indicateur")


def same_table(shown: pd.DataFrame, table: pd.DataFrame) -> None:
    """The page's summary equals ``ScenarioResult.table()`` (JSON has no inf: null)."""
    assert list(shown.index) == list(table.index)
    expected = table.to_numpy(dtype=float, copy=True)
    expected[~np.isfinite(expected)] = np.nan
    np.testing.assert_allclose(shown[["Avant", "Après", "Écart"]].to_numpy(dtype=float),
                               expected, rtol=1e-5, atol=1e-5)


# -- safety -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/api/territory"])
def test_without_the_token_every_page_and_call_is_refused(client, path):
    response = client.get(path, headers={"Authorization": ""})
    assert response.status_code == 403
    assert response.json()["erreur"] == "jeton absent ou invalide"


def test_a_wrong_token_is_refused_and_the_token_works_as_query_parameter(client, token):
    assert client.get("/api/territory", headers={"Authorization": "token faux"}).status_code == 403
    assert client.post("/api/scenario/evaluate", json=calamane(),
                       headers={"Authorization": ""}).status_code == 403
    assert client.get(f"/api/territory?token={token}",
                      headers={"Authorization": ""}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:8000", "192.168.1.2"])
def test_a_foreign_host_header_is_refused_even_with_the_token(client, host):
    response = client.get("/api/territory", headers={"Host": host})
    assert response.status_code == 403
    assert "hôte" in response.json()["erreur"]


def test_the_page_is_served_with_a_strict_content_security_policy(client, token):
    response = client.get(f"/?token={token}")
    assert response.status_code == 200 and "atelier de scénarios" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in response.text  # no inline script: scripts are files
    assert client.get("/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../session.py").status_code == 404


# -- territory and evaluation ---------------------------------------------------------------
def test_territory_lists_communes_epcis_kinds_and_indicators(client):
    body = client.get("/api/territory").json()
    assert len(body["communes"]["features"]) == 312
    assert {e["code"] for e in body["epcis"]} >= {GRAND_CAHORS}
    assert body["epci"] == GRAND_CAHORS and body["date"] == "2025-03-31"
    assert {k["key"] for k in body["kinds"]} >= {"alsh", "eaje", "rpe", "france_services"}
    assert [i["key"] for i in body["indicators"]] == ["alsh", "eaje", "rpe", "france_services"]
    assert body["timer"]["estimated"] is True


def test_evaluate_gives_the_library_s_own_before_after_figures(client, session, lot_territory):
    body = client.post("/api/scenario/evaluate", json=calamane()).json()
    scenario, _ = scenario_from_json(calamane())
    expected = run_scenario(lot_territory, scenario, timer=session.timer.inner).table()
    got = summary_frame(body)
    same_table(got, expected)
    places = got.loc["ALSH (3-11 ans) : places"]
    assert places["Écart"] == 20
    commune = body["communes"]["alsh"]["46046"]  # Calamane gains its 20 places
    assert commune["places_after"] - commune["places_before"] == 20
    assert [r["epci"] for r in body["epcis"]["alsh"]] == [GRAND_CAHORS]
    assert [c["minutes"] for c in body["coverage"]["alsh"]] == [10, 15, 20, 30]
    assert set(body["zones_blanches"]["alsh"]) == {"before", "after"}
    assert body["france_services"]["after"]["text"].startswith("Objectif")
    after_ids = {f["properties"]["id"] for f in body["facilities"]["after"]["features"]}
    assert "gc-alsh-calamane-scenario" in after_ids
    assert body["changes"] == ["ouvrir alsh « ALSH de Calamane » à 46046 (20 places)"]


def test_an_edit_of_one_kind_recomputes_only_that_kind(client, session):
    base = calamane()
    client.post("/api/scenario/evaluate", json=base)
    misses = session.timer.misses
    moved = calamane(changements=base["changements"] + [
        {"deplacer": {"id": "gc-alsh-calamane-scenario", "lat": 44.52, "lon": 1.43}}])
    body = client.post("/api/scenario/evaluate", json=moved)
    assert body.status_code == 200
    assert session.timer.misses == misses + 1  # one new point routed, nothing else


def test_closing_a_facility_is_seen_before_and_after(client):
    body = client.post("/api/scenario/evaluate", json=calamane(changements=[
        {"fermer": {"id": "gc-alsh-catus"}}])).json()
    got = summary_frame(body)
    assert got.loc["ALSH (3-11 ans) : places", "Écart"] == -48
    ids = {f["properties"]["id"] for f in body["facilities"]["after"]["features"]}
    assert "gc-alsh-catus" not in ids


def test_new_itinerant_stops_bring_the_service_nearer(client):
    base = client.post("/api/scenario/evaluate", json=calamane()).json()
    rounds = calamane(changements=[{"itinerance": {"id": "gc-rpe", "arrets": [
        {"commune": "46046", "jours_par_mois": 2}, {"commune": "46064", "jours_par_mois": 4}]}}])
    body = client.post("/api/scenario/evaluate", json=rounds).json()
    stops = body["stops"]["after"]["features"]
    assert sorted(f["properties"]["commune"] for f in stops
                  if f["properties"]["service_id"] == "gc-rpe") == ["46046", "46064"]
    calamane_rpe = body["communes"]["rpe"]["46046"]
    # The relais stops in the village: 0 min from its point, a few minutes from the cells where
    # its children live when the population grid is loaded.
    assert calamane_rpe["minutes_nearest_after"] < 5
    assert calamane_rpe["minutes_nearest_before"] > calamane_rpe["minutes_nearest_after"]
    assert base["stops"]["after"] != body["stops"]["after"]


@pytest.mark.parametrize("change, words", [
    ({"ouvrir": {"id": "x", "type": "alsh", "commune": "46046"}}, "sans « places »"),
    ({"fermer": {"id": "n-existe-pas"}}, "n'existe pas dans le registre"),
    ({"redimensionner": {"id": "gc-alsh-catus", "places": -4}}, "« places » vaut -4"),
    ({"ouvrir": {"id": "y", "type": "alsh", "places": 10, "commune": "99999"}},
     "n'est pas dans le territoire"),
    ({"voler": {"id": "z"}}, "type de changement inconnu"),
])
def test_a_bad_scenario_gets_a_french_400_naming_the_change_and_the_session_goes_on(
        client, change, words):
    good = calamane()
    bad = calamane(changements=good["changements"] + [change])
    response = client.post("/api/scenario/evaluate", json=bad)
    assert response.status_code == 400
    body = response.json()
    assert words in body["erreur"] and body["erreur"].startswith("changement n° 2")
    assert body["correction"]
    assert client.post("/api/scenario/evaluate", json=good).status_code == 200


@pytest.mark.parametrize("payload, words", [
    (b"{pas du json", "JSON"), (b"[1, 2]", "objet JSON"), (b"\xff\xfe", "JSON"),
])
def test_unreadable_requests_are_refused_in_french(client, payload, words):
    response = client.post("/api/scenario/evaluate", content=payload,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and words in response.json()["erreur"]


def test_a_bad_date_or_epci_is_refused(client):
    assert "date" in client.post("/api/scenario/evaluate",
                                 json=calamane(date="31 mars")).json()["erreur"]
    response = client.post("/api/scenario/evaluate", json=calamane(epci="123456789"))
    assert response.status_code == 400 and "EPCI" in response.json()["erreur"]


def test_an_oversized_request_is_refused(client):
    response = client.post("/api/scenario/evaluate", content=b" " * (1024 * 1024 + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "trop gros" in response.json()["erreur"]


# -- save / load ----------------------------------------------------------------------------
def test_the_saved_yaml_is_what_scenario_run_reads_with_the_same_table(client, session, lot_territory):
    page = calamane(changements=calamane()["changements"] + [
        {"redimensionner": {"id": "gc-alsh-catus", "places": 60}}])
    response = client.post("/api/scenario/yaml", json=page)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    scenario = parse_scenario(text, file="scenario.yaml")
    table = run_scenario(lot_territory, scenario, timer=session.timer.inner).table()
    shown = summary_frame(client.post("/api/scenario/evaluate", json=page).json())
    same_table(shown, table)
    loaded = client.post("/api/scenario/load", content=text.encode(),
                         params={"name": "scenario.yaml"}).json()
    assert loaded["changements"] == yaml.safe_load(text)["changements"]


def test_saving_an_empty_scenario_is_refused(client):
    response = client.post("/api/scenario/yaml", json=calamane(changements=[]))
    assert response.status_code == 400 and "aucun changement" in response.json()["erreur"]


def test_loading_a_bad_scenario_file_names_its_line(client):
    text = "nom: x\ndate: 2025-03-31\nchangements:\n  - ouvrir: {id: a, type: alsh}\n"
    response = client.post("/api/scenario/load", content=text.encode(),
                           params={"name": "../../mon scénario.yaml"})
    body = response.json()
    assert response.status_code == 400
    assert body["erreur"].startswith("ligne 4") and "places" in body["erreur"]
    assert body["fichier"] == "mon scénario.yaml"
    bomb = "a: &a [" + ",".join(["x"] * 50) + "]\n" + "b: &b [" + ",".join(["*a"] * 50) + "]\n"
    assert client.post("/api/scenario/load", content=bomb.encode()).status_code == 400
    assert client.post("/api/scenario/load", content=b"\xff\xfe\x00").status_code == 400


# -- uploads ----------------------------------------------------------------------------------
def upload(client, name: str, content: bytes):
    return client.post("/api/facilities/upload", params={"name": name}, content=content)


def test_a_good_facility_file_joins_the_registry_and_the_figures(client, session):
    csv = ("nom;type;code_insee;places;age_min;age_max\n"
           f"{XSS};alsh;46046;30;3;12\n").encode("utf-8")
    response = upload(client, "mes-alsh.csv", csv)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["added"] == 1 and body["file"] == "mes-alsh.csv"
    evaluated = client.post("/api/scenario/evaluate", json=calamane()).json()
    names = [f["properties"]["name"] for f in evaluated["facilities"]["before"]["features"]]
    assert XSS in names  # kept as data: the page inserts it as text
    assert list(session.workdir.iterdir()) == []  # the upload's private folder is gone
    assert client.post("/api/facilities/reset", json={}).status_code == 200
    evaluated = client.post("/api/scenario/evaluate", json=calamane()).json()
    assert XSS not in [f["properties"]["name"] for f in evaluated["facilities"]["before"]["features"]]


def test_uploaded_facilities_travel_in_the_saved_yaml_with_the_same_table(
        client, session, lot_territory):
    """A planner uploads ALSH (one new, one replacing Catus's line with other places), edits,
    saves: the file carries the uploaded facilities (``equipements``), and ``scenario run``'s
    function on the plain territory gives the page's table; loading the file back restores
    them."""
    csv = ("id;nom;type;code_insee;places;age_min;age_max\n"
           "mon-alsh-pradines;ALSH de Pradines;alsh;46224;16;3;11\n"
           "gc-alsh-catus;ALSH de Catus;alsh;46064;70;3;12\n").encode("utf-8")
    assert upload(client, "mes-alsh.csv", csv).status_code == 200
    try:
        page = calamane(changements=calamane()["changements"] + [
            {"redimensionner": {"id": "mon-alsh-pradines", "places": 24}}])
        shown = summary_frame(client.post("/api/scenario/evaluate", json=page).json())
        text = client.post("/api/scenario/yaml", json=page).content.decode("utf-8")
        saved = yaml.safe_load(text)
        carried = {e["id"]: e for e in saved["equipements"]}
        assert set(carried) == {"mon-alsh-pradines", "gc-alsh-catus"}
        assert carried["gc-alsh-catus"]["places"] == 70
        assert carried["mon-alsh-pradines"]["commune"] == "46224"
        scenario = parse_scenario(text, file="scenario.yaml")
        result = run_scenario(lot_territory, scenario, timer=session.timer.inner)
        same_table(shown, result.table())
        assert result.before.loc["gc-alsh-catus", "capacity"] == 70
        assert result.after.loc["mon-alsh-pradines", "capacity"] == 24
        # Without them the numbers differ: the file does carry what the page computed.
        bare = parse_scenario(text.split("equipements:")[0].replace(
            "- redimensionner:\n    id: mon-alsh-pradines\n    places: 24\n", ""), file="x")
        assert run_scenario(lot_territory, bare, timer=session.timer.inner).before.loc[
            "gc-alsh-catus", "capacity"] != 70
    finally:
        client.post("/api/facilities/reset", json={})
    assert session.uploaded == {}
    loaded = client.post("/api/scenario/load", content=text.encode(),
                         params={"name": "scenario.yaml"})
    assert loaded.status_code == 200 and "equipements" not in loaded.json()
    try:
        assert set(session.uploaded) == {"mon-alsh-pradines", "gc-alsh-catus"}
        again = summary_frame(client.post("/api/scenario/evaluate", json=page).json())
        pd.testing.assert_frame_equal(again, shown)
    finally:
        client.post("/api/facilities/reset", json={})


def test_a_scenario_s_facilities_are_checked_with_their_line():
    text = ("nom: x\ndate: 2025-03-31\nchangements:\n  - fermer: {id: a}\nequipements:\n"
            "  - {id: a, type: alsh, commune: \"46046\"}\n"
            "  - {id: b, type: alsh, commune: \"46046\", fin: demain}\n")
    with pytest.raises(Exception, match="fin") as error:
        parse_scenario(text, file="s.yaml")
    assert error.value.row == 7
    twice = text.replace(", fin: demain", "").replace("id: b", "id: a")
    with pytest.raises(Exception, match="deux fois"):
        parse_scenario(twice, file="s.yaml")


@pytest.mark.parametrize("name, content, words", [
    ("sans-places.csv", b"nom;type;code_insee;places\nALSH de Catus;alsh;46064;\n", "places"),
    ("commune.csv", b"nom;type;code_insee;places\nALSH;alsh;46999;20\n", "46999"),
    ("vide.csv", b"", "vide"),
    ("donnees.exe", b"MZ", "non pris en charge"),
    ("binaire.xlsx", b"\x00\x01pas un classeur", "illisible"),
])
def test_a_bad_facility_file_is_refused_with_its_report_and_the_session_goes_on(
        client, session, name, content, words):
    response = upload(client, name, content)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert words in body["erreur"] + " ".join(str(e.get("message")) for e in
                                              body.get("entries", []))
    assert body["correction"]
    assert "/tmp" not in response.text and str(session.workdir) not in response.text
    for entry in body.get("entries", []):
        assert entry["file"] == name
    assert list(session.workdir.iterdir()) == []
    assert client.post("/api/scenario/evaluate", json=calamane()).status_code == 200


def test_a_path_in_the_upload_name_never_reaches_the_file_system(client, session, tmp_path):
    target = tmp_path / "evil.csv"
    response = upload(client, f"../../../../{target}", b"nom;type;code_insee;places\n")
    assert response.status_code == 400
    assert not target.exists()
    assert response.json()["fichier"] == "evil.csv"


def test_an_oversized_upload_is_refused(client):
    response = upload(client, "gros.csv", b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 400 and "trop gros" in response.json()["erreur"]


# -- suggestions and export -----------------------------------------------------------------
def test_suggest_gives_best_sites_and_a_ranking_each_one_click_from_an_edit(client):
    response = client.post("/api/suggest", json={"scenario": calamane(), "type": "alsh", "p": 2,
                                                 "minutes": 10, "places": 24})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["best"]) == 2 and len(body["ranking"]) == 10
    assert body["covered_after"] >= body["covered_before"]
    edit = body["best"][0]["edit"]
    assert edit["ouvrir"]["places"] == 24 and edit["ouvrir"]["type"] == "alsh"
    edit["ouvrir"]["id"] = "suggestion-1"
    evaluated = client.post("/api/scenario/evaluate",
                            json=calamane(changements=calamane()["changements"] + [edit]))
    assert evaluated.status_code == 200


@pytest.mark.parametrize("options, words", [
    ({"type": "rpe"}, "non proposé"), ({"p": 0}, "nombre de sites"),
    ({"p": "deux"}, "illisible"), ({"minutes": 500}, "seuil"),
])
def test_suggest_refuses_bad_options_in_french(client, options, words):
    response = client.post("/api/suggest", json={"scenario": calamane(), **options})
    assert response.status_code == 400 and words in response.json()["erreur"]


def test_export_zips_the_full_report_with_the_scenario(client, session):
    response = client.post("/api/export", json=calamane())
    assert response.status_code == 200, response.text[:500]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "maillage-rapport/rapport.html" in names
    assert "maillage-rapport/rapport.docx" in names  # the Word version beside it
    assert "maillage-rapport/scenario.yaml" in names
    assert any(n.startswith("maillage-rapport/cartes/") for n in names)
    saved = parse_scenario(archive.read("maillage-rapport/scenario.yaml").decode(), file="s")
    assert saved.changes[0].fields["id"] == "gc-alsh-calamane-scenario"
    assert "Calamane" in archive.read("maillage-rapport/rapport.html").decode()
    assert list(session.workdir.iterdir()) == []
