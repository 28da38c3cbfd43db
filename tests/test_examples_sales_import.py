"""The sales import example: a Distributed Map over a CSV in (moto) S3, PriceSale as a local
handler, ResultWriter, ToleratedFailurePercentage, a failure past it and a redrive after the
catalogue is fixed; in-process, and the README's walkthrough under `serve` exactly as written
(the AWS CLI, `asl-runner redrive`)."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from example_aws import client, mocked_account
from test_crash import EXE, free_port

import asl_runner
from asl_runner.validate import validate_definition

REPO = Path(__file__).resolve().parents[1]
DEFINITION = REPO / "definitions" / "sales_import.asl.json"
FOLDER = REPO / "definitions" / "sales_import"
LAMBDAS = REPO / "lambdas"
BAD_ROW = "line 6: quantity 'two' is not a whole number of items"
UNKNOWN = {"line 13: no product 'SCARF-AUTUMN' in the catalogue",
           "line 24: no product 'MUG-AUTUMN' in the catalogue",
           "line 32: no product 'SCARF-AUTUMN' in the catalogue"}


@pytest.fixture
def records(tmp_path, monkeypatch):
    monkeypatch.setenv("ASL_RUNNER_RECORDS_DIR", str(tmp_path / "records"))
    return tmp_path / "records"


@pytest.fixture
def price_sale(records, monkeypatch):
    """The example's handler, counting its calls by sale id."""
    monkeypatch.syspath_prepend(str(LAMBDAS))
    module = importlib.import_module("PriceSale")
    calls: Counter = Counter()

    def counted(event, context):
        calls[event["sale"]["saleId"]] += 1
        return module.handler(event, context)

    counted.calls = calls
    return counted


def s3_json(bucket: str, key: str):
    return json.loads(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def test_the_definition_is_valid():
    assert validate_definition(json.loads(DEFINITION.read_text())) == []


def test_past_the_tolerated_percentage_it_fails_then_a_redrive_runs_only_the_unsuccessful_rows(
        records, price_sale):
    with mocked_account(FOLDER / "aws_setup.json"):
        request = json.loads((FOLDER / "2026-12-01.json").read_text())
        ex = asl_runner.run(str(DEFINITION), request, handlers={"PriceSale": price_sale})
        assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
        [map_run] = ex.map_runs.values()
        first = map_run.describe()["itemCounts"]
        assert first["failed"] >= 3 and first["total"] == 40
        succeeded_first = first["succeeded"]
        called_first = set(price_sale.calls)

        (records / "catalogue").mkdir(parents=True)
        shutil.copy(FOLDER / "autumn_range.json", records / "catalogue")
        price_sale.calls.clear()
        asl_runner.redrive(ex, handlers={"PriceSale": price_sale})

        assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
        counts = map_run.describe()
        assert counts["redriveCount"] == 1 and counts["status"] == "SUCCEEDED"
        assert (counts["itemCounts"]["succeeded"], counts["itemCounts"]["failed"]) == (39, 1)
        # the rows that succeeded were not priced again: 40 rows priced once each, but line 6
        assert sum(price_sale.calls.values()) == 40 - succeeded_first
        assert "S-1005" in price_sale.calls and len(called_first | set(price_sale.calls)) == 40
        manifest = ex.output
        assert manifest["MapRunArn"] == map_run.arn
        files = manifest["ResultFiles"]
        [succeeded] = files["SUCCEEDED"]
        [failed] = files["FAILED"]
        priced = s3_json("sales-results", succeeded["Key"])
        assert sorted(json.loads(r["Output"])["saleId"] for r in priced) == sorted(
            f"S-{1001 + i}" for i in range(40) if i != 4)
        [bad] = s3_json("sales-results", failed["Key"])
        assert bad["Error"] == "BadSaleRow"
        assert json.loads(bad["Cause"])["errorMessage"] == BAD_ROW  # Lambda's error, as JSON
        scarf = next(json.loads(r["Output"]) for r in priced
                     if json.loads(r["Output"])["saleId"] == "S-1012")
        assert scarf == {"saleId": "S-1012", "store": "EDI-03", "sku": "SCARF-AUTUMN",
                         "quantity": 1, "total": 24.0}


def walkthrough() -> tuple[str, str]:
    """(terminal 1's command, terminal 2's commands as one script), as the README has them."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n### Sales import")
    section = readme[start:readme.index("\n### ", start + 1)]
    blocks = ["\n".join(line[4:] for line in block.splitlines())
              for block in re.findall(r"\n\n((?:    .*\n?)+)", section)]
    serve, *terminal2 = blocks
    return serve.split("#")[0].strip(), "\n".join(terminal2)


@pytest.mark.skipif(not Path(EXE).exists(), reason="the asl-runner command is not installed")
@pytest.mark.skipif(shutil.which("aws", path=str(Path(sys.executable).parent)) is None,
                    reason="the AWS CLI (test extras) is not installed")
def test_the_readme_walkthrough_under_serve(tmp_path):
    serve, script = walkthrough()
    assert serve == "asl-runner serve --lambdas lambdas --aws-setup definitions/sales_import/aws_setup.json"
    # the repository root as the walkthrough sees it, with its own records and store
    for name in ("definitions", "lambdas"):
        (tmp_path / name).symlink_to(REPO / name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ASL_RUNNER_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ASL_RUNNER_ENDPOINT"] = f"http://127.0.0.1:{port}"  # asl-runner redrive's endpoint
    server = subprocess.Popen([*serve.split(), "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "127.0.0.1" in server.stdout.readline()  # ready
        done = subprocess.run(["bash", "-e", "-c", script.replace("8083", str(port))], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)
    finally:
        server.terminate()
        server.wait(10)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:sales-import"
    execution = "arn:aws:states:us-east-1:123456789012:execution:sales-import:sales-2026-12-01"
    assert lines[:3] == [machine, execution, "FAILED\tStates.ExceedToleratedFailureThreshold"]
    status, succeeded, failed, aborted, pending = lines[3].split("\t")
    assert status == "FAILED" and int(failed) >= 3
    assert int(succeeded) + int(failed) + int(aborted) + int(pending) == 40
    causes = [line.split("\t") for line in lines[4:4 + int(failed)]]
    messages = {error: set() for error in ("BadSaleRow", "UnknownProduct")}
    for error, cause in causes:
        messages[error].add(json.loads(cause)["errorMessage"])
    assert messages["BadSaleRow"] == {BAD_ROW} and messages["UnknownProduct"] <= UNKNOWN
    rest = lines[4 + int(failed):]
    assert json.loads(rest[0])["redriveDate"].endswith("Z")
    assert rest[1:3] == ["SUCCEEDED\t1", "SUCCEEDED\t1\t39\t1"]
    manifest = json.loads(rest[3])
    assert manifest["DestinationBucket"] == "sales-results"
    files = manifest["ResultFiles"]
    assert (len(files["SUCCEEDED"]), len(files["FAILED"]), files["PENDING"]) == (1, 1, [])
    assert (tmp_path / "records" / "catalogue" / "autumn_range.json").exists()


def test_a_sales_file_that_cannot_be_read_ends_in_no_sales_file():
    with mocked_account(FOLDER / "aws_setup.json"):
        ex = asl_runner.run(str(DEFINITION), {"bucket": "sales-incoming", "key": "2026-12-02.csv"},
                            lambdas=str(LAMBDAS))
    assert (ex.status, ex.error) == ("FAILED", "Sales.FileUnreadable")
    assert "NoSuchKey" in ex.cause
