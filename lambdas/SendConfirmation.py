"""E-mail the order confirmation through the Postmaster gateway (saga step 5)."""

from __future__ import annotations

import _orders
import postmaster


def handler(event, context):
    doc = event["order"]
    order = _orders.order_id(doc)
    _orders.fail_if_requested(doc, "SendConfirmation")
    payment = doc["payment"]
    return postmaster.send(
        "order-confirmation",
        doc["customer"]["email"],
        {"orderId": order, "customerName": doc["customer"]["name"],
         "amount": _orders.money(payment["amountCents"], payment["currency"]),
         "trackingNumber": doc["shipment"]["trackingNumber"]},
        idempotency_key=f"{order}/confirmation",
        sent_at=event["sentAt"],
    )
