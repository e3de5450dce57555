"""nnbook.graph: tracing a Tensor's graph, laying it out, drawing it as SVG and DOT."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F
from nnbook import graph as G
from nnbook.autodiff import topological_order
from nnbook.graph import drawing, layered

SVG = "{http://www.w3.org/2000/svg}"


def two_layer_loss(N=4, D=2, J=3):
    """The loss of the two-layer network x →W¹→ σ → w → f with the squared loss."""
    rng = np.random.default_rng(0)
    X = nb.tensor(rng.normal(size=(N, D)))
    y = nb.tensor(rng.normal(size=N))
    W1 = nb.tensor(rng.normal(size=(J, D)), requires_grad=True)
    w1 = nb.tensor(np.zeros(J), requires_grad=True)
    w = nb.tensor(rng.normal(size=J), requires_grad=True)
    phi = F.sigmoid(X @ W1.T + w1)
    f = phi @ w
    diff = y - f
    loss = (0.5 * diff * diff).sum()  # the graph F.squared_loss(f, y) records
    return loss, {"X": X, "y": y, "W1": W1, "w1": w1, "w": w, "phi": phi, "f": f}


def random_graph(seed, leaves=3, ops=8):
    """A random expression over a few leaves (and a constant), mixing unary and binary ops."""
    rng = np.random.default_rng(seed)
    pool = [nb.tensor(rng.normal(size=2), requires_grad=bool(i % 2 == 0)) for i in range(leaves)]
    pool[0] = pool[0] * 1.0 + pool[-1]  # make sure something requires grad and is an op
    for _ in range(ops):
        if rng.random() < 0.35:
            pool.append(pool[rng.integers(len(pool))].tanh())
        else:
            i, j = rng.integers(len(pool), size=2)
            pool.append(pool[i] * pool[j] if rng.random() < 0.5 else pool[i] + pool[j])
    return pool[-1].sum()


# -- trace -------------------------------------------------------------------------


def test_trace_of_a_variable_used_twice():
    x = nb.tensor(3.0, requires_grad=True)
    nodes, edges = G.trace(x * x + x, names={"x": x})
    assert [(n.kind, n.op, n.name) for n in nodes] == [
        ("leaf", "", "x"), ("op", "mul", ""), ("op", "add", "")
    ]
    # x enters mul twice and add once: three edges leave x.
    assert sorted(edges) == [(0, 1), (0, 1), (0, 2), (1, 2)]


def test_trace_of_the_two_layer_network():
    loss, names = two_layer_loss()
    nodes, edges = G.trace(loss, names=names)
    ops = [n.op for n in nodes if n.kind == "op"]
    assert sorted(ops) == sorted(
        ["transpose", "matmul", "add", "sigmoid", "matmul", "sub", "mul", "mul", "sum"]
    )
    leaves = {n.name for n in nodes if n.kind == "leaf"}
    constants = {n.label for n in nodes if n.kind == "constant"}
    assert leaves == {"W1", "w1", "w"}
    assert constants == {"X", "y", "0.5"}
    # One edge per argument: unary ops take one, the others two.
    unary = {"transpose", "sigmoid", "sum"}
    assert len(edges) == sum(1 if op in unary else 2 for op in ops)
    by_name = {n.name: n for n in nodes if n.name}
    assert by_name["phi"].shape == (4, 3) and by_name["f"].shape == (4,)
    assert nodes[-1].shape == () and nodes[-1].op == "sum"


@pytest.mark.parametrize("seed", range(20))
def test_trace_lists_parents_before_children(seed):
    root = random_graph(seed)
    nodes, edges = G.trace(root)
    assert [n.index for n in nodes] == list(range(len(nodes)))
    assert all(s < t for s, t in edges)
    # every node but the root is used by someone, and the root by no one
    assert {s for s, _ in edges} == set(range(len(nodes) - 1))
    # the same tensors and argument slots as a plain walk over .parents finds
    seen: dict[int, nb.Tensor] = {}
    stack = [root]
    while stack:
        t = stack.pop()
        if id(t) not in seen:
            seen[id(t)] = t
            stack.extend(t.parents)
    assert len(nodes) == len(seen)
    assert len(edges) == sum(len(t.parents) for t in seen.values())
    assert sum(n.kind == "op" for n in nodes) == sum(bool(t.parents) for t in seen.values())
    shapes = sorted(str(t.shape) for t in seen.values())
    assert sorted(str(n.shape) for n in nodes) == shapes


def test_trace_of_a_leaf_and_of_a_constant():
    x = nb.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = G.trace(x)
    assert [(n.kind, n.label, n.shape) for n in nodes] == [("leaf", "leaf", (2,))] and edges == []
    with nb.no_grad():
        y = x * 2.0
    nodes, edges = G.trace(y)
    assert [n.kind for n in nodes] == ["constant"] and edges == []


def test_trace_is_iterative():
    x = nb.tensor(0.5, requires_grad=True)
    h = x
    depth = 3 * sys.getrecursionlimit()
    for _ in range(depth):
        h = -h
    nodes, edges = G.trace(h)
    assert len(nodes) == depth + 1 and len(edges) == depth


def test_trace_lists_what_the_engine_walk_lists():
    loss, names = two_layer_loss()
    nodes, edges = G.trace(loss, names=names)
    walk = topological_order(loss, through=lambda t: True)
    assert [(n.op, n.shape) for n in nodes] == [(t.op if t.parents else "", t.shape) for t in walk]
    # backward's walk follows only what takes a gradient: the same graph without constants
    assert len(topological_order(loss)) == sum(n.kind != "constant" for n in nodes)


def test_node_nbytes_matches_the_arrays():
    loss, names = two_layer_loss()
    nodes, _ = G.trace(loss, names=names)
    by_name = {n.name: n for n in nodes if n.name}
    assert by_name["X"].nbytes == names["X"].data.nbytes
    assert by_name["phi"].nbytes == names["phi"].data.nbytes
    x32 = nb.tensor(np.ones((3, 5)), dtype="float32", requires_grad=True)
    assert G.trace(x32)[0][0].nbytes == x32.data.nbytes == 60


def test_trace_keeps_dtype_and_names_any_node():
    x = nb.tensor([1.0, 2.0], requires_grad=True, dtype="float32")
    h = x * 2.0
    nodes, _ = G.trace(h.sum(), names=[("x", x), ("h", h)])
    assert [n.dtype for n in nodes] == ["float32"] * len(nodes)
    assert sorted(n.label for n in nodes) == ["2", "h = mul", "sum", "x"]


def test_trace_rejects_bad_input():
    with pytest.raises(TypeError, match=r"trace: expected an nnbook Tensor, got numpy.ndarray"):
        G.trace(np.ones(3))
    x = nb.tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match=r"names\['x'\] must be an nnbook Tensor, got ndarray"):
        G.trace(x * 2, names={"x": np.ones(1)})
    with pytest.raises(TypeError, match="a name must be a str"):
        G.trace(x * 2, names={x: "x"})
    other = nb.tensor(2.0, requires_grad=True)
    with pytest.raises(ValueError, match=r"'other' named but not part of the graph"):
        G.trace(x * 2, names={"x": x, "other": other})
    with pytest.raises(TypeError, match="names must map names to tensors"):
        G.trace(x * 2, names="x")


# -- layout ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_layout_edges_go_down_and_ranks_are_permutations(seed):
    nodes, edges = G.trace(random_graph(seed))
    placed = G.layout(nodes, edges)
    n = len(nodes)
    layer, rank = placed.layer, placed.rank
    assert placed.node_count == n and layer.shape == rank.shape and len(layer) >= n
    assert all(layer[s] < layer[t] for s, t in edges)
    assert layer.min() == 0
    # the root is alone in the last layer
    assert np.flatnonzero(layer == layer.max()).tolist() == [n - 1]
    # every other node sits just above its earliest use: no edge is longer than needed
    for i in range(n - 1):
        assert min(layer[t] for s, t in edges if s == i) == layer[i] + 1
    # across a layer, nodes and placeholders together are ranked 0, 1, 2…
    for level in np.unique(layer):
        assert sorted(rank[layer == level]) == list(range(int(np.sum(layer == level))))
    # rows() lists every node once, by layer, in rank order
    rows = placed.rows()
    assert sorted(i for row in rows for i in row) == list(range(n))
    for level, row in enumerate(rows):
        assert all(layer[i] == level for i in row)
        assert list(rank[row]) == sorted(rank[row])


@pytest.mark.parametrize("seed", range(10))
def test_layout_chains_follow_the_edges_one_layer_at_a_time(seed):
    nodes, edges = G.trace(random_graph(seed))
    placed = G.layout(nodes, edges)
    n = len(nodes)
    assert len(placed.chains) == len(edges)
    for (s, t), chain in zip(edges, placed.chains):
        assert chain[0] == s and chain[-1] == t
        assert all(v >= n for v in chain[1:-1])  # only placeholders in between
        assert [placed.layer[v] for v in chain] == list(range(placed.layer[s], placed.layer[t] + 1))
    # every placeholder lies on exactly one edge
    inner = [v for chain in placed.chains for v in chain[1:-1]]
    assert sorted(inner) == list(range(n, len(placed.layer)))
    assert len(placed.segments) == sum(len(c) - 1 for c in placed.chains)


@pytest.mark.parametrize("seed", range(30))
def test_ordering_never_adds_crossings(seed):
    nodes, edges = G.trace(random_graph(seed, leaves=4, ops=10))
    placed = G.layout(nodes, edges)
    start = np.zeros(len(placed.layer))
    for level in np.unique(placed.layer):
        start[placed.layer == level] = np.arange(np.sum(placed.layer == level))
    assert placed.crossings() <= layered._crossings(start, placed.layer, placed.segments)


def test_ordering_removes_an_avoidable_crossing():
    # a feeds the root directly and through m = b * a; numbered in visiting order the
    # long edge a → root crosses b → m, and swapping a layer removes the crossing.
    a = nb.tensor(1.0, requires_grad=True)
    b = nb.tensor(2.0, requires_grad=True)
    nodes, edges = G.trace(a * (b * a), names={"a": a, "b": b})
    placed = G.layout(nodes, edges)
    start = np.zeros(len(placed.layer))
    for level in np.unique(placed.layer):
        start[placed.layer == level] = np.arange(np.sum(placed.layer == level))
    assert layered._crossings(start, placed.layer, placed.segments) == 1
    assert placed.crossings() == 0


def test_crossings_counts_pairs():
    # two layers of three: the permutation (2, 1, 0) makes every pair of edges cross
    vlayer = np.array([0, 0, 0, 1, 1, 1])
    seg = np.array([[0, 3], [1, 4], [2, 5]])
    assert layered._crossings(np.array([0, 1, 2, 0, 1, 2.0]), vlayer, seg) == 0
    assert layered._crossings(np.array([0, 1, 2, 2, 1, 0.0]), vlayer, seg) == 3


def test_long_edges_get_one_placeholder_per_skipped_layer():
    layer = np.array([0, 1, 2, 3])
    edges = np.array([[0, 3], [1, 2], [2, 3]])
    vlayer, seg, chains = layered._split_long_edges(layer, edges)
    assert vlayer.tolist() == [0, 1, 2, 3, 1, 2]
    assert chains[0] == [0, 4, 5, 3]
    assert all(vlayer[t] == vlayer[s] + 1 for s, t in seg)


def test_isotonic_is_the_least_squares_monotone_fit():
    y = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    z = layered._isotonic(y)
    assert np.all(np.diff(z) >= 0)
    np.testing.assert_allclose(z, [2.0, 2.0, 2.0, 4.5, 4.5])
    np.testing.assert_array_equal(layered._isotonic(np.arange(4.0)), np.arange(4.0))


@pytest.mark.parametrize("seed", range(10))
def test_centres_keep_the_order_and_the_gaps(seed):
    nodes, edges = G.trace(random_graph(seed))
    placed = G.layout(nodes, edges)
    sizes = np.random.default_rng(seed).uniform(5.0, 60.0, size=len(placed.layer))
    centre = placed.centres(sizes, gap=7.0)
    assert np.min(centre - sizes / 2) == pytest.approx(0.0)
    for level in np.unique(placed.layer):
        members = np.flatnonzero(placed.layer == level)
        members = members[np.argsort(placed.rank[members])]
        left, right = centre[members] - sizes[members] / 2, centre[members] + sizes[members] / 2
        assert np.all(left[1:] - right[:-1] >= 7.0 - 1e-9)


def test_centres_put_a_chain_in_line():
    x = nb.tensor(3.0, requires_grad=True)
    placed = G.layout(*G.trace(x.exp().exp().sum()))
    centre = placed.centres(np.array([10.0, 30.0, 20.0, 40.0]), gap=4.0)
    np.testing.assert_allclose(centre, 20.0)  # the widest box starts at 0
    with pytest.raises(ValueError, match="Layout.centres: sizes must have one entry per vertex"):
        placed.centres(np.ones(2), gap=4.0)


def test_layout_rejects_edges_that_do_not_fit():
    x = nb.tensor(1.0, requires_grad=True)
    nodes, edges = G.trace(x * x)
    with pytest.raises(ValueError, match="layout: edges refer to nodes outside"):
        G.layout(nodes, [(0, 5)])
    with pytest.raises(ValueError, match="from an earlier node to a later one"):
        G.layout(nodes, [(1, 0)])
    with pytest.raises(TypeError, match="layout: nodes must be the list of Node"):
        G.layout([1, 2], edges)
    with pytest.raises(ValueError, match="layout: the graph has no nodes"):
        G.layout([], [])


# -- drawing -----------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_svg_is_well_formed_and_complete(theme, direction):
    loss, names = two_layer_loss()
    nodes, edges = G.trace(loss, names=names)
    svg = G.to_svg(loss, names=names, theme=theme, direction=direction, title="the graph")
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    groups = [g for g in root.iter(SVG + "g") if g.get("class", "").startswith("node")]
    assert len(groups) == len(nodes)
    assert sorted(g.get("class").split()[1] for g in groups) == sorted(n.kind for n in nodes)
    assert len([p for p in root.iter(SVG + "path") if p.get("class") == "edge"]) == len(edges)
    texts = [t.text for t in root.iter(SVG + "text")]
    for n in nodes:
        assert n.label in texts and str(n.shape) in texts
    assert root.find(SVG + "title").text == "the graph"
    # every box lies inside the picture
    width, height = float(root.get("width")), float(root.get("height"))
    for rect in root.iter(SVG + "rect"):
        x, y = float(rect.get("x")), float(rect.get("y"))
        assert 0 <= x and x + float(rect.get("width")) <= width
        assert 0 <= y and y + float(rect.get("height")) <= height


def test_svg_puts_the_boxes_where_layout_places_them():
    loss, names = two_layer_loss()
    nodes, edges = G.trace(loss, names=names)
    for direction in ("TB", "LR"):
        root = ET.fromstring(G.to_svg(loss, names=names, direction=direction))
        centres = [
            (float(r.get("x")) + float(r.get("width")) / 2, float(r.get("y")) + float(r.get("height")) / 2)
            for g in root.iter(SVG + "g") if g.get("class", "").startswith("node")
            for r in g.iter(SVG + "rect")
        ]
        along, across = (1, 0) if direction == "TB" else (0, 1)
        previous = -np.inf
        for row in G.layout(nodes, edges).rows():  # a row of boxes per layer, in rank order
            levels = [centres[i][along] for i in row]
            assert max(levels) - min(levels) < 0.2 and min(levels) > previous  # coordinates to 0.1
            previous = max(levels)
            positions = [centres[i][across] for i in row]
            assert positions == sorted(positions)


def test_svg_boxes_of_one_layer_do_not_overlap():
    loss, names = two_layer_loss()
    root = ET.fromstring(G.to_svg(loss, names=names))
    boxes = [
        [float(r.get(k)) for k in ("x", "y", "width", "height")]
        for g in root.iter(SVG + "g") if g.get("class", "").startswith("node")
        for r in g.iter(SVG + "rect")
    ]
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
            assert apart


def test_svg_themes_differ_only_in_colour():
    loss, names = two_layer_loss()
    light, dark = (G.to_svg(loss, names=names, theme=t) for t in ("light", "dark"))
    assert light != dark
    strip = lambda s: [  # noqa: E731
        (e.tag, {k: v for k, v in e.attrib.items() if k not in ("fill", "stroke", "id", "marker-end")})
        for e in ET.fromstring(s).iter() if e.tag != SVG + "style"
    ]
    assert strip(light) == strip(dark)
    for colour in drawing.THEMES["dark"]["op"] + drawing.THEMES["dark"]["leaf"]:
        assert colour in dark and colour not in light


def test_svg_is_deterministic():
    a, names_a = two_layer_loss()
    b, names_b = two_layer_loss()
    assert G.to_svg(a, names=names_a) == G.to_svg(a, names=names_a) == G.to_svg(b, names=names_b)


def test_parallel_edges_are_drawn_apart():
    x = nb.tensor(3.0, requires_grad=True)
    root = ET.fromstring(G.to_svg(x * x, names={"x": x}))
    paths = [p.get("d") for p in root.iter(SVG + "path") if p.get("class") == "edge"]
    assert len(paths) == 2 and paths[0] != paths[1]


def test_svg_escapes_names_and_handles_a_lone_tensor():
    x = nb.tensor(1.0, requires_grad=True)
    svg = G.to_svg(x * 2, names={"<x & y>": x}, legend=False)
    texts = [t.text for t in ET.fromstring(svg).iter(SVG + "text")]
    assert "<x & y>" in texts
    lone = ET.fromstring(G.to_svg(x))
    assert len([g for g in lone.iter(SVG + "g") if g.get("class") == "node leaf"]) == 1


def test_svg_scale_changes_the_size_not_the_drawing():
    x = nb.tensor(3.0, requires_grad=True)
    one, two = (ET.fromstring(G.to_svg(x * x, scale=k)) for k in (1, 2.0))
    assert one.get("viewBox") == two.get("viewBox")
    assert float(two.get("width")) == pytest.approx(2 * float(one.get("width")), abs=0.1)
    assert float(two.get("height")) == pytest.approx(2 * float(one.get("height")), abs=0.1)
    assert [e.attrib for e in one.iter(SVG + "rect")] == [e.attrib for e in two.iter(SVG + "rect")]
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="to_svg: scale must be a positive finite number"):
            G.to_svg(x * x, scale=bad)
    for bad in ("2", True, None):
        with pytest.raises(TypeError, match="to_svg: scale must be a number"):
            G.to_svg(x * x, scale=bad)


def test_svg_rejects_bad_options():
    x = nb.tensor(1.0, requires_grad=True)
    with pytest.raises(ValueError, match="to_svg: theme must be 'light' or 'dark', got 'blue'"):
        G.to_svg(x * 2, theme="blue")
    with pytest.raises(ValueError, match="to_svg: direction must be"):
        G.to_svg(x * 2, direction="up")
    with pytest.raises(TypeError, match="trace: expected an nnbook Tensor, got builtins.list"):
        G.to_svg([1.0, 2.0])
    with pytest.raises(ValueError, match="trace: 'z' named but not part of the graph"):
        G.to_svg(x * 2, names={"z": nb.tensor(0.0)})
    h = x
    for _ in range(drawing.MAX_DRAWN_NODES):
        h = -h
    with pytest.raises(ValueError, match="legible only for small graphs"):
        G.to_svg(h)


def test_dot_lists_every_node_and_edge():
    loss, names = two_layer_loss()
    nodes, edges = G.trace(loss, names=names)
    dot = G.to_dot(loss, names=names, direction="LR")
    lines = dot.splitlines()
    assert lines[0] == "digraph {" and lines[-1] == "}" and "  rankdir=LR;" in lines
    node_lines = [ln for ln in lines if re.match(r"  n\d+ \[", ln)]
    edge_lines = [ln for ln in lines if "->" in ln]
    assert len(node_lines) == len(nodes) and len(edge_lines) == len(edges)
    assert edge_lines == [f"  n{s} -> n{t};" for s, t in edges]
    assert '[label="W1\\n(3, 2)", fillcolor=' in dot


def test_dot_escapes_quotes():
    x = nb.tensor(1.0, requires_grad=True)
    dot = G.to_dot(x * 2, names={'say "x"': x})
    assert 'label="say \\"x\\"\\n()"' in dot
    with pytest.raises(ValueError, match="to_dot: direction must be"):
        G.to_dot(x * 2, direction="RL")
