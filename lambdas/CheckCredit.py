"""Pull the applicant's credit report and rate it GOOD or POOR against the lending policy.

The report is pulled once per application: a hard inquiry shows on the applicant's credit
file, so a retry or a re-run returns the first report instead of asking the bureau again.
"""

from __future__ import annotations

import _loans
from _common import parse_time
from _loans import bureau


def handler(event, context):
    doc = _loans.application(event["application"])
    app = doc["applicationId"]
    existing = _loans.load(app, "credit")
    if existing is not None:
        return existing
    checked_at = parse_time(event["checkedAt"], "checkedAt")
    applicant = doc["applicant"]["applicantId"]
    file = bureau.report(applicant)
    rating, reasons = bureau.assess(file, checked_at)
    return _loans.save(app, "credit", {
        "reportId": f"cr-{app}",
        "bureau": bureau.name(),
        "applicantId": applicant,
        "rating": rating,
        "score": None if file is None else file["score"],
        "monthlyDebtCents": 0 if file is None else file["monthlyDebtCents"],
        "reasons": reasons,
        "checkedAt": event["checkedAt"],
    })
