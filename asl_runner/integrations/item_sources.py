"""Where a Distributed Map's ItemReader pages come from, one page per call: an S3 object read
from a byte offset (ranged GETs, :mod:`.item_formats` parses), an S3 inventory's
``manifest.json`` and its CSV data files, a Parquet object (row groups), or a listing
(``listObjectsV2``, a page of keys at a time).

Each function takes the S3 client, ``call`` (which turns an S3 error into
States.ItemReaderFailed), the request (the reader's Parameters), the ReaderConfig, the cursor
of the previous page (None: the first) and the page's :class:`~.item_formats.Limits`, and
returns ``(items, cursor)``, the cursor None after the last page. A cursor is plain JSON: the
engine records it with the page, and the next call (after a restart too) goes on from it.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from ..jsonvalue import JsonInputError, loads
from .item_formats import Limits, csv_page, failed, read_page

#: botocore reads an object's body in chunks of this size
CHUNK = 64 * 1024
#: what the ``parquet`` extra installs (the error names it)
PARQUET_EXTRA = "pip install 'asl-runner[parquet]'"

Call = Callable[..., Any]


def _chunks(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


class _Object:
    """One S3 object, read from any offset by ranged GETs, pinned to the version (or ETag)
    the first read saw, so that an object replaced while the Map Run reads it fails the read
    (S3's PreconditionFailed) instead of mixing two versions."""

    def __init__(self, client: Any, call: Call, request: dict, cursor: dict):
        self.client = client
        self.call = call
        self.request = dict(request)
        self.cursor = cursor

    def open_at(self, offset: int) -> Iterator[bytes]:
        cursor = self.cursor
        if "size" in cursor and offset >= cursor["size"]:
            return iter(())
        request = dict(self.request)
        if offset:
            request["Range"] = f"bytes={offset}-"
        if "etag" in cursor and "VersionId" not in request:
            request["IfMatch"] = cursor["etag"]
        response = self.call(self.client.get_object, request)
        if "size" not in cursor:
            cursor["size"] = response.get("ContentLength") or 0
            if response.get("ETag"):
                cursor["etag"] = response["ETag"]
        return _chunks(response["Body"])


def object_page(client: Any, call: Call, request: dict, config: dict, cursor: dict | None,
                limits: Limits) -> tuple[list, dict | None]:
    """s3:getObject with InputType JSON, JSONL or CSV."""
    cursor = dict(cursor or {"offset": 0})
    source = _Object(client, call, request, cursor)
    items, following = read_page(source.open_at, config, cursor, limits)
    if following is not None:  # keep the pin for the next page
        following.update({k: cursor[k] for k in ("size", "etag") if k in cursor})
    return items, following


# -- S3 inventory -----------------------------------------------------------------------------


def _inventory(client: Any, call: Call, request: dict) -> dict:
    """The manifest's files and how to read them (its own bucket holds them: an inventory's
    destinationBucket, as an ARN)."""
    response = call(client.get_object, request)
    body = b"".join(_chunks(response["Body"]))
    try:
        manifest = loads(body)
    except JsonInputError as exc:
        raise failed(f"The S3 inventory manifest is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise failed("The object is not an S3 inventory manifest (manifest.json): it has no "
                     "'files'")
    file_format = manifest.get("fileFormat", "CSV")
    if file_format != "CSV":  # documented: Step Functions reads CSV inventories only
        raise failed(f"Step Functions reads S3 inventory files in CSV format, not {file_format}")
    schema = manifest.get("fileSchema")
    if not isinstance(schema, str) or not schema.strip():
        raise failed("The S3 inventory manifest has no 'fileSchema'")
    destination = manifest.get("destinationBucket") or ""
    bucket = destination.rsplit(":", 1)[-1] if destination else request.get("Bucket")
    keys = [f.get("key") for f in manifest["files"] if isinstance(f, dict)]
    if not all(isinstance(key, str) for key in keys):
        raise failed("The S3 inventory manifest lists a file without a 'key'")
    return {"bucket": bucket, "keys": keys,
            "schema": [field.strip() for field in schema.split(",")]}


def _gunzipped_from(client: Any, call: Call, bucket: str, key: str,
                    offset: int) -> Iterator[bytes]:
    """A data file's text from ``offset`` (in the uncompressed text): a gzip stream cannot
    be entered in the middle, so it is read from its start and the part before skipped."""
    response = call(client.get_object, {"Bucket": bucket, "Key": key})
    raw = _Reader(_chunks(response["Body"]))
    stream: Any = gzip.GzipFile(fileobj=raw) if key.endswith(".gz") else raw
    try:
        skip = offset
        while skip:
            skipped = stream.read(min(skip, CHUNK))
            if not skipped:
                return
            skip -= len(skipped)
        while chunk := stream.read(CHUNK):
            yield chunk
    except (OSError, EOFError, zlib.error) as exc:
        raise failed(f"The S3 inventory file {key} is not a gzip file: {exc}") from None


class _Reader(io.RawIOBase):
    """A file over an iterator of byte chunks (gzip reads from a file)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._rest = chunk
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def manifest_page(client: Any, call: Call, request: dict, config: dict, cursor: dict | None,
                  limits: Limits) -> tuple[list, dict | None]:
    """InputType MANIFEST: the rows of an S3 inventory's data files, in the manifest's order,
    each an object keyed by the manifest's fileSchema (values as strings, as written)."""
    if cursor is None:
        cursor = {**_inventory(client, call, request), "file": 0, "offset": 0}
    items: list = []
    while cursor["file"] < len(cursor["keys"]):
        key = cursor["keys"][cursor["file"]]
        page_limits = Limits(limits.items - len(items), limits.bytes,
                             limits.remaining - len(items) if limits.remaining else 0)
        at = {"offset": cursor["offset"], "headers": cursor["schema"]}
        rows, following = csv_page(
            lambda offset, key=key, bucket=cursor["bucket"]: _gunzipped_from(
                client, call, bucket, key, offset),
            {}, at, page_limits, headers=cursor["schema"])
        items += rows
        if limits.remaining and len(items) >= limits.remaining:
            return items, None
        if following is not None:
            return items, {**cursor, "offset": following["offset"]}
        cursor = {**cursor, "file": cursor["file"] + 1, "offset": 0}
        if len(items) >= limits.items:
            break
    more = cursor["file"] < len(cursor["keys"])
    return items, cursor if more else None


# -- Parquet ----------------------------------------------------------------------------------


class _RangedFile(io.RawIOBase):
    """A seekable read-only file over an S3 object (ranged GETs): what a Parquet reader
    needs to read the footer and then one row group at a time."""

    def __init__(self, client: Any, call: Call, request: dict):
        self._client, self._call, self._request = client, call, dict(request)
        head = call(client.head_object, {k: v for k, v in request.items()
                                         if k in ("Bucket", "Key", "VersionId")})
        self.size = head.get("ContentLength") or 0
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self.size or not len(buffer):
            return 0
        end = min(self.size, self._pos + len(buffer)) - 1
        response = self._call(self._client.get_object,
                              {**self._request, "Range": f"bytes={self._pos}-{end}"})
        data = b"".join(_chunks(response["Body"]))
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)


def _json_value(value: Any) -> Any:
    """A Parquet value as JSON: dates and times as ISO 8601 text, decimals as numbers,
    binary as text (asl-runner's choice: AWS's conversion is not documented)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        return float(value)  # Decimal
    except (TypeError, ValueError):
        return str(value)


def parquet_page(client: Any, call: Call, request: dict, config: dict, cursor: dict | None,
                 limits: Limits) -> tuple[list, dict | None]:
    """InputType PARQUET: the object's rows, each an object of its columns; read a row group
    at a time (needs pyarrow: the ``parquet`` extra)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise failed("Reading PARQUET items needs pyarrow, which asl-runner installs as an "
                     f"extra: {PARQUET_EXTRA}") from None
    cursor = dict(cursor or {"group": 0, "row": 0})
    try:
        parquet = pq.ParquetFile(io.BufferedReader(_RangedFile(client, call, request),
                                                   buffer_size=1 << 20))
        items: list = []
        while cursor["group"] < parquet.num_row_groups and len(items) < limits.most:
            rows = parquet.read_row_group(cursor["group"]).slice(cursor["row"]).to_pylist()
            take = rows[:limits.most - len(items)]
            items += [_json_value(row) for row in take]
            if len(take) < len(rows):
                cursor["row"] += len(take)
            else:
                cursor = {"group": cursor["group"] + 1, "row": 0}
    except (OSError, ValueError, NotImplementedError, pa.ArrowException) as exc:
        # (pyarrow's ArrowInvalid is a ValueError, ArrowNotImplementedError a
        # NotImplementedError: a file it cannot read, as much as one that is broken)
        raise failed(f"The object is not a valid Parquet file: {exc}") from None
    if limits.remaining and len(items) >= limits.remaining:
        return items, None
    return items, cursor if cursor["group"] < parquet.num_row_groups else None


# -- listObjectsV2 ----------------------------------------------------------------------------


def _object_item(entry: dict) -> dict:
    """One object as a listObjectsV2 reader's item, as AWS's documentation shows it: ``Etag``
    (with its quotes), ``Key``, ``LastModified`` (epoch seconds), ``Size``, ``StorageClass``."""
    item: dict[str, Any] = {"Etag": entry.get("ETag"), "Key": entry.get("Key")}
    modified = entry.get("LastModified")
    if modified is not None:
        item["LastModified"] = modified.timestamp()
    item["Size"] = entry.get("Size")
    item["StorageClass"] = entry.get("StorageClass")
    return {k: v for k, v in item.items() if v is not None}


def listing_page(client: Any, call: Call, request: dict, config: dict, cursor: dict | None,
                 limits: Limits) -> tuple[list, dict | None]:
    """Every object under the Prefix, a page of the listing at a time: Step Functions follows
    the continuation tokens itself."""
    request = dict(request)
    if cursor is not None and cursor.get("token") is not None:
        request["ContinuationToken"] = cursor["token"]
    most = limits.most
    if most < 1000:
        request["MaxKeys"] = most
    response = call(client.list_objects_v2, request)
    items = [_object_item(entry) for entry in response.get("Contents") or ()][:most]
    token = response.get("NextContinuationToken")
    if (limits.remaining and len(items) >= limits.remaining) or not response.get("IsTruncated") \
            or not token:
        return items, None
    return items, {"token": token}


# -- many objects, one after the other ---------------------------------------------------------


def _objects_page(client: Any, call: Call, config: dict, cursor: dict, limits: Limits,
                  more: Callable[[Any], tuple[list, Any]]) -> tuple[list, dict | None]:
    """The items of a sequence of objects (``cursor["objects"]``: ``[bucket, key]`` pairs),
    each read with the ReaderConfig's InputType, one after the other; ``more(state)`` gives
    the next objects and the state after them (None: no more) when these run out."""
    read = parquet_page if config.get("InputType") == "PARQUET" else object_page
    items: list = []
    while True:
        if cursor["index"] >= len(cursor["objects"]):
            if cursor.get("more") is None:
                return items, None
            objects, following = more(cursor["more"])
            cursor = {"objects": objects, "index": 0, "inner": None, "more": following}
            continue
        if len(items) >= limits.items:
            return items, cursor
        bucket, key = cursor["objects"][cursor["index"]]
        left = Limits(limits.items - len(items), limits.bytes,
                      limits.remaining - len(items) if limits.remaining else 0)
        page, inner = read(client, call, {"Bucket": bucket, "Key": key}, config,
                           cursor["inner"], left)
        items += page
        if limits.remaining and len(items) >= limits.remaining:
            return items, None
        if inner is not None:
            return items, {**cursor, "inner": inner}
        cursor = {**cursor, "index": cursor["index"] + 1, "inner": None}


def _athena_objects(client: Any, call: Call, request: dict) -> list:
    """An Athena data manifest: a text file of ``s3://bucket/key`` lines, the data files."""
    response = call(client.get_object, request)
    text = b"".join(_chunks(response["Body"])).decode("utf-8", "replace")
    objects = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        bucket, _, key = line.removeprefix("s3://").partition("/")
        if not line.startswith("s3://") or not bucket or not key:
            raise failed(f"The Athena manifest lists {line!r}, which is not an s3://bucket/key URI")
        objects.append([bucket, key])
    return objects


def athena_page(client: Any, call: Call, request: dict, config: dict, cursor: dict | None,
                limits: Limits) -> tuple[list, dict | None]:
    """ManifestType ATHENA_DATA: the items of the data files an Athena manifest lists (an
    UNLOAD's), each read with InputType CSV, JSONL or PARQUET."""
    if config.get("InputType") not in ("CSV", "JSONL", "PARQUET"):
        raise failed("An ATHENA_DATA manifest's data files are CSV, JSONL or PARQUET, not "
                     f"{config.get('InputType')!r}")
    if cursor is None:
        cursor = {"objects": _athena_objects(client, call, request), "index": 0, "inner": None,
                  "more": None}
    return _objects_page(client, call, config, cursor, limits, lambda _: ([], None))


def flattened_page(client: Any, call: Call, request: dict, config: dict, cursor: dict | None,
                   limits: Limits) -> tuple[list, dict | None]:
    """listObjectsV2 with Transformation LOAD_AND_FLATTEN: the items of every object under
    the Prefix (read with InputType), not the objects themselves; "folder" keys (ending in
    /) hold no items (asl-runner's choice: S3's console makes them, empty)."""
    if config.get("InputType") not in ("CSV", "JSON", "JSONL", "PARQUET"):
        raise failed("LOAD_AND_FLATTEN reads the objects listed with an InputType of CSV, "
                     f"JSON, JSONL or PARQUET, not {config.get('InputType')!r}")

    def listed(state: Any) -> tuple[list, Any]:
        entries, following = listing_page(client, call, request, {}, state, Limits(1000, 0))
        keys = [[request.get("Bucket"), e["Key"]] for e in entries if not e["Key"].endswith("/")]
        return keys, following

    if cursor is None:
        cursor = {"objects": [], "index": 0, "inner": None, "more": {"token": None}}
    return _objects_page(client, call, config, cursor, limits, listed)


def object_reader(config: dict) -> Callable[..., tuple[list, dict | None]]:
    """How an s3:getObject reader reads its pages, by its ReaderConfig."""
    if config.get("ManifestType") == "ATHENA_DATA":
        return athena_page
    if config.get("InputType") == "MANIFEST" or config.get("ManifestType") == "S3_INVENTORY":
        return manifest_page
    if config.get("InputType") == "PARQUET":
        return parquet_page
    return object_page


def listing_reader(config: dict) -> Callable[..., tuple[list, dict | None]]:
    """How an s3:listObjectsV2 reader reads its pages, by its ReaderConfig."""
    return flattened_page if config.get("Transformation") == "LOAD_AND_FLATTEN" else listing_page
