"""Draw the computation graph that a `Tensor` has recorded.

Every tensor made by a recorded operation keeps its parents (``._parents``) and the
name of the operation (``._op``). Following the parents from a result back to the
leaves gives the whole graph; ``backward`` walks the part of it that takes a gradient.
This module reads that graph and nothing else, so what it draws is exactly what the
engine recorded:

* `trace` lists the graph's nodes (parents before children) and its edges;
* `layout` places the nodes in layers, every edge pointing from a lower layer to a
  higher one, and orders each layer so that few edges cross;
* `to_svg` draws the graph as an SVG image, in colours for a light or a dark page;
* `to_dot` writes it in the DOT language, for Graphviz.

Only numpy is used; no external program or service is involved. The layout is the
classic layered one of Sugiyama, Tagawa and Toda (1981, "Methods for visual
understanding of hierarchical system structures", IEEE Trans. Systems, Man, and
Cybernetics 11(2)): layers, placeholder vertices on long edges, and barycentre sweeps
to reduce crossings.

Examples
--------
>>> import nnbook as nb
>>> from nnbook.graph import trace
>>> x = nb.tensor(3.0, requires_grad=True)
>>> nodes, edges = trace(x * x + x, names={"x": x})
>>> [node.label for node in nodes]
['x', 'mul', 'add']
>>> edges
[(0, 1), (0, 1), (1, 2), (0, 2)]
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from nnbook.autodiff import Tensor

__all__ = ["Node", "trace", "layout", "to_svg", "to_dot"]

MAX_DRAWN_NODES = 2000


@dataclass(frozen=True)
class Node:
    """One tensor of a traced graph.

    Attributes
    ----------
    index : int
        Position in the node list that `trace` returns.
    kind : str
        ``"leaf"`` for a tensor made by the user with ``requires_grad=True`` (the
        backward pass fills its ``.grad``), ``"constant"`` for a tensor that takes no
        gradient, ``"op"`` for the output of a recorded operation.
    op : str
        The primitive that computed the tensor (``"mul"``, ``"matmul"``…), or ``""``.
    name : str
        The caller's name for the tensor (see `trace`), or ``""``.
    shape : tuple of int
        The tensor's shape.
    dtype : str
        The tensor's dtype, e.g. ``"float64"``.
    value : float or None
        The value of a constant that holds a single number, else None.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.graph import trace
    >>> w = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> nodes, edges = trace((w * 2.0).sum(), names={"w": w})
    >>> [(n.kind, n.op or n.name, n.shape) for n in nodes]
    [('leaf', 'w', (2,)), ('constant', '', ()), ('op', 'mul', (2,)), ('op', 'sum', ())]
    """

    index: int
    kind: str
    op: str
    name: str
    shape: tuple[int, ...]
    dtype: str
    value: float | None = None

    @property
    def label(self) -> str:
        """What the drawing writes first: the name, the operation, or the constant's value."""
        if self.kind == "op":
            return f"{self.name} = {self.op}" if self.name else self.op
        if self.name:
            return self.name
        if self.value is not None:
            return f"{self.value:g}"
        return "leaf" if self.kind == "leaf" else "const"

    @property
    def nbytes(self) -> int:
        """Bytes in the tensor's array, ``prod(shape) * itemsize``."""
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize

    @property
    def detail(self) -> str:
        """What the drawing writes second: the shape, e.g. ``"(4, 3)"``."""
        return str(self.shape)


def _named_ids(names, caller: str) -> dict[int, str]:
    """``names`` (name → Tensor, or (name, Tensor) pairs) as id(tensor) → name."""
    if names is None:
        return {}
    pairs = names.items() if isinstance(names, Mapping) else names
    if not isinstance(pairs, Iterable) or isinstance(pairs, (str, bytes)):
        raise TypeError(
            f"{caller}: names must map names to tensors, e.g. {{'W1': W1}}, "
            f"got {type(names).__name__}"
        )
    by_id: dict[int, str] = {}
    for pair in pairs:
        try:
            name, t = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"{caller}: names must map names to tensors, e.g. {{'W1': W1}}, "
                f"got an entry {pair!r}"
            ) from None
        if not isinstance(name, str):
            raise TypeError(f"{caller}: a name must be a str, got {type(name).__name__} {name!r}")
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{caller}: names[{name!r}] must be an nnbook Tensor, got {type(t).__name__}"
            )
        by_id[id(t)] = name
    return by_id


def _check_root(root, caller: str) -> None:
    if not isinstance(root, Tensor):
        hint = " (wrap it with nb.tensor(...))" if isinstance(root, np.ndarray) else ""
        raise TypeError(
            f"{caller}: expected an nnbook Tensor, got {type(root).__module__}."
            f"{type(root).__name__}{hint}"
        )


def trace(root: Tensor, names=None) -> tuple[list[Node], list[tuple[int, int]]]:
    """The nodes and edges of the graph that computed ``root``.

    The walk follows ``._parents`` from ``root`` with an explicit stack (no recursion,
    so a graph of any depth can be traced). Constants that an operation used (data,
    targets, a number such as ``0.5``) are nodes too: they are parents, even though no
    gradient flows into them.

    Parameters
    ----------
    root : Tensor
        The result whose graph is wanted, typically a scalar loss.
    names : mapping of str to Tensor, optional
        Names to show for some tensors, e.g. ``{"W1": W1, "x": X}``; an iterable of
        ``(name, tensor)`` pairs also works (``model.named_parameters()``). Every named
        tensor must be part of the graph.

    Returns
    -------
    nodes : list of Node, length V
        Every tensor of the graph, each after all of its parents; ``nodes[-1]`` is
        ``root`` and ``nodes[i].index == i``.
    edges : list of (int, int), length E
        ``(parent, child)`` index pairs, one per argument of an operation: an
        operation that uses a tensor twice (``x * x``) gives two equal edges. The
        edges into one child are listed in the order of the operation's arguments.

    Raises
    ------
    TypeError
        If ``root`` is not a Tensor, or ``names`` is not a mapping of str to Tensor.
    ValueError
        If a named tensor is not part of the graph.

    Examples
    --------
    >>> import nnbook as nb
    >>> W = nb.tensor([[1.0, 2.0]], requires_grad=True)
    >>> nodes, edges = trace((W * 0.5).sum(), names={"W": W})
    >>> [(n.kind, n.label, n.shape) for n in nodes]
    [('leaf', 'W', (1, 2)), ('constant', '0.5', ()), ('op', 'mul', (1, 2)), ('op', 'sum', ())]
    >>> [n.nbytes for n in nodes]
    [16, 8, 16, 8]
    >>> edges
    [(0, 2), (1, 2), (2, 3)]
    """
    return _trace(root, names, "trace")


def _trace(root, names, caller: str) -> tuple[list[Node], list[tuple[int, int]]]:
    _check_root(root, caller)
    named = _named_ids(names, caller)

    order: list[Tensor] = []
    index: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, parents_done = stack.pop()
        if parents_done:
            index[id(t)] = len(order)
            order.append(t)
            continue
        if id(t) in entered:
            continue
        entered.add(id(t))
        stack.append((t, True))
        # Reversed, so that the first argument is visited (and numbered) first.
        for parent in reversed(t._parents):
            if id(parent) not in entered:
                stack.append((parent, False))

    missing = sorted(set(named.values()) - {named[id(t)] for t in order if id(t) in named})
    if missing:
        raise ValueError(
            f"{caller}: {', '.join(repr(m) for m in missing)} named but not part of the graph "
            f"of this tensor (was it computed under no_grad, or from a copy?)"
        )

    nodes = []
    for i, t in enumerate(order):
        if t._parents:
            kind = "op"
        else:
            kind = "leaf" if t.requires_grad else "constant"
        value = float(t.data.reshape(-1)[0]) if kind == "constant" and t.data.size == 1 else None
        nodes.append(
            Node(i, kind, t._op if kind == "op" else "", named.get(id(t), ""),
                 tuple(t.shape), str(t.dtype), value)
        )
    edges = [(index[id(p)], index[id(t)]) for t in order for p in t._parents]
    return nodes, edges


# -- layout ------------------------------------------------------------------------


def _check_graph(nodes, edges, caller: str) -> np.ndarray:
    """``edges`` as an (E, 2) int array, after checking it fits ``nodes``."""
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(n, Node) for n in nodes):
        raise TypeError(f"{caller}: nodes must be the list of Node that trace returns")
    arr = np.asarray(edges, dtype=np.int64).reshape(-1, 2) if len(edges) else np.zeros((0, 2), np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= len(nodes)):
        raise ValueError(f"{caller}: edges refer to nodes outside 0…{len(nodes) - 1}")
    if arr.size and np.any(arr[:, 0] >= arr[:, 1]):
        raise ValueError(
            f"{caller}: every edge must go from an earlier node to a later one, "
            f"as trace returns them"
        )
    return arr


def _layers(n: int, edges: np.ndarray) -> np.ndarray:
    """Longest-path layers, then every node moved down to just above its first use.

    Nodes arrive in topological order (every edge goes from a lower index to a higher
    one), so one pass over the children settles each node after all of its parents,
    and one pass back settles each node after all of the nodes that use it.
    """
    layer = np.zeros(n, dtype=np.int64)
    by_child = edges[np.argsort(edges[:, 1], kind="stable")]
    child_starts = np.searchsorted(by_child[:, 1], np.arange(n + 1))
    for child in range(n):
        parents = by_child[child_starts[child]:child_starts[child + 1], 0]
        if len(parents):
            layer[child] = layer[parents].max() + 1
    # A node placed at its earliest layer may sit far above the operation that uses
    # it (a weight and its transpose above a deep layer), which makes long edges;
    # moving it as late as its uses allow keeps every edge pointing down.
    by_parent = edges[np.argsort(edges[:, 0], kind="stable")]
    parent_starts = np.searchsorted(by_parent[:, 0], np.arange(n + 1))
    for parent in range(n - 1, -1, -1):
        children = by_parent[parent_starts[parent]:parent_starts[parent + 1], 1]
        if len(children):
            layer[parent] = layer[children].min() - 1
    return layer


def _split_long_edges(layer: np.ndarray, edges: np.ndarray):
    """Insert a dummy vertex wherever an edge skips a layer.

    Returns the layer of every vertex (the real nodes first, then the dummies), the
    unit-length segments ``(upper, lower)`` and, for each edge, its chain of vertices.
    """
    vlayer = list(layer)
    segments: list[tuple[int, int]] = []
    chains: list[list[int]] = []
    for s, t in edges:
        chain = [int(s)]
        for level in range(int(layer[s]) + 1, int(layer[t])):
            vlayer.append(level)
            chain.append(len(vlayer) - 1)
        chain.append(int(t))
        segments.extend(zip(chain[:-1], chain[1:]))
        chains.append(chain)
    seg = np.asarray(segments, dtype=np.int64).reshape(-1, 2)
    return np.asarray(vlayer, dtype=np.int64), seg, chains


def _groups(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """The indices ``i`` grouped by ``keys[i]`` in ``0 … count-1``, each group in order."""
    order = np.argsort(keys, kind="stable")
    return np.split(order, np.searchsorted(keys[order], np.arange(1, count)))


def _crossings(pos: np.ndarray, vlayer: np.ndarray, seg: np.ndarray) -> int:
    """How many pairs of segments between the same two layers cross."""
    if not len(seg):
        return 0
    total = 0
    for rows in _groups(vlayer[seg[:, 0]], int(vlayer.max()) + 1):
        a, b = pos[seg[rows, 0]], pos[seg[rows, 1]]
        total += int(np.sum((a[:, None] - a[None, :]) * (b[:, None] - b[None, :]) < 0)) // 2
    return total


def _neighbour_mean(pos: np.ndarray, pairs: np.ndarray, members: np.ndarray) -> np.ndarray:
    """For each vertex in ``members``, the mean ``pos`` of the vertices it is paired with.

    ``pairs`` holds rows ``(vertex, neighbour)``; a vertex without neighbours keeps its
    own ``pos``.
    """
    local = np.searchsorted(members, pairs[:, 0])
    total = np.bincount(local, weights=pos[pairs[:, 1]], minlength=len(members))
    count = np.bincount(local, minlength=len(members))
    return np.where(count > 0, total / np.maximum(count, 1), pos[members])


def _order(vlayer: np.ndarray, seg: np.ndarray, sweeps: int = 8) -> np.ndarray:
    """Position of every vertex within its layer, by barycentre sweeps (Sugiyama et al.).

    Each sweep sorts a layer by the mean position of its neighbours in the layer just
    above (downward sweep) or just below (upward sweep); the ordering with the fewest
    crossings seen is kept. Starting from the vertex numbering makes the result
    deterministic.
    """
    levels = int(vlayer.max()) + 1
    members_of = _groups(vlayer, levels)
    pos = np.zeros(len(vlayer))
    for members in members_of:
        pos[members] = np.arange(len(members))
    best, best_cross = pos.copy(), _crossings(pos, vlayer, seg)
    # Row k of `from_above` pairs a vertex with its neighbour in the layer above, and
    # the rows are grouped by the vertex's layer; `from_below` likewise.
    from_above, from_below = seg[:, ::-1], seg
    above_by_level = _groups(vlayer[from_above[:, 0]], levels)
    below_by_level = _groups(vlayer[from_below[:, 0]], levels)
    for sweep in range(sweeps):
        if best_cross == 0:
            break
        downward = sweep % 2 == 0
        order = range(1, levels) if downward else range(levels - 2, -1, -1)
        pairs, by_level = (from_above, above_by_level) if downward else (from_below, below_by_level)
        for level in order:
            members = members_of[level]
            bary = _neighbour_mean(pos, pairs[by_level[level]], members)
            ranked = members[np.lexsort((pos[members], bary))]
            pos[ranked] = np.arange(len(ranked))
        crossings = _crossings(pos, vlayer, seg)
        if crossings < best_cross:
            best, best_cross = pos.copy(), crossings
    return best


def layout(nodes: list[Node], edges: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Layer and position-within-layer of every node, for a layered drawing.

    Layers are first assigned by longest path (each operation one layer below the
    lowest of its inputs); then every node but the root moves down to one layer above
    the earliest node that uses it, which keeps edges short. Within a layer, nodes are ordered by barycentre sweeps, which reduce the
    number of crossing edges. An edge that skips layers passes through a placeholder
    position in each layer between; placeholders take part in the ordering, but only
    the nodes' ranks are returned.

    Parameters
    ----------
    nodes : list of Node, length V
        As returned by `trace`.
    edges : list of (int, int), length E
        As returned by `trace`.

    Returns
    -------
    layer : ndarray of int, shape (V,)
        ``layer[i] < layer[j]`` for every edge ``(i, j)``; the root has the largest.
    rank : ndarray of int, shape (V,)
        Position of each node among the nodes of its layer: 0, 1, 2…

    Examples
    --------
    >>> import nnbook as nb
    >>> x = nb.tensor(3.0, requires_grad=True)
    >>> layer, rank = layout(*trace(x * x + x))
    >>> layer.tolist(), rank.tolist()
    ([0, 1, 2], [0, 0, 0])
    """
    arr = _check_graph(nodes, edges, "layout")
    layer = _layers(len(nodes), arr)
    vlayer, seg, _ = _split_long_edges(layer, arr)
    pos = _order(vlayer, seg)
    n = len(nodes)
    rank = np.zeros(n, dtype=np.int64)
    for level in np.unique(layer):
        members = np.flatnonzero(layer == level)
        rank[members[np.argsort(pos[members], kind="stable")]] = np.arange(len(members))
    return layer, rank


# -- coordinates ---------------------------------------------------------------------


def _isotonic(y: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence nearest to ``y`` in least squares (pool adjacent violators)."""
    values: list[float] = []
    weights: list[int] = []
    for v in y:
        values.append(float(v))
        weights.append(1)
        while len(values) > 1 and values[-2] > values[-1]:
            w = weights[-2] + weights[-1]
            values[-2] = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
            weights[-2] = w
            values.pop()
            weights.pop()
    return np.repeat(values, weights)


def _cross_coordinates(vlayer, pos, seg, size, gap, passes: int = 6) -> np.ndarray:
    """Centre of every vertex across the layers (x when layers are rows).

    Start with each layer packed and centred, then pull every vertex towards the mean
    of its neighbours, keeping the order and the minimum gaps: for a layer in order,
    centres ``c = offset + z`` with ``z`` non-decreasing, and the ``z`` nearest to the
    wanted centres is an isotonic regression.
    """
    n = len(vlayer)
    levels = int(vlayer.max()) + 1
    members_of = [m[np.argsort(pos[m], kind="stable")] for m in _groups(vlayer, levels)]
    centre = np.zeros(n)
    offsets = []
    for members in members_of:
        half = size[members] / 2
        step = np.concatenate([[0.0], half[:-1] + gap + half[1:]])
        offset = np.cumsum(step)
        offsets.append(offset)
        centre[members] = offset - offset[-1] / 2
    if not len(seg):
        return centre
    # (vertex, neighbour) in both directions, grouped by the vertex's layer
    ends = np.concatenate([seg, seg[:, ::-1]])
    ends_by_level = _groups(vlayer[ends[:, 0]], levels)
    for sweep in range(passes):
        before = centre.copy()
        order = range(levels) if sweep % 2 == 0 else range(levels - 1, -1, -1)
        for level in order:
            members = members_of[level]
            # _neighbour_mean looks vertices up by position: sort this layer's ids
            by_id = np.argsort(members)
            wanted = np.empty(len(members))
            wanted[by_id] = _neighbour_mean(centre, ends[ends_by_level[level]], members[by_id])
            offset = offsets[level]
            centre[members] = offset + _isotonic(wanted - offset)
        if np.max(np.abs(centre - before)) < 0.05:  # settled, to a twentieth of a pixel
            break
    return centre - np.min(centre - size / 2)


# -- drawing -----------------------------------------------------------------------

THEMES = {
    "light": {
        "text": "#1f2328", "muted": "#57606a", "edge": "#6e7781",
        "op": ("#e7eefb", "#3d6fb6"), "leaf": ("#fde7c8", "#b86200"),
        "constant": ("#f0f1f3", "#8c959f"),
    },
    "dark": {
        "text": "#e6edf3", "muted": "#9da7b3", "edge": "#8b949e",
        "op": ("#1c2d47", "#79a6eb"), "leaf": ("#43301a", "#f0a644"),
        "constant": ("#2b2f37", "#8b949e"),
    },
}
FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
FONT_SIZE = 12
CHAR_WIDTH = 0.62 * FONT_SIZE  # a monospace glyph's advance, roughly
PAD_X, NODE_HEIGHT, DUMMY_SIZE = 10.0, 36.0, 6.0
GAP_ACROSS, GAP_ALONG, MARGIN = 18.0, 34.0, 12.0


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _check_options(caller: str, theme: str, direction: str) -> None:
    if theme not in THEMES:
        raise ValueError(f"{caller}: theme must be 'light' or 'dark', got {theme!r}")
    if direction not in ("TB", "LR"):
        raise ValueError(f"{caller}: direction must be 'TB' (top to bottom) or 'LR', got {direction!r}")


def to_svg(root: Tensor, names=None, theme: str = "light", direction: str = "TB",
           legend: bool = True, title: str | None = None, scale: float = 1.0) -> str:
    """An SVG picture of the graph that computed ``root``.

    Leaves that receive a gradient, constants and operations are drawn in three
    colours; each box shows the name or operation and the shape; the root has a thick
    border. Arrows point the way values flow in the forward pass; the backward pass
    runs against them.

    Parameters
    ----------
    root : Tensor
        The result whose graph is drawn (see `trace`).
    names : mapping of str to Tensor, optional
        Names to show for some tensors, e.g. ``{"W1": W1}`` (see `trace`).
    theme : {"light", "dark"}
        Colours for a light or a dark page; the background is left transparent.
    direction : {"TB", "LR"}
        Inputs at the top and the root at the bottom, or inputs left and root right.
    legend : bool
        Whether to explain the three colours under the graph.
    title : str, optional
        Accessible name of the image (an SVG ``<title>``).
    scale : float
        Display size relative to the natural one (12-pixel text); the drawing itself
        is the same, so it stays sharp at any scale.

    Returns
    -------
    str
        A standalone SVG document.

    Raises
    ------
    TypeError, ValueError
        As `trace`; and for an unknown ``theme`` or ``direction``, a ``scale`` that is
        not a positive finite number, or a graph too large to draw legibly (more than
        2000 nodes).

    Examples
    --------
    >>> import nnbook as nb
    >>> x = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> svg = to_svg((x * x).sum(), names={"x": x}, theme="dark")
    >>> svg.startswith("<svg"), svg.count('class="node'), ">x<" in svg
    (True, 3, True)
    """
    _check_options("to_svg", theme, direction)
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)):
        raise TypeError(f"to_svg: scale must be a number, got {type(scale).__name__}")
    if not 0 < scale < np.inf:
        raise ValueError(f"to_svg: scale must be a positive finite number, got {scale!r}")
    nodes, edges = _trace(root, names, "to_svg")
    if len(nodes) > MAX_DRAWN_NODES:
        raise ValueError(
            f"to_svg: the graph has {len(nodes)} nodes; a drawing is legible only for small "
            f"graphs (at most {MAX_DRAWN_NODES}); use trace() to inspect a large one"
        )
    colours = THEMES[theme]
    arr = _check_graph(nodes, edges, "to_svg")
    layer = _layers(len(nodes), arr)
    vlayer, seg, chains = _split_long_edges(layer, arr)
    pos = _order(vlayer, seg)
    n, nv = len(nodes), len(vlayer)
    tb = direction == "TB"

    # "across" is the axis along which one layer's nodes sit side by side, "along"
    # the axis from layer to layer.
    widths = np.full(nv, DUMMY_SIZE)
    widths[:n] = [max(len(nd.label), len(nd.detail)) * CHAR_WIDTH + 2 * PAD_X for nd in nodes]
    heights = np.full(nv, DUMMY_SIZE)
    heights[:n] = NODE_HEIGHT
    across_size, along_size = (widths, heights) if tb else (heights, widths)
    across = _cross_coordinates(vlayer, pos, seg, across_size, GAP_ACROSS)
    band = np.zeros(int(vlayer.max()) + 1)
    np.maximum.at(band, vlayer, along_size)
    band_start = np.concatenate([[0.0], np.cumsum(band + GAP_ALONG)[:-1]])
    along = band_start[vlayer] + band[vlayer] / 2
    extent = (float(np.max(across + across_size / 2)), float(band_start[-1] + band[-1]))
    graph_w, graph_h = extent if tb else extent[::-1]

    entries = [("leaf", "leaf: backward fills .grad"), ("constant", "constant: no gradient"),
               ("op", "operation (thick border: the output)")]
    legend_font = FONT_SIZE - 1
    entry_w = [20 + len(text) * legend_font * 0.62 for _, text in entries]
    # One row if it fits under the graph, else one entry per line.
    in_a_row = sum(entry_w) + 18 * (len(entries) - 1) <= graph_w
    if not legend:
        legend_w, legend_h = 0.0, 0.0
    elif in_a_row:
        legend_w, legend_h = sum(entry_w) + 18 * (len(entries) - 1), 18 + 14
    else:
        legend_w, legend_h = max(entry_w), 18 + 20 * len(entries) - 6
    width = max(graph_w, legend_w) + 2 * MARGIN
    height = graph_h + 2 * MARGIN + legend_h
    # A legend wider than the graph: centre the graph above it.
    ox, oy = MARGIN + (width - 2 * MARGIN - graph_w) / 2, MARGIN

    def point(a: float, b: float) -> tuple[float, float]:
        """(across, along) to (x, y) on the page."""
        return (a + ox, b + oy) if tb else (b + ox, a + oy)

    # Edges leave and enter a box at points spread along its side, ordered by the
    # vertex at the other end, so that parallel edges (x * x) stay apart.
    def ports(ends: list[tuple[int, float, int]]) -> dict[int, float]:
        result: dict[int, float] = {}
        at: dict[int, list[tuple[float, int]]] = {}
        for vertex, other, e in ends:
            at.setdefault(vertex, []).append((other, e))
        for vertex, items in at.items():
            items.sort()
            spread = min(16.0, 0.7 * across_size[vertex] / len(items))
            for k, (_, e) in enumerate(items):
                result[e] = across[vertex] + (k - (len(items) - 1) / 2) * spread
        return result

    out_port = ports([(c[0], across[c[1]], e) for e, c in enumerate(chains)])
    in_port = ports([(c[-1], across[c[-2]], e) for e, c in enumerate(chains)])

    parts = []
    for e, chain in enumerate(chains):
        s, t = chain[0], chain[-1]
        pts = [(out_port[e], along[s] + along_size[s] / 2)]
        pts += [(across[v], along[v]) for v in chain[1:-1]]
        pts.append((in_port[e], along[t] - along_size[t] / 2 - 1.5))
        d = ["M{},{}".format(*map(_fmt, point(*pts[0])))]
        for (a0, b0), (a1, b1) in zip(pts[:-1], pts[1:]):
            mid = (b0 + b1) / 2
            controls = (point(a0, mid), point(a1, mid), point(a1, b1))
            d.append("C" + " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in controls))
        parts.append(f'<path class="edge" d="{"".join(d)}" marker-end="url(#arrow-{theme})"/>')

    for nd in nodes:
        i = nd.index
        fill, stroke = colours[nd.kind]
        cx, cy = point(across[i], along[i])
        w, h = widths[i], heights[i]
        dash = ' stroke-dasharray="4 3"' if nd.kind == "constant" else ""
        parts.append(
            f'<g class="node {nd.kind}"><rect x="{_fmt(cx - w / 2)}" y="{_fmt(cy - h / 2)}" '
            f'width="{_fmt(w)}" height="{_fmt(h)}" rx="6" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{2.6 if i == n - 1 else 1.2}"{dash}/>'
            f'<text x="{_fmt(cx)}" y="{_fmt(cy - 3)}" fill="{colours["text"]}">'
            f"{html.escape(nd.label)}</text>"
            f'<text x="{_fmt(cx)}" y="{_fmt(cy + 12)}" fill="{colours["muted"]}" '
            f'font-size="{FONT_SIZE - 2}">{html.escape(nd.detail)}</text></g>'
        )

    if legend:
        x0 = MARGIN + (width - 2 * MARGIN - legend_w) / 2
        x, y = x0, graph_h + 2 * MARGIN + 18
        for (kind, text), w in zip(entries, entry_w):
            fill, stroke = colours[kind]
            dash = ' stroke-dasharray="3 2"' if kind == "constant" else ""
            parts.append(
                f'<g class="legend"><rect x="{_fmt(x)}" y="{_fmt(y - 14)}" width="14" '
                f'height="14" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>'
                f'<text x="{_fmt(x + 20)}" y="{_fmt(y - 3)}" fill="{colours["text"]}" '
                f'text-anchor="start" font-size="{legend_font}">{html.escape(text)}</text></g>'
            )
            if in_a_row:
                x += w + 18
            else:
                y += 20

    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(scale * width)}" '
        f'height="{_fmt(scale * height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" role="img" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" text-anchor="middle">'
    ]
    if title:
        head.append(f"<title>{html.escape(title)}</title>")
    head.append(
        f'<defs><marker id="arrow-{theme}" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colours["edge"]}"/></marker></defs>'
        f'<style>.edge {{ fill: none; stroke: {colours["edge"]}; stroke-width: 1.3; }}</style>'
    )
    return "\n".join(head + parts + ["</svg>"]) + "\n"


def to_dot(root: Tensor, names=None, direction: str = "TB") -> str:
    r"""The graph that computed ``root`` in Graphviz's DOT language.

    Paste the text into any Graphviz tool (``dot -Tsvg``) to draw it there.

    Parameters
    ----------
    root : Tensor
        The result whose graph is written (see `trace`).
    names : mapping of str to Tensor, optional
        Names to show for some tensors (see `trace`).
    direction : {"TB", "LR"}
        Graphviz's ``rankdir``.

    Returns
    -------
    str
        A ``digraph`` with one node ``n<i>`` per tensor (``i`` as in `trace`) and one
        edge per argument of an operation.

    Examples
    --------
    >>> import nnbook as nb
    >>> x = nb.tensor(2.0, requires_grad=True)
    >>> print(to_dot(x * 3.0, names={"x": x}))
    digraph {
      rankdir=TB;
      node [shape=box, style="rounded,filled", fontname="monospace",
            fillcolor="#e7eefb"];
      n0 [label="x\n()", fillcolor="#fde7c8"];
      n1 [label="3\n()", fillcolor="#f0f1f3", style="rounded,filled,dashed"];
      n2 [label="mul\n()", penwidth=2.5];
      n0 -> n2;
      n1 -> n2;
    }
    """
    _check_options("to_dot", "light", direction)
    nodes, edges = _trace(root, names, "to_dot")
    colours = THEMES["light"]

    def quoted(text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    lines = [
        "digraph {",
        f"  rankdir={direction};",
        '  node [shape=box, style="rounded,filled", fontname="monospace",',
        f'        fillcolor="{colours["op"][0]}"];',
    ]
    for nd in nodes:
        text = nd.label + "\n" + nd.detail
        attrs = [f"label={quoted(text)}"]
        if nd.kind == "leaf":
            attrs.append(f'fillcolor="{colours["leaf"][0]}"')
        elif nd.kind == "constant":
            attrs.append(f'fillcolor="{colours["constant"][0]}", style="rounded,filled,dashed"')
        if nd.index == len(nodes) - 1:
            attrs.append("penwidth=2.5")
        lines.append(f"  n{nd.index} [{', '.join(attrs)}];")
    lines += [f"  n{s} -> n{t};" for s, t in edges]
    lines.append("}")
    return "\n".join(lines)
