"""The Step Functions-compatible HTTP API: the AWS JSON 1.0 protocol over the service.

    from asl_runner.service import open_service
    from asl_runner.server import serve
    serve(open_service("asl-runner.db"), port=8083)   # until SIGINT/SIGTERM

Modules: ``protocol`` (targets, bodies, AWS's error envelope), ``app`` (the ASGI application),
``threads`` (the pools its blocking calls run on), ``serving`` (uvicorn), ``ui`` (the web view
under ``/ui``, in front of the app), ``client`` (a minimal urllib client for the command line). ``protocol`` and ``client`` do not import the engine, so
the names below are loaded on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["StepFunctionsApp", "serve", "listen"]


def __getattr__(name: str) -> Any:
    if name == "StepFunctionsApp":
        from .app import StepFunctionsApp

        return StepFunctionsApp
    if name in ("serve", "listen"):
        from . import serving

        return getattr(serving, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
