"""``asl-runner redrive``: RedriveExecution against ``asl-runner serve``."""

from __future__ import annotations

import argparse

from ..cli import _add_endpoint_url, _call_api, _echo


def redrive(execution_arn: str, client_token: str | None, endpoint_url: str) -> None:
    """Restart a FAILED, ABORTED or TIMED_OUT execution from the state that stopped it.

    It keeps its ARN, input and history; the states that had succeeded do not run again, and
    of a Parallel or Map only the branches and iterations that failed or did not finish run
    again. Prints RedriveExecution's answer ({"redriveDate": ...}). AWS's refusal exits 1:
    ExecutionNotRedrivable (it succeeded or runs, it is an Express execution, it stopped more
    than 14 days ago, its history is full).

        asl-runner redrive --execution-arn arn:aws:states:us-east-1:123456789012:execution:M:E
    """
    from ..history import iso_timestamp
    from ..jsonvalue import dumps

    body = {"executionArn": execution_arn}
    if client_token is not None:
        body["clientToken"] = client_token
    answer = _call_api(endpoint_url, "RedriveExecution", body)
    _echo(dumps({"redriveDate": iso_timestamp(answer["redriveDate"])}))


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--execution-arn", required=True, metavar="ARN",
                        help="The execution to redrive.")
    parser.add_argument("--client-token", metavar="TOKEN",
                        help="Makes the request idempotent: the same token again redrives once "
                             "(1 to 64 printable ASCII characters).")
    _add_endpoint_url(parser)
