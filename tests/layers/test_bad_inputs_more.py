"""More bad inputs: scenario files, road networks, GTFS feeds, commune contours and INSEE ages.

Each file of ``tests/bad_inputs/{scenarios,networks,gtfs,communes}/`` is a mistake a planner
makes. The table below gives, for each, the exact text the user reads (``{file}`` is the path
given), so that a reader sees every message; a traceback or a vague message is a failure.
The facility/commune/GTFS cases at the top of ``tests/bad_inputs/`` are in test_bad_inputs.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from maillage.errors import InputError, MaillageError, NetworkError
from tests import paths

#: The kinds of the registry, as the messages list them.
TYPES = ["alsh", "alae", "eaje", "mam", "rpe", "laep", "france_services", "centre_social", "evs",
         "point_justice", "accueil_jeunes", "pmi", "ecole"]

CORPUS = paths.BAD_INPUTS

#: file -> (exception, exact message, or a compiled regex when the text comes from a library).
CASES: dict[str, tuple[type, str | re.Pattern]] = {
    # --- scenario files (load_scenario, then applied to the Lot registry) ---------------------
    "scenarios/ferme-inconnu.yaml": (InputError,
        "fichier {file}, ligne 8, colonne « id » : le scénario ferme « gc-alsh-pradines-bis » qui "
        "n'existe pas dans le registre. Correction : copier l'identifiant exact depuis la colonne "
        "id du registre"),
    "scenarios/pas-en-service.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « id » : le scénario redimensionne « gc-alsh-calamane » "
        "qui n'est pas en service au 2024-01-01. Correction : choisir l'identifiant en service à "
        "la date du scénario"),
    "scenarios/ouvrir-existant.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « id » : le scénario ouvre « gc-alsh-catus » qui existe "
        "déjà dans le registre. Correction : choisir un nouvel identifiant"),
    "scenarios/places-negatives.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « places » : « places » vaut -8 dans « redimensionner ». "
        "Correction : écrire un nombre ≥ 0"),
    "scenarios/places-infinies.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « places » : « places » vaut inf dans "
        "« redimensionner ». Correction : écrire un nombre ≥ 0"),
    "scenarios/places-en-lettres.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « places » : « places » vaut 'vingt' dans « ouvrir ». "
        "Correction : écrire un nombre ≥ 0"),
    "scenarios/ouvrir-alsh-sans-places.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « places » : « ouvrir » un service alsh sans « places ». "
        "Correction : indiquer places: (capacité agréée) pour un alsh, un eaje ou une mam"),
    "scenarios/type-inconnu.yaml": (InputError,
        "fichier {file}, ligne 6 : type de changement inconnu « agrandir ». Correction : choisir "
        "parmi ouvrir, redimensionner, fermer, deplacer, itinerance"),
    "scenarios/cle-inconnue.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « capacite » : clé inconnue « capacite » dans "
        "« ouvrir ». Correction : clés acceptées : ages, commune, id, lat, lon, nom, ouverture, "
        "places, sous_type, type"),
    "scenarios/ages-inverses.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « ages » : âges illisibles : [12, 3]. Correction : "
        "écrire ages: [3, 12] (âge minimum, âge maximum)"),
    "scenarios/commune-inconnue.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « commune » : la commune « 46999 » n'est pas dans le "
        "territoire. Correction : vérifier le code INSEE (5 caractères, ex. \"46046\")"),
    "scenarios/date-impossible.yaml": (InputError,
        "fichier {file}, ligne 3, colonne « date » : date de base illisible : '31/02/2025'. "
        "Correction : écrire date: AAAA-MM-JJ (l'état du registre à comparer)"),
    "scenarios/sans-changements.yaml": (InputError,
        "fichier {file}, colonne « changements » : le scénario ne contient aucun changement. "
        "Correction : ajouter changements: avec au moins un changement (ouvrir, redimensionner, "
        "fermer, deplacer, itinerance)"),
    "scenarios/yaml-casse.yaml": (InputError, re.compile(
        r"fichier {file}, ligne 8 : YAML illisible : .+\. Correction : vérifier l'indentation et "
        r"les deux-points")),
    "scenarios/liste-au-lieu-de-dictionnaire.yaml": (InputError,
        "fichier {file} : le scénario doit être un dictionnaire YAML. Correction : commencer par "
        "nom:, date:, changements:"),
    "scenarios/windows-1252.yaml": (InputError,
        "fichier {file} : le scénario n'est pas en UTF-8. Correction : enregistrer le fichier en "
        "UTF-8"),
    # --- hostile or careless scenario files (issue 11): bombs, tags, shapes, numbers, dates ---
    "scenarios/bombe-alias.yaml": (InputError,
        "fichier {file}, ligne 8 : plus de 50 alias YAML (*nom). Correction : écrire les "
        "valeurs en entier plutôt que par des alias"),
    "scenarios/bombe-alias-compacte.yaml": (InputError,
        "fichier {file}, ligne 14 : les alias YAML (*nom) développent le fichier en plus de "
        "20\u202f000 valeurs. Correction : écrire les valeurs en entier, sans alias qui se "
        "répètent les uns les autres"),
    "scenarios/alias-boucle.yaml": (InputError,
        "fichier {file}, ligne 3 : les alias YAML (*nom) forment une boucle (une valeur se "
        "contient elle-même). Correction : écrire les valeurs en entier, sans alias qui se "
        "répètent les uns les autres"),
    "scenarios/imbrication-profonde.yaml": (InputError,
        "fichier {file}, ligne 4 : YAML imbriqué sur plus de 12 niveaux. Correction : un "
        "scénario n'imbrique que quelques listes et dictionnaires : vérifier les crochets et "
        "l'indentation"),
    "scenarios/balise-python.yaml": (InputError,
        "fichier {file}, ligne 4 : balise YAML « !!python/object/apply:os.system » refusée. "
        "Correction : un scénario ne contient que des textes, des nombres, des listes et des "
        "dictionnaires, avec des clés en texte (pas de balise !!python ni !!…)"),
    "scenarios/cles-melangees.yaml": (InputError,
        "fichier {file}, ligne 4 : clé « 1 » qui n'est pas un mot dans « redimensionner ». "
        "Correction : écrire les clés en lettres (id:, places: …)"),
    "scenarios/cle-nulle.yaml": (InputError,
        "fichier {file}, ligne 3 : clé vide. Correction : écrire les clés en lettres : nom:, "
        "date:, changements:"),
    "scenarios/nom-en-liste.yaml": (InputError,
        "fichier {file}, ligne 1, colonne « nom » : « nom » doit être un texte, pas une liste "
        "ni un dictionnaire. Correction : écrire nom: \"…\" (entre guillemets)"),
    "scenarios/indicateurs-nombre.yaml": (InputError,
        "fichier {file}, ligne 3, colonne « indicateurs » : « indicateurs » vaut 5 : une liste "
        "de types est attendue. Correction : écrire indicateurs: [alsh] (ou [alsh, eaje]…)"),
    "scenarios/indicateur-inconnu.yaml": (InputError,
        "fichier {file}, ligne 3, colonne « indicateurs » : indicateur « piscine » inconnu. "
        "Correction : choisir parmi " + ", ".join(TYPES) + ", alsh_moins_6, alsh_6_11, "
        "alsh_12_17"),
    "scenarios/meme-id-ouvert-deux-fois.yaml": (InputError,
        "fichier {file}, ligne 5, colonne « id » : « gc-alsh-nouveau » ouvert deux fois (déjà "
        "ligne 4). Correction : donner un identifiant différent à chaque ouverture"),
    "scenarios/type-piscine.yaml": (InputError,
        "fichier {file}, ligne 4, colonne « type » : type de service « piscine » inconnu. "
        "Correction : utiliser un de ces types : " + ", ".join(TYPES)),
    "scenarios/latitude-1000.yaml": (InputError,
        "fichier {file}, ligne 4, colonne « lat » : point hors de France (lat 1000, lon 1.44). "
        "Correction : écrire des degrés décimaux WGS84 (lat ≈ 44,4 et lon ≈ 1,4 dans le Lot)"),
    "scenarios/lambert93-en-lat-lon.yaml": (InputError,
        "fichier {file}, ligne 4, colonne « lat » : coordonnées en mètres (Lambert-93) au lieu "
        "de degrés. Correction : écrire des degrés WGS84 : lat: 44.44432, lon: 1.39147"),
    "scenarios/places-1e400.yaml": (InputError,
        "fichier {file}, ligne 4, colonne « places » : « places » vaut inf dans "
        "« redimensionner ». Correction : écrire un nombre ≥ 0"),
    "scenarios/ages-infinis.yaml": (InputError,
        "fichier {file}, ligne 4, colonne « ages » : âges hors de 0 à 120 ans : [-5, inf]. "
        "Correction : écrire ages: [3, 12] (âge minimum, âge maximum, en années)"),
    "scenarios/jours-par-mois-400.yaml": (InputError,
        "fichier {file}, ligne 4, colonne « jours_par_mois » : arrêt de « 46046 » : 400 jours "
        "par mois. Correction : donner un nombre de jours de présence par mois (31 au plus)"),
    "scenarios/date-9999.yaml": (InputError,
        "fichier {file}, ligne 2, colonne « date » : date de base improbable (année 9999). "
        "Correction : écrire une date entre 1900 et 2099 (AAAA-MM-JJ) : l'état du registre à "
        "comparer"),
    # --- road networks (load_network; iles.csv also times Cahors, Catus and Figeac) -----------
    "networks/iles.csv": (NetworkError,
        "1 origine(s) rattachée(s) à une partie du réseau coupée du reste : 46102. Correction : "
        "corrigez le réseau (sens uniques, tronçons manquants) ou déplacez ces points, ou passez "
        "check_components=False pour obtenir inf."),
    "networks/colonnes-manquantes.csv": (InputError,
        "fichier {file}, ligne 1 : colonnes manquantes : v_lat. Correction : en-tête attendu : "
        "u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight"),
    "networks/longueur-negative.csv": (InputError,
        "fichier {file}, ligne 3, colonne « length_m_straight » : valeur numérique absente ou "
        "invalide. Correction : renseignez un nombre (coordonnées en degrés, longueur en mètres "
        "≥ 0)"),
    "networks/virgule-decimale.csv": (InputError,
        "fichier {file}, ligne 3, colonne « u_lat » : valeur numérique absente ou invalide. "
        "Correction : renseignez un nombre (coordonnées en degrés, longueur en mètres ≥ 0)"),
    "networks/vide.csv": (InputError,
        "fichier {file} : fichier vide. Correction : exporter la liste de tronçons avec l'en-tête "
        "u,u_lat,u_lon,v,v_lat,v_lon,route,length_m_straight"),
    "networks/en-tete-seul.csv": (InputError,
        "fichier {file}, ligne 2 : aucun tronçon (en-tête seul). Correction : ajouter au moins un "
        "tronçon sous l'en-tête"),
    "networks/pas-du-graphml.graphml": (NetworkError, re.compile(
        r"Fichier GraphML illisible : .*pas-du-graphml\.graphml.*\. Correction : .+")),
    "networks/noeud-sans-coordonnees.graphml": (InputError,
        "fichier {file}, colonne « y » : nœud 2 sans coordonnées lisibles (x = 1.41007, y = nan) "
        "; 1 nœud(s) concerné(s). Correction : exporter à nouveau le réseau : chaque nœud doit "
        "avoir x (longitude) et y (latitude) en degrés"),
    "networks/lambert93-sans-crs.graphml": (InputError,
        "fichier {file}, colonne « x » : coordonnées des nœuds hors degrés (nœud 1 : x = 576458, "
        "y = 6.37426e+06) : ce sont sans doute des mètres (Lambert-93) sans système de "
        "coordonnées déclaré. Correction : enregistrer le graphe en WGS84 (osmnx : "
        "ox.project_graph(G, to_latlong=True)) ou déclarer son système (crs) dans le GraphML"),
    # --- GTFS feeds (load_gtfs_stops) ----------------------------------------------------------
    "gtfs/pas-un-zip.zip": (InputError,
        "fichier {file} : ce fichier n'est pas une archive ZIP GTFS. Correction : donner le .zip "
        "du flux tel que publié sur transport.data.gouv.fr, ou le dossier décompressé"),
    "gtfs/stops-vide.zip": (InputError,
        "fichier {file}, colonne « stops.txt » : stops.txt ne contient aucun arrêt. Correction : "
        "vérifier le flux GTFS (stops.txt vide)"),
    "gtfs/sans-stop-times.zip": (InputError,
        "fichier {file}, colonne « stop_times.txt » : fichier stop_times.txt absent du flux GTFS. "
        "Correction : un flux GTFS doit contenir stop_times.txt : télécharger à nouveau le flux "
        "complet"),
    "gtfs/coordonnees-illisibles.zip": (InputError,
        "fichier {file}, ligne 3, colonne « stop_lat » : arrêt CAL sans coordonnées lisibles. "
        "Correction : corriger stop_lat et stop_lon dans stops.txt"),
    "gtfs/sans-stop-lat.zip": (InputError,
        "fichier {file}, ligne 1, colonne « stop_lat » : colonne stop_lat absente de stops.txt. "
        "Correction : un flux GTFS donne stop_lat et stop_lon pour chaque arrêt : télécharger à "
        "nouveau le flux complet"),
    "gtfs/arrets-inconnus.zip": (InputError,
        "fichier {file}, ligne 6, colonne « stop_id » : stop_times.txt cite l'arrêt « LHERM » "
        "absent de stops.txt. Correction : corriger stop_times.txt ou télécharger à nouveau le "
        "flux complet"),
    "gtfs/sequence-illisible.zip": (InputError,
        "fichier {file}, ligne 3, colonne « stop_sequence » : stop_times.txt : ordre d'arrêt "
        "« deux » illisible. Correction : stop_sequence doit être un entier"),
    "gtfs/sequence-immense.zip": (InputError,
        "fichier {file}, ligne 3, colonne « stop_sequence » : stop_times.txt : ordre d'arrêt "
        "« 99999999999999999999999 » démesuré. Correction : stop_sequence doit être un entier "
        "d'au plus 1 000 000 (rang de l'arrêt dans la course)"),
    "gtfs/course-inconnue.zip": (InputError,
        "fichier {file}, ligne 6, colonne « trip_id » : stop_times.txt cite la course « T9 » "
        "absente de trips.txt. Correction : corriger stop_times.txt ou télécharger à nouveau le "
        "flux complet"),
    "gtfs/ligne-inconnue.zip": (InputError,
        "fichier {file}, ligne 3, colonne « route_id » : trips.txt cite la ligne « L7 » absente "
        "de routes.txt. Correction : corriger trips.txt ou télécharger à nouveau le flux "
        "complet"),
    "gtfs/latitude-infinie.zip": (InputError,
        "fichier {file}, ligne 3, colonne « stop_lat » : arrêt CAL : coordonnées hors limites "
        "(stop_lat inf, stop_lon 1.41007). Correction : donner des degrés WGS84 (latitude entre "
        "-90 et 90, longitude entre -180 et 180) dans stops.txt"),
    "gtfs/longitude-hors-limites.zip": (InputError,
        "fichier {file}, ligne 4, colonne « stop_lon » : arrêt CAT : coordonnées hors limites "
        "(stop_lat 44.55979, stop_lon 1338560). Correction : donner des degrés WGS84 (latitude "
        "entre -90 et 90, longitude entre -180 et 180) dans stops.txt"),
    "gtfs/membre-corrompu.zip": (InputError,
        "fichier {file}, colonne « stop_times.txt » : stop_times.txt illisible : archive ZIP "
        "endommagée (BadZipFile). Correction : télécharger à nouveau le flux GTFS (le fichier a "
        "été tronqué ou abîmé)"),
    # --- commune contours (load_communes(path)) and INSEE ages (load_communes(ages=path)) -----
    "communes/insee-effectifs-texte.csv": (InputError,
        "fichier {file}, ligne 3, colonne « P21_POP0305 » : effectif « n.d. » illisible. "
        "Correction : donner un nombre positif ou nul (virgule décimale acceptée)"),
    "communes/insee-sans-codgeo.csv": (InputError,
        "fichier {file}, ligne 1, colonne « CODGEO » : colonne CODGEO absente. Correction : "
        "utiliser le fichier INSEE « Évolution et structure de la population » (colonnes CODGEO, "
        "P21_POP0002, P21_POP0305, P21_POP0610, P21_POP1117)"),
    "communes/geoapi-polygone-vide.geojson": (InputError,
        "fichier {file}, ligne 3, colonne « geometry » : géométrie vide pour la commune 46042. "
        "Correction : redessiner ou réexporter le contour"),
    "communes/geoapi-code-invalide.geojson": (InputError,
        "fichier {file}, ligne 2, colonne « code » : code commune « 46O42 » invalide. Correction : "
        "donner le code INSEE à 5 caractères (ex. 46042)"),
    "communes/geoapi-centres-au-lieu-des-contours.geojson": (InputError,
        "fichier {file}, ligne 2, colonne « geometry » : la commune 46046 n'a pas de contour "
        "(polygone attendu). Correction : donner un fichier de contours"),
    "communes/contour-tronque.geojson": (InputError,
        "fichier {file} : fichier géographique illisible (DataSourceError). Correction : vérifier "
        "qu'il s'agit bien d'un GeoJSON, GeoPackage ou Shapefile complet (.shp avec .shx et "
        ".dbf)"),
    "communes/lambert93-sans-prj.shp": (InputError,
        "fichier {file} : aucun système de coordonnées déclaré et coordonnées hors degrés. "
        "Correction : enregistrer le fichier avec son système de coordonnées (par exemple "
        "Lambert-93, EPSG:2154)"),
    "communes/lambert93-sans-crs.geojson": (InputError,
        "fichier {file} : coordonnées hors degrés dans un fichier lu en WGS84 (EPSG:4326) : ce "
        "sont sans doute des mètres (Lambert-93) sans système de coordonnées déclaré. Correction : "
        "réexporter le fichier en WGS84 (EPSG:4326), ou en GeoPackage avec son système de "
        "coordonnées (par exemple Lambert-93, EPSG:2154)"),
}


@pytest.fixture(scope="module")
def lot(lot_territory):
    """The embedded Lot (communes, registry of the 4 CTG, itinerant stops), offline."""
    return lot_territory


def _communes_points(communes, codes) -> gpd.GeoDataFrame:
    chosen = communes.loc[codes]
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(chosen["point_lon"], chosen["point_lat"]),
                            index=chosen.index, crs="EPSG:4326")


def _load(path: Path, lot):
    """Run the loader a planner's file goes through (by corpus folder)."""
    from maillage.analysis.scenario import apply_changes, load_scenario
    from maillage.geo import NetworkTimer, load_network
    from maillage.layers import load_communes, load_gtfs_stops

    folder = path.parent.name
    if folder == "scenarios":
        scenario = load_scenario(path)
        return apply_changes(scenario, lot.facilities, lot.communes, lot.itinerant_stops)
    if folder == "networks":
        graph = load_network(path)
        points = _communes_points(lot.communes, ["46042", "46064", "46102"])
        return NetworkTimer(graph).matrix(points, points)
    if folder == "gtfs":
        return load_gtfs_stops(path)
    if path.suffix == ".csv":
        return load_communes(ages=path, offline=True)
    return load_communes(path, offline=True)


def test_the_corpus_has_every_file_of_the_table():
    on_disk = {f"{p.parent.name}/{p.name}" for sub in ("scenarios", "networks", "gtfs", "communes")
               for p in (CORPUS / sub).iterdir() if p.suffix not in (".dbf", ".shx", ".cpg")}
    assert on_disk - set(CASES) == {"communes/insee-anciens-codes.csv",
                                    "communes/insee-hors-territoire.csv",
                                    "scenarios/date-francaise.yaml",
                                    "scenarios/type-majuscules.yaml",
                                    "scenarios/balisage-rich.yaml",
                                    "networks/lambert93.graphml"}  # loaded: tests below
    assert set(CASES) <= on_disk
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_the_exact_message(name, lot):
    path = CORPUS / name
    kind, expected = CASES[name]
    with pytest.raises(MaillageError) as caught:
        _load(path, lot)
    assert type(caught.value) is kind
    text = str(caught.value)
    if isinstance(expected, re.Pattern):
        pattern = expected.pattern.replace("{file}", re.escape(str(path)))
        assert re.fullmatch(pattern, text), text
    else:
        assert text == expected.format(file=path)
    if isinstance(caught.value, InputError) and "{file}" in str(getattr(expected, "pattern",
                                                                        expected)):
        assert caught.value.file == str(path)


def test_a_french_scenario_date_is_day_first(lot):
    """« date: 01/04/2025 » is the 1st of April (the day Calamane opens), never January 4th."""
    from maillage.analysis.scenario import apply_changes, load_scenario

    scenario = load_scenario(CORPUS / "scenarios" / "date-francaise.yaml")
    assert scenario.date == pd.Timestamp("2025-04-01")
    before, after, _ = apply_changes(scenario, lot.facilities, lot.communes)
    assert "gc-alsh-calamane" in before.index and "gc-alsh-calamane" not in after.index


def test_insee_counts_under_former_codes_are_summed_and_reported():
    """Cieurac (46077) and Vers (46327) merged into Bellefont-La Rauze (46156) in 2019."""
    from maillage.layers import ValidationReport, load_communes

    path = CORPUS / "communes" / "insee-anciens-codes.csv"
    report = ValidationReport()
    communes = load_communes(ages=path, offline=True, report=report)
    assert communes.at["46156", "pop_0_2"] == pytest.approx(3.1 + 9.4)
    assert communes.at["46156", "pop_11_17"] == pytest.approx(9.5 + 25.6)
    assert communes.at["46042", "pop_3_5"] == pytest.approx(540.1)
    assert communes.at["46156", "age_source"] == f"INSEE RP2021 ({path})"
    mapped = [(e.level, e.row, e.message) for e in report.entries if e.file == str(path)
              and e.level == "converti"]
    assert mapped == [
        ("converti", 3, "ancien code 46077 additionné à la commune actuelle 46156 "
                        "(Bellefont-La Rauze)"),
        ("converti", 4, "ancien code 46327 additionné à la commune actuelle 46156 "
                        "(Bellefont-La Rauze)"),
    ]


def test_insee_rows_outside_the_territory_are_counted_in_the_report():
    """A national INSEE file has other départements' communes: not used, but never silently."""
    from maillage.layers import ValidationReport, load_communes

    path = CORPUS / "communes" / "insee-hors-territoire.csv"
    report = ValidationReport()
    communes = load_communes(ages=path, offline=True, report=report)
    assert communes.at["46042", "pop_0_2"] == pytest.approx(512.3)
    assert "31555" not in communes.index
    messages = [e.message for e in report.entries if e.file == str(path)]
    assert "2 lignes hors du territoire ignorées (31555, 82121)" in messages


def test_the_island_network_times_the_connected_communes(lot):
    """Cahors and Catus are on the main part of iles.csv: they get finite times."""
    from maillage.geo import NetworkTimer, load_network

    graph = load_network(CORPUS / "networks" / "iles.csv")
    points = _communes_points(lot.communes, ["46042", "46064"])
    minutes = NetworkTimer(graph).matrix(points, points)
    assert minutes.loc["46042", "46064"] == pytest.approx(minutes.loc["46064", "46042"])
    assert 5 < minutes.loc["46042", "46064"] < 60


def test_a_graphml_saved_in_lambert93_with_its_crs_is_read_in_degrees(lot):
    """osmnx's project_graph output (crs EPSG:2154 declared) times the same as the original."""
    from maillage.geo import NetworkTimer, load_network

    projected = load_network(CORPUS / "networks" / "lambert93.graphml")
    original = load_network(CORPUS / "networks" / "iles.csv")
    assert projected.graph["crs"] == "EPSG:4326"
    assert projected.nodes[2]["x"] == pytest.approx(original.nodes[2]["x"], abs=1e-6)
    points = _communes_points(lot.communes, ["46042", "46064"])
    assert NetworkTimer(projected).matrix(points, points).to_numpy() == pytest.approx(
        NetworkTimer(original).matrix(points, points).to_numpy(), rel=1e-3)


def _command(name: str) -> list[str] | None:
    """The command a planner types for a corpus file (None: no command reads it alone)."""
    path = str(CORPUS / name)
    folder = name.split("/")[0]
    if folder == "scenarios":
        return ["scenario", "run", path]
    if folder == "networks":
        return None if name == "networks/iles.csv" else ["network", "info", path]
    if folder == "gtfs":
        return ["layers", "check", path, "--kind", "gtfs"]
    return ["layers", "check", path, "--kind", "ages" if path.endswith(".csv") else "communes"]


@pytest.mark.parametrize("name", [n for n in sorted(CASES) if _command(n)])
def test_the_command_line_reports_the_error_without_a_traceback(name, capsys, monkeypatch):
    """Exit status 2 and the French message (the first line of it) on the console."""
    from maillage.cli import main

    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps long lines at the console width
    status = main(_command(name))
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err and err.startswith("Erreur :")
    kind, expected = CASES[name]
    if isinstance(expected, str) and kind is InputError and name.startswith("scenarios/"):
        assert expected.format(file=CORPUS / name).split(" : ", 1)[1][:40] in err
