"""Compensation: cancel the parcel booking, if there is one. Idempotent."""

from __future__ import annotations

import _orders


def handler(event, context):
    order = _orders.order_id(event)
    _orders.fail_if_requested(event, "CancelShipment")
    shipment = _orders.load(order, "shipment")
    if shipment is None:
        return {"cancelled": False, "reason": "NO_SHIPMENT"}
    if shipment["status"] == "CANCELLED":
        return {"cancelled": True, "alreadyCancelled": True, "shipmentId": shipment["shipmentId"]}
    _orders.save(order, "shipment", {**shipment, "status": "CANCELLED"})
    return {"cancelled": True, "alreadyCancelled": False, "shipmentId": shipment["shipmentId"]}
