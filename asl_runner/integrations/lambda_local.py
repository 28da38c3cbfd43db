"""Local Lambda functions: Python handlers that behave like deployed Lambda functions.

A function named NAME is, in this order: a callable passed in ``handlers``; ``DIR/NAME.py``;
``DIR/NAME/handler.py`` (a function folder, like a deployment package whose handler setting
is ``handler.handler``). Either file must define ``handler(event, context)``. The directory
is put on ``sys.path`` while handlers load, as ``/var/task`` is on Lambda, so handlers can
import shared helper modules next to them. A definition can only name functions in that
directory or mapping: names are checked against Lambda's naming rules, so no path
traversal and no importing arbitrary modules.

:meth:`LocalLambdas.invoke` behaves like Lambda's Invoke API for the Python runtime: the
response body is the handler's result serialised with ``json.dumps`` (bytes returned as
they are), and an exception becomes a function error whose body is Lambda's error object
(errorMessage, errorType, requestId, stackTrace with frames under ``/var/task``).
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import StatesError

# Lambda function names: letters, digits, hyphens and underscores, at most 64 characters.
_VALID = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
DEFAULT_TIMEOUT_MS = 900_000  # Lambda's maximum; a local function has no configured timeout


def valid_function_name(name: str) -> bool:
    return 0 < len(name) <= 64 and all(c in _VALID for c in name)


class LambdaContext:
    """The ``context`` argument of a handler, with the attributes Lambda's runtime provides."""

    def __init__(self, function_name: str, arn: str, request_id: str, deadline_ms: float,
                 version: str = "$LATEST", memory_limit_in_mb: int = 128):
        self.function_name = function_name
        self.function_version = version
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    @property
    def log_stream_name(self) -> str:
        return time.strftime("%Y/%m/%d/[$LATEST]") + self.aws_request_id.replace("-", "")

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


class InvokeResponse:
    """What Lambda's Invoke returns: a status, a body, and ``function_error`` when it failed."""

    __slots__ = ("body", "function_error", "request_id", "status_code")

    def __init__(self, body: bytes, request_id: str, function_error: str | None = None):
        self.body = body
        self.request_id = request_id
        self.function_error = function_error
        self.status_code = 200


class FunctionNotFound(LookupError):
    pass


class LocalLambdas:
    def __init__(self, directory: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None):
        self.directory = os.path.abspath(directory) if directory else None
        self.handlers = dict(handlers or {})
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[Callable[..., Any], str]] = {}

    # -- finding handlers ----------------------------------------------------------------------

    def _source(self, name: str) -> tuple[str, str] | None:
        """(handler file, its code root) for a function name, or None."""
        if not self.directory or not valid_function_name(name):
            return None
        for path, root in ((os.path.join(self.directory, name + ".py"), self.directory),
                           (os.path.join(self.directory, name, "handler.py"),
                            os.path.join(self.directory, name))):
            if os.path.isfile(path):
                return path, root
        return None

    def resolve(self, name: str) -> tuple[Callable[..., Any], str | None]:
        """The handler of ``name`` and the folder that plays /var/task for it."""
        if name in self.handlers:
            return self.handlers[name], None
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            source = self._source(name)
            if source is None:
                raise FunctionNotFound(name)
            path, root = source
            import importlib.util  # only when a handler is loaded: it costs start-up time

            if self.directory not in sys.path:
                sys.path.insert(0, self.directory)
            spec = importlib.util.spec_from_file_location(f"_asl_runner_lambda_{name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            fn = getattr(module, "handler", None)
            if not callable(fn):
                raise StatesError("Runtime.HandlerNotFound",
                                  json.dumps({"errorMessage": f"Handler 'handler' missing on "
                                              f"module '{os.path.basename(path)[:-3]}'",
                                              "errorType": "Runtime.HandlerNotFound",
                                              "stackTrace": []}))
            self._loaded[name] = (fn, root)
            return fn, root

    def searched(self, name: str) -> str:
        if not self.directory:
            return "no lambdas directory was given (use --lambdas DIR)"
        return (f"looked for {os.path.join(self.directory, name + '.py')} and "
                f"{os.path.join(self.directory, name, 'handler.py')}")

    # -- invoking -----------------------------------------------------------------------------

    def invoke(self, name: str, event: Any, *, arn: str, timeout_seconds: float | None = None,
               qualifier: str | None = None) -> InvokeResponse:
        """Run the handler like Lambda's Invoke (RequestResponse) does."""
        fn, root = self.resolve(name)
        request_id = _request_id()
        budget_ms = timeout_seconds * 1000 if timeout_seconds else DEFAULT_TIMEOUT_MS
        context = LambdaContext(name, arn, request_id, time.time() * 1000 + budget_ms,
                                version=qualifier or "$LATEST")
        try:
            result = fn(event, context)
        except Exception as exc:  # the function's error, reported like Lambda's Python runtime
            return InvokeResponse(_error_body(exc, request_id, root), request_id, "Unhandled")
        if isinstance(result, (bytes, bytearray)):
            return InvokeResponse(bytes(result), request_id)
        try:
            body = json.dumps(result).encode("utf-8")
        except (TypeError, ValueError) as exc:
            body = json.dumps({"errorMessage": f"Unable to marshal response: {exc}",
                               "errorType": "Runtime.MarshalError",
                               "requestId": request_id, "stackTrace": []}).encode("utf-8")
            return InvokeResponse(body, request_id, "Unhandled")
        return InvokeResponse(body, request_id)


def _request_id() -> str:
    """A random (version 4) UUID, without the uuid module's per-call overhead."""
    n = _random.getrandbits(128)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[n & 3]}{h[17:20]}-{h[20:]}"


_random = random.Random()  # request ids need uniqueness, not secrecy


def _error_body(exc: BaseException, request_id: str, root: str | None) -> bytes:
    frames = traceback.extract_tb(exc.__traceback__)
    if root is not None:
        # Lambda shows the frames of the function's own code, with paths under /var/task
        prefix = os.path.join(root, "")
        frames = [f for f in frames if f.filename.startswith(prefix)]
        for f in frames:
            f.filename = "/var/task/" + f.filename[len(prefix):]
    else:
        frames = frames[1:]  # drop asl-runner's own call frame
    error = {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }
    return json.dumps(error).encode("utf-8")
