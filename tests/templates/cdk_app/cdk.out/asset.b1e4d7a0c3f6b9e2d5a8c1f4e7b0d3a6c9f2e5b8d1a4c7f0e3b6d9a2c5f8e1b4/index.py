def handler(event, context):
    return {"notified": event["sku"], "by": context.function_name}
