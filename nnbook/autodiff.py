"""Reverse-mode automatic differentiation: the `Tensor` and its computation graph.

A `Tensor` wraps a numpy array. Every differentiable operation on tensors (the
primitives in `nnbook.functional.primitives`) returns a new tensor that remembers its
*parents* and a *vector–Jacobian product* (VJP): a function that takes the gradient of
the final scalar with respect to the output and returns the gradient with respect to
each parent. `Tensor.backward` visits the graph once, in reverse topological order,
and applies those VJPs.

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

import numbers
from typing import Callable, Sequence

import numpy as np

__all__ = ["Tensor", "tensor", "as_tensor", "no_grad", "is_grad_enabled", "unbroadcast"]

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
    gradient is the sum of the gradients at those positions.

    Examples
    --------
    >>> import numpy as np
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
    return grad.reshape(shape)


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
        The values.
    grad : numpy.ndarray or None
        The sum of the gradients delivered by every ``backward`` call since ``grad``
        was last set to ``None``, with the shape and dtype of ``data``; ``None`` until
        a backward pass reaches this leaf, and always ``None`` on a non-leaf.

    Examples
    --------
    >>> import nnbook as nb
    >>> x = nb.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.]])
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_vjp", "_op", "__weakref__")
    # ndarray (op) Tensor must call the Tensor's reflected method, not broadcast
    # the tensor as an object array.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _as_float_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._vjp = None
        self._op = ""

    # -- construction by operations -------------------------------------------------

    @classmethod
    def _from_op(
        cls, data: np.ndarray, parents: Sequence[Tensor], vjp, op: str
    ) -> Tensor:
        """A primitive's output; keeps parents and VJP if a gradient can flow."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out._op = op
        if _grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents = tuple(parents)
            out._vjp = vjp
        else:
            out.requires_grad = False
            out._parents = ()
            out._vjp = None
        return out

    @classmethod
    def _constant(cls, data) -> "Tensor":
        """A tensor holding ``data`` as it is (any dtype, e.g. a boolean mask), without grad."""
        return cls._from_op(np.asarray(data), (), None, "constant")

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self._vjp is None

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
        if self.data.dtype != np.float64 or self.data.dtype.kind != "f":
            extras.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- reverse mode -------------------------------------------------------------

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
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward(): gradient of shape {grad.shape} given for a tensor of "
                    f"shape {self.shape}; they must match"
                )

        grads = {id(self): grad}
        for node in reversed(_topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._vjp is None:  # a leaf: the one place gradients are kept
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            for parent, pg in zip(node._parents, node._vjp(g)):
                if pg is None or not parent.requires_grad:
                    continue
                pg = unbroadcast(np.asarray(pg, dtype=parent.dtype), parent.shape)
                key = id(parent)
                grads[key] = pg if key not in grads else grads[key] + pg

    # Operators and methods are attached by nnbook.functional.primitives, next to the
    # primitives they call, so that each op is written down in one place.


def _topological_order(root: Tensor) -> list[Tensor]:
    """The nodes needing a gradient, each after its parents; no recursion."""
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
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in seen:
                stack.append((parent, False))
    return order


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


def _is_python_scalar(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.generic))
