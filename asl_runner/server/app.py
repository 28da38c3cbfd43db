"""The ASGI application: the Step Functions API on one endpoint, ``POST /``.

The service's methods block (a database write, a 60-second activity poll, a sync execution
that waits for its end), so they run on threads and the event loop only moves bytes. Quick
calls and long ones have separate pools: 64 workers polling an activity must not make a
DescribeExecution wait for a free thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ..service import OPERATIONS, ApiError, StepFunctions
from .protocol import (
    CONTENT_TYPE,
    MAX_BODY_BYTES,
    ProtocolError,
    decode_request,
    encode,
    encode_error,
    operation_of,
)
from .threads import DaemonThreadPool

log = logging.getLogger("asl_runner.server")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# AWS's own operations that asl-runner does not serve: a clearer message than "unknown"
_NOT_IMPLEMENTED = frozenset({"DescribeMapRun", "ListMapRuns", "UpdateMapRun", "RedriveExecution",
                              "TestState"})
# How long one slice of an activity poll may block a thread: between slices the poll notices
# that its worker hung up (so no task is handed to a worker that is gone) or that the server
# is stopping.
_POLL_SLICE_SECONDS = 2.0


class _ClientGone(Exception):
    """The client closed the connection before its request was read."""


class StepFunctionsApp:
    """An ASGI 3 application serving ``service`` with the AWS JSON 1.0 protocol."""

    def __init__(self, service: StepFunctions, *, threads: int = 16, long_poll_threads: int = 64,
                 poll_seconds: float = 60.0):
        self.service = service
        self._methods = {operation: getattr(service, name) for operation, name in OPERATIONS.items()}
        self._quick = DaemonThreadPool(threads, "asl-api")
        self._long = DaemonThreadPool(long_poll_threads, "asl-api-long")
        self._long_limit = long_poll_threads
        self._long_active = 0  # only touched on the event loop
        self.poll_seconds = poll_seconds  # AWS holds an activity poll for up to 60 s
        self.stopping = False

    def close(self) -> None:
        """Release activity polls (they answer "no task") and stop the threads."""
        self.stopping = True
        self._quick.shutdown(wait=False, cancel_futures=True)
        self._long.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        try:
            operation, status, body = await self._respond(scope, receive, request_id)
        except _ClientGone:
            return
        headers = [(b"content-type", CONTENT_TYPE.encode()),
                   (b"content-length", str(len(body)).encode()),
                   (b"x-amzn-requestid", request_id.encode())]
        if status == 405:
            headers.append((b"allow", b"POST"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if log.isEnabledFor(logging.INFO):
            outcome = "" if status == 200 else " " + body.decode("utf-8", "replace")
            log.info("%s %d %.1f ms%s", operation, status, (time.perf_counter() - started) * 1000, outcome)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # ------------------------------------------------------------------ one request

    async def _respond(self, scope: Scope, receive: Receive, request_id: str) -> tuple[str, int, bytes]:
        """(operation, HTTP status, body) for one request."""
        headers = dict(scope.get("headers") or ())
        operation = "-"
        try:
            if scope["method"] != "POST":
                return operation, 405, encode_error(
                    "UnknownOperationException",
                    f"The Step Functions API is served as POST / with X-Amz-Target, not {scope['method']}")
            target = headers.get(b"x-amz-target")
            operation = operation_of(target.decode("latin-1") if target is not None else None)
            request = decode_request(await _read_body(receive, headers.get(b"content-length")))
            method = self._methods.get(operation)
            if method is None:
                detail = ("is a Step Functions operation that asl-runner does not implement"
                          if operation in _NOT_IMPLEMENTED else "is not a Step Functions operation")
                raise ProtocolError("UnknownOperationException", f"'{operation}' {detail}")
            result = await self._call(operation, method, request, receive)
            return operation, 200, encode(result)
        except (ProtocolError, ApiError) as exc:
            return operation, exc.status, encode_error(exc.code, exc.message)
        except _ClientGone:
            raise
        except Exception:  # a bug must cost one request a 500, never the connection or the server
            log.exception("%s failed (request id %s)", operation, request_id)
            return operation, 500, encode_error(
                "InternalFailure", f"asl-runner failed to process the request (request id "
                f"{request_id}); the server's log has the details")

    async def _call(self, operation: str, method: Callable[..., dict], request: dict,
                    receive: Receive) -> dict:
        loop = asyncio.get_running_loop()
        if operation == "GetActivityTask":
            return await self._poll_activity(method, request, receive)
        if operation == "StartSyncExecution":
            self._long_active += 1
            try:
                return await loop.run_in_executor(self._long, method, request)
            finally:
                self._long_active -= 1
        return await loop.run_in_executor(self._quick, method, request)

    async def _poll_activity(self, method: Callable[..., dict], request: dict,
                             receive: Receive) -> dict:
        """GetActivityTask: wait up to ``poll_seconds`` for a task, in slices (see above)."""
        if self._long_active >= self._long_limit:
            raise ApiError("ActivityWorkerLimitExceeded",
                           f"The maximum number of workers concurrently polling for activity tasks "
                           f"({self._long_limit}) has been reached")
        loop = asyncio.get_running_loop()
        hung_up = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, hung_up))
        self._long_active += 1
        try:
            deadline = loop.time() + self.poll_seconds
            while True:
                remaining = deadline - loop.time()
                poll = functools.partial(method, request,
                                         poll_seconds=max(0.0, min(_POLL_SLICE_SECONDS, remaining)))
                result = await loop.run_in_executor(self._long, poll)
                if result.get("taskToken"):
                    return result
                if deadline - loop.time() <= 0 or self.stopping or hung_up.is_set():
                    return {}
        finally:
            self._long_active -= 1
            watcher.cancel()


async def _read_body(receive: Receive, declared_length: bytes | None) -> bytes:
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > MAX_BODY_BYTES:
        _too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_large() -> None:
    raise ProtocolError("RequestEntityTooLarge",
                        f"The request body is larger than {MAX_BODY_BYTES} bytes", status=413)


async def _watch_disconnect(receive: Receive, hung_up: asyncio.Event) -> None:
    """Once the body is read, the next ASGI message is the client hanging up (if it does)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            hung_up.set()
            return
