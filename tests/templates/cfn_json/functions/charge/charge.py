def handler(event, context):
    fee = round(event["amount"] * float(event["feePercent"]) / 100, 2)
    return {"charged": event["amount"], "fee": fee, "currency": event["currency"],
            "function": context.function_name}
