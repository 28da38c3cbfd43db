import json


def handler(event, context):
    stock = {"SKU-1": 3, "SKU-2": 0}
    print(json.dumps({"checking": event["sku"]}))
    return {"sku": event["sku"], "available": stock.get(event["sku"], 0)}
