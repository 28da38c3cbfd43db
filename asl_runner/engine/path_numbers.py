"""The number a Map's ``*Path`` field refers to (MaxConcurrencyPath, ToleratedFailure*Path,
MaxItemsPath, MaxItemsPerBatchPath, ...), read as AWS reads it: the path's value may be a
number or its text, an integer may be written ``3.0``, and anything else is States.Runtime in
AWS's words ("The X field refers to value "V" which is not a valid integer: PATH")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError
from ..jsonvalue import dumps
from ..paths import PathNotFound

if TYPE_CHECKING:
    from .frame import Frame


def select(path: Any, doc: Any, frame: Frame) -> Any:
    """What the compiled ``path`` selects; a path that selects nothing is States.Runtime."""
    try:
        return path.select(doc, frame)
    except PathNotFound as exc:
        raise DataFlowError(f"Invalid path '{path.text}' : {exc}") from None


def integer(field: str, value: Any, path_text: str) -> int:
    """``value`` (what ``path_text`` refers to) as the integer the ``field`` wants."""
    number: Any = value
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if type(number) is float and number.is_integer():
        number = int(number)
    if type(number) is not int:
        raise not_a(field, value, "integer", path_text)
    return number


def decimal(field: str, value: Any, path_text: str) -> float:
    """``value`` (what ``path_text`` refers to) as the number (a float) the ``field`` wants."""
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise not_a(field, value, "float", path_text)
    return float(number)


def not_a(field: str, value: Any, kind: str, path_text: str) -> DataFlowError:
    """AWS's error for a value that is not the ``kind`` ('integer', 'float') ``field`` wants."""
    shown = value if isinstance(value, str) else dumps(value)
    return DataFlowError(f"The {field} field refers to value \"{shown}\" which is not a valid "
                         f"{kind}: {path_text}")
