"""Scenario files a careless or hostile user writes: read within budgets, types normalised.

The exact messages of the corpus files (bombs, tags, shapes, numbers, dates) are pinned in
tests/layers/test_bad_inputs_more.py; these are the cases that load, or that need a file made
on the fly (a file too big, a folder).
"""

from __future__ import annotations

import pytest

from maillage.analysis.scenario import apply_changes, load_scenario, parse_scenario
from maillage.analysis.scenario.safe_yaml import MAX_BYTES
from maillage.errors import InputError
from tests import paths

SCENARIOS = paths.BAD_INPUTS / "scenarios"


def test_a_type_in_capitals_opens_that_kind(lot_territory):
    """« type: ALSH » is read as the facility loader reads it: an alsh, not a silent no-op."""
    scenario = load_scenario(SCENARIOS / "type-majuscules.yaml")
    assert scenario.changes[0].fields["type"] == "alsh"
    _, after, _ = apply_changes(scenario, lot_territory.facilities, lot_territory.communes)
    assert after.loc["gc-alsh-calamane-scenario", "kind"] == "alsh"
    assert after.loc["gc-alsh-calamane-scenario", "capacity"] == 20


def test_a_synonym_type_gives_its_kind_and_subtype():
    text = ("nom: x\ndate: 2025-03-31\nchangements:\n  - ouvrir: {id: n, type: Crèche, "
            "commune: \"46046\", places: 12}\n")
    fields = parse_scenario(text).changes[0].fields
    assert (fields["type"], fields["sous_type"]) == ("eaje", "crèche")


def test_a_file_too_big_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "enorme.yaml"
    path.write_text("nom: x\n" + "# " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"fichier {path} : fichier YAML trop gros (")
    assert "Correction : un scénario tient en quelques lignes" in str(caught.value)


def test_a_folder_given_as_the_scenario_is_named_as_such(tmp_path):
    with pytest.raises(InputError) as caught:
        load_scenario(tmp_path)
    assert str(caught.value) == (f"fichier {tmp_path} : le scénario donné est un dossier. "
                                 "Correction : donner le fichier YAML du scénario (ex. "
                                 "calamane-2025.yaml)")


def test_a_bomb_is_refused_at_once_without_expanding_it():
    """9 levels of 9 aliases: refused on the alias count, nothing is built."""
    text = (SCENARIOS / "bombe-alias.yaml").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="plus de 50 alias YAML"):
        parse_scenario(text)


def test_a_few_aliases_are_still_allowed():
    """Planners may reuse a block with an anchor: small budgets, not a ban."""
    text = ("nom: x\ndate: 2025-03-31\nchangements:\n"
            "  - ouvrir: &base {id: a, type: alsh, commune: \"46046\", places: 10}\n"
            "  - redimensionner: {id: a, places: 12}\n")
    assert parse_scenario(text).changes[0].fields["places"] == 10


def test_open_stop_coordinates_are_checked_too():
    text = ("nom: x\ndate: 2025-03-31\nchangements:\n  - itinerance: {id: gc-rpe, arrets: "
            "[{commune: \"46046\", jours_par_mois: 2, lat: 6373000, lon: 572000}]}\n")
    with pytest.raises(InputError, match="Lambert-93"):
        parse_scenario(text)
