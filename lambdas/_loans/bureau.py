"""A fake credit bureau: a handful of consumers' credit files in credit_bureau.json.

Applicants do not declare their own credit, so a scenario picks a person the bureau knows;
someone it does not know has no file, which a lender treats as no credit history.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from . import MIN_SCORE


@cache
def _bureau() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("credit_bureau.json")).read_text())


def name() -> str:
    return _bureau()["bureau"]


def report(applicant_id: str) -> dict[str, Any] | None:
    found = _bureau()["files"].get(applicant_id)
    return None if found is None else dict(found)


def assess(file: dict[str, Any] | None, checked_at: dt.datetime) -> tuple[str, list[str]]:
    """("GOOD" | "POOR", the reasons for POOR), as an adverse-action notice must list them."""
    if file is None:
        return "POOR", ["The credit bureau holds no credit history for you."]
    reasons = []
    if file["score"] < MIN_SCORE:
        reasons.append(f"Your credit score of {file['score']} is below our minimum of {MIN_SCORE}.")
    if file["latePayments24Months"]:
        reasons.append(f"{file['latePayments24Months']} payments were 60 or more days late in the "
                       "last 24 months.")
    for bankruptcy in file["bankruptcies"]:
        filed = dt.date.fromisoformat(bankruptcy["filed"])
        if (checked_at.date() - filed).days < 7 * 365:
            reasons.append(f"A bankruptcy was filed on {filed.isoformat()}, less than seven years "
                           "ago.")
    return ("POOR" if reasons else "GOOD"), reasons
