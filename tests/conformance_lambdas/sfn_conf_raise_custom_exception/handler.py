"""Raises a user-defined exception without arguments (its message is empty)."""


class CustomException(Exception):
    pass


def handler(event, context):
    raise CustomException()
