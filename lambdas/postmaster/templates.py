"""Message templates by name and language. Placeholders are ``$name`` (string.Template):
values are inserted as they are, never interpreted, so user data cannot inject fields."""

from __future__ import annotations

PRIVACY_SENDER = "Privacy Team <privacy@example.com>"
ORDERS_SENDER = "Example Shop <orders@example.com>"
LENDING_SENDER = "Example Bank Lending <loans@bank.example.com>"

TEMPLATES: dict[str, dict] = {
    "gdpr-export-ready": {
        "sender": PRIVACY_SENDER,
        "en": {
            "subject": "Your data export is ready ($caseId)",
            "body": (
                "Hello $displayName,\n\n"
                "as you asked, we have collected the personal data we hold about you and\n"
                "are deleting your account. Download your data here:\n\n"
                "    $downloadUrl\n\n"
                "The link works until $expiresAt. After that the export is deleted too.\n"
                "The ZIP file's SHA-256 checksum is $sha256.\n\n"
                "Reference: $caseId\n"
            ),
        },
        "de": {
            "subject": "Ihr Datenexport ist bereit ($caseId)",
            "body": (
                "Hallo $displayName,\n\n"
                "wie gewünscht haben wir Ihre personenbezogenen Daten zusammengestellt und\n"
                "löschen Ihr Konto. Hier können Sie Ihre Daten herunterladen:\n\n"
                "    $downloadUrl\n\n"
                "Der Link ist bis $expiresAt gültig; danach wird auch der Export gelöscht.\n"
                "SHA-256-Prüfsumme der ZIP-Datei: $sha256\n\n"
                "Vorgang: $caseId\n"
            ),
        },
    },
    "gdpr-erasure-completed": {
        "sender": PRIVACY_SENDER,
        "en": {
            "subject": "Erasure completed for user $userId ($caseId)",
            "body": (
                "To the data protection officer of $organizationName,\n\n"
                "the erasure request $caseId for user $userId is complete: their data was\n"
                "exported to them and purged from $sourceCount data sources on $completedAt.\n"
                "\n"
                "Keep this message as the record of processing for your organisation.\n"
            ),
        },
    },
    "order-confirmation": {
        "sender": ORDERS_SENDER,
        "en": {
            "subject": "Your order $orderId is on its way",
            "body": (
                "Hello $customerName,\n\n"
                "thank you for your order $orderId. We charged $amount and handed your\n"
                "parcel to the carrier; tracking number $trackingNumber.\n"
            ),
        },
    },
    "loan-rejected": {
        "sender": LENDING_SENDER,
        "en": {
            "subject": "Your loan application $applicationId",
            "body": (
                "Dear $applicantName,\n\n"
                "thank you for applying for a loan of $amount. We are sorry: we cannot offer\n"
                "you this loan. Our decision rests on your credit report from $bureau:\n\n"
                "$reasons\n\n"
                "You may ask $bureau for a free copy of your report within 60 days and\n"
                "dispute anything in it that is wrong.\n\n"
                "Reference: $applicationId\n"
            ),
        },
    },
    "loan-declined": {
        "sender": LENDING_SENDER,
        "en": {
            "subject": "Your loan application $applicationId",
            "body": (
                "Dear $applicantName,\n\n"
                "we have reviewed your application for a loan of $amount and cannot\n"
                "approve it. The reason our lending manager gave:\n\n"
                "    $reason\n\n"
                "Your loan officer will be glad to talk about other options.\n\n"
                "Reference: $applicationId\n"
            ),
        },
    },
    "loan-funded": {
        "sender": LENDING_SENDER,
        "en": {
            "subject": "Your loan $applicationId has been paid out",
            "body": (
                "Dear $applicantName,\n\n"
                "we have paid out your loan of $amount ($fundingId). You repay it in\n"
                "$termMonths monthly instalments of $monthlyPayment at $rate a year; the\n"
                "first one is due on $firstPaymentDue.\n\n"
                "Reference: $applicationId\n"
            ),
        },
    },
    "loan-approval-requested": {
        "sender": LENDING_SENDER,
        "en": {
            "subject": "Approval needed: loan $applicationId for $applicantName ($amount)",
            "body": (
                "Hello $approverName,\n\n"
                "${escalationNote}loan application $applicationId waits for your decision:\n\n"
                "$summary\n\n"
                "Answer in the approvals inbox (request $requestFile) by $respondBy.\n"
                "Without an answer it goes to $nextStep.\n"
            ),
        },
    },
}
