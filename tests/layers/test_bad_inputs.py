"""The bad-file corpus: every file of tests/bad_inputs/ and the exact message it must produce.

Each case is one small file, the loader that reads it, and either the exact InputError text
(file, row, column, fix) or, for files that must load, the report line saying what was
converted or repaired. ``{file}`` stands for the path of the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maillage import layers
from maillage.errors import InputError
from tests import paths

BAD = paths.BAD_INPUTS
TYPES = ("alsh, alae, eaje, mam, rpe, laep, france_services, centre_social, evs, point_justice, "
         "accueil_jeunes, pmi, ecole")

#: file -> (loader, "error" or "loads", exact message or report line).
CASES = {
    # --- communes and codes -------------------------------------------------------------
    "unknown_insee_code.csv": ("facilities", "error",
        "fichier {file}, ligne 3, colonne « code_insee » : code INSEE 46999 inconnu dans le "
        "territoire. Correction : vérifier le code INSEE de la commune (code officiel "
        "géographique, pas le code postal)"),
    "postal_code_instead_of_insee.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « code_insee » : code INSEE 46000 inconnu dans le "
        "territoire. Correction : vérifier le code INSEE de la commune (code officiel "
        "géographique, pas le code postal)"),
    "merged_old_code.csv": ("facilities", "loads",
        "[converti] fichier {file}, ligne 2, colonne « code_insee » : ancien code 46300 remplacé "
        "par celui de la commune nouvelle 46033 (Porte-du-Quercy)"),
    # --- ids, places, kinds, dates, opening ------------------------------------------------
    "duplicate_ids.csv": ("facilities", "error",
        "fichier {file}, ligne 3, colonne « id » : identifiant « gc-alsh-catus » en double (déjà "
        "ligne 2). Correction : donner un identifiant unique à chaque structure"),
    "negative_places.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « places » : nombre de places négatif (-4). "
        "Correction : donner un nombre positif ou nul"),
    "non_numeric_places.csv": ("facilities", "error",
        "fichier {file}, ligne 3, colonne « places » : nombre de places « vingt » n'est pas un "
        "nombre. Correction : écrire un nombre en chiffres (ex. 24 ou 24,5)"),
    "alsh_without_capacity.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « places » : nombre de places absent pour un service "
        "alsh. Correction : remplir la colonne places (capacité agréée)"),
    "missing_name_column.csv": ("facilities", "error",
        "fichier {file}, ligne 1, colonne « nom » : colonne du nom absente. Correction : ajouter "
        "une colonne « nom » (ou « name »)"),
    "unknown_kind.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « type » : type de service « garderie » inconnu. "
        "Correction : utiliser un de ces types : " + TYPES),
    "french_dates.csv": ("facilities", "loads",
        "[converti] fichier {file}, ligne 2, colonne « id » : identifiant absent : "
        "« alsh-alsh-de-calamane-46046 » attribué"),
    "valid_to_before_valid_from.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « date_fin » : date de fin (31/08/2024) avant la date "
        "de début (01/09/2024). Correction : corriger l'une des deux dates"),
    "impossible_date.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « date_debut » : date « 31/02/2025 » illisible. "
        "Correction : écrire la date jj/mm/aaaa (ex. 01/04/2025) ou aaaa-mm-jj"),
    "unknown_opening.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « ouverture » : période d'ouverture « dimanches » "
        "inconnue. Correction : utiliser mercredis, vacances, périscolaire, semaine ou samedi, "
        "séparés par des points-virgules"),
    # what planners type for "no end", impossible or absurd dates, absurd numbers -------------
    "end_date_2999.csv": ("facilities", "loads",
        "[converti] fichier {file}, ligne 2, colonne « date_fin » : date de fin « 31/12/2999 » "
        "lue comme « sans date de fin »"),
    "start_date_year_1019.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « date_debut » : date « 01/09/1019 » improbable "
        "(année 1019). Correction : vérifier l'année : une date entre 1900 et 2099, ou laisser "
        "vide"),
    "end_date_year_0.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « date_fin » : date « 01/01/0000 » illisible. "
        "Correction : écrire la date jj/mm/aaaa (ex. 01/04/2025) ou aaaa-mm-jj"),
    "day_32_month_13.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « date_debut » : date « 32/13/2020 » illisible. "
        "Correction : écrire la date jj/mm/aaaa (ex. 01/04/2025) ou aaaa-mm-jj"),
    "places_1e400.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « places » : nombre de places « 1e400 » est infini ou "
        "trop grand. Correction : écrire un nombre en chiffres (ex. 24 ou 24,5)"),
    "latitude_1e400.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « latitude » : coordonnée « 1e400 » hors limites "
        "(valeur infinie). Correction : donner des degrés décimaux WGS84 : latitude entre -90 "
        "et 90, longitude entre -180 et 180 (ex. 44,4475 et 1,4419 à Cahors)"),
    "longitude_inf.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « longitude » : coordonnée « -inf » hors limites "
        "(valeur infinie). Correction : donner des degrés décimaux WGS84 : latitude entre -90 "
        "et 90, longitude entre -180 et 180 (ex. 44,4475 et 1,4419 à Cahors)"),
    "latitude_text.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « latitude » : coordonnée « 44°26'N » illisible. "
        "Correction : donner des degrés décimaux (ex. 44,4475 ou 44.4475)"),
    "negative_age.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « age_min » : âge minimum négatif (-5). Correction : "
        "donner un nombre positif ou nul"),
    "infinite_age.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « age_max » : âge maximum « inf » est infini ou trop "
        "grand. Correction : écrire un nombre en chiffres (ex. 24 ou 24,5)"),
    "age_400.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « age_max » : âge de 400 ans improbable. Correction : "
        "donner l'âge en années (0 à 120)"),
    "stop_400_days_per_month.csv": ("stops", "error",
        "fichier {file}, ligne 2, colonne « jours_par_mois » : 400 jours par mois. Correction : "
        "donner un nombre de jours de présence par mois (31 au plus)"),
    "stop_1e400_days_per_month.csv": ("stops", "error",
        "fichier {file}, ligne 2, colonne « jours_par_mois » : nombre de jours par mois « 1e400 » "
        "est infini ou trop grand. Correction : écrire un nombre en chiffres (ex. 24 ou 24,5)"),
    # --- coordinates ------------------------------------------------------------------------
    "no_coordinates_no_commune.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « code_insee » : ni coordonnées ni commune : "
        "impossible de placer la ligne. Correction : donner le code INSEE de la commune (colonne "
        "code_insee) ou la latitude et la longitude"),
    "one_coordinate_only.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « longitude » : une seule des deux coordonnées est "
        "donnée. Correction : donner la latitude et la longitude, ou aucune des deux"),
    "swapped_lat_lon.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « latitude » : latitude (1.33856) et longitude "
        "(44.55979) inversées. Correction : échanger les colonnes : latitude 44.55979, "
        "longitude 1.33856"),
    "lambert93_in_lat_lon.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « latitude » : coordonnées en mètres (Lambert-93) dans "
        "les colonnes latitude/longitude. Correction : convertir en degrés WGS84 : latitude "
        "44.55374, longitude 1.48909"),
    "point_outside_territory.csv": ("facilities", "error",
        "fichier {file}, ligne 2, colonne « latitude » : le point (latitude 43.6045, longitude "
        "1.444) est hors de toutes les communes du territoire. Correction : vérifier les "
        "coordonnées ou charger le territoire qui contient ce lieu"),
    "semicolon_decimal_commas.csv": ("facilities", "loads",
        "[converti] fichier {file}, ligne 2, colonne « commune_code » : commune déduite des "
        "coordonnées : 46064 (Catus)"),
    # --- geometry -----------------------------------------------------------------------------
    "bowtie_polygon.geojson": ("contours", "loads",
        "[réparé] fichier {file}, ligne 2, colonne « geometry » : contour invalide de la commune "
        "46066 réparé (make_valid)"),
    "empty_geometry.geojson": ("contours", "error",
        "fichier {file}, ligne 2, colonne « geometry » : géométrie vide pour la commune 46066. "
        "Correction : redessiner ou réexporter le contour"),
    # --- files and encodings ------------------------------------------------------------------
    "empty_file.csv": ("facilities", "error",
        "fichier {file} : fichier vide. Correction : exporter à nouveau le tableau avec sa ligne "
        "d'en-tête et ses lignes"),
    "header_only.csv": ("facilities", "error",
        "fichier {file} : aucune ligne de données (en-tête seul). Correction : ajouter au moins "
        "une ligne sous l'en-tête"),
    "cp1252.csv": ("facilities", "loads",
        "[converti] fichier {file} : encodage Windows-1252 (Excel) détecté et converti en UTF-8"),
    "utf8_bom.csv": ("facilities", "loads",
        "[converti] fichier {file}, ligne 2, colonne « id » : identifiant absent : "
        "« alsh-alsh-de-catus-46064 » attribué"),
    "utf16.csv": ("facilities", "loads",
        "[converti] fichier {file} : encodage UTF-16 détecté et converti"),
    "wrong_encoding.csv": ("facilities", "error",
        "fichier {file} : fichier binaire ou encodage inconnu : le texte est illisible. "
        "Correction : enregistrer le fichier en CSV UTF-8 depuis le tableur"),
    "binary_garbage.csv": ("facilities", "error",
        "fichier {file} : fichier binaire illisible (ce n'est pas un tableau texte). Correction : "
        "exporter le tableau en CSV (UTF-8 ou Windows-1252) ou en XLSX"),
    "xlsx_renamed_csv.csv": ("facilities", "error",
        "fichier {file} : ce fichier est une archive ZIP ou un classeur Excel, pas un CSV. "
        "Correction : l'enregistrer avec l'extension .xlsx ou l'exporter en CSV (séparateur "
        "point-virgule)"),
    "xlsx_truncated_sheet.xlsx": ("facilities", "error",
        "fichier {file} : classeur XLSX illisible (feuille tronquée ou XML invalide). "
        "Correction : ouvrir le fichier dans le tableur et l'enregistrer à nouveau en XLSX"),
    "xlsx_corrupt_zip.xlsx": ("facilities", "error",
        "fichier {file} : classeur XLSX illisible (archive ZIP endommagée ou tronquée). "
        "Correction : ouvrir le fichier dans le tableur et l'enregistrer à nouveau en XLSX"),
    "unsupported_extension.pdf": ("facilities", "error",
        "fichier {file} : extension « .pdf » non prise en charge. Correction : donner un fichier "
        ".csv, .xlsx, .geojson, .gpkg ou .shp"),
    # --- GTFS, itinerant stops, INSEE ages -----------------------------------------------------
    "gtfs_without_stops.zip": ("gtfs", "error",
        "fichier {file}, colonne « stops.txt » : fichier stops.txt absent du flux GTFS. "
        "Correction : un flux GTFS doit contenir stops.txt : télécharger à nouveau le flux "
        "complet"),
    "gtfs_empty.zip": ("gtfs", "error",
        "fichier {file} : flux GTFS vide (aucun fichier .txt). Correction : vérifier le "
        "téléchargement du flux GTFS"),
    "unknown_weekday_stop.csv": ("stops", "error",
        "fichier {file}, ligne 2, colonne « jours » : jour « mardy » inconnu. Correction : écrire "
        "les jours en français (lundi … dimanche) séparés par des points-virgules"),
    "insee_ages_missing_column.csv": ("ages", "error",
        "fichier {file}, ligne 1, colonne « P21_POP1117 » : colonne P21_POP1117 absente. "
        "Correction : garder les colonnes POP0002, POP0305, POP0610 et POP1117 du fichier INSEE"),
}


def _load(loader: str, path: Path, communes, report):
    if loader == "facilities":
        return layers.load_facilities(path, communes=communes, report=report)
    if loader == "contours":
        return layers.read_contours(path, report)
    if loader == "gtfs":
        return layers.load_gtfs_stops(path, report=report)
    if loader == "stops":
        return layers.load_itinerant_stops(path, communes, report=report)
    return layers.apply_insee_ages(communes, path, report)


def test_the_corpus_has_at_least_25_files_and_each_has_a_case():
    files = {p.name for p in BAD.iterdir() if p.is_file()}
    assert len(files) >= 25
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_its_exact_message(name, lot_points):
    loader, outcome, expected = CASES[name]
    path = BAD / name
    expected = expected.format(file=path)
    report = layers.ValidationReport()
    if outcome == "error":
        with pytest.raises(InputError) as caught:
            _load(loader, path, lot_points, report)
        assert str(caught.value) == expected
    else:
        layer = _load(loader, path, lot_points, report)
        assert len(layer) >= 1
        assert expected in report.to_text().splitlines()
        assert not report.errors


def test_every_error_of_a_file_is_listed_not_only_the_first(lot_points, tmp_path):
    path = tmp_path / "deux_erreurs.csv"
    path.write_text("nom;type;code_insee;places\nALSH A;alsh;46999;10\nALSH B;alsh;46064;-2\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        layers.load_facilities(path, communes=lot_points)
    rows = [(e.row, e.column) for e in caught.value.report.errors]
    assert rows == [(2, "code_insee"), (3, "places")]


def test_inputs_are_never_modified(lot_points):
    before = {p.name: p.read_bytes() for p in BAD.iterdir() if p.is_file()}
    for name, (loader, _, _) in CASES.items():
        try:
            _load(loader, BAD / name, lot_points, layers.ValidationReport())
        except InputError:
            pass
    assert before == {p.name: p.read_bytes() for p in BAD.iterdir() if p.is_file()}


def test_an_end_date_in_2999_means_open_ended(lot_points):
    """« 31/12/2999 » is what planners type for "no end": the facility stays in force."""
    import pandas as pd

    facilities = layers.load_facilities(BAD / "end_date_2999.csv", communes=lot_points)
    catus = facilities.iloc[0]
    assert pd.isna(catus["valid_to"]) and catus["valid_from"] == pd.Timestamp("2019-09-01")
    assert facilities["valid_to"].dtype == "datetime64[ns]"
