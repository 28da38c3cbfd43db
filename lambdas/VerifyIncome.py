"""Check the declared income against the applicant's payslips.

An income that the payslips do not support is a finding for the manager, not an error:
the step reports it (verified: false) and the approval request shows it.
"""

from __future__ import annotations

import _loans
from _common import InvalidRequest

TOLERANCE_PERCENT = 5  # bonuses and overtime make payslips vary; declared may exceed them this much
MIN_PAYSLIPS = 2


def handler(event, context):
    doc = _loans.application(event["application"])
    app = doc["applicationId"]
    existing = _loans.load(app, "income")
    if existing is not None:
        return existing
    applicant = doc["applicant"]
    payslips = applicant.get("payslips") or []
    if not isinstance(payslips, list):
        raise InvalidRequest("applicant.payslips must be a list")
    gross = []
    for i, slip in enumerate(payslips):
        cents = slip.get("grossCents") if isinstance(slip, dict) else None
        if type(cents) is not int or cents < 0:
            raise InvalidRequest(f"applicant.payslips[{i}].grossCents must be a non-negative integer")
        gross.append(cents)
    declared = applicant["declaredAnnualIncomeCents"]
    verified_annual = sum(gross) * 12 // len(gross) if gross else 0
    notes = []
    if len(gross) < MIN_PAYSLIPS:
        notes.append(f"{len(gross)} payslips supplied, {MIN_PAYSLIPS} needed")
    if declared * 100 > verified_annual * (100 + TOLERANCE_PERCENT):
        notes.append("declared income exceeds what the payslips show")
    employers = sorted({s.get("employer") for s in payslips if isinstance(s, dict) and s.get("employer")})
    return _loans.save(app, "income", {
        "verified": not notes,
        "declaredAnnualIncomeCents": declared,
        "verifiedAnnualIncomeCents": verified_annual,
        "payslipCount": len(gross),
        "employers": employers,
        "notes": notes,
        "verifiedAt": event["verifiedAt"],
    })
