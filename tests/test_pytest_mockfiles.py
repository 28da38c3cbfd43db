"""Mock files as tests: each TestCase of a Step Functions Local mock file a pytest item,
checked against its expectations file (the sidecar), run by pytester."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).parent.parent / "definitions"


@pytest.fixture
def project(pytester):
    """The shipped example: definitions/charge_and_notify.asl.json, its mock file and sidecar."""
    shutil.copy(EXAMPLE / "charge_and_notify.asl.json", pytester.path)
    shutil.copytree(EXAMPLE / "charge_and_notify", pytester.path / "charge_and_notify")
    return pytester


def sidecar(project, name="charge_and_notify/MockConfigFile.expect.json"):
    return project.path / name


def edit_sidecar(project, change):
    path = sidecar(project)
    document = json.loads(path.read_text())
    change(document["StateMachines"]["ChargeAndNotify"])
    path.write_text(json.dumps(document))


def test_each_test_case_of_the_shipped_example_is_an_item_and_passes(project):
    result = project.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines_random([
        "*MockConfigFile.json::ChargeAndNotify#HappyPath PASSED*",
        "*MockConfigFile.json::ChargeAndNotify#RetryPath PASSED*",
        "*MockConfigFile.json::ChargeAndNotify#DeclinedPath PASSED*",
    ])


def test_a_failing_case_is_explained_with_the_path_and_the_failing_state(project):
    edit_sidecar(project, lambda m: m["TestCases"]["DeclinedPath"].update(
        Expect={"Status": "SUCCEEDED"}))
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*_ ChargeAndNotify#DeclinedPath _*",
        "ChargeAndNotify#DeclinedPath: expected the execution to succeed, but it FAILED with "
        "PaymentDeclined: The card was declined",
        "path: ChargeCard -> Declined",
        "failing state: 'Declined'",
        '  input: {"error": {"Cause": "insufficient funds", "Error": "CardDeclined"}, "orderId": "o-1"}',
        "  error: PaymentDeclined",
        "  cause: The card was declined",
        "  after 'ChargeCard' failed with CardDeclined: insufficient funds",
        "=*short test summary info*",
    ])
    assert "Traceback" not in result.stdout.str() and "mockfiles.py" not in result.stdout.str()


def test_a_wrong_output_or_path_fails(project):
    def change(machine):
        machine["TestCases"]["HappyPath"]["Expect"]["Output"]["charge"] = {"chargeId": "ch_9"}
        machine["TestCases"]["RetryPath"]["Expect"]["Path"] = ["ChargeCard", "Declined"]
    edit_sidecar(project, change)
    result = project.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines_random([
        "ChargeAndNotify#HappyPath: expected the execution to succeed with the output *'ch_9'*, "
        "but it SUCCEEDED with the output *\"ch_1\"*",
        "ChargeAndNotify#RetryPath: the run took ChargeCard -> SendReceipt, not ChargeCard -> Declined",
        "it left the expected path after 'ChargeCard': entered 'SendReceipt' where 'Declined' was expected",
    ])


def test_other_statuses_and_the_default_input(project):
    edit_sidecar(project, lambda m: m["TestCases"]["HappyPath"].update(
        Expect={"Status": "TIMED_OUT"}))
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["ChargeAndNotify#HappyPath: expected the execution to end "
                                 "TIMED_OUT, but it SUCCEEDED with the output {\"charge\"*"
                                 "\"orderId\": \"o-1\"*"])


def test_a_test_case_without_expect_or_definition_fails_saying_what_to_add(project):
    edit_sidecar(project, lambda m: m["TestCases"].pop("RetryPath"))
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["MockConfigFile.expect.json: /StateMachines/ChargeAndNotify/"
                                 "TestCases/RetryPath: no 'Expect' for this test case: declare its "
                                 "Status (and Output, Error, Cause, Path as wanted)"])
    edit_sidecar(project, lambda m: m.pop("Definition"))
    result = project.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["MockConfigFile.expect.json: /StateMachines/ChargeAndNotify: no "
                                 "'Definition' for the state machine 'ChargeAndNotify': name its "
                                 "definition file there"])


def test_a_bad_sidecar_is_a_collection_error_listing_every_problem(project):
    def change(machine):
        machine["Definition"] = "missing.asl.json"
        machine["TestCases"]["HapyPath"] = machine["TestCases"].pop("HappyPath")
        machine["TestCases"]["DeclinedPath"]["Expect"]["Output"] = {}
        machine["TestCases"]["DeclinedPath"]["Expect"]["Staus"] = "FAILED"
        machine["TestCases"]["RetryPath"]["Expect"]["Path"] = "ChargeCard"
    edit_sidecar(project, change)
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines_random([
        "MockConfigFile.expect.json: /StateMachines/ChargeAndNotify/Definition: names no "
        "definition file: 'missing.asl.json' (relative to this file)",
        "MockConfigFile.expect.json: /StateMachines/ChargeAndNotify/TestCases/HapyPath: the mock "
        "file has no test case 'HapyPath' for 'ChargeAndNotify' (did you mean 'HappyPath'?)",
        "MockConfigFile.expect.json: /StateMachines/ChargeAndNotify/TestCases/DeclinedPath/Expect/"
        "Output: an execution that ends FAILED has no output",
        "MockConfigFile.expect.json: /StateMachines/ChargeAndNotify/TestCases/DeclinedPath/Expect/"
        "Staus: unknown key 'Staus' (did you mean 'Status'?): it may have Status, Output, Error, "
        "Cause, Path",
        "MockConfigFile.expect.json: /StateMachines/ChargeAndNotify/TestCases/RetryPath/Expect/"
        "Path: must be a list of state names (the top level's, in the order entered)",
    ])
    assert "Traceback" not in result.stdout.str()


def test_a_bad_mock_file_is_a_collection_error_at_its_pointer(project):
    mock_file = project.path / "charge_and_notify" / "MockConfigFile.json"
    document = json.loads(mock_file.read_text())
    document["MockedResponses"]["Declined"]["0"] = {"Thorw": {}}
    mock_file.write_text(json.dumps(document))
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*MockConfigFile.json: /MockedResponses/Declined/0/Thorw: unknown "
                                 "key 'Thorw' (did you mean 'Throw'?)*"])


def test_a_mock_for_a_state_the_definition_lacks_fails_the_case(project):
    mock_file = project.path / "charge_and_notify" / "MockConfigFile.json"
    document = json.loads(mock_file.read_text())
    document["StateMachines"]["ChargeAndNotify"]["TestCases"]["HappyPath"]["SendReciept"] = "Published"
    mock_file.write_text(json.dumps(document))
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*MockConfigFile.json: /StateMachines/ChargeAndNotify/TestCases/"
                                 "HappyPath/SendReciept: cannot stub 'SendReciept': the definition "
                                 "has no state or Task resource 'SendReciept' (did you mean "
                                 "'SendReceipt'?)"])


def test_named_mock_files_and_ones_without_a_sidecar(project):
    (project.path / "charge_and_notify" / "MockConfigFile.json").rename(
        project.path / "charge_and_notify" / "charges.mock.json")
    sidecar(project).rename(project.path / "charge_and_notify" / "charges.expect.json")
    project.runpytest().assert_outcomes(passed=3)

    # a mock file kept for Step Functions Local alone is not collected from a directory ...
    sidecar(project, "charge_and_notify/charges.expect.json").unlink()
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    # ... and named on the command line, its sidecar is asked for
    result = project.runpytest("charge_and_notify/charges.mock.json")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["charges.mock.json: no expectations file charges.expect.json "
                                 "beside it: *"])


def test_a_definition_that_does_not_load_fails_saying_why(project):
    (project.path / "charge_and_notify.asl.json").write_text('{"StartAt": "Nowhere", "States": {}}')
    result = project.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["../charge_and_notify.asl.json: *Nowhere*"])
    assert "Traceback" not in result.stdout.str()


def test_a_mocked_response_answers_a_wait_for_task_token_task_whole(pytester):
    pytester.path.joinpath("approval.asl.json").write_text(json.dumps({
        "StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                           "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True}}}))
    pytester.path.joinpath("approval.mock.json").write_text(json.dumps({
        "StateMachines": {"Approval": {"TestCases": {"Approved": {"Ask": "Yes"}}}},
        "MockedResponses": {"Yes": {"0": {"Return": {"approved": True}}}}}))
    pytester.path.joinpath("approval.expect.json").write_text(json.dumps({
        "StateMachines": {"Approval": {"Definition": "approval.asl.json", "TestCases": {
            "Approved": {"Expect": {"Output": {"approved": True}, "Path": ["Ask"]}}}}}}))
    pytester.runpytest().assert_outcomes(passed=1)
