"""Local handlers as Lambda deployment packages (zip files).

A handler ``DIR/NAME.py`` becomes a package holding that file, handler ``NAME.handler``; a
function folder ``DIR/NAME/handler.py`` becomes its folder's files, handler
``handler.handler``; a template's function (``asl_runner.templates``), its code folder and
its own Handler setting. Packages are deterministic (sorted entries, fixed times, no
``__pycache__``), so an unchanged handler has an unchanged CodeSha256 and a second deploy
leaves its function alone.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from typing import Any

from ..record import Record

#: what a package's files are dated (zip cannot go before 1980)
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIPPED = ("__pycache__", ".pytest_cache", ".git")


class Package(Record):
    """A function's code: ``files`` as (name in the zip, path here), its ``handler`` setting,
    and the zip's CodeSha256 (base64 of its SHA-256, as Lambda reports it)."""

    function: str
    handler: str
    files: tuple
    code_sha256: str

    def zip_bytes(self) -> bytes:
        return _zip(self.files)


def package(lambdas: Any, name: str) -> Package | None:
    """The package of the local handler ``name`` (None: there is none)."""
    found = lambdas.source(name)
    if found is None:
        return None
    path, root = found
    function = getattr(lambdas, "functions", {}).get(name)
    if function is not None and function.handler:
        files, handler = _folder(root), function.handler
    elif os.path.dirname(os.path.abspath(path)) == os.path.abspath(lambdas.directory or ""):
        module = os.path.splitext(os.path.basename(path))[0]
        files, handler = ((os.path.basename(path), path),), f"{module}.handler"
    else:
        files, handler = _folder(root), "handler.handler"
    digest = hashlib.sha256(_zip(files)).digest()
    return Package(name, handler, files, base64.b64encode(digest).decode())


def _folder(root: str) -> tuple:
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED)
        for file in sorted(names):
            if file.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, file)
            found.append((os.path.relpath(path, root).replace(os.sep, "/"), path))
    return tuple(found)


def _zip(files: tuple) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, _EPOCH)
            info.external_attr = 0o644 << 16  # readable by Lambda's runtime user
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                archive.writestr(info, fh.read())
    return buffer.getvalue()
