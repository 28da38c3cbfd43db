"""One row of the sales import: check it and price it from the catalogue.

The event is the row as the Distributed Map's ItemReader read it from the CSV (every value a
string) with its line, ``{"line": 4, "sale": {"saleId": ..., "store": ..., "sku": ...,
"quantity": ...}}``. A row that can never be priced (a quantity that is not a whole number)
is ``BadSaleRow``; a product the catalogue does not know (yet) is ``UnknownProduct``.
"""

from __future__ import annotations

import _sales


class BadSaleRow(Exception):
    """The row itself is wrong: only a corrected file can fix it."""


class UnknownProduct(Exception):
    """The catalogue has no price for the product (yet)."""


def handler(event, context):
    sale, line = event["sale"], event["line"] + 2  # the header is line 1
    quantity = sale.get("quantity", "")
    if not quantity.isdigit() or int(quantity) == 0:
        raise BadSaleRow(f"line {line}: quantity {quantity!r} is not a whole number of items")
    price = _sales.prices().get(sale["sku"])
    if price is None:
        raise UnknownProduct(f"line {line}: no product {sale['sku']!r} in the catalogue")
    return {"saleId": sale["saleId"], "store": sale["store"], "sku": sale["sku"],
            "quantity": int(quantity), "total": round(int(quantity) * price, 2)}
