"""Reserve stock for every item of the order (saga step 1; compensated by ReleaseInventory)."""

from __future__ import annotations

import _orders


def handler(event, context):
    order = _orders.order_id(event)
    _orders.total_cents(event)  # refuse a malformed order before anything is held
    _orders.fail_if_requested(event, "ReserveInventory")
    existing = _orders.load(order, "reservation")
    if existing and existing["status"] == "RESERVED":
        return existing
    return _orders.save(order, "reservation", {
        "reservationId": f"rsv-{order}",
        "items": [{"sku": i["sku"], "quantity": i["quantity"]} for i in event["items"]],
        "status": "RESERVED",
    })
