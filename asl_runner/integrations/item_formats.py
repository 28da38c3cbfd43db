"""How a Distributed Map's ItemReader turns the bytes of an S3 object into items: a JSON
array, JSON Lines, or a CSV file (``ReaderConfig`` InputType JSON, JSONL, CSV).

Plain functions over an iterable of byte chunks, so they know nothing of S3 and read line by
line where the format allows: a ``MaxItems`` limit stops the reading of a CSV or JSON Lines
object early. A JSON array has to be read whole.

What AWS does, from its recorded executions (conformance cases
``services/TestBaseScenarios_test_map_item_reader_*``) and its ItemReader documentation:

- every CSV value is a string, kept as written (``true``, ``1``, ``   ``);
- with ``CSVHeaderLocation`` FIRST_ROW the first row names the fields and is not an item;
  with GIVEN, ``CSVHeaders`` names them and the first row is an item;
- a row with fewer values than headers gets ``""`` for the missing ones; values beyond the
  headers are dropped;
- ``MaxItems`` counts items, never the header row; 0 means no limit;
- ``ItemsPointer`` (JSON) is a JSON pointer to the array inside the object.

Where AWS's behaviour is not recorded, asl-runner chooses (and says so in the README): a
blank line of a CSV or JSON Lines object is no item; duplicate CSV headers fail the read.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import StatesError
from ..jsonvalue import JsonInputError, loads

ITEM_READER_FAILED = "States.ItemReaderFailed"
INPUT_TYPES = ("CSV", "JSON", "JSONL")
#: the values of ReaderConfig's CSVDelimiter (AWS's documentation), COMMA by default
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def failed(cause: str) -> StatesError:
    """The read failed: the Map Run fails with States.ItemReaderFailed."""
    return StatesError(ITEM_READER_FAILED, cause)


def read_items(chunks: Iterable[bytes], config: dict, max_items: int = 0) -> list:
    """The items of one object, by ``config`` (ReaderConfig); at most ``max_items`` (0: all)."""
    input_type = config.get("InputType")
    if input_type == "JSON":
        items = _json_array(chunks, config.get("ItemsPointer"))
        return items[:max_items] if max_items else items
    if input_type == "JSONL":
        return _take(_json_lines(chunks), max_items)
    if input_type == "CSV":
        try:
            return _take(_csv_rows(chunks, config), max_items)
        except csv.Error as exc:
            raise failed(f"The object is not a valid CSV file: {exc}") from None
    raise failed(f"asl-runner cannot read items of the InputType {input_type!r} yet "
                 f"(it reads {', '.join(INPUT_TYPES)})")


def _take(items: Iterator, max_items: int) -> list:
    out = []
    for item in items:
        out.append(item)
        if len(out) == max_items:
            break
    return out


def _pointed(value: Any, pointer: Any) -> Any:
    """The value at ``pointer`` (RFC 6901, ReaderConfig's ItemsPointer) in the document."""
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise failed(f"ItemsPointer must be a JSON pointer (/a/0), not {pointer!r}")
    for token in pointer.split("/")[1:] if pointer else ():
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise failed(f"ItemsPointer {pointer} matches nothing in the object")
    return value


def _json_array(chunks: Iterable[bytes], pointer: Any = None) -> list:
    try:
        value = loads(b"".join(chunks))
    except JsonInputError as exc:
        raise failed(f"The object is not valid JSON: {exc}") from None
    if pointer is not None:
        value = _pointed(value, pointer)
    if not isinstance(value, list):
        # AWS's words are not recorded; LocalStack (which mirrors AWS's snapshots) says this
        raise failed("Attempting to map over non-iterable node.")
    return value


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The object's text, line by line, each with its line ending (csv needs them to read a
    quoted value that spans lines)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    try:
        for chunk in chunks:
            pending += decoder.decode(chunk)
            lines = pending.splitlines(keepends=True)
            # the last piece may be the first half of a line: keep it for the next chunk
            pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
            yield from lines
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise failed(f"The object is not UTF-8 text: {exc.reason}") from None
    if pending:
        yield pending


def _json_lines(chunks: Iterable[bytes]) -> Iterator[Any]:
    for number, line in enumerate(_lines(chunks), 1):
        if not line.strip():
            continue
        try:
            yield loads(line)
        except JsonInputError as exc:
            raise failed(f"Line {number} of the object is not valid JSON: {exc}") from None


def _csv_rows(chunks: Iterable[bytes], config: dict) -> Iterator[dict]:
    delimiter = DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")
    rows = (row for row in csv.reader(_lines(chunks), delimiter=delimiter, strict=False) if row)
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = list(config.get("CSVHeaders") or ())
        if not headers:  # AWS's words for this are not recorded
            raise failed("CSVHeaders must name the columns when CSVHeaderLocation is GIVEN")
    else:
        headers = next(rows, None)
        if headers is None:
            return
    if len(set(headers)) < len(headers):
        raise failed("CSV headers cannot contain duplicates.")
    width = len(headers)
    for row in rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield dict(zip(headers, row, strict=False))
