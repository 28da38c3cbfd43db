"""A minimal client of the Step Functions API for the command line (urllib, no boto3).

It sends unsigned requests: it is meant for ``asl-runner serve``, which checks no credentials.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable
from typing import Any

from .protocol import CONTENT_TYPE, TARGET_PREFIX, decode_error, encode

DEFAULT_ENDPOINT = "http://127.0.0.1:8083"


class ApiCallError(Exception):
    """The API answered with an error: AWS's ``code`` (e.g. TaskDoesNotExist) and message."""

    def __init__(self, code: str, message: str, status: int):
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{code}: {message}")


class EndpointUnreachable(Exception):
    """No usable answer: nothing listening, a timeout, or a reply that is not the API's."""


#: A call answered with 503 ServiceUnavailable (the store cannot be written now; nothing was
#: changed) is tried again, as the AWS SDKs do: this many attempts in all, pausing 0.5 s, then 1 s
RETRY_ATTEMPTS = 3
RETRY_FIRST_PAUSE = 0.5


def call(endpoint_url: str, operation: str, body: dict[str, Any], *,
         timeout: float = 70.0, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Call ``operation`` (e.g. "SendTaskSuccess") and return its output."""
    import urllib.error
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {endpoint_url!r}")
    url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    request = urllib.request.Request(url, data=encode(body), method="POST", headers={
        "Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation})
    # a proxy from the environment cannot reach this machine's own server
    handlers = [urllib.request.ProxyHandler({})] if _is_loopback(parts.hostname) else []
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
                raw = response.read()
            break
        except urllib.error.HTTPError as exc:
            code, message = decode_error(exc.code, exc.read())
            if exc.code != 503 or attempt == RETRY_ATTEMPTS:
                raise ApiCallError(code, message, exc.code) from None
            sleep(RETRY_FIRST_PAUSE * 2 ** (attempt - 1))
        except urllib.error.URLError as exc:
            raise EndpointUnreachable(str(exc.reason)) from None
        except OSError as exc:  # reset, timed out
            raise EndpointUnreachable(str(exc) or type(exc).__name__) from None
    try:
        result = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise EndpointUnreachable("the answer is not JSON: is this a Step Functions endpoint?") from None
    if not isinstance(result, dict):
        raise EndpointUnreachable("the answer is not a JSON object: is this a Step Functions endpoint?")
    return result


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
