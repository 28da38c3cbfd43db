"""Collecting problems: JSON pointers, wording helpers and the final document order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import Problem
from ..jsonvalue import dumps, type_label
from ..payload import escape_pointer


class Report:
    """The problems found so far, in the order the checks found them, and which rules apply:
    ``local`` accepts what only asl-runner runs (see validate_definition)."""

    __slots__ = ("problems", "local")

    def __init__(self, *, local: bool = False) -> None:
        self.problems: list[Problem] = []
        self.local = local

    def add(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))


def child(pointer: str, token: str | int) -> str:
    """The pointer to member ``token`` of the value at ``pointer``."""
    if type(token) is int:
        return f"{pointer}/{token}"
    return f"{pointer}/{escape_pointer(token)}"


def quote(value: Any) -> str:
    """A value as a message shows it: strings in single quotes, anything else as short JSON."""
    if isinstance(value, str):
        return f"'{value}'"
    try:
        text = dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def a_type(value: Any) -> str:
    """'a string', 'an object', ... for messages such as "must be an integer, not a string"."""
    label = type_label(value)
    if value is None:
        return label
    return f"an {label}" if label[0] in "aeiou" else f"a {label}"


def did_you_mean(word: Any, candidates: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` when a candidate is close to ``word``, else an empty string."""
    if not isinstance(word, str):
        return ""
    import difflib  # only a definition with a problem pays for it

    pool = list(candidates)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        # a difference of case alone scores low for short words ("pass" vs "Pass")
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def listing(names: Iterable[str]) -> str:
    """'A', 'B' or 'C'."""
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


# ----------------------------------------------------------------------------------------------
# document order
# ----------------------------------------------------------------------------------------------

def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _order_key(document: Any, pointer: str) -> tuple:
    """Where ``pointer`` falls in the document: a member's position among its siblings at
    every level. A pointer to a missing member sorts after the members that exist."""
    key: list[tuple[int, str]] = []
    node = document
    for raw in pointer.split("/")[1:] if pointer else ():
        token = _unescape(raw)
        if type(node) is dict:
            if token in node:
                key.append((list(node).index(token), token))
                node = node[token]
            else:
                key.append((len(node), token))
                node = None
        elif type(node) is list and token.isdigit() and int(token) < len(node):
            key.append((int(token), token))
            node = node[int(token)]
        else:
            key.append((1 << 30, token))
            node = None
    return tuple(key)


def in_document_order(document: Any, problems: list[Problem]) -> list[Problem]:
    """Problems sorted by where they point in the document; problems at the same place keep
    the order the checks found them in, which is itself deterministic."""
    return sorted(problems, key=lambda p: _order_key(document, p.pointer))
