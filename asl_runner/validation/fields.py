"""Which fields each kind of state may have, in each query language.

A field outside its state's table is reported in one of three ways, from the most to the least
specific: it belongs to the other query language; it belongs to another state type; or nobody
has it (then with a did-you-mean).
"""

from __future__ import annotations

from .report import Report, child, did_you_mean
from .values import JSONATA, JSONPATH

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")

#: types that move on with Next or stop with End; the others never have either
TRANSITIONING = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})

_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_ERRORS = {"Retry", "Catch"}

_MAP_SHARED = {
    "Iterator", "ItemProcessor", "ItemReader", "ItemBatcher", "ResultWriter", "Label",
    "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "ItemSelector",
}

_JSONPATH: dict[str, set[str]] = {
    "Pass": _FLOW | {"InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Assign"},
    "Task": _FLOW | _ERRORS | {
        "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Assign",
        "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
        "HeartbeatSecondsPath", "Credentials",
    },
    "Choice": {"InputPath", "OutputPath", "Choices", "Default", "Assign"},
    "Wait": _FLOW | {"InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp",
                     "TimestampPath", "Assign"},
    "Succeed": {"InputPath", "OutputPath"},
    "Fail": {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _FLOW | _ERRORS | {"InputPath", "OutputPath", "Parameters", "ResultSelector",
                                   "ResultPath", "Assign", "Branches"},
    "Map": _FLOW | _ERRORS | _MAP_SHARED | {
        "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Assign",
        "ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    },
}

_JSONATA: dict[str, set[str]] = {
    "Pass": _FLOW | {"Output", "Assign"},
    "Task": _FLOW | _ERRORS | {"Arguments", "Output", "Assign", "Resource", "TimeoutSeconds",
                               "HeartbeatSeconds", "Credentials"},
    "Choice": {"Choices", "Default", "Output", "Assign"},
    "Wait": _FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    "Succeed": {"Output"},
    "Fail": {"Error", "Cause"},
    "Parallel": _FLOW | _ERRORS | {"Arguments", "Output", "Assign", "Branches"},
    "Map": _FLOW | _ERRORS | _MAP_SHARED | {"Items", "Output", "Assign"},
}

ALLOWED: dict[tuple[str, str], frozenset[str]] = {}
for _type in STATE_TYPES:
    ALLOWED[(_type, JSONPATH)] = frozenset(_COMMON | _JSONPATH[_type])
    ALLOWED[(_type, JSONATA)] = frozenset(_COMMON | _JSONATA[_type])

#: every field some state may have in each language
ANY_STATE = {
    lang: frozenset().union(*(ALLOWED[(t, lang)] for t in STATE_TYPES)) for lang in (JSONPATH, JSONATA)
}


TOP_LEVEL = frozenset({"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"})
# AWS refuses QueryLanguage on ItemProcessor and Iterator (their states take the machine's
# language); a Parallel branch is not known to refuse it, so it is accepted there
BRANCH = TOP_LEVEL
PROCESSOR = frozenset((TOP_LEVEL - {"QueryLanguage"}) | {"ProcessorConfig"})

RETRIER = frozenset({"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                     "MaxDelaySeconds", "JitterStrategy", "Comment"})
CATCHER = {
    JSONPATH: frozenset({"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"}),
    JSONATA: frozenset({"ErrorEquals", "Next", "Output", "Assign", "Comment"}),
}

PROCESSOR_CONFIG = frozenset({"Mode", "ExecutionType"})
ITEM_READER = {
    JSONPATH: frozenset({"Resource", "Parameters", "ReaderConfig"}),
    JSONATA: frozenset({"Resource", "Arguments", "ReaderConfig"}),
}
RESULT_WRITER = {
    JSONPATH: frozenset({"Resource", "Parameters", "WriterConfig"}),
    JSONATA: frozenset({"Resource", "Arguments", "WriterConfig"}),
}
ITEM_BATCHER = {
    JSONPATH: frozenset({"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                         "MaxInputBytesPerBatchPath", "BatchInput"}),
    JSONATA: frozenset({"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"}),
}


def check_members(report: Report, pointer: str, obj: dict, allowed: frozenset[str], where: str,
                  language: str | None = None, other: frozenset[str] = frozenset()) -> None:
    """Report each member of ``obj`` not in ``allowed``. ``other``: the fields the same object
    has in the other query language, which get a message naming the language."""
    for key in obj:
        if key in allowed:
            continue
        if key in other and language is not None:
            report.add(child(pointer, key), language_message(key, language))
        else:
            report.add(child(pointer, key),
                       f"unknown field '{key}' in {where}{did_you_mean(key, allowed)}")


def language_message(field: str, language: str) -> str:
    wanted = JSONATA if language == JSONPATH else JSONPATH
    return (f"field '{field}' is only supported when the QueryLanguage is {wanted}; "
            f"this is a {language} state")
