"""The order saga's fake services (inventory, payments, shipping, CRM) and its fault switch.

Each service keeps one record per order in the records folder (orders/ORDER/KIND.json),
keyed by the order id. That key is the idempotency key of every call: a retried charge
finds the payment it already made, a second refund finds the refund. Compensations look
records up by order id, not by what the forward step returned, because a step that failed
or timed out may still have had its effect.

``failAt`` in the execution input (a step name or a list of them) makes that step fail with
its realistic error, so each branch of the saga can be exercised from an input file.
"""

from __future__ import annotations

from typing import Any

from _common import InvalidRequest, folder, read_json, safe_id, write_json


class OutOfStock(Exception):
    """Not enough stock to reserve: final."""


class PaymentDeclined(Exception):
    """The card was declined: final."""


class AddressUndeliverable(Exception):
    """The carrier cannot deliver to the address: final."""


class CrmUnavailable(Exception):
    """The CRM is down: transient, retried before the saga gives up."""


class ConfirmationUndeliverable(Exception):
    """The customer cannot be e-mailed: final."""


class ServiceUnavailable(Exception):
    """A service needed by a compensation is down: transient, retried patiently."""


_FAULTS = {
    "ReserveInventory": (OutOfStock, "SKU {sku} has too little stock"),
    "ChargePayment": (PaymentDeclined, "card ending 4242 was declined for order {order}"),
    "CreateShipment": (AddressUndeliverable, "the carrier rejected the address of order {order}"),
    "UpdateCrm": (CrmUnavailable, "CRM did not answer for order {order}"),
    "SendConfirmation": (ConfirmationUndeliverable, "mailbox of order {order}'s customer is disabled"),
    "CancelShipment": (ServiceUnavailable, "carrier API is down (order {order})"),
    "RefundPayment": (ServiceUnavailable, "payment provider is down (order {order})"),
    "ReleaseInventory": (ServiceUnavailable, "inventory service is down (order {order})"),
}


def order_id(event: dict[str, Any]) -> str:
    return safe_id(event.get("orderId"), "orderId")


def fail_if_requested(event: dict[str, Any], step: str) -> None:
    wanted = event.get("failAt") or []
    if step in ([wanted] if isinstance(wanted, str) else wanted):
        error, message = _FAULTS[step]
        items = event.get("items") or [{}]
        raise error(message.format(order=event.get("orderId"), sku=items[0].get("sku")))


def load(order: str, kind: str) -> dict | None:
    return read_json(folder("records") / "orders" / order / f"{kind}.json")


def save(order: str, kind: str, record: dict) -> dict:
    write_json(folder("records") / "orders" / order / f"{kind}.json", record)
    return record


def total_cents(event: dict[str, Any]) -> int:
    # money in integer minor units: floats cannot represent 0.10 and would drift on refunds
    items = event.get("items")
    if not isinstance(items, list) or not items:
        raise InvalidRequest("an order needs at least one item")
    total = 0
    for i, item in enumerate(items):
        qty, price = item.get("quantity"), item.get("unitPriceCents")
        if not isinstance(qty, int) or qty < 1 or not isinstance(price, int) or price < 0:
            raise InvalidRequest(f"items[{i}] needs a positive integer quantity and unitPriceCents")
        total += qty * price
    return total


def money(cents: int, currency: str) -> str:
    return f"{currency} {cents // 100}.{cents % 100:02d}"
