"""Activities: Create/Describe/Delete/ListActivities and GetActivityTask."""

from __future__ import annotations

import json
import threading
import time

from .arns import parse_arn
from .base import Operations, operation
from .fields import check_name, check_tag_count, tag_map
from .pagination import listing

#: AWS holds a GetActivityTask poll for up to 60 seconds
POLL_SECONDS = 60.0


class Activities(Operations):
    @operation("CreateActivity")
    def create_activity(self, body: dict) -> dict:
        name = check_name(body["name"])
        arn = self._arn("activity", name)
        tags = tag_map(body.get("tags", []))
        check_tag_count(arn, tags | self.store.tags(arn))
        existing = self.store.get_activity(arn)
        created = existing["created"] if existing else self.now()
        if existing is None:
            self.store.put_activity(arn, name, created)
        if tags:
            self.store.put_tags(arn, tags)
        return {"activityArn": arn, "creationDate": created}

    @operation("DescribeActivity")
    def describe_activity(self, body: dict) -> dict:
        row = self._activity(body["activityArn"])
        return {"activityArn": row["arn"], "name": row["name"], "creationDate": row["created"]}

    @operation("DeleteActivity")
    def delete_activity(self, body: dict) -> dict:
        self.store.delete_activity(parse_arn(body["activityArn"], "activity").text)
        return {}

    @operation("ListActivities")
    def list_activities(self, body: dict) -> dict:
        return listing(self.pages, "ListActivities", "activities", self.store.list_activities(), body,
                       lambda r: {"activityArn": r["arn"], "name": r["name"], "creationDate": r["created"]})

    @operation("GetActivityTask")
    def get_activity_task(self, body: dict, *, poll_seconds: float = POLL_SECONDS,
                          waiter: threading.Event | None = None) -> dict:
        """The oldest task waiting for the activity, as soon as there is one, or ``{}`` after
        ``poll_seconds`` (a long poll on the calling thread).

        With ``waiter``, it does not wait: it answers a task, or registers ``waiter`` to be set
        when one arrives and answers ``{}``; the caller waits, then asks again, and calls
        :meth:`forget_activity_waiter` when it gives up.
        """
        arn = body["activityArn"]
        self._activity(arn)
        worker = body.get("workerName")
        if waiter is not None:
            return self._claim(arn, worker, waiter)
        deadline = time.monotonic() + poll_seconds
        while True:
            waiter = threading.Event()
            task = self._claim(arn, worker, waiter)
            if task:
                return task
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not waiter.wait(remaining) or self.host._stopping:
                self.forget_activity_waiter(arn, waiter)
                return {}

    def _claim(self, arn: str, worker: str | None, waiter: threading.Event) -> dict:
        def take() -> dict:
            invocation = self.host.take_activity_task(arn, worker)
            if invocation is None:
                self.host.activity_waiter(arn, waiter)
                return {}
            return {"taskToken": invocation.token, "input": json.dumps(invocation.payload)}

        return self.host.call(take)

    def forget_activity_waiter(self, arn: str, waiter: threading.Event) -> None:
        """A poll that ended without a task stops waiting."""
        self.host.call(lambda: self.host.forget_activity_waiter(arn, waiter))
