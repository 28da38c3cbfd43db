"""Postmaster: the gateway every example uses to e-mail people.

Handlers call :func:`send` with a template name and variables; they never build messages or
know the provider. The provider is Amazon SES (SendRawEmail of an RFC 5322 message), on the
account asl-runner's AWS calls go to: in-process moto unless told otherwise. SES sends only
from a verified identity; each example's aws_setup.json verifies its sender's domain, as
the real account would have done once.

Sending is idempotent: the idempotency key names the message, and the gateway's ledger
(records/postmaster/) keeps the receipt of the first send, so a retried Task, a redriven
execution or a duplicate request returns that receipt with ``duplicate: true`` instead of
e-mailing the person twice.
"""

from __future__ import annotations

from .gateway import (
    DeliveryRefused,
    InvalidRecipient,
    PostmasterUnavailable,
    TemplateError,
    send,
)

__all__ = ["DeliveryRefused", "InvalidRecipient", "PostmasterUnavailable", "TemplateError", "send"]
