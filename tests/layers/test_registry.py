"""The embedded registry of the four CTG territories of the Lot, checked against the seed documents.

Reads ``data/facilities_lot.csv``, ``data/itinerant_stops_lot.csv`` and ``data/scenarios/*.yaml``
with pandas and PyYAML directly (not through the loader), so that the data itself is held to the
figures of the CTG documents: the 402 places of the Grand Cahors press kit, Calamane opening with
20 places, Catus growing from 40 to 48 places.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib.resources import files

import pandas as pd
import pytest
import yaml

from maillage.settings import shared_data_dir

DATA = files("maillage.data")

FACILITY_COLUMNS = (
    "id,name,kind,subtype,commune_code,address,lat,lon,capacity,age_min,age_max,operator,"
    "opening,valid_from,valid_to,itinerant,source"
).split(",")
STOP_COLUMNS = (
    "service_id,stop_id,name,commune_code,lat,lon,weekdays,days_per_month,hours,source"
).split(",")
KINDS = {
    "alsh", "alae", "eaje", "mam", "rpe", "laep", "france_services", "centre_social", "evs",
    "point_justice", "accueil_jeunes",
}
#: Kinds whose offer is counted in places (capacity required where a document states it).
PLACE_KINDS = {"alsh", "eaje", "mam"}
#: Kinds that have no places at all (capacity must stay empty).
NO_PLACE_KINDS = {"rpe", "laep", "france_services", "centre_social", "evs", "point_justice"}
OPENING_TOKENS = {"mercredis", "vacances", "periscolaire", "semaine", "samedi"}
WEEKDAYS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
#: Days per month of one weekday served weekly, every other week, monthly (data/README.md).
DAYS_PER_MONTH_RULE = {4.33, 2.17, 1.0}
EPCI_BY_PREFIX = {"gc": "200023737", "qb": "200039519", "qbo": "244600482", "cs": "200035327"}
SEED_DOCUMENTS = (
    "cazals-salviac-ctg-2022-2026.txt",
    "grand-cahors-ctg-2020-signature.txt",
    "grand-cahors-ctg-2024-2028-dossier-presse.txt",
    "quercy-blanc-ctg-copil-2023.txt",
    "quercy-bouriane-ctg-2022-2026-plan-action.txt",
)
#: "402 places en centre de loisirs" (dossier de presse 2025, §L'enfance).
PRESS_KIT_ALSH_PLACES = 402
#: For each example scenario, a date on which the registry shows the scenario's "after" state.
SCENARIO_AFTER_DATES = {
    "calamane-2025.yaml": "2025-06-01",
    "le-montat-2024.yaml": "2024-07-01",
    "hausses-2024-2025.yaml": "2024-09-01",
}


def _read_csv(name: str) -> pd.DataFrame:
    with DATA.joinpath(name).open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def raw_facilities() -> pd.DataFrame:
    return _read_csv("facilities_lot.csv")


@pytest.fixture(scope="module")
def facilities(raw_facilities) -> pd.DataFrame:
    df = raw_facilities.copy()
    for column in ("lat", "lon", "capacity", "age_min", "age_max"):
        df[column] = pd.to_numeric(df[column])
    for column in ("valid_from", "valid_to"):
        df[column] = pd.to_datetime(df[column], format="%Y-%m-%d")
    df["epci"] = df["id"].str.split("-").str[0].map(EPCI_BY_PREFIX)
    return df


@pytest.fixture(scope="module")
def stops() -> pd.DataFrame:
    df = _read_csv("itinerant_stops_lot.csv")
    df["days_per_month"] = pd.to_numeric(df["days_per_month"])
    return df


@pytest.fixture(scope="module")
def readme() -> str:
    return DATA.joinpath("README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cog_communes() -> pd.DataFrame:
    shared = shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data absent : la liste des communes COG 2026 n'est pas disponible")
    df = pd.read_csv(shared / "admin" / "lot_communes_cog2026.csv", dtype=str)
    return df[df["type"] == "commune-actuelle"].set_index("code_insee")


def in_force(facilities: pd.DataFrame, date: str) -> pd.DataFrame:
    """Rows in force on ``date``: both bounds inclusive, empty bound = open-ended."""
    day = pd.Timestamp(date)
    starts = facilities["valid_from"].isna() | (facilities["valid_from"] <= day)
    ends = facilities["valid_to"].isna() | (day <= facilities["valid_to"])
    return facilities[starts & ends]


def grand_cahors_alsh(facilities: pd.DataFrame, date: str) -> pd.DataFrame:
    state = in_force(facilities, date)
    return state[(state["kind"] == "alsh") & (state["epci"] == EPCI_BY_PREFIX["gc"])]


def one_centre(facilities: pd.DataFrame, name: str, date: str) -> pd.Series | None:
    rows = grand_cahors_alsh(facilities, date)
    rows = rows[rows["name"] == name]
    assert len(rows) <= 1, f"{name} a plusieurs états en vigueur le {date}"
    return None if rows.empty else rows.iloc[0]


# --------------------------------------------------------------------------- structure


def test_files_have_exactly_the_design_columns(raw_facilities, stops):
    assert list(raw_facilities.columns) == FACILITY_COLUMNS
    assert list(stops.columns) == STOP_COLUMNS


def test_ids_are_unique_and_prefixed_by_a_known_epci(facilities):
    assert not facilities["id"].duplicated().any(), facilities.loc[facilities["id"].duplicated(), "id"]
    assert facilities["epci"].notna().all(), facilities.loc[facilities["epci"].isna(), "id"].tolist()


def test_kinds_opening_tokens_and_itinerant_flags_are_from_the_allowed_sets(raw_facilities):
    assert set(raw_facilities["kind"]) <= KINDS
    tokens = raw_facilities["opening"].dropna().str.split(";").explode()
    assert set(tokens) <= OPENING_TOKENS
    assert set(raw_facilities["itinerant"]) <= {"true", "false"}


def test_no_coordinates_are_invented(facilities, stops):
    """No seed document gives coordinates: the loader places rows at their commune."""
    assert facilities[["lat", "lon"]].isna().all().all()
    assert stops[["lat", "lon"]].isna().all().all()


def test_every_row_cites_a_seed_document(facilities, stops):
    for frame, key in ((facilities, "id"), (stops, "stop_id")):
        cited = frame["source"].apply(lambda text: any(doc in text for doc in SEED_DOCUMENTS))
        assert cited.all(), frame.loc[~cited, key].tolist()


def test_capacities_and_ages_are_sensible(facilities):
    capacity = facilities["capacity"].dropna()
    assert (capacity >= 0).all()
    assert facilities.loc[facilities["kind"].isin(NO_PLACE_KINDS), "capacity"].isna().all()
    ages = facilities.dropna(subset=["age_min", "age_max"])
    assert (ages["age_min"] <= ages["age_max"]).all()


def test_place_kinds_without_capacity_are_listed_as_gaps(facilities, readme):
    missing = facilities[facilities["kind"].isin(PLACE_KINDS) & facilities["capacity"].isna()]
    unlisted = [row_id for row_id in missing["id"] if f"`{row_id}`" not in readme]
    assert not unlisted, f"sans places et absents des lacunes du README : {unlisted}"


def test_successive_states_of_a_centre_follow_each_other_without_gap_or_overlap(facilities):
    """`gc-alsh-catus-2020` ends the day before `gc-alsh-catus` starts."""
    roots = facilities["id"].str.replace(r"-\d{4}$", "", regex=True)
    for root, states in facilities.groupby(roots):
        if len(states) < 2:
            continue
        states = states.sort_values("valid_from", na_position="first")
        for before, after in zip(states.itertuples(), states.iloc[1:].itertuples()):
            assert before.valid_to + pd.Timedelta(days=1) == after.valid_from, root


def test_commune_codes_are_current_cog_2026_communes_of_the_right_epci(facilities, stops, cog_communes):
    for frame in (facilities, stops):
        unknown = set(frame["commune_code"]) - set(cog_communes.index)
        assert not unknown, f"codes absents du COG 2026 : {sorted(unknown)}"
    epci_of_commune = facilities["commune_code"].map(cog_communes["epci_siren"])
    wrong = facilities[epci_of_commune != facilities["epci"]]
    assert wrong.empty, wrong[["id", "commune_code"]].to_string()


# --------------------------------------------------------------------------- documents' cases


def test_grand_cahors_alsh_places_match_the_402_or_the_documented_gap(facilities, readme):
    centres = grand_cahors_alsh(facilities, "2025-06-01")
    known = centres["capacity"].sum()
    # Catus 48, Croix-de-Fer 130, Terre-Rouge 48, Le Montat 20, Calamane 20: every figure the
    # documents give; the remainder of the 402 places belongs to centres without a number.
    assert known == 48 + 130 + 48 + 20 + 20
    unknown = sorted(centres.loc[centres["capacity"].isna(), "id"])
    assert unknown == ["gc-alsh-saint-gery-vers"]
    gap = PRESS_KIT_ALSH_PLACES - known
    assert gap > 0
    assert f"{gap:.0f} places" in readme, "le README doit chiffrer l'écart au 402"


def test_calamane_opens_in_april_2025_with_20_places(facilities):
    assert one_centre(facilities, "ALSH de Calamane", "2025-03-31") is None
    calamane = one_centre(facilities, "ALSH de Calamane", "2025-04-01")
    assert calamane["capacity"] == 20
    assert calamane["commune_code"] == "46046"


def test_le_montat_opens_in_july_2024_with_20_places(facilities):
    name = "ALSH Le Montat – Labastide-Marnhac"
    assert one_centre(facilities, name, "2024-06-30") is None
    le_montat = one_centre(facilities, name, "2024-07-01")
    assert le_montat["capacity"] == 20
    assert le_montat["commune_code"] == "46197"


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("ALSH de Catus", 40, 48),
        ("ALSH de la Croix-de-Fer", 110, 130),
        ("ALSH de Terre-Rouge", 40, 48),
    ],
)
def test_centres_grow_as_the_press_kit_says(facilities, name, before, after):
    assert one_centre(facilities, name, "2024-06-30")["capacity"] == before
    assert one_centre(facilities, name, "2025-06-01")["capacity"] == after


def test_gourdon_multi_accueil_has_40_places(facilities):
    row = facilities.set_index("id").loc["qbo-eaje-gourdon"]
    assert (row["kind"], row["capacity"], row["commune_code"]) == ("eaje", 40, "46127")


def epci_rows(facilities: pd.DataFrame, prefix: str, kind: str, date: str | None = None):
    rows = facilities if date is None else in_force(facilities, date)
    return rows[(rows["epci"] == EPCI_BY_PREFIX[prefix]) & (rows["kind"] == kind)]


def test_grand_cahors_opened_two_new_centres_within_the_twelve_months_before_the_press_kit(
    facilities,
):
    """« 2 nouveaux centres de loisirs ouverts » (dossier de presse du 30 avril 2025)."""
    centres = epci_rows(facilities, "gc", "alsh")
    roots = centres["id"].str.replace(r"-\d{4}$", "", regex=True)
    first_states = centres[~roots.duplicated(keep=False)].dropna(subset=["valid_from"])
    opened = first_states[first_states["valid_from"].between("2024-05-01", "2025-04-30")]
    assert sorted(opened["id"]) == ["gc-alsh-calamane", "gc-alsh-le-montat"]


def test_grand_cahors_2020_has_two_former_msap_and_one_itinerant_bus(facilities):
    """« 2 Maisons de Services aux Publics (MSAP) et […] un Car des services publics itinérants »."""
    services = epci_rows(facilities, "gc", "france_services", "2020-09-21")
    fixed = services[services["itinerant"] == "false"]
    assert sorted(fixed["commune_code"]) == ["46064", "46268"]  # Catus, Saint Géry-Vers
    assert services.loc[services["itinerant"] == "true", "subtype"].tolist() == ["bus"]


def test_grand_cahors_counts_five_centres_sociaux(facilities):
    """« une animation de la vie sociale assurée par 5 centres sociaux » (CTG 2020)."""
    assert len(epci_rows(facilities, "gc", "centre_social")) == 5


def test_quercy_blanc_has_france_services_in_castelnau_montratier_and_montcuq(facilities):
    """« France services dans les médiathèques de Castelnau-Montratier et de Montcuq »."""
    services = epci_rows(facilities, "qb", "france_services")
    assert sorted(services["commune_code"]) == ["46063", "46201"]


def test_quercy_blanc_alsh_are_at_castelnau_montratier_lhospitalet_and_montcuq(facilities):
    centres = epci_rows(facilities, "qb", "alsh")
    assert sorted(centres["commune_code"]) == ["46063", "46172", "46201"]
    assert centres.set_index("id").loc["qb-alsh-montcuq", "opening"] == "vacances"  # « en Août »


def test_quercy_bouriane_alsh_are_concentrated_in_three_communes(facilities):
    """« ALSH concentrés sur trois communes : Gourdon, Le Vigan et Saint-Germain du Bel-Air »."""
    centres = epci_rows(facilities, "qbo", "alsh")
    assert sorted(centres["commune_code"]) == ["46127", "46267", "46334"]


def test_quercy_bouriane_has_no_laep_and_one_multi_accueil_open_on_weekdays(facilities):
    """« Le territoire est dépourvu de LAEP » ; multi-accueil ouvert du lundi au vendredi."""
    assert epci_rows(facilities, "qbo", "laep").empty
    (creche,) = epci_rows(facilities, "qbo", "eaje").itertuples()
    assert (creche.opening, creche.age_min, creche.age_max) == ("semaine", 0.21, 3)


def test_quercy_bouriane_france_services_opened_in_september_2018_with_an_antenna(facilities):
    """Créé en septembre 2018 (MSAP) ; antenne « une matinée par semaine » à Saint-Germain."""
    services = epci_rows(facilities, "qbo", "france_services").set_index("id")
    assert services.loc["qbo-fs-gourdon", "valid_from"] == pd.Timestamp("2018-09-01")
    antenna = services.loc["qbo-fs-saint-germain"]
    assert antenna["commune_code"] == "46267" and "matinée par semaine" in antenna["subtype"]


def test_quercy_bouriane_evs_of_the_mjc_is_approved_from_2022(facilities):
    evs = epci_rows(facilities, "qbo", "evs").set_index("id")
    assert evs.index.tolist() == ["qbo-evs-mjc-gourdon"]
    assert evs.loc["qbo-evs-mjc-gourdon", "valid_from"].year == 2022


def test_cazals_salviac_has_its_15_communes_and_about_5372_inhabitants():
    """« 15 communes, 5372 habitants » (CTG 2022-2026; the registry's vintage is more recent)."""
    communes = _read_csv("communes_lot.csv")
    members = communes[communes["epci"] == EPCI_BY_PREFIX["cs"]]
    assert len(members) == 15
    assert members["population"].astype(int).sum() == pytest.approx(5372, rel=0.02)


def test_france_services_rows_agree_with_the_anct_list(facilities):
    """Commune, bus or fixed site and opening days of each cited id_fs of liste-fs-20240801."""
    shared = shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data absent : pas de liste France services")
    anct = pd.read_csv(shared / "france_services" / "france_services_lot46_20240801.csv",
                       dtype=str).set_index("id_fs")
    services = facilities[facilities["kind"] == "france_services"].set_index("id")
    cited = services["source"].str.extract(r"id_fs (\d+)")[0].dropna()
    communes = _read_csv("communes_lot.csv")
    ours = communes.loc[communes["epci"].isin(EPCI_BY_PREFIX.values()), "code"]
    assert set(cited) == set(anct.index[anct["insee_com"].isin(ours)])
    weekdays = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi"]
    for row_id, id_fs in cited.items():
        row, listed = services.loc[row_id], anct.loc[id_fs]
        assert row["commune_code"] == listed["insee_com"], row_id
        assert (row["subtype"] == "bus") == (listed["format_fs"] == "Bus_équivalent"), row_id
        tokens = []
        if listed[weekdays].notna().any():
            tokens.append("semaine")
        if pd.notna(listed["h_samedi"]):
            tokens.append("samedi")
        assert row["opening"] == ";".join(tokens), row_id


# --------------------------------------------------------------------------- itinerant services


def test_every_stop_belongs_to_an_itinerant_service(facilities, stops):
    flags = facilities.set_index("id")["itinerant"]
    assert set(stops["service_id"]) <= set(flags.index)
    assert (flags.loc[stops["service_id"]] == "true").all()
    assert not stops["stop_id"].duplicated().any()


def test_stop_days_follow_the_days_per_month_rule(stops, readme):
    tokens = stops["weekdays"].dropna().str.split(";").explode()
    assert set(tokens) <= WEEKDAYS
    timed = stops.dropna(subset=["weekdays", "days_per_month"])
    per_weekday = timed["days_per_month"] / timed["weekdays"].str.count(";").add(1)
    assert set(per_weekday.round(2)) <= DAYS_PER_MONTH_RULE
    untimed = stops.loc[stops["days_per_month"].isna(), "stop_id"]
    unlisted = [stop for stop in untimed if f"`{stop}`" not in readme]
    assert not unlisted, f"arrêts sans jours absents des lacunes du README : {unlisted}"


def test_itinerant_services_have_stops_or_are_listed_as_gaps(facilities, stops, readme):
    itinerant = facilities.loc[facilities["itinerant"] == "true", "id"]
    without_stops = set(itinerant) - set(stops["service_id"])
    unlisted = [service for service in without_stops if f"`{service}`" not in readme]
    assert not unlisted


def test_the_ripe_wake_up_session_at_lhospitalet_is_a_morning(stops):
    """« La matinée d'éveil sur Lhospitalet » (COPIL 2023) : a morning, day not given."""
    stop = stops.set_index("stop_id").loc["qb-rpe-lhospitalet"]
    assert (stop["commune_code"], stop["hours"]) == ("46172", "matinée")
    assert pd.isna(stop["weekdays"])


def test_saint_gery_vers_and_douelle_alternate_tuesdays(stops):
    relay = stops[stops["service_id"] == "gc-rpe"].set_index("commune_code")
    for commune in ("46268", "46088"):  # Saint Géry-Vers, Douelle
        assert relay.loc[commune, "weekdays"] == "mardi"
        assert relay.loc[commune, "days_per_month"] == 2.17


# --------------------------------------------------------------------------- scenarios


def scenario_files() -> list[str]:
    return sorted(p.name for p in DATA.joinpath("scenarios").iterdir() if p.name.endswith(".yaml"))


def load_scenario(name: str) -> dict:
    return yaml.safe_load(DATA.joinpath("scenarios", name).read_text(encoding="utf-8"))


def apply_changes(state: pd.DataFrame, changes: list[dict]) -> pd.DataFrame:
    """Apply ``ouvrir``/``redimensionner``/``fermer`` to (id, commune_code, capacity) rows."""
    rows = state[["id", "commune_code", "capacity"]].set_index("id")
    for change in changes:
        ((action, args),) = change.items()
        if action == "ouvrir":
            rows.loc[args["id"]] = [args["commune"], float(args["places"])]
        elif action == "redimensionner":
            rows.loc[args["id"], "capacity"] = float(args["places"])
        elif action == "fermer":
            rows = rows.drop(index=args["id"])
        else:
            pytest.fail(f"changement non pris en charge par ce test : {action}")
    return rows


def test_the_three_example_scenarios_are_shipped():
    assert set(SCENARIO_AFTER_DATES) <= set(scenario_files())


@pytest.mark.parametrize("name", scenario_files())
def test_scenario_parses_and_references_registry_ids(facilities, name):
    scenario = load_scenario(name)
    required = {"nom", "description", "source", "territoire", "date", "indicateurs", "changements"}
    assert required <= set(scenario)
    assert isinstance(scenario["date"], dt.date)
    assert any(doc in scenario["source"] for doc in SEED_DOCUMENTS)
    base = in_force(facilities, scenario["date"].isoformat())
    for change in scenario["changements"]:
        ((action, args),) = change.items()
        if action == "ouvrir":
            assert args["id"].endswith("-scenario")
            assert args["id"] not in set(facilities["id"])
            assert re.fullmatch(r"\d{5}", args["commune"])
        else:
            assert args["id"] in set(base["id"]), f"{args['id']} absent le {scenario['date']}"


@pytest.mark.parametrize(("name", "after_date"), sorted(SCENARIO_AFTER_DATES.items()))
def test_scenario_reproduces_the_registry_after_state(facilities, name, after_date):
    """Base date = the "before" state; the changes give the registry's "after" state."""
    scenario = load_scenario(name)
    base = grand_cahors_alsh(facilities, scenario["date"].isoformat())
    after = grand_cahors_alsh(facilities, after_date)
    simulated = apply_changes(base, scenario["changements"])

    def offer(rows: pd.DataFrame) -> list[tuple[str, float]]:
        return sorted(zip(rows["commune_code"], rows["capacity"].fillna(-1)))

    assert offer(base) != offer(after), "la date de base doit sélectionner l'état « avant »"
    assert offer(simulated) == offer(after)
