"""Between test modules, no in-process AWS account stays open.

A test that builds ``Integrations`` (or a service) itself and does not close it leaves its moto
account started and its environment changes made; the next module's runs would then join that
account (moto nests rather than resets) and find its buckets and tables. Each module's own
fixtures are torn down first, so only what nothing closed is closed here.
"""

from __future__ import annotations

import sys

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    yield
    if nextitem is not None and nextitem.module is item.module:
        return
    aws = sys.modules.get("asl_runner.integrations.aws")
    if aws is not None:
        aws.close_open_targets()
