"""Compensation: give reserved stock back, if any was reserved. Idempotent."""

from __future__ import annotations

import _orders


def handler(event, context):
    order = _orders.order_id(event)
    _orders.fail_if_requested(event, "ReleaseInventory")
    reservation = _orders.load(order, "reservation")
    if reservation is None:
        return {"released": False, "reason": "NO_RESERVATION"}
    if reservation["status"] == "RELEASED":
        return {"released": True, "alreadyReleased": True,
                "reservationId": reservation["reservationId"]}
    _orders.save(order, "reservation", {**reservation, "status": "RELEASED"})
    return {"released": True, "alreadyReleased": False,
            "reservationId": reservation["reservationId"]}
