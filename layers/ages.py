"""Children by age band: the bands of the communes layer and the fallback estimate.

The embedded communes of the Lot carry children derived from INSEE Filosofi 2021
(:mod:`maillage.layers.filosofi`). A commune with no Filosofi count (a commune added from a
contour file outside the Lot) is estimated as population × the share of each band in the
arrondissement of Cahors (Lot), INSEE RP2018 table POP1B "âge détaillé" (population
municipale 72,848):

- 0-2 years: 547 + 547 + 613 = 1,707 (2.343 %)
- 3-5 years: 631 + 687 + 721 = 2,039 (2.799 %)
- 6-10 years: 691 + 705 + 747 + 809 + 747 = 3,699 (5.078 %)
- 11-17 years: 744 + 792 + 786 + 810 + 807 + 874 + 878 = 5,691 (7.812 %)

Source: https://www.insee.fr/fr/statistiques/5397445?geo=ARR-461&sommaire=5397467
"""

from __future__ import annotations

from maillage.kinds import POPULATION_BANDS, YEAR_BANDS

#: Age band columns of the communes layer -> ages, years, half-open ``[start, end)`` as
#: everywhere in maillage (``pop_0_2`` = ``(0, 3)``): :data:`maillage.kinds.POPULATION_BANDS`.
AGE_BANDS = POPULATION_BANDS

#: INSEE RP column (without the "Pyy_" vintage prefix) for each band.
INSEE_COLUMNS = {"pop_0_2": "POP0002", "pop_3_5": "POP0305", "pop_6_10": "POP0610",
                 "pop_11_17": "POP1117"}

_REFERENCE_POPULATION = 72_848
_REFERENCE_COUNTS = {"pop_0_2": 1_707, "pop_3_5": 2_039, "pop_6_10": 3_699, "pop_11_17": 5_691}

#: Share of each band in the population (arrondissement of Cahors, INSEE RP2018), and of the
#: single years of :data:`maillage.kinds.YEAR_BANDS` (``pop_11`` = 1/7 of ``pop_11_17``).
AGE_SHARES = {band: count / _REFERENCE_POPULATION for band, count in _REFERENCE_COUNTS.items()}
AGE_SHARES.update({year: AGE_SHARES[band] * share
                   for year, (_, band, share) in YEAR_BANDS.items()})

#: The ``age_source`` text of estimated communes.
ESTIMATE_SOURCE = ("estimation : population × parts par âge de l'arrondissement de Cahors "
                   "(INSEE RP2018, POP1B)")
ESTIMATE_URL = "https://www.insee.fr/fr/statistiques/5397445?geo=ARR-461&sommaire=5397467"


def estimate_bands(population: float) -> dict[str, float]:
    """Estimated children per age band for a commune of ``population`` inhabitants.

    Parameters
    ----------
    population : float
        Population municipale (inhabitants).

    Returns
    -------
    dict
        ``pop_0_2`` … ``pop_11_17`` and ``pop_11`` -> children (float, rounded to 0.1).
    """
    return {band: round(population * share, 1) for band, share in AGE_SHARES.items()}


#: Totals of an age band for a whole EPCI that a CTG document gives, kept to compare with the
#: Filosofi-derived counts (they are not applied: the counts are real). EPCI SIREN -> band ->
#: (children, source).
DOCUMENT_TOTALS = {
    "244600482": {  # CC Quercy-Bouriane
        "pop_0_2": (174, "CTG Quercy-Bouriane 2022-2026, plan d'action : « Entre 2019 et 2021, "
                         "le nombre d'enfants de moins de 3 ans est passé de 154 à 174 »"),
    },
}
