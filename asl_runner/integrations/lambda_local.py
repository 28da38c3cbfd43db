"""Local Lambda functions: Python handlers that behave like deployed Lambda functions.

A function named NAME is, in this order: a callable passed in ``handlers``; a function of a
template (``functions``: its code folder and Handler setting, see asl_runner.templates); ``DIR/NAME.py``;
``DIR/NAME/handler.py`` (a function folder, like a deployment package whose handler setting
is ``handler.handler``). Either file must define ``handler(event, context)``. The directory,
and a function's own folder, are put on ``sys.path``, as ``/var/task`` is on Lambda, so
handlers can import helper modules next to them. A definition can only name functions in that directory
or mapping: names are checked against Lambda's naming rules, so no path traversal and no
importing arbitrary modules.

:meth:`LocalLambdas.invoke` behaves like Lambda's Invoke API for the Python runtime (AWS's
runtime interface client, awslambdaric, on python3.12 and later), failures included:

- the response body is the result as the runtime serialises it (``bytes`` as they are);
  like the runtime it writes NaN and Infinity, which Step Functions then refuses;
- an exception becomes a function error whose body is Lambda's error object (errorMessage,
  errorType, requestId, stackTrace with frames under ``/var/task``);
- a module that does not load reports Runtime.UserCodeSyntaxError,
  Runtime.ImportModuleError, Runtime.HandlerNotFound, or the exception it raised, with the
  empty requestId of an error the runtime posts before any invocation; it is not kept, so
  the next invocation tries again (fixing the file is enough under ``serve``);
- a handler that ends the runtime process (``sys.exit()``, another BaseException) gets
  Lambda's Runtime.ExitError, and the next invocation loads the module afresh, as in a new
  sandbox;
- a result the runtime cannot serialise is Runtime.MarshalError.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..names import random_uuid

# Lambda function names: letters, digits, hyphens and underscores, at most 64 characters.
_VALID = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
DEFAULT_TIMEOUT_MS = 900_000  # Lambda's maximum; a local function has no configured timeout
#: where Lambda puts a function's code, as its stack traces and messages show it
TASK_ROOT = "/var/task/"


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


class _InitFailed(Exception):
    """The function's module did not load: ``error`` is the error object the runtime posts,
    or ``exited`` the exception that ended the runtime process while it loaded."""

    def __init__(self, error: dict | None = None, exited: BaseException | None = None):
        super().__init__(error)
        self.error = error
        self.exited = exited


class LocalLambdas:
    def __init__(self, directory: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None,
                 functions: Mapping[str, Any] | None = None):
        self.directory = os.path.abspath(directory) if directory else None
        self.handlers = dict(handlers or {})
        #: a template's functions (asl_runner.templates.LocalFunction) by function name
        self.functions = dict(functions or {})
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[Callable[..., Any], str]] = {}

    # -- finding handlers ----------------------------------------------------------------------

    def source(self, name: str) -> tuple[str, str] | None:
        """(handler file, its code root) for a function name, or None."""
        entry = self._entry(name)
        return None if entry is None else entry[:2]

    def _entry(self, name: str) -> tuple[str, str, str, str] | None:
        """(handler file, its code root, module name, handler function) for a function name,
        or None."""
        function = self.functions.get(name)
        if function is not None and function.unavailable is None:
            from ..templates.functions import handler_file

            path, module, attribute = handler_file(function)
            if os.path.isfile(path):
                return path, function.code_dir, module, attribute
        # a template's function that cannot run here may have a stand-in in the directory
        if not self.directory or not valid_function_name(name):
            return None
        for path, root in ((os.path.join(self.directory, name + ".py"), self.directory),
                           (os.path.join(self.directory, name, "handler.py"),
                            os.path.join(self.directory, name))):
            if os.path.isfile(path):
                return path, root, os.path.splitext(os.path.basename(path))[0], "handler"
        return None

    def _function(self, name: str) -> tuple[Callable[..., Any], str | None]:
        """The handler of ``name`` and the folder that plays /var/task for it."""
        if name in self.handlers:
            return self.handlers[name], None
        with self._lock:
            loaded = self._loaded.get(name)
            if loaded is None:
                source = self._entry(name)
                if source is None:
                    raise FunctionNotFound(name)
                path, root, module, attribute = source
                for folder in (self.directory, root):  # the function's own folder comes first
                    if folder and folder not in sys.path:
                        sys.path.insert(0, folder)
                # only a module that loaded is kept: after a failure, the next call tries again
                loaded = self._loaded[name] = (_load(name, path, root, module, attribute), root)
            return loaded

    def _forget(self, name: str) -> None:
        with self._lock:
            self._loaded.pop(name, None)

    def searched(self, name: str) -> str:
        template = ""
        function = self.functions.get(name)
        if function is not None:
            from ..templates.functions import handler_file

            template = (f"the template's {function.logical_id} cannot run here: {function.unavailable}; "
                        if function.unavailable is not None else
                        f"looked for {handler_file(function)[0]} (the Handler {function.handler} of "
                        f"{function.logical_id} in the template); ")
        if not self.directory:
            return template + "no lambdas directory was given (use --lambdas DIR)"
        return (f"{template}looked for {os.path.join(self.directory, name + '.py')} and "
                f"{os.path.join(self.directory, name, 'handler.py')}")

    # -- invoking -----------------------------------------------------------------------------

    def invoke(self, name: str, event: Any, *, arn: str, timeout_seconds: float | None = None,
               qualifier: str | None = None) -> InvokeResponse:
        """Run the handler like Lambda's Invoke (RequestResponse) does."""
        request_id = random_uuid()
        try:
            fn, root = self._function(name)
        except _InitFailed as failed:
            body = (_exit_error(failed.exited, request_id) if failed.exited is not None
                    else _encode(failed.error))
            return InvokeResponse(body, request_id, "Unhandled")
        budget_ms = timeout_seconds * 1000 if timeout_seconds else DEFAULT_TIMEOUT_MS
        context = LambdaContext(name, arn, request_id, time.time() * 1000 + budget_ms,
                                version=qualifier or "$LATEST")
        try:
            result = fn(event, context)
        except Exception as exc:  # the function's error, reported like Lambda's Python runtime
            return InvokeResponse(_encode(_exception_error(exc, request_id, root)), request_id,
                                  "Unhandled")
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            self._forget(name)  # the runtime process is gone: the next call starts afresh
            return InvokeResponse(_exit_error(exc, request_id), request_id, "Unhandled")
        return _marshal(result, request_id)


# -- loading a handler module, and how the runtime reports it when that fails ------------------

def _load(name: str, path: str, root: str, module_name: str, attribute: str) -> Callable[..., Any]:
    """Load ``attribute`` from ``path`` (the module ``module_name`` of the handler setting) as
    the runtime's import of the handler module does; raise :class:`_InitFailed` with what the
    runtime reports when it cannot."""
    import importlib.util  # only when a handler is loaded: it costs start-up time

    key = f"_asl_runner_lambda_{name}"
    spec = importlib.util.spec_from_file_location(key, path)
    module = importlib.util.module_from_spec(spec)
    # registered while it runs, as any import is (dataclasses, pickling, typing look it up)
    sys.modules[key] = module
    try:
        spec.loader.exec_module(module)
        if not hasattr(module, attribute):  # the runtime only looks it up: calling comes later
            raise _InitFailed(_error(f"Handler '{attribute}' missing on module '{module_name}'",
                                     "Runtime.HandlerNotFound"))
    except BaseException as exc:
        sys.modules.pop(key, None)
        if isinstance(exc, _InitFailed) or _is_interrupt(exc):
            raise
        raise _load_failure(exc, module_name, root) from None
    return getattr(module, attribute)


def _load_failure(exc: BaseException, module_name: str, root: str) -> _InitFailed:
    """What the runtime reports for a module that raised ``exc`` while it was imported."""
    if isinstance(exc, ImportError):
        return _InitFailed(_error(
            f"Unable to import module '{module_name}': {_in_task(str(exc), root)}",
            "Runtime.ImportModuleError"))
    if isinstance(exc, SyntaxError):
        where = _in_task(exc.filename or "", root)
        trace = [f'  File "{where}" Line {exc.lineno}\n    {exc.text}']  # the runtime's format
        return _InitFailed(_error(f"Syntax error in module '{module_name}': {exc}",
                                  "Runtime.UserCodeSyntaxError", trace=trace))
    if isinstance(exc, Exception):
        # AWS's trace also starts with its runtime's importlib frames; only the
        # function's own frames are shown here, as for an error while it runs
        return _InitFailed(_error(str(exc), type(exc).__name__, trace=_task_frames(exc, root)))
    return _InitFailed(exited=exc)  # sys.exit() and the like end the runtime process


def _in_task(text: str, root: str) -> str:
    """``text`` with the function's folder written as Lambda's /var/task."""
    return text.replace(os.path.join(root, ""), TASK_ROOT)


def _is_interrupt(exc: BaseException) -> bool:
    # Only the main thread receives SIGINT: a KeyboardInterrupt there is the user's Ctrl-C,
    # which must stop asl-runner, not become the function's error. On a worker thread the
    # handler raised it itself.
    return isinstance(exc, KeyboardInterrupt) and threading.current_thread() is threading.main_thread()


# -- the error objects ---------------------------------------------------------------------------

def _error(message: str, error_type: str, request_id: str = "",
           trace: list[str] | None = None) -> dict:
    """Lambda's error object, keys in the runtime's order (an error while the module loads
    is posted before any invocation, with an empty requestId)."""
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id,
            "stackTrace": trace or []}


def _exception_error(exc: BaseException, request_id: str, root: str | None) -> dict:
    import traceback  # only for a failure: ~2 ms of every start otherwise

    if root is None:
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])  # not ours
    else:
        frames = _task_frames(exc, root)
    return _error(str(exc), type(exc).__name__, request_id, frames)


def _task_frames(exc: BaseException, root: str) -> list[str]:
    """The frames of the function's own code, with paths under /var/task, as Lambda shows."""
    import traceback

    prefix = os.path.join(root, "")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(prefix)]
    for f in frames:
        f.filename = TASK_ROOT + f.filename[len(prefix):]
    return traceback.format_list(frames)


def _exit_error(exc: BaseException, request_id: str) -> bytes:
    """What Lambda itself reports when the runtime process ends during an invocation: its
    error object (keys in this order, compact JSON) and the process's termination in the
    words of Go's exec.ExitError, as Lambda's runtime API server writes them."""
    if isinstance(exc, SystemExit):
        code = exc.code
        # sys.exit(None) is status 0; an int is the status (mod 256); anything else is
        # printed to stderr and the status is 1, as the interpreter does
        status = 0 if code is None else code & 0xFF if isinstance(code, int) else 1
        termination = f"exit status {status}" if status else None
    elif isinstance(exc, KeyboardInterrupt):
        termination = "signal: interrupt"  # the interpreter ends itself with SIGINT
    else:
        termination = "exit status 1"  # an uncaught BaseException: traceback, status 1
    reason = (f"Runtime exited with error: {termination}" if termination
              else "Runtime exited without providing a reason")
    return json.dumps({"errorType": "Runtime.ExitError",
                       "errorMessage": f"RequestId: {request_id} Error: {reason}"},
                      separators=(",", ":")).encode("utf-8")


# -- serialising results as the runtime does -----------------------------------------------------

def _number(value: Any) -> Any:
    # the runtime writes a Decimal (as boto3's DynamoDB gives them) as a JSON number; only a
    # value json cannot write comes here, so decimal is imported only then
    from decimal import Decimal

    if isinstance(value, Decimal):
        if value.is_nan():
            return math.nan
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# awslambdaric's encoder on the python3.12+ runtimes: text as UTF-8 (no \u escapes), NaN and
# Infinity written out (not JSON: Step Functions refuses them when it reads the response)
_runtime_json = json.JSONEncoder(ensure_ascii=False, allow_nan=True, default=_number)


def _encode(error: dict) -> bytes:
    return _runtime_json.encode(error).encode("utf-8", "replace")


def _marshal(result: Any, request_id: str) -> InvokeResponse:
    if isinstance(result, bytes):
        return InvokeResponse(result, request_id)
    try:
        body = _runtime_json.encode(result).encode("utf-8")
    except Exception as exc:  # the runtime catches anything here (recursion depth included)
        error = _error(f"Unable to marshal response: {exc}", "Runtime.MarshalError", request_id)
        return InvokeResponse(_encode(error), request_id, "Unhandled")
    return InvokeResponse(body, request_id)
