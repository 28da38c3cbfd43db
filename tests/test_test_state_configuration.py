"""TestState's ``stateConfiguration`` for Map and Parallel states: ``mapIterationFailureCount``
against the Map's tolerated failures, ``errorCausedByState`` naming the state a mocked error
came from, ``mapItemReaderData`` as what a Distributed Map's ItemReader reads. The outcomes
are those of TestState responses recorded on AWS; the refusals of misuse are asl-runner's."""

from __future__ import annotations

import json

import pytest

from asl_runner import test_state as run_state
from asl_runner.cli import main
from asl_runner.engine.test_state import TestStateError

from cli_runner import CliRunner

VALUES = {"Values": ["first", "second", "third"]}
DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
PROCESSOR = {"ProcessorConfig": DISTRIBUTED, "StartAt": "HandleItem",
             "States": {"HandleItem": {"Type": "Pass", "End": True}}}
#: a JSONata Map tolerating one failed iteration, its errors caught
MAP_CATCH = {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.Values %}",
             "ItemProcessor": PROCESSOR, "ToleratedFailureCount": 1, "End": True,
             "Catch": [{"ErrorEquals": ["MockException"], "Next": "HandleMockError"},
                       {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"],
                        "Output": "{% $states.errorOutput %}", "Next": "HandleThreshold"}]}
#: the same, its errors retried
MAP_RETRY = {**{k: v for k, v in MAP_CATCH.items() if k != "Catch"},
             "Retry": [{"ErrorEquals": ["MockException"], "MaxAttempts": 3},
                       {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "MaxAttempts": 2}]}
#: a Map that tolerates nothing
MAP_PLAIN = {"Type": "Map", "ItemsPath": "$.Values", "ItemProcessor": PROCESSOR, "End": True}
MACHINE = {"StartAt": "State0", "States": {"State0": {**MAP_PLAIN, "ToleratedFailureCount": 2}}}
MOCK_ERROR = {"errorOutput": {"error": "MockException", "cause": "Mock the error cause."}}


def _run(state, config, mock, **kwargs):
    return run_state(state, VALUES, state_configuration=config, mock=mock, **kwargs)


def test_failed_iterations_within_the_tolerance_give_the_mocked_result():
    response = _run(MAP_CATCH, {"mapIterationFailureCount": 1}, {"result": "[1, 1, 1]"})
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", [1, 1, 1])


def test_failed_iterations_beyond_the_tolerance_exceed_the_threshold_and_are_caught():
    response = _run(MAP_CATCH, {"mapIterationFailureCount": 2}, {"result": "[0, 0, 1]"},
                    inspection_level="DEBUG")
    assert response["status"] == "CAUGHT_ERROR" and response["nextState"] == "HandleThreshold"
    assert response["error"] == "States.ExceedToleratedFailureThreshold"
    assert response["cause"] == "The specified tolerated failure threshold was exceeded"
    assert json.loads(response["output"]) == {"Error": response["error"], "Cause": response["cause"]}
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1}
    assert response["inspectionData"]["toleratedFailureCount"] == 1


def test_exceeding_the_threshold_is_retriable():
    response = _run(MAP_RETRY, {"mapIterationFailureCount": 2}, {"result": "[0, 0, 1]"},
                    inspection_level="DEBUG")
    assert response["status"] == "RETRIABLE"
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 1}


def test_a_percentage_tolerance_counts_against_the_number_of_items():
    state = {**MAP_PLAIN, "ToleratedFailurePercentage": 50}
    assert _run(state, {"mapIterationFailureCount": 1}, {"result": "[1, 2, 3]"})["status"] == "SUCCEEDED"
    failed = _run(state, {"mapIterationFailureCount": 2}, {"result": "[1, 2, 3]"})
    assert (failed["status"], failed["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_a_jsonata_map_reports_its_input_and_settings():
    # recorded on AWS: a JSONata Map's inspectionData holds no afterItemsPath and no result
    response = _run(MAP_CATCH, None, {"result": "[1, 1, 1]"}, inspection_level="DEBUG")
    assert response["inspectionData"] == {"input": json.dumps(VALUES, separators=(",", ":")),
                                          "maxConcurrency": 0, "toleratedFailureCount": 1}


def test_a_map_without_a_tolerance_takes_the_mocked_result_whatever_the_count():
    response = _run(MAP_PLAIN, {"mapIterationFailureCount": 2}, {"result": "[0, 0, 1]"})
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", [0, 0, 1])


@pytest.mark.parametrize("count", [0, 2])
def test_a_mocked_error_from_a_named_state_fails_the_map_with_it(count):
    response = run_state(json.dumps(MACHINE), VALUES, state_name="State0", mock=MOCK_ERROR,
                         state_configuration={"mapIterationFailureCount": count,
                                              "errorCausedByState": "HandleItem"},
                         inspection_level="DEBUG")
    assert (response["status"], response["error"], response["cause"]) == \
        ("FAILED", "MockException", "Mock the error cause.")
    seen = response["inspectionData"]
    assert json.loads(seen["afterItemsPath"]) == VALUES["Values"]
    assert (seen["maxConcurrency"], seen["toleratedFailureCount"]) == (0, 2)


def test_a_mocked_error_from_a_branch_state_is_caught_by_the_parallel():
    parallel = {"Type": "Parallel", "End": True,
                "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                             {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}
    response = _run(parallel, {"errorCausedByState": "B"}, MOCK_ERROR)
    assert (response["status"], response["nextState"]) == ("CAUGHT_ERROR", "Handle")


ITEM_READER_MACHINE = {"QueryLanguage": "JSONata", "StartAt": "State0", "States": {"State0": {
    "Type": "Map", "MaxConcurrency": 1, "End": True,
    "ItemReader": {"ReaderConfig": {"InputType": "JSON"}, "Resource": "arn:aws:states:::s3:getObject",
                   "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"}},
    "ItemProcessor": PROCESSOR,
    "Output": {"result": "{% $states.result %}"}}}}
READER_INPUT = {"Bucket": "test-bucket", "Key": "test-key"}


def test_an_item_reader_reads_the_map_item_reader_data_and_calls_nothing():
    response = run_state(json.dumps(ITEM_READER_MACHINE), READER_INPUT, state_name="State0",
                         state_configuration={"mapItemReaderData": "[1, 2, 3]"},
                         mock={"result": "[1, 4, 9]"}, inspection_level="DEBUG")
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", {"result": [1, 4, 9]})
    assert response["inspectionData"]["maxConcurrency"] == 1


def test_without_item_reader_data_the_items_are_the_map_s_input():
    response = run_state(json.dumps(ITEM_READER_MACHINE), READER_INPUT, state_name="State0",
                         mock={"result": "[1]"})
    assert (response["status"], response["error"]) == ("FAILED", "States.ItemReaderFailed")
    assert response["cause"].startswith("Without stateConfiguration.mapItemReaderData the items "
                                        "are the Map's input, as read already: ")
    machine = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                      "ReaderConfig": {"InputType": "JSON"},
                                      "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": PROCESSOR, "ToleratedFailureCount": 0, "End": True}}}
    failed = run_state(json.dumps(machine), [1, 2], state_name="M", mock={"result": "[1, 2]"},
                       state_configuration={"mapIterationFailureCount": 1})
    assert failed["error"] == "States.ExceedToleratedFailureThreshold"  # two items were read


def test_an_items_pointer_picks_the_items_out_of_the_item_reader_data():
    machine = json.loads(json.dumps(ITEM_READER_MACHINE))
    machine["States"]["State0"]["ItemReader"]["ReaderConfig"]["ItemsPointer"] = "/orders"
    response = run_state(json.dumps(machine), READER_INPUT, state_name="State0",
                         state_configuration={"mapItemReaderData": '{"orders": [{"id": 1}, {"id": 2}]}'},
                         mock={"result": "[1, 2]"}, inspection_level="DEBUG")
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["inspectionData"]["afterItemsPointer"]) == [{"id": 1}, {"id": 2}]


def test_the_item_reader_data_counts_the_items_failed_iterations_are_checked_against():
    with pytest.raises(TestStateError) as caught:
        run_state(json.dumps(ITEM_READER_MACHINE), READER_INPUT, state_name="State0",
                  state_configuration={"mapItemReaderData": "[1, 2]", "mapIterationFailureCount": 3},
                  mock={"result": "[1, 4]"})
    assert caught.value.code == "ValidationException"
    assert "cannot exceed the number of items" in caught.value.message


def test_item_reader_data_is_read_as_its_reader_config_says():
    machine = json.loads(json.dumps(ITEM_READER_MACHINE))
    state = machine["States"]["State0"]
    state["ItemReader"]["ReaderConfig"] = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}
    state["ToleratedFailurePercentage"] = 50
    # two CSV rows: one failed iteration is within 50%, two are not
    data = "a,b\n1,2\n3,4\n"
    ok = run_state(json.dumps(machine), READER_INPUT, state_name="State0", mock={"result": "[0, 1]"},
                   state_configuration={"mapItemReaderData": data, "mapIterationFailureCount": 1})
    assert ok["status"] == "SUCCEEDED"
    over = run_state(json.dumps(machine), READER_INPUT, state_name="State0", mock={"result": "[0, 1]"},
                     state_configuration={"mapItemReaderData": data, "mapIterationFailureCount": 2})
    assert over["error"] == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize(("state", "config", "words"), [
    (MAP_PLAIN, {"mapIterationFailureCount": 4}, "cannot exceed the number of items"),
    (MAP_PLAIN, {"mapIterationFailureCount": -1}, "must be an integer of at least 0"),
    (MAP_PLAIN, {"errorCausedByState": "Nowhere"}, "has no state named 'Nowhere'"),
    (MAP_PLAIN, {"mapItemReaderData": "[1]"}, "with an ItemReader only"),
    ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f"}, "End": True}, {"mapIterationFailureCount": 1},
     "applies to Map states only"),
    ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f"}, "End": True}, {"errorCausedByState": "X"},
     "applies to Map and Parallel states only"),
])
def test_misused_configuration_is_refused(state, config, words):
    with pytest.raises(TestStateError) as caught:
        _run(state, config, MOCK_ERROR if "errorCausedByState" in config else {"result": "[1, 2, 3]"})
    assert caught.value.code == "ValidationException"
    assert words in caught.value.message


def test_the_cli_takes_the_state_configuration(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps(MAP_CATCH))
    result = CliRunner().invoke(main, ["test-state", str(path), "--input", json.dumps(VALUES),
                                       "--mock", '{"result": "[0, 0, 1]"}',
                                       "--state-configuration", '{"mapIterationFailureCount": 2}'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nextState"] == "HandleThreshold"
