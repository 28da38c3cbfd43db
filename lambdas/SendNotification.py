"""E-mail a person through the Postmaster gateway (the handler knows nothing of delivery)."""

from __future__ import annotations

import postmaster


def handler(event, context):
    return postmaster.send(
        event["template"],
        event["to"],
        event.get("variables", {}),
        idempotency_key=event["idempotencyKey"],
        sent_at=event["sentAt"],
        locale=event.get("locale", "en"),
    )
