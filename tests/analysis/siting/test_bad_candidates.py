"""Planners' candidate-site lists (``site … --candidats FILE``) read like every other layer.

Each file of ``tests/bad_inputs/candidats/`` is what a planner hands over: an Excel export in
Windows-1252, a UTF-16 text export, an empty file, binary garbage… The table gives the exact
message (``{file}`` is the path) or, for a file that must load, the candidate names read.
"""

from __future__ import annotations

import pytest

from maillage.analysis.siting.territory import read_candidates
from maillage.errors import InputError
from tests import paths

CORPUS = paths.BAD_INPUTS / "candidats"

#: file -> exact InputError text, or the list of candidate names when the file loads.
CASES: dict[str, str | list[str]] = {
    "excel-windows-1252.csv": ["École de Calamane", "Local vacant de Catus"],
    "utf-16.csv": ["École de Calamane", "Local vacant de Catus"],
    "vide.csv": "fichier {file} : fichier vide. Correction : exporter à nouveau le tableau avec "
                "sa ligne d'en-tête et ses lignes",
    "binaire.csv": "fichier {file} : fichier binaire illisible (ce n'est pas un tableau texte). "
                   "Correction : exporter le tableau en CSV (UTF-8 ou Windows-1252) ou en XLSX",
    "latitude-infinie.csv": "fichier {file}, ligne 2, colonne « lat » : lat « 1e400 » invalide. "
                            "Correction : donner un nombre en degrés entre -90 et 90 (WGS84)",
    "nom-vide.csv": "fichier {file}, ligne 2, colonne « nom » : nom du site vide. Correction : "
                    "donner un nom à chaque site candidat",
    "absent.csv": "fichier {file} : fichier introuvable. Correction : vérifier le chemin du "
                  "fichier",
}


@pytest.fixture(scope="module")
def communes(lot_territory):
    return lot_territory.communes


def test_every_corpus_file_has_a_case():
    assert {p.name for p in CORPUS.iterdir()} == set(CASES) - {"absent.csv"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_candidate_file_gives_its_exact_message_or_loads(name, communes):
    path = CORPUS / name
    expected = CASES[name]
    if isinstance(expected, list):
        sites = read_candidates(path, communes)
        assert list(sites["name"]) == expected
        assert list(sites["commune_code"]) == ["46046", "46064"]
        return
    with pytest.raises(InputError) as caught:
        read_candidates(path, communes)
    assert str(caught.value) == expected.format(file=path)


def test_an_xlsx_candidate_list_is_read_too(communes, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Nom", "Code INSEE"])
    book.active.append(["École de Calamane", "46046"])
    book.save(tmp_path / "candidats.xlsx")
    sites = read_candidates(tmp_path / "candidats.xlsx", communes)
    assert list(sites["commune_code"]) == ["46046"]
