def lambda_handler(event, context):
    return {**event, "total": sum(item["price"] * item["quantity"] for item in event["items"])}
