"""A traced graph drawn: as an SVG image, or as text in Graphviz's DOT language.

`to_svg` traces the graph (`nnbook.graph.trace`), lays it out (`nnbook.graph.layout`:
layers, placeholders on long edges, an order with few crossings), gives every box the
size of its label, and writes the picture; only numpy is used, no external program or
service. `to_dot` writes the traced graph for Graphviz, which lays it out itself.

Examples
--------
>>> import nnbook as nb
>>> from nnbook.graph import to_svg
>>> x = nb.tensor(3.0, requires_grad=True)
>>> svg = to_svg(x * x + x, names={"x": x}, legend=False)
>>> svg.startswith("<svg"), svg.count('class="edge"')
(True, 4)
"""

from __future__ import annotations

import html

import numpy as np

from nnbook.autodiff import Tensor
from nnbook.graph.layered import layout
from nnbook.graph.tracing import trace

__all__ = ["to_svg", "to_dot"]

MAX_DRAWN_NODES = 2000

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
    runs against them. The boxes stand where `layout` puts them: one row (or column)
    per layer, in the order that keeps crossings few, each edge routed through the
    placeholders of the layers it skips.

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
        As `trace` (the messages start with ``trace:``); and for an unknown ``theme`` or ``direction``, a ``scale`` that is
        not a positive finite number, or a graph too large to draw legibly (more than
        2000 nodes).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.graph import to_svg
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
    nodes, edges = trace(root, names)
    if len(nodes) > MAX_DRAWN_NODES:
        raise ValueError(
            f"to_svg: the graph has {len(nodes)} nodes; a drawing is legible only for small "
            f"graphs (at most {MAX_DRAWN_NODES}); use trace() to inspect a large one"
        )
    colours = THEMES[theme]
    placed = layout(nodes, edges)
    vlayer, chains = placed.layer, placed.chains
    n, nv = len(nodes), len(vlayer)
    tb = direction == "TB"

    # "across" is the axis along which one layer's nodes sit side by side, "along"
    # the axis from layer to layer.
    widths = np.full(nv, DUMMY_SIZE)
    widths[:n] = [max(len(nd.label), len(nd.detail)) * CHAR_WIDTH + 2 * PAD_X for nd in nodes]
    heights = np.full(nv, DUMMY_SIZE)
    heights[:n] = NODE_HEIGHT
    across_size, along_size = (widths, heights) if tb else (heights, widths)
    across = placed.centres(across_size, GAP_ACROSS)
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
    >>> from nnbook.graph import to_dot
    >>> x = nb.tensor(2.0, requires_grad=True)
    >>> print(to_dot(x * 3.0, names={"x": x}))
    digraph {
      rankdir=TB;
      node [shape=box, style="rounded,filled", fontname="monospace",
            fillcolor="#e7eefb"];
      n0 [label="3\n()", fillcolor="#f0f1f3", style="rounded,filled,dashed"];
      n1 [label="x\n()", fillcolor="#fde7c8"];
      n2 [label="mul\n()", penwidth=2.5];
      n1 -> n2;
      n0 -> n2;
    }
    """
    _check_options("to_dot", "light", direction)
    nodes, edges = trace(root, names)
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
