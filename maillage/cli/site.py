"""CLI command group ``maillage site``: where should the next places go?

- ``maillage site rank --kind alsh --places 20 --minutes 15 --site Calamane``: every
  candidate ranked by what it alone adds, the named site highlighted;
- ``maillage site best --kind alsh --p 2 --minutes 15``: the best p new sites (MCLP);
- ``maillage site median --kind alsh --p 2``: the p new sites nearest to the children;
- ``maillage site cover --kind alsh --minutes 15``: the fewest sites putting every child
  within the threshold (``--places``: each child also gets a place; ``--backup``: then as
  many children as possible within the threshold of two sites);
- ``maillage site center --kind alsh --p 2``: the p new sites that shorten the longest trip;
- ``maillage site spread --kind rpe --p 3``: p sites as far apart as possible (p-dispersion).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.text import Text

from maillage.formatting import fr_number

console = Console(markup=False)  # user text (candidate names) printed as is
site_app = typer.Typer(help="Implantation : où ouvrir les prochaines places ?",
                       no_args_is_help=True)

KIND = typer.Option("alsh", "--kind", help="Service : alsh (3-11 ans), eaje (0-2 ans)…")
MINUTES = typer.Option(15.0, "--minutes", help="Seuil d'accès en minutes de route.")
EPCI = typer.Option(None, "--epci", help="SIREN de l'intercommunalité (ex. 200023737).")
TERRITORY = typer.Option("lot", "--territory", "--territoire",
                         help="« lot » ou SIREN d'une intercommunalité.")
DATE = typer.Option(None, "--date", help="Équipements existants à cette date (AAAA-MM-JJ ; "
                    "défaut : aujourd'hui).")
CANDIDATES = typer.Option(None, "--candidates", "--candidats", help="CSV de sites candidats (nom ; commune "
                          "ou lat/lon). Défaut : le chef-lieu de chaque commune.")
PLACES = typer.Option(None, "--places", help="Places de chaque nouveau site (modèle avec "
                      "capacités).")
METHOD = typer.Option("exact", "--method", "--methode", help="exact (HiGHS), greedy (glouton) ou both "
                      "(les deux, avec l'écart du glouton).")
LIMIT = typer.Option(60.0, "--time-limit", "--limit", "--limite",
                     help="Limite de temps du solveur, secondes : arrêté avant, il donne sa "
                     "meilleure solution et à combien de % de l'optimum elle est au plus.")


def _number(value: float, decimals: int = 0) -> str:
    """French number: 1 234,5."""
    return fr_number(value, decimals, thousands=" ")


def _children(value: float) -> str:
    """Children count, shown "< 5" when small (secret statistique)."""
    from maillage.settings import SMALL_COUNT_THRESHOLD

    if 0 < value < SMALL_COUNT_THRESHOLD:
        return f"< {SMALL_COUNT_THRESHOLD}"
    return _number(value)


def _check_options(*, minutes=None, places=None, limit=None, top=None, p=None) -> None:
    """Refuse NaN, infinite, negative or zero numbers before loading anything."""
    from maillage.cli._options import check_number

    check_number("--minutes", minutes, low=0, high=24 * 60, strict=True, unit="minutes")
    check_number("--places", places, low=0, strict=True, unit="places")
    check_number("--time-limit", limit, low=0, strict=True, unit="secondes")
    check_number("--top", top, low=1, integer=True)
    check_number("--p", p, low=0, integer=True)


def _ordinal(rank: int) -> str:
    return "1re" if rank == 1 else f"{rank}e"


def _prepare(kind, epci, territory_name, date, candidates_csv, places, cutoff=None):
    """Territory, siting inputs timed up to ``cutoff`` minutes, and ``timed(bound)`` to
    time them again with another bound (None: whole)."""
    from maillage.analysis.siting.territory import read_candidates, siting_inputs
    from maillage.geo import default_timer
    from maillage.layers import load_territory

    with console.status("Chargement du territoire et calcul des temps de trajet…"):
        territory = load_territory(territory_name, epci=epci)
        candidates = None
        if candidates_csv is not None:
            candidates = read_candidates(candidates_csv, territory.communes)
        timer = default_timer(territory)

        def timed(bound):
            return siting_inputs(territory, kind, timer=timer, candidates=candidates,
                                 places=places, at=date, cutoff=bound)

        inputs = timed(cutoff)
    return territory, inputs, timed


def _header(territory, inputs, kind: str, minutes: float | None) -> None:
    from maillage.analysis.capacity import AGE_BANDS

    threshold = "" if minutes is None else f", seuil {minutes:g} min"
    console.print(Text.assemble(
        (f"{AGE_BANDS[kind].label} — {territory.name}", "bold"),
        f" : {_number(inputs.demand.sum())} enfants, {len(inputs.existing)} site(s) "
        f"existant(s), {len(inputs.candidates)} candidat(s){threshold}."))
    for note in inputs.notes:
        console.print(f"Note : {note}", style="dim")


@contextlib.contextmanager
def _solving(method: str, limit: float):
    label = {"exact": "Résolution exacte (HiGHS)", "greedy": "Heuristique gloutonne",
             "both": "Glouton puis résolution exacte (HiGHS)"}.get(method, method)
    with console.status(f"{label}, limite {limit:g} s…") as status:
        yield lambda line: status.update(f"{label} : {line}")


def rank(
    kind: str = KIND, minutes: float = MINUTES, places: Optional[float] = PLACES,
    site: Optional[str] = typer.Option(None, "--site", help="Site proposé à situer (nom de "
                                       "commune ou de site)."),
    epci: Optional[str] = EPCI, territoire: str = TERRITORY, date: Optional[str] = DATE,
    candidats: Optional[Path] = CANDIDATES,
    top: int = typer.Option(15, "--top", help="Nombre de candidats affichés."),
) -> None:
    """Classer chaque site candidat par ce qu'il apporterait seul."""
    from rich.table import Table

    from maillage.analysis.siting.rank import rank_candidates
    from maillage.analysis.siting.territory import find_site

    _check_options(minutes=minutes, places=places, top=top)
    territory, inputs, _ = _prepare(kind, epci, territoire, date, candidats, places)
    named = None if site is None else find_site(inputs.labels, inputs.candidates, site)
    table = rank_candidates(inputs.demand, inputs.cost, minutes, existing=inputs.existing,
                            candidates=inputs.candidates, capacity=inputs.capacity)
    _header(territory, inputs, kind, minutes)
    uncovered = table.attrs["total_children"] - table.attrs["children_covered_by_existing"]
    console.print(f"Enfants à plus de {minutes:g} min d'un site existant : "
                  f"{_children(uncovered)}.")
    view = Table(title=f"Sites candidats classés ({len(table)})", title_justify="left")
    view.add_column("Rang", justify="right")
    view.add_column("Site", no_wrap=True)
    view.add_column(f"Enfants en plus ≤ {minutes:g} min", justify="right")
    view.add_column("% des non couverts", justify="right")
    if "children_served" in table:
        view.add_column(f"Accueillis ({places:g} pl.)", justify="right")
    view.add_column("Min·enfant gagnées", justify="right")
    shown = list(table.index[:top])
    if named is not None and named not in shown:
        shown.append(named)
    for candidate in shown:
        row = table.loc[candidate]
        cells = [str(int(row["rank"])), inputs.labels[candidate], _children(row["children_covered"]),
                 _number(100 * row["share_of_uncovered"], 1) + " %"]
        if "children_served" in table:
            cells.append(_children(row["children_served"]))
        cells.append(_number(row["child_minutes_saved"]))
        view.add_row(*cells, style="bold yellow" if candidate == named else None)
    console.print(view)
    if named is not None:
        row = table.loc[named]
        served = (f", {_children(row['children_served'])} enfants accueillis dans ses "
                  f"{places:g} places" if "children_served" in table else "")
        console.print(Text.assemble(
            (f"{inputs.labels[named]} est classée {_ordinal(int(row['rank']))} sur "
             f"{len(table)}", "bold yellow"),
            f" : {_children(row['children_covered'])} enfant(s) de plus à moins "
            f"de {minutes:g} min{served}, {_number(row['child_minutes_saved'])} minutes·enfant "
            f"gagnées."))
        _note_existing_nearby(inputs, named)


def _note_existing_nearby(inputs, named: str) -> None:
    """Say so when an existing site already stands where the proposed one would."""
    commune = inputs.communes.get(named)
    same = [s for s in inputs.existing if commune is not None and inputs.communes[s] == commune]
    if same:
        console.print(f"Note : {inputs.labels[same[0]]} est déjà ouvert dans cette commune "
                      f"à cette date ; pour juger son ouverture, donner --date AAAA-MM-JJ "
                      f"antérieure à son ouverture.", style="dim")


def _result_lines(result, inputs, minutes) -> None:
    labels = [inputs.labels[s] for s in result.selected]
    console.print(Text.assemble((f"Sites retenus ({len(labels)})", "bold green"),
                                f" : {', '.join(labels) or 'aucun'}"))
    if minutes is not None:
        what = "accueillis à moins de" if result.flows is not None else "à moins de"
        console.print(f"Enfants {what} {minutes:g} min d'un site : "
                      f"{_number(result.covered_demand)} sur {_number(result.total_demand)} "
                      f"({_number(100 * result.coverage_share, 1)} %).")
    if result.flows is not None and result.covered_demand:
        console.print(f"Temps moyen jusqu'au site : "
                      f"{_number(result.total_cost / result.covered_demand, 1)} min par "
                      f"enfant accueilli.")
    elif result.flows is None and result.total_demand and result.total_cost < float("inf"):
        console.print(f"Temps moyen jusqu'au site le plus proche : "
                      f"{_number(result.total_cost / result.total_demand, 1)} min par enfant.")
    if result.method == "greedy":
        state = "Solution gloutonne (sans garantie d'optimalité)"
    elif result.optimal:
        state = "Solution optimale"
    else:  # stopped by the time limit: « solution à X % de l'optimum au plus (arrêt…) »
        state = result.quality[:1].upper() + result.quality[1:]
    console.print(f"{state} ; méthode {result.method}, "
                  f"{_number(result.solve_seconds, 2)} s.", style="dim")
    if result.gap is not None:
        console.print(f"Heuristique gloutonne : {_number(result.greedy_objective)} "
                      f"(écart {_number(100 * result.gap, 2)} % à l'optimum).", style="dim")


def _solve(kind, minutes, places, epci, territoire, date, candidats, methode, limite, model,
           cutoff=None):
    """Load the inputs, run ``model(inputs, progress)`` under a spinner, print the result.

    With ``cutoff`` (minutes), travel times are searched up to it only (for a model that
    only compares them with a threshold ≤ ``cutoff``); an infeasible model is solved again
    on whole times, so that its message gives the time to the nearest site.
    """
    from maillage.errors import SolverError

    _check_options(minutes=minutes, places=places, limit=limite)
    territory, inputs, timed = _prepare(kind, epci, territoire, date, candidats, places,
                                        cutoff)
    _header(territory, inputs, kind, minutes)
    with _solving(methode, limite) as progress:
        try:
            result = model(inputs, progress)
        except SolverError:
            if cutoff is None:
                raise
            inputs = timed(None)
            result = model(inputs, progress)
    _print_result(result, inputs, minutes)


def _print_result(result, inputs, minutes) -> None:
    """The answer of any siting model, in French."""
    if result.model in ("set-cover", "capacitated-set-cover", "backup-cover"):
        console.print(f"[bold]{result.count} nouveau(x) site(s) nécessaire(s)[/] pour mettre "
                      f"chaque enfant à moins de {minutes:g} min"
                      + (" avec une place." if result.flows is not None else "."))
    if result.model == "backup-cover":
        console.print(f"Enfants à moins de {minutes:g} min de deux sites (solution de "
                      f"secours) : {_number(result.objective)} sur "
                      f"{_number(result.total_demand)}.")
    if result.model == "p-dispersion":
        console.print(f"[bold]Écart minimal entre deux sites : {_number(result.objective, 1)} "
                      f"min[/].")
    if result.model == "p-center":
        console.print(f"[bold]Trajet le plus long : {_number(result.objective, 1)} min[/] "
                      f"(commune la plus éloignée de son site le plus proche).")
    _result_lines(result, inputs, minutes)


def best(
    kind: str = KIND, p: int = typer.Option(1, "--p", help="Nombre de nouveaux sites."),
    minutes: float = MINUTES, places: Optional[float] = PLACES, epci: Optional[str] = EPCI,
    territoire: str = TERRITORY, date: Optional[str] = DATE,
    candidats: Optional[Path] = CANDIDATES, methode: str = METHOD, limite: float = LIMIT,
) -> None:
    """Chercher les p nouveaux sites couvrant le plus d'enfants (couverture maximale)."""
    from maillage.analysis.siting import maximal_coverage

    _check_options(p=p)
    _solve(kind, minutes, places, epci, territoire, date, candidats, methode, limite,
           lambda inputs, progress: maximal_coverage(
               inputs.demand, inputs.cost, minutes, p, candidates=inputs.candidates,
               existing=inputs.existing, capacity=inputs.capacity, method=methode,
               time_limit=limite, progress=progress))


def median(
    kind: str = KIND, p: int = typer.Option(1, "--p", help="Nombre de nouveaux sites."),
    places: Optional[float] = PLACES, epci: Optional[str] = EPCI, territoire: str = TERRITORY,
    date: Optional[str] = DATE, candidats: Optional[Path] = CANDIDATES,
    methode: str = METHOD, limite: float = LIMIT,
    single: bool = typer.Option(False, "--single-site",
                                help="Avec --places : tous les enfants d'une commune vont au "
                                     "même site (sinon ils peuvent être répartis)."),
    fill: bool = typer.Option(False, "--fill-existing",
                              help="Avec --places : les sites existants doivent être pleins."),
) -> None:
    """Chercher les p nouveaux sites qui réduisent le plus les temps de trajet (p-médian)."""
    from maillage.analysis.siting import p_median
    from maillage.errors import InputError

    _check_options(p=p)
    if (single or fill) and places is None:
        raise InputError("--single-site et --fill-existing portent sur les places des sites",
                         fix="ajouter --places N (places de chaque nouveau site)")
    _solve(kind, None, places, epci, territoire, date, candidats, methode, limite,
           lambda inputs, progress: p_median(
               inputs.demand, inputs.cost, p, candidates=inputs.candidates,
               existing=inputs.existing, capacity=inputs.capacity,
               assignment="single" if single else "split", fill_existing=fill,
               method=methode, time_limit=limite, progress=progress))


def cover(
    kind: str = KIND, minutes: float = MINUTES, epci: Optional[str] = EPCI,
    territoire: str = TERRITORY, date: Optional[str] = DATE,
    candidats: Optional[Path] = CANDIDATES, methode: str = METHOD, limite: float = LIMIT,
    places: Optional[float] = PLACES,
    backup: bool = typer.Option(False, "--backup",
                                help="Puis, avec ce nombre de sites, mettre le plus d'enfants "
                                     "possible à portée de deux sites (LSCP-B)."),
) -> None:
    """Nombre minimal de nouveaux sites pour que chaque enfant soit à moins du seuil."""
    from maillage.analysis.siting import backup_coverage, set_cover
    from maillage.errors import InputError

    if backup and places is not None:
        raise InputError("--backup et --places ne se combinent pas",
                         fix="retirer l'une des deux options")

    def model(inputs, progress):
        if backup:
            return backup_coverage(inputs.demand, inputs.cost, minutes,
                                   candidates=inputs.candidates, existing=inputs.existing,
                                   time_limit=limite, progress=progress)
        return set_cover(inputs.demand, inputs.cost, minutes, candidates=inputs.candidates,
                         existing=inputs.existing, capacity=inputs.capacity, method=methode,
                         time_limit=limite, progress=progress)

    _solve(kind, minutes, places, epci, territoire, date, candidats, methode, limite, model,
           cutoff=minutes)


def center(
    kind: str = KIND, p: int = typer.Option(1, "--p", help="Nombre de nouveaux sites."),
    epci: Optional[str] = EPCI, territoire: str = TERRITORY, date: Optional[str] = DATE,
    candidats: Optional[Path] = CANDIDATES, limite: float = LIMIT,
) -> None:
    """Chercher les p nouveaux sites qui raccourcissent le trajet le plus long (p-centre)."""
    from maillage.analysis.siting import p_center

    _check_options(p=p)
    _solve(kind, None, None, epci, territoire, date, candidats, "exact", limite,
           lambda inputs, progress: p_center(
               inputs.demand, inputs.cost, p, candidates=inputs.candidates,
               existing=inputs.existing, time_limit=limite, progress=progress))


def spread(
    kind: str = KIND, p: int = typer.Option(2, "--p", help="Nombre de nouveaux sites."),
    epci: Optional[str] = EPCI, territoire: str = TERRITORY, date: Optional[str] = DATE,
    candidats: Optional[Path] = CANDIDATES, limite: float = LIMIT,
) -> None:
    """Placer p sites aussi éloignés que possible les uns des autres (p-dispersion)."""
    from maillage.analysis.siting import p_dispersion
    from maillage.geo import default_timer

    _check_options(p=p, limit=limite)
    territory, inputs, _ = _prepare(kind, epci, territoire, date, candidats, None)
    _header(territory, inputs, kind, None)
    with console.status("Calcul des temps entre sites…"):
        points = inputs.site_points
        between = default_timer(territory).matrix(points, points)
    with _solving("exact", limite) as progress:
        result = p_dispersion(between, p, candidates=inputs.candidates,
                              existing=inputs.existing, time_limit=limite, progress=progress)
    _print_result(result, inputs, None)


def register(app: typer.Typer) -> None:
    """Attach the ``site`` group to the main maillage app."""
    site_app.command("rank")(rank)
    site_app.command("best")(best)
    site_app.command("median")(median)
    site_app.command("cover")(cover)
    site_app.command("center")(center)
    site_app.command("spread")(spread)
    app.add_typer(site_app, name="site")
