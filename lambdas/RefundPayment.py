"""Compensation: refund the charge, if one was captured. Idempotent."""

from __future__ import annotations

import _orders


def handler(event, context):
    order = _orders.order_id(event)
    _orders.fail_if_requested(event, "RefundPayment")
    payment = _orders.load(order, "payment")
    if payment is None:
        return {"refunded": False, "reason": "NO_CHARGE"}
    if payment["status"] == "REFUNDED":
        return {"refunded": True, "alreadyRefunded": True, "paymentId": payment["paymentId"],
                "amountCents": payment["amountCents"]}
    _orders.save(order, "payment", {**payment, "status": "REFUNDED"})
    return {"refunded": True, "alreadyRefunded": False, "paymentId": payment["paymentId"],
            "amountCents": payment["amountCents"]}
