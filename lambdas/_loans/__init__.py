"""The loan example's world: the application, the lender's records, money and pricing.

What the handlers remember lives in the records folder, one file per application and kind
(loans/APPLICATION/KIND.json: credit, income, appraisal, approval, funding). The application
id is the idempotency key of every step: a retried or re-run step finds its record and
returns it instead of pulling credit twice or paying a loan out twice.

An outage file (records/outages/core-banking.json) makes the core banking system refuse
payouts, the way a test or a curious user exercises FundLoan's retries.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from _common import InvalidRequest, folder, read_json, safe_id, write_json

#: the lender's credit policy, in one place so the rejection letter and the check agree
MIN_SCORE = 660
MAX_DTI_BPS = 4300  # debt-to-income: the usual 43 % ceiling for a qualified mortgage
MAX_LTV_BPS = 8000  # loan-to-value above 80 % needs mortgage insurance


class CoreBankingUnavailable(Exception):
    """The core banking system did not answer: transient, retried with back-off."""


def application(event: dict[str, Any]) -> dict[str, Any]:
    """The application, checked once for every field a step reads.

    Any step may be the first to see a malformed application (a redrive, a test calling a
    handler directly), so each one checks instead of trusting the step before it.
    """
    if not isinstance(event, dict):
        raise InvalidRequest("the application must be a JSON object")
    safe_id(event.get("applicationId"), "applicationId")
    applicant = _object(event, "applicant")
    safe_id(applicant.get("applicantId"), "applicant.applicantId")
    _text(applicant, "name", "applicant")
    _positive(applicant, "declaredAnnualIncomeCents", "applicant")
    if not isinstance(applicant.get("email"), str) or "@" not in applicant["email"].strip("@"):
        raise InvalidRequest(f"applicant.email must be an e-mail address, got {applicant.get('email')!r}")
    loan = _object(event, "loan")
    _positive(loan, "amountCents", "loan")
    _positive(loan, "termMonths", "loan")
    _text(loan, "currency", "loan")
    _positive(_object(event, "property"), "purchasePriceCents", "property")
    return event


def _object(doc: dict, field: str) -> dict:
    value = doc.get(field)
    if not isinstance(value, dict):
        raise InvalidRequest(f"{field} must be an object, got {value!r}")
    return value


def _text(doc: dict, field: str, where: str) -> str:
    value = doc.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{where}.{field} must be a non-empty string, got {value!r}")
    return value


def _positive(doc: dict, field: str, where: str) -> int:
    # money in integer cents: floats cannot hold 0.10 and would drift over 360 instalments
    value = doc.get(field)
    if type(value) is not int or value <= 0:
        raise InvalidRequest(f"{where}.{field} must be a positive integer, got {value!r}")
    return value


def load(application_id: str, kind: str) -> dict | None:
    return read_json(folder("records") / "loans" / application_id / f"{kind}.json")


def save(application_id: str, kind: str, record: dict) -> dict:
    write_json(folder("records") / "loans" / application_id / f"{kind}.json", record)
    return record


def require_core_banking() -> None:
    outage = read_json(folder("records") / "outages" / "core-banking.json")
    if outage is not None:
        raise CoreBankingUnavailable(f"core banking is unavailable ({outage.get('reason', 'outage')})")


# ---------------------------------------------------------------------------- money and pricing

def money(cents: int, currency: str) -> str:
    return f"{currency} {cents // 100:,}.{cents % 100:02d}"


def percent(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d} %"


def rate_bps(score: int) -> int:
    """The yearly interest rate offered for a credit score, in basis points.

    Underwriting and the documents are computed in parallel, so both derive the rate from
    the credit report with this one function instead of one waiting for the other.
    """
    for floor, bps in ((760, 375), (720, 400), (690, 425)):
        if score >= floor:
            return bps
    return 450


def monthly_payment_cents(principal_cents: int, bps: int, months: int) -> int:
    """The annuity instalment, rounded half up to the cent, as a lender's schedule shows it."""
    rate = Decimal(bps) / Decimal(120000)  # a twelfth of the yearly rate, from basis points
    if rate == 0:
        payment = Decimal(principal_cents) / months
    else:
        payment = Decimal(principal_cents) * rate / (1 - (1 + rate) ** -months)
    return int(payment.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ratio_bps(part: int, whole: int) -> int:
    return int((Decimal(part) * 10000 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def terms(doc: dict[str, Any]) -> dict[str, Any]:
    """The loan's price and instalment, from the application and its credit report."""
    loan = doc["loan"]
    bps = rate_bps(doc["credit"]["score"])
    return {"rateBps": bps,
            "monthlyPaymentCents": monthly_payment_cents(loan["amountCents"], bps, loan["termMonths"])}


def first_of_month_after_next(moment: dt.datetime) -> dt.date:
    # a payout leaves at least a full month before the first instalment
    month = moment.month + 2
    year = moment.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)

