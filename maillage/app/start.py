"""Start a session: the territory and its travel-time source, loaded once."""

from __future__ import annotations


from .session import Session

__all__ = ["open_session"]


def open_session(*, epci: str | None = None, network=None, date: str | None = None,
                 territory: str = "lot", warm: bool = True) -> Session:
    """Load the territory and its timer, and return the app's session.

    Parameters
    ----------
    epci : str, optional
        SIREN of the EPCI the page starts on (the whole territory stays loaded).
    network : path, optional
        Road network file (GraphML, OSM file, edge list); default: the shared road graph
        when present, else flagged straight-line estimates (:func:`maillage.geo.default_timer`).
    date : str, optional
        Base date the page starts on (AAAA-MM-JJ); default today.
    territory : str
        ``"lot"`` (default) or an EPCI SIREN, as :func:`maillage.layers.load_territory`.
    warm : bool
        Compute the starting state before returning (:meth:`Session.warm`).

    Returns
    -------
    Session
        The territory, its timer (memoised) and the registry, kept in memory.

    Examples
    --------
    The Grand Cahors alone, with the road graph of ../shared/data when present (else flagged
    straight-line estimates), not warmed:

    >>> session = open_session(territory="200023737", date="2025-03-31", warm=False)
    >>> len(session.territory.communes), session.date, session.base_scenario()["changements"]
    (36, '2025-03-31', [])
    >>> session.close()
    """
    from maillage.geo import NetworkTimer, default_timer
    from maillage.layers import load_territory

    if date is not None:
        import pandas as pd

        from maillage.errors import InputError

        try:
            date = f"{pd.Timestamp(date):%Y-%m-%d}"
        except (ValueError, TypeError) as exc:
            raise InputError(f"date illisible : « {date} »", column="--date",
                             fix="écrire la date sous la forme AAAA-MM-JJ") from exc
    layers = load_territory(territory)
    if network is not None:
        timer = NetworkTimer.from_file(network)  # compiled straight from the file (no networkx)
    else:
        timer = default_timer(layers)
    session = Session(layers, timer, epci=epci, date=date)
    if warm:
        session.warm()
    return session
