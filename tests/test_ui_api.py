"""The web view's HTTP side, without a browser: its pages, its read-only endpoints and the gate
on its writes. The ASGI application is called in-process (the same object `serve` runs under
uvicorn) over an in-memory service on the real clock; executions are kept waiting by a
`.waitForTaskToken` task whose handler only records its token.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from asl_runner.server.app import StepFunctionsApp
from asl_runner.server.ui import UiSettings, WebView
from asl_runner.service import open_service

ROLE = "arn:aws:iam::123456789012:role/ui"
ASK = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Ask"},
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token", "q.$": "$.q"}},
                "TimeoutSeconds": 3600, "End": True},
    },
}
WORK = {"StartAt": "Work", "States": {"Work": {
    "Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:desk", "End": True}}}


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> dict:
        return json.loads(self.body)


def call(app, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Response:
    """One HTTP request through the ASGI application."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    sent: list[dict] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # the client stays connected

    async def send(message):
        sent.append(message)

    async def run():
        await app(scope, receive, send)

    asyncio.run(run())
    start = sent[0]
    return Response(start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
                    b"".join(m.get("body", b"") for m in sent[1:]))


def api(app, operation: str, body: dict, path: str = "/", **headers: str) -> Response:
    return call(app, "POST", path, json.dumps(body).encode(),
                {"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": f"AWSStepFunctions.{operation}", **headers})


@pytest.fixture
def service():
    asked: list[dict] = []
    service = open_service(None, handlers={"Ask": lambda event, context: asked.append(event) or {}})
    service.asked = asked
    yield service
    service.close()


def web(service, **settings) -> WebView:
    return WebView(StepFunctionsApp(service), UiSettings(**settings))


def start_waiting(service, name: str = "e1", input: dict | None = None) -> str:
    machine = service.create_state_machine({"name": "ask", "definition": json.dumps(ASK), "roleArn": ROLE}) \
        if not service.store.get_state_machine("arn:aws:states:us-east-1:123456789012:stateMachine:ask") else None
    arn = (machine or {}).get("stateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:ask")
    before = len(service.asked)
    execution = service.start_execution({"stateMachineArn": arn, "name": name,
                                         "input": json.dumps(input or {"q": "ok?"})})["executionArn"]
    deadline = time.monotonic() + 10
    while len(service.asked) == before:
        assert time.monotonic() < deadline, "the callback task was never called"
        time.sleep(0.01)
    return execution


def wait_status(service, arn: str, wanted: str) -> dict:
    deadline = time.monotonic() + 10
    while (described := service.describe_execution({"executionArn": arn}))["status"] != wanted:
        assert time.monotonic() < deadline, described
        time.sleep(0.01)
    return described


# ---------------------------------------------------------------------------- pages


def test_the_pages_are_served_under_ui_with_a_policy_that_allows_nothing_from_elsewhere(service):
    app = web(service)
    assert call(app, "GET", "/ui").status == 308
    assert call(app, "GET", "/ui").headers["location"] == "/ui/"
    page = call(app, "GET", "/ui/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert b'src="/ui/app.js"' in page.body and b'href="/ui/app.css"' in page.body
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    script = call(app, "GET", "/ui/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"AWSStepFunctions." in script.body and b"https://" not in script.body
    assert call(app, "GET", "/ui/app.css").headers["content-type"].startswith("text/css")
    assert call(app, "GET", "/ui/nothing.js").status == 404
    assert call(app, "POST", "/ui/").status == 405


def test_the_api_at_the_root_is_unchanged_behind_the_web_view(service):
    app = web(service)
    response = api(app, "ListStateMachines", {})
    assert response.status == 200 and response.json() == {"stateMachines": []}
    response = api(app, "DescribeExecution", {"executionArn": "nope"})
    assert response.status == 400 and response.json()["__type"].endswith("#InvalidArn")
    assert call(app, "GET", "/").status == 405  # still POST only


def test_config_says_whether_writes_are_on_and_the_sla(service):
    assert call(web(service), "GET", "/ui/api/config").json()["writes"] is False
    config = call(web(service, writes=True, sla_seconds=90), "GET", "/ui/api/config").json()
    assert config["writes"] is True and config["slaSeconds"] == 90
    assert config["writeOperations"] == ["RedriveExecution", "SendTaskFailure", "SendTaskSuccess"]


# ---------------------------------------------------------------------------- the inbox's reads


def test_tasks_lists_a_waiting_callback_with_its_token_and_what_the_state_sent(service):
    arn = start_waiting(service, input={"q": "lend?"})
    tasks = call(web(service), "GET", "/ui/api/tasks").json()["tasks"]
    assert len(tasks) == 1
    task = tasks[0]
    token = service.asked[0]["token"]
    assert task["executionArn"] == arn and task["executionName"] == "e1"
    assert (task["stateName"], task["kind"], task["taskToken"]) == ("Ask", "callback", token)
    assert task["resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert json.loads(task["parameters"]) == {"FunctionName": "Ask", "Payload": {"token": token, "q": "lend?"}}
    # the same parameters the history's TaskScheduled event carries
    events = service.get_execution_history({"executionArn": arn})["events"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"][-1]
    assert json.loads(scheduled["taskScheduledEventDetails"]["parameters"]) == json.loads(task["parameters"])
    entered = [e for e in events if e["type"] == "TaskStateEntered"][-1]["timestamp"]
    assert task["enteredTime"] == pytest.approx(entered, abs=0.002)
    assert task["timeoutTime"] == pytest.approx(task["enteredTime"] + 3600, abs=0.01)
    service.send_task_success({"taskToken": token, "output": "{}"})
    wait_status(service, arn, "SUCCEEDED")
    assert call(web(service), "GET", "/ui/api/tasks").json()["tasks"] == []


def test_tasks_are_counted_by_kind_and_listed_by_kind_oldest_first_up_to_a_limit(service):
    first = start_waiting(service, "old")
    start_waiting(service, "new")
    app = web(service)
    listing = call(app, "GET", "/ui/api/tasks?kind=callback&limit=1").json()
    assert listing["counts"] == {"callback": 2}
    assert [t["executionArn"] for t in listing["tasks"]] == [first]
    assert call(app, "GET", "/ui/api/tasks?kind=activity").json()["tasks"] == []
    for bad in ("kind=lambda", "limit=0", "limit=1001", "limit=x"):
        response = call(app, "GET", f"/ui/api/tasks?{bad}")
        assert response.status == 400 and response.json()["__type"].endswith("ValidationException"), bad


def test_a_task_in_a_map_runs_child_is_listed_under_the_child_execution(service):
    distributed = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Ask", "States": {"Ask": ASK["States"]["Ask"]}}}}}
    machine = service.create_state_machine({"name": "fan", "definition": json.dumps(distributed), "roleArn": ROLE})
    parent = service.start_execution({"stateMachineArn": machine["stateMachineArn"],
                                      "input": json.dumps({"items": [{"q": "a"}, {"q": "b"}]})})["executionArn"]
    deadline = time.monotonic() + 10
    while len(service.asked) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    tasks = call(web(service), "GET", "/ui/api/tasks").json()["tasks"]
    map_run = service.list_map_runs({"executionArn": parent})["mapRuns"][0]["mapRunArn"]
    children = {e["executionArn"]: e["name"] for e in service.list_executions({"mapRunArn": map_run})["executions"]}
    assert {t["executionArn"]: t["executionName"] for t in tasks} == children
    for task in tasks:
        assert api(web(service, writes=True), "SendTaskSuccess", {"taskToken": task["taskToken"], "output": "{}"},
                   "/ui/api/write").status == 200
    wait_status(service, parent, "SUCCEEDED")


def test_large_parameters_are_cut_in_the_listing_and_say_so(service):
    start_waiting(service, input={"q": "x" * 100_000})
    task = call(web(service), "GET", "/ui/api/tasks").json()["tasks"][0]
    assert task["parametersTruncated"] is True
    assert len(task["parameters"]) == 32 * 1024


def test_an_activity_task_is_listed_without_a_token_the_worker_owns_it(service):
    service.create_activity({"name": "desk"})
    machine = service.create_state_machine({"name": "work", "definition": json.dumps(WORK), "roleArn": ROLE})
    service.start_execution({"stateMachineArn": machine["stateMachineArn"], "name": "w1"})
    deadline = time.monotonic() + 10
    while not (tasks := call(web(service), "GET", "/ui/api/tasks").json()["tasks"]):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert tasks[0]["kind"] == "activity" and "taskToken" not in tasks[0]


def test_executions_are_found_by_the_correlation_id_in_their_input(service):
    start_waiting(service, "a", {"q": "x", "correlationId": "order-7"})
    start_waiting(service, "b", {"q": "x", "correlationId": "order-8"})
    start_waiting(service, "c", {"q": "x"})
    app = web(service)
    found = call(app, "GET", "/ui/api/executions?correlationId=order-7").json()["executions"]
    assert [e["name"] for e in found] == ["a"]
    assert set(found[0]) >= {"executionArn", "stateMachineArn", "status", "startDate"}
    machine = found[0]["stateMachineArn"]
    assert call(app, "GET", f"/ui/api/executions?correlationId=order-8&stateMachineArn={machine}").json()[
        "executions"][0]["name"] == "b"
    assert call(app, "GET", "/ui/api/executions?correlationId=order-9").json()["executions"] == []
    missing = call(app, "GET", "/ui/api/executions")
    assert missing.status == 400 and missing.json()["__type"].endswith("ValidationException")


def test_an_unknown_endpoint_is_a_clear_404(service):
    response = call(web(service), "GET", "/ui/api/nothing")
    assert response.status == 404 and "no such endpoint" in response.json()["message"]


# ---------------------------------------------------------------------------- the gate on writes


def test_writes_are_refused_unless_serve_turned_them_on_and_the_task_still_waits(service):
    arn = start_waiting(service)
    token = service.asked[0]["token"]
    refused = api(web(service), "SendTaskSuccess", {"taskToken": token, "output": "{}"}, "/ui/api/write")
    assert refused.status == 403
    assert refused.json()["__type"].endswith("AccessDeniedException")
    assert "--ui-writes" in refused.json()["message"]
    assert service.describe_execution({"executionArn": arn})["status"] == "RUNNING"
    assert call(web(service), "GET", "/ui/api/tasks").json()["tasks"][0]["taskToken"] == token


def test_with_writes_on_approve_and_reject_go_through_with_the_apis_own_checks(service):
    app = web(service, writes=True)
    first = start_waiting(service, "yes")
    ok = api(app, "SendTaskSuccess", {"taskToken": service.asked[0]["token"], "output": '{"approved": true}'},
             "/ui/api/write", Origin="http://127.0.0.1:8083", Host="127.0.0.1:8083")
    assert ok.status == 200 and ok.json() == {}
    assert wait_status(service, first, "SUCCEEDED")["output"] == '{"approved":true}'
    second = start_waiting(service, "no")
    token = service.asked[1]["token"]
    bad = api(app, "SendTaskSuccess", {"taskToken": token, "output": "not json"}, "/ui/api/write")
    assert bad.status == 400 and bad.json()["__type"].endswith("#InvalidOutput")
    rejected = api(app, "SendTaskFailure", {"taskToken": token, "error": "Rejected", "cause": "too risky"},
                   "/ui/api/write")
    assert rejected.status == 200
    described = wait_status(service, second, "FAILED")
    assert (described["error"], described["cause"]) == ("Rejected", "too risky")
    again = api(app, "SendTaskFailure", {"taskToken": token}, "/ui/api/write")
    assert again.json()["__type"].endswith("#TaskTimedOut")


def test_with_writes_on_a_failed_execution_is_redriven_from_the_page(service):
    failing = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope"}}}
    machine = service.create_state_machine({"name": "no", "definition": json.dumps(failing), "roleArn": ROLE})
    arn = service.start_execution({"stateMachineArn": machine["stateMachineArn"]})["executionArn"]
    wait_status(service, arn, "FAILED")
    refused = api(web(service), "RedriveExecution", {"executionArn": arn}, "/ui/api/write")
    assert refused.status == 403
    assert api(web(service, writes=True), "RedriveExecution", {"executionArn": arn}, "/ui/api/write").status == 200
    deadline = time.monotonic() + 10
    while (described := service.describe_execution({"executionArn": arn}))["status"] != "FAILED" \
            or described["redriveCount"] != 1:
        assert time.monotonic() < deadline, described
        time.sleep(0.01)


def test_the_write_path_sends_only_task_answers_and_redrives_and_only_from_this_servers_pages(service):
    app = web(service, writes=True)
    machine = service.create_state_machine({"name": "m", "definition": json.dumps(ASK), "roleArn": ROLE})
    other = api(app, "StartExecution", {"stateMachineArn": machine["stateMachineArn"]}, "/ui/api/write")
    assert other.status == 403 and "StartExecution" in other.json()["message"]
    assert service.list_executions({"stateMachineArn": machine["stateMachineArn"]})["executions"] == []
    foreign = api(app, "SendTaskSuccess", {"taskToken": "t", "output": "{}"}, "/ui/api/write",
                  Origin="http://evil.example", Host="127.0.0.1:8083")
    assert foreign.status == 403 and "another origin" in foreign.json()["message"]
    rebound = api(app, "SendTaskSuccess", {"taskToken": "t", "output": "{}"}, "/ui/api/write",
                  Origin="http://attacker.example:8083", Host="attacker.example:8083")
    assert rebound.status == 403 and "host name" in rebound.json()["message"]
    for host in ("localhost:8083", "[::1]:8083", "10.1.2.3:8083"):
        answer = api(app, "SendTaskSuccess", {"taskToken": "t", "output": "{}"}, "/ui/api/write",
                     Origin=f"http://{host}", Host=host)
        assert answer.json()["__type"].endswith("#InvalidToken"), host  # let through to the API
    assert call(app, "GET", "/ui/api/write").status == 405
    no_target = call(app, "POST", "/ui/api/write", b"{}")
    assert no_target.json()["__type"].endswith("UnknownOperationException")


# ---------------------------------------------------------------------------- the graph


def test_the_graph_of_an_execution_is_an_svg_with_a_group_per_state(service):
    pytest.importorskip("asl_runner.graph")
    arn = start_waiting(service)
    response = call(web(service), "GET", f"/ui/api/graph?executionArn={arn}")
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    svg = response.body.decode()
    assert 'data-state="Prepare"' in svg and 'data-state="Ask"' in svg
    missing = call(web(service), "GET", "/ui/api/graph?executionArn=arn:aws:states:us-east-1:123456789012:execution:ask:none")
    assert missing.status == 400 and missing.json()["__type"].endswith("ExecutionDoesNotExist")
    bad = call(web(service), "GET", "/ui/api/graph?executionArn=nope")
    assert bad.status == 400 and bad.json()["__type"].endswith("InvalidArn")
