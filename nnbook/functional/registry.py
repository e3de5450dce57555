r"""The table of primitives, and the few helpers every primitive uses.

A *primitive* is a function of tensors that computes its output with numpy and hands
`Tensor.from_op` a closure ``vjp``: given $\bar v$, the gradient of a scalar with
respect to the output $v$, it returns one gradient per input — $\bar v$ times the op's
Jacobian, computed without ever building the Jacobian (a *vector–Jacobian product*).
Every differentiable computation in nnbook is a composition of primitives.

`PRIMITIVES` maps each primitive's name to its function; the `primitive` decorator
fills it, and the test suite iterates it, so an op is checked every way as soon as it
is registered.

Examples
--------
>>> from nnbook import functional as F
>>> F.PRIMITIVES["mul"] is F.mul
True
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from nnbook.autodiff import Tensor, as_tensor

__all__ = ["PRIMITIVES", "primitive", "operands", "broadcasting", "normalize_axes", "normalize_axis"]

PRIMITIVES: dict[str, Callable] = {}


def primitive(fn: Callable) -> Callable:
    """Register ``fn`` in `PRIMITIVES` under its name, and return it unchanged.

    Raises
    ------
    ValueError
        If a primitive of that name is already registered: two ops under one name would
        leave one of them untested.

    Examples
    --------
    >>> from nnbook import Tensor, as_tensor
    >>> from nnbook.functional.registry import PRIMITIVES, primitive
    >>> @primitive
    ... def double(x):
    ...     x = as_tensor(x)
    ...     return Tensor.from_op(2 * x.data, (x,), lambda g: (2 * g,), "double")
    >>> PRIMITIVES["double"] is double
    True
    >>> del PRIMITIVES["double"]  # keep the table to the library's own ops
    """
    name = fn.__name__
    if name in PRIMITIVES:
        raise ValueError(
            f"primitive: an op named {name!r} is already registered "
            f"({PRIMITIVES[name].__module__}.{name}); give the new op another name"
        )
    PRIMITIVES[name] = fn
    return fn


def _is_python_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.generic))


def operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as tensors; a Python number takes the other's dtype.

    So ``x32 * 2.0`` stays float32, as in PyTorch; an ndarray or list becomes a constant
    tensor of its own dtype (integers and booleans as float64).

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook.functional.registry import operands
    >>> a, b = operands(nb.tensor([1.0], dtype="float32"), 2.0)
    >>> print(b.dtype)
    float32
    """
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a, b
    if isinstance(a, Tensor) and _is_python_number(b):
        return a, Tensor(np.asarray(b, dtype=a.dtype))
    if isinstance(b, Tensor) and _is_python_number(a):
        return Tensor(np.asarray(a, dtype=b.dtype)), b
    return as_tensor(a), as_tensor(b)


def broadcasting(op: str, fn: Callable, *tensors: Tensor) -> np.ndarray:
    """``fn`` applied to the tensors' data; a broadcasting failure names the op and the shapes.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook.functional.registry import broadcasting
    >>> broadcasting("add", np.add, nb.tensor(np.ones(2)), nb.tensor(np.ones(3)))
    Traceback (most recent call last):
    ValueError: add: shapes (2,) and (3,) cannot be broadcast together
    """
    try:
        return fn(*(t.data for t in tensors))
    except ValueError:
        listed = " and ".join(str(t.shape) for t in tensors)
        raise ValueError(f"{op}: shapes {listed} cannot be broadcast together") from None


def normalize_axis(op: str, axis, ndim: int) -> int:
    """One axis as a non-negative int, or a ValueError naming the op, the axis and ``ndim``.

    Examples
    --------
    >>> from nnbook.functional.registry import normalize_axis
    >>> normalize_axis("softmax", -1, 3)
    2
    >>> normalize_axis("softmax", 3, 3)
    Traceback (most recent call last):
    ValueError: softmax: axis 3 is out of range for a tensor with 3 dimensions
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor with {ndim} dimensions")
    return int(axis) % ndim


def normalize_axes(op: str, axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of distinct non-negative axes.

    Examples
    --------
    >>> from nnbook.functional.registry import normalize_axes
    >>> normalize_axes("sum", None, 3), normalize_axes("sum", (-1, 0), 3)
    ((0, 1, 2), (0, 2))
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    normal = sorted(normalize_axis(op, a, ndim) for a in axes)
    if len(set(normal)) != len(normal):
        raise ValueError(f"{op}: axis {axis} names an axis twice")
    return tuple(normal)
