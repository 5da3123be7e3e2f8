"""A real ``maillage app`` server for the tests, bounded: a free port on 127.0.0.1, stopped
(and its thread joined) when the ``with`` block ends."""

from __future__ import annotations

import contextlib
import threading
import time

from maillage.app.server import create_app, free_port


@contextlib.contextmanager
def running_server(session, token: str, timeout: float = 30.0):
    """Serve ``session``; yield the base URL (``http://127.0.0.1:PORT``)."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(create_app(session, token), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("le serveur de test n'a pas démarré")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
