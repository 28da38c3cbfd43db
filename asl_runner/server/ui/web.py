"""The web view's HTTP side: its pages under ``/ui`` and a few endpoints of its own under
``/ui/api/``, in front of the Step Functions API on the same port.

The pages read through the API itself (``POST /`` with ``X-Amz-Target``, as boto3 does). What
that API cannot answer has a small read-only endpoint here: the tasks waiting for an answer
(``/ui/api/tasks``), executions by correlation id (``/ui/api/executions``), the server's
settings (``/ui/api/config``) and an execution's graph (``/ui/api/graph``).

The page's writes (Approve, Reject, Redrive) do not go to ``POST /`` but to ``POST
/ui/api/write``, the same protocol, gated: refused unless ``serve --ui-writes``, refused for
any operation but SendTaskSuccess, SendTaskFailure and RedriveExecution, refused from a page of
another origin, and refused when the page was opened by a host name other than localhost (a
site whose name resolves to this machine would otherwise be "this origin"). The API at
``/`` is unchanged: boto3 and the AWS CLI write there as before.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ...service import ApiError
from ..app import Receive, Scope, Send, StepFunctionsApp
from ..protocol import CONTENT_TYPE, ProtocolError, encode, encode_error, operation_of
from .search import by_correlation_id
from .tasks import running_tasks

#: the most tasks one /ui/api/tasks answer lists (oldest first: those past an SLA)
TASKS_LIMIT = 1000
#: the operations the page may send to /ui/api/write, when writes are on
WRITES = frozenset({"SendTaskSuccess", "SendTaskFailure", "RedriveExecution"})

_STATIC = {
    "/ui/": ("index.html", "text/html; charset=utf-8"),
    "/ui/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/ui/app.css": ("app.css", "text/css; charset=utf-8"),
}
# Nothing outside this server: no CDN, no fonts, no beacons. Inline styles are allowed for the
# graph's SVG, which the page puts in its document.
_PAGE_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
                                 b"style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-cache"),
]


@dataclass(frozen=True)
class UiSettings:
    """``writes``: the page may answer tasks; ``sla_seconds``: tasks running longer than this
    are highlighted (None: the page's own setting, off by default)."""

    writes: bool = False
    sla_seconds: float | None = None


class WebView:
    """An ASGI application: the web view under ``/ui``, everything else to ``api``."""

    def __init__(self, api: StepFunctionsApp, settings: UiSettings | None = None):
        self.api = api
        self.service = api.service
        self.settings = settings or UiSettings()
        folder = resources.files(__package__) / "static"
        self._files = {path: ((folder / name).read_bytes(), kind)
                       for path, (name, kind) in _STATIC.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/ui" or path.startswith("/ui/")):
            await self.api(scope, receive, send)
            return
        method = scope["method"]
        if path == "/ui/api/write":
            await self._write(scope, receive, send)
        elif method not in ("GET", "HEAD"):
            await _reply(send, 405, b"GET only", "text/plain", extra=[(b"allow", b"GET, HEAD")])
        elif path == "/ui":
            await _reply(send, 308, b"", "text/plain", extra=[(b"location", b"/ui/")])
        elif path in self._files:
            body, kind = self._files[path]
            await _reply(send, 200, body if method == "GET" else b"", kind, extra=_PAGE_HEADERS,
                         length=len(body))
        elif path.startswith("/ui/api/"):
            status, body, kind = await asyncio.to_thread(self._read, path, _query(scope))
            await _reply(send, status, body, kind)
        else:
            await _reply(send, 404, b"Not found", "text/plain")

    # ------------------------------------------------------------------ reads

    def _read(self, path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        """(status, body, content type) of a read-only endpoint (on a worker thread)."""
        try:
            if path == "/ui/api/config":
                return _json({"writes": self.settings.writes, "slaSeconds": self.settings.sla_seconds,
                              "writeOperations": sorted(WRITES) if self.settings.writes else [],
                              "now": self.service.now()})
            if path == "/ui/api/tasks":
                kind, limit = query.get("kind"), query.get("limit", str(TASKS_LIMIT))
                if kind not in (None, "callback", "activity", "invoke"):
                    return _error(400, "ValidationException", "kind must be callback, activity or invoke")
                if not limit.isdigit() or not 1 <= int(limit) <= TASKS_LIMIT:
                    return _error(400, "ValidationException", f"limit must be 1 to {TASKS_LIMIT}")
                return _json({**running_tasks(self.service, kind, int(limit)), "now": self.service.now()})
            if path == "/ui/api/executions":
                wanted = query.get("correlationId")
                if not wanted:
                    return _error(400, "ValidationException", "correlationId is required")
                return _json({"executions": by_correlation_id(self.service, wanted,
                                                              query.get("stateMachineArn"))})
            if path == "/ui/api/graph":
                return self._graph(query)
        except Exception as exc:  # a bug costs this request, never the server
            return _error(500, "InternalFailure", f"the web view failed: {type(exc).__name__}: {exc}")
        return _error(404, "UnknownOperationException", f"no such endpoint: {path}")

    def _graph(self, query: dict[str, str]) -> tuple[int, bytes, str]:
        try:
            from .graph import execution_svg
        except ImportError:  # asl_runner.graph is not part of this installation
            return _error(501, "UnknownOperationException", "graph drawing is not available")
        arn = query.get("executionArn")
        if not arn:
            return _error(400, "ValidationException", "executionArn is required")
        try:
            svg = execution_svg(self.service, arn)
        except ApiError as exc:
            return _error(exc.status, exc.code, exc.message)
        return 200, svg.encode(), "image/svg+xml; charset=utf-8"

    # ------------------------------------------------------------------ writes

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or ())
        refusal = None
        if scope["method"] != "POST":
            refusal = (405, "UnknownOperationException", "the web view writes with POST")
        elif not self.settings.writes:
            refusal = (403, "AccessDeniedException", "The web view is read-only: start "
                       "`asl-runner serve --ui-writes` to answer tasks and redrive from it")
        elif not _same_origin(headers):
            refusal = (403, "AccessDeniedException", "a write from a page of another origin")
        elif b"origin" in headers and not _address_host(headers):
            refusal = (403, "AccessDeniedException", "the web view writes only when it is opened by "
                       "address (127.0.0.1, [::1], an IP) or as localhost, not by another host name")
        else:
            target = headers.get(b"x-amz-target")
            try:
                operation = operation_of(target.decode("latin-1") if target is not None else None)
            except ProtocolError as exc:
                refusal = (exc.status, exc.code, exc.message)
            else:
                if operation not in WRITES:
                    refusal = (403, "AccessDeniedException", f"the web view does not send {operation}; "
                               f"it writes only {', '.join(sorted(WRITES))}")
        if refusal is not None:
            status, code, message = refusal
            await _reply(send, status, encode_error(code, message), CONTENT_TYPE)
            return
        # the same operation as at POST /, with the API's checks, errors and threads
        await self.api({**scope, "path": "/", "raw_path": b"/"}, receive, send)


def _same_origin(headers: dict[bytes, bytes]) -> bool:
    """A browser names the page's origin on every POST; it must be this server. (A request
    with no Origin comes from no page.)"""
    origin = headers.get(b"origin")
    if origin is None:
        return True
    return urlsplit(origin.decode("latin-1")).netloc == headers.get(b"host", b"").decode("latin-1")


def _address_host(headers: dict[bytes, bytes]) -> bool:
    """Whether the page was opened by IP address or as localhost. A page of another site whose
    name was made to resolve to this machine (DNS rebinding) is of its own origin, so the
    origin check passes; its Host header still names that site."""
    host = urlsplit("//" + headers.get(b"host", b"").decode("latin-1")).hostname or ""
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _query(scope: Scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {key: values[0] for key, values in parse_qs(raw).items()}


def _json(body: dict[str, Any]) -> tuple[int, bytes, str]:
    return 200, encode(body), "application/json"


def _error(status: int, code: str, message: str) -> tuple[int, bytes, str]:
    return status, encode_error(code, message), CONTENT_TYPE


async def _reply(send: Send, status: int, body: bytes, kind: str, *,
                 extra: list[tuple[bytes, bytes]] | None = None, length: int | None = None) -> None:
    headers = [(b"content-type", kind.encode()),
               (b"content-length", str(len(body) if length is None else length).encode()),
               *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
