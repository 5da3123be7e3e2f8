"""INSEE BPE: family services from the national equipment base, merged with the registry.

``bpe_sample_lot.csv`` is a HAND-MADE sample in the real format of INSEE's
« bpe21_ensemble_xy.csv » (``;``, REG, DEP, DEPCOM, DCIRIS, AN, TYPEQU, LAMBERT_X, LAMBERT_Y in
Lambert-93, QUALITE_XY): its rows are invented (types and communes chosen to exercise the
loader: a crèche in Cahors, an ALSH, a crèche and a France services also in the registry, a
poorly located crèche, a relais without coordinates, a school, a PMI, a police station and a
crèche of Tarn-et-Garonne); the schools and PMI of each vintage are written by the test;
``bpe_sample_2024.csv`` has the columns of recent vintages
(``NOMRS``, ``EPSG``, lower case). No real BPE extract could be obtained offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maillage import layers
from maillage.errors import InputError
from maillage.layers.bpe import BPE_KINDS, load_bpe, merge_with_registry

FIXTURES = Path(__file__).parent.parent / "fixtures" / "layers"


@pytest.fixture(scope="module")
def lot():
    return layers.load_territory("lot", offline=True)


@pytest.fixture(scope="module")
def bpe(lot):
    report = layers.ValidationReport()
    frame = load_bpe(FIXTURES / "bpe_sample_lot.csv", communes=lot.communes, departement="46",
                     report=report)
    return frame, report


def test_codes_map_to_the_kinds_of_the_registry():
    assert BPE_KINDS == {"D502": "eaje", "D503": "laep", "D504": "rpe", "D505": "alsh",
                         "D506": "centre_social", "A128": "france_services", "D115": "pmi",
                         "C107": "ecole", "C108": "ecole", "C109": "ecole",
                         "C101": "ecole", "C102": "ecole", "C104": "ecole", "C105": "ecole"}
    from maillage.kinds import service_kind

    assert all(service_kind(kind) is not None for kind in BPE_KINDS.values())
    # PMI and schools have no places: never counted in places per 100 children.
    for key in ("pmi", "ecole"):
        kind = service_kind(key)
        assert kind.capacity == "none" and kind.band is None and not kind.report_places


@pytest.mark.parametrize(("vintage", "rows", "subtypes"), [
    ("2021", ["C101", "C102", "C104", "C105", "D115"],
     ["école maternelle", "école maternelle (RPI dispersé)", "école élémentaire",
      "école élémentaire (RPI dispersé)", ""]),
    ("2024", ["C107", "C108", "C109", "D115"],
     ["école maternelle", "école primaire", "école élémentaire", ""]),
])
def test_schools_and_pmi_are_loaded_in_every_vintage(tmp_path, lot, vintage, rows, subtypes):
    path = tmp_path / f"bpe{vintage}.csv"
    lines = ["DEPCOM;AN;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY"]
    lines += [f"46042;{vintage};{code};5761{i}0;6373300;Bonne" for i, code in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load_bpe(path, communes=lot.communes)
    assert frame["kind"].tolist() == ["ecole"] * (len(rows) - 1) + ["pmi"]
    assert frame["subtype"].tolist() == subtypes
    assert frame["capacity"].isna().all()
    assert frame["name"].iloc[-1] == "Protection maternelle et infantile (PMI) (BPE)"
    assert frame["source"].iloc[0] == f"INSEE BPE {vintage}, {rows[0]}, qualité XY Bonne"


def test_family_services_are_loaded_without_places(bpe):
    frame, report = bpe
    assert sorted(frame.index) == ["bpe-alsh-46042-1", "bpe-eaje-46042-1", "bpe-eaje-46127-1",
                                   "bpe-eaje-46148-1", "bpe-ecole-46042-1",
                                   "bpe-france-services-46064-1", "bpe-pmi-46042-1",
                                   "bpe-rpe-46042-1"]
    assert frame["capacity"].isna().all()  # « places inconnues »
    assert frame.at["bpe-eaje-46042-1", "source"] == "INSEE BPE 2021, D502, qualité XY Bonne"
    # Lambert-93 (576020, 6373273) is Cahors, 44.4475 N 1.4419 E.
    cahors = frame.loc["bpe-eaje-46042-1"]
    assert (cahors["lat"], cahors["lon"]) == pytest.approx((44.4475, 1.4419), abs=1e-4)
    assert cahors["location_precision"] == "adresse"
    assert frame.at["bpe-ecole-46042-1", "subtype"] == "école primaire"  # C108
    assert "non repris" not in " ".join(e.message for e in report.entries)


def test_poor_or_missing_coordinates_go_to_the_commune_point(bpe, lot):
    frame, report = bpe
    for fid, code in (("bpe-eaje-46148-1", "46148"), ("bpe-rpe-46042-1", "46042")):
        row = frame.loc[fid]
        assert row["location_precision"] == "commune"
        assert row["lon"] == pytest.approx(lot.communes.at[code, "point_lon"])
    repaired = [e for e in report.entries if e.level == "réparé"]
    assert repaired[0].column == "QUALITE_XY" and repaired[0].message.startswith("2 équipement")


def test_duplicates_with_the_registry_are_matched_not_doubled(bpe, lot):
    frame, _ = bpe
    report = layers.ValidationReport()
    merged, matches = merge_with_registry(lot.facilities, frame, at="2025-06-01", report=report)
    assert dict(zip(matches["bpe_id"], matches["registry_id"])) == {
        "bpe-alsh-46042-1": "gc-alsh-croix-de-fer", "bpe-eaje-46127-1": "qbo-eaje-gourdon",
        "bpe-france-services-46064-1": "gc-fs-catus", "bpe-rpe-46042-1": "gc-rpe"}
    assert len(merged) == len(lot.facilities) + 4  # the registry has no school, no PMI
    assert {"bpe-eaje-46042-1", "bpe-eaje-46148-1", "bpe-ecole-46042-1",
            "bpe-pmi-46042-1"} <= set(merged.index)
    assert merged.at["gc-fs-catus", "source"].endswith("aussi dans la BPE "
                                                       "(bpe-france-services-46064-1)")
    assert report.entries[-1].message == ("BPE : 4 équipement(s) déjà au registre, 4 ajouté(s) "
                                          "sans nombre de places (« places inconnues »)")


def test_a_superseded_registry_state_is_not_a_match(lot):
    # Catus has its 2020 state (40 places, until 2024-08-31) and its current one (48).
    report = layers.ValidationReport()
    bpe = load_bpe(FIXTURES / "bpe_sample_2024.csv", communes=lot.communes, report=report)
    _, matches = merge_with_registry(lot.facilities, bpe, at="2025-06-01")
    assert matches["registry_id"].tolist() == ["gc-alsh-catus"]
    assert bpe.at["bpe-alsh-46064-1", "name"] == "ALSH DE CATUS"


def test_a_file_that_is_not_the_bpe_is_refused(tmp_path, lot):
    path = tmp_path / "autre.csv"
    path.write_text("nom;commune\nCrèche;46042\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_bpe(path, communes=lot.communes)
    assert error.value.column == "TYPEQU" and "BPE" in str(error.value)


def test_the_territory_can_take_a_bpe_file(tmp_path):
    territory = layers.load_territory("lot", offline=True,
                                      bpe=FIXTURES / "bpe_sample_lot.csv")
    assert "bpe-eaje-46042-1" in territory.facilities.index
    assert "bpe-alsh-46042-1" not in territory.facilities.index  # matched, counted once
    assert territory.sources["bpe"].kind == "fichier utilisateur"
