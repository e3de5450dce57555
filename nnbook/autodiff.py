"""Reverse-mode automatic differentiation: the `Tensor` and its computation graph.

A `Tensor` wraps a numpy array. Every differentiable operation on tensors (the
primitives of `nnbook.functional`) returns a new tensor that remembers its *parents*
and a *vector–Jacobian product* (VJP): a function that takes the gradient of the final
scalar with respect to the output and returns the gradient with respect to each parent.
`Tensor.backward` visits the graph once, in reverse topological order, and applies
those VJPs.

The Tensor's whole surface is in its class body below: the operators and the numpy-like
methods each call one function of `nnbook.functional`, where the op's forward pass and
VJP are written down.

Three rules keep the engine honest:

* a gradient that flows into a broadcast input is summed back to that input's shape,
  in exactly one place (`unbroadcast`);
* only leaves (tensors made by the user with ``requires_grad=True``) keep a ``.grad``,
  and it accumulates across calls to ``backward`` until it is zeroed; the gradients of
  intermediate nodes live only for the duration of one ``backward`` call, so a second
  call never counts a path twice;
* the graph is walked with an explicit stack, so a chain of a hundred thousand
  operations (an RNN unrolled over a long sequence) does not hit Python's recursion
  limit.
"""

from __future__ import annotations

import sys
from typing import Callable, Sequence

import numpy as np

__all__ = [
    "Tensor", "tensor", "as_tensor", "no_grad", "is_grad_enabled", "unbroadcast", "topological_order",
    "IndexedGradient",
]

_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether new operations are being recorded in the graph (see `no_grad`).

    Examples
    --------
    >>> import nnbook as nb
    >>> with nb.no_grad():
    ...     print(nb.is_grad_enabled())
    False
    >>> nb.is_grad_enabled()
    True
    """
    return _grad_enabled


class no_grad:
    """Context manager (or decorator) inside which operations record no graph.

    Use it for evaluation and for parameter updates: the results have
    ``requires_grad=False`` and hold no references to their inputs.

    Examples
    --------
    >>> import nnbook as nb
    >>> w = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> with nb.no_grad():
    ...     y = w * 3
    >>> y.requires_grad
    False
    """

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, fn: Callable) -> Callable:
        def wrapped(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        wrapped.__name__ = fn.__name__
        wrapped.__doc__ = fn.__doc__
        return wrapped


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, to ``shape``.

    If ``x`` of shape ``shape`` was broadcast to ``grad.shape`` in the forward pass,
    each entry of ``x`` was used once for every position it was copied to, so its
    gradient is the sum of the gradients at those positions. The result is always an
    ndarray (0-d for ``shape == ()``), never a numpy scalar.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import unbroadcast
    >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.asarray(grad).reshape(shape)


def _as_float_array(data, dtype=None) -> np.ndarray:
    """The array a new tensor holds: floats keep their dtype, everything else is float64."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        arr = np.asarray(data, dtype=dtype)
    except (ValueError, TypeError) as err:
        raise TypeError(
            f"tensor: expected a number, a nested list of equal-length rows or an ndarray "
            f"of real numbers; numpy could not make an array of it ({err})"
        ) from None
    if dtype is not None:
        if arr.dtype.kind != "f":
            raise TypeError(f"tensor: dtype must be a floating type, got {arr.dtype}")
        return arr
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(
        f"tensor: expected real numbers (a number, a nested list or an ndarray), "
        f"got data of dtype {arr.dtype}"
    )


class Tensor:
    """An n-dimensional array that can record how it was computed.

    Parameters
    ----------
    data : array_like
        The values. Floating dtypes are kept (float32 stays float32); integers and
        booleans become float64.
    requires_grad : bool
        Whether ``backward`` should compute a gradient for this tensor. A tensor with
        ``requires_grad=True`` that was made by the user (not by an operation) is a
        *leaf*: its ``.grad`` accumulates across ``backward`` calls.
    dtype : numpy dtype, optional
        A floating dtype to store the values in. By default float input keeps its
        dtype and everything else becomes float64.

    Attributes
    ----------
    data : numpy.ndarray
        The values; always an ndarray, 0-d for a scalar.
    grad : numpy.ndarray or None
        The sum of the gradients delivered by every ``backward`` call since ``grad``
        was last set to ``None``, with the shape and dtype of ``data``; ``None`` until
        a backward pass reaches this leaf, and always ``None`` on a non-leaf.
    parents : tuple of Tensor
        The inputs of the operation that made this tensor, if it is recorded in a graph;
        empty for a leaf.
    vjp : callable or None
        That operation's vector–Jacobian product: the gradient with respect to this
        tensor in, one gradient per parent out; None for a leaf.
    op : str
        The operation's name (``"mul"``, ``"sum"`` …); empty for a leaf.

    Examples
    --------
    >>> import nnbook as nb
    >>> x = nb.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.]])
    >>> y.op, [p.op for p in y.parents]
    ('sum', ['mul'])
    """

    __slots__ = ("data", "grad", "requires_grad", "parents", "vjp", "op", "__weakref__")
    # ndarray (op) Tensor must call the Tensor's reflected method, not broadcast
    # the tensor as an object array.
    __array_ufunc__ = None
    # == is elementwise (below), so equality cannot serve hashing: a Tensor hashes by
    # identity, as PyTorch's does, and can be a dict key or a set member.
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _as_float_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.parents: tuple[Tensor, ...] = ()
        self.vjp = None
        self.op = ""

    # --8<-- [start:from_op]
    @staticmethod
    def from_op(data, parents: Sequence[Tensor], vjp, op: str) -> Tensor:
        """A primitive's output; it keeps its parents and VJP if a gradient can flow."""
        out = Tensor.__new__(Tensor)
        out.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        out.grad = None
        out.op = op
        if _grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out.parents = tuple(parents)
            out.vjp = vjp
        else:
            out.requires_grad = False
            out.parents = ()
            out.vjp = None
        return out
    # --8<-- [end:from_op]

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self.vjp is None

    # -- array-like properties ------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes of ``data``."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of entries of ``data``."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The dtype of ``data``."""
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a tensor with one element can be converted to a number, "
                f"this one has shape {self.shape}"
            )
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def detach(self) -> Tensor:
        """A tensor with the same data that is cut from the graph."""
        return Tensor(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- operators: each records one primitive of nnbook.functional ----------------

    def __add__(self, other): return F.add(self, other)
    def __radd__(self, other): return F.add(other, self)
    def __sub__(self, other): return F.sub(self, other)
    def __rsub__(self, other): return F.sub(other, self)
    def __mul__(self, other): return F.mul(self, other)
    def __rmul__(self, other): return F.mul(other, self)
    def __truediv__(self, other): return F.div(self, other)
    def __rtruediv__(self, other): return F.div(other, self)
    def __pow__(self, other): return F.power(self, other)
    def __rpow__(self, other): return F.power(other, self)
    def __matmul__(self, other): return F.matmul(self, other)
    def __rmatmul__(self, other): return F.matmul(other, self)
    def __neg__(self): return F.neg(self)
    def __getitem__(self, index): return F.getitem(self, index)

    # -- comparisons: elementwise, a boolean tensor that is not recorded -------------

    def _compare(self, other, compare) -> Tensor:
        other = other.data if isinstance(other, Tensor) else other
        return Tensor.from_op(compare(self.data, other), (), None, "")

    def __eq__(self, other): return self._compare(other, np.equal)
    def __ne__(self, other): return self._compare(other, np.not_equal)
    def __lt__(self, other): return self._compare(other, np.less)
    def __le__(self, other): return self._compare(other, np.less_equal)
    def __gt__(self, other): return self._compare(other, np.greater)
    def __ge__(self, other): return self._compare(other, np.greater_equal)

    # -- methods with numpy's signatures: each is the nnbook.functional op of its name

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed (`nnbook.functional.transpose`)."""
        return F.transpose(self)

    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        """`nnbook.functional.sum` of this tensor."""
        return F.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        """`nnbook.functional.mean` of this tensor."""
        return F.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        """`nnbook.functional.max` of this tensor: a Tensor of the largest values."""
        return F.max(self, axis, keepdims)

    def reshape(self, *shape) -> Tensor:
        """`nnbook.functional.reshape` of this tensor."""
        return F.reshape(self, *shape)

    def transpose(self, *axes) -> Tensor:
        """`nnbook.functional.transpose` of this tensor."""
        return F.transpose(self, *axes)

    def exp(self) -> Tensor:
        """`nnbook.functional.exp` of this tensor."""
        return F.exp(self)

    def log(self) -> Tensor:
        """`nnbook.functional.log` of this tensor."""
        return F.log(self)

    def tanh(self) -> Tensor:
        """`nnbook.functional.tanh` of this tensor."""
        return F.tanh(self)

    def sigmoid(self) -> Tensor:
        """`nnbook.functional.sigmoid` of this tensor."""
        return F.sigmoid(self)

    def relu(self) -> Tensor:
        """`nnbook.functional.relu` of this tensor."""
        return F.relu(self)

    def abs(self) -> Tensor:
        """`nnbook.functional.abs` of this tensor."""
        return F.abs(self)

    # -- reverse mode -------------------------------------------------------------

    # --8<-- [start:backward]
    def backward(self, grad=None) -> None:
        """Accumulate into every leaf's ``.grad`` the gradient of this tensor.

        Parameters
        ----------
        grad : array_like, optional
            The gradient of some scalar with respect to this tensor, of this tensor's
            shape. May be omitted only when this tensor holds a single value (then it
            is 1: the derivative of the scalar with respect to itself).

        Raises
        ------
        RuntimeError
            If this tensor does not require grad (nothing it depends on does).
        ValueError
            If this tensor holds more than one value and no ``grad`` is given, or if
            ``grad`` does not have this tensor's shape.

        Examples
        --------
        >>> import numpy as np, nnbook as nb
        >>> x = nb.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * x
        >>> y.backward(np.array([1.0, 10.0]))   # the gradient of y[0] + 10 y[1]
        >>> x.grad
        array([ 2., 40.])
        """
        grads = {id(self): self._seed_gradient(grad)}
        owned: set[int] = set()  # entries of grads this call allocated: safe to add to in place
        for node in reversed(topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.vjp is None:  # a leaf: the one place gradients are kept
                if node.grad is not None:
                    node.grad = np.asarray(node.grad + g)
                else:
                    node.grad = g if id(node) in owned or _unshared(g) else g.copy()
                continue
            for parent, pg in zip(node.parents, node.vjp(g)):
                if pg is not None and parent.requires_grad:
                    _accumulate(grads, owned, parent, pg)
    # --8<-- [end:backward]

    def _seed_gradient(self, grad) -> np.ndarray:
        """The gradient ``backward`` starts from, checked against this tensor."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad; create the inputs with "
                "requires_grad=True (and not under no_grad) to differentiate it"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward(): a tensor of shape {self.shape} is not a scalar; pass the "
                    f"gradient with respect to it, e.g. y.backward(np.ones({self.shape})), "
                    f"or reduce it first, e.g. y.sum().backward()"
                )
            return np.ones_like(self.data)
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
        if grad.shape != self.shape:
            raise ValueError(
                f"backward(): gradient of shape {grad.shape} given for a tensor of "
                f"shape {self.shape}; they must match"
            )
        return grad


class IndexedGradient:
    """A gradient that is zero except at ``index``, where it holds ``values``.

    What indexing sends back: ``x[index]`` reads a few entries of ``x``, so its VJP has
    nothing to say about the rest. The engine adds ``values`` into ``x``'s gradient at
    ``index`` instead of building a mostly-zero array of ``x``'s shape for every read —
    which would make a loop that reads one step of a sequence at a time quadratic.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.autodiff import IndexedGradient
    >>> total = np.zeros(4)
    >>> IndexedGradient([0, 0, 2], np.array([1.0, 1.0, 5.0])).add_to(total)
    >>> print(total)
    [2. 0. 5. 0.]
    """

    __slots__ = ("index", "values", "_basic")

    def __init__(self, index, values):
        self.index, self.values = index, values
        parts = index if isinstance(index, tuple) else (index,)
        # ints, slices, None and ... never pick an entry twice: a plain += is exact
        self._basic = all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
                          for i in parts)

    def add_to(self, total: np.ndarray) -> None:
        """Add the values into ``total`` at the index (repeated entries summed), in place."""
        if self._basic:
            total[self.index] += self.values
        else:
            np.add.at(total, self.index, self.values)


def _unshared(g: np.ndarray) -> bool:
    """Whether nothing but the backward pass holds ``g``, so a leaf may keep it uncopied.

    PyTorch's gradient accumulation makes the same test (a reference count of one) to
    avoid a copy; a view, a read-only broadcast or an array also held elsewhere is copied.
    """
    # the references: backward's local g, this function's argument, getrefcount's own
    return g.base is None and g.flags.writeable and sys.getrefcount(g) <= 3


# --8<-- [start:accumulate]
def _accumulate(grads: dict, owned: set, parent: Tensor, pg) -> None:
    """Add one edge's share ``pg`` of the gradient into ``parent``'s: the sum over its uses."""
    key = id(parent)
    if isinstance(pg, IndexedGradient):
        if key not in owned:
            total = grads.get(key)
            grads[key] = (np.zeros(parent.shape, dtype=parent.dtype) if total is None
                          else np.array(total, dtype=parent.dtype))
            owned.add(key)
        pg.add_to(grads[key])
        return
    pg = unbroadcast(np.asarray(pg, dtype=parent.dtype), parent.shape)
    if key not in grads:
        grads[key] = pg
    elif key in owned:
        grads[key] += pg
    else:
        grads[key] = np.asarray(grads[key] + pg)  # asarray: two 0-d arrays add to a scalar
        owned.add(key)
# --8<-- [end:accumulate]


def _requires_grad(t: Tensor) -> bool:
    return t.requires_grad


# --8<-- [start:topological_order]
def topological_order(root: Tensor, through: Callable | None = None) -> list[Tensor]:
    """The nodes of ``root``'s graph, each after its parents; an explicit stack, no recursion.

    Parameters
    ----------
    root : Tensor
        Where the walk starts; it comes last.
    through : callable, optional
        Which parents the walk follows. The default follows those that require grad,
        which is what `Tensor.backward` needs; ``lambda t: True`` follows all of them,
        which is what drawing the whole graph needs.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.autodiff import topological_order
    >>> x = nb.tensor(2.0, requires_grad=True)
    >>> y = (x * x).exp()
    >>> [t.op or "leaf" for t in topological_order(y)]
    ['leaf', 'mul', 'exp']
    """
    follow = _requires_grad if through is None else through
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if id(parent) not in seen and follow(parent):
                stack.append((parent, False))
    return order
# --8<-- [end:topological_order]


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a tensor from a number, a nested list or an array (see `Tensor`).

    Examples
    --------
    >>> import nnbook as nb
    >>> nb.tensor([1, 2, 3]).dtype
    dtype('float64')
    >>> nb.tensor([1.0], dtype="float32").dtype
    dtype('float32')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(x) -> Tensor:
    """``x`` itself if it is a `Tensor`, otherwise a constant tensor holding it.

    Examples
    --------
    >>> import nnbook as nb
    >>> t = nb.tensor([1.0], requires_grad=True)
    >>> nb.as_tensor(t) is t
    True
    >>> nb.as_tensor([1, 2])
    tensor([1., 2.])
    """
    return x if isinstance(x, Tensor) else Tensor(x)


# The ops the Tensor's methods call. Imported last: they are built on the Tensor above.
from nnbook import functional as F  # noqa: E402
