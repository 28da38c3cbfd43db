"""TestState: one state run once, outside any state machine or execution (nothing is stored).

The operation is the engine's (``engine/test_state.py``); here the request's JSON text fields
go to it as they came, and its refusals become API errors. The state runs on the request's
thread with an engine of its own; an unmocked Task calls the integrations every execution of
this service uses.
"""

from __future__ import annotations

from ..engine.test_state import TestStateError, test_state
from .base import Operations, operation
from .errors import ApiError


class TestStates(Operations):
    __test__ = False  # not a pytest test class, whatever its name

    @operation("TestState")
    def test_state(self, body: dict) -> dict:
        try:
            return test_state(
                body["definition"], body.get("input"),
                inspection_level=body.get("inspectionLevel", "INFO"),
                variables=body.get("variables"), mock=body.get("mock"),
                state_name=body.get("stateName"), context=body.get("context"),
                state_configuration=body.get("stateConfiguration"),
                reveal_secrets=body.get("revealSecrets", False), role_arn=body.get("roleArn"),
                invoker=self.host.invoker, local=False)
        except TestStateError as exc:
            raise ApiError(exc.code, exc.message) from None
