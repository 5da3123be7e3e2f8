"""Report tables of the diagnostic's summary indicators: zones blanches, France services
target, equity, sensitivity, presence of itinerant services.

Each function reads a finished :class:`~maillage.analysis.diagnostic.Diagnostic` (computed in
analysis) and formats a table with French column keys, rounded, ready for ``tableaux/``
(CSV) and the report. Child counts go through the secret-statistique protection (``"< 5"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maillage.analysis.diagnostic import Diagnostic

from .secret import protect_frame


def zones_blanches_table(diag: Diagnostic, *, small: int | None = None) -> pd.DataFrame:
    """Communes beyond the zone-blanche threshold of the nearest ALSH / EAJE, with the
    children concerned (``diag.zones_blanches``, formatted).

    Parameters
    ----------
    diag : Diagnostic
    small : int, optional
        Small-count threshold of the secret statistique.

    Returns
    -------
    DataFrame
        ``service``, ``code``, ``nom``, ``epci``, ``minutes`` (to the nearest, minutes, 0.1),
        ``enfants`` (children of the service's ages; ``"< 5"`` when small), farthest first.
    """
    table = diag.zones_blanches.rename(columns={"name": "nom", "population": "enfants"})
    table = table[["service", "code", "nom", "epci", "minutes", "enfants"]].assign(
        minutes=lambda t: t["minutes"].astype(float).round(1))
    table = table.sort_values(["service", "minutes", "code"], ascending=[True, False, True],
                              kind="mergesort").reset_index(drop=True)
    table["enfants"] = table["enfants"].astype(float).round(0)
    return protect_frame(table, counts=["enfants"], small=small)


def france_services_check(diag: Diagnostic):
    """The national France services target of the diagnostic (``diag.france_services``).

    Returns
    -------
    maillage.analysis.coverage.TargetCheck or None
        None when the diagnostic has no France services access times.
    """
    return diag.france_services


def france_services_table(diag: Diagnostic) -> pd.DataFrame:
    """Communes failing the France services target (residents beyond the target).

    Returns
    -------
    DataFrame
        ``code``, ``nom``, ``epci``, ``minutes``, ``habitants``; empty when the target is met.
    """
    check = diag.france_services
    columns = ["code", "nom", "epci", "minutes", "habitants"]
    if check is None or check.failing.empty:
        return pd.DataFrame(columns=columns)
    failing = check.failing
    return pd.DataFrame({"code": failing.index.astype(str),
                         "nom": failing.get("name", pd.Series("", index=failing.index)).to_numpy(),
                         "epci": failing.get("epci", pd.Series("", index=failing.index))
                         .astype(str).to_numpy(),
                         "minutes": failing["minutes"].astype(float).round(1).to_numpy(),
                         "habitants": failing["population"].astype(float).round(0).to_numpy()},
                        columns=columns)


def equity_table(diag: Diagnostic) -> pd.DataFrame:
    """Inequality of the 2SFCA accessibility across communes (``diag.equity``, formatted).

    Returns
    -------
    DataFrame
        One row per kind with places: ``service``, ``gini_100`` (Gini × 100, 0–100),
        ``palma`` (ratio of the 10 % best served to the 40 % least served; NaN when the 40 %
        least served have no place), ``mediane`` (places per 100 children),
        ``part_sous_mediane_pct`` (% of children below the median).
    """
    rows = []
    for row in diag.equity.itertuples(index=False):
        palma = float(row.palma)
        rows.append({"service": row.service, "gini_100": round(100 * float(row.gini), 1),
                     "palma": round(palma, 1) if np.isfinite(palma) else np.nan,
                     "mediane": round(float(row.median), 1),
                     "part_sous_mediane_pct": round(100 * float(row.share_below_median), 1)})
    return pd.DataFrame(rows, columns=["service", "gini_100", "palma", "mediane",
                                       "part_sous_mediane_pct"])


def _stacked(frames: list[pd.DataFrame], row: str) -> pd.DataFrame:
    """Wide per-kind tables one under the other: ``service``, ``row``, then the values."""
    if not frames:
        return pd.DataFrame(columns=["service", row])
    table = pd.concat(frames, ignore_index=True)
    return table[["service", row, *[c for c in table.columns if c not in ("service", row)]]]


def sensitivity_table(diag: Diagnostic) -> pd.DataFrame:
    """Headline indicators of each kind with places by threshold and decay (wide, French).

    Returns
    -------
    DataFrame
        ``service``, ``indicateur`` (French; shares in %, Gini × 100), then one column per setting
        (``"10 min"`` … thresholds, then decays); the baseline is the 20-minute plain 2SFCA.
    """
    frames = []
    for result in diag.capacity:
        sens = result.sensitivity
        if sens is None or sens.empty:
            continue
        sens = sens.copy()
        for prefix, unit in (("part ", " (%)"), ("indice de Gini", " (0–100)")):
            scaled = sens["indicator"].str.startswith(prefix)
            sens["value"] = sens["value"].where(~scaled, 100 * sens["value"])
            sens["indicator"] = sens["indicator"].where(~scaled, sens["indicator"] + unit)
        settings = list(dict.fromkeys(sens["setting"]))
        indicators = list(dict.fromkeys(sens["indicator"]))
        wide = sens.pivot_table(index="indicator", columns="setting", values="value",
                                aggfunc="first").reindex(index=indicators, columns=settings)
        wide = wide.round(1).rename_axis(None, axis=1).reset_index(names="indicateur")
        frames.append(wide.assign(service=result.kind))
    return _stacked(frames, "indicateur")


def presence_table(diag: Diagnostic) -> pd.DataFrame:
    """Share of people within N minutes of a stop vs of a point open K days a month (%).

    Returns
    -------
    DataFrame
        ``service``, ``presence`` (French: "un arrêt, même rare" or "ouvert ≥ K j/mois"),
        then one column per threshold (``"10 min"`` …), share of the people counted (%).
    """
    frames = []
    for access in diag.access:
        presence = access.presence
        if presence is None or presence.empty:
            continue
        presence = presence.assign(
            presence=presence["min_days_per_month"].map(
                lambda k: "un arrêt, même rare" if k <= 0 else f"ouvert ≥ {k:g} j/mois".replace(".", ",")),
            column=presence["minutes"].map(lambda m: f"{m:g} min"),
            pct=(100 * presence["share_within"]).round(1))
        levels = list(dict.fromkeys(presence["presence"]))
        columns = list(dict.fromkeys(presence["column"]))
        wide = presence.pivot_table(index="presence", columns="column", values="pct",
                                    aggfunc="first").reindex(index=levels, columns=columns)
        wide = wide.rename_axis(None, axis=1).reset_index()
        frames.append(wide.assign(service=access.kind))
    return _stacked(frames, "presence")
