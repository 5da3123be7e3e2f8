"""Printable maps (PNG/SVG): legend, scale bar, north arrow, source line."""

from tests.fixtures.maps import synthetic
from maillage.maps.folium_capacity import capacity_classes, mapped_ratio
from maillage.maps.static import _nice_length, static_map


def test_printable_map_has_legend_scale_bar_north_arrow_and_source(tmp_path):
    diag = synthetic.diagnostic(scenario=False)
    alsh = diag.capacity[0].by_commune
    paths = static_map(diag.territory, mapped_ratio(alsh), capacity_classes(alsh),
                       tmp_path / "capacite_alsh", title="ALSH : places pour 100 enfants",
                       source="Sources : INSEE RP 2021 ; registre CTG", kinds=["alsh"])
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths[1].read_text(encoding="utf-8")
    for text in ("Sources : INSEE RP 2021 ; registre CTG", "km", ">N<",
                 "aucune place dans la", "Accueil de loisirs (ALSH)"):  # legend wrapped
        assert text in svg or text.replace("'", "&#39;") in svg, text


def test_scale_bar_length_is_a_round_number_of_kilometres():
    assert _nice_length(27_400) == 20_000
    assert _nice_length(7_300) == 5_000
    assert _nice_length(1_999) == 1_000
