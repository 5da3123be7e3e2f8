"""maillage.app: the planner's what-if workbench in the browser (``maillage app``).

A local web server (FastAPI + uvicorn, 127.0.0.1 only, token as Jupyter) and one page
(vendored Leaflet, plain JS modules, no CDN). The page only talks to the JSON API of
docs/app.md; every figure it shows comes from the library's own functions, run on a
:class:`Session` that keeps the territory, the compiled road graph and every routed
travel-time column in memory.

- :func:`open_session`: load the territory and its timer once;
- :class:`Session`: evaluate a scenario, suggest sites, upload facilities, export the report;
- :func:`create_app` / :func:`serve`: the ASGI app and the server.
"""

from __future__ import annotations

from maillage.lazy import lazy_getattr

_PUBLIC = {
    "Session": "maillage.app.session",
    "open_session": "maillage.app.start",
    "MemoTimer": "maillage.app.cache",
    "create_app": "maillage.app.server",
    "serve": "maillage.app.server",
    "new_token": "maillage.app.server",
}

__all__ = list(_PUBLIC)

__getattr__ = lazy_getattr("maillage.app", _PUBLIC)
