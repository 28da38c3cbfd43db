"""A Distributed Map's items read a page at a time (in-process moto): every format across page
boundaries, MaxItems over pages, the S3 inventory manifest, Parquet, and that the children of
a page start only when its items are read (memory holds a page, not the dataset).

Pages are made small here (item_reader.PAGE_ITEMS) so that a few items cross several.
"""

from __future__ import annotations

import gzip
import io
import json
import uuid

import pytest
from test_item_reader import DISTRIBUTED, output, reader_machine, run, setup

import asl_runner
from asl_runner.engine import item_reader
from asl_runner.integrations import s3_items


@pytest.fixture
def pages(monkeypatch):
    """Pages of 2 items; the read calls' payloads, in order."""
    monkeypatch.setattr(item_reader, "PAGE_ITEMS", 2)
    calls = []
    for integration in s3_items.INTEGRATIONS[:2]:
        real = integration.perform

        def spy(invocation, env, real=real):
            calls.append(invocation.payload)
            return real(invocation, env)

        monkeypatch.setattr(integration, "perform", spy)
    return calls


def test_csv_rows_cross_pages_in_order_with_their_index(pages):
    body = 'id,text\n1,a\n2,"multi\nline"\n3,c\n4,d\n5,e\n'
    definition = reader_machine({"InputType": "CSV"},
                                ItemSelector={"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"})
    items = output(run(definition, body))
    assert items == [{"i": i, "v": v} for i, v in enumerate([
        {"id": "1", "text": "a"}, {"id": "2", "text": "multi\nline"}, {"id": "3", "text": "c"},
        {"id": "4", "text": "d"}, {"id": "5", "text": "e"}])]
    assert len(pages) == 3  # 2 + 2 + 1 items
    assert pages[0]["Cursor"] is None
    # the next page starts where the last ended, with the header row remembered
    assert pages[1]["Cursor"]["headers"] == ["id", "text"]
    assert pages[1]["Cursor"]["offset"] == len('id,text\n1,a\n2,"multi\nline"\n')


def test_given_headers_and_a_delimiter_across_pages(pages):
    config = {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"],
              "CSVDelimiter": "PIPE"}
    assert output(run(reader_machine(config), "1|2\n3|4\n5|6\n")) == [
        {"a": "1", "b": "2"}, {"a": "3", "b": "4"}, {"a": "5", "b": "6"}]


def test_json_lines_across_pages_report_the_line_of_a_bad_one(pages):
    execution = run(reader_machine({"InputType": "JSONL"}), '1\n2\n\n3\n{"bad"\n')
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith("Line 5 of the object is not valid JSON")


@pytest.mark.parametrize("config, body, expected", [
    ({"InputType": "JSON"}, ' [ {"a": [1, "]"]}, "x,y", 3 , null, [[]] ] ',
     [{"a": [1, "]"]}, "x,y", 3, None, [[]]]),
    ({"InputType": "JSON", "ItemsPointer": "/data/rows"},
     '{"skip": {"rows": [0]}, "data": {"other": "}", "rows": [1, 2, 3, 4, 5]}}', [1, 2, 3, 4, 5]),
    ({"InputType": "JSON", "ItemsPointer": "/list/1"}, '{"list": [[9], ["a", "b", "c"]]}',
     ["a", "b", "c"]),
    ({"InputType": "JSON"}, "[]", []),
])
def test_a_json_array_is_read_element_by_element_across_pages(pages, config, body, expected):
    assert output(run(reader_machine(config), body)) == expected


def test_max_items_counts_over_pages(pages):
    definition = reader_machine({"InputType": "JSONL", "MaxItems": 3})
    assert output(run(definition, "1\n2\n3\n4\n5\n")) == [1, 2, 3]
    assert [call["MaxItems"] for call in pages] == [3, 1]  # what is left to read


def test_list_objects_v2_a_page_of_keys_at_a_time(pages):
    objects = {f"k{n}": "" for n in range(5)}
    definition = reader_machine(resource="s3:listObjectsV2", parameters={"Bucket.$": "$.Bucket"})
    assert [item["Key"] for item in output(run(definition, None, objects=objects))] == [
        f"k{n}" for n in range(5)]
    assert len(pages) == 3


def test_children_start_a_page_at_a_time(pages):
    """What is held at once is a page: the items of the next page are read only when the
    children of this one have ended."""
    events = []

    def record(kind):
        def handler(event, context):
            events.append((kind, event))
            return event
        return handler

    definition = reader_machine({"InputType": "JSONL"})
    definition["States"]["Map"]["ItemProcessor"] = {**DISTRIBUTED, "States": {"Each": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:each",
        "End": True}}}

    real = s3_items.INTEGRATIONS[0].perform

    def reading(invocation, env):
        events.append(("read", invocation.payload["Cursor"] is not None))
        return real(invocation, env)

    s3_items.INTEGRATIONS[0].perform = reading
    try:
        bucket = f"items-{uuid.uuid4().hex[:12]}"
        execution = asl_runner.run(definition, {"Bucket": bucket, "Key": "f"},
                                   handlers={"each": record("child")}, clock="virtual",
                                   aws_setup=setup({"f": "1\n2\n3\n4\n"}, bucket))
    finally:
        s3_items.INTEGRATIONS[0].perform = real
    assert output(execution) == [1, 2, 3, 4]
    # (a page's children may run in any order)
    assert events[0] == ("read", False) and events[3] == events[6] == ("read", True)
    assert sorted(events[1:3]) == [("child", 1), ("child", 2)]
    assert sorted(events[4:6]) == [("child", 3), ("child", 4)]


def test_an_object_replaced_while_it_is_read_fails_the_read(pages, monkeypatch):
    """Each page is read from the version the first page saw (its ETag)."""
    from asl_runner.integrations import item_sources

    real = item_sources._Object.open_at

    def replaced(self, offset):
        if offset:  # before the second page: someone overwrites the object
            self.client.put_object(Bucket=self.request["Bucket"], Key=self.request["Key"],
                                   Body=b"9\n9\n9\n")
        return real(self, offset)

    monkeypatch.setattr(item_sources._Object, "open_at", replaced)
    execution = run(reader_machine({"InputType": "JSONL"}), "1\n2\n3\n")
    assert execution.error == "States.ItemReaderFailed"
    assert "Error Code: PreconditionFailed" in execution.cause


def test_a_csv_header_row_over_10_kib_fails_the_read():
    execution = run(reader_machine({"InputType": "CSV"}), "h" * 10_241 + "\nv\n")
    assert execution.error == "States.ItemReaderFailed"
    assert "10240 bytes" in execution.cause


# -- S3 inventory ---------------------------------------------------------------------------


def _gz(text: str) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as file:
        file.write(text.encode())
    return buffer.getvalue()


def inventory(bucket_placeholder: str = "BUCKET", **overrides) -> dict:
    manifest = {
        "sourceBucket": "source", "destinationBucket": f"arn:aws:s3:::{bucket_placeholder}",
        "version": "2016-11-30", "creationTimestamp": "1668560400000", "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate",
        "files": [{"key": "inv/data/one.csv.gz", "size": 1, "MD5checksum": "x"},
                  {"key": "inv/data/two.csv.gz", "size": 1, "MD5checksum": "y"}]}
    manifest.update(overrides)
    return manifest


def run_inventory(manifest: dict, files: dict[str, bytes], config: dict | None = None):
    bucket = f"inv-{uuid.uuid4().hex[:12]}"
    text = json.dumps(manifest).replace("BUCKET", bucket)
    calls = setup({"inv/manifest.json": text}, bucket)
    calls += [{"service": "s3", "op": "put_object",
               "params": {"Bucket": bucket, "Key": key, "Body": body}}
              for key, body in files.items()]
    return asl_runner.run(reader_machine({"InputType": "MANIFEST", **(config or {})}),
                          {"Bucket": bucket, "Key": "inv/manifest.json"}, aws_setup=calls,
                          clock="virtual")


def test_an_s3_inventory_manifest_reads_its_data_files_rows(pages):
    files = {"inv/data/one.csv.gz": _gz('"src","a.txt","10","2022-11-16T00:29:32.000Z"\n'
                                        '"src","b c.txt","20","2022-11-16T00:29:33.000Z"\n'
                                        '"src","d.txt","30","2022-11-16T00:29:34.000Z"\n'),
             "inv/data/two.csv.gz": _gz('"src","e.txt","40","2022-11-16T00:29:35.000Z"\n')}
    items = output(run_inventory(inventory(), files))
    assert items[0] == {"Bucket": "src", "Key": "a.txt", "Size": "10",
                        "LastModifiedDate": "2022-11-16T00:29:32.000Z"}
    assert [item["Key"] for item in items] == ["a.txt", "b c.txt", "d.txt", "e.txt"]
    assert len(pages) == 3  # 2 rows, then the third and the next file's


def test_an_inventory_with_max_items_stops_in_its_first_file():
    files = {"inv/data/one.csv.gz": _gz('"s","a","1","t"\n"s","b","2","t"\n'),
             "inv/data/two.csv.gz": _gz('"s","c","3","t"\n')}
    items = output(run_inventory(inventory(), files, {"MaxItems": 1}))
    assert [item["Key"] for item in items] == ["a"]


@pytest.mark.parametrize("manifest, words", [
    (inventory(fileFormat="ORC"), "CSV format, not ORC"),
    (inventory(files=None), "not an S3 inventory manifest"),
    (inventory(fileSchema=""), "no 'fileSchema'"),
])
def test_an_inventory_asl_runner_cannot_read_fails_the_read(manifest, words):
    execution = run_inventory(manifest, {})
    assert execution.error == "States.ItemReaderFailed"
    assert words in execution.cause


def test_an_inventory_data_file_that_is_missing_fails_the_read():
    execution = run_inventory(inventory(), {"inv/data/one.csv.gz": _gz('"s","a","1","t"\n')})
    assert execution.error == "States.ItemReaderFailed"
    assert "Error Code: NoSuchKey" in execution.cause


# -- Parquet --------------------------------------------------------------------------------


def test_parquet_rows_a_row_group_at_a_time(pages):
    pa = pytest.importorskip("pyarrow")
    import datetime

    import pyarrow.parquet as pq

    table = pa.table({"id": [1, 2, 3, 4, 5], "name": ["a", "b", "c", "d", None],
                      "score": [1.5, 2.0, 2.5, 3.0, 3.5],
                      "day": [datetime.date(2025, 1, d) for d in range(1, 6)]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=3)
    bucket = f"pq-{uuid.uuid4().hex[:12]}"
    calls = setup({}, bucket) + [{"service": "s3", "op": "put_object", "params": {
        "Bucket": bucket, "Key": "t.parquet", "Body": buffer.getvalue()}}]
    execution = asl_runner.run(reader_machine({"InputType": "PARQUET"}),
                               {"Bucket": bucket, "Key": "t.parquet"}, aws_setup=calls,
                               clock="virtual")
    items = output(execution)
    assert items[0] == {"id": 1, "name": "a", "score": 1.5, "day": "2025-01-01"}
    assert [item["id"] for item in items] == [1, 2, 3, 4, 5] and items[4]["name"] is None
    assert [call["Cursor"] for call in pages] == [None, {"group": 0, "row": 2},
                                                 {"group": 1, "row": 1}]


def test_an_object_that_is_not_parquet_fails_the_read():
    pytest.importorskip("pyarrow")
    execution = run(reader_machine({"InputType": "PARQUET"}), "not parquet at all")
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith("The object is not a valid Parquet file")



def test_a_restart_goes_on_from_the_recorded_pages_and_exports_every_result(tmp_path,
                                                                             monkeypatch):
    """Each page is recorded as it is read: after a crash the pages read are replayed (not
    read again), the results spooled before the crash are spooled again, and the run reads
    on from its cursor."""
    from moto import mock_aws

    from asl_runner.integrations.setup import apply_setup
    from asl_runner.service import open_service

    from support import wait_until

    monkeypatch.setattr(item_reader, "PAGE_ITEMS", 1)
    reads = []
    real = s3_items.INTEGRATIONS[0].perform

    def counting(invocation, env):
        reads.append(invocation.payload["Cursor"])
        return real(invocation, env)

    monkeypatch.setattr(s3_items.INTEGRATIONS[0], "perform", counting)
    tokens = []

    def hold(event, context):
        tokens.append(event["token"])
        return {}

    definition = reader_machine({"InputType": "JSONL"})
    definition["States"]["Map"]["ItemProcessor"] = {**DISTRIBUTED, "States": {"Each": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "hold", "Payload": {"token.$": "$$.Task.Token"}},
        "End": True}}}
    definition["States"]["Map"]["ResultWriter"] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "items", "Prefix": "out"}}
    db = str(tmp_path / "store.db")
    with mock_aws():
        service = open_service(db, handlers={"hold": hold})
        apply_setup(service.integrations.aws, setup({"file": '"a"\n"b"\n'}))
        machine = service.create_state_machine({
            "name": "pages", "definition": json.dumps(definition),
            "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
        arn = service.start_execution({"stateMachineArn": machine, "input": json.dumps(
            {"Bucket": "items", "Key": "file"})})["executionArn"]
        wait_until(lambda: tokens)
        service.send_task_success({"taskToken": tokens[0], "output": '"A"'})
        wait_until(lambda: len(tokens) == 2)  # the second page's child waits
        host = service.host
        host._stopping = True  # a crash: the engine thread stops where it stands
        host._commands.put(None)
        host._thread.join(timeout=5)
        service.store.unlock()
        assert len(reads) == 2

        again = open_service(db, handlers={"hold": hold})
        try:
            again.send_task_success({"taskToken": tokens[1], "output": '"B"'})
            wait_until(lambda: again.describe_execution({"executionArn": arn})["status"]
                       != "RUNNING")
            described = again.describe_execution({"executionArn": arn})
            assert described["status"] == "SUCCEEDED", described
            assert len(reads) == 3 and reads[2] is not None  # only the last, empty page
            key = json.loads(described["output"])["ResultWriterDetails"]["Key"]
            s3 = again.integrations.aws.client("s3", "us-east-1")
            manifest = json.loads(s3.get_object(Bucket="items", Key=key)["Body"].read())
            [listed] = manifest["ResultFiles"]["SUCCEEDED"]
            records = json.loads(s3.get_object(Bucket="items", Key=listed["Key"])["Body"].read())
            assert sorted(r["Output"] for r in records) == ['"A"', '"B"']
        finally:
            again.close()
            service.integrations.close()


def test_get_object_without_an_input_type_fails_the_read_saying_so():
    execution = run(reader_machine({}), "[1]")
    assert (execution.error, execution.cause) == (
        "States.ItemReaderFailed", "An ItemReader with s3:getObject needs ReaderConfig's "
        "InputType (CSV, JSON, JSONL, MANIFEST or PARQUET)")


def test_an_inventory_data_file_that_is_not_gzip_fails_the_read():
    corrupt = b"\x1f\x8b\x08\x00" + bytes(6) + b"not deflate data"  # a gzip header, then not
    execution = run_inventory(inventory(), {"inv/data/one.csv.gz": corrupt,
                                            "inv/data/two.csv.gz": _gz("")})
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith("The S3 inventory file inv/data/one.csv.gz is not a gzip")


def test_the_map_run_counts_every_page(pages):
    definition = reader_machine({"InputType": "JSONL"}, ItemBatcher={"MaxItemsPerBatch": 2})
    execution = run(definition, "1\n2\n3\n4\n5\n6\n7\n")
    [map_run] = execution.map_runs.values()
    described = map_run.describe()
    assert described["itemCounts"]["total"] == described["itemCounts"]["succeeded"] == 7
    assert described["executionCounts"]["total"] == 4  # [1,2] [3,4] [5,6] [7]
    assert described["executionCounts"]["succeeded"] == 4
    assert described["itemCounts"]["pending"] == described["executionCounts"]["pending"] == 0


# -- Athena data manifests, and listObjectsV2 with LOAD_AND_FLATTEN ---------------------------


def run_objects(definition: dict, objects: dict[str, str], key: str = "manifest.csv"):
    bucket = f"obj-{uuid.uuid4().hex[:12]}"
    bodies = {name: body.replace("BUCKET", bucket) for name, body in objects.items()}
    return asl_runner.run(definition, {"Bucket": bucket, "Key": key, "Prefix": "in/"},
                          aws_setup=setup(bodies, bucket), clock="virtual")


def test_an_athena_manifest_reads_the_data_files_it_lists(pages):
    config = {"ManifestType": "ATHENA_DATA", "InputType": "CSV", "CSVHeaderLocation": "GIVEN",
              "CSVHeaders": ["id", "name"]}
    objects = {"manifest.csv": "s3://BUCKET/out/one.csv\ns3://BUCKET/out/two.csv\n",
               "out/one.csv": "1,a\n2,b\n3,c\n", "out/two.csv": "4,d\n"}
    items = output(run_objects(reader_machine(config), objects))
    assert items == [{"id": str(n), "name": c} for n, c in zip(range(1, 5), "abcd", strict=True)]
    assert len(pages) == 3  # 2 rows; the third and the next file's; nothing left


def test_an_athena_manifest_of_json_lines_with_max_items():
    config = {"ManifestType": "ATHENA_DATA", "InputType": "JSONL", "MaxItems": 3}
    objects = {"manifest.csv": "s3://BUCKET/a.json\ns3://BUCKET/b.json\n",
               "a.json": '{"n": 1}\n{"n": 2}\n', "b.json": '{"n": 3}\n{"n": 4}\n'}
    assert output(run_objects(reader_machine(config), objects)) == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_an_athena_manifest_line_that_is_no_s3_uri_fails_the_read():
    config = {"ManifestType": "ATHENA_DATA", "InputType": "JSONL"}
    execution = run_objects(reader_machine(config), {"manifest.csv": "/local/file.json\n"})
    assert execution.error == "States.ItemReaderFailed"
    assert "'/local/file.json', which is not an s3://bucket/key URI" in execution.cause


def test_load_and_flatten_reads_the_items_of_every_object_listed(pages):
    definition = reader_machine({"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"},
                                resource="s3:listObjectsV2",
                                parameters={"Bucket.$": "$.Bucket", "Prefix.$": "$.Prefix"})
    objects = {"in/": "", "in/a.json": "[1, 2, 3]", "in/b.json": "[]", "in/c.json": "[4]",
               "other/x.json": "[99]"}
    assert output(run_objects(definition, objects)) == [1, 2, 3, 4]


def test_load_and_flatten_needs_an_input_type():
    definition = reader_machine({"Transformation": "LOAD_AND_FLATTEN"}, resource="s3:listObjectsV2",
                                parameters={"Bucket.$": "$.Bucket"})
    execution = run_objects(definition, {"a.json": "[1]"})
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith("LOAD_AND_FLATTEN reads the objects listed with an InputType")


@pytest.mark.parametrize("body", ["a,b\rc,d\re,f\r", "a,b\r\nc,d\r\ne,f", "a,b\nc,d\re,f\n"])
def test_csv_lines_may_end_in_cr_lf_or_both(pages, body):
    assert output(run(reader_machine({"InputType": "CSV"}), body)) == [
        {"a": "c", "b": "d"}, {"a": "e", "b": "f"}]


def test_a_cr_lf_split_between_chunks_is_one_line_end():
    from asl_runner.integrations.item_formats import Lines

    lines = Lines([b"a,b\r", b"\nc,d\r", b"e\n"], 0)
    assert list(lines) == ["a,b\r\n", "c,d\r", "e\n"]
    assert lines.offset == len(b"a,b\r\nc,d\re\n")
