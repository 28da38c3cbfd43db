"""The README's pictures of the web view, taken from the loan example in headless Chromium.

    python docs/ui/screenshots.py            # writes docs/ui/execution-graph.png, docs/ui/inbox.png

Starts `asl-runner serve --ui-writes --ui-sla 5` in a temporary folder with the loan
example's handlers and AWS set-up (as the README's walkthrough does), files two applications
that reach the manager's approval (`needs_judgement`, then `good_credit` a few seconds later,
so that only the first is past the SLA), approves neither, and photographs the execution page
of the inbox (loan-1001's answer typed, not sent) and loan-1001's execution page (its graph,
waiting in RequestApproval).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests"))

from chromium import Browser, Serve, missing, wait_until  # noqa: E402

SCENARIOS = REPO / "definitions" / "loan_approval"
ROLE = "arn:aws:iam::123456789012:role/loans"
SLA_SECONDS = 5


def waiting(sfn, arn: str) -> bool:
    events = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=5)["events"]
    return any(e["type"] == "TaskSubmitted" for e in events)


def main() -> None:
    reason = missing()
    if reason:
        sys.exit(f"screenshots: no headless Chromium: {reason}")
    server = Serve(Path(tempfile.mkdtemp(prefix="asl-ui-shots-")), "--ui-writes", "--ui-sla", str(SLA_SECONDS),
                   "--aws-setup", str(SCENARIOS / "aws_setup.json"), lambdas=REPO / "lambdas")
    try:
        sfn = server.client()
        sfn.create_activity(name="CollectSignature")
        machine = sfn.create_state_machine(
            name="loan-approval", roleArn=ROLE,
            definition=(REPO / "definitions" / "loan_approval.asl.json").read_text())["stateMachineArn"]
        executions = {}
        for name, scenario in (("loan-1002", "needs_judgement"), ("loan-1001", "good_credit")):
            body = json.loads((SCENARIOS / f"{scenario}.json").read_text())
            body["applicationId"] = name
            arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(body))["executionArn"]
            wait_until(lambda arn=arn: waiting(sfn, arn), timeout=30, what=f"{name} to wait for its approval")
            executions[name] = arn
            if name == "loan-1002":
                time.sleep(SLA_SECONDS + 1)  # past the SLA: highlighted in the inbox
        browser = Browser(width=1280, height=1500)
        try:
            driver = browser.driver
            driver.get(f"{server.url}/ui/#/inbox")
            browser.wait(lambda d: len(d.find_elements("css selector", ".task-card")) == 2)
            browser.wait(lambda d: d.find_elements("css selector", ".task-card.over-sla"))
            card = driver.find_element("css selector", '.task-card[data-execution="loan-1001"] textarea')
            card.clear()
            card.send_keys('{"approved": true, "approver": "m.jones"}')
            driver.save_screenshot(str(HERE / "inbox.png"))
            driver.get(f"{server.url}/ui/#/execution/{executions['loan-1001']}?tab=graph")
            browser.wait(lambda d: d.execute_script(
                "return document.querySelector('#graph [data-state=\"RequestApproval\"]')"
                "?.getAttribute('data-status') === 'running'"))
            time.sleep(0.5)
            driver.save_screenshot(str(HERE / "execution-graph.png"))
        finally:
            browser.close()
    finally:
        server.stop()
    print(f"wrote {HERE / 'execution-graph.png'} and {HERE / 'inbox.png'}")


if __name__ == "__main__":
    main()
