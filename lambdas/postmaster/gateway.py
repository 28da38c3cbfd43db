"""Formatting and delivering messages (delivery = writing to the outbox folder)."""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import re
import string
from email.message import EmailMessage
from typing import Any

from .templates import TEMPLATES
from _common import create_bytes, folder, parse_time

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class PostmasterUnavailable(Exception):
    """The provider did not accept the message: transient, retry with back-off."""


class InvalidRecipient(Exception):
    """The address can never receive mail: retrying will not help."""


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


def send(template: str, to: str, variables: dict[str, Any], *, idempotency_key: str,
         sent_at: str, locale: str = "en") -> dict[str, Any]:
    """Send one message; returns the receipt ``{messageId, status, duplicate, ...}``."""
    if not isinstance(to, str) or not _ADDRESS.match(to):
        raise InvalidRecipient(f"cannot deliver to {to!r}")
    if not idempotency_key:
        raise TemplateError("an idempotency key is required")
    outbox = folder("outbox")
    if (outbox / ".unavailable").exists():  # a test's way to make the provider fail
        raise PostmasterUnavailable("the mail provider is not accepting messages")
    sender, subject, body = _render(template, locale or "en", variables)
    message_id = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]

    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(parse_time(sent_at, "sentAt"))
    msg["Message-ID"] = f"<{message_id}@postmaster.example.com>"
    msg["X-Postmaster-Template"] = template
    msg["X-Postmaster-Idempotency-Key"] = idempotency_key
    msg.set_content(body, cte="8bit")  # readable in the outbox; every line is short

    path = outbox / f"{message_id}.eml"
    created = create_bytes(path, msg.as_bytes())
    return {"messageId": message_id, "status": "ACCEPTED", "duplicate": not created,
            "to": to, "template": template}
