"""States.Base64Encode, States.Base64Decode, States.Hash and States.UUID."""

from __future__ import annotations

from typing import Any

from .exceptions import IntrinsicArgumentError
from .java import jackson_json, java_str, utf16_length
from .nodes import IntrinsicCall, Literal
from .signatures import ANY, STRING, CompileProblem, intrinsic

#: AWS docs: Base64Encode, Base64Decode and Hash take at most 10,000 characters
#: (an AWS characterisation: 10,000 pass, 10,001 fail). Characters count as Java's do.
MAX_CHARS = 10_000

#: AWS docs, States.Hash; the names are matched exactly ("sha-256" and "SHA256" fail).
HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
                   "SHA-512": "sha512"}


def _check_length(call: IntrinsicCall, text: str) -> None:
    length = utf16_length(text)
    if length > MAX_CHARS:
        raise IntrinsicArgumentError(call.name, f"the input has {length} characters; at most "
                                                f"{MAX_CHARS} are allowed")


@intrinsic("States.Base64Encode", (STRING,), result=STRING)
def base64_encode(call: IntrinsicCall, text: str) -> str:
    import base64

    _check_length(call, text)
    # Lone surrogates (possible in JSON) become '?', as Java's String.getBytes(UTF_8) does.
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")


# Both the standard and the URL-safe alphabet decode, as in Apache Commons Codec.
_DECODE = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_DECODE.update({"-": 62, "_": 63})


def lenient_b64decode(text: str) -> bytes:
    """Decode like Apache Commons Codec's Base64 (lenient mode).

    AWS decodes input a strict decoder rejects (an AWS characterisation: '!!!invalid!!!',
    'abc', 'ab==cd' and ' YWJjZA== ' all decode): characters outside the alphabet are
    skipped, the first '=' ends the data, and bits that do not make a whole byte are dropped.
    """
    out = bytearray()
    acc = 0
    n = 0
    for c in text:
        if c == "=":
            break
        v = _DECODE.get(c)
        if v is None:
            continue
        acc = (acc << 6) | v
        n += 1
        if n == 4:
            out += acc.to_bytes(3, "big")
            acc = n = 0
    if n == 2:
        out.append(acc >> 4)
    elif n == 3:
        out += (acc >> 2).to_bytes(2, "big")
    return bytes(out)


@intrinsic("States.Base64Decode", (STRING,), result=STRING)
def base64_decode(call: IntrinsicCall, text: str) -> str:
    _check_length(call, text)
    # Bytes that are not UTF-8 become U+FFFD, as in Java's new String(bytes, UTF_8).
    return lenient_b64decode(text).decode("utf-8", "replace")


def _check_hash(args: tuple) -> None:
    algorithm = args[1]
    if isinstance(algorithm, Literal) and algorithm.value not in HASH_ALGORITHMS:
        raise CompileProblem(f"States.Hash does not know the algorithm {algorithm.value!r}; "
                             f"use one of {', '.join(HASH_ALGORITHMS)}", 1)


@intrinsic("States.Hash", (ANY, STRING), result=STRING, check=_check_hash)
def hash_(call: IntrinsicCall, data: Any, algorithm: str) -> str:
    import hashlib

    name = HASH_ALGORITHMS.get(algorithm)
    if name is None:
        raise IntrinsicArgumentError(call.name, f"unknown hash algorithm {algorithm!r}")
    # AWS hashes a number or an object by stringifying it (an AWS characterisation: Hash(123,
    # ...) and Hash($.obj, ...) succeed), so the data is String.valueOf of the Java value.
    if type(data) is not str:
        node = call.args[0]
        from_json = isinstance(node, IntrinsicCall) and node.name == "States.StringToJson"
        data = jackson_json(data) if from_json else java_str(data)
    _check_length(call, data)
    return hashlib.new(name, data.encode("utf-8", "replace")).hexdigest()


@intrinsic("States.UUID", (), result=STRING, deterministic=False)
def uuid_(call: IntrinsicCall, *, env: Any = None) -> str:
    import uuid

    rng = getattr(env, "random", None)
    if rng is None:
        return str(uuid.uuid4())
    # A generator supplied by the environment makes the UUID reproducible in tests.
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
