"""Postmaster: the gateway every example uses to e-mail people.

Handlers call :func:`send` with a template name and variables; they never build messages or
know the provider. Today the provider is a local outbox folder (ASL_RUNNER_OUTBOX_DIR,
default ./outbox) holding one RFC 5322 ``.eml`` file per message; swapping in SES or SMTP
changes this package only.

Sending is idempotent: the idempotency key names the message, so a retried Task, a
redriven execution or a duplicate request returns the first receipt with
``duplicate: true`` instead of e-mailing the person twice.
"""

from __future__ import annotations

from .gateway import (
    InvalidRecipient,
    PostmasterUnavailable,
    TemplateError,
    send,
)

__all__ = ["InvalidRecipient", "PostmasterUnavailable", "TemplateError", "send"]
