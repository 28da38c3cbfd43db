"""Tags of state machines and activities: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from .arns import parse_arn
from .base import Operations, operation
from .errors import resource_not_found
from .fields import check_tag_count, tag_map


class Tags(Operations):
    def _taggable(self, text: str) -> str:
        """A state machine's or an activity's own ARN; a version or alias has no tags (AWS:
        ResourceNotFound for a version ARN)."""
        arn = parse_arn(text, "stateMachine", "activity")
        exists = (self.store.get_state_machine(text) if arn.type == "stateMachine"
                  else self.store.get_activity(text))
        if exists is None:
            raise resource_not_found(text)
        return text

    @operation("TagResource")
    def tag_resource(self, body: dict) -> dict:
        arn = self._taggable(body["resourceArn"])
        tags = tag_map(body["tags"])
        check_tag_count(arn, self.store.tags(arn) | tags)
        self.store.put_tags(arn, tags)
        return {}

    @operation("UntagResource")
    def untag_resource(self, body: dict) -> dict:
        arn = self._taggable(body["resourceArn"])
        self.store.delete_tags(arn, body["tagKeys"])
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, body: dict) -> dict:
        arn = self._taggable(body["resourceArn"])
        return {"tags": [{"key": k, "value": v} for k, v in self.store.tags(arn).items()]}
