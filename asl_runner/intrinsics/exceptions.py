"""The errors intrinsic functions raise: one at load time, two while running."""

from __future__ import annotations

from typing import Any

from ..errors import DataFlowError
from ..jsonvalue import dumps


class IntrinsicSyntaxError(ValueError):
    """The text is not an intrinsic call Step Functions would run: bad syntax, an unknown
    function, the wrong number of arguments, or a literal argument that can never work.

    ``column`` is 1-based; the message ends with the text and a caret under the culprit.
    """

    def __init__(self, message: str, text: str, column: int):
        self.reason = message
        self.text = text
        self.column = column
        super().__init__(f"{message} at column {column}:\n{_caret_line(text, column)}")


#: how much of a long line the caret line shows on each side of the column
_CONTEXT = 60


def _caret_line(text: str, column: int) -> str:
    # Show the line holding the column (intrinsic strings may contain raw newlines), cut to a
    # window around it: a call can be a megabyte long.
    start = text.rfind("\n", 0, column - 1) + 1
    end = text.find("\n", column - 1)
    if end < 0:
        end = len(text)
    left = max(start, column - 1 - _CONTEXT)
    right = min(end, column - 1 + _CONTEXT)
    prefix = "..." if left > start else ""
    suffix = "..." if right < end else ""
    return f"{prefix}{text[left:right]}{suffix}\n{' ' * (len(prefix) + column - 1 - left)}^"


class IntrinsicArgumentError(DataFlowError):
    """A function got a value it cannot use (wrong type, out of range, invalid JSON, ...).

    AWS reports every such failure as States.Runtime with the cause "Invalid arguments in
    States.Xxx" and no further detail, so ``detail`` is exactly that; ``reason`` says what was
    wrong, for people reading Python tracebacks and logs.
    """

    def __init__(self, function: str, reason: str):
        self.function = function
        self.reason = reason
        super().__init__(f"Invalid arguments in {function}")


class IntrinsicPathNotFound(DataFlowError):
    """A path argument selected nothing.

    AWS words it like a missing Parameters path: "The JSONPath '$.x' specified for the field
    'name.$' could not be found in the input '{...}'". The call does not know the field it
    sits in, so the default detail leaves it out; whoever knows the field builds the full
    wording with :meth:`for_field`.
    """

    def __init__(self, path: str, doc: Any):
        self.path = path
        self.doc = doc
        super().__init__(f"The JSONPath '{path}' could not be found in the input '{dumps(doc)}'")

    def for_field(self, field: str) -> DataFlowError:
        return DataFlowError(
            f"The JSONPath '{self.path}' specified for the field '{field}' could not be found "
            f"in the input '{dumps(self.doc)}'"
        )
