"""How a Distributed Map's ItemReader turns the bytes of an S3 object into items: a JSON
array, JSON Lines, or a CSV file (``ReaderConfig`` InputType JSON, JSONL, CSV), one page at a
time.

A page is read from a byte offset of the object (``open_at(offset)`` yields its bytes from
there: an S3 ranged GET) and ends after ``page_items`` items or about ``page_bytes`` bytes, so
no page holds more than that whatever the object's size. Its cursor says where the next page
starts (plain JSON: it is recorded with the execution, and a restart reads on from it).

What AWS does, from its recorded executions (conformance cases
``services/TestBaseScenarios_test_map_item_reader_*``) and its ItemReader documentation:

- every CSV value is a string, kept as written (``true``, ``1``, ``   ``);
- with ``CSVHeaderLocation`` FIRST_ROW the first row names the fields and is not an item;
  with GIVEN, ``CSVHeaders`` names them and the first row is an item; a header row is at
  most 10 KiB (documented);
- a row with fewer values than headers gets ``""`` for the missing ones; values beyond the
  headers are dropped;
- ``MaxItems`` counts items, never the header row; 0 means no limit;
- ``ItemsPointer`` (JSON) is a JSON pointer to the array inside the object.

Where AWS's behaviour is not recorded, asl-runner chooses (and says so in the README): a
blank line of a CSV or JSON Lines object is no item; duplicate CSV headers fail the read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import StatesError
from ..jsonvalue import JsonInputError, loads

ITEM_READER_FAILED = "States.ItemReaderFailed"
INPUT_TYPES = ("CSV", "JSON", "JSONL")
#: the values of ReaderConfig's CSVDelimiter (AWS's documentation), COMMA by default
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
#: AWS's documented limit on a CSV header row
MAX_HEADER_BYTES = 10 * 1024
_BOM = b"\xef\xbb\xbf"
_EOL = re.compile(rb"\r\n|\r|\n")

#: yields the object's bytes from an offset on
Opener = Callable[[int], Iterable[bytes]]


def failed(cause: str) -> StatesError:
    """The read failed: the Map Run fails with States.ItemReaderFailed."""
    return StatesError(ITEM_READER_FAILED, cause)


class Limits:
    """How much one page may hold, and how many items the whole read may still take."""

    __slots__ = ("items", "bytes", "remaining")

    def __init__(self, items: int, size: int, remaining: int = 0):
        self.items = items
        self.bytes = size
        #: MaxItems less what earlier pages read (0: no limit)
        self.remaining = remaining

    @property
    def most(self) -> int:
        return min(self.items, self.remaining) if self.remaining else self.items


def read_page(open_at: Opener, config: dict, cursor: dict | None,
              limits: Limits) -> tuple[list, dict | None]:
    """One page of the object's items from ``cursor`` (None: the start) by ``config``
    (ReaderConfig); returns the items and the next page's cursor (None: no more)."""
    input_type = config.get("InputType")
    cursor = dict(cursor or {"offset": 0})
    if input_type == "JSON":
        return _json_page(open_at, config.get("ItemsPointer"), cursor, limits)
    if input_type == "JSONL":
        return _line_page(open_at, cursor, limits, _json_lines)
    if input_type == "CSV":
        return csv_page(open_at, config, cursor, limits)
    if input_type is None:  # AWS's words are not recorded
        raise failed("An ItemReader with s3:getObject needs ReaderConfig's InputType (CSV, "
                     "JSON, JSONL, MANIFEST or PARQUET)")
    raise failed(f"asl-runner cannot read items of the InputType {input_type!r} "
                 f"(it reads {', '.join(INPUT_TYPES)}, MANIFEST and PARQUET)")


# -- lines (CSV, JSON Lines) ------------------------------------------------------------------


class Lines:
    """The object's text line by line from a byte offset, each line with its ending (csv
    needs them to read a quoted value that spans lines); ``offset`` is the byte offset after
    the last line handed out, where the next page starts."""

    def __init__(self, chunks: Iterable[bytes], offset: int):
        self._chunks = iter(chunks)
        self.offset = offset
        self._pending = b""
        self._lines: list[bytes] = []
        self._first = offset == 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while not self._lines:
            chunk = next(self._chunks, None)
            if chunk is None:
                if not self._pending:
                    raise StopIteration
                self._lines, self._pending = [self._pending], b""
                break
            data = self._pending + chunk
            if b"\r" in data:  # \r alone ends a line too (as str.splitlines has it)
                lines, start = [], 0
                for end in _EOL.finditer(data):
                    if end.end() == len(data) and end.group() == b"\r":
                        break  # its \n may start the next chunk
                    lines.append(data[start:end.end()])
                    start = end.end()
                self._pending = data[start:]
            else:
                lines = data.split(b"\n")
                self._pending = lines.pop()
                lines = [line + b"\n" for line in lines]
            lines.reverse()
            self._lines = lines
        line = self._lines.pop()
        self.offset += len(line)
        if self._first:
            self._first = False
            line = line.removeprefix(_BOM)
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise failed(f"The object is not UTF-8 text: {exc.reason}") from None


def _line_page(open_at: Opener, cursor: dict, limits: Limits,
               parse: Callable[[Lines, dict], Iterator[Any]]) -> tuple[list, dict | None]:
    lines = Lines(open_at(cursor["offset"]), cursor["offset"])
    items: list = []
    start = lines.offset
    for item in parse(lines, cursor):
        items.append(item)
        if len(items) >= limits.most or lines.offset - start >= limits.bytes:
            return items, _after(cursor, lines.offset, items, limits)
    return items, None


def _after(cursor: dict, offset: int, items: list, limits: Limits) -> dict | None:
    if limits.remaining and len(items) >= limits.remaining:
        return None  # MaxItems reached
    return {**cursor, "offset": offset}


def _json_lines(lines: Lines, cursor: dict) -> Iterator[Any]:
    for line in lines:
        cursor["line"] = number = cursor.get("line", 0) + 1  # for the next page's messages
        if not line.strip():
            continue
        try:
            yield loads(line)
        except JsonInputError as exc:
            raise failed(f"Line {number} of the object is not valid JSON: {exc}") from None


def csv_page(open_at: Opener, config: dict, cursor: dict, limits: Limits,
             headers: list[str] | None = None) -> tuple[list, dict | None]:
    """A page of CSV rows as objects; ``headers`` (an S3 inventory's fileSchema) name the
    fields in place of CSVHeaderLocation."""
    delimiter = DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")

    def rows(lines: Lines, cursor: dict) -> Iterator[dict]:
        reader = (row for row in csv.reader(lines, delimiter=delimiter, strict=False) if row)
        names = headers or cursor.get("headers")
        if names is None:
            if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
                names = list(config.get("CSVHeaders") or ())
                if not names:  # AWS's words for this are not recorded
                    raise failed("CSVHeaders must name the columns when CSVHeaderLocation is GIVEN")
            else:
                start = lines.offset
                names = next(reader, None)
                if names is None:
                    return
                if lines.offset - start > MAX_HEADER_BYTES:  # AWS's words are not recorded
                    raise failed(f"The CSV header row is over AWS's limit of {MAX_HEADER_BYTES} "
                                 "bytes")
            if len(set(names)) < len(names):
                raise failed("CSV headers cannot contain duplicates.")
            cursor["headers"] = names
        width = len(names)
        for row in reader:
            if len(row) < width:
                row = row + [""] * (width - len(row))
            yield dict(zip(names, row, strict=False))

    try:
        return _line_page(open_at, cursor, limits, rows)
    except csv.Error as exc:
        raise failed(f"The object is not a valid CSV file: {exc}") from None


# -- a JSON array, element by element ---------------------------------------------------------

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_STRUCTURE = re.compile(rb'["\[\]{}]')
_SCALAR_END = re.compile(rb"[\s,\]}]")
_SPACE = re.compile(rb"\s*")


class _Scanner:
    """A JSON text read in chunks, scanned without building it: where each value starts and
    ends, so that one element of an array is parsed at a time (by ``jsonvalue.loads``, as
    every JSON the engine reads) and only the element being read is held."""

    def __init__(self, chunks: Iterable[bytes], offset: int):
        self._chunks = iter(chunks)
        self.buf = b""
        self.base = offset  # the object's offset of buf[0]
        self.pos = 0
        self.ended = False
        if offset == 0:
            self._more()
            if self.buf.startswith(_BOM):
                self.pos = len(_BOM)

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def _more(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            self.ended = True
            return False
        self.buf += chunk
        return True

    def peek(self) -> bytes:
        """The next character after white space (b"": the text ended)."""
        if self.pos > 65536:  # between values: drop what was read, memory stays at one element
            self.buf, self.base, self.pos = self.buf[self.pos:], self.base + self.pos, 0
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos:self.pos + 1]
            if not self._more():
                return b""

    def expect(self, char: bytes) -> None:
        if self.peek() != char:
            raise failed("The object is not valid JSON")
        self.pos += 1

    def value(self) -> bytes:
        """The text of the value at the position, which moves past it."""
        first = self.peek()
        start = self.pos
        if not first:
            raise failed("The object is not valid JSON: it ends too soon")
        if first == b'"':
            end = self._string_end(start)
        elif first in b"[{":
            end = self._container_end(start)
        else:
            while True:
                found = _SCALAR_END.search(self.buf, start)
                if found is not None or self.ended:
                    end = found.start() if found is not None else len(self.buf)
                    break
                self._more()
        text = self.buf[start:end]
        self.pos = end
        return text

    def _string_end(self, start: int) -> int:
        while True:
            found = _STRING.match(self.buf, start)
            if found is not None and found.end() <= len(self.buf):
                return found.end()
            if not self._more():
                raise failed("The object is not valid JSON: a string does not end")

    def _container_end(self, start: int) -> int:
        depth, i = 0, start
        while True:
            found = _STRUCTURE.search(self.buf, i)
            if found is None:
                i = len(self.buf)
                if not self._more():
                    raise failed("The object is not valid JSON: it ends too soon")
                continue
            char, i = found.group(), found.start()
            if char == b'"':
                i = self._string_end(i)
                continue
            depth += 1 if char in b"[{" else -1
            i += 1
            if depth == 0:
                return i


def _parse(text: bytes) -> Any:
    try:
        return loads(text)
    except JsonInputError as exc:
        raise failed(f"The object is not valid JSON: {exc}") from None


def _find_array(scan: _Scanner, pointer: Any) -> None:
    """Move to the array at ``pointer`` (RFC 6901, ReaderConfig's ItemsPointer), past its
    opening bracket."""
    if pointer is not None and (not isinstance(pointer, str)
                                or (pointer and not pointer.startswith("/"))):
        raise failed(f"ItemsPointer must be a JSON pointer (/a/0), not {pointer!r}")
    for token in pointer.split("/")[1:] if pointer else ():
        token = token.replace("~1", "/").replace("~0", "~")
        first = scan.peek()
        if first == b"{":
            scan.pos += 1
            while True:
                if scan.peek() == b"}":
                    raise failed(f"ItemsPointer {pointer} matches nothing in the object")
                key = _parse(scan.value())
                scan.expect(b":")
                if key == token:
                    break
                scan.value()
                if scan.peek() == b",":
                    scan.pos += 1
        elif first == b"[" and token.isdigit():
            scan.pos += 1
            for _ in range(int(token)):
                if scan.peek() == b"]":
                    raise failed(f"ItemsPointer {pointer} matches nothing in the object")
                scan.value()
                if scan.peek() == b",":
                    scan.pos += 1
            if scan.peek() == b"]":
                raise failed(f"ItemsPointer {pointer} matches nothing in the object")
        else:
            raise failed(f"ItemsPointer {pointer} matches nothing in the object")
    if scan.peek() != b"[":
        _parse(scan.value())  # not JSON at all fails as such
        # AWS's words are not recorded; LocalStack (which mirrors AWS's snapshots) says this
        raise failed("Attempting to map over non-iterable node.")
    scan.pos += 1


def _json_page(open_at: Opener, pointer: Any, cursor: dict,
               limits: Limits) -> tuple[list, dict | None]:
    scan = _Scanner(open_at(cursor["offset"]), cursor["offset"])
    if cursor["offset"] == 0:
        _find_array(scan, pointer)
    items: list = []
    start = scan.offset
    while True:
        if scan.peek() == b"]":
            return items, None
        if items or cursor.get("inside"):
            scan.expect(b",")
        items.append(_parse(scan.value()))
        if len(items) >= limits.most or scan.offset - start >= limits.bytes:
            following = _after(cursor, scan.offset, items, limits)
            if following is not None:
                following["inside"] = True  # the next element follows a comma
            return items, following
