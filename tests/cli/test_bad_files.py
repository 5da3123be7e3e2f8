"""Files given to the wrong command, or not files at all: one French message, exit status 2.

A facility CSV checked as commune contours, a truncated GeoJSON or a binary file given as the
contour of ``network fetch``, and a non-path argument of the Python API.
"""

from __future__ import annotations

import pytest

from maillage.cli import main
from tests import paths

BAD = paths.BAD_INPUTS

#: arguments after ``maillage`` ({bad} = tests/bad_inputs) -> exact message after « Erreur : ».
CASES = {
    "layers check {bad}/french_dates.csv --kind communes":
        "fichier {bad}/french_dates.csv : extension « .csv » : un fichier géographique est "
        "attendu. Correction : donner un fichier .geojson, .gpkg ou .shp (un tableau CSV ou XLSX "
        "n'a pas de contours)",
    "network fetch --out {tmp}/gc.graphml --contour {bad}/binary_garbage.csv":
        "fichier {bad}/binary_garbage.csv : extension « .csv » : un fichier géographique est "
        "attendu. Correction : donner un fichier .geojson, .gpkg ou .shp (un tableau CSV ou XLSX "
        "n'a pas de contours)",
    "network fetch --out {tmp}/gc.graphml --contour {bad}/communes/contour-tronque.geojson":
        "fichier {bad}/communes/contour-tronque.geojson : fichier géographique illisible "
        "(DataSourceError). Correction : vérifier qu'il s'agit bien d'un GeoJSON, GeoPackage ou "
        "Shapefile complet (.shp avec .shx et .dbf)",
    "network fetch --out {tmp}/gc.graphml --contour {tmp}/absent.geojson":
        "fichier {tmp}/absent.geojson : fichier introuvable. Correction : vérifier le chemin du "
        "fichier",
}


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("command", sorted(CASES))
def test_a_wrong_file_gets_one_message_and_status_2(command, capsys, tmp_path):
    values = {"bad": BAD, "tmp": tmp_path}
    status = main(command.format(**values).split())
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    assert err.strip() == "Erreur : " + CASES[command].format(**values)
    assert not (tmp_path / "gc.graphml").exists()


def test_load_territory_with_a_text_that_is_no_file_names_it():
    from maillage.errors import InputError
    from maillage.layers import load_territory

    with pytest.raises(InputError) as caught:
        load_territory(communes="text", offline=True)
    assert str(caught.value) == ("fichier text : fichier introuvable. Correction : vérifier le "
                                 "chemin du fichier")


@pytest.mark.parametrize("argument, example", [
    ("communes", "contours.geojson"), ("facilities", "structures.csv"),
    ("itinerant", "arrets.csv"), ("gtfs", "gtfs.zip"), ("ages", "insee-ages.csv")])
def test_load_territory_with_a_non_path_argument_is_a_type_error(argument, example):
    from maillage.layers import load_territory

    with pytest.raises(TypeError) as caught:
        load_territory(**{argument: 46}, offline=True)
    assert str(caught.value) == (
        f"{argument} : chemin de fichier attendu (str ou pathlib.Path), reçu int. Correction : "
        f"donner le chemin du fichier, par exemple {argument}=\"{example}\"")
