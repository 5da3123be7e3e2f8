"""Folium maps of the synthetic territory: content, French wording, offline pages."""

import html
import re

import pytest

from tests.fixtures.maps import synthetic
from maillage.maps.classes import NO_DATA_COLOR
from maillage.maps.folium_capacity import capacity_map
from maillage.maps.folium_coverage import coverage_map
from maillage.maps.folium_scenario import scenario_map
from maillage.maps.leaflet import LEAFLET_VERSION, render_html, save_map

REMOTE = re.compile(r'<(?:script|link)[^>]+(?:src|href)="https?://', re.I)


def text_of(page: str) -> str:
    """The page with JSON unicode escapes (popups, legends) decoded, as a reader sees them."""
    return html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)),
                                page))


@pytest.fixture(scope="module")
def diag(synthetic_diagnostic):
    return synthetic_diagnostic


def _alsh(diag):
    return next(c for c in diag.capacity if c.kind == "alsh")


@pytest.fixture(scope="module")
def capacity_page(diag):
    return text_of(render_html(capacity_map(diag.territory, _alsh(diag).by_commune,
                                            kind="alsh", age_label="3 à 11 ans")))


def test_self_contained_map_inlines_leaflet_and_loads_nothing_remote(capacity_page):
    assert not REMOTE.search(capacity_page)
    assert f"Leaflet {LEAFLET_VERSION}" in capacity_page or "leaflet" in capacity_page.lower()
    assert ".leaflet-container" in capacity_page  # leaflet.css inlined
    assert "$(" not in capacity_page  # no jQuery needed
    assert "tile.openstreetmap.org" not in capacity_page


def test_online_map_draws_openstreetmap_tiles_over_an_inlined_leaflet(diag):
    m = capacity_map(diag.territory, _alsh(diag).by_commune, tiles=True)
    page = render_html(m)
    assert "tile.openstreetmap.org" in page and "contributeurs OpenStreetMap" in text_of(page)
    assert not REMOTE.search(page)  # the map still works where the tiles cannot load
    assert REMOTE.search(render_html(m, self_contained=False))  # Folium's CDN links


def test_facility_popups_say_name_kind_places_ages_opening_and_source(capacity_page):
    assert "ALSH de Bourgville" in capacity_page
    assert "Accueil de loisirs (ALSH)" in capacity_page
    assert "3 à 11 ans" in capacity_page
    assert "mercredis, vacances scolaires" in capacity_page
    assert "fixture synthétique, p. 1" in capacity_page


def test_legend_is_french_and_the_secret_commune_is_drawn_as_no_data(capacity_page):
    assert "places pour 100 enfants" in capacity_page
    assert "aucune place dans la commune" in capacity_page
    assert "secret statistique" in capacity_page
    # Petitville: 4 children and an ALSH of 10 places: its rate would reveal the count.
    petitville = re.search(r'\{[^{}]*"name": "Petitville"[^{}]*\}', capacity_page)
    assert petitville, "Petitville's feature properties not found"
    assert f'"_fill": "{NO_DATA_COLOR}"' in petitville.group(0)
    assert '"< 5"' in petitville.group(0) and "250" not in petitville.group(0)


def test_itinerant_bus_stops_show_their_days(capacity_page):
    assert "Bus France services : tracé schématique" in capacity_page
    assert "lundi;vendredi" in capacity_page
    assert "Arrêts de bus (fréquence)" in capacity_page
    assert "12 départs par jour ou plus" in capacity_page


def test_communes_known_as_points_are_drawn_as_proportional_symbols():
    diag = synthetic.diagnostic(points_only=True, scenario=False)
    page = text_of(render_html(capacity_map(diag.territory, _alsh(diag).by_commune)))
    assert "Contours des communes indisponibles hors ligne" in page
    assert "surface du cercle proportionnelle aux enfants" in page
    assert page.count("L.circleMarker") >= 6 + len(diag.territory.facilities)


def test_coverage_map_colours_communes_by_minutes_to_the_nearest_alsh(diag):
    access = next(a for a in diag.access if a.kind == "alsh")
    page = text_of(render_html(coverage_map(diag.territory, access.nearest, kind="alsh",
                                            estimated=True,
                                            timer_description=diag.timer_description)))
    assert "Temps d'accès au plus proche : Accueil de loisirs (ALSH)" in page
    assert "de 0 à 10 min" in page
    assert "vol d'oiseau" in page


def test_scenario_map_switches_between_before_after_and_difference(diag, tmp_path):
    view = diag.scenario
    m = scenario_map(diag.territory, view.before, view.after, kind="alsh", title=view.name)
    path = save_map(m, tmp_path / "scenario.html")
    page = text_of(path.read_text(encoding="utf-8"))
    for name in ("Avant : places pour 100 enfants", "Après : places pour 100 enfants",
                 "Différence (après − avant)"):
        assert name in page
    assert "hausse de" in page and "baisse de" not in page
