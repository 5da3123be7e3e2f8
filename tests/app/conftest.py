"""Fixtures of the app's tests: one session on the embedded Lot (loaded once per module),
a TestClient with the token, and a real server on a free port (stopped by the finaliser)."""

from __future__ import annotations

import pytest

from maillage.app.server import create_app, new_token
from maillage.app.session import Session
from maillage.geo import StraightLineTimer

from tests.app.scenarios import GRAND_CAHORS
from tests.app.servers import running_server


@pytest.fixture(scope="module")
def session(lot_territory, tmp_path_factory):
    """A session on the Lot with straight-line times (fast, no shared data needed)."""
    workdir = tmp_path_factory.mktemp("app-session")
    state = Session(lot_territory, StraightLineTimer(), epci=GRAND_CAHORS, date="2025-03-31",
                    workdir=workdir)
    yield state
    state.close()


@pytest.fixture(scope="module")
def token():
    return new_token()


@pytest.fixture(scope="module")
def client(session, token):
    from fastapi.testclient import TestClient

    with TestClient(create_app(session, token), base_url="http://127.0.0.1:8000") as test:
        test.headers["Authorization"] = f"token {token}"
        yield test


@pytest.fixture(scope="module")
def server(session, token):
    """A real server on 127.0.0.1 (free port), stopped by the finaliser: (URL, token)."""
    with running_server(session, token) as url:
        yield url, token
