"""The Map state's processor and distributed-mode configuration: ProcessorConfig,
ItemReader, ResultWriter and ItemBatcher."""

from __future__ import annotations

from typing import Any

from ..jsonvalue import PAYLOAD_LIMIT
from ..model.resource import parse_resource
from .fields import (
    ITEM_BATCHER,
    ITEM_READER,
    PROCESSOR_CONFIG,
    RESULT_WRITER,
    check_members,
    language_message,
)
from .report import Report, child, quote
from .values import (
    JSONATA,
    JSONPATH,
    check_enum,
    check_integer,
    check_jsonata_value,
    check_object,
    check_object_or_expression,
    check_path,
    check_resource,
    check_template,
)


def _other(language: str) -> str:
    return JSONATA if language == JSONPATH else JSONPATH


def check_processor_config(report: Report, pointer: str, config: Any) -> None:
    if not check_object(report, pointer, config, "ProcessorConfig"):
        return
    check_members(report, pointer, config, PROCESSOR_CONFIG, "ProcessorConfig")
    if "Mode" in config:
        check_enum(report, child(pointer, "Mode"), config["Mode"], "Mode", ("INLINE", "DISTRIBUTED"))
    if "ExecutionType" in config:
        check_enum(report, child(pointer, "ExecutionType"), config["ExecutionType"],
                   "ExecutionType", ("STANDARD", "EXPRESS"))
    elif config.get("Mode") == "DISTRIBUTED":
        report.add(pointer, "a DISTRIBUTED Map needs 'ExecutionType' (STANDARD or EXPRESS) "
                            "for its child workflows")


def _payload(report: Report, pointer: str, node: dict, language: str) -> None:
    if language == JSONPATH and "Parameters" in node:
        check_template(report, child(pointer, "Parameters"), node["Parameters"])
    if language == JSONATA and "Arguments" in node:
        check_object_or_expression(report, child(pointer, "Arguments"), node["Arguments"], "Arguments")


#: ReaderConfig's enumerations, as AWS's documentation lists them
_READER_ENUMS = (
    ("InputType", ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")),
    ("CSVHeaderLocation", ("FIRST_ROW", "GIVEN")),
    ("CSVDelimiter", ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")),
    ("ManifestType", ("ATHENA_DATA", "S3_INVENTORY")),
    ("Transformation", ("NONE", "LOAD_AND_FLATTEN")),
)
#: WriterConfig's enumerations (AWS's ResultWriter documentation)
_WRITER_ENUMS = (("OutputType", ("JSON", "JSONL")),
                 ("Transformation", ("NONE", "COMPACT", "FLATTEN")))
#: AWS's documented limit on ReaderConfig's MaxItems (a MaxItemsPath beyond it is not
#: refused when it runs: recorded, services/..._csv_max_items_paths[100000001])
MAX_ITEMS = 100_000_000


def _s3_resource(report: Report, pointer: str, arn: str, field: str,
                 actions: tuple[str, ...]) -> None:
    """AWS documents S3 actions only for an ItemReader's and a ResultWriter's Resource
    (asl-runner's words: AWS's refusal of another resource here is not recorded)."""
    resource = parse_resource(arn)
    if not (resource.kind == "service" and resource.service == "s3"
            and resource.action in actions and resource.pattern is None):
        names = " or ".join(f"arn:aws:states:::s3:{action}" for action in actions)
        report.add(pointer, f"the {field}'s Resource must be {names}, not {quote(arn)}")


def check_item_reader(report: Report, pointer: str, node: Any, language: str) -> None:
    if not check_object(report, pointer, node, "ItemReader"):
        return
    check_members(report, pointer, node, ITEM_READER[language], "ItemReader", language,
                  ITEM_READER[_other(language)])
    if "Resource" not in node:
        report.add(pointer, "missing required field 'Resource' (the ARN of the API that reads the items)")
    elif check_resource(report, child(pointer, "Resource"), node["Resource"]):
        _s3_resource(report, child(pointer, "Resource"), node["Resource"], "ItemReader",
                     ("getObject", "listObjectsV2"))
    _payload(report, pointer, node, language)
    config = node.get("ReaderConfig")
    if config is None or not check_object(report, child(pointer, "ReaderConfig"), config, "ReaderConfig"):
        return
    where = child(pointer, "ReaderConfig")
    for field, allowed in _READER_ENUMS:
        if field in config:
            check_enum(report, child(where, field), config[field], field, allowed)
    if "ItemsPointer" in config:
        pointer_value = config["ItemsPointer"]
        if not isinstance(pointer_value, str) or (pointer_value and not pointer_value.startswith("/")):
            report.add(child(where, "ItemsPointer"), "'ItemsPointer' must be a JSON pointer "
                                                     f"such as /data/items, not {quote(pointer_value)}")
    if "CSVHeaders" in config:
        headers = config["CSVHeaders"]
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            report.add(child(where, "CSVHeaders"), "'CSVHeaders' must be an array of strings, "
                                                   f"not {quote(headers)}")
    if "MaxItems" in config:
        check_integer(report, child(where, "MaxItems"), config["MaxItems"], "MaxItems",
                      minimum=0, maximum=MAX_ITEMS, jsonata=language == JSONATA)
    if "MaxItemsPath" in config:
        if language == JSONATA:
            report.add(child(where, "MaxItemsPath"), language_message("MaxItemsPath", language))
        else:
            check_path(report, child(where, "MaxItemsPath"), config["MaxItemsPath"], "MaxItemsPath",
                       reference=True)
        if "MaxItems" in config:
            report.add(child(where, "MaxItemsPath"), "'MaxItems' and 'MaxItemsPath' cannot be used together")


def check_result_writer(report: Report, pointer: str, node: Any, language: str) -> None:
    if not check_object(report, pointer, node, "ResultWriter"):
        return
    check_members(report, pointer, node, RESULT_WRITER[language], "ResultWriter", language,
                  RESULT_WRITER[_other(language)])
    if "Resource" in node and check_resource(report, child(pointer, "Resource"), node["Resource"]):
        _s3_resource(report, child(pointer, "Resource"), node["Resource"], "ResultWriter",
                     ("putObject",))
    _payload(report, pointer, node, language)
    config = node.get("WriterConfig")
    if config is not None and check_object(report, child(pointer, "WriterConfig"), config,
                                           "WriterConfig"):
        for field, allowed in _WRITER_ENUMS:
            if field in config:
                check_enum(report, child(child(pointer, "WriterConfig"), field), config[field],
                           field, allowed)


def check_item_batcher(report: Report, pointer: str, node: Any, language: str) -> None:
    if not check_object(report, pointer, node, "ItemBatcher"):
        return
    check_members(report, pointer, node, ITEM_BATCHER[language], "ItemBatcher", language,
                  ITEM_BATCHER[_other(language)])
    # AWS's ItemBatcher documentation: positive integers, a batch of at most 256 KiB
    for field, maximum in (("MaxItemsPerBatch", None), ("MaxInputBytesPerBatch", PAYLOAD_LIMIT)):
        if field in node:
            check_integer(report, child(pointer, field), node[field], field, minimum=1,
                          maximum=maximum, jsonata=language == JSONATA)
        path = field + "Path"
        if path in node and language == JSONPATH:
            check_path(report, child(pointer, path), node[path], path, reference=True)
            if field in node:
                report.add(child(pointer, path), f"'{field}' and '{path}' cannot be used together")
    if "BatchInput" in node:
        where = child(pointer, "BatchInput")
        if language == JSONPATH:
            check_template(report, where, node["BatchInput"])
        else:
            check_jsonata_value(report, where, node["BatchInput"])
