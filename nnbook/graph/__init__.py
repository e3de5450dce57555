"""The computation graph that a `Tensor` has recorded: traced, laid out, drawn.

Three jobs, one module each, every one feeding the next:

* extraction, `nnbook.graph.tracing`: `trace` lists the graph's nodes (parents before
  children) and its edges, with the engine's own walk
  (`nnbook.autodiff.topological_order`), so what it lists is what ``backward`` sees;
* layout, `nnbook.graph.layered`: `layout` places the nodes in layers, every edge
  pointing from a lower layer to a higher one, and orders each layer so that few edges
  cross (the layered method of Sugiyama, Tagawa and Toda, 1981);
* drawing, `nnbook.graph.drawing`: `to_svg` draws the laid-out graph as an SVG image,
  in colours for a light or a dark page; `to_dot` writes the traced graph in the DOT
  language, for Graphviz.

Only numpy is used; no external program or service is involved.

Examples
--------
>>> import nnbook as nb
>>> from nnbook.graph import layout, to_svg, trace
>>> x = nb.tensor(3.0, requires_grad=True)
>>> nodes, edges = trace(x * x + x, names={"x": x})
>>> [node.label for node in nodes], edges
(['x', 'mul', 'add'], [(0, 1), (0, 1), (1, 2), (0, 2)])
>>> [[nodes[i].label for i in row] for row in layout(nodes, edges).rows()]
[['x'], ['mul'], ['add']]
>>> to_svg(x * x + x).count('class="node')
3
"""

from nnbook.graph.tracing import Node, trace
from nnbook.graph.layered import Layout, layout
from nnbook.graph.drawing import to_dot, to_svg

__all__ = ["Node", "trace", "Layout", "layout", "to_svg", "to_dot"]
