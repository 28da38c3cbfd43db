"""What an integration declares: the resources it serves, the patterns it supports, its
load-time check, and how it performs a call.

Every integration module (``lambda_task``, ``aws_sdk``, ...) exposes ``INTEGRATIONS``, a
tuple of :class:`Integration`. The registry finds the one that serves a Task's resource;
validation asks it about the resource at load time; the runner and the durable host hand it
the invocation, plain data, with the :class:`Environment` it may need. Nothing else knows
about services: adding one is adding a module and a line in the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..engine.effects import Invocation
    from ..model.resource import Resource
    from .aws import AwsTarget
    from .lambda_local import LocalLambdas


class Environment(Protocol):
    """What a call may use: local handlers, where AWS calls go, asl-runner's own API."""

    lambdas: LocalLambdas
    region: str
    account: str

    @property
    def aws(self) -> AwsTarget: ...

    #: Step Functions' API (``(operation, body) -> response``) when there is one (serve)
    states_api: Callable[[str, dict], dict] | None
    #: under ``run``: the state machines a task may start, by name, the clock their
    #: executions share, and the executions started so far
    machines: Mapping[str, Any]
    clock: Any
    children: list
    #: under ``run``: its executions, which task-token answers reach (a RunApi), or None
    runs: Any


class Watcher(Protocol):
    """What the durable host offers a ``watch``: when the execution ``child`` ends, the
    outcome ``outcome_for(row)`` (its store row) is delivered to the execution ``waiting``."""

    def when_finished(self, child: str, waiting: str, outcome_for: Callable[[dict], Any]) -> None: ...


class Integration:
    """One integration's declaration.

    ``serves(resource)`` says whether it handles a resource; ``patterns`` are the
    integration patterns it supports (``catalog.REQUEST_RESPONSE``, None, and the others;
    not imported here: every run imports this module, and the catalog only validation
    and the integrations need); ``check(resource)`` returns why CreateStateMachine
    would refuse the resource (None: it would not), beyond the pattern; ``perform(invocation,
    env)`` makes the call and returns its result (or an ``engine.effects.Completed``), or
    raises ``StatesError`` with the error and cause AWS would report. ``permissions(scope)``
    returns the IAM grants (``iam.Grant``) the state machine's role needs for a task of this
    integration (``iam.Scope``: its resource and arguments as written); None: not declared.
    """

    __slots__ = ("name", "serves", "patterns", "check", "perform", "watch", "permissions")

    def __init__(self, name: str, *, serves: Callable[[Resource], bool],
                 perform: Callable[[Invocation, Environment], Any],
                 patterns: tuple[str | None, ...] = (None,),
                 check: Callable[[Resource], str | None] | None = None,
                 watch: Callable[[Invocation, Any, Watcher], None] | None = None,
                 permissions: Callable[[Any], list] | None = None):
        self.name = name
        self.serves = serves
        self.patterns = frozenset(patterns)
        self.check = check
        self.perform = perform
        #: for a task whose call only submitted the work (``.sync``): called by the durable
        #: host, on its engine thread, once the submission is recorded and again after a
        #: restart, with the call's result, to arrange for the task's outcome
        self.watch = watch
        self.permissions = permissions

    def __repr__(self) -> str:
        return f"<Integration {self.name}>"


Catalog = Mapping[str, tuple[Integration, ...]]
