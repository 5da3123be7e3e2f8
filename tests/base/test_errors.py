"""maillage's errors are ValueErrors: library callers catch them the usual way."""

from __future__ import annotations

import pandas as pd
import pytest

from maillage.analysis import places_per_100_children
from maillage.errors import InputError, MaillageError, NetworkError, SolverError


@pytest.mark.parametrize("error", [MaillageError, InputError, NetworkError, SolverError])
def test_every_maillage_error_is_a_value_error(error):
    assert issubclass(error, ValueError)
    assert issubclass(error, MaillageError)


def test_a_bad_input_from_the_public_api_is_caught_as_value_error():
    communes = pd.DataFrame({"code": ["46042"], "epci": ["200023737"], "pop_3_5": [10.0],
                             "pop_6_10": [20.0]}).set_index("code", drop=False)
    facilities = pd.DataFrame({"kind": ["alsh"], "capacity": [20.0], "commune_code": ["46042"]})
    with pytest.raises(ValueError) as caught:
        places_per_100_children(communes, facilities, "alsh", by="nowhere")
    assert isinstance(caught.value, InputError)
    assert str(caught.value) == caught.value.__str__()


def test_the_message_keeps_file_row_column_and_fix():
    error = InputError("valeur illisible", file="a.csv", row=2, column="places", fix="corriger")
    assert str(error) == ("fichier a.csv, ligne 2, colonne « places » : valeur illisible. "
                          "Correction : corriger")
    assert error.args == (str(error),)
