"""A helper module beside the handler: the function's CodeUri folder is on sys.path, as
/var/task is on Lambda."""


def price_of(symbol: str) -> int:
    return sum(map(ord, symbol)) % 100
