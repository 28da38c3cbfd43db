"""Formatting messages and delivering them through SES, once per idempotency key."""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import re
import string
from email.message import EmailMessage
from typing import Any

from .templates import TEMPLATES
from _common import aws, create_json, folder, parse_time, read_json

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
# SES's answers that another attempt later may get past
_TRANSIENT = {"Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure",
              "RequestTimeout"}


class PostmasterUnavailable(Exception):
    """The provider did not accept the message: transient, retry with back-off."""


class InvalidRecipient(Exception):
    """The address can never receive mail: retrying will not help."""


class DeliveryRefused(Exception):
    """SES refused the message (an unverified sender, a suspended account): a person must
    fix the account; retrying will not help."""


class TemplateError(Exception):
    """Unknown template or a missing variable: a bug in the caller, not a transient fault."""


def _render(template: str, locale: str, variables: dict[str, Any]) -> tuple[str, str, str]:
    spec = TEMPLATES.get(template)
    if spec is None:
        raise TemplateError(f"unknown template {template!r}")
    # "de-AT" falls back to "de", anything unknown to English
    text = spec.get(locale) or spec.get(locale.split("-")[0]) or spec["en"]
    values = {k: "" if v is None else str(v) for k, v in variables.items()}
    try:
        subject = string.Template(text["subject"]).substitute(values)
        body = string.Template(text["body"]).substitute(values)
    except KeyError as exc:
        raise TemplateError(f"template {template!r} needs the variable {exc.args[0]!r}") from None
    return spec["sender"], subject, body


def _ledger(idempotency_key: str):
    name = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return folder("records") / "postmaster" / f"{name}.json"


def send(template: str, to: str, variables: dict[str, Any], *, idempotency_key: str,
         sent_at: str, locale: str = "en") -> dict[str, Any]:
    """Send one message; returns the receipt ``{messageId, status, duplicate, ...}``."""
    if not isinstance(to, str) or not _ADDRESS.match(to):
        raise InvalidRecipient(f"cannot deliver to {to!r}")
    if not idempotency_key:
        raise TemplateError("an idempotency key is required")
    ledger = _ledger(idempotency_key)
    first = read_json(ledger)
    if first is not None:
        return {**first, "duplicate": True}
    if read_json(folder("records") / "outages" / "postmaster.json") is not None:
        raise PostmasterUnavailable("the mail provider is not accepting messages")  # a test's outage
    sender, subject, body = _render(template, locale or "en", variables)

    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(parse_time(sent_at, "sentAt"))
    msg["X-Postmaster-Template"] = template
    msg["X-Postmaster-Idempotency-Key"] = idempotency_key
    # a presigned link is one long line (longer still with a session token): quoted-printable
    # keeps every line within SMTP's limit
    msg.set_content(body, cte="quoted-printable")

    try:
        answer = aws.client("ses").send_raw_email(RawMessage={"Data": msg.as_bytes()})
    except Exception as exc:
        code = aws.error_code(exc)
        if code is None:
            raise
        if code in _TRANSIENT:
            raise PostmasterUnavailable(f"SES did not take the message: {exc}") from None
        raise DeliveryRefused(f"SES refused the message from {sender}: {exc}") from None
    receipt = {"messageId": answer["MessageId"], "status": "ACCEPTED", "to": to,
               "template": template}
    # at least once: a crash between the send and this line sends again on the retry
    if not create_json(ledger, receipt):
        return {**read_json(ledger), "duplicate": True}
    return {**receipt, "duplicate": False}
