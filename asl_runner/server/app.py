"""The ASGI application: the Step Functions API on one endpoint, ``POST /``.

The service's methods block (a database write, a sync execution that waits for its end), so
they run on threads and the event loop only moves bytes. Quick calls and StartSyncExecution
have separate pools: sync executions waiting for their end must not make a DescribeExecution
wait for a free thread. A GetActivityTask long poll holds no thread while it waits: it asks the
service for a task on a quick thread, then awaits an event the engine sets when a task of its
activity arrives, the poll's deadline, the client hanging up or the server stopping.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
import uuid
from collections import deque
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
_NOT_IMPLEMENTED = frozenset({"TestState"})
#: AWS's quota "Maximum activity pollers per ARN": 1,000 pollers calling GetActivityTask
MAX_POLLS_PER_ACTIVITY = 1000


class _ClientGone(Exception):
    """The client closed the connection before its request was read."""


class _Wakeup(threading.Event):
    """The event the engine sets when a task of an activity arrives; it also calls ``on_set``
    on the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_set: Callable[[_Wakeup], None]):
        super().__init__()
        self._loop = loop
        self._on_set = on_set

    def set(self) -> None:
        super().set()
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            self._loop.call_soon_threadsafe(self._on_set, self)


class _Poll:
    """One open GetActivityTask: the future it waits on, and whether its client hung up."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.hung_up = False
        self.future: asyncio.Future = loop.create_future()

    def renew(self) -> asyncio.Future:
        self.future = self.loop.create_future()
        return self.future

    def wake(self) -> bool:
        if self.future.done():
            return False
        self.future.set_result(None)
        return True

    def hang_up(self) -> None:
        self.hung_up = True
        self.wake()


class _ActivityPolls:
    """The open polls of one activity. One event is registered with the engine for all of them;
    a task wakes the oldest waiting poll only, which claims it and wakes the next (more tasks
    may be waiting): a task costs one claim, not one per open poll. Claims of an activity run
    one at a time, so that the one event stays registered while polls wait."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.open = 0
        self.waiting: deque[_Poll] = deque()  # oldest first
        self.wakeup: _Wakeup | None = None  # registered with the engine and not yet set
        self.lock = asyncio.Lock()

    def new_wakeup(self) -> _Wakeup:
        return _Wakeup(self.loop, self._task_arrived)

    def registered(self) -> bool:
        return self.wakeup is not None and not self.wakeup.is_set()

    def _task_arrived(self, wakeup: _Wakeup) -> None:
        if self.wakeup is wakeup:
            self.wakeup = None  # the engine forgets an event once it has set it
        self.wake_next()

    def wake_next(self) -> None:
        while self.waiting:
            if self.waiting.popleft().wake():
                return


class StepFunctionsApp:
    """An ASGI 3 application serving ``service`` with the AWS JSON 1.0 protocol."""

    def __init__(self, service: StepFunctions, *, threads: int = 16, sync_threads: int = 64,
                 poll_seconds: float = 60.0, max_polls_per_activity: int = MAX_POLLS_PER_ACTIVITY):
        self.service = service
        self._methods = {operation: getattr(service, name) for operation, name in OPERATIONS.items()}
        self._quick = DaemonThreadPool(threads, "asl-api")
        self._sync = DaemonThreadPool(sync_threads, "asl-api-sync")
        self.poll_seconds = poll_seconds  # AWS holds an activity poll for up to 60 s
        self.max_polls_per_activity = max_polls_per_activity
        self._activities: dict[str, _ActivityPolls] = {}  # the open polls (event loop only)
        self._stopping = False

    @property
    def stopping(self) -> bool:
        return self._stopping

    @stopping.setter
    def stopping(self, value: bool) -> None:
        """Once the server is stopping, every open poll answers "no task" at once."""
        self._stopping = value
        if value:
            for group in list(self._activities.values()):
                for poll in list(group.waiting):
                    with contextlib.suppress(RuntimeError):  # a closed loop
                        group.loop.call_soon_threadsafe(poll.wake)

    def close(self) -> None:
        """Release activity polls (they answer "no task") and stop the threads."""
        self.stopping = True
        self._quick.shutdown(wait=False, cancel_futures=True)
        self._sync.shutdown(wait=False, cancel_futures=True)

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
        except ProtocolError as exc:
            return operation, exc.status, encode_error(exc.code, exc.message)
        except ApiError as exc:
            return operation, exc.status, encode_error(exc.code, exc.message, exc.fields)
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
        pool = self._sync if operation == "StartSyncExecution" else self._quick
        return await loop.run_in_executor(pool, method, request)

    async def _poll_activity(self, method: Callable[..., dict], request: dict,
                             receive: Receive) -> dict:
        """GetActivityTask: a task as soon as one is there, or {} after ``poll_seconds``."""
        loop = asyncio.get_running_loop()
        arn = request.get("activityArn")
        if not isinstance(arn, str):  # the service answers the bad request
            return await loop.run_in_executor(self._quick, functools.partial(method, request, poll_seconds=0))
        deadline = loop.time() + self.poll_seconds
        group = self._activities.setdefault(arn, _ActivityPolls(loop))
        if group.open >= self.max_polls_per_activity:
            raise ApiError("ActivityWorkerLimitExceeded", "The maximum number of workers concurrently "
                           "polling for activity tasks has been reached.")
        group.open += 1
        poll = _Poll(loop)
        watcher = asyncio.create_task(_watch_disconnect(receive, poll.hang_up))
        try:
            while True:
                result = await self._claim(group, method, request)
                if result.get("taskToken"):
                    group.wake_next()  # there may be more tasks: the next poll looks
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0 or self.stopping or poll.hung_up:
                    return {}
                if not group.registered():
                    continue  # a task arrived while this poll looked: look again
                group.waiting.append(poll)
                await asyncio.wait({poll.renew()}, timeout=remaining)
                woken = poll not in group.waiting  # wake_next took it off: a task arrived
                if not woken:  # its time is up, or it hung up, or the server stops
                    group.waiting.remove(poll)
                if loop.time() >= deadline or self.stopping or poll.hung_up:
                    if woken:
                        group.wake_next()  # the task it was woken for goes to the next poll
                    return {}
        finally:
            watcher.cancel()
            group.open -= 1
            if group.open == 0 and self._activities.get(arn) is group:
                del self._activities[arn]
                if group.registered() and not self.stopping:
                    await loop.run_in_executor(self._quick, self.service.forget_activity_waiter, arn,
                                               group.wakeup)

    async def _claim(self, group: _ActivityPolls, method: Callable[..., dict], request: dict) -> dict:
        """Take a task of the activity; when there is none, make sure the activity's event is
        registered with the engine (registering a new one only when none is)."""
        loop = asyncio.get_running_loop()
        async with group.lock:
            if group.registered():
                return await loop.run_in_executor(self._quick, functools.partial(method, request, poll_seconds=0))
            wakeup = group.new_wakeup()
            result = await loop.run_in_executor(self._quick, functools.partial(method, request, waiter=wakeup))
            if not result.get("taskToken") and not wakeup.is_set():
                group.wakeup = wakeup
            return result


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


async def _watch_disconnect(receive: Receive, on_hang_up: Callable[[], None]) -> None:
    """Once the body is read, the next ASGI message is the client hanging up (if it does)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            on_hang_up()
            return
