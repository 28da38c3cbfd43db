"""``asl-runner run --task-token-endpoint URL``: SendTaskSuccess, SendTaskFailure and
SendTaskHeartbeat over AWS's JSON 1.0 protocol while a run lasts, so that a worker outside the
process (an SQS consumer, a test, the AWS CLI) answers a ``.waitForTaskToken`` task as it would
on AWS.

Three operations and a run's lifetime need no ASGI server: the standard library's threading
HTTP server answers them, and ``serve``'s uvicorn is not imported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .protocol import (
    CONTENT_TYPE,
    MAX_BODY_BYTES,
    ProtocolError,
    decode_request,
    encode,
    encode_error,
    operation_of,
)

Api = Callable[[str, dict], dict]


def address_of(url: str) -> tuple[str, int]:
    """(host, port) to listen on for ``http://HOST:PORT``; ValueError says what is wrong."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"{url!r} is not an http://HOST:PORT URL")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        raise ValueError(f"{url!r} names no port (http://HOST:PORT)")
    return parts.hostname, port


class TokenEndpoint:
    """Serves ``api`` (a :class:`~asl_runner.integrations.run_api.RunApi`) at ``url`` until
    closed. Opening it fails with OSError when the address cannot be bound."""

    def __init__(self, url: str, api: Api, operations: tuple[str, ...]):
        host, port = address_of(url)
        self._server = ThreadingHTTPServer((host, port), _handler(api, operations))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="task-tokens",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TokenEndpoint:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _handler(api: Api, operations: tuple[str, ...]) -> type[BaseHTTPRequestHandler]:
    from ..service.errors import ApiError

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    raise ProtocolError("RequestEntityTooLarge", "Request entity too large", 413)
                body = decode_request(self.rfile.read(length))
                operation = operation_of(self.headers.get("X-Amz-Target"))
                if operation not in operations:
                    raise ProtocolError("UnknownOperationException",
                                        f"asl-runner run answers only {', '.join(operations)}")
                self._reply(200, encode(api(operation, body)))
            except ProtocolError as exc:
                self._reply(exc.status, encode_error(exc.code, exc.message))
            except ApiError as exc:
                self._reply(exc.status, encode_error(exc.code, exc.message, exc.fields))
            except Exception as exc:  # a bug of ours: the caller gets an answer, the run goes on
                self._reply(500, encode_error("InternalFailure", f"{type(exc).__name__}: {exc}"))

        def _reply(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass  # stderr belongs to the run's own output

    return Handler
