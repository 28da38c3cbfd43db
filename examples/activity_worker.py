#!/usr/bin/env python3
"""The signing desk: the activity worker behind the loan example's CollectSignature step.

    python examples/activity_worker.py [--endpoint-url http://127.0.0.1:8083] [--once]

Step Functions never calls an activity worker: the worker asks for work (GetActivityTask,
a long poll of up to 60 seconds), does it, and reports back (SendTaskSuccess or
SendTaskFailure). That is why signing is an activity: the bank's signing key stays with the
worker behind the firewall, and nothing has to reach in. While the applicant takes their
time, the worker sends SendTaskHeartbeat, so a worker that dies is noticed within the
state's HeartbeatSeconds (a minute) instead of its TimeoutSeconds (a week).

It needs only boto3. Against a local `asl-runner serve` any credentials do; without any
configured it uses dummy ones. Signed envelopes are kept under ASL_RUNNER_RECORDS_DIR
(default ./records) in signatures/, which also makes a redelivered task harmless.

When the endpoint goes away (a restart, a network outage) the desk says so in one line, waits
(1 s, then twice as long each time, at most 30 s) and polls again. A task it was working on
is left to Step Functions: without heartbeats, HeartbeatSeconds hands it out again, and the
envelope on disk means the applicant is not asked twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import socket
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:CollectSignature"
ENDPOINT = "http://127.0.0.1:8083"
#: seconds to wait before polling again after the endpoint could not be reached: the first
#: wait, and the longest (it doubles in between)
BACKOFF = (1.0, 30.0)


class TaskError(Exception):
    """A failure to report with SendTaskFailure: ``error`` is what the state's Catch matches."""

    def __init__(self, error: str, cause: str):
        super().__init__(cause)
        self.error = error
        self.cause = cause


class TaskGone(Exception):
    """Step Functions no longer waits for this task (timed out, or the execution stopped)."""


def make_client(endpoint_url: str | None, region: str = "us-east-1") -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", region))
    dummy = {}
    if session.get_credentials() is None:  # a local endpoint does not check them
        dummy = {"aws_access_key_id": "x", "aws_secret_access_key": "x"}
    # GetActivityTask holds a poll for up to 60 s: AWS asks workers for a socket timeout of at
    # least 65 s. The desk retries an unreachable endpoint itself (see run), so that it can
    # say so, instead of botocore retrying silently first.
    config = Config(read_timeout=70, connect_timeout=5,
                    retries={"mode": "standard", "total_max_attempts": 1})
    return session.client("stepfunctions", endpoint_url=endpoint_url or None, config=config, **dummy)


def _code(exc: Exception) -> str | None:
    return getattr(exc, "response", {}).get("Error", {}).get("Code")


def _unreachable(exc: Exception) -> bool:
    """The endpoint did not answer (refused, reset, timed out) or failed itself (HTTP 5xx),
    as opposed to an answer about the request."""
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return True
    status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return isinstance(status, int) and status >= 500


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _records() -> Path:
    return Path(os.environ.get("ASL_RUNNER_RECORDS_DIR") or "records").resolve() / "signatures"


def _save(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _verified(documents: Any) -> list[dict]:
    """The documents as generated, or TaskError: nobody signs a file that changed since."""
    if not isinstance(documents, list) or not documents:
        raise TaskError("Signature.NoDocuments", "there is nothing to sign")
    out = []
    for doc in documents:
        path = Path(doc.get("path", ""))
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise TaskError("Signature.DocumentMismatch", f"{doc.get('name')}: {exc.strerror}") from None
        if digest != doc.get("sha256"):
            raise TaskError("Signature.DocumentMismatch",
                            f"{doc.get('name')} changed after it was generated "
                            f"(sha256 {digest}, expected {doc.get('sha256')})")
        out.append({"name": doc["name"], "sha256": digest})
    return out


def sign(task: dict, heartbeat, *, sign_seconds: float = 2.0, heartbeat_every: float = 20.0,
         worker: str = "signing-desk", stop: threading.Event | None = None) -> dict:
    """Have the applicant sign the task's documents; returns the signed envelope."""
    documents = _verified(task.get("documents"))
    signer = task.get("signer") or {}
    if not signer.get("email"):
        raise TaskError("Signature.NoSigner", "the task names no signer e-mail address")
    # the same application and documents are the same envelope: a redelivered task (after a
    # worker died mid-way) finds it instead of asking the applicant to sign twice
    key = "\n".join([str(task.get("applicationId"))] + [d["sha256"] for d in documents])
    envelope = "env-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    path = _records() / f"{envelope}.json"
    if path.exists():
        return json.loads(path.read_text())

    # stands in for the applicant opening the e-mail and signing: it takes a while
    stop = stop or threading.Event()
    remaining = sign_seconds
    while remaining > 0:
        heartbeat()
        step = min(heartbeat_every, remaining)
        if stop.wait(step):
            raise TaskGone("the worker is shutting down")
        remaining -= step

    record = {
        "envelopeId": envelope,
        "status": "SIGNED",
        "applicationId": task.get("applicationId"),
        "signer": {"name": signer.get("name"), "email": signer["email"]},
        "documents": documents,
        "approvedBy": task.get("approvedBy"),
        "signedAt": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "worker": worker,
    }
    _save(path, record)
    return record


def work_once(client: Any, activity_arn: str = ACTIVITY_ARN, worker: str = "signing-desk",
              log=print, **options: Any) -> bool:
    """Poll once; if a task came, do it and report. True when a task was handled."""
    task = client.get_activity_task(activityArn=activity_arn, workerName=worker)
    token = task.get("taskToken")
    if not token:
        return False  # the long poll ended without work

    def heartbeat() -> None:
        try:
            client.send_task_heartbeat(taskToken=token)
        except Exception as exc:
            if _code(exc) in ("TaskTimedOut", "TaskDoesNotExist"):
                raise TaskGone(str(exc)) from None
            raise

    request: Any = {}
    try:
        request = json.loads(task["input"])
        result = sign(request, heartbeat, worker=worker, **options)
    except TaskGone as exc:
        log(f"{worker}: task abandoned: {exc}")
        return True
    except TaskError as exc:
        log(f"{worker}: {request.get('applicationId')}: {exc.error}: {exc.cause}")
        client.send_task_failure(taskToken=token, error=exc.error, cause=exc.cause)
        return True
    except Exception as exc:
        if _unreachable(exc):
            raise  # nobody to report to: run() waits for the endpoint to come back
        log(f"{worker}: task failed: {type(exc).__name__}: {exc}")  # a bug must not kill the desk
        client.send_task_failure(taskToken=token, error=type(exc).__name__[:256], cause=str(exc)[:32768])
        return True
    log(f"{worker}: {result['applicationId']} signed by {result['signer']['email']} "
        f"({result['envelopeId']})")
    try:
        client.send_task_success(taskToken=token, output=json.dumps(result))
    except Exception as exc:
        if _code(exc) != "TaskTimedOut":
            raise
        log(f"{worker}: too late for {result['applicationId']}: the task timed out")
    return True


def run(client: Any, activity_arn: str = ACTIVITY_ARN, worker: str = "signing-desk",
        stop: threading.Event | None = None, once: bool = False, log=print,
        backoff: tuple[float, float] = BACKOFF, **options: Any) -> None:
    """Serve tasks until ``stop`` is set (or after one task with ``once``), outlasting
    restarts of the endpoint."""
    stop = stop or threading.Event()
    first, longest = backoff
    delay = 0.0
    create = True  # at start, and after an outage: the endpoint may have lost the activity
    while not stop.is_set():
        try:
            if create:
                _create_activity(client, activity_arn)
                create = False
                if delay:
                    log(f"{worker}: reconnected; polling {activity_arn}")
                    delay = 0.0
            handled = work_once(client, activity_arn, worker, log=log, stop=stop, **options)
        except Exception as exc:
            if not _unreachable(exc):
                raise
            delay = min(longest, delay * 2) if delay else first
            log(f"{worker}: cannot reach the endpoint ({_reason(exc)}); polling again in {delay:g} s")
            create = True
            stop.wait(delay)
            continue
        if handled and once:
            return


def _create_activity(client: Any, activity_arn: str) -> None:
    # creating an activity that exists is a no-op, and it lets the desk start first
    client.create_activity(name=activity_arn.rsplit(":", 1)[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint-url", default=ENDPOINT,
                        help=f"Step Functions endpoint (default {ENDPOINT}; '' for AWS itself)")
    parser.add_argument("--activity-arn", default=ACTIVITY_ARN)
    parser.add_argument("--worker-name", default=f"signing-desk@{socket.gethostname()}")
    parser.add_argument("--sign-seconds", type=float, default=2.0,
                        help="how long the applicant takes to sign (default 2)")
    parser.add_argument("--heartbeat-every", type=float, default=20.0,
                        help="seconds between heartbeats; keep it well under HeartbeatSeconds")
    parser.add_argument("--once", action="store_true", help="exit after one task")
    args = parser.parse_args(argv)

    client = make_client(args.endpoint_url)
    print(f"{args.worker_name}: polling {args.activity_arn} at {args.endpoint_url or 'AWS'}", file=sys.stderr)
    try:
        run(client, args.activity_arn, args.worker_name, once=args.once,
            log=lambda line: print(line, file=sys.stderr, flush=True),
            sign_seconds=args.sign_seconds, heartbeat_every=args.heartbeat_every)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
