"""Scenarios the app's tests send, as the page sends them."""

from __future__ import annotations

GRAND_CAHORS = "200023737"


def calamane(**extra) -> dict:
    """The Calamane scenario of the demo, as the page sends it."""
    scenario = {"nom": "Ouverture de l'ALSH de Calamane", "territoire": "lot",
                "epci": GRAND_CAHORS, "date": "2025-03-31",
                "indicateurs": ["alsh", "eaje", "rpe", "france_services"],
                "changements": [{"ouvrir": {"id": "gc-alsh-calamane-scenario",
                                            "nom": "ALSH de Calamane", "type": "alsh",
                                            "commune": "46046", "places": 20,
                                            "ages": [3, 12]}}]}
    scenario.update(extra)
    return scenario
