"""A layered drawing of a state machine graph, top to bottom (Sugiyama's method).

Steps: break cycles (edges back up the depth-first search are laid out reversed), give each
state a layer (the longest path from the start), put chains of dummy nodes on edges that span
layers, order each layer by barycentres to cut crossings, then place x by weighted isotonic
regression (each node as near the mean of its neighbours as the order and spacing allow,
dummy chains and each state's main way on pulled straight hardest). An edge's label is the
first dummy of its chain, as wide as its text, in a layer of its own under the state it leaves
(as dagre does), so the placement keeps it off states and other labels. Groups (Parallel, Map)
are laid out inside out: every branch on its own, side by side in the group's box, which is
one node of the graph around it.

Everything is in definition order with index tie-breaks, never a set or a hash: the same
graph gives the same coordinates, byte for byte once rounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .metrics import text_width
from .structure import CATCH, RETRY, Edge, Graph, Node, drawn_label

NAME_SIZE, SUBTITLE_SIZE, LABEL_SIZE = 13.0, 10.5, 10.5
STATE_H, STATE_MIN_W, MARKER_W, MARKER_H = 46.0, 112.0, 64.0, 28.0
PAD_X = 14.0  # inside a state's box, each side of its text
GAP_X, GAP_Y = 28.0, 58.0  # between neighbours in a layer; between layers
GROUP_HEADER, GROUP_PAD, BRANCH_GAP, BRANCH_PAD = 40.0, 12.0, 14.0, 14.0
LOOP = 22.0  # room on a state's right for its Retry loop
LABEL_H = 16.0  # an edge label's height; a layer of labels only has these gaps around it:
LABEL_ABOVE, LABEL_BELOW = 12.0, 30.0
SWEEPS = 12  # of the crossing reduction
X_SWEEPS = 8  # of the x placement
PRIMARY = 20.0  # how much harder a state's main way on pulls (see _primary_edges)


@dataclass
class Box:
    node: Node
    x: float
    y: float
    w: float
    h: float
    #: a group's branch frames: (x, y, w, h) each
    frames: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Route:
    edge: Edge
    points: list[tuple[float, float]]  # from the source's border to the target's
    label_at: tuple[float, float] | None = None  # the centre of its label, if it has one
    label_width: float = 0.0


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict[str, Box]
    routes: list[Route]


def layout(graph: Graph) -> Layout:
    """Coordinates for every state (groups' insides included) and every edge of ``graph``."""
    return _lay(graph)


def state_size(node: Node) -> tuple[float, float]:
    if node.is_terminal_marker:
        return MARKER_W, MARKER_H
    width = max(text_width(node.key, NAME_SIZE, bold=True), text_width(node.subtitle, SUBTITLE_SIZE))
    return max(STATE_MIN_W, width + 2 * PAD_X), STATE_H


def _group(node: Node) -> tuple[float, float, list[Layout]]:
    inner = [_lay(branch) for branch in node.branches]
    title = text_width(node.key, NAME_SIZE, bold=True) + 2 * PAD_X
    width = sum(b.width + 2 * BRANCH_PAD for b in inner) + BRANCH_GAP * (len(inner) - 1)
    height = max(b.height + 2 * BRANCH_PAD for b in inner)
    return max(width + 2 * GROUP_PAD, title, STATE_MIN_W), height + GROUP_HEADER + GROUP_PAD, inner


class _Vertex:
    __slots__ = ("index", "node", "w", "h", "right", "layer", "x", "inner", "label")

    def __init__(self, index: int, node: Node | None, w: float, h: float, right: float = 0.0):
        self.index, self.node, self.w, self.h, self.right = index, node, w, h, right
        self.layer = 0
        self.x = 0.0
        self.inner: list[Layout] = []
        self.label = False  # a dummy that is an edge's label


def _lay(graph: Graph) -> Layout:
    vertices: list[_Vertex] = []
    index: dict[str, int] = {}
    for node in graph.nodes:
        loops = any(e.kind == RETRY and e.source == node.key for e in graph.edges)
        if node.is_group:
            w, h, inner = _group(node)
        else:
            (w, h), inner = state_size(node), []
        vertex = _Vertex(len(vertices), node, w, h, LOOP if loops else 0.0)
        vertex.inner = inner
        index[node.key] = vertex.index
        vertices.append(vertex)
    edges = [(index[e.source], index[e.target], e) for e in graph.edges
             if e.kind != RETRY and e.source in index and e.target in index and e.source != e.target]
    dag, reversed_ = _break_cycles(len(vertices), edges, index.get(graph.start, 0))
    _assign_layers(vertices, dag)
    chains = _add_dummies(vertices, dag)
    layers = _order(vertices, chains)
    _place_x(vertices, layers, chains)
    tops, heights = _layer_tops(vertices, layers)
    boxes: dict[str, Box] = {}
    routes: list[Route] = []  # the groups' insides'
    own: list[Route] = []
    for v in vertices:
        if v.node is None:
            continue
        # tops aligned: a short state beside a tall group starts where the group starts
        box = Box(v.node, v.x - v.w / 2, tops[v.layer], v.w, v.h)
        boxes[v.node.key] = box
        _place_inside(box, v.inner, boxes, routes)
    for (chain, edge), flipped in zip(chains, reversed_, strict=True):
        points = [point for i in chain[1:-1] for point in (
            (vertices[i].x, tops[vertices[i].layer]),
            (vertices[i].x, tops[vertices[i].layer] + heights[vertices[i].layer]))]
        source, target = vertices[chain[0]], vertices[chain[-1]]
        start = (source.x, tops[source.layer] + source.h)
        end = (target.x, tops[target.layer])
        path = [start, *points, end]
        route = Route(edge, path[::-1] if flipped else path)
        label = next((vertices[i] for i in chain[1:-1] if vertices[i].label), None)
        if label is not None:
            route.label_at = (label.x, tops[label.layer] + label.h / 2)
            route.label_width = label.w
        own.append(route)
    _spread_ports(own, boxes)
    routes = own + routes
    left = min((v.x - v.w / 2 for v in vertices), default=0.0)
    right = max((v.x + v.w / 2 + v.right for v in vertices), default=0.0)
    height = tops[-1] + heights[-1] if tops else 0.0
    _shift(boxes.values(), routes, -left, 0.0)
    retries = [Route(e, []) for e in graph.edges if e.kind == RETRY and e.source in boxes]
    return Layout(right - left, height, boxes, routes + retries)


def _place_inside(box: Box, inner: list[Layout], boxes: dict, routes: list) -> None:
    """Move a group's branch layouts into its box, side by side under its header."""
    if not inner:
        return
    total = sum(b.width + 2 * BRANCH_PAD for b in inner) + BRANCH_GAP * (len(inner) - 1)
    x = box.x + (box.w - total) / 2
    y = box.y + GROUP_HEADER
    tallest = max(b.height for b in inner)
    for branch in inner:
        frame_w = branch.width + 2 * BRANCH_PAD
        dx, dy = x + BRANCH_PAD, y + BRANCH_PAD + (tallest - branch.height) / 2
        box.frames.append((x, y, frame_w, tallest + 2 * BRANCH_PAD))
        _shift(branch.boxes.values(), branch.routes, dx, dy)
        boxes.update(branch.boxes)
        routes.extend(branch.routes)
        x += frame_w + BRANCH_GAP


def _shift(boxes, routes: list[Route], dx: float, dy: float) -> None:
    """Move boxes (their frames too) and routes (their labels too) by (dx, dy)."""
    for box in boxes:
        box.x += dx
        box.y += dy
        box.frames = [(x + dx, y + dy, w, h) for x, y, w, h in box.frames]
    for route in routes:
        route.points = [(x + dx, y + dy) for x, y in route.points]
        if route.label_at is not None:
            route.label_at = (route.label_at[0] + dx, route.label_at[1] + dy)


def _break_cycles(count: int, edges: list, start: int) -> tuple[list, list[bool]]:
    """Depth-first from the start (then from any state not reached): an edge to a state on
    the search's stack closes a cycle and is laid out reversed."""
    out: list[list[int]] = [[] for _ in range(count)]
    for number, (s, _t, _e) in enumerate(edges):
        out[s].append(number)
    state = [0] * count  # 0 new, 1 on the stack, 2 done
    back = [False] * len(edges)
    for root in [start, *range(count)]:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            v, it = stack[-1]
            number = next(it, None)
            if number is None:
                state[v] = 2
                stack.pop()
                continue
            t = edges[number][1]
            if state[t] == 1:
                back[number] = True
            elif state[t] == 0:
                state[t] = 1
                stack.append((t, iter(out[t])))
    dag = [((t, s, e) if back[n] else (s, t, e)) for n, (s, t, e) in enumerate(edges)]
    return dag, back


def _assign_layers(vertices: list[_Vertex], dag: list) -> None:
    """Longest path from the sources, in a topological order (Kahn's, by index)."""
    incoming = [0] * len(vertices)
    out: list[list[int]] = [[] for _ in vertices]
    for s, t, edge in dag:
        incoming[t] += 1
        out[s].append((t, 2 if drawn_label(edge) else 1))  # a label takes a layer of its own
    ready = [v.index for v in vertices if incoming[v.index] == 0]
    while ready:
        s = ready.pop(0)
        for t, span in out[s]:
            vertices[t].layer = max(vertices[t].layer, vertices[s].layer + span)
            incoming[t] -= 1
            if incoming[t] == 0:
                ready.append(t)


def _add_dummies(vertices: list[_Vertex], dag: list) -> list[tuple[list[int], Edge]]:
    """A chain of dummy vertices for each edge, one per layer it crosses; the first of a
    labelled edge is its label, as wide as the text, so that the layout keeps it clear of
    states and of other labels."""
    chains = []
    for s, t, edge in dag:
        chain = [s]
        label = drawn_label(edge)
        for layer in range(vertices[s].layer + 1, vertices[t].layer):
            if label and layer == vertices[s].layer + 1:
                dummy = _Vertex(len(vertices), None, text_width(label, LABEL_SIZE) + 10, LABEL_H)
                dummy.label = True
            else:
                dummy = _Vertex(len(vertices), None, 0.0, 0.0)
            dummy.layer = layer
            vertices.append(dummy)
            chain.append(dummy.index)
        chain.append(t)
        chains.append((chain, edge))
    return chains


def _links(vertices: list[_Vertex], chains: list) -> tuple[list[list], list[list]]:
    """Each vertex's neighbours in the layer above and below, with how hard each pulls."""
    up: list[list[tuple[int, float]]] = [[] for _ in vertices]
    down: list[list[tuple[int, float]]] = [[] for _ in vertices]
    primary = _primary_edges(vertices, chains)
    for chain, edge in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            weight = _weight(vertices[a], vertices[b]) * _edge_weight(edge)
            # a short edge (a label in between at most): long ones are pulled straight anyway
            if id(edge) in primary and all(vertices[i].label for i in chain[1:-1]):
                weight *= PRIMARY
            down[a].append((b, weight))
            up[b].append((a, weight))
    return up, down


def _order(vertices: list[_Vertex], chains: list) -> list[list[int]]:
    """Each layer's left-to-right order: first seen first, then barycentre sweeps, keeping
    the order with the fewest crossings."""
    depth = max((v.layer for v in vertices), default=0) + 1
    layers: list[list[int]] = [[] for _ in range(depth)]
    placed: set[int] = set()
    # definition order of edges: the main flow leftmost
    for i in [i for chain, _edge in chains for i in chain] + [v.index for v in vertices]:
        if i not in placed:
            placed.add(i)
            layers[vertices[i].layer].append(i)
    up, down = _links(vertices, chains)
    best, best_crossings = [list(layer) for layer in layers], _crossings(layers, down)
    for sweep in range(SWEEPS if best_crossings else 0):
        downward = sweep % 2 == 0
        rows = range(1, depth) if downward else range(depth - 2, -1, -1)
        for r in rows:
            neighbours = up if downward else down
            position = {v: i for i, v in enumerate(layers[r - 1 if downward else r + 1])}
            layer = layers[r]
            keys = []
            for i, v in enumerate(layer):
                ps = [position[n] for n, _w in neighbours[v] if n in position]
                keys.append((sum(ps) / len(ps) if ps else float(i), i))
            layers[r] = [v for _k, v in sorted(zip(keys, layer, strict=True))]
        crossings = _crossings(layers, down)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
        if not best_crossings:
            break
    return best


def _crossings(layers: list[list[int]], down: list[list]) -> int:
    """Edge crossings between neighbouring layers: inversions of the lower ends when the
    edges are sorted by their upper ends (counted with a Fenwick tree)."""
    total = 0
    for upper, lower in zip(layers, layers[1:], strict=False):
        position = {v: i for i, v in enumerate(lower)}
        pairs = sorted((i, position[t]) for i, v in enumerate(upper) for t, _w in down[v]
                       if t in position)
        tree = [0] * (len(lower) + 1)
        for seen, (_i, j) in enumerate(pairs):
            k, not_above = j + 1, 0
            while k:
                not_above += tree[k]
                k -= k & -k
            total += seen - not_above
            k = j + 1
            while k <= len(lower):
                tree[k] += 1
                k += k & -k
    return total


def _place_x(vertices: list[_Vertex], layers: list[list[int]], chains: list) -> None:
    up, down = _links(vertices, chains)
    for layer in layers:
        x = 0.0
        for v in layer:
            x += vertices[v].w / 2
            vertices[v].x = x
            x += vertices[v].w / 2 + vertices[v].right + GAP_X
    # down, pulled by the layer above; up, by the layer below; the last sweep by both
    for sweep in range(X_SWEEPS):
        downward = sweep % 2 == 0
        sides = (up, down) if sweep == X_SWEEPS - 1 else (up,) if downward else (down,)
        for r in range(len(layers)) if downward else range(len(layers) - 1, -1, -1):
            _pull(vertices, layers[r], sides)


def _weight(a: _Vertex, b: _Vertex) -> float:
    """Long edges straight first (graphviz weighs dummy-dummy 8, dummy-real 2, real-real 1)."""
    dummies = (a.node is None) + (b.node is None)
    return (1.0, 2.0, 8.0)[dummies]


def _primary_edges(vertices: list[_Vertex], chains: list) -> set[int]:
    """Each state's main way on: of its successors other than Catch targets, the one with
    the longest way still to go (the spine of the machine; the first written on a tie).
    These edges pull straight hardest, so that the path a reader follows runs down a line."""
    below = [0] * len(vertices)  # the longest chain of layers under each vertex
    for chain, _edge in sorted(chains, key=lambda c: -vertices[c[0][0]].layer):
        s, t = chain[0], chain[-1]
        below[s] = max(below[s], below[t] + vertices[t].layer - vertices[s].layer)
    chosen: dict[int, tuple[int, int]] = {}  # source -> (how far, chain number)
    for number, (chain, edge) in enumerate(chains):
        if edge.kind == CATCH:
            continue
        reach = below[chain[-1]] + len(chain)
        if chain[0] not in chosen or reach > chosen[chain[0]][0]:
            chosen[chain[0]] = (reach, number)
    return {id(chains[number][1]) for _reach, number in chosen.values()}


def _edge_weight(edge: Edge) -> float:
    """A Catch pulls less than the flow it leaves: the happy path stays straight."""
    return 0.05 if edge.kind == CATCH else 1.0


def _pull(vertices: list[_Vertex], layer: list[int], sides: tuple) -> None:
    """Place a layer's x: minimise sum w (x - wanted)^2 keeping order and spacing (pool
    adjacent violators on x minus the minimal offsets)."""
    targets, weights, offsets = [], [], []
    offset = 0.0
    for n, i in enumerate(layer):
        v = vertices[i]
        if n:
            prev = vertices[layer[n - 1]]
            offset += prev.w / 2 + prev.right + GAP_X + v.w / 2
        total = wsum = 0.0
        for side in sides:
            for j, weight in side[i]:
                total += weight * vertices[j].x
                wsum += weight
        if wsum:
            targets.append(total / wsum - offset)
            weights.append(wsum)
        else:
            targets.append(v.x - offset)
            weights.append(0.05)
        offsets.append(offset)
    blocks: list[list[float]] = []  # [weighted mean, weight, count]
    for t, w in zip(targets, weights, strict=True):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    n = 0
    for mean, _w, count in blocks:
        for _ in range(int(count)):
            vertices[layer[n]].x = mean + offsets[n]
            n += 1


def _layer_tops(vertices: list[_Vertex], layers: list[list[int]]) -> tuple[list[float], list[float]]:
    """Each layer's top and height. A layer of labels only sits close under the states whose
    edges they label, and a little further above the states the edges reach."""
    heights = [max((vertices[v].h for v in layer), default=0.0) for layer in layers]
    labels_only = [bool(layer) and all(vertices[v].node is None for v in layer)
                   and any(vertices[v].label for v in layer) for layer in layers]
    tops, y = [], 0.0
    for k, h in enumerate(heights):
        tops.append(y)
        after = k + 1 < len(layers) and labels_only[k + 1]
        y += h + (LABEL_ABOVE if after else LABEL_BELOW if labels_only[k] else GAP_Y)
    return tops, heights


def _spread_ports(routes: list[Route], boxes: dict[str, Box]) -> None:
    """Edges leaving (entering) one side of a box fan out along it, in the order of where
    they go next, instead of meeting in one point."""
    ends: dict[tuple[str, int], list[tuple[float, int, int]]] = {}
    for n, route in enumerate(routes):
        pts = route.points
        for end, toward in ((0, 1), (len(pts) - 1, len(pts) - 2)):
            key = route.edge.source if end == 0 else route.edge.target
            box = boxes.get(key)
            if box is None:
                continue
            side = 1 if pts[end][1] > box.y + box.h / 2 else 0
            ends.setdefault((key, side), []).append((pts[toward][0], n, end))
    for (key, _side), items in ends.items():
        if len(items) < 2:
            continue
        box = boxes[key]
        items.sort()
        step = min(18.0, (box.w * 0.7) / (len(items) - 1))
        for k, (_x, n, end) in enumerate(items):
            x, y = routes[n].points[end]
            routes[n].points[end] = (box.cx + (k - (len(items) - 1) / 2) * step, y)
