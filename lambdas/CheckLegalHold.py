"""Is the user's data under a legal hold of their organisation?

GDPR Art. 17(3)(e) exempts data needed for legal claims from erasure. An enterprise customer
places holds in its own register; erasing held data would be spoliation of evidence, so an
active hold sends the case to a person instead of on to the purge.
"""

from __future__ import annotations

from _gdpr import systems


def handler(event, context):
    case = event["case"]
    holds = systems.legal_holds(case["organization"]["orgId"], case["userId"])
    return {"active": bool(holds), "holds": holds}
