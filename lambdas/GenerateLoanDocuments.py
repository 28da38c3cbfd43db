"""Write the documents the applicant signs: the loan agreement and the ESIS.

The text is a function of the application and the credit report only, so a retry writes
the same bytes and the SHA-256 in the result stays true. The signing step checks those
hashes: what is signed is exactly what was generated and shown to the manager.
"""

from __future__ import annotations

import _loans
from _common import folder, sha256, write_bytes


def _agreement(doc, terms):
    loan, applicant, prop = doc["loan"], doc["applicant"], doc["property"]
    cur = loan["currency"]
    address = ", ".join(str(v) for v in (prop.get("address") or {}).values())
    return (
        f"LOAN AGREEMENT {doc['applicationId']}\n\n"
        f"Lender: Example Bank\n"
        f"Borrower: {applicant['name']} ({applicant['applicantId']})\n"
        f"Principal: {_loans.money(loan['amountCents'], cur)}\n"
        f"Interest: {_loans.percent(terms['rateBps'])} a year, fixed\n"
        f"Term: {loan['termMonths']} monthly instalments of "
        f"{_loans.money(terms['monthlyPaymentCents'], cur)}\n"
        f"Security: first-ranking mortgage on {address or 'the property'}\n\n"
        "Signed electronically by the borrower.\n"
    )


def _esis(doc, terms):
    loan = doc["loan"]
    cur = loan["currency"]
    total = terms["monthlyPaymentCents"] * loan["termMonths"]
    return (
        f"EUROPEAN STANDARDISED INFORMATION SHEET {doc['applicationId']}\n\n"
        f"Amount of credit: {_loans.money(loan['amountCents'], cur)}\n"
        f"Borrowing rate: {_loans.percent(terms['rateBps'])} fixed for the whole term\n"
        f"Number of instalments: {loan['termMonths']}\n"
        f"Instalment: {_loans.money(terms['monthlyPaymentCents'], cur)}\n"
        f"Total amount to repay: {_loans.money(total, cur)}\n"
    )


def handler(event, context):
    doc = _loans.application(event["application"])
    terms = _loans.terms(doc)
    out = folder("archive") / "loans" / doc["applicationId"]
    documents = []
    for name, text in (("loan-agreement.txt", _agreement(doc, terms)), ("esis.txt", _esis(doc, terms))):
        data = text.encode()
        path = out / name
        write_bytes(path, data)
        documents.append({"name": name, "path": str(path), "sha256": sha256(data), "bytes": len(data)})
    return {"documents": documents, "generatedAt": event["generatedAt"]}
