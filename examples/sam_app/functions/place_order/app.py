"""Place Order: buys or sells one share and returns the order."""


def lambda_handler(event, context):
    if event["side"] not in ("buy", "sell"):
        raise ValueError(f"unknown side {event['side']!r}")
    return {
        "id": f"{event['prefix']}-{event['side']}-{event['symbol']}",
        "side": event["side"],
        "symbol": event["symbol"],
        "price": event["price"],
        "function": context.function_name,
    }
