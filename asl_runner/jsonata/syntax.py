"""What JSONata 2.0.6 refuses that the engine (which follows 2.2) accepts: the operators ``??``
(coalescing) and ``?:`` (Elvis), both added in 2.1.0. Step Functions runs 2.0.6 and refuses them
(re:Post, "Which version of JSONata does AWS StepFunctions support?": the Elvis and coalescing
operators are not supported).

In 2.0.6 each is two tokens: the ternary ``?`` and then a ``?`` or ``:`` where an operand must
start, which its parser refuses as S0211 ("The symbol ? cannot be used as a unary operator"), at
the position after that second symbol, as JSONata counts positions.
"""

from __future__ import annotations

from . import JsonataError

# after one of these a '/' starts a regex, as JSONata's lexer reads it where an operand may start
_OPERAND_ENDS = frozenset(")]}")
_WORD_OPERATORS = frozenset({"and", "or", "in"})


def check_2_0_6(text: str) -> JsonataError | None:
    """The error 2.0.6 gives for the first 2.1 operator in ``text``, or None."""
    i, n = 0, len(text)
    operand_before = False  # does the token before end an operand (so '/' divides)?
    parens: list[bool] = []  # for each open '(': does it open a function's parameters?
    last_word = ""
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "(":
            parens.append(last_word in ("function", "λ"))
            last_word = ""
            i += 1
            operand_before = False
        elif c == ")" and parens and parens.pop():
            # a signature such as <n?:n> may follow the parameters; its '?:' is not an operator
            j = i + 1
            while j < n and text[j].isspace():
                j += 1
            i = _skip_signature(text, j) if j < n and text[j] == "<" else i + 1
            operand_before = True
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in "\"'`":
            i = _skip_quoted(text, i, c)
            operand_before = True
        elif c == "/" and not operand_before:
            i = _skip_quoted(text, i, "/")
            while i < n and text[i].isalpha():  # flags
                i += 1
            operand_before = True
        elif c == "?" and i + 1 < n and text[i + 1] in "?:":
            symbol = text[i + 1]
            return JsonataError("S0211", f"The symbol {symbol} cannot be used as a unary operator", i + 2)
        elif c.isalnum() or c in "_$\u03bb":
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_$."):
                if text[i] == "." and not (text[start].isdigit() and i + 1 < n and text[i + 1].isdigit()):
                    break
                i += 1
            last_word = text[start:i]
            operand_before = last_word not in _WORD_OPERATORS
            continue
        else:
            i += 1
            operand_before = c in _OPERAND_ENDS
        last_word = ""
    return None


def _skip_signature(text: str, i: int) -> int:
    """The index after the function signature ``<...>`` (nested ``<>`` included) opened at ``i``."""
    depth = 0
    while i < len(text):
        depth += {"<": 1, ">": -1}.get(text[i], 0)
        i += 1
        if depth == 0:
            break
    return i


def _skip_quoted(text: str, i: int, quote: str) -> int:
    """The index after the literal opened by ``quote`` at ``i`` (its end, if unterminated)."""
    i += 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":  # a `name` ends at the next backtick, whatever precedes it
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    return i
