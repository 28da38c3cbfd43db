"""Page tokens (``nextToken``) and List* responses.

A token is opaque, as AWS's are: the position it stands for, signed with a key only this
service knows, over the listing it belongs to (the operation and its filters). A token that was
altered, forged, issued for another listing or for another server process, or is older than
24 hours (AWS: "Each pagination token expires after 24 hours") is InvalidToken, never a wrong
page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from .errors import invalid_token

TOKEN_LIFETIME_SECONDS = 24 * 3600
DEFAULT_PAGE_SIZE = 100  # AWS: "The default is 100"; maxResults 0 means the default


class PageTokens:
    def __init__(self, key: bytes | None = None, clock: Callable[[], float] = time.time):
        self._key = key or secrets.token_bytes(32)
        self._clock = clock  # the wall clock: a client pages in real time, whatever the engine's clock

    def issue(self, listing: str, position: Any) -> str:
        payload = _b64(json.dumps([position, int(self._clock())], separators=(",", ":")).encode())
        return f"{payload}.{self._sign(listing, payload)}"

    def read(self, listing: str, token: str | None) -> Any:
        """The position a token of ``listing`` stands for; None for no token."""
        if token is None:
            return None
        if not token.isascii():  # not one of ours (they are base64), nor comparable as one
            raise invalid_token()
        payload, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(signature, self._sign(listing, payload)):
            raise invalid_token()
        try:
            position, issued = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (ValueError, TypeError, binascii.Error):  # cannot happen for a signed payload
            raise invalid_token() from None
        if self._clock() - issued > TOKEN_LIFETIME_SECONDS:
            raise invalid_token()
        return position

    def _sign(self, listing: str, payload: str) -> str:
        mac = hmac.new(self._key, f"{listing}\n{payload}".encode(), hashlib.sha256).digest()
        return _b64(mac[:18])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def page_size(body: dict[str, Any]) -> int:
    return body.get("maxResults") or DEFAULT_PAGE_SIZE


def listing(tokens: PageTokens, listing_id: str, key: str, items: Sequence[Any], body: dict[str, Any],
            shape: Callable[[Any], dict]) -> dict[str, Any]:
    """A List* response of an in-memory list: ``items`` from the token's offset, shaped by
    ``shape``, under ``key``."""
    size = page_size(body)
    offset = tokens.read(listing_id, body.get("nextToken")) or 0
    out: dict[str, Any] = {key: [shape(item) for item in items[offset:offset + size]]}
    if offset + size < len(items):
        out["nextToken"] = tokens.issue(listing_id, offset + size)
    return out


def keyset_listing(tokens: PageTokens, listing_id: str, key: str, body: dict[str, Any],
                   fetch: Callable[[tuple | None, int], Sequence[dict]],
                   shape: Callable[[dict], dict]) -> dict[str, Any]:
    """A List* response of store rows in (start_date, arn) order: ``fetch(after, limit)`` gives
    the rows after that position; one more than the page says whether a token is due."""
    size = page_size(body)
    after = tokens.read(listing_id, body.get("nextToken"))
    rows = fetch(tuple(after) if after else None, size + 1)
    out: dict[str, Any] = {key: [shape(row) for row in rows[:size]]}
    if len(rows) > size:
        last = rows[size - 1]
        out["nextToken"] = tokens.issue(listing_id, [last["start_date"], last["arn"]])
    return out
