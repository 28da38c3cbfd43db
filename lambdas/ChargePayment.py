"""Charge the customer (saga step 2; compensated by RefundPayment).

The order id is the idempotency key, as with a payment provider's Idempotency-Key header:
a retry after a lost response returns the first charge instead of charging twice.
"""

from __future__ import annotations

import _orders


def handler(event, context):
    order = _orders.order_id(event)
    amount = _orders.total_cents(event)
    _orders.fail_if_requested(event, "ChargePayment")
    existing = _orders.load(order, "payment")
    if existing and existing["status"] == "CAPTURED":
        return existing
    return _orders.save(order, "payment", {
        "paymentId": f"pay-{order}",
        "amountCents": amount,
        "currency": event.get("currency", "EUR"),
        "status": "CAPTURED",
    })
