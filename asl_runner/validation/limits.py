"""How deeply a definition may nest.

Every check, every compiler and the interpreter walk a definition recursively, a few Python
frames per level, so these limits are also what keeps a hostile definition from reaching
Python's recursion limit (raised to 4 x 1,000 by ``asl_runner.jsonvalue``):

* the JSON of a definition nests at most ``MAX_DEFINITION_DEPTH`` (1,000) levels: AWS does not
  document a limit, and its JSON parser, Jackson, refuses deeper documents by default, as it
  refuses deeper inputs. This bounds everything built from the definition: payload templates,
  Parallel branches in Parallel branches (four levels each), Map processors in Maps;
* choice rules nest at most ``MAX_CHOICE_NESTING`` (100) levels of And, Or and Not. AWS documents
  no limit; real definitions nest a handful of levels, so 100 refuses nothing real while a
  rule hundreds of levels deep gets a clear problem instead of a slow or failed run;
* intrinsic functions nest at most 10 deep in a field, AWS's documented limit
  (``asl_runner.intrinsics.compiler.MAX_NESTING``).
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from ..jsonvalue import MAX_DEPTH, depth_of
from .report import child

MAX_DEFINITION_DEPTH = MAX_DEPTH
MAX_CHOICE_NESTING = 100


def definition_depth_problem(definition: Any) -> Problem | None:
    """A problem if the definition's JSON nests deeper than MAX_DEFINITION_DEPTH, pointing at
    the top-level field it happens in (iterative: it measures what recursive code cannot)."""
    if depth_of(definition) <= MAX_DEFINITION_DEPTH:
        return None
    tokens = _path_to_depth(definition, MAX_DEFINITION_DEPTH + 1)
    # the state's field (or the top-level field) is where a person can look; the full pointer
    # to the thousandth level would be a few kilobytes of '/0/0/0'
    where = tokens[:3] if tokens[:1] == ["States"] else tokens[:1]
    pointer = ""
    for token in where:
        pointer = child(pointer, token)
    return Problem(pointer, f"the definition nests more than {MAX_DEFINITION_DEPTH} levels deep here "
                            "(objects and arrays, including Parallel branches and Map processors); "
                            "AWS's JSON parser refuses deeper documents")


def _path_to_depth(value: Any, level: int) -> list[str | int]:
    """The tokens leading to the first container at ``level`` (the root is level 1)."""
    stack: list[tuple[Any, int, Any]] = [(value, 1, None)]
    while stack:
        node, depth, path = stack.pop()
        if depth == level:
            tokens: list[str | int] = []
            while path is not None:
                path, token = path
                tokens.append(token)
            return tokens[::-1]
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for token, item in reversed(list(items)):
            if isinstance(item, (dict, list)):
                stack.append((item, depth + 1, (path, token)))
    return []
