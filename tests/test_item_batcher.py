"""A Distributed Map's ItemBatcher: MaxItemsPerBatch, MaxInputBytesPerBatch, their Path forms
and JSONata expressions, BatchInput, the ItemSelector applied before batching, batches across
the pages of an ItemReader (in-process moto), and the errors."""

from __future__ import annotations

import json

import pytest
from test_item_reader import DISTRIBUTED, output, reader_machine, run

import asl_runner
from asl_runner.engine import item_reader
from asl_runner.validate import validate_definition


def batched(batcher: dict, **fields) -> dict:
    return {"StartAt": "Map", "States": {"Map": {
        "Type": "Map", "ItemProcessor": DISTRIBUTED, "ItemBatcher": batcher, "End": True,
        **fields}}}


def children(execution) -> list:
    """The children's inputs (the processor passes its input through)."""
    return output(execution)


def test_max_items_per_batch_with_batch_input():
    execution = asl_runner.run(batched({"MaxItemsPerBatch": 2, "BatchInput": {"job": "j1"}}),
                               [1, 2, 3, 4, 5], clock="virtual")
    assert children(execution) == [{"Items": [1, 2], "BatchInput": {"job": "j1"}},
                                   {"Items": [3, 4], "BatchInput": {"job": "j1"}},
                                   {"Items": [5], "BatchInput": {"job": "j1"}}]
    [run] = execution.map_runs.values()
    # a batch is one child, and counts its items
    assert run.describe()["itemCounts"]["total"] == 5
    assert run.describe()["executionCounts"]["total"] == 3


def test_batch_input_paths_read_the_state_input():
    definition = batched({"MaxItemsPerBatch": 5, "BatchInput": {"factor.$": "$.factor"}},
                         ItemsPath="$.items")
    execution = asl_runner.run(definition, {"items": [1, 2], "factor": 3}, clock="virtual")
    assert children(execution) == [{"Items": [1, 2], "BatchInput": {"factor": 3}}]


def test_max_input_bytes_per_batch_counts_the_whole_child_input():
    items = ["a" * 10] * 6  # each "aaaaaaaaaa" is 12 bytes of JSON
    # {"Items":["aaaaaaaaaa","aaaaaaaaaa"]} is 12 + 2 * 12 + 1 = 37 bytes; three would be 50
    execution = asl_runner.run(batched({"MaxInputBytesPerBatch": 40}), items, clock="virtual")
    assert [len(batch["Items"]) for batch in children(execution)] == [2, 2, 2]
    for batch in children(execution):
        assert len(json.dumps(batch, separators=(",", ":"))) <= 40


def test_batch_input_counts_toward_the_bytes():
    execution = asl_runner.run(
        batched({"MaxInputBytesPerBatch": 50, "BatchInput": {"k": "vvvvvvvvvv"}}),
        ["a" * 10] * 3, clock="virtual")
    # {"Items":["aaaaaaaaaa"],"BatchInput":{"k":"vvvvvvvvvv"}}: 49 bytes, a second item is 62
    assert [len(batch["Items"]) for batch in children(execution)] == [1, 1, 1]


def test_whichever_limit_comes_first():
    execution = asl_runner.run(batched({"MaxItemsPerBatch": 3, "MaxInputBytesPerBatch": 40}),
                               [1] * 7 + ["a" * 30], clock="virtual")
    assert [len(batch["Items"]) for batch in children(execution)] == [3, 3, 1, 1]


def test_an_item_over_the_byte_limit_is_a_batch_of_its_own():
    execution = asl_runner.run(batched({"MaxInputBytesPerBatch": 20}), [1, "x" * 50, 2],
                               clock="virtual")
    assert [batch["Items"] for batch in children(execution)] == [[1], ["x" * 50], [2]]


def test_path_forms_read_the_input_and_variables():
    definition = batched({"MaxItemsPerBatchPath": "$.size", "MaxInputBytesPerBatchPath": "$.bytes"},
                         ItemsPath="$.items")
    execution = asl_runner.run(definition, {"items": [1, 2, 3], "size": 2, "bytes": 1000},
                               clock="virtual")
    assert [batch["Items"] for batch in children(execution)] == [[1, 2], [3]]


@pytest.mark.parametrize("value, words", [
    ("many", 'The MaxItemsPerBatchPath field refers to value "many" which is not a valid integer'),
    (1.5, 'refers to value "1.5" which is not a valid integer'),
    (0, "MaxItemsPerBatch must be a positive integer, not 0."),
    (-2, "MaxItemsPerBatch must be a positive integer, not -2."),
])
def test_a_path_to_a_bad_value_is_states_runtime(value, words):
    definition = batched({"MaxItemsPerBatchPath": "$.size"}, ItemsPath="$.items")
    execution = asl_runner.run(definition, {"items": [1], "size": value}, clock="virtual")
    assert execution.error == "States.Runtime"
    assert words in execution.cause


def test_more_than_256_kib_per_batch_is_states_runtime():
    definition = batched({"MaxInputBytesPerBatchPath": "$.bytes"}, ItemsPath="$.items")
    execution = asl_runner.run(definition, {"items": [1], "bytes": 262_145}, clock="virtual")
    assert execution.error == "States.Runtime"
    assert "MaxInputBytesPerBatch must be at most 262144" in execution.cause


def test_jsonata_expressions_and_batch_input():
    definition = {"QueryLanguage": "JSONata", "StartAt": "Map", "States": {"Map": {
        "Type": "Map", "Items": "{% $states.input.items %}", "ItemProcessor": DISTRIBUTED,
        "End": True, "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.size %}",
                                     "BatchInput": {"total": "{% $count($states.input.items) %}"}}}}}
    execution = asl_runner.run(definition, {"items": [1, 2, 3], "size": 2}, clock="virtual")
    assert children(execution) == [{"Items": [1, 2], "BatchInput": {"total": 3}},
                                   {"Items": [3], "BatchInput": {"total": 3}}]


def test_the_item_selector_applies_to_each_item_before_batching():
    definition = batched({"MaxItemsPerBatch": 2},
                         ItemSelector={"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"})
    execution = asl_runner.run(definition, ["a", "b", "c"], clock="virtual")
    assert children(execution) == [{"Items": [{"v": "a", "i": 0}, {"v": "b", "i": 1}]},
                                   {"Items": [{"v": "c", "i": 2}]}]


def test_batches_run_across_the_pages_of_a_reader(monkeypatch):
    monkeypatch.setattr(item_reader, "PAGE_ITEMS", 3)
    definition = reader_machine({"InputType": "JSONL"}, ItemBatcher={"MaxItemsPerBatch": 2},
                                ItemSelector={"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"})
    execution = run(definition, "".join(f"{n}\n" for n in range(7)))
    assert [[item["i"] for item in batch["Items"]] for batch in output(execution)] == [
        [0, 1], [2, 3], [4, 5], [6]]


@pytest.mark.parametrize("batcher, where, words", [
    ({"MaxInputBytesPerBatch": 262_145}, "/MaxInputBytesPerBatch", "262144"),
    ({"MaxItemsPerBatch": 0}, "/MaxItemsPerBatch", "a positive integer"),
    ({"MaxItemsPerBatch": 1, "BatchInput": {"a.$": "$."}}, "/BatchInput/a.$", ""),
])
def test_validate_checks_the_batcher(batcher, where, words):
    problems = validate_definition(batched(batcher))
    found = [p for p in problems if p.pointer == f"/States/Map/ItemBatcher{where}"]
    assert found and words in found[0].message, problems


def test_without_a_byte_limit_a_batch_stops_at_256_kib():
    definition = batched({"MaxItemsPerBatch": 1000},
                         ItemSelector={"pad": "x" * 1000, "n.$": "$$.Map.Item.Value"})
    execution = asl_runner.run(definition, list(range(300)), clock="virtual")
    assert execution.error == "States.DataLimitExceeded"  # 300 KB of outputs: no ResultWriter
    [map_run] = execution.map_runs.values()
    # one batch of 300 items (300 KB) would have failed its child: two fit
    assert map_run.describe()["executionCounts"]["total"] == 2
    assert map_run.describe()["executionCounts"]["succeeded"] == 2
