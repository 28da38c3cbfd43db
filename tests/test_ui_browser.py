"""The web view in a real browser: headless Chromium (Debian's) driven by selenium against
`asl-runner serve` subprocesses.

It loads the page, opens an execution and watches its graph change as the execution moves
(a Wait, then a `.waitForTaskToken` task), approves the task in the inbox with an output typed
into the form, and sees the execution finish with that output. Others: a read-only server
refuses the page's writes; executions are found by status, name and correlation id; a failed
execution shows its error first, its Map iterations, Parallel branches and retry attempts, and
is redriven from the page.

Without Chromium these tests skip, saying what to install; under CI (CI=true) they fail
instead, since .ci/run installs it. A failing test leaves a screenshot and the page's HTML in
its tmp_path, or in $ASL_RUNNER_UI_ARTIFACTS when set (the path is printed with the failure).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from chromium import Browser, Serve, missing, wait_until

REASON = missing()
if REASON and os.environ.get("CI") == "true":
    raise RuntimeError(f"the browser tests must run in CI: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no headless Chromium: {REASON}")

ROLE = "arn:aws:iam::123456789012:role/ui"
ASK = '''
def handler(event, context):
    return {"filed": True}
'''
ONCE = '''
import os

MARK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "once.mark")


def handler(event, context):
    if not os.path.exists(MARK):  # fails the first call only
        open(MARK, "w").close()
        raise RuntimeError("not yet")
    return {"ok": True}
'''
FLAKY = '''
def handler(event, context):
    raise RuntimeError("the ledger is busy")
'''
APPROVAL = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"amount": 100}, "ResultPath": "$.loan", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 3, "Next": "Approve"},
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token", "loan.$": "$.loan"}},
                    "ResultPath": "$.decision", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
BUSY = {
    "StartAt": "Both",
    "States": {
        "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Each", "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
            {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "r", "End": True}}}]},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.each", "Next": "Book",
                 "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}},
        "Book": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "flaky", "Payload.$": "$"},
                 "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
                 "End": True},
    },
}

PATHS = {
    "StartAt": "Try",
    "States": {
        "Try": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "flaky"}, "Next": "Skipped",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}]},
        "Skipped": {"Type": "Pass", "End": True},
        "Recover": {"Type": "Pass", "Next": "Again"},
        "Again": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "once"}, "ResultPath": "$.again", "Next": "Pick",
                  "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]},
        "Pick": {"Type": "Choice", "Default": "Done",
                 "Choices": [{"Variable": "$.nothing", "IsPresent": True, "Next": "Skipped"}]},
        "Done": {"Type": "Succeed"},
    },
}
READ_GRAPH = """
const done = arguments[arguments.length - 1];
const read = (root) => ({
  states: Object.fromEntries([...root.querySelectorAll("[data-state]")].map(
    (n) => [n.getAttribute("data-state"), n.getAttribute("data-status")])),
  edges: [...root.querySelectorAll(".edge[data-taken='true']")].map(
    (e) => `${e.getAttribute("data-from")}>${e.getAttribute("data-to")}:${e.getAttribute("data-kind")}`).sort(),
});
fetch(`/ui/api/graph?executionArn=${encodeURIComponent(arguments[0])}`).then((r) => r.text()).then((svg) => {
  const drawn = new DOMParser().parseFromString(svg, "image/svg+xml");
  done({page: read(document.getElementById("graph")), server: read(drawn)});
});
"""


@pytest.fixture(scope="module")
def lambdas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lambdas")
    (folder / "ask.py").write_text(ASK)
    (folder / "flaky.py").write_text(FLAKY)
    (folder / "once.py").write_text(ONCE)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory, lambdas):
    s = Serve(tmp_path_factory.mktemp("serve"), "--ui-writes", lambdas=lambdas)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture
def page(browser, request, tmp_path):
    """The browser, with a screenshot and the page's HTML saved if the test fails."""
    failed_before = request.session.testsfailed
    browser.errors()  # forget what earlier tests logged
    yield browser
    if request.session.testsfailed > failed_before:
        folder = Path(os.environ.get("ASL_RUNNER_UI_ARTIFACTS") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{request.node.name}.png"
        browser.driver.save_screenshot(str(shot))
        (folder / f"{request.node.name}.html").write_text(browser.driver.page_source)
        print(f"screenshot of the failure: {shot}")
    else:
        assert browser.errors() == []


def machine(sfn, name: str, definition: dict) -> str:
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def css(b: Browser, selector: str):
    from selenium.webdriver.common.by import By

    return b.driver.find_element(By.CSS_SELECTOR, selector)


def status_of(b: Browser, state: str) -> str | None:
    return css(b, f'#graph [data-state="{state}"]').get_attribute("data-status")


def open_execution(b: Browser, server: Serve, arn: str) -> None:
    b.driver.get(f"{server.url}/ui/#/execution/{arn}")
    b.wait(lambda d: css(b, "#execution-header h1"), message="the execution page did not load")


def test_watch_an_execution_move_approve_its_task_and_see_it_finish(server, page):
    pytest.importorskip("asl_runner.graph")
    sfn = server.client()
    arn = sfn.start_execution(stateMachineArn=machine(sfn, "approval", APPROVAL), name="loan-1",
                              input=json.dumps({"applicant": "Ada"}))["executionArn"]
    open_execution(page, server, arn)
    # the graph, recoloured from the history as it grows: the Wait, then the task
    page.wait(lambda d: status_of(page, "Pause") == "running", message="Pause never showed as running")
    assert status_of(page, "Prepare") == "succeeded"
    assert status_of(page, "Approve") == "not-reached"
    page.wait(lambda d: status_of(page, "Approve") == "running", message="Approve never showed as running")
    assert status_of(page, "Pause") == "succeeded"
    # drawn while Pause ran, the edge to Approve is marked taken as the run goes on
    page.wait(lambda d: css(page, '#graph .edge[data-from="Pause"][data-to="Approve"]').get_attribute("data-taken") == "true")
    assert "Waiting in Approve for a task token" in css(page, "#alerts").text

    # the inbox shows what the state sent, and the person approves with an output they type
    css(page, '[data-nav="inbox"]').click()
    card = page.wait(lambda d: css(page, '.task-card[data-execution="loan-1"]'))
    assert '"amount": 100' in card.find_element("css selector", ".params pre").text
    token = card.find_element("css selector", "pre.token").get_attribute("textContent")
    events = sfn.get_execution_history(executionArn=arn)["events"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"][-1]["taskScheduledEventDetails"]
    assert json.loads(scheduled["parameters"])["Payload"]["token"] == token
    output = card.find_element("css selector", "textarea[name=output]")
    output.clear()
    output.send_keys('{"approved": true, "approver": "grace"}')
    card.find_element("css selector", "button[name=approve]").click()
    page.wait(lambda d: "Nothing is waiting" in css(page, "#inbox").text, message="the task stayed in the inbox")

    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", what="the execution to end")
    open_execution(page, server, arn)
    page.wait(lambda d: "SUCCEEDED" in css(page, "#execution-header h1").text)
    page.wait(lambda d: status_of(page, "Done") == "succeeded")
    assert status_of(page, "Approve") == "succeeded"
    css(page, '[data-tab="io"]').click()
    assert json.loads(css(page, "#execution-output").text)["decision"] == {"approved": True, "approver": "grace"}


def test_the_end_marker_and_the_edge_to_it_are_painted_as_the_run_ends(server, page):
    """The Start and End markers are #asl-start and #asl-end (not states): a page drawn while the
    run waits paints them, and the edge to End, once it ends, without being opened again."""
    pytest.importorskip("asl_runner.graph")
    sfn = server.client()
    arn = sfn.start_execution(stateMachineArn=machine(sfn, "approval-end", APPROVAL), name="loan-end",
                              input=json.dumps({"applicant": "Bo"}))["executionArn"]
    open_execution(page, server, arn)
    page.wait(lambda d: status_of(page, "Approve") == "running", message="Approve never showed as running")
    assert css(page, "#graph #asl-start").get_attribute("data-status") == "succeeded"
    assert css(page, "#graph #asl-end").get_attribute("data-status") == "not-reached"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"][-1]["taskScheduledEventDetails"]
    sfn.send_task_success(taskToken=json.loads(scheduled["parameters"])["Payload"]["token"], output="{}")
    page.wait(lambda d: css(page, "#graph #asl-end").get_attribute("data-status") == "succeeded",
              message="the End marker was not painted")
    assert css(page, '#graph .edge[data-from="Done"][data-to=""]').get_attribute("data-taken") == "true"


def test_a_read_only_server_offers_no_answer_and_refuses_the_pages_writes(tmp_path, lambdas, page):
    server = Serve(tmp_path, "--ui-sla", "1", lambdas=lambdas)
    try:
        sfn = server.client()
        arn = sfn.start_execution(stateMachineArn=machine(sfn, "approval", APPROVAL), name="ro-1")["executionArn"]
        wait_until(lambda: any(e["type"] == "TaskSubmitted" for e in sfn.get_execution_history(executionArn=arn)["events"]),
                   what="the task to wait")
        page.driver.get(f"{server.url}/ui/#/inbox")
        card = page.wait(lambda d: css(page, '.task-card[data-execution="ro-1"]'))
        assert css(page, "#mode").text == "read-only"
        assert not card.find_element("css selector", "button[name=approve]").is_enabled()
        assert not card.find_element("css selector", "button[name=reject]").is_enabled()
        # running for more than the one-second SLA: highlighted
        page.wait(lambda d: "over-sla" in css(page, '.task-card[data-execution="ro-1"]').get_attribute("class"))
        token = card.find_element("css selector", "pre.token").get_attribute("textContent")
        refused = page.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            write("SendTaskSuccess", {taskToken: arguments[0], output: "{}"}).then(
                () => done("accepted"), (e) => done(e.code));""", token)
        assert refused == "AccessDeniedException"
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
        # and in the executions list, naming the state and how long it has run
        page.driver.get(f"{server.url}/ui/#/executions")
        row = page.wait(lambda d: css(page, '#executions tr[data-execution="ro-1"].over-sla'))
        assert "Approve" in row.find_element("css selector", ".sla-badge").text
        page.driver.get("about:blank")  # no more polls of a server about to stop
        page.errors()  # the refused request is logged as a failed resource
    finally:
        server.stop()


def test_executions_by_status_name_and_correlation_id_and_machines_with_versions_and_aliases(server, page):
    sfn = server.client()
    refused = {"StartAt": "Refuse", "States": {"Refuse": {"Type": "Fail", "Error": "No"}}}
    arn = sfn.create_state_machine(name="lookup", definition=json.dumps(refused), roleArn=ROLE,
                                   publish=True)["stateMachineArn"]
    version = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"][0]["stateMachineVersionArn"]
    sfn.create_state_machine_alias(name="live", routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}])
    for name, correlation in (("order-1", "c-17"), ("order-2", "c-18"), ("refund-1", None)):
        body = {"correlationId": correlation} if correlation else {}
        sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(body))
    wait_until(lambda: all(e["status"] != "RUNNING" for e in sfn.list_executions(stateMachineArn=arn)["executions"]),
               timeout=30, what="the executions to end")

    page.driver.get(f"{server.url}/ui/#/machines")
    row = page.wait(lambda d: css(page, '#machines tr[data-machine="lookup"]'))
    page.wait(lambda d: "live → v1 100%" in row.text and "v1" in row.text)

    names = lambda: [r.get_attribute("data-execution") for r in page.driver.find_elements("css selector", "#executions tr[data-execution]")]  # noqa: E731
    page.driver.get(f"{server.url}/ui/#/executions?machine={arn}&status=FAILED")
    page.wait(lambda d: sorted(names()) == ["order-1", "order-2", "refund-1"])
    page.driver.get(f"{server.url}/ui/#/executions?machine={arn}&status=SUCCEEDED")
    page.wait(lambda d: "No executions match" in css(page, "#executions").text)
    page.driver.get(f"{server.url}/ui/#/executions?machine={arn}")
    search = page.wait(lambda d: css(page, "#search"))
    search.send_keys("order")
    page.wait(lambda d: sorted(names()) == ["order-1", "order-2"])
    search.clear()
    search.send_keys("c-18")
    page.wait(lambda d: names() == ["order-2"])
    assert "correlation id" in css(page, '#executions tr[data-execution="order-2"]').text


def test_a_failed_execution_shows_its_error_first_its_iterations_branches_and_retries(server, page):
    sfn = server.client()
    arn = sfn.start_execution(stateMachineArn=machine(sfn, "busy", BUSY), name="busy-1",
                              input=json.dumps({"items": [10, 20, 30]}))["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "FAILED", timeout=30, what="the failure")
    open_execution(page, server, arn)
    error = page.wait(lambda d: css(page, "#execution-error"))
    assert "RuntimeError" in error.text and "in Book" in error.text and "the ledger is busy" in error.text
    pytest.importorskip("asl_runner.graph")
    page.wait(lambda d: status_of(page, "Book") == "failed")
    seen = page.driver.execute_async_script(READ_GRAPH, arn)
    assert seen["page"] == seen["server"]  # the page reads the history as the graph does

    css(page, '[data-tab="states"]').click()
    css(page, '#state-tree [data-run="Each"]').click()
    page.wait(lambda d: len(page.driver.find_elements("css selector", "#state-tree [data-iteration]")) == 3)
    css(page, '#state-tree [data-iteration="2"]').click()
    css(page, '#state-tree [data-run="Item"]').click()
    detail = page.wait(lambda d: css(page, "#run-detail"))
    assert "iteration #2" in detail.text and "30" in detail.find_element("css selector", "pre").text
    css(page, '#state-tree [data-run="Both"]').click()
    page.wait(lambda d: len(page.driver.find_elements("css selector", "#state-tree [data-branch]")) == 2)
    css(page, '#state-tree [data-run="Right"]').click()
    page.wait(lambda d: "branch 2" in css(page, "#run-detail").text)
    css(page, '#state-tree [data-run="Book"]').click()
    detail = page.wait(lambda d: css(page, "#run-detail"))
    page.wait(lambda d: "attempt 3: failed" in detail.text.lower())
    assert "attempt 1: failed" in detail.text.lower() and "the ledger is busy" in detail.text

    css(page, '[data-tab="timeline"]').click()
    row = page.wait(lambda d: css(page, '#timeline .tl-row[data-run="Book"]'))
    assert "3 attempts" in row.text
    bars = row.find_elements("css selector", ".bar")
    assert [b.get_attribute("class") for b in bars].count("bar failed") == 3
    assert [b.get_attribute("class") for b in bars].count("bar wait") == 2  # the back-offs

    css(page, '[data-tab="events"]').click()
    css(page, "#event-filter").send_keys("Failed")
    page.wait(lambda d: css(page, "#event-count").text.startswith("4 of "))

    # Redrive runs Book again from where it failed (and it fails again)
    css(page, "#redrive").click()
    page.wait(lambda d: "1×" in css(page, "#redrive-count").text, timeout=20)
    described = sfn.describe_execution(executionArn=arn)
    assert described["redriveCount"] == 1
    page.wait(lambda d: "FAILED" in css(page, "#execution-header h1").text, timeout=20)


def test_the_page_colours_a_run_as_the_graph_draws_it_caught_retried_not_reached(server, page):
    pytest.importorskip("asl_runner.graph")
    sfn = server.client()
    arn = sfn.start_execution(stateMachineArn=machine(sfn, "paths", PATHS), name="paths-1")["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", timeout=30, what="the run")
    open_execution(page, server, arn)
    page.wait(lambda d: status_of(page, "Done") == "succeeded")
    seen = page.driver.execute_async_script(READ_GRAPH, arn)
    assert seen["page"]["states"] == seen["server"]["states"]
    assert {name: seen["page"]["states"][name] for name in ("Try", "Skipped", "Recover", "Again", "Pick")} == {
        "Try": "caught", "Skipped": "not-reached", "Recover": "succeeded", "Again": "retried", "Pick": "succeeded"}
    assert seen["page"]["edges"] == seen["server"]["edges"]
    assert "Try>Recover:catch" in seen["page"]["edges"] and "Again>Again:retry" in seen["page"]["edges"]

    # each data-flow step's value, from TestState with the task's recorded result as its mock
    css(page, '[data-tab="states"]').click()
    page.wait(lambda d: css(page, '#state-tree [data-run="Again"]')).click()
    page.wait(lambda d: css(page, "#replay-button")).click()
    steps = page.wait(lambda d: css(page, "#replay-steps"))
    assert "output is the run's own" in steps.text
    after_parameters = json.loads(css(page, '#replay-steps [data-step="afterParameters"] pre').text)
    assert after_parameters == {"FunctionName": "once"}
    after_result_path = json.loads(css(page, '#replay-steps [data-step="afterResultPath"] pre').text)
    assert after_result_path["again"]["Payload"] == {"ok": True} and after_result_path["error"]["Error"] == "RuntimeError"


def test_a_distributed_maps_children_are_listed_by_their_map_run_and_open(server, page):
    distributed = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}}}}
    sfn = server.client()
    arn = sfn.start_execution(stateMachineArn=machine(sfn, "distributed", distributed), name="d-1",
                              input=json.dumps({"items": [1, 2, 3]}))["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", timeout=30, what="the run")
    open_execution(page, server, arn)
    css(page, '[data-tab="states"]').click()
    page.wait(lambda d: css(page, '#state-tree [data-run="Each"]')).click()
    page.wait(lambda d: css(page, "#map-run-link")).click()
    page.wait(lambda d: len(page.driver.find_elements("css selector", "#executions tr[data-execution]")) == 3)
    assert "SUCCEEDED" in css(page, "#map-run").text and "succeeded 3" in css(page, "#map-run").text
    css(page, "#executions tr[data-execution] a").click()
    page.wait(lambda d: "SUCCEEDED" in css(page, "#execution-header h1").text)
