"""A traced graph laid out in layers, for drawing: no pixels, no colours, only order.

`layout` follows the classic layered method of Sugiyama, Tagawa and Toda (1981,
"Methods for visual understanding of hierarchical system structures", IEEE Trans.
Systems, Man, and Cybernetics 11(2)), in three stages:

1. **layers**: every node gets a layer, and every edge points from a lower layer to a
   higher one (the inputs at the top, the root alone at the bottom);
2. **placeholders**: an edge that skips layers is split into unit steps through a
   placeholder vertex in each layer between, so that it can be routed around nodes;
3. **order**: each layer's vertices are ordered by barycentre sweeps, which reduce the
   number of crossing edges.

The result, a `Layout`, says where each vertex stands (its layer and its rank across
the layer); `Layout.centres` turns that into coordinates for boxes of given sizes, the
fourth stage, which `nnbook.graph.to_svg` runs with the sizes of its labels.

Examples
--------
>>> import nnbook as nb
>>> from nnbook.graph import layout, trace
>>> x = nb.tensor(3.0, requires_grad=True)
>>> nodes, edges = trace(x * (x * x), names={"x": x})
>>> placed = layout(nodes, edges)
>>> [[nodes[i].label for i in row] for row in placed.rows()]
[['x'], ['mul'], ['mul']]
>>> [chain for chain in placed.chains if len(chain) > 2]   # x straight to the root
[[0, 3, 2]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbook.graph.tracing import Node

__all__ = ["Layout", "layout"]


@dataclass(frozen=True, eq=False)
class Layout:
    """Where `layout` puts the vertices of a traced graph.

    The vertices are the graph's V nodes, numbered as `nnbook.graph.trace` numbers
    them, followed by P placeholders: one for each layer that an edge skips.

    Attributes
    ----------
    layer : ndarray of int, shape (V + P,)
        The layer of every vertex, 0 at the top. ``layer[i] < layer[j]`` for every edge
        ``(i, j)`` of the graph; the root alone has the largest.
    rank : ndarray of int, shape (V + P,)
        The position of every vertex across its layer, placeholders counted: the
        vertices of a layer have the ranks 0, 1, 2…
    chains : list of list of int, length E
        For every edge, in the order of the edge list, the vertices it passes through:
        its parent, the placeholders of the layers between, its child.
    node_count : int
        V, the number of nodes: vertices ``0 … V-1`` are nodes, the rest placeholders.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.graph import layout, trace
    >>> x = nb.tensor(3.0, requires_grad=True)
    >>> placed = layout(*trace(x * x + x))
    >>> placed.layer.tolist(), placed.rank.tolist(), placed.crossings()
    ([0, 1, 2, 1], [0, 0, 0, 1], 0)
    """

    layer: np.ndarray
    rank: np.ndarray
    chains: list[list[int]]
    node_count: int

    @property
    def segments(self) -> np.ndarray:
        """The unit steps of all chains as (upper, lower) vertex pairs, shape (S, 2)."""
        pairs = [(a, b) for chain in self.chains for a, b in zip(chain[:-1], chain[1:])]
        return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)

    def rows(self) -> list[list[int]]:
        """The nodes of each layer, top to bottom, each row in rank order (no placeholders).

        Examples
        --------
        >>> import nnbook as nb
        >>> from nnbook.graph import layout, trace
        >>> a = nb.tensor(1.0, requires_grad=True)
        >>> nodes, edges = trace((a * 2.0).exp(), names={"a": a})
        >>> [[nodes[i].label for i in row] for row in layout(nodes, edges).rows()]
        [['2', 'a'], ['mul'], ['exp']]
        """
        n = self.node_count
        layer, rank = self.layer[:n], self.rank[:n]
        return [
            [int(i) for i in members[np.argsort(rank[members], kind="stable")]]
            for members in _groups(layer, int(layer.max()) + 1)
        ]

    def crossings(self) -> int:
        """How many pairs of edge segments cross, as the drawing will show them.

        Examples
        --------
        >>> import nnbook as nb
        >>> from nnbook.graph import layout, trace
        >>> a, b = nb.tensor(1.0, requires_grad=True), nb.tensor(2.0, requires_grad=True)
        >>> layout(*trace(a * (b * a))).crossings()
        0
        """
        return _crossings(self.rank.astype(float), self.layer, self.segments)

    def centres(self, sizes, gap: float) -> np.ndarray:
        """The centre of every vertex across the layers, for boxes of the given sizes.

        The fourth stage of the method: each layer starts packed and centred, then
        every vertex is pulled towards the mean of its neighbours in the layers next
        to it, keeping the layer's order and at least ``gap`` between boxes (for a
        layer, the centres nearest to the wanted ones under those constraints are an
        isotonic regression).

        Parameters
        ----------
        sizes : array_like of float, shape (V + P,)
            The extent of every vertex across its layer (a box's width when layers are
            rows), placeholders included.
        gap : float
            The least distance between two neighbouring boxes of a layer.

        Returns
        -------
        ndarray of float, shape (V + P,)
            Centres, shifted so that the first box edge is at 0.

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> from nnbook.graph import layout, trace
        >>> x = nb.tensor(3.0, requires_grad=True)
        >>> placed = layout(*trace(x.exp().exp()))   # a chain: one vertex per layer
        >>> print(placed.centres(np.array([10.0, 30.0, 20.0]), gap=4.0))
        [15. 15. 15.]
        """
        size = np.asarray(sizes, dtype=float)
        if size.shape != self.layer.shape:
            raise ValueError(
                f"Layout.centres: sizes must have one entry per vertex, shape "
                f"{self.layer.shape}, got {size.shape}"
            )
        return _cross_coordinates(self.layer, self.rank, self.segments, size, float(gap))


def layout(nodes, edges) -> Layout:
    """Lay out the graph that `nnbook.graph.trace` returned: layers, placeholders, order.

    Layers are first assigned by longest path (each operation one layer below the
    lowest of its inputs); then every node but the root moves down to one layer above
    the earliest node that uses it, which keeps edges short. An edge that skips layers
    passes through a placeholder in each layer between. Within a layer, vertices are
    ordered by barycentre sweeps, which reduce the number of crossing edges; the
    numbering of the nodes is the starting order, so the result is deterministic.

    Parameters
    ----------
    nodes : list of Node, length V
        As returned by `nnbook.graph.trace`.
    edges : list of (int, int), length E
        As returned by `nnbook.graph.trace`.

    Returns
    -------
    Layout
        The layer and rank of every node and placeholder, and each edge's chain.

    Raises
    ------
    TypeError
        If ``nodes`` is not a list of `nnbook.graph.Node`.
    ValueError
        If an edge refers to a node outside the list, or does not go from an earlier
        node to a later one.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.graph import layout, trace
    >>> x = nb.tensor(3.0, requires_grad=True)
    >>> nodes, edges = trace((x * x).exp(), names={"x": x})
    >>> placed = layout(nodes, edges)
    >>> [[nodes[i].label for i in row] for row in placed.rows()]
    [['x'], ['mul'], ['exp']]
    """
    arr = _check_graph(nodes, edges)
    vlayer, seg, chains = _split_long_edges(_layers(len(nodes), arr), arr)
    rank = _order(vlayer, seg).astype(np.int64)
    return Layout(vlayer, rank, chains, len(nodes))


def _check_graph(nodes, edges) -> np.ndarray:
    """``edges`` as an (E, 2) int array, after checking it fits ``nodes``."""
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(n, Node) for n in nodes):
        raise TypeError("layout: nodes must be the list of Node that trace returns")
    if not len(nodes):
        raise ValueError("layout: the graph has no nodes")
    arr = np.asarray(edges, dtype=np.int64).reshape(-1, 2) if len(edges) else np.zeros((0, 2), np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= len(nodes)):
        raise ValueError(f"layout: edges refer to nodes outside 0…{len(nodes) - 1}")
    if arr.size and np.any(arr[:, 0] >= arr[:, 1]):
        raise ValueError(
            "layout: every edge must go from an earlier node to a later one, "
            "as trace returns them"
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
    """Insert a placeholder vertex wherever an edge skips a layer.

    Returns the layer of every vertex (the nodes first, then the placeholders), the
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
    """For each vertex in ``members`` (sorted), the mean ``pos`` of the vertices it is paired with.

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
    """Centre of every vertex across the layers (see `Layout.centres`).

    For a layer in order, centres ``c = offset + z`` with ``z`` non-decreasing keep the
    order and the gaps, and the ``z`` nearest to the wanted centres is an isotonic
    regression.
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
    if len(seg):
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
