"""The public names other parts and users call, at the import paths the issues give."""

import pandas as pd
import pytest


def test_package_level_names_are_the_documented_functions():
    import maillage
    from maillage.analysis import fca, siting

    assert maillage.two_step_fca is fca.two_step_fca
    assert maillage.maximal_coverage is siting.maximal_coverage
    assert maillage.p_median is siting.p_median
    with pytest.raises(AttributeError):
        maillage.not_a_public_name  # noqa: B018


def test_two_step_fca_from_the_package_gives_places_per_child():
    from maillage.analysis import two_step_fca

    # One centre of 20 places, 100 children within 15 min at A, 300 at B beyond it:
    # ratio = 20 / 100 = 0.2 place per child at A; B reaches nothing.
    cost = pd.DataFrame({"centre": [5.0, 25.0]}, index=["A", "B"])
    result = two_step_fca(pd.Series({"A": 100.0, "B": 300.0}), pd.Series({"centre": 20.0}), cost, 15)
    assert result["A"] == pytest.approx(0.2)
    assert result["B"] == 0.0
