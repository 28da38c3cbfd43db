"""Price the loan and measure its risk: debt-to-income and loan-to-value against policy.

It runs beside income verification and the appraisal, so it works from the declared
income and the purchase price; the manager sees both kinds of figure side by side.
"""

from __future__ import annotations

import _loans


def handler(event, context):
    doc = _loans.application(event["application"])
    loan, applicant = doc["loan"], doc["applicant"]
    terms = _loans.terms(doc)
    monthly_income = applicant["declaredAnnualIncomeCents"] // 12
    dti = _loans.ratio_bps(doc["credit"]["monthlyDebtCents"] + terms["monthlyPaymentCents"],
                           monthly_income)
    ltv = _loans.ratio_bps(loan["amountCents"], doc["property"]["purchasePriceCents"])
    conditions = []
    if dti > _loans.MAX_DTI_BPS:
        conditions.append(f"debt-to-income {_loans.percent(dti)} exceeds "
                          f"{_loans.percent(_loans.MAX_DTI_BPS)}")
    if ltv > _loans.MAX_LTV_BPS:
        conditions.append(f"loan-to-value {_loans.percent(ltv)} exceeds "
                          f"{_loans.percent(_loans.MAX_LTV_BPS)}: mortgage insurance required")
    return {
        "recommendation": "REFER" if conditions else "APPROVE",
        "conditions": conditions,
        "dtiBps": dti,
        "ltvBps": ltv,
        **terms,
    }
