"""A Distributed Map's ItemReader over S3 (in-process moto): every input type, both header
modes, delimiters, MaxItems and MaxItemsPath, listObjectsV2, the errors, and that under
`serve` the read happens on a worker thread, not the engine's.

Expected behaviour is AWS's, as recorded in services/TestBaseScenarios_test_map_item_reader_*
and TestAssignReferenceVariables_test_reference_in_map_state_max_items_path*.
"""

from __future__ import annotations

import json
import re
import threading
import uuid

import pytest

import asl_runner
from asl_runner.validate import validate_definition

from support import wait_until

BUCKET = "items"
DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
               "StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}}


def reader_machine(reader_config: dict | None = None, resource: str = "s3:getObject",
                   parameters: dict | None = None, **map_fields) -> dict:
    reader: dict = {"Resource": f"arn:aws:states:::{resource}",
                    "Parameters": parameters or {"Bucket.$": "$.Bucket", "Key.$": "$.Key"}}
    if reader_config is not None:
        reader["ReaderConfig"] = reader_config
    return {"StartAt": "Map", "States": {"Map": {
        "Type": "Map", "ItemReader": reader, "ItemProcessor": DISTRIBUTED, "End": True,
        **map_fields}}}


def setup(objects: dict[str, str], bucket: str = BUCKET) -> list[dict]:
    calls = [{"service": "s3", "op": "create_bucket", "params": {"Bucket": bucket}}]
    calls += [{"service": "s3", "op": "put_object",
               "params": {"Bucket": bucket, "Key": key, "Body": body}}
              for key, body in objects.items()]
    return calls


def run(definition: dict, body: str | None, key: str = "file", input: dict | None = None,
        objects: dict[str, str] | None = None):
    objects = objects if objects is not None else ({key: body} if body is not None else {})
    # a bucket of its own: a test elsewhere may leave a mocked account running, which a run
    # then joins
    bucket = f"{BUCKET}-{uuid.uuid4().hex[:12]}"
    return asl_runner.run(definition, {"Bucket": bucket, "Key": key, **(input or {})},
                          aws_setup=setup(objects, bucket), clock="virtual")


def output(execution) -> list:
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return execution.output


def types(execution) -> list[str]:
    return [event.type for event in execution.history]


def test_a_json_array_is_read_after_the_map_run_starts():
    execution = run(reader_machine({"InputType": "JSON"}), '[{"a": 1}, [2], "three", null]')
    assert output(execution) == [{"a": 1}, [2], "three", None]
    assert types(execution) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                "MapStateExited", "ExecutionSucceeded"]
    # the items are not known when the Map starts: AWS records a length of 0
    assert execution.history[2].details == {"length": 0}


def test_items_path_plays_no_part_beside_an_item_reader():
    # recorded (..._with_items_path[INVALID_ITEMS_PATH]): a path that matches nothing is ignored
    definition = reader_machine({"InputType": "JSON"}, ItemsPath="$.nowhere")
    assert output(run(definition, '[["from-bucket"]]')) == [["from-bucket"]]


@pytest.mark.parametrize("pointer, expected", [("/data/rows", [1, 2]), ("/data/a~1b", ["x"]),
                                               ("/list/1", ["y"]), ("", None)])
def test_items_pointer_points_at_the_array_in_a_json_object(pointer, expected):
    body = '{"data": {"rows": [1, 2], "a/b": ["x"]}, "list": [0, ["y"]]}'
    execution = run(reader_machine({"InputType": "JSON", "ItemsPointer": pointer}), body)
    if expected is None:  # the whole document: an object, no array
        assert execution.error == "States.ItemReaderFailed"
    else:
        assert output(execution) == expected


def test_items_pointer_to_nothing_fails_the_read():
    execution = run(reader_machine({"InputType": "JSON", "ItemsPointer": "/nope"}), "{}")
    assert (execution.error, execution.cause) == (
        "States.ItemReaderFailed", "ItemsPointer /nope matches nothing in the object")


def test_json_lines_one_item_per_line_blank_lines_skipped():
    body = '{"n": 1}\n\n[1, 2]\r\n"text"\n  \n7'
    assert output(run(reader_machine({"InputType": "JSONL"}), body)) == [{"n": 1}, [1, 2], "text", 7]


def test_csv_first_row_names_the_fields_and_values_stay_strings():
    body = "Col1,Col2,Col3\nValue1,Value2,Value3\n,,,\ntrue,1,'x'\nNull,None,\n   \n"
    assert output(run(reader_machine({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}),
                      body)) == [
        {"Col1": "Value1", "Col2": "Value2", "Col3": "Value3"},
        {"Col1": "", "Col2": "", "Col3": ""},  # the fourth value has no header: dropped
        {"Col1": "true", "Col2": "1", "Col3": "'x'"},
        {"Col1": "Null", "Col2": "None", "Col3": ""},
        {"Col1": "   ", "Col2": "", "Col3": ""},  # missing values are ""
    ]


def test_csv_given_headers_make_the_first_row_an_item():
    config = {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1"]}
    assert output(run(reader_machine(config), "a,b\nc,d\n")) == [{"H1": "a"}, {"H1": "c"}]


@pytest.mark.parametrize("name, char", [("PIPE", "|"), ("SEMICOLON", ";"), ("TAB", "\t"),
                                        ("SPACE", " "), ("COMMA", ",")])
def test_csv_delimiters(name, char):
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": name}
    body = char.join(["k", "v"]) + "\n" + char.join(["1", '"a,b"']) + "\n"
    assert output(run(reader_machine(config), body)) == [{"k": "1", "v": "a,b"}]


def test_csv_quoted_values_may_hold_the_delimiter_quotes_and_line_breaks():
    body = 'id,text\n1,"one, two"\n2,"say ""hi"""\n3,"line\nbreak"\n'
    assert output(run(reader_machine({"InputType": "CSV"}), body)) == [
        {"id": "1", "text": "one, two"}, {"id": "2", "text": 'say "hi"'},
        {"id": "3", "text": "line\nbreak"}]


def test_csv_given_without_headers_fails_the_read():
    execution = run(reader_machine({"InputType": "CSV", "CSVHeaderLocation": "GIVEN"}), "a\n")
    assert execution.error == "States.ItemReaderFailed"
    assert "CSVHeaders" in execution.cause


def test_parquet_without_its_extra_fails_the_read_naming_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as if pyarrow were absent
    execution = run(reader_machine({"InputType": "PARQUET"}), "PAR1")
    assert execution.error == "States.ItemReaderFailed"
    assert "pip install 'asl-runner[parquet]'" in execution.cause


def test_csv_duplicate_headers_fail_the_read():
    execution = run(reader_machine({"InputType": "CSV"}), "a,a\n1,2\n")
    assert (execution.error, execution.cause) == ("States.ItemReaderFailed",
                                                  "CSV headers cannot contain duplicates.")


@pytest.mark.parametrize("config, expected", [
    ({"MaxItems": 2}, 2), ({"MaxItems": 0}, 4), ({"MaxItems": 100_000_000}, 4)])
def test_max_items_counts_items_not_the_header(config, expected):
    body = "c\n1\n2\n3\n4\n"
    execution = run(reader_machine({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW",
                                    **config}), body)
    assert output(execution) == [{"c": str(n)} for n in range(1, expected + 1)]


@pytest.mark.parametrize("input_type, body", [("JSON", "[1, 2, 3]"), ("JSONL", "1\n2\n3\n")])
def test_max_items_path_reads_the_input(input_type, body):
    definition = reader_machine({"InputType": input_type, "MaxItemsPath": "$.Max"})
    assert output(run(definition, body, input={"Max": 2})) == [1, 2]


def test_max_items_path_may_name_a_variable():
    definition = reader_machine({"InputType": "JSON", "MaxItemsPath": "$maxItems"})
    definition["States"] = {"Set": {"Type": "Pass", "Assign": {"maxItems": 1}, "Next": "Map"},
                            **definition["States"]}
    definition["StartAt"] = "Set"
    assert output(run(definition, "[1, 2]")) == [1]


def test_max_items_path_to_a_non_integer_is_a_runtime_error_before_the_map_run():
    execution = run(reader_machine({"InputType": "CSV", "MaxItemsPath": "$.Max"}), "c\n1\n",
                    input={"Max": 1.5})
    assert execution.error == "States.Runtime"
    assert execution.cause == ("An error occurred while executing the state 'Map' (entered at "
                               "the event id #2). The MaxItemsPath field refers to value \"1.5\" "
                               "which is not a valid integer: $.Max")
    assert types(execution) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                "ExecutionFailed"]


def test_a_negative_max_items_fails_the_map_run():
    execution = run(reader_machine({"InputType": "CSV", "MaxItemsPath": "$.Max"}), "c\n1\n",
                    input={"Max": -1})
    assert (execution.error, execution.cause) == ("States.ItemReaderFailed",
                                                  "field MaxItems must be positive")
    assert types(execution) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                "MapRunStarted", "MapRunFailed", "MapStateFailed",
                                "ExecutionFailed"]
    assert execution.history[4].details == {"error": "States.ItemReaderFailed",
                                            "cause": "field MaxItems must be positive"}


def test_a_missing_object_fails_the_read_and_can_be_caught():
    definition = reader_machine({"InputType": "JSON"}, Catch=[
        {"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Caught"}])
    del definition["States"]["Map"]["End"]
    definition["States"]["Map"]["Next"] = "Done"
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    definition["States"]["Done"] = {"Type": "Succeed"}
    execution = run(definition, None, key="absent.json", objects={})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.ItemReaderFailed"
    assert re.fullmatch(r"The specified key does not exist\. \(Service: Amazon S3; Status Code: "
                        r"404; Error Code: NoSuchKey; Request ID: [^;]*; Proxy: null\)",
                        execution.output["Cause"])
    assert "MapRunFailed" in types(execution)


def test_a_missing_bucket_fails_the_read():
    definition = reader_machine({"InputType": "JSON"}, parameters={"Bucket": "nope", "Key": "k"})
    execution = run(definition, "[]")
    assert execution.error == "States.ItemReaderFailed"
    assert "Error Code: NoSuchBucket" in execution.cause


@pytest.mark.parametrize("input_type, body, cause", [
    ("JSON", '{"not": "an array"}', "Attempting to map over non-iterable node."),
    ("JSON", "[1,", "The object is not valid JSON"),
    ("JSONL", '1\n{"a"\n', "Line 2 of the object is not valid JSON"),
])
def test_unreadable_objects_fail_the_read(input_type, body, cause):
    execution = run(reader_machine({"InputType": input_type}), body)
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith(cause)


def test_item_selector_applies_to_the_items_read():
    definition = reader_machine(
        {"InputType": "JSON"},
        ItemSelector={"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"})
    assert output(run(definition, '["a", "b"]')) == [{"value": "a", "index": 0},
                                                    {"value": "b", "index": 1}]


def test_item_batcher_batches_the_items_read():
    definition = reader_machine({"InputType": "JSONL"}, ItemBatcher={"MaxItemsPerBatch": 2})
    assert output(run(definition, "1\n2\n3\n")) == [{"Items": [1, 2]}, {"Items": [3]}]


def test_list_objects_v2_iterates_over_the_objects_under_the_prefix():
    objects = {f"in/{n}.txt": "x" * n for n in range(1, 6)}
    objects["other/skip.txt"] = "no"
    # MaxKeys 2 makes S3 answer in pages: every page is read
    definition = reader_machine(resource="s3:listObjectsV2",
                                parameters={"Bucket.$": "$.Bucket", "Prefix": "in/", "MaxKeys": 2})
    items = output(run(definition, None, objects=objects))
    assert [item["Key"] for item in items] == [f"in/{n}.txt" for n in range(1, 6)]
    first = items[0]
    assert set(first) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
    assert first["Size"] == 1 and first["StorageClass"] == "STANDARD"
    assert first["Etag"].startswith('"') and first["Etag"].endswith('"')  # S3 keeps the quotes
    assert isinstance(first["LastModified"], (int, float))  # epoch seconds


def test_list_objects_v2_stops_at_max_items():
    objects = {f"k{n}": "" for n in range(4)}
    definition = reader_machine({"MaxItems": 3}, resource="s3:listObjectsV2",
                                parameters={"Bucket.$": "$.Bucket"})
    assert [item["Key"] for item in output(run(definition, None, objects=objects))] == [
        "k0", "k1", "k2"]


def test_under_serve_the_read_is_not_done_on_the_engine_thread(monkeypatch):
    from asl_runner.integrations import s3_items
    from asl_runner.integrations.setup import apply_setup
    from asl_runner.service import open_service

    threads = []
    real = s3_items.get_object

    def spy(invocation, env):
        threads.append(threading.current_thread())
        return real(invocation, env)

    monkeypatch.setattr(s3_items.INTEGRATIONS[0], "perform", spy)
    service = open_service(":memory:")
    try:
        apply_setup(service.integrations.aws, setup({"file": "[1, 2]"}))
        arn = service.create_state_machine({
            "name": "reader", "definition": json.dumps(reader_machine({"InputType": "JSON"})),
            "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
        execution = service.start_execution({
            "stateMachineArn": arn, "input": json.dumps({"Bucket": BUCKET, "Key": "file"})})
        arn = execution["executionArn"]
        wait_until(lambda: service.describe_execution({"executionArn": arn})["status"] != "RUNNING")
        described = service.describe_execution({"executionArn": arn})
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"]) == [1, 2]
        assert threads and threads[0] is not service.host._thread
    finally:
        service.close()


@pytest.mark.parametrize("config, where, words", [
    ({"InputType": "XML"}, "/InputType", "'InputType' must be"),
    ({"InputType": "CSV", "CSVHeaderLocation": "LAST_ROW"}, "/CSVHeaderLocation",
     "'CSVHeaderLocation' must be"),
    ({"InputType": "CSV", "CSVDelimiter": ","}, "/CSVDelimiter", "'CSVDelimiter' must be"),
    ({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": "a,b"}, "/CSVHeaders",
     "array of strings"),
    ({"InputType": "JSON", "MaxItems": 100_000_001}, "/MaxItems", "100000000"),
])
def test_validate_checks_the_reader_config(config, where, words):
    problems = validate_definition(reader_machine(config))
    found = [p for p in problems if p.pointer == f"/States/Map/ItemReader/ReaderConfig{where}"]
    assert found and words in found[0].message, problems


def test_validate_accepts_every_supported_reader():
    for config in ({"InputType": "JSON"}, {"InputType": "JSONL", "MaxItems": 5},
                   {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a"],
                    "CSVDelimiter": "TAB"}):
        assert validate_definition(reader_machine(config)) == []
    assert validate_definition(reader_machine(
        resource="s3:listObjectsV2", parameters={"Bucket": "b", "Prefix": "p"})) == []


def writer_machine(bucket: str = "results", prefix: str = "jobs") -> dict:
    return {"StartAt": "Map", "States": {"Map": {
        "Type": "Map", "Label": "Rows", "ItemProcessor": DISTRIBUTED, "End": True,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": bucket, "Prefix": prefix}}}}}


def test_result_writer_exports_the_results_and_returns_where():
    import boto3
    from moto import mock_aws

    with mock_aws():  # the run joins this account, so the objects outlive it
        execution = asl_runner.run(writer_machine(), ["a", {"b": 1}], clock="virtual",
                                   aws_setup=setup({}, bucket="results"))
        out = output(execution)
        run_id = out["MapRunArn"].rsplit(":", 1)[1]
        assert re.fullmatch(r"arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/Rows:"
                            r"[0-9a-f-]{36}", out["MapRunArn"])
        assert out["ResultWriterDetails"] == {"Bucket": "results",
                                              "Key": f"jobs/{run_id}/manifest.json"}
        s3 = boto3.client("s3", region_name="us-east-1")

        def read(key):
            return json.loads(s3.get_object(Bucket="results", Key=key)["Body"].read())

        manifest = read(f"jobs/{run_id}/manifest.json")
        succeeded_key = f"jobs/{run_id}/SUCCEEDED_0.json"
        assert manifest["DestinationBucket"] == "results"
        assert manifest["MapRunArn"] == out["MapRunArn"]
        assert manifest["ResultFiles"]["FAILED"] == manifest["ResultFiles"]["PENDING"] == []
        [listed] = manifest["ResultFiles"]["SUCCEEDED"]
        assert listed["Key"] == succeeded_key
        body = s3.get_object(Bucket="results", Key=succeeded_key)["Body"].read()
        assert listed["Size"] == len(body)
        records = read(succeeded_key)
        assert [(r["Input"], r["Output"], r["Status"]) for r in records] == [
            ('"a"', '"a"', "SUCCEEDED"), ('{"b":1}', '{"b":1}', "SUCCEEDED")]
        assert records[0]["ExecutionArn"].startswith(
            "arn:aws:states:us-east-1:123456789012:execution:StateMachine/Rows:")
        assert records[0]["StateMachineArn"] == (
            "arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine/Rows")


def test_result_writer_into_a_missing_bucket_fails_the_map_run():
    execution = asl_runner.run(writer_machine(bucket="absent"), [1], clock="virtual")
    assert execution.error == "States.ResultWriterFailed"
    assert "Error Code: NoSuchBucket" in execution.cause
    assert types(execution)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed",
                                     "ExecutionFailed"]


def test_a_restart_replays_the_items_read_without_reading_again(tmp_path, monkeypatch):
    from asl_runner.integrations import s3_items
    from asl_runner.integrations.setup import apply_setup
    from asl_runner.service import open_service

    reads = []
    real = s3_items.get_object

    def counting(invocation, env):
        reads.append(invocation.state_name)
        return real(invocation, env)

    monkeypatch.setattr(s3_items.INTEGRATIONS[0], "perform", counting)
    tokens = []

    def hold(event, context):
        tokens.append(event["token"])
        return {}

    definition = reader_machine({"InputType": "JSON"})
    definition["States"]["Map"]["ItemProcessor"] = {
        **DISTRIBUTED, "States": {"Each": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "hold", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True}}}
    db = str(tmp_path / "store.db")
    from moto import mock_aws

    with mock_aws():  # one account for both services, as one serve process would keep
        service = open_service(db, handlers={"hold": hold})
        apply_setup(service.integrations.aws, setup({"file": '["only"]'}))
        machine = service.create_state_machine({
            "name": "reader", "definition": json.dumps(definition),
            "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
        arn = service.start_execution({"stateMachineArn": machine, "input": json.dumps(
            {"Bucket": BUCKET, "Key": "file"})})["executionArn"]
        wait_until(lambda: tokens)
        host = service.host
        host._stopping = True  # a crash: the engine thread stops where it stands
        host._commands.put(None)
        host._thread.join(timeout=5)
        service.store.unlock()
        assert reads == ["Map"]

        again = open_service(db, handlers={"hold": hold})
        try:
            again.send_task_success({"taskToken": tokens[0], "output": '"done"'})
            wait_until(lambda: again.describe_execution({"executionArn": arn})["status"]
                       != "RUNNING")
            described = again.describe_execution({"executionArn": arn})
            assert described["status"] == "SUCCEEDED", described
            assert json.loads(described["output"]) == ["done"]
            assert reads == ["Map"]  # the items came back from the store
        finally:
            again.close()
            service.integrations.close()


@pytest.mark.parametrize("field, resource, words", [
    ("ItemReader", "arn:aws:states:::s3:putObject", "the ItemReader's Resource must be"),
    ("ItemReader", "arn:aws:states:::sqs:sendMessage", "the ItemReader's Resource must be"),
    ("ResultWriter", "arn:aws:states:::s3:getObject", "the ResultWriter's Resource must be"),
])
def test_validate_checks_the_reader_and_writer_resources(field, resource, words):
    definition = writer_machine() if field == "ResultWriter" else reader_machine(
        {"InputType": "JSON"})
    definition["States"]["Map"][field]["Resource"] = resource
    problems = validate_definition(definition)
    found = [p for p in problems if p.pointer == f"/States/Map/{field}/Resource"]
    assert found and found[0].message.startswith(words), problems


def test_a_task_naming_an_item_reader_api_cannot_run_and_says_so():
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "b", "Key": "k"}, "End": True}}}
    execution = asl_runner.run(definition, {}, clock="virtual")
    assert execution.error == "States.TaskFailed"
    assert "asl-runner cannot run arn:aws:states:::s3:getObject offline (state 'T')" in \
        execution.cause


def test_a_jsonata_reader_takes_arguments_and_an_expression_for_max_items():
    # recorded on AWS: services/TestBaseScenarios_test_map_item_reader_base_json_max_items_jsonata
    definition = {"QueryLanguage": "JSONata", "StartAt": "Map", "States": {"Map": {
        "Type": "Map", "ItemProcessor": DISTRIBUTED, "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $maxItems := 2 %}"},
                       "Arguments": {"Bucket": "{% $states.input.Bucket %}",
                                     "Key": "{% $states.input.Key %}"}}}}}
    ex = run(definition, json.dumps([{"n": 1}, {"n": 2}, {"n": 3}]))
    assert len(output(ex)) == 2


def test_a_jsonata_result_writer_takes_its_arguments():
    definition = {"QueryLanguage": "JSONata", "StartAt": "Map", "States": {"Map": {
        "Type": "Map", "Items": "{% $states.input %}", "ItemProcessor": DISTRIBUTED, "End": True,
        "Label": "Rows",
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Arguments": {"Bucket": "{% 'res' & 'ults' %}", "Prefix": "jobs"}}}}}
    execution = asl_runner.run(definition, [1, 2], clock="virtual",
                               aws_setup=setup({}, bucket="results"))
    out = output(execution)
    assert out["ResultWriterDetails"]["Bucket"] == "results"
    assert out["ResultWriterDetails"]["Key"].startswith("jobs/")
