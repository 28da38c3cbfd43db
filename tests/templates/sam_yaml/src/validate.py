def handler(event, context):
    if not event.get("orderId"):
        raise ValueError("an order needs an orderId")
    return {**event, "valid": True, "validatedBy": context.function_name}
