"""The local web server of ``maillage app``: a small JSON API and the page (docs/app.md).

Safe by default, as Jupyter is: it listens on 127.0.0.1 only, every request must carry the
session's random token (``?token=…`` or ``Authorization: token …``; 403 otherwise), the
``Host`` header must name the loopback (no DNS rebinding), request bodies are size-capped and
parsed in memory (a facility file is handed to the loader in a private temporary folder of
the app, deleted at once), no path sent by the browser ever reaches the file system, and the
page runs under a Content-Security-Policy that allows only its own scripts.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import socket
import threading
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from maillage.errors import InputError, MaillageError

from .scenario_json import scenario_error
from .session import SCENARIO_MAX_BYTES, UPLOAD_MAX_BYTES, Session, safe_name

__all__ = ["LOOPBACK_HOSTS", "create_app", "free_port", "new_token", "serve"]

log = logging.getLogger("maillage.app")

#: Host names the server answers to (anything else may be a DNS-rebinding attack).
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: Largest JSON body accepted (a scenario, a suggestion request), bytes.
JSON_MAX_BYTES = 1024 * 1024
#: Content-Security-Policy of every response: only the app's own scripts; OSM tiles are the
#: one outside resource, drawn only when the planner switches them on.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob: https://tile.openstreetmap.org; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def new_token() -> str:
    """A random session token.

    Returns
    -------
    str
        32 URL-safe characters (192 random bits, :func:`secrets.token_urlsafe`).

    Examples
    --------
    >>> token = new_token()
    >>> len(token), token != new_token()
    (32, True)
    """
    return secrets.token_urlsafe(24)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _forbidden(message: str, fix: str) -> JSONResponse:
    return JSONResponse({"erreur": message, "correction": fix}, status_code=403)


def _host_ok(host: str) -> bool:
    host = host.strip().lower()
    if host.startswith("["):
        name = host.split("]")[0] + "]"
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in LOOPBACK_HOSTS


def _token_of(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("token "):
        return header[6:].strip()
    return request.query_params.get("token", "")


async def _body(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused past ``limit`` bytes (read in memory, never to disk)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise InputError(f"{what} trop gros ({int(declared) / 1e6:.1f} Mo)",
                         fix=f"au plus {limit / 1e6:.1f} Mo")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputError(f"{what} trop gros (plus de {limit / 1e6:.1f} Mo)",
                             fix=f"au plus {limit / 1e6:.1f} Mo")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: Request) -> dict:
    raw = await _body(request, JSON_MAX_BYTES, "corps de requête")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError("requête illisible (JSON attendu)",
                         fix="envoyer un objet JSON encodé en UTF-8") from exc
    if not isinstance(data, dict):
        raise InputError("requête illisible : un objet JSON est attendu",
                         fix="envoyer {\"nom\": …, \"date\": …, \"changements\": […]}")
    return data


def create_app(session: Session, token: str) -> FastAPI:
    """The ASGI application of a session.

    Parameters
    ----------
    session : Session
        Territory, timer and registry kept in memory.
    token : str
        The secret every request must carry.

    Returns
    -------
    fastapi.FastAPI
        The page, its static files and the JSON API (docs/app.md), guarded by the token and
        the Host check.

    Examples
    --------
    Every request must carry the session's token and name the loopback as its host (tested
    here in memory, without a server):

    >>> from fastapi.testclient import TestClient
    >>> from maillage.geo import StraightLineTimer
    >>> from maillage.layers import load_territory
    >>> session = Session(load_territory(epci="200023737", offline=True), StraightLineTimer())
    >>> client = TestClient(create_app(session, "jeton-secret"), base_url="http://127.0.0.1:8000")
    >>> client.get("/").status_code, client.get("/?token=jeton-secret").status_code
    (403, 200)
    >>> client.get("/?token=jeton-secret", headers={"Host": "evil.example"}).status_code
    403
    >>> session.close()
    """
    app = FastAPI(title="maillage app", docs_url=None, redoc_url=None, openapi_url=None)
    static = Path(str(files("maillage.app").joinpath("static")))
    leaflet = Path(str(files("maillage.maps").joinpath("static", "leaflet")))
    busy = threading.Lock()  # one computation at a time: the page waits, the session holds

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not _host_ok(request.headers.get("host", "")):
            response = _forbidden("hôte non autorisé",
                                  "ouvrir l'adresse http://127.0.0.1:PORT/ affichée au démarrage")
        elif (request.url.path == "/" or request.url.path.startswith("/api/")) and \
                not hmac.compare_digest(_token_of(request).encode(), token.encode()):
            response = _forbidden("jeton absent ou invalide",
                                  "ouvrir l'adresse complète affichée au démarrage "
                                  "(…/?token=…)")
        else:
            try:
                response = await call_next(request)
            except Exception:  # never a traceback in the page; the session stays usable
                log.exception("erreur interne")
                response = JSONResponse({"erreur": "erreur interne du serveur",
                                         "correction": "réessayer ; si elle persiste, "
                                                       "relancer maillage app"},
                                        status_code=500)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if request.url.path == "/" or request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError):
        page = exc.file in (None, "scénario de la page")
        body = scenario_error(exc, page=page)
        report = getattr(exc, "report", None)
        if report is not None and len(report):
            from .geojson import records

            body["entries"] = records(report.to_frame())
        return JSONResponse(body, status_code=400)

    @app.exception_handler(MaillageError)
    async def maillage_error(request: Request, exc: MaillageError):
        return JSONResponse({"erreur": str(exc), "correction": ""}, status_code=422)

    @app.get("/", response_class=HTMLResponse)
    def index():
        return HTMLResponse((static / "index.html").read_text(encoding="utf-8"))

    @app.get("/api/territory")
    def territory():
        return session.territory_json()

    @app.post("/api/scenario/evaluate")
    async def evaluate(request: Request):
        data = await _json(request)
        with busy:
            return JSONResponse(session.evaluate(data))

    @app.post("/api/scenario/yaml")
    async def scenario_yaml(request: Request):
        data = await _json(request)
        scenario, text, *_ = session.prepare(data)
        if not scenario.changes:
            raise InputError("aucun changement à enregistrer", file="scénario de la page",
                             fix="ouvrir, fermer, déplacer ou redimensionner un équipement "
                                 "avant d'enregistrer")
        return Response(text.encode("utf-8"), media_type="application/x-yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="scenario.yaml"'})

    @app.post("/api/scenario/load")
    async def scenario_load(request: Request):
        raw = await _body(request, SCENARIO_MAX_BYTES, "scénario")
        with busy:
            return session.load_scenario_file(request.query_params.get("name"), raw)

    @app.post("/api/facilities/upload")
    async def upload(request: Request):
        name = safe_name(request.query_params.get("name"))
        raw = await _body(request, UPLOAD_MAX_BYTES, f"fichier {name}")
        with busy:
            return session.upload(name, raw)

    @app.post("/api/facilities/reset")
    def reset():
        with busy:
            session.reset_uploads()
        return {"ok": True}

    @app.post("/api/suggest")
    async def suggest(request: Request):
        data = await _json(request)
        options = {}
        for key, cast in (("type", str), ("p", int), ("minutes", float), ("places", float)):
            if key in data and data[key] is not None:
                try:
                    options[key] = cast(data[key])
                except (TypeError, ValueError) as exc:
                    raise InputError(f"« {key} » illisible : {data[key]!r}", column=key,
                                     fix="donner un nombre") from exc
        if "type" in options:
            options["kind"] = options.pop("type")
        with busy:
            return session.suggest(data.get("scenario") or {}, **options)

    @app.post("/api/export")
    async def export(request: Request):
        data = await _json(request)
        with busy:
            content = session.export(data)
        return Response(content, media_type="application/zip",
                        headers={"Content-Disposition":
                                 'attachment; filename="maillage-rapport.zip"'})

    app.mount("/static", StaticFiles(directory=static), name="static")
    app.mount("/leaflet", StaticFiles(directory=leaflet), name="leaflet")
    return app


def serve(session: Session, *, port: int | None = None, token: str | None = None,
          open_browser: bool = True, on_ready=None) -> None:
    """Run the server on 127.0.0.1 until interrupted (Ctrl+C).

    Parameters
    ----------
    session : Session
        The state served (deleted with its temporary folder when the server stops).
    port : int, optional
        TCP port (default: a free one).
    token : str, optional
        Session token (default: a new random one).
    open_browser : bool
        Open the page in the default browser once the server listens.
    on_ready : callable, optional
        Called with the page's URL (``http://127.0.0.1:PORT/?token=…``) once it listens.
    """
    import uvicorn

    token = token or new_token()
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/?token={token}"
    config = uvicorn.Config(create_app(session, token), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)

    def announce():
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            if on_ready is not None:
                on_ready(url)
            if open_browser:
                import webbrowser

                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run()
    finally:
        session.close()
