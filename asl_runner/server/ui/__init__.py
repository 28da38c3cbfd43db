"""The web view that ``asl-runner serve`` shows under ``/ui``: state machines, executions, one
execution's graph, events, data flow and timeline, and the inbox of tasks waiting for a person.

Static files (``static/``: one page, one script, one style sheet; no build step, nothing
fetched from elsewhere) and ``web`` (their routes and the endpoints the API lacks); ``tasks``
and ``search`` are those endpoints' reads.
"""

from __future__ import annotations

from .web import UiSettings, WebView

__all__ = ["UiSettings", "WebView"]
