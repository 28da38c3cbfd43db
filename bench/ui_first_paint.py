"""The web view on an execution of 10,000 events, measured in headless Chromium.

    python bench/ui_first_paint.py [--items 2499] [--repeat 3]

Starts `asl-runner serve` (temporary store), runs an inline Map of ``--items`` Pass
iterations (4 events each: 2,499 items make 10,002 events), then opens the execution's page
on its event table in a fresh Chromium (tests/chromium.py: Debian's chromium and
chromedriver) and reads the browser's own clocks (the Performance API, from the navigation's
start):

- first contentful paint: the page's first pixels (the header, the execution's summary);
- first events: the event table drawn with the first page of 1,000 events (the frame after);
- all events: the table with every event, all pages read (GetExecutionHistory, 1,000 a page);
- the longest task on the page's main thread meanwhile (PerformanceObserver "longtask"): what
  the page cannot answer input during; a page that froze would show seconds here;
- then, with everything loaded: scrolling to the last event, filtering the table, and opening
  the States, Timeline and Graph tabs, each until its next frame.

Medians over ``--repeat`` page loads. Needs Chromium: `apt-get install chromium chromium-driver`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from chromium import Browser, Serve, missing, wait_until  # noqa: E402

from _common import report  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/bench"
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({type: "longtask", buffered: true});
"""
READ_MARKS = """
const fcp = performance.getEntriesByName("first-contentful-paint")[0];
const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
return {fcp: fcp && fcp.startTime, first: mark("asl:first-events"), all: mark("asl:events-loaded"),
        longest: Math.max(0, ...window.__longTasks), rows: document.querySelectorAll(".events .vrow").length,
        count: document.getElementById("event-count").textContent};
"""
# each: start the action, then resolve with the milliseconds to the frame after it
TIME_ACTION = """
const done = arguments[arguments.length - 1];
const t0 = performance.now();
(new Function(arguments[0]))();
requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
"""
ACTIONS = {
    "scroll to the last event": """const list = document.querySelector(".vlist.events");
        list.scrollTop = list.scrollHeight;""",
    "filter the table (MapIterationSucceeded)": """const box = document.getElementById("event-filter");
        box.value = "MapIterationSucceeded"; box.dispatchEvent(new Event("input"));""",
    "open the States tab": """document.querySelector('[data-tab="states"]').click();""",
    "open the Timeline tab": """document.querySelector('[data-tab="timeline"]').click();""",
    "open the Graph tab": """document.querySelector('[data-tab="graph"]').click();""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2499)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"ui_first_paint: no headless Chromium: {reason}")
    server = Serve(Path(tempfile.mkdtemp(prefix="asl-bench-ui-")), "--db", ":memory:")
    try:
        sfn = server.client()
        definition = {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items", "ResultPath": None, "End": True,
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}}}}
        machine = sfn.create_state_machine(name="wide", definition=json.dumps(definition), roleArn=ROLE)
        arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                  input=json.dumps({"items": list(range(args.items))}))["executionArn"]
        wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=300,
                   what="the execution to end")
        events = sum(len(page["events"]) for page in sfn.get_paginator("get_execution_history").paginate(
            executionArn=arn, PaginationConfig={"PageSize": 1000}))
        print(f"execution of {events:,} events; Chromium headless; medians of {args.repeat} page loads",
              flush=True)
        loads, actions = [], {name: [] for name in ACTIONS}
        for _ in range(args.repeat):
            browser = Browser()
            try:
                browser.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                               {"source": OBSERVE_LONG_TASKS})
                browser.driver.get(f"{server.url}/ui/#/execution/{arn}?tab=events")
                browser.wait(lambda d: d.execute_script(
                    "return performance.getEntriesByName('asl:events-loaded').length"), timeout=120)
                loads.append(browser.driver.execute_script(READ_MARKS))
                for name, script in ACTIONS.items():
                    actions[name].append(browser.driver.execute_async_script(TIME_ACTION, script))
                assert f"of {events} events" in loads[-1]["count"], loads[-1]["count"]
            finally:
                browser.close()
        median = lambda key: statistics.median(load[key] for load in loads)  # noqa: E731
        report("first contentful paint", median("fcp"), "ms")
        report("event table: first 1,000 events drawn", median("first"), "ms")
        report(f"event table: all {events:,} events drawn", median("all"), "ms")
        report("longest main-thread task while loading", median("longest"), "ms",
               "(0: none over 50 ms)")
        report("rows in the DOM for the table", median("rows"), "rows")
        for name, times in actions.items():
            report(name, statistics.median(times), "ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
