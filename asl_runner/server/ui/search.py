"""Finding executions by correlation id, for the web view's search box.

Step Functions has no correlation id; the web view takes it to be the string field
``correlationId`` at the top of an execution's input (``{"correlationId": "order-7", ...}``),
the place a caller that starts executions for its own requests most often puts one. ListExecutions
returns no input, so this one read of the store answers the search instead.
"""

from __future__ import annotations

from typing import Any

from ...service.executions import _listed

#: the input field that holds an execution's correlation id
FIELD = "correlationId"
#: at most this many matches, newest first (ListExecutions' largest page)
LIMIT = 1000


def by_correlation_id(service: Any, correlation_id: str, machine_arn: str | None = None) -> list[dict]:
    """The executions whose input's ``correlationId`` is ``correlation_id``, shaped as
    ListExecutions' items."""
    sql = ("SELECT arn, machine_arn, name, status, start_date, stop_date, version_arn, alias_arn"
           " FROM executions WHERE json_valid(input) AND json_type(input) = 'object'"
           f" AND json_extract(input, '$.{FIELD}') = ?")
    args: list[Any] = [correlation_id]
    if machine_arn:
        sql += " AND machine_arn = ?"
        args.append(machine_arn)
    sql += " ORDER BY start_date DESC, arn DESC LIMIT ?"
    args.append(LIMIT)
    return [_listed(dict(row)) for row in service.store.reader.execute(sql, args).fetchall()]
