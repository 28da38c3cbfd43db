"""--aws-setup (and aws_setup=): what a machine expects, created before it runs, where its AWS
calls go."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import asl_runner
from asl_runner.integrations.setup import SetupError, read_setup

READ = {"StartAt": "Get", "States": {"Get": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
    "Parameters": {"Bucket": "exports", "Key": "hello.txt"}, "ResultSelector": {"Body.$": "$.Body"},
    "End": True}}}
SETUP = [{"service": "s3", "op": "create_bucket", "params": {"Bucket": "exports"}},
         {"service": "s3", "op": "put_object", "params": {"Bucket": "exports", "Key": "hello.txt",
                                                            "Body": "hello"}}]


def test_the_python_api_makes_the_setup_on_the_run_s_own_account():
    ex = asl_runner.run(READ, {}, aws_setup=SETUP, clock="virtual")
    assert (ex.status, ex.output) == ("SUCCEEDED", {"Body": "hello"})


def test_the_cli_makes_the_setup_before_the_run(tmp_path):
    (tmp_path / "machine.json").write_text(json.dumps(READ))
    (tmp_path / "setup.json").write_text(json.dumps(SETUP))
    done = subprocess.run([sys.executable, "-m", "asl_runner.cli", "run", "machine.json", "--json",
                           "--aws-setup", "setup.json", "--clock", "virtual"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout)["output"]) == {"Body": "hello"}


@pytest.mark.parametrize(("calls", "message"), [
    ({"service": "s3"}, "/: a list of calls"),
    ([["s3"]], "/0: a call is an object"),
    ([{"service": "s3"}], "/0/op: a name (string) is required"),
    ([{"service": "s3", "op": "create_bucket", "params": []}], "/0/params:"),
    ([{"service": "s3", "op": "x", "colour": 1}], "/0/colour: unknown key"),
])
def test_a_malformed_setup_says_where(calls, message):
    with pytest.raises(SetupError, match=re.escape(message)):
        read_setup(calls)


def test_a_call_the_service_refuses_names_its_item():
    bad = SETUP + [{"service": "s3", "op": "put_object", "params": {"Bucket": "missing", "Key": "k"}}]
    with pytest.raises(SetupError, match=r"/2: s3.put_object failed: .*NoSuchBucket"):
        asl_runner.run(READ, {}, aws_setup=bad, clock="virtual")
    with pytest.raises(SetupError, match=r"/0/op: the s3 client has no method 'createBucket'"):
        asl_runner.run(READ, {}, aws_setup=[{"service": "s3", "op": "createBucket"}], clock="virtual")
