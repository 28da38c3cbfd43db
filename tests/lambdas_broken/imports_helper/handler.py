from imports_helper_lib import GREETING


def handler(event, context):
    return GREETING
