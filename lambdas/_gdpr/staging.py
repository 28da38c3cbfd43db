"""The staging area: copies of a user's data between gathering and upload.

Gather steps put personal data here and pass only references (key, size, SHA-256) through
the state machine, so the execution history, which outlives the purge, holds no document
contents and large users stay far below the 256 KiB payload limit. Keys are relative to
the case's folder; UploadExport deletes the folder once the archive holds the export.
"""

from __future__ import annotations

import shutil

from _common import folder, safe_id, sha256, write_bytes


class ExportIntegrityError(Exception):
    """Staged data is missing or changed since it was gathered: do not ship it."""


def case_folder(case_id: str):
    return folder("staging") / safe_id(case_id, "caseId")


def put(case_id: str, key: str, data: bytes) -> dict:
    write_bytes(case_folder(case_id) / key, data)
    return {"key": key, "sha256": sha256(data), "sizeBytes": len(data)}


def get(case_id: str, ref: dict) -> bytes:
    path = case_folder(case_id) / ref["key"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExportIntegrityError(f"staged object {ref['key']} of case {case_id} is missing") from None
    if sha256(data) != ref["sha256"]:
        raise ExportIntegrityError(f"staged object {ref['key']} of case {case_id} changed "
                                   f"since it was gathered")
    return data


def exists(case_id: str) -> bool:
    return case_folder(case_id).exists()


def remove(case_id: str) -> None:
    shutil.rmtree(case_folder(case_id), ignore_errors=True)
