from decimal import Decimal

RESULTS = {
    "nan": lambda: float("nan"),
    "inf": lambda: float("inf"),
    "nested_nan": lambda: {"scores": [1.5, {"mean": float("nan")}]},
    "minus_inf": lambda: [float("-inf")],
    "set": lambda: {"ids": {1, 2}},
    "decimal": lambda: {"count": Decimal("3"), "price": Decimal("1.5")},
    "decimal_nan": lambda: Decimal("NaN"),
    "not_json_bytes": lambda: b"hello",
}


def deep(levels):
    value = []
    for _ in range(levels - 1):
        value = [value]
    return value


def handler(event, context):
    if "deep" in event:
        return deep(event["deep"])
    return RESULTS[event["kind"]]()
