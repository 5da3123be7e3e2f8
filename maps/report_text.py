"""The report's words: territory summary, methodology, sources, validation (French)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from maillage.analysis.diagnostic import Diagnostic

from .labels import fr_number, is_missing, kind_label, layer_label, short_kind
from .secret import threshold

#: Validation entries listed in the report (the full list is in tableaux/validation.csv).
VALIDATION_SHOWN = 25


def facility_summary(diag: Diagnostic) -> pd.DataFrame:
    """Facilities per kind: count, of which itinerant, places (where known)."""
    facilities = diag.territory.facilities
    rows = []
    for kind, part in facilities.groupby(facilities["kind"].astype(str), sort=True):
        capacity = pd.to_numeric(part["capacity"], errors="coerce")
        rows.append({"Type": kind_label(kind), "Équipements": len(part),
                     "dont itinérants": int(part["itinerant"].fillna(False).astype(bool).sum()),
                     "Places connues": float(capacity.sum()) if capacity.notna().any()
                     else float("nan"),
                     "Places inconnues": int(capacity.isna().sum())
                     if capacity.notna().any() else 0})
    return pd.DataFrame(rows)


def territory_facts(diag: Diagnostic) -> list[tuple[str, str]]:
    """Headline facts of the territory (label, value)."""
    communes = diag.territory.communes
    facts = [("Communes", fr_number(len(communes))),
             ("Intercommunalités (EPCI)", fr_number(len(diag.territory.epcis))),
             ("Population municipale", fr_number(communes["population"].sum()))]
    bands = (("pop_0_2", "Enfants de 0 à 2 ans"), ("pop_3_5", "Enfants de 3 à 5 ans"),
             ("pop_6_10", "Enfants de 6 à 10 ans"), ("pop_11_17", "Jeunes de 11 à 17 ans"))
    for column, label in bands:
        if column in communes:
            facts.append((label, fr_number(communes[column].sum())))
    if "age_source" in communes:
        estimated = communes["age_source"].astype(str).str.startswith("estimation").sum()
        if estimated:
            facts.append(("Communes aux âges estimés", fr_number(estimated)))
    return facts


def sources_rows(diag: Diagnostic) -> list[dict]:
    """One row per layer source: layer, origin, description, vintage, licence, limits."""
    rows = []
    for name, src in diag.territory.sources.items():
        rows.append({"layer": layer_label(name), "kind": getattr(src, "kind", ""),
                     "description": getattr(src, "description", str(src)),
                     "vintage": getattr(src, "vintage", ""),
                     "licence": getattr(src, "licence", ""),
                     "missing": getattr(src, "missing", "")})
    return rows


def _text(value) -> str:
    """A report cell as text ("" for None / NaN)."""
    return "" if is_missing(value) else str(value)


def validation_summary(diag: Diagnostic) -> dict:
    """Counts per level and the first entries of the validation report."""
    frame = diag.territory.report.to_frame()
    if frame.empty:
        return {"counts": [], "entries": [], "total": 0, "shown": 0}
    counts = frame["level"].value_counts().sort_index()
    entries = []
    for row in frame.head(VALIDATION_SHOWN).itertuples(index=False):
        file = _text(row.file)
        entries.append({"level": _text(row.level), "file": Path(file).name if file else "",
                        "row": "" if is_missing(row.row) else str(int(row.row)),
                        "column": _text(row.column), "message": _text(row.message),
                        "fix": _text(row.fix)})
    return {"counts": list(counts.items()), "entries": entries, "total": len(frame),
            "shown": len(entries)}


def children_sources(communes) -> list[str]:
    """One sentence per origin of the children counts (``age_source``), with its communes."""
    if "age_source" not in communes:
        return []
    counts = communes["age_source"].astype(str).value_counts()
    return [f"Enfants par âge ({fr_number(n)} commune{'s' if n > 1 else ''}) : {source}."
            for source, n in counts.items()]


def _and_list(values) -> str:
    """``(10, 15, 20, 30)`` → ``"10, 15, 20 et 30"``."""
    words = [f"{v:g}" for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def _kinds_text(kinds) -> str:
    """``("alsh", "eaje")`` → ``"l'ALSH ou de l'EAJE"`` (acronyms of the French labels)."""
    words = [("l'" if short_kind(k)[:1] in "AEIOUÉaeioué" else "le ") + short_kind(k)
             for k in kinds]
    return words[0] if len(words) == 1 else ", de ".join(words[:-1]) + " ou de " + words[-1]


def methodology(diag: Diagnostic, *, small: int | None = None) -> list[str]:
    """Paragraphs of the methodology section."""
    settings = diag.settings
    text = [
        "Capacité par enfant : places des équipements en service (registre"
        + (f" au {diag.date}" if diag.date else "")
        + ") rapportées aux enfants de l'âge accueilli qui habitent la commune ou l'EPCI, "
        "pour 100 enfants. Un équipement accueillant une tranche d'âge plus large compte "
        "pour la part de ses années dans la tranche. Les équipements dont le nombre de places "
        "est inconnu ne sont pas comptés : les chiffres sont alors des minima.",
        "Temps d'accès : " + diag.timer_description + ". Temps en voiture, en minutes, "
        + diag.origins + " jusqu'à l'équipement le plus proche"
        + ("" if diag.origins.startswith("depuis le point") else
           " ; chaque commune reçoit la moyenne de ses carreaux pondérée par les enfants, et "
           "la couverture compte les enfants là où ils habitent")
        + ". "
        "Seuils de lecture : " + ", ".join(f"{m:g} min" for m in settings.thresholds) + ".",
    ]
    text.extend(children_sources(diag.territory.communes))
    if diag.estimated:
        text.append("Attention : aucun réseau routier n'était disponible ; les temps sont "
                    "estimés à vol d'oiseau (distance × détour ÷ vitesse) et doivent être "
                    "confirmés.")
    fca = [c for c in diag.capacity if c.fca is not None]
    if fca:
        text.append(
            "Accessibilité (2SFCA, aire flottante à deux étapes) : chaque équipement partage "
            "ses places entre les enfants qui l'atteignent en moins de "
            f"{fca[0].fca_minutes:g} minutes ; chaque commune additionne les parts des "
            "équipements qu'elle atteint. Exprimée en places pour 100 enfants, elle tient "
            "compte des équipements des communes voisines.")
    text.append(
        f"Zones blanches : communes à plus de {settings.zone_blanche_minutes:g} minutes de "
        f"{_kinds_text(settings.kinds('capacity'))} le plus proche "
        "(tableaux/zones_blanches.csv). Objectif France services : chaque habitant à "
        f"{settings.france_services_minutes:g} minutes au plus d'une France services, "
        "site fixe ou arrêt du bus itinérant "
        "(tableaux/objectif_france_services.csv). Présence des services itinérants : part des "
        "personnes à N minutes d'un arrêt, même rare, et d'un point ouvert au moins K jours "
        "par mois (tableaux/presence_itinerants.csv). Équité : indices de Gini et de Palma de "
        "l'accessibilité 2SFCA entre communes, pondérés par les enfants, et part des enfants "
        "sous la médiane (tableaux/equite.csv). Sensibilité : les indicateurs principaux "
        f"recalculés pour des seuils de {_and_list(settings.thresholds)} minutes et avec une décroissance du "
        "poids avec le temps (tableaux/sensibilite.csv).")
    text.append(
        "Classes des cartes : seuils de Fisher-Jenks (mapclassify) arrondis pour la lecture ; "
        "les communes sans place forment une classe à part ; les communes sans enfant, sans "
        "donnée ou sous secret statistique sont en gris hachuré.")
    text.append(
        f"Secret statistique : les effectifs d'enfants inférieurs à {threshold(small)} sont "
        f"publiés « < {threshold(small)} », et le taux de ces communes est masqué lorsqu'il "
        "permettrait de retrouver l'effectif (places connues).")
    if diag.scenario is not None:
        text.append("Scénario : « " + diag.scenario.name + " » — " +
                    (diag.scenario.description or "changements appliqués au registre")
                    .rstrip(". ") + ".")
    text.extend(diag.notes)
    return text
