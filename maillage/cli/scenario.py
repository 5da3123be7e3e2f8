"""CLI command group ``maillage scenario``: run a what-if scenario file, print before/after."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from maillage.formatting import fr_number

#: Rows of the per-commune table printed (the communes whose indicators move most).
TOP_COMMUNES = 12


def _number(value, unit: str = "", decimals: int = 1) -> str:
    """French number: 1 234,5; NaN as "—", ``inf`` as "inaccessible"."""
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "inaccessible"
    if 0 < abs(value) < 0.05:
        decimals = max(decimals, 2)
    return fr_number(value, decimals, thousands=" ") + unit


def _format(indicator: str, value: float, signed: bool = False) -> str:
    """Format a summary value by what it measures (share → %, places → whole number)."""
    import math

    if isinstance(value, float) and math.isnan(value) or signed and math.isinf(value):
        return "—"  # a change to or from "inaccessible" is not a number of minutes
    sign = "+" if signed and value > 0 else ""
    if "part des" in indicator:
        return sign + _number(100 * value, " %").replace(" %", " pt" if signed else " %")
    if indicator.endswith(": places"):
        return sign + _number(value, decimals=0)
    return sign + _number(value)


def _summary_table(result):
    from rich.table import Table

    table = Table(title=f"{result.scenario.name} — avant / après", title_justify="left")
    table.add_column("Indicateur", overflow="fold")
    for header in ("Avant", "Après", "Écart"):
        table.add_column(header, justify="right")
    for indicator, row in result.table().iterrows():
        delta = row["Écart"]
        style = "green" if delta > 0 else ("red" if delta < 0 else "dim")
        if "temps" in indicator:
            style = {"green": "red", "red": "green"}.get(style, style)
        table.add_row(indicator, _format(indicator, row["Avant"]), _format(indicator, row["Après"]),
                      Text(_format(indicator, delta, signed=True), style=style))
    return table


def _commune_tables(result):
    """One table per compared indicator: the communes whose indicators move most."""
    from rich.table import Table

    from maillage.analysis.capacity import AGE_BANDS
    from maillage.analysis.scenario import indicator_band

    for indicator, frame in result.by_commune.groupby("indicator", sort=False):
        moved = frame[(frame["access_per_100_children_difference"].abs() > 1e-9)
                      | (frame["minutes_nearest_difference"].abs() > 1e-9)
                      | (frame["places_difference"].abs() > 1e-9)]
        # Communes whose own places change first, then by how much their accessibility moves.
        order = (moved["places_difference"].abs() * 1e6
                 + moved["access_per_100_children_difference"].abs()
                 + moved["minutes_nearest_difference"].abs() / 1e3)
        moved = moved.reindex(order.sort_values(ascending=False).index).head(TOP_COMMUNES)
        with_places = indicator in AGE_BANDS
        label = indicator_band(indicator).label
        table = Table(title=f"{label} : communes les plus concernées ({len(moved)} affichées)",
                      title_justify="left")
        columns = [("Commune", "left"), ("Enfants" if with_places else "Habitants", "right")]
        if with_places:
            columns += [("Places / 100 enfants", "right"),
                        (f"Places accessibles à {result.settings.catchment_minutes:g} min / 100 "
                         "enfants", "right")]
        for header, justify in columns + [("Minutes au plus proche", "right")]:
            table.add_column(header, justify=justify)
        for _, row in moved.iterrows():
            def pair(measure, row=row):
                return f"{_number(row[f'{measure}_before'])} → {_number(row[f'{measure}_after'])}"

            cells = [str(row["name"]), _number(row["children"], decimals=0)]
            if with_places:
                cells += [pair("places_per_100_children"), pair("access_per_100_children")]
            table.add_row(*cells, pair("minutes_nearest"))
        yield table


def _write_csv(frame, target: Path) -> Path:
    from maillage.safe import spreadsheet_safe

    spreadsheet_safe(frame).to_csv(target, encoding="utf-8")
    return target


def run(
    file: Path = typer.Argument(..., help="Fichier de scénario (YAML)."),
    epci: Optional[str] = typer.Option(None, "--epci", help="SIREN de l'intercommunalité "
                                       "analysée (par défaut celle du scénario)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Dossier où écrire les tableaux CSV "
                                       "(communes, EPCI, résumé) et le rapport de validation "
                                       "du registre."),
) -> None:
    """Comparer les indicateurs avant et après un scénario (ouvertures, fermetures…)."""
    from rich.console import Console

    from maillage.analysis.scenario import load_scenario, run_scenario
    from maillage.layers import load_territory

    console = Console(markup=False)  # user text (names, ids) printed as is
    if out is not None:
        from maillage.atomic import check_output_dir, clean_stale_temporaries

        check_output_dir(out)  # before the work: --out is a folder maillage can write into
        for stale in clean_stale_temporaries(out):  # left by a run killed while writing
            console.print(f"Fichier temporaire d'une exécution interrompue supprimé : {stale}")
    scenario = load_scenario(file)
    territory = load_territory(scenario.territory)
    result = run_scenario(territory, scenario, epci=epci)
    console.print(scenario.name, style="bold")
    console.print(f"État de base : registre au {scenario.date:%d/%m/%Y} ; "
                  f"territoire : {territory.name}"
                  + (f", EPCI {epci or scenario.epci}" if (epci or scenario.epci) else ""))
    if epci and scenario.epci and str(epci) != str(scenario.epci):
        console.print(f"Note : --epci {epci} remplace l'EPCI du scénario ({scenario.epci}).",
                      markup=False)
    for change in scenario.changes:
        console.print(f"  • {change.describe()}")
    flag = Text("estimés", style="yellow") + " : " if result.estimated else ""
    console.print(Text.assemble("Temps de trajet : ", flag, result.timer_description))
    console.print(_summary_table(result))
    for table in _commune_tables(result):
        console.print(table)
    for note in result.notes:
        console.print(Text.assemble(("Attention", "yellow"), f" : {note}"))
    if out is not None:
        from maillage.atomic import atomic_files

        stem = file.stem
        tables = {f"{stem}-communes.csv": result.by_commune, f"{stem}-epci.csv": result.by_epci,
                  f"{stem}-resume.csv": result.table()}
        targets = [out / name for name in tables]
        report = getattr(territory, "report", None)
        if report is not None:
            targets.append(out / f"{stem}-validation.txt")
        with atomic_files(targets) as temps:  # all tables replaced together, or none
            for frame, tmp in zip(tables.values(), temps):
                _write_csv(frame, tmp)
            if report is not None:
                temps[-1].write_text(report.to_text() + "\n", encoding="utf-8")
        written = targets
        console.print("Tableaux écrits : " + ", ".join(str(p) for p in written))


def register(app: typer.Typer) -> None:
    """Attach the ``scenario`` group (``maillage scenario run FILE``) to the main app."""
    group = typer.Typer(help="Scénarios : ouvertures, fermetures, hausses de capacité, "
                             "itinérance ; indicateurs avant / après.", no_args_is_help=True)
    group.command("run")(run)
    app.add_typer(group, name="scenario")
