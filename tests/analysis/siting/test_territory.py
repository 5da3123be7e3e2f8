"""Siting inputs on the embedded Grand Cahors territory, planners' candidate lists, the CLI."""

from __future__ import annotations


import pytest

from maillage.analysis.siting.territory import find_site, read_candidates, siting_inputs
from maillage.errors import InputError
from tests import paths

FIXTURES = paths.FIXTURES / "siting"
GRAND_CAHORS = "200023737"


@pytest.fixture(scope="module")
def grand_cahors():
    from maillage.layers import load_territory

    return load_territory(epci=GRAND_CAHORS, offline=True)


@pytest.fixture(scope="module")
def timer(straight_line_timer):
    return straight_line_timer


@pytest.fixture(scope="module")
def before_calamane(grand_cahors, timer):
    """The state the planners asked about: 31 March 2025, before Calamane's ALSH opened."""
    return siting_inputs(grand_cahors, "alsh", timer=timer, places=20, at="2025-03-31")


def test_alsh_demand_is_children_3_to_11_per_commune(grand_cahors, before_calamane):
    communes = grand_cahors.communes
    # 3–5, 6–10 and the 11-year-olds (1/7 of 11–17, rounded to 0.1 in the embedded table).
    assert communes.at["46046", "pop_11"] == pytest.approx(
        communes.at["46046", "pop_11_17"] / 7, abs=0.05)
    assert before_calamane.demand["46046"] == pytest.approx(
        communes.at["46046", "pop_3_5"] + communes.at["46046", "pop_6_10"]
        + communes.at["46046", "pop_11"])
    assert len(before_calamane.demand) == 36


def test_existing_sites_are_the_alsh_in_force_before_calamane_opened(before_calamane):
    assert "gc-alsh-calamane" not in before_calamane.existing
    assert "gc-alsh-catus" in before_calamane.existing
    assert "gc-alsh-catus-2020" not in before_calamane.existing
    assert len(before_calamane.candidates) == 36
    assert before_calamane.cost.shape == (36, len(before_calamane.existing) + 36)


def test_calamane_opens_with_20_places_catus_keeps_its_48(before_calamane):
    capacity = before_calamane.capacity
    assert capacity["candidat-46046"] == 20
    assert capacity["gc-alsh-catus"] == 48
    assert any("médiane" in note for note in before_calamane.notes)


def test_calamane_is_found_by_name_without_accents_or_case(before_calamane):
    assert find_site(before_calamane.labels, before_calamane.candidates, "calamane") == \
        "candidat-46046"
    with pytest.raises(InputError, match="Calamanne.*proches : calamane"):
        find_site(before_calamane.labels, before_calamane.candidates, "Calamanne")


def test_candidate_list_by_commune_code_name_or_coordinates(grand_cahors):
    sites = read_candidates(FIXTURES / "candidats.csv", grand_cahors.communes)
    assert list(sites["name"]) == ["École de Calamane", "Local vacant de Catus",
                                   "Salle des fêtes de Nuzéjouls"]
    assert list(sites["commune_code"][:2]) == ["46046", "46064"]
    assert sites.geometry.iloc[2].y == pytest.approx(44.5372)
    assert sites.crs.to_epsg() == 4326


def test_unknown_commune_in_candidate_list_names_file_line_and_column(grand_cahors):
    with pytest.raises(InputError) as error:
        read_candidates(FIXTURES / "candidats_commune_inconnue.csv", grand_cahors.communes)
    assert error.value.row == 3
    assert error.value.column == "commune"
    assert "Cahorz" in str(error.value)


def test_latitude_out_of_range_is_reported_on_its_line(grand_cahors):
    with pytest.raises(InputError) as error:
        read_candidates(FIXTURES / "candidats_latitude.csv", grand_cahors.communes)
    assert (error.value.row, error.value.column) == (3, "lat")


def test_cli_rank_says_where_calamane_stands(monkeypatch, capsys, timer):
    import maillage.geo
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None: timer)
    code = main(["site", "rank", "--kind", "alsh", "--places", "20", "--minutes", "15",
                 "--site", "Calamane", "--epci", GRAND_CAHORS, "--date", "2025-03-31"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Calamane est classée" in " ".join(out.split())
    assert "sur 36" in out


def test_cli_unknown_site_is_a_french_error_not_a_traceback(monkeypatch, capsys, timer):
    import maillage.geo
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None: timer)
    code = main(["site", "rank", "--site", "Paris", "--epci", GRAND_CAHORS])
    assert code == 2
    assert "site candidat « Paris » introuvable" in " ".join(capsys.readouterr().err.split())


def test_cli_best_two_sites_reports_coverage(monkeypatch, capsys, timer):
    import maillage.geo
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None: timer)
    code = main(["site", "best", "--kind", "alsh", "--p", "2", "--minutes", "15",
                 "--epci", GRAND_CAHORS, "--methode", "both"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "Sites retenus (2)" in out
    assert "à l'optimum" in out


def test_cli_rank_after_calamane_opened_says_it_is_already_there(monkeypatch, capsys, timer):
    import maillage.geo
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None: timer)
    code = main(["site", "rank", "--site", "Calamane", "--epci", GRAND_CAHORS,
                 "--date", "2025-06-01"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "ALSH de Calamane est déjà ouvert dans cette commune" in out
