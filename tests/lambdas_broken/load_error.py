raise ValueError("the configuration is missing")


def handler(event, context):
    return event
