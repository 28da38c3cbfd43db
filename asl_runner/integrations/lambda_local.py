"""Local Lambda handlers: ``DIR/NAME.py`` exposing ``handler(event, context)``, or callables."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import StatesError

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")


class LocalLambdas:
    def __init__(self, directory: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None):
        self.directory = directory
        self.handlers = dict(handlers or {})
        self._lock = threading.Lock()
        self._loaded: dict[str, Callable[..., Any]] = {}

    def resolve(self, name: str) -> Callable[..., Any] | None:
        if name in self.handlers:
            return self.handlers[name]
        if not self.directory or not _NAME.match(name):
            return None
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            path = os.path.join(self.directory, name + ".py")
            if not os.path.isfile(path):
                return None
            spec = importlib.util.spec_from_file_location(f"asl_runner_lambda_{name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            fn = getattr(module, "handler", None)
            self._loaded[name] = fn
            return fn

    def _call(self, name: str, event: Any) -> Any:
        fn = self.resolve(name)
        if fn is None:
            raise StatesError("Lambda.ResourceNotFoundException",
                              f"Function not found: {name} (searched {self.directory!r})")
        try:
            result = fn(event, None)
        except Exception as exc:
            raise StatesError(type(exc).__name__, json.dumps(
                {"errorMessage": str(exc), "errorType": type(exc).__name__})) from None
        return json.loads(json.dumps(result))

    def invoke_function(self, invocation: Any) -> Any:
        return self._call(invocation.resource.function_name, invocation.payload)

    def invoke_service(self, invocation: Any) -> Any:
        params = invocation.payload or {}
        name = str(params.get("FunctionName", "")).split(":")[-1]
        payload = self._call(name, params.get("Payload"))
        return {"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}
