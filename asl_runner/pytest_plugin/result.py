"""What a test sees of a run: :class:`Run`, its states' visits, and assertions that say
what happened when they fail (see ``explain``)."""

from __future__ import annotations

from typing import Any

from .explain import explain_path, explain_run
from .visits import Scope, Visit, read_visits


class StatePath(list):
    """State names in the order they were entered: a list, which ``assert path == [...]``
    explains through the plugin's ``pytest_assertrepr_compare``."""

    def __init__(self, names: list[str], run: Run) -> None:
        super().__init__(names)
        self.run = run

    def explain(self, expected: Any) -> list[str]:
        return explain_path(self.run, list(self), list(expected))


class Visits(list):
    """Every entry of one state (at any depth, in the order entered). ``input``, ``output``,
    ``error`` and ``cause`` read the only entry, and refuse to guess when there are more:
    pick one by index, or with ``iteration(i)`` / ``branch(i)``."""

    def __init__(self, name: str, visits: list[Visit]) -> None:
        super().__init__(visits)
        self.name = name

    def _one(self) -> Visit:
        if len(self) != 1:
            raise AssertionError(f"'{self.name}' was entered {len(self)} times: pick one "
                                 f"([0], [-1], .iteration(i), .branch(i))")
        return self[0]

    input = property(lambda self: self._one().input)
    output = property(lambda self: self._one().output)
    error = property(lambda self: self._one().error)
    cause = property(lambda self: self._one().cause)
    retries = property(lambda self: self._one().retries)

    def iteration(self, index: int) -> Visit:
        return Visits(self.name, [v for v in self if v.iteration == index])._one()

    def branch(self, index: int) -> Visit:
        return Visits(self.name, [v for v in self if v.branch == index])._one()


class States:
    """``states["Name"]``: the Visits of the state ``Name`` (KeyError, naming the states
    entered, for one that never was)."""

    def __init__(self, visits: list[Visit]) -> None:
        self._visits = visits

    def __getitem__(self, name: str) -> Visits:
        found = [v for v in self._visits if v.name == name]
        if not found:
            entered = sorted({v.name for v in self._visits})
            raise KeyError(f"'{name}' was never entered (entered: {', '.join(entered) or 'none'})")
        return Visits(name, found)

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self._visits)

    def __iter__(self):
        return iter(dict.fromkeys(v.name for v in self._visits))


class _Scoped:
    """What a run and each of its Map iterations and Parallel branches offer alike."""

    def __init__(self, run: Run, scope: Scope) -> None:
        self._run = run
        self._scope = scope
        n = len(scope)
        self._inside = [v for v in run.visits if v.scope[:n] == scope]

    @property
    def path(self) -> StatePath:
        """The states entered at this level (not inside Maps and Parallels), in order."""
        depth = len(self._scope)
        return StatePath([v.name for v in self._inside if len(v.scope) == depth], self._run)

    @property
    def states(self) -> States:
        return States(self._inside)

    def retries(self, name: str) -> int:
        """How many times the task ``name`` was tried again, over all its entries here."""
        return sum(v.retries for v in self.states[name])

    def iteration(self, map_state: str, index: int) -> _Scoped:
        """The Map ``map_state``'s iteration ``index`` (its first entry's, here)."""
        return self._inner("Map", map_state, index)

    def branch(self, parallel_state: str, index: int) -> _Scoped:
        """The Parallel ``parallel_state``'s branch ``index`` (zero-based, as in Branches)."""
        return self._inner("Parallel", parallel_state, index)

    def _inner(self, kind: str, name: str, index: int) -> _Scoped:
        step = (kind, name, index)
        depth = len(self._scope)
        if not any(len(v.scope) > depth and v.scope[depth] == step for v in self._inside):
            raise KeyError(f"no {kind} '{name}' ran {'iteration' if kind == 'Map' else 'branch'} "
                           f"{index} here")
        return _Scoped(self._run, (*self._scope, step))


class Run(_Scoped):
    """One execution, finished (or ``RUNNING``: waiting for an answer nothing will give)."""

    def __init__(self, execution: Any, *, stuck: bool = False) -> None:
        self.execution = execution
        self.stuck = stuck
        self.visits: list[Visit] = read_visits(execution.history)
        super().__init__(self, ())

    status = property(lambda self: self.execution.status)
    output = property(lambda self: self.execution.output)
    error = property(lambda self: self.execution.error)
    cause = property(lambda self: self.execution.cause)

    @property
    def variables(self) -> dict:
        """The execution's variables at its end (the top level's; a Map's or Parallel's
        states assign only their own)."""
        final: dict = {}
        for visit in self.visits:
            if not visit.scope:
                final.update(visit.assigned)
        return final

    @property
    def history(self) -> list[dict]:
        """The history as GetExecutionHistory returns it."""
        return [e.to_aws() for e in self.execution.history]

    # -- assertions ---------------------------------------------------------------------------

    def assert_succeeded(self, output: Any = ...) -> Run:
        if self.status != "SUCCEEDED" or (output is not ... and self.output != output):
            what = "succeed" if output is ... else f"succeed with the output {output!r}"
            raise AssertionError(explain_run(self, f"expected the execution to {what}"))
        return self

    def assert_failed(self, error: str | None = None, cause: str | None = None) -> Run:
        if (self.status != "FAILED" or (error is not None and self.error != error)
                or (cause is not None and self.cause != cause)):
            wanted = " with ".join(filter(None, ["fail", error and f"error {error!r}",
                                                 cause and f"cause {cause!r}"]))
            raise AssertionError(explain_run(self, f"expected the execution to {wanted}"))
        return self

    def assert_path(self, *names: str) -> Run:
        if list(self.path) != list(names):
            raise AssertionError("\n".join(explain_path(self, list(self.path), list(names))))
        return self

    def assert_visited(self, *names: str) -> Run:
        missing = [n for n in names if n not in self.states]
        if missing:
            raise AssertionError(explain_run(self, f"expected {', '.join(map(repr, missing))} "
                                                   "to be entered"))
        return self

    def assert_not_visited(self, *names: str) -> Run:
        entered = [n for n in names if n in self.states]
        if entered:
            raise AssertionError(explain_run(self, f"expected {', '.join(map(repr, entered))} "
                                                   "not to be entered"))
        return self

    def __repr__(self) -> str:
        return f"<Run {self.status} path={list(self.path)}>"

