"""The approvals inbox: one JSON file per application waiting for a lending manager.

The inbox (ASL_RUNNER_APPROVALS_DIR, default ./approvals) stands in for the lender's
approval screen. A request file holds the task token, which is all anyone needs to decide
the application, so the token goes into the inbox only and never into e-mail: the e-mail
says that a request waits, the inbox is where it is answered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import money, percent

ENDPOINT = "http://127.0.0.1:8083"

#: who decides: the branch manager first; if nobody answers in time, the regional manager
APPROVERS = {
    False: {"name": "Margaret Hamilton", "role": "Branch lending manager",
            "email": "margaret.hamilton@bank.example.com"},
    True: {"name": "Radia Perlman", "role": "Regional credit manager",
           "email": "radia.perlman@bank.example.com"},
}


def inbox() -> Path:
    return Path(os.environ.get("ASL_RUNNER_APPROVALS_DIR") or "approvals").resolve()


def request_path(application_id: str) -> Path:
    return inbox() / f"{application_id}.json"


def summary(doc: dict[str, Any]) -> list[str]:
    """What a manager needs to decide, one short line per finding."""
    applicant, loan, credit = doc["applicant"], doc["loan"], doc["credit"]
    found = doc["assessment"]
    income, appraisal = found["incomeVerification"], found["appraisal"]
    uw = found["underwriting"]
    cur = loan["currency"]
    conditions = "; ".join(uw["conditions"]) or "none"
    return [
        f"Applicant: {applicant['name']} ({applicant['applicantId']}), {applicant['email']}",
        f"Loan: {money(loan['amountCents'], cur)} over {loan['termMonths']} months "
        f"at {percent(uw['rateBps'])}, {money(uw['monthlyPaymentCents'], cur)} a month",
        f"Credit: score {credit['score']} ({credit['rating']}), existing debt "
        f"{money(credit['monthlyDebtCents'], cur)} a month",
        f"Income: declared {money(income['declaredAnnualIncomeCents'], cur)} a year, "
        f"verified {money(income['verifiedAnnualIncomeCents'], cur)} "
        f"({'VERIFIED' if income['verified'] else 'NOT VERIFIED'})",
        f"Property: price {money(appraisal['purchasePriceCents'], cur)}, appraised "
        f"{money(appraisal['appraisedValueCents'], cur)}",
        f"Underwriting: {uw['recommendation']}; debt-to-income {percent(uw['dtiBps'])}, "
        f"loan-to-value {percent(uw['ltvBps'])}",
        f"Conditions: {conditions}",
        "Documents: " + ", ".join(d["name"] for d in found["documents"]["documents"]),
    ]


def answers(token: str, approver: str) -> dict[str, str]:
    """Ready-to-run commands; a decision is SendTaskSuccess either way (see the definition)."""
    base = f"aws stepfunctions send-task-success --endpoint-url {ENDPOINT} --task-token {token}"
    return {
        "approve": f"{base} --task-output '{{\"approved\": true, \"approver\": \"{approver}\"}}'",
        "decline": f"{base} --task-output '{{\"approved\": false, \"approver\": \"{approver}\", "
                   f"\"reason\": \"...\"}}'",
    }
