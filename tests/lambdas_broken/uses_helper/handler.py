from uses_helper_lib import GREETING, missing  # noqa: F401


def handler(event, context):
    return GREETING
