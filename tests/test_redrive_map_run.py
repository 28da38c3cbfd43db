"""Redriving a Distributed Map's Map Run, as the developer guide's "Redriving Map Runs" has
it: the same Map Run (MapRunRedriven, redriveCount and redriveDate), only the unsuccessful
children run again (STANDARD ones redriven under their ARNs), the output complete and in item
order; in-process (asl_runner.redrive) and through the API."""

from __future__ import annotations

import json

import pytest
from example_aws import client, mocked_account
from test_redrive import Work, redrive, run, task
from test_redrive_api import Work as ApiWork
from test_redrive_api import create, finished

import asl_runner
from asl_runner.engine import item_reader, map_redrive
from asl_runner.service import open_service

DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
BUCKET = "items"
READER = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
          "Parameters": {"Bucket": BUCKET, "Key": "items.json"}}


@pytest.fixture
def s3():
    """A mocked account the runs join, with the bucket of items."""
    with mocked_account():
        s3 = client("s3")
        s3.create_bucket(Bucket=BUCKET)
        yield s3


def distributed(processor_states: dict | None = None, execution_type: str = "STANDARD",
                **fields) -> dict:
    processor = {"ProcessorConfig": {**DISTRIBUTED, "ExecutionType": execution_type},
                 "StartAt": "W", "States": processor_states or {"W": task()}}
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "Label": "Rows",
                                             "ItemProcessor": processor, **fields}}}


def types_after_redrive(ex) -> list[str]:
    types = [e.type for e in ex.history]
    return types[types.index("ExecutionRedriven"):]


def test_only_the_unsuccessful_children_run_again_in_the_same_map_run():
    work = Work(2, 5)
    ex = run(distributed(MaxConcurrency=2), list(range(8)), work)
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    [map_run] = ex.map_runs.values()
    before = map_run.describe()
    succeeded = before["executionCounts"]["succeeded"]
    assert before["status"] == "FAILED" and 0 < succeeded < 8
    called_before = set(work.calls)

    fixed = work.fix()
    redrive(ex, fixed)

    assert ex.status == "SUCCEEDED"
    assert ex.output == list(range(8))  # the earlier outputs and the new ones, in item order
    # every item is called once in all: the redrive calls only those that had not succeeded
    assert sum(fixed.calls.values()) == 8 - succeeded
    assert set(fixed.calls) >= {2} | (set(range(8)) - called_before)  # and those never started
    assert [e.type for e in ex.history].count("MapRunStarted") == 1
    assert types_after_redrive(ex) == [
        "ExecutionRedriven", "MapStateEntered", "MapStateStarted", "MapRunRedriven",
        "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    redriven = next(e for e in ex.history if e.type == "MapRunRedriven")
    assert redriven.details == {"mapRunArn": map_run.arn, "redriveCount": 1}
    assert redriven.previous_id == redriven.id - 1  # MapStateStarted, as MapRunStarted
    after = map_run.describe()
    assert after["mapRunArn"] == before["mapRunArn"] and after["status"] == "SUCCEEDED"
    assert after["redriveCount"] == 1
    assert after["redriveDate"] == redriven.timestamp
    assert after["startDate"] == before["startDate"]
    for counts in ("executionCounts", "itemCounts"):
        assert after[counts] == {"pending": 0, "running": 0, "succeeded": 8, "failed": 0,
                                 "timedOut": 0, "aborted": 0, "total": 8, "resultsWritten": 8,
                                 "failuresNotRedrivable": 0, "pendingRedrive": 0}


def test_the_trace_says_the_map_run_was_redriven(capsys):
    from asl_runner.trace import TracePrinter

    ex = run(distributed(), list(range(3)), Work(1))
    redrive(ex, Work())
    printer = TracePrinter(color=False)
    for event in ex.history:
        printer.on_event(event)
    [map_run] = ex.map_runs
    assert f"↳ map run {map_run} redriven (#1)" in capsys.readouterr().out


def test_tolerated_failures_run_again_too_and_a_second_redrive_resumes_the_first():
    work = Work(1, 2, 3)
    definition = distributed(ToleratedFailureCount=1, MaxConcurrency=1)
    ex = run(definition, [0, 1, 2, 3, 4], work)  # 1 is tolerated, 2 fails the run
    assert ex.status == "FAILED"
    second = Work(2, 3)  # one bug fixed, not the other
    redrive(ex, second)
    assert ex.status == "FAILED"
    assert 1 in second.calls  # a failure the first run tolerated runs again too
    third = Work()
    redrive(ex, third)
    assert ex.status == "SUCCEEDED" and ex.output == [0, 1, 2, 3, 4]
    assert set(third.calls) == {2, 3, 4}  # 1 succeeded in the second attempt, 4 never started
    [map_run] = ex.map_runs.values()
    assert map_run.describe()["redriveCount"] == 2
    counts = [e.details["redriveCount"] for e in ex.history if e.type == "MapRunRedriven"]
    assert counts == [1, 2]


def test_the_map_run_s_thousandth_redrive_is_its_last():
    ex = run(distributed(), [0, 1], Work(1))
    [map_run] = ex.map_runs.values()
    map_run.redrive_count = map_redrive.MAX_REDRIVES
    redrive(ex, Work())
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "redriven 1000 times" in ex.cause


def test_a_map_run_whose_reader_failed_first_is_a_new_map_run_on_redrive(s3):
    ex = run(distributed(ItemReader=READER), {}, Work())
    assert ex.error == "States.ItemReaderFailed"
    s3.put_object(Bucket=BUCKET, Key="items.json", Body=b"[1, 2]")  # the fix
    redrive(ex, Work())
    assert ex.status == "SUCCEEDED" and ex.output == [1, 2]
    runs = [e.details["mapRunArn"] for e in ex.history if e.type == "MapRunStarted"]
    assert len(runs) == 2 and runs[0] != runs[1]  # the input is read again, as AWS documents


def test_pages_of_a_reader_resume_where_the_failed_run_stopped(s3, monkeypatch):
    monkeypatch.setattr(item_reader, "PAGE_ITEMS", 3)
    rows = list(range(10))
    s3.put_object(Bucket=BUCKET, Key="items.json", Body=json.dumps(rows).encode())
    ex = run(distributed(ItemReader=READER, MaxConcurrency=1), {}, Work(4))
    assert ex.status == "FAILED"
    fixed = Work()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and ex.output == rows
    # the first page had succeeded; 4 failed, 5 was never started, 6 to 9 never read
    assert sorted(fixed.calls) == [3, 4, 5, 6, 7, 8, 9] or sorted(fixed.calls) == [4, 5, 6, 7, 8, 9]
    assert set(fixed.calls) >= {4, 5, 6, 7, 8, 9} and not set(fixed.calls) & {0, 1, 2}
    [map_run] = ex.map_runs.values()
    assert map_run.describe()["itemCounts"]["succeeded"] == 10


# -- through the API: the children themselves ---------------------------------------------


@pytest.fixture
def api():
    work = ApiWork()
    service = open_service(None, handlers={"Work": work}, clock="virtual")
    yield service, work
    service.close()


def test_standard_children_are_redriven_under_their_arns_with_their_histories(api):
    service, work = api
    work.broken = {"b"}
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Label": "Rows", "ItemSelector": {"name.$": "$$.Map.Item.Value"},
        "MaxConcurrency": 1, "ItemProcessor": {"ProcessorConfig": DISTRIBUTED, "StartAt": "W", "States": {"W": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
            "Parameters": {"name.$": "$.name"}, "End": True}}}}}}
    machine = create(service, definition, name="dm")
    arn = service.start_execution({"stateMachineArn": machine,
                                   "input": '["a", "b", "c"]'})["executionArn"]
    assert finished(service, arn)["status"] == "FAILED"
    [listed] = service.list_map_runs({"executionArn": arn})["mapRuns"]
    map_run = listed["mapRunArn"]
    children = {c["executionArn"]: c for c in
                service.list_executions({"mapRunArn": map_run})["executions"]}
    # one at a time: a succeeded, b failed, c never started
    assert sorted(c["status"] for c in children.values()) == ["FAILED", "SUCCEEDED"]
    [failed_arn] = [a for a, c in children.items() if c["status"] == "FAILED"]
    before = service.get_execution_history({"executionArn": failed_arn})["events"]

    work.broken = set()
    work.calls.clear()
    service.redrive_execution({"executionArn": arn})
    assert finished(service, arn)["status"] == "SUCCEEDED"
    assert json.loads(service.describe_execution({"executionArn": arn})["output"]) == ["a", "b", "c"]
    assert work.calls == {"b": 1, "c": 1}
    assert service.list_map_runs({"executionArn": arn})["mapRuns"] == [
        {**listed, "stopDate": service.describe_map_run({"mapRunArn": map_run})["stopDate"]}]
    after = {c["executionArn"]: c for c in
             service.list_executions({"mapRunArn": map_run})["executions"]}
    assert len(after) == 3 and set(after) > set(children)  # b under its ARN, c a new child
    assert {c["status"] for c in after.values()} == {"SUCCEEDED"}
    child = service.describe_execution({"executionArn": failed_arn})
    assert (child["status"], child["redriveCount"]) == ("SUCCEEDED", 1)
    assert child["startDate"] == children[failed_arn]["startDate"] and "redriveDate" in child
    assert after[failed_arn]["redriveCount"] == 1
    events = service.get_execution_history({"executionArn": failed_arn})["events"]
    assert events[:len(before)] == before
    again = events[len(before):]
    assert [e["type"] for e in again][:2] == ["ExecutionRedriven", "TaskStateEntered"]
    assert again[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert again[0]["previousEventId"] == before[-1]["id"]
    assert again[1]["previousEventId"] == again[0]["id"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    described = service.describe_map_run({"mapRunArn": map_run})
    assert described["redriveCount"] == 1 and "redriveDate" in described
    assert described["executionCounts"]["succeeded"] == 3
    parent = service.get_execution_history({"executionArn": arn})["events"]
    [redriven] = [e for e in parent if e["type"] == "MapRunRedriven"]
    assert redriven["mapRunRedrivenEventDetails"] == {"mapRunArn": map_run, "redriveCount": 1}
    assert described["executionCounts"]["failed"] == 0


def test_a_result_writer_s_export_after_a_redrive_lists_every_child(s3, api):
    service, work = api
    work.broken = {"b"}
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Label": "Rows", "ItemSelector": {"name.$": "$$.Map.Item.Value"},
        "ToleratedFailurePercentage": 10,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "results", "Prefix": "out"}},
        "ItemProcessor": {"ProcessorConfig": DISTRIBUTED, "StartAt": "W", "States": {"W": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
            "Parameters": {"name.$": "$.name"}, "End": True}}}}}}
    client("s3").create_bucket(Bucket="results")
    machine = create(service, definition, name="dm")
    arn = service.start_execution({"stateMachineArn": machine,
                                   "input": '["a", "b", "c", "d"]'})["executionArn"]
    assert finished(service, arn)["error"] == "States.ExceedToleratedFailureThreshold"
    work.broken = set()
    service.redrive_execution({"executionArn": arn})
    done = finished(service, arn)
    assert done["status"] == "SUCCEEDED"
    details = json.loads(done["output"])["ResultWriterDetails"]
    s3 = client("s3")
    manifest = json.loads(s3.get_object(Bucket="results", Key=details["Key"])["Body"].read())
    files = {f["Key"].rsplit("/", 1)[1]: f for f in manifest["ResultFiles"].get("SUCCEEDED", [])}
    assert list(files) == ["SUCCEEDED_0.json"]
    records = json.loads(s3.get_object(Bucket="results", Key=files["SUCCEEDED_0.json"]["Key"])
                         ["Body"].read())
    assert sorted(json.loads(r["Output"]) for r in records) == ["a", "b", "c", "d"]
    assert {r["Status"] for r in records} == {"SUCCEEDED"}
    redriven = [r for r in records if json.loads(r["Output"]) == "b"]
    assert redriven[0]["RedriveCount"] == 1
    assert not manifest["ResultFiles"].get("FAILED")


def test_a_sync_child_reports_its_own_redrive_count():
    from asl_runner.integrations.states import _row_described

    row = {"arn": "arn:aws:states:us-east-1:123456789012:execution:c:x", "version_arn": None,
           "machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:c", "name": "x",
           "status": "SUCCEEDED", "start_date": 1.7e9, "stop_date": 1.7e9 + 1, "input": "{}",
           "output": "{}", "error": None, "cause": None, "redrive_count": 2}
    assert _row_described(row)["redriveCount"] == 2


def test_an_in_process_sync_child_reports_its_own_redrive_count():
    child = {"StartAt": "W", "States": {"W": task()}}
    parent = {"StartAt": "S", "States": {"S": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child",
                       "Input": 1}, "End": True}}}
    ex = asl_runner.run(parent, {}, handlers={"work": Work()}, machines={"child": child},
                        clock="virtual")
    assert ex.status == "SUCCEEDED" and ex.output["RedriveCount"] == 0


def test_express_children_start_again_under_their_arns(api):
    service, work = api
    work.broken = {"b"}
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": 1,
        "ItemSelector": {"name.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "W", "States": {"W": {
                              "Type": "Task", "Parameters": {"name.$": "$.name"}, "End": True,
                              "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work"}}}}}}
    arn = service.start_execution({"stateMachineArn": create(service, definition, name="dx"),
                                   "input": '["a", "b"]'})["executionArn"]
    assert finished(service, arn)["status"] == "FAILED"
    [listed] = service.list_map_runs({"executionArn": arn})["mapRuns"]
    before = {c["executionArn"]: c["status"]
              for c in service.list_executions({"mapRunArn": listed["mapRunArn"]})["executions"]}
    work.broken = set()
    work.calls.clear()
    service.redrive_execution({"executionArn": arn})
    assert finished(service, arn)["status"] == "SUCCEEDED"
    assert work.calls == {"b": 1}
    after = service.list_executions({"mapRunArn": listed["mapRunArn"]})["executions"]
    assert {c["executionArn"] for c in after} == set(before)  # StartExecution, the same ARN
    [b] = [c for c in after if before[c["executionArn"]] == "FAILED"]
    assert (b["status"], b["redriveCount"]) == ("SUCCEEDED", 0)  # not told apart, as on AWS


def test_a_map_run_whose_results_could_not_be_written_writes_them_on_redrive(s3):
    work = Work()
    definition = distributed(ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                           "Parameters": {"Bucket": "later", "Prefix": "out"}})
    ex = run(definition, [0, 1, 2], work)
    assert (ex.status, ex.error) == ("FAILED", "States.ResultWriterFailed")
    s3.create_bucket(Bucket="later")  # the fix
    fixed = Work()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and not fixed.calls  # every child had succeeded
    manifest = json.loads(s3.get_object(Bucket="later", Key=ex.output["ResultWriterDetails"]["Key"])
                          ["Body"].read())
    [part] = manifest["ResultFiles"]["SUCCEEDED"]
    records = json.loads(s3.get_object(Bucket="later", Key=part["Key"])["Body"].read())
    assert sorted(json.loads(r["Output"]) for r in records) == [0, 1, 2]
    assert [e.type for e in ex.history].count("MapRunRedriven") == 1


def test_a_standard_child_goes_on_from_the_state_that_failed_with_its_variables():
    work = Work("charge")
    processor = {
        "Remember": {"Type": "Pass", "Assign": {"seen.$": "$.n"}, "Next": "Prepare"},
        "Prepare": task(Parameters="prepare", ResultPath="$.prepared", Next="Charge"),
        "Charge": task(Parameters={"step": "charge", "seen.$": "$seen"}, ResultPath="$.charged")}
    work.broken = {repr({"step": "charge", "seen": 1})}
    definition = distributed(processor, MaxConcurrency=1)
    definition["States"]["M"]["ItemProcessor"]["StartAt"] = "Remember"
    ex = run(definition, [{"n": 0}, {"n": 1}], work)
    assert ex.status == "FAILED"
    fixed = Work()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED"
    # Prepare did not run again: the child went on at Charge, its variable still set
    assert list(fixed.calls) == [repr({"step": "charge", "seen": 1})]
    assert ex.output[1] == {"n": 1, "prepared": "prepare", "charged": {"step": "charge", "seen": 1}}


def test_describe_map_run_counts_the_children_waiting_for_their_redrive():
    from test_map_runs import ASK, Service
    from test_map_runs import distributed as with_processor

    service = Service()
    try:
        arn = service.start(with_processor(ASK, MaxConcurrency=1, ToleratedFailureCount=1),
                            [1, 2, 3])
        for item, answer in ((1, service.answer), (2, service.fail), (3, service.fail)):
            service.wait_tokens(1)
            answer(item)
        assert service.finished(arn)["status"] == "FAILED"
        map_run = service.map_run(arn)
        service.svc.redrive_execution({"executionArn": arn})
        service.wait_tokens(1)  # 2 runs again; 3 waits its turn (MaxConcurrency 1)
        described = service.svc.describe_map_run({"mapRunArn": map_run})
        assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)
        counts = described["executionCounts"]
        assert (counts["running"], counts["failed"], counts["pendingRedrive"]) == (1, 1, 1)
        assert (counts["succeeded"], counts["total"]) == (1, 3)
        assert described["itemCounts"]["pendingRedrive"] == 1
        service.answer(2)
        service.wait_tokens(1)
        service.answer(3)
        assert service.finished(arn)["status"] == "SUCCEEDED"
        counts = service.svc.describe_map_run({"mapRunArn": map_run})["executionCounts"]
        assert (counts["succeeded"], counts["pendingRedrive"], counts["failed"]) == (3, 0, 0)
    finally:
        service.close()


def test_a_standard_child_whose_history_is_full_is_not_redriven(monkeypatch):
    from asl_runner.engine import map_run
    from asl_runner.engine import redrive as engine_redrive

    monkeypatch.setattr(map_run, "MAX_EVENTS", 30)  # AWS's 25,000, made small
    monkeypatch.setattr(engine_redrive, "MAX_EVENTS_TO_REDRIVE", 29)
    processor = {
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.forever", "BooleanEquals": True,
                                                 "Next": "Loop"}], "Default": "W"},
        "Loop": {"Type": "Pass", "Next": "Again"},
        "W": task(Parameters={"n.$": "$.n"}, OutputPath="$.n")}
    definition = distributed(processor, MaxConcurrency=1, ToleratedFailureCount=1)
    definition["States"]["M"]["ItemProcessor"]["StartAt"] = "Again"
    work = Work(repr({"n": 2}))
    ex = run(definition, [{"forever": True, "n": 0}, {"forever": False, "n": 1},
                          {"forever": False, "n": 2}], work)
    assert ex.status == "FAILED"
    [run_] = ex.map_runs.values()
    assert run_.describe()["executionCounts"]["failuresNotRedrivable"] == 1
    fixed = Work()
    redrive(ex, fixed)
    # the full one stays failed (within the tolerated 1); only the other runs again
    assert ex.status == "SUCCEEDED" and list(fixed.calls) == [repr({"n": 2})]
    counts = run_.describe()
    assert (counts["executionCounts"]["failed"], counts["itemCounts"]["failuresNotRedrivable"]) == (1, 1)


def test_a_stopped_execution_s_map_run_is_redriven_with_its_aborted_children():
    from test_map_runs import ASK, Service
    from test_map_runs import distributed as with_processor

    service = Service()
    try:
        arn = service.start(with_processor(ASK, MaxConcurrency=2), [1, 2, 3])
        service.wait_tokens(2)
        service.answer(1)
        service.wait_tokens(2)  # 2 and 3 wait for their answers
        service.svc.stop_execution({"executionArn": arn})
        assert service.finished(arn)["status"] == "ABORTED"
        map_run = service.map_run(arn)
        described = service.svc.describe_map_run({"mapRunArn": map_run})
        assert described["status"] == "ABORTED"
        assert described["executionCounts"]["aborted"] == 2
        service.tokens.clear()  # the aborted children's tokens are no use now
        service.svc.redrive_execution({"executionArn": arn})
        service.wait_tokens(2)
        service.answer(2)
        service.answer(3)
        done = service.finished(arn)
        assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == [1, 2, 3]
        described = service.svc.describe_map_run({"mapRunArn": map_run})
        assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
        assert described["executionCounts"]["succeeded"] == 3
    finally:
        service.close()


def test_a_stopped_map_run_s_export_after_its_redrive_lists_each_child_once(s3):
    from test_map_runs import ASK, Service
    from test_map_runs import distributed as with_processor

    s3.create_bucket(Bucket="results")
    writer = {"Resource": "arn:aws:states:::s3:putObject",
              "Parameters": {"Bucket": "results", "Prefix": "out"}}
    service = Service()
    try:
        arn = service.start(with_processor(ASK, MaxConcurrency=2, ResultWriter=writer), [1, 2, 3])
        service.wait_tokens(2)
        service.answer(1)
        service.wait_tokens(2)
        service.svc.stop_execution({"executionArn": arn})
        assert service.finished(arn)["status"] == "ABORTED"
        service.tokens.clear()
        service.svc.redrive_execution({"executionArn": arn})
        service.wait_tokens(2)
        service.answer(2)
        service.answer(3)
        done = service.finished(arn)
        assert done["status"] == "SUCCEEDED"
        key = json.loads(done["output"])["ResultWriterDetails"]["Key"]
        files = json.loads(s3.get_object(Bucket="results", Key=key)["Body"].read())["ResultFiles"]
        assert not files.get("FAILED")
        [part] = files["SUCCEEDED"]
        records = json.loads(s3.get_object(Bucket="results", Key=part["Key"])["Body"].read())
        assert sorted(json.loads(r["Output"]) for r in records) == [1, 2, 3]
    finally:
        service.close()


def test_a_reader_that_failed_on_a_later_page_reads_on_from_there_on_redrive(s3, monkeypatch):
    monkeypatch.setattr(item_reader, "PAGE_ITEMS", 2)
    body = json.dumps([0, 1, 2, 3, 4]).encode()
    s3.put_object(Bucket=BUCKET, Key="items.json", Body=body)

    def lose_the_file(event, context):  # the object goes while the first page runs
        s3.delete_object(Bucket=BUCKET, Key="items.json")
        return event

    ex = run(distributed(ItemReader=READER, MaxConcurrency=1), {}, lose_the_file)
    assert (ex.status, ex.error) == ("FAILED", "States.ItemReaderFailed")
    s3.put_object(Bucket=BUCKET, Key="items.json", Body=body)  # the same object, back
    fixed = Work()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and ex.output == [0, 1, 2, 3, 4]
    assert sorted(fixed.calls) == [2, 3, 4]  # the first page is not read or run again
    assert [e.type for e in ex.history].count("MapRunStarted") == 1


def test_a_distributed_map_inside_an_inline_map_resumes_its_own_map_run():
    inner = distributed(MaxConcurrency=1)["States"]["M"]
    definition = {"StartAt": "Outer", "States": {"Outer": {
        "Type": "Map", "End": True, "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "M", "States": {"M": inner}}}}}
    work = Work(3)
    ex = run(definition, [[0, 1], [2, 3, 4]], work)
    assert ex.status == "FAILED"
    fixed = Work()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and ex.output == [[0, 1], [2, 3, 4]]
    assert sorted(fixed.calls) == [3, 4]
    assert len(ex.map_runs) == 2  # one per outer iteration: the second redriven, not a third
