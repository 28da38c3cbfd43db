"""The mocked AWS account the examples' tests look into after a run.

asl-runner joins a moto mock that is already active instead of starting (and later
dropping) its own account, so a test that holds one sees what the run left in it: the S3
objects it put, the e-mails SES sent.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

REGION = "us-east-1"


@contextmanager
def mocked_account(setup: Path | None = None) -> Iterator[None]:
    """A mocked account for the block, with ``setup`` (an aws-setup file) made first, as
    ``serve --aws-setup`` makes it."""
    from moto import mock_aws

    from asl_runner.integrations.aws import AwsTarget
    from asl_runner.integrations.setup import apply_setup, read_setup

    with mock_aws() as mock:
        # a clean account even when a mock another test left running holds the backends
        # (moto resets them only when it starts the outermost mock)
        mock.reset()
        if setup is not None:
            target = AwsTarget("moto")
            try:
                apply_setup(target, read_setup(setup), str(setup))
            finally:
                target.close()  # its mock only: the block's account stays
        yield


def sent_mails(region: str = REGION) -> list[EmailMessage]:
    """Every message SES sent, in order (moto keeps them: its documented way to read them is
    its backend), each with ``ses_message_id``, the MessageId SendRawEmail answered."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends

    mails = []
    for sent in ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages:
        mail = email.message_from_string(sent.raw_data, policy=email.policy.default)
        mail.ses_message_id = sent.id
        mails.append(mail)
    return mails


def client(service: str):
    import boto3

    return boto3.client(service, region_name=REGION)
