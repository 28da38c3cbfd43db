"""Record the order on the customer's CRM timeline (saga step 4). An upsert: safe to repeat."""

from __future__ import annotations

import _orders


def handler(event, context):
    order = _orders.order_id(event)
    _orders.fail_if_requested(event, "UpdateCrm")
    return _orders.save(order, "crm", {
        "customerId": event["customer"]["customerId"],
        "orderId": order,
        "status": "PLACED",
        "amountCents": event["payment"]["amountCents"],
        "trackingNumber": event["shipment"]["trackingNumber"],
    })
