"""`maillage site …`: numbers and candidate files a planner mistypes get one French message.

Every case exits with status 2 and the exact message on the error console, before any
territory is loaded (options) or after it (candidate files), never with a traceback.
"""

from __future__ import annotations

import pytest

from maillage.cli import main
from tests import paths

pytestmark = pytest.mark.usefixtures("offline")
CANDIDATES = paths.BAD_INPUTS / "candidats"

#: arguments after ``maillage`` -> exact message after « Erreur : ».
OPTION_CASES = {
    "site rank --minutes nan": "option --minutes : valeur « nan » invalide. Correction : "
        "donner un nombre supérieur à 0 et au plus 1440 (en minutes)",
    "site rank --minutes -5": "option --minutes : valeur « -5 » invalide. Correction : "
        "donner un nombre supérieur à 0 et au plus 1440 (en minutes)",
    "site cover --minutes inf": "option --minutes : valeur « inf » invalide. Correction : "
        "donner un nombre supérieur à 0 et au plus 1440 (en minutes)",
    "site rank --top -1": "option --top : valeur « -1 » invalide. Correction : donner un "
        "nombre entier au moins égal à 1",
    "site best --limite nan": "option --time-limit : valeur « nan » invalide. Correction : "
        "donner un nombre supérieur à 0 (en secondes)",
    "site best --places -3": "option --places : valeur « -3 » invalide. Correction : donner "
        "un nombre supérieur à 0 (en places)",
    "site median --places nan": "option --places : valeur « nan » invalide. Correction : "
        "donner un nombre supérieur à 0 (en places)",
    "site best --p -1": "option --p : valeur « -1 » invalide. Correction : donner un nombre "
        "entier au moins égal à 0",
    "network fetch --out x.graphml --tampon -10": "option --buffer : valeur « -10 » invalide. "
        "Correction : donner un nombre au moins égal à 0 et au plus 100000 (en mètres)",
}


def _run(args: list[str], capsys) -> tuple[int, str]:
    status = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


@pytest.mark.parametrize("command", sorted(OPTION_CASES))
def test_a_mistyped_number_stops_before_any_work(command, capsys, monkeypatch):
    import maillage.layers

    def no_loading(*args, **kwargs):  # the check comes first: nothing is loaded
        raise AssertionError("territory loaded before the options were checked")

    monkeypatch.setattr(maillage.layers, "load_territory", no_loading)
    status, err = _run(command.split(), capsys)
    assert status == 2
    assert err.strip() == "Erreur : " + OPTION_CASES[command]


@pytest.mark.parametrize("name", ["vide.csv", "binaire.csv", "absent.csv"])
def test_site_rank_with_a_bad_candidate_file_exits_2(name, capsys, monkeypatch,
                                                     straight_line_timer):
    import maillage.geo

    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None:
                        straight_line_timer)
    path = CANDIDATES / name
    status, err = _run(["site", "rank", "--epci", "200023737", "--candidats", str(path)], capsys)
    assert status == 2
    assert err.startswith(f"Erreur : fichier {path} : ")


def test_site_rank_reads_an_excel_windows_1252_candidate_file(capsys, monkeypatch,
                                                             straight_line_timer):
    import maillage.geo

    monkeypatch.setattr(maillage.geo, "default_timer", lambda territory=None:
                        straight_line_timer)
    path = CANDIDATES / "excel-windows-1252.csv"
    assert main(["site", "rank", "--epci", "200023737", "--candidats", str(path)]) == 0
    assert "École de Calamane" in capsys.readouterr().out


def test_epci_contradicting_a_territory_siren_is_refused(capsys):
    """--territoire 200023737 (Grand Cahors) --epci 200066223: no silent winner."""
    status, err = _run(["site", "rank", "--territoire", "200023737", "--epci", "200066223"],
                       capsys)
    assert status == 2
    assert err.strip() == (
        "Erreur : territoire « 200023737 » et intercommunalité « 200066223 » contradictoires : "
        "le territoire est déjà une intercommunalité. Correction : donner soit le territoire "
        "« lot » et l'intercommunalité (--epci), soit le seul SIREN du territoire")
