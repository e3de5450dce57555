"""The graph a `Tensor` recorded, read as data: its nodes and its edges.

Every tensor made by a recorded operation keeps its parents (``.parents``) and the
name of the operation (``.op``). `trace` walks them from a result back to the leaves
with the engine's own walk, `nnbook.autodiff.topological_order`, told to follow every
parent (``backward`` follows only those that take a gradient), so what it lists is
exactly what the engine recorded.

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from nnbook.autodiff import Tensor, topological_order

__all__ = ["Node", "trace"]


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
    >>> sorted((n.kind, n.label, n.shape) for n in nodes)
    [('constant', '2', ()), ('leaf', 'w', (2,)), ('op', 'mul', (2,)), ('op', 'sum', ())]
    >>> [(n.label, n.detail, n.nbytes) for n in nodes if n.kind == "leaf"]
    [('w', '(2,)', 16)]
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
        """What a drawing writes first: the name, the operation, or the constant's value."""
        if self.kind == "op":
            return f"{self.name} = {self.op}" if self.name else self.op
        if self.name:
            return self.name
        if self.value is not None:
            return f"{self.value:g}"
        return "leaf" if self.kind == "leaf" else "const"

    @property
    def detail(self) -> str:
        """What a drawing writes second: the shape, e.g. ``"(4, 3)"``."""
        return str(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes in the tensor's array, ``prod(shape) * itemsize``."""
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize


def _check_root(root) -> None:
    if not isinstance(root, Tensor):
        hint = " (wrap it with nb.tensor(...))" if isinstance(root, np.ndarray) else ""
        raise TypeError(
            f"trace: expected an nnbook Tensor, got {type(root).__module__}."
            f"{type(root).__name__}{hint}"
        )


def _named_ids(names) -> dict[int, str]:
    """``names`` (name → Tensor, or (name, Tensor) pairs) as id(tensor) → name."""
    if names is None:
        return {}
    pairs = names.items() if isinstance(names, Mapping) else names
    if not isinstance(pairs, Iterable) or isinstance(pairs, (str, bytes)):
        raise TypeError(
            f"trace: names must map names to tensors, e.g. {{'W1': W1}}, "
            f"got {type(names).__name__}"
        )
    by_id: dict[int, str] = {}
    for pair in pairs:
        try:
            name, t = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"trace: names must map names to tensors, e.g. {{'W1': W1}}, "
                f"got an entry {pair!r}"
            ) from None
        if not isinstance(name, str):
            raise TypeError(f"trace: a name must be a str, got {type(name).__name__} {name!r}")
        if not isinstance(t, Tensor):
            raise TypeError(
                f"trace: names[{name!r}] must be an nnbook Tensor, got {type(t).__name__}"
            )
        by_id[id(t)] = name
    return by_id


def trace(root: Tensor, names=None) -> tuple[list[Node], list[tuple[int, int]]]:
    """The nodes and edges of the graph that computed ``root``.

    The nodes are the tensors that `nnbook.autodiff.topological_order` reaches from
    ``root`` when it follows every parent: the walk ``backward`` uses, without its
    restriction to tensors that take a gradient, so constants that an operation read
    (data, targets, a number such as ``0.5``) are nodes too. The walk is iterative, so
    a graph of any depth can be traced.

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
        Every tensor of the graph, each after all of its parents, in the walk's order;
        ``nodes[-1]`` is ``root`` and ``nodes[i].index == i``.
    edges : list of (int, int), length E
        ``(parent, child)`` index pairs, one per argument of an operation: an
        operation that uses a tensor twice (``x * x``) gives two equal edges. The
        edges are grouped by child, in the order of ``nodes``, and the edges into one
        child follow the order of the operation's arguments.

    Raises
    ------
    TypeError
        If ``root`` is not a Tensor, or ``names`` is not a mapping of str to Tensor.
    ValueError
        If a named tensor is not part of the graph.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.graph import trace
    >>> W = nb.tensor([[1.0, 2.0]], requires_grad=True)
    >>> nodes, edges = trace((W * 0.5).sum(), names={"W": W})
    >>> [(n.kind, n.label) for n in nodes[-2:]]
    [('op', 'mul'), ('op', 'sum')]
    >>> [(nodes[p].label, nodes[c].label) for p, c in edges]
    [('W', 'mul'), ('0.5', 'mul'), ('mul', 'sum')]
    """
    _check_root(root)
    named = _named_ids(names)
    # Every parent, constants included: backward's walk without its requires_grad filter.
    order = topological_order(root, through=lambda parent: True)
    index = {id(t): i for i, t in enumerate(order)}

    missing = sorted(name for key, name in named.items() if key not in index)
    if missing:
        raise ValueError(
            f"trace: {', '.join(repr(m) for m in missing)} named but not part of the graph "
            f"of this tensor (was it computed under no_grad, or from a copy?)"
        )

    nodes = []
    for i, t in enumerate(order):
        if t.parents:
            kind = "op"
        else:
            kind = "leaf" if t.requires_grad else "constant"
        value = float(t.data.reshape(-1)[0]) if kind == "constant" and t.data.size == 1 else None
        nodes.append(
            Node(i, kind, t.op if kind == "op" else "", named.get(id(t), ""),
                 tuple(t.shape), str(t.dtype), value)
        )
    edges = [(index[id(p)], index[id(t)]) for t in order for p in t.parents]
    return nodes, edges
