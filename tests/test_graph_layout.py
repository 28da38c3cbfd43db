"""The layered layout (asl_runner/graph/layout.py): boxes never overlap, edges start and end
on their states' borders, nothing lies outside the picture, and the same graph gives the same
coordinates in any process (no set or hash order leaks in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import asl_runner
from asl_runner.graph.layout import layout
from asl_runner.graph.structure import RETRY, build_graph

REPO = Path(__file__).resolve().parents[1]
MACHINES = sorted((REPO / "definitions").glob("*.asl.json")) + [
    REPO / "definitions" / "order_intake" / "reserve_stock.asl.json"]


def overlaps(a, b) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def inside(outer, inner) -> bool:
    return (outer.x <= inner.x and inner.x + inner.w <= outer.x + outer.w
            and outer.y <= inner.y and inner.y + inner.h <= outer.y + outer.h)


@pytest.mark.parametrize("path", MACHINES, ids=lambda p: p.name)
def test_boxes_do_not_overlap_and_edges_meet_their_states(path):
    graph = build_graph(asl_runner.load(str(path)))
    placed = layout(graph)
    boxes = placed.boxes
    parents = {inner.key: node.key for node in graph.walk() for b in node.branches for inner in b.nodes}

    def ancestors(key):
        while key in parents:
            key = parents[key]
            yield key

    keys = list(boxes)
    for i, a in enumerate(keys):
        box = boxes[a]
        assert box.x >= 0 and box.x + box.w <= placed.width + 0.01
        assert box.y >= 0 and box.y + box.h <= placed.height + 0.01
        for b in keys[i + 1:]:
            if b in ancestors(a) or a in ancestors(b):
                assert inside(boxes[b], box) or inside(box, boxes[b])
            else:
                assert not overlaps(box, boxes[b]), (a, b)
    for route in placed.routes:
        if route.edge.kind == RETRY:
            continue
        (x0, y0), (x1, y1) = route.points[0], route.points[-1]
        source, target = boxes[route.edge.source], boxes[route.edge.target]
        assert source.x <= x0 <= source.x + source.w and y0 in (source.y, source.y + source.h)
        assert target.x <= x1 <= target.x + target.w and y1 in (target.y, target.y + target.h)
        if route.label_at is not None:
            x, _y = route.label_at
            assert x - route.label_width / 2 >= 0 and x + route.label_width / 2 <= placed.width + 0.01


class Rect:
    def __init__(self, x, y, w, h):
        self.x, self.y, self.w, self.h = x, y, w, h


@pytest.mark.parametrize("path", MACHINES, ids=lambda p: p.name)
def test_labels_cover_no_state_and_no_other_label(path):
    graph = build_graph(asl_runner.load(str(path)))
    placed = layout(graph)
    labels = [Rect(r.label_at[0] - r.label_width / 2, r.label_at[1] - 8, r.label_width, 16)
              for r in placed.routes if r.label_at is not None]
    assert labels
    states = [box for box in placed.boxes.values() if not box.node.is_group]
    for n, label in enumerate(labels):
        assert not any(overlaps(label, box) for box in states)
        assert not any(overlaps(label, other) for other in labels[n + 1:])


def test_the_same_graph_is_laid_out_alike_in_every_process():
    script = ("import sys, asl_runner; from asl_runner.graph import render; "
              "sys.stdout.write(render(sys.argv[1]))")
    drawn = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script, str(REPO / "definitions" / "gdpr_offboarding.asl.json")],
                             capture_output=True, text=True, env=env, check=True).stdout
        drawn.add(out)
    assert len(drawn) == 1


def test_a_loop_is_drawn_with_its_back_edge_reversed():
    machine = {"StartAt": "Poll", "States": {
        "Poll": {"Type": "Pass", "Next": "Done?"},
        "Done?": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Finish"}],
                  "Default": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
        "Finish": {"Type": "Succeed"}}}
    placed = layout(build_graph(asl_runner.load(json.dumps(machine))))
    back = next(r for r in placed.routes if r.edge.source == "Wait" and r.edge.target == "Poll")
    poll, wait = placed.boxes["Poll"], placed.boxes["Wait"]
    assert poll.y < wait.y  # the flow still runs down
    assert back.points[0][1] == wait.y and back.points[-1][1] == poll.y + poll.h  # up, into Poll's bottom
