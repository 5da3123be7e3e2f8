"""The report's methodology names where every commune's children come from."""

from __future__ import annotations

import pandas as pd

from maillage.layers.communes import embedded_communes
from maillage.maps.report_text import children_sources


def test_each_origin_of_the_children_is_named_with_its_communes():
    communes = pd.DataFrame({"age_source": ["INSEE Filosofi 2021 (a)", "INSEE Filosofi 2021 (a)",
                                            "estimation : arrondissement"]})
    assert children_sources(communes) == [
        "Enfants par âge (2 communes) : INSEE Filosofi 2021 (a).",
        "Enfants par âge (1 commune) : estimation : arrondissement."]


def test_the_embedded_lot_has_one_source_for_its_312_communes():
    sentences = children_sources(embedded_communes())
    assert len(sentences) == 1
    assert sentences[0].startswith("Enfants par âge (312 communes) : INSEE Filosofi 2021")
    assert "0-2 ans = ¾ des 0-3 ans" in sentences[0]
