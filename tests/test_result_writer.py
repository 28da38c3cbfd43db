"""A Distributed Map's results (in-process moto): ResultWriter's files (SUCCEEDED_n, FAILED_n,
PENDING_n, manifest.json) for tolerated and intolerable failures, WriterConfig OutputType and
Transformation, splitting into parts, the multipart upload, temporary files removed, and,
without a ResultWriter, the 256 KiB limit on the state's output; thresholds across pages."""

from __future__ import annotations

import glob
import json
import os
import tempfile

import boto3
import pytest
from moto import mock_aws
from test_item_reader import DISTRIBUTED, output, reader_machine, run, setup, types

import asl_runner
from asl_runner.engine import item_reader, result_writer
from asl_runner.integrations import s3_results

#: the children fail for an item {"fail": true}, else return it
PROCESSOR = {**DISTRIBUTED, "StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Choices": [{"And": [
        {"Variable": "$.fail", "IsPresent": True}, {"Variable": "$.fail", "BooleanEquals": True}],
        "Next": "Bad"}], "Default": "Done"},
    "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "row"},
    "Done": {"Type": "Pass", "End": True}}}


def machine(writer: dict | None = None, **fields) -> dict:
    state = {"Type": "Map", "Label": "Rows", "ItemProcessor": PROCESSOR, "End": True, **fields}
    if writer is not None:
        state["ResultWriter"] = writer
    return {"StartAt": "Map", "States": {"Map": state}}


def to_s3(**config) -> dict:
    writer: dict = {"Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "results", "Prefix": "out"}}
    if config:
        writer["WriterConfig"] = config
    return writer


class Exported:
    """A run whose results went to the bucket "results", and what it wrote."""

    def __init__(self, definition: dict, items: list, **kw):
        with mock_aws():  # the run joins this account, so the objects outlive it
            self.execution = asl_runner.run(definition, items, clock="virtual",
                                            aws_setup=setup({}, bucket="results"), **kw)
            s3 = boto3.client("s3", region_name="us-east-1")
            listing = s3.list_objects_v2(Bucket="results").get("Contents") or []
            self.objects = {entry["Key"]: s3.get_object(Bucket="results", Key=entry["Key"])[
                "Body"].read() for entry in listing}
        keys = [key for key in self.objects if key.endswith("manifest.json")]
        self.manifest = json.loads(self.objects[keys[0]]) if keys else None

    def files(self, status: str) -> list[bytes]:
        return [self.objects[f["Key"]] for f in self.manifest["ResultFiles"][status]]

    def records(self, status: str) -> list:
        out = []
        for body in self.files(status):
            out += json.loads(body)
        return out


def test_tolerated_failures_are_exported_to_failed_files():
    run_ = Exported(machine(to_s3(), ToleratedFailureCount=1), [{"n": 1}, {"fail": True}, {"n": 3}])
    out = output(run_.execution)
    assert out["ResultWriterDetails"]["Key"].endswith("/manifest.json")
    assert [json.loads(r["Output"]) for r in run_.records("SUCCEEDED")] == [{"n": 1}, {"n": 3}]
    [failed] = run_.records("FAILED")
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "Bad", "row")
    assert json.loads(failed["Input"]) == {"fail": True} and "Output" not in failed
    assert failed["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:StateMachine/Rows:")
    assert run_.manifest["ResultFiles"]["PENDING"] == []
    for listed in run_.manifest["ResultFiles"]["FAILED"]:
        assert listed["Key"].endswith("/FAILED_0.json")
        assert listed["Size"] == len(run_.objects[listed["Key"]])


def test_past_the_threshold_the_results_still_go_out_and_the_map_fails():
    items = [{"n": 1}, {"fail": True}, {"n": 3}]
    run_ = Exported(machine(to_s3(), MaxConcurrency=1), items)
    execution = run_.execution
    assert execution.error == "States.ExceedToleratedFailureThreshold"
    assert types(execution)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed",
                                     "ExecutionFailed"]
    assert [json.loads(r["Input"]) for r in run_.records("SUCCEEDED")] == [{"n": 1}]
    assert [r["Status"] for r in run_.records("FAILED")] == ["FAILED"]
    # the third item never started
    assert run_.records("PENDING") == [{"Input": '{"n":3}', "InputDetails": {"Included": True},
                                        "Status": "PENDING"}]


@pytest.mark.parametrize("config, expected", [
    ({"Transformation": "COMPACT"}, [[1, 2], "x", {"k": 3}]),
    ({"Transformation": "FLATTEN"}, [1, 2, "x", {"k": 3}]),
])
def test_writer_config_transformations_in_the_files(config, expected):
    run_ = Exported(machine(to_s3(**config)), [[1, 2], "x", {"k": 3}])
    assert run_.records("SUCCEEDED") == expected


def test_jsonl_output_is_a_record_per_line():
    run_ = Exported(machine(to_s3(OutputType="JSONL", Transformation="COMPACT")), [1, {"a": 2}])
    [body] = run_.files("SUCCEEDED")
    assert body == b'1\n{"a":2}\n'
    run_ = Exported(machine(to_s3(OutputType="JSONL")), [1])
    [line] = run_.files("SUCCEEDED")[0].splitlines()
    assert json.loads(json.loads(line)["Output"]) == 1


def test_a_writer_config_alone_shapes_the_state_output():
    flatten = machine({"WriterConfig": {"Transformation": "FLATTEN"}})
    assert output(asl_runner.run(flatten, [[1, 2], [3], 4], clock="virtual")) == [1, 2, 3, 4]
    records = output(asl_runner.run(machine({"WriterConfig": {"Transformation": "NONE"}}),
                                    ["a"], clock="virtual"))
    assert records[0]["Output"] == '"a"' and records[0]["Status"] == "SUCCEEDED"
    # COMPACT by default: a tolerated failure is its error and cause
    execution = asl_runner.run(machine(ToleratedFailureCount=1), [1, {"fail": True}],
                               clock="virtual")
    assert output(execution) == [1, {"Error": "Bad", "Cause": "row"}]


def test_results_are_split_into_parts(monkeypatch):
    monkeypatch.setattr(result_writer, "MAX_FILE_BYTES", 400)
    run_ = Exported(machine(to_s3()), list(range(6)))
    listed = run_.manifest["ResultFiles"]["SUCCEEDED"]
    assert len(listed) > 1
    assert [f["Key"].rsplit("/", 1)[1] for f in listed] == [
        f"SUCCEEDED_{n}.json" for n in range(len(listed))]
    assert [json.loads(r["Output"]) for r in run_.records("SUCCEEDED")] == list(range(6))


def test_a_large_file_goes_up_in_parts(monkeypatch):
    import moto.s3.models

    monkeypatch.setattr(s3_results, "PART_BYTES", 300)
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1)
    calls = []
    real = s3_results._put

    def counting(client, bucket, key, body):
        calls.append(key)
        return real(client, bucket, key, body)

    monkeypatch.setattr(s3_results, "_put", counting)
    run_ = Exported(machine(to_s3()), list(range(5)))
    assert [json.loads(r["Output"]) for r in run_.records("SUCCEEDED")] == list(range(5))
    assert not any(key.endswith("SUCCEEDED_0.json") for key in calls)  # multipart, not a PUT


def test_the_temporary_files_are_removed():
    pattern = os.path.join(tempfile.gettempdir(), "asl-runner-results-*")
    before = set(glob.glob(pattern))
    Exported(machine(to_s3(), ToleratedFailureCount=1), [1, {"fail": True}])
    assert set(glob.glob(pattern)) <= before


def test_without_a_result_writer_the_output_is_limited_to_256_kib():
    padded = machine(ItemSelector={"pad": "x" * 1000, "n.$": "$$.Map.Item.Value"})
    execution = asl_runner.run(padded, list(range(300)), clock="virtual")
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == ("The state/task 'Map' returned a result with a size exceeding "
                               "the maximum number of bytes service limit.")
    # the Map Run itself succeeded
    assert types(execution)[-4:] == ["MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                     "ExecutionFailed"]
    assert len(output(asl_runner.run(padded, list(range(200)), clock="virtual"))) == 200


@pytest.mark.parametrize("failing, status", [(2, "SUCCEEDED"), (3, "FAILED")])
def test_a_percentage_is_of_all_the_items_across_pages(monkeypatch, failing, status):
    monkeypatch.setattr(item_reader, "PAGE_ITEMS", 2)
    definition = reader_machine({"InputType": "JSONL"}, ToleratedFailurePercentage=50)
    definition["States"]["Map"]["ItemProcessor"] = PROCESSOR
    body = "".join('{"fail": true}\n' if n < failing else '{"n": 1}\n' for n in range(4))
    execution = run(definition, body)
    assert execution.status == status, (execution.error, execution.cause)
    if status == "FAILED":
        assert execution.error == "States.ExceedToleratedFailureThreshold"
