"""Serving the API over HTTP with uvicorn.

uvicorn is imported only here, when a server starts: every other command starts without it.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable

from ..service import StepFunctions
from .app import StepFunctionsApp
from .ui import UiSettings, WebView


def listen(host: str = "127.0.0.1", port: int = 8083) -> socket.socket:
    """A listening TCP socket; port 0 picks a free port (:func:`url_of` tells which)."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                  flags=socket.AI_PASSIVE)[0]
    return socket.create_server(address, family=family, backlog=2048)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(service: StepFunctions, *, host: str = "127.0.0.1", port: int = 8083,
          sock: socket.socket | None = None, on_ready: Callable[[str], None] | None = None,
          log_level: str = "warning", shutdown_grace_seconds: int = 5,
          ui: UiSettings | None = None) -> None:
    """Serve ``service`` until SIGINT or SIGTERM (or the server is told to exit), then return.

    ``on_ready(url)`` is called once the socket accepts requests. Shutting down, the server
    stops accepting connections, answers activity polls with "no task" at once, gives the
    calls in progress ``shutdown_grace_seconds`` to finish and drops the rest. Closing the
    service is the caller's business. ``ui``: the web view's settings (read-only by default).
    """
    import uvicorn

    app = StepFunctionsApp(service)
    asgi = WebView(app, ui or UiSettings())
    if sock is None:
        sock = listen(host, port)
    config = uvicorn.Config(
        asgi, interface="asgi3", lifespan="off", ws="none", log_level=log_level, access_log=False,
        server_header=False,
        # botocore keeps connections open between calls; AWS's idle timeout is a minute or more
        timeout_keep_alive=60,
        timeout_graceful_shutdown=shutdown_grace_seconds)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and on_ready is not None:
                on_ready(url_of(sock))

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            app.stopping = True  # before uvicorn waits for the requests in progress
            await super().shutdown(sockets=sockets)

    # uvicorn handles SIGINT/SIGTERM, shuts down gracefully, then re-raises the signal to the
    # handler that was there before it. Ours swallows it so that serve() returns and the caller
    # can close the store; the default SIGTERM handler would kill the process on the spot.
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        Server(config).run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        app.close()
        sock.close()


def _ignore(signum: int, frame: object) -> None:
    pass
