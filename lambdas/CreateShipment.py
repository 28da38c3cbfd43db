"""Book the parcel with the carrier (saga step 3; compensated by CancelShipment)."""

from __future__ import annotations

import _orders
from _common import digest_int


def handler(event, context):
    order = _orders.order_id(event)
    _orders.fail_if_requested(event, "CreateShipment")
    existing = _orders.load(order, "shipment")
    if existing and existing["status"] == "BOOKED":
        return existing
    return _orders.save(order, "shipment", {
        "shipmentId": f"shp-{order}",
        "trackingNumber": f"1Z{digest_int(order, 'tracking') % 10**12:012d}",
        "address": event.get("shippingAddress"),
        "status": "BOOKED",
    })
