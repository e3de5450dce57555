r"""The primitive operations: each forward pass next to its vector–Jacobian product.

Every differentiable computation in nnbook is built from the functions in this file.
Each one computes its output with numpy and hands `Tensor._from_op` a closure ``vjp``
that maps ``g``, the gradient of a scalar with respect to the output, to the gradients
with respect to each input: ``g`` times the Jacobian of the op, computed without ever
building that Jacobian. A VJP may return a gradient in the broadcast shape of the
output; the engine sums it back to each input's shape (`unbroadcast`).

In the docstrings below, $v$ is an op's output and $\bar v$ the gradient arriving at it
(the closure's ``g``, shaped like $v$); $\bar a$ is what the VJP sends to an input $a$,
and $\odot$ is the elementwise product.

`PRIMITIVES` is the registry: a dict from each op's name to its function, filled by the
`primitive` decorator. The test suite iterates it: an op is gradient-checked,
dtype-checked and shape-checked as soon as it is registered.

Examples
--------
>>> import nnbook.functional as F
>>> F.PRIMITIVES["mul"] is F.mul
True
>>> {"add", "matmul", "softmax", "getitem"} <= set(F.PRIMITIVES)
True
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnbook.autodiff import Tensor, _is_python_scalar, as_tensor

PRIMITIVES: dict[str, Callable] = {}


def primitive(fn: Callable) -> Callable:
    """Register ``fn`` in `PRIMITIVES` under its name, and return it unchanged.

    Parameters
    ----------
    fn : callable
        A function of tensors returning a Tensor made by `Tensor._from_op`.

    Returns
    -------
    callable
        ``fn`` itself.

    Examples
    --------
    >>> from nnbook.autodiff import Tensor, as_tensor
    >>> from nnbook.functional.primitives import PRIMITIVES, primitive
    >>> @primitive
    ... def double(x):
    ...     x = as_tensor(x)
    ...     return Tensor._from_op(2 * x.data, (x,), lambda g: (2 * g,), "double")
    >>> PRIMITIVES["double"] is double
    True
    >>> del PRIMITIVES["double"]  # keep the registry to the library's own ops
    """
    PRIMITIVES[fn.__name__] = fn
    return fn


def _pair(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors; a Python number takes the other operand's dtype."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a, b
    if isinstance(a, Tensor) and _is_python_scalar(b):
        return a, Tensor(np.asarray(b, dtype=a.dtype))
    if isinstance(b, Tensor) and _is_python_scalar(a):
        return Tensor(np.asarray(a, dtype=b.dtype)), b
    return as_tensor(a), as_tensor(b)


def _elementwise(op: str, fn, *operands: Tensor) -> np.ndarray:
    """``fn`` on the operands' data; a broadcasting failure names the op and the shapes."""
    try:
        return fn(*(t.data for t in operands))
    except ValueError:
        listed = " and ".join(str(t.shape) for t in operands)
        raise ValueError(f"{op}: shapes {listed} cannot be broadcast together") from None


def _axes(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted(int(a) % ndim for a in axes))


def _expand(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Put back the reduced axes as length-1 axes so ``g`` broadcasts over the input."""
    return g if keepdims else np.expand_dims(g, axes)


# -- arithmetic ---------------------------------------------------------------------


@primitive
def add(a, b) -> Tensor:
    r"""Elementwise sum ``a + b``, with numpy broadcasting.

    VJP: $\bar a = \bar v$, $\bar b = \bar v$, each summed back to its input's shape.

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> b = nb.tensor([[10.0], [20.0]], requires_grad=True)
    >>> F.add([1.0, 2.0, 3.0], b).sum().backward()  # (3,) + (2, 1) -> (2, 3)
    >>> print(b.grad.tolist())
    [[3.0], [3.0]]
    """
    a, b = _pair(a, b)
    return Tensor._from_op(_elementwise("add", np.add, a, b), (a, b), lambda g: (g, g), "add")


@primitive
def sub(a, b) -> Tensor:
    r"""Elementwise difference ``a - b``, with numpy broadcasting.

    VJP: $\bar a = \bar v$, $\bar b = -\bar v$, each summed back to its input's shape.

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> F.sub(5.0, x).sum().backward()
    >>> print(x.grad)
    [-1. -1.]
    """
    a, b = _pair(a, b)
    return Tensor._from_op(_elementwise("sub", np.subtract, a, b), (a, b), lambda g: (g, -g), "sub")


@primitive
def mul(a, b) -> Tensor:
    r"""Elementwise product ``a * b``, with numpy broadcasting.

    VJP: $\bar a = \bar v \odot b$ and $\bar b = \bar v \odot a$, each summed back to
    its input's shape (the Jacobian with respect to $a$ is $\operatorname{diag}(b)$).

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> a = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> F.mul(a, [[3.0], [4.0]]).sum().backward()  # (2,) * (2, 1) -> (2, 2)
    >>> print(a.grad)
    [7. 7.]
    """
    a, b = _pair(a, b)
    out = _elementwise("mul", np.multiply, a, b)

    def vjp(g):  # d(ab)/da = b and d(ab)/db = a
        return g * b.data, g * a.data

    return Tensor._from_op(out, (a, b), vjp, "mul")


@primitive
def div(a, b) -> Tensor:
    r"""Elementwise quotient ``a / b``, with numpy broadcasting.

    VJP: $\bar a = \bar v / b$ and $\bar b = -\bar v \odot a / b^2$ (computed as
    $-\bar v \odot v / b$), each summed back to its input's shape.

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> b = nb.tensor(2.0, requires_grad=True)
    >>> F.div([1.0, 3.0], b).sum().backward()  # -(1 + 3) / 2**2
    >>> print(b.grad)
    -1.0
    """
    a, b = _pair(a, b)
    out = _elementwise("div", np.divide, a, b)
    return Tensor._from_op(out, (a, b), lambda g: (g / b.data, -g * out / b.data), "div")


@primitive
def neg(a) -> Tensor:
    r"""Elementwise negation ``-a``.

    VJP: $\bar a = -\bar v$.

    Parameters
    ----------
    a : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``a``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1.0, -2.0], requires_grad=True)
    >>> F.neg(x).backward(np.array([1.0, 10.0]))
    >>> print(x.grad)
    [ -1. -10.]
    """
    a = as_tensor(a)
    return Tensor._from_op(-a.data, (a,), lambda g: (-g,), "neg")


@primitive
def power(a, b) -> Tensor:
    r"""Elementwise power ``a ** b``, with numpy broadcasting.

    VJP: $\bar a = \bar v \odot b\, a^{b-1}$ and $\bar b = \bar v \odot v \ln a$, each
    summed back to its input's shape; $\bar b$ is computed only if ``b`` requires a
    gradient, and is finite only where $a > 0$.

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> a = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> b = nb.tensor(2.0, requires_grad=True)
    >>> F.power(a, b).sum().backward()  # b̄ = 4 ln 2 + 9 ln 3
    >>> print(a.grad, round(b.grad.item(), 4))
    [2. 4. 6.] 12.6601
    """
    a, b = _pair(a, b)
    out = _elementwise("power", np.power, a, b)

    def vjp(g):
        ga = g * b.data * a.data ** (b.data - 1)
        gb = None
        if b.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * out * np.log(a.data)
        return ga, gb

    return Tensor._from_op(out, (a, b), vjp, "power")


@primitive
def matmul(a, b) -> Tensor:
    r"""Matrix product ``a @ b``, with numpy's rules for vectors and stacks of matrices.

    VJP: $\bar a = \bar v\, b^\top$ and $\bar b = a^\top \bar v$ on the last two axes; a
    1-D ``a`` acts as a row, a 1-D ``b`` as a column, and broadcast batch axes are
    summed back. Only an input that requires a gradient gets one computed.

    Parameters
    ----------
    a : Tensor or array_like
        Shape ``(..., n, k)`` or ``(k,)``.
    b : Tensor or array_like
        Shape ``(..., k, m)`` or ``(k,)``; batch axes ``...`` broadcast with ``a``'s.

    Returns
    -------
    Tensor
        Shape ``(..., n, m)``, less ``n`` if ``a`` is 1-D and ``m`` if ``b`` is.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> A = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    >>> b = nb.tensor([1.0, -1.0], requires_grad=True)
    >>> F.matmul(A, b).sum().backward()  # (3, 2) @ (2,) -> (3,); v̄ = (1, 1, 1)
    >>> print(b.grad)  # Aᵀ v̄: the column sums of A
    [ 9. 12.]
    """
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least one dimension, got shapes {a.shape} and {b.shape}"
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not fit: the last axis of the first "
            f"({a.shape[-1]}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
            f"axis of the second ({b.shape[-2 if b.ndim > 1 else 0]})"
        )
    try:
        out = a.data @ b.data
    except ValueError:
        raise ValueError(f"matmul: batch shapes of {a.shape} and {b.shape} cannot be broadcast") from None

    def vjp(g):
        if a.ndim == 1 and b.ndim == 1:  # inner product: a scalar output
            return g * b.data, g * a.data
        # Promote vectors to matrices as numpy does, use the matrix rule, drop the axis.
        A = a.data[None, :] if a.ndim == 1 else a.data
        B = b.data[:, None] if b.ndim == 1 else b.data
        G = g
        if a.ndim == 1:
            G = G[..., None, :]
        if b.ndim == 1:
            G = G[..., None]
        # An operand that needs no gradient (a constant weight, the data) costs nothing.
        ga = gb = None
        if a.requires_grad:
            ga = G @ np.swapaxes(B, -1, -2)
            ga = ga[..., 0, :] if a.ndim == 1 else ga
        if b.requires_grad:
            gb = np.swapaxes(A, -1, -2) @ G
            gb = gb[..., 0] if b.ndim == 1 else gb
        return ga, gb

    return Tensor._from_op(out, (a, b), vjp, "matmul")


# -- elementwise functions ------------------------------------------------------------


@primitive
def exp(x) -> Tensor:
    r"""Elementwise exponential $e^x$.

    VJP: $\bar x = \bar v \odot v$, from the stored output (since $(e^x)' = e^x$).

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([0.0, 1.0], requires_grad=True)
    >>> F.exp(x).sum().backward()
    >>> print(x.grad.round(4))
    [1.     2.7183]
    """
    x = as_tensor(x)
    out = np.exp(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * out,), "exp")


@primitive
def log(x) -> Tensor:
    r"""Elementwise natural logarithm $\ln x$ (``-inf`` at 0, ``nan`` below).

    VJP: $\bar x = \bar v / x$.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([0.5, 2.0], requires_grad=True)
    >>> F.log(x).sum().backward()
    >>> print(x.grad)
    [2.  0.5]
    """
    x = as_tensor(x)
    return Tensor._from_op(np.log(x.data), (x,), lambda g: (g / x.data,), "log")


@primitive
def tanh(x) -> Tensor:
    r"""Elementwise hyperbolic tangent (no overflow for any finite input).

    VJP: $\bar x = \bar v \odot (1 - v^2)$, from the stored output $v = \tanh x$.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``, values in $[-1, 1]$.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([0.0, 1.0, -1000.0], requires_grad=True)
    >>> F.tanh(x).sum().backward()
    >>> print(x.grad.round(4))
    [1.   0.42 0.  ]
    """
    x = as_tensor(x)
    out = np.tanh(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * (1 - out * out),), "tanh")


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    r"""The logistic sigmoid $1 / (1 + e^{-z})$ of a plain array, without overflow.

    It takes $e^{z} / (1 + e^{z})$ where $z < 0$, so no exponent is positive. Every
    sigmoid in nnbook uses it; it records no VJP (`sigmoid` is the one that does).

    Parameters
    ----------
    z : numpy.ndarray
        Any shape, a floating dtype.

    Returns
    -------
    numpy.ndarray
        The shape and dtype of ``z``, values in $[0, 1]$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.functional.primitives import stable_sigmoid
    >>> print(stable_sigmoid(np.array([-1000.0, 0.0, 1000.0])))
    [0.  0.5 1. ]
    """
    # 1/(1+e^{-z}) overflows e^{-z} for z << 0; there use e^{z}/(1+e^{z}) instead.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def stable_softplus(z: np.ndarray) -> np.ndarray:
    r"""The softplus $\ln(1 + e^z)$ of a plain array, without overflow.

    It computes $\max(z, 0) + \ln(1 + e^{-|z|})$: no exponent is positive. Every
    softplus in nnbook uses it; it records no VJP (`softplus` is the one that does).

    Parameters
    ----------
    z : numpy.ndarray
        Any shape, a floating dtype.

    Returns
    -------
    numpy.ndarray
        The shape and dtype of ``z``, values $\ge 0$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.functional.primitives import stable_softplus
    >>> print(stable_softplus(np.array([-1000.0, 0.0, 1000.0])).round(6).tolist())
    [0.0, 0.693147, 1000.0]
    """
    # ln(1+e^z) = max(z, 0) + ln(1 + e^{-|z|}): the exponent is never positive.
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


@primitive
def sigmoid(x) -> Tensor:
    r"""Elementwise logistic sigmoid $\sigma(x) = 1 / (1 + e^{-x})$, without overflow.

    VJP: $\bar x = \bar v \odot v (1 - v)$, from the stored output $v = \sigma(x)$.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``, values in $[0, 1]$.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    >>> F.sigmoid(x).sum().backward()
    >>> print(x.grad)
    [0.   0.25 0.  ]
    """
    x = as_tensor(x)
    out = stable_sigmoid(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid")


@primitive
def softplus(x) -> Tensor:
    r"""Elementwise softplus $\ln(1 + e^x)$, without overflow.

    VJP: $\bar x = \bar v \odot \sigma(x)$: the sigmoid is the softplus's derivative.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``, values $\ge 0$.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    >>> v = F.softplus(x)
    >>> v.sum().backward()
    >>> print(v.numpy().round(6).tolist(), x.grad)
    [0.0, 0.693147, 1000.0] [0.  0.5 1. ]
    """
    x = as_tensor(x)
    out = stable_softplus(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * stable_sigmoid(x.data),), "softplus")


@primitive
def relu(x) -> Tensor:
    r"""Elementwise rectifier $\max(x, 0)$.

    VJP: $\bar x = \bar v \odot [x > 0]$: the (sub)gradient at $x = 0$ is taken as 0.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> F.relu(x).sum().backward()
    >>> print(x.grad)
    [0. 0. 1.]
    """
    x = as_tensor(x)
    return Tensor._from_op(np.maximum(x.data, 0), (x,), lambda g: (g * (x.data > 0),), "relu")


@primitive
def abs(x) -> Tensor:  # noqa: A001 - the name a reader expects
    r"""Elementwise absolute value $|x|$.

    VJP: $\bar x = \bar v \odot \operatorname{sign}(x)$: the (sub)gradient at 0 is 0.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.

    Returns
    -------
    Tensor
        The shape of ``x``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> F.abs(x).sum().backward()
    >>> print(x.grad)
    [-1.  0.  1.]
    """
    x = as_tensor(x)
    return Tensor._from_op(np.abs(x.data), (x,), lambda g: (g * np.sign(x.data),), "abs")


@primitive
def maximum(a, b) -> Tensor:
    r"""Elementwise maximum of ``a`` and ``b``, with numpy broadcasting.

    VJP: $\bar a = \bar v \odot s$ and $\bar b = \bar v \odot (1 - s)$, each summed back
    to its input's shape; $s$ is 1 where $a > b$, 0 where $a < b$, $\tfrac12$ at a tie.

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> a = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.maximum(a, 2.0).sum().backward()
    >>> print(a.grad)
    [0.  0.5 1. ]
    """
    a, b = _pair(a, b)
    out = _elementwise("maximum", np.maximum, a, b)
    share = 0.5 * (a.data == b.data) + (a.data > b.data)
    return Tensor._from_op(out, (a, b), lambda g: (g * share, g * (1 - share)), "maximum")


def minimum(a, b) -> Tensor:
    r"""Elementwise minimum of ``a`` and ``b``, with numpy broadcasting.

    Not a primitive: $\min(a, b) = -\max(-a, -b)$, so the gradient follows `maximum`
    (all to the smaller input, half each at a tie).

    Parameters
    ----------
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> a = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.minimum(a, 2.0).sum().backward()
    >>> print(a.grad)
    [1.  0.5 0. ]
    """
    a, b = _pair(a, b)
    return neg(maximum(neg(a), neg(b)))


@primitive
def where(condition, a, b) -> Tensor:
    r"""``a`` where ``condition`` holds, ``b`` elsewhere, with numpy broadcasting.

    VJP: $\bar a = \bar v \odot c$ and $\bar b = \bar v \odot (1 - c)$, with $c$ the
    condition as 0/1, each summed back to its input's shape; ``condition`` gets none.

    Parameters
    ----------
    condition : Tensor or array_like
        Read as booleans; broadcastable with ``a`` and ``b``.
    a, b : Tensor or array_like
        Broadcastable shapes; a Python number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The broadcast shape of ``condition``, ``a`` and ``b``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    >>> F.where(x > 0, x, 0.1 * x).sum().backward()  # a leaky ReLU
    >>> print(x.grad)
    [0.1 1.  1. ]
    """
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _pair(a, b)
    out = _elementwise("where", np.where, Tensor._constant(cond), a, b)
    return Tensor._from_op(out, (a, b), lambda g: (g * cond, g * ~cond), "where")


# -- reductions ---------------------------------------------------------------------


@primitive
def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    r"""Sum over ``axis`` (all axes by default), as `numpy.sum`.

    VJP: $\bar x = \bar v$ copied along the summed axes (the Jacobian is all ones).

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    axis : None, int or tuple of int
        Axes to reduce, negative ones counting from the end; None for all.
    keepdims : bool
        Keep the reduced axes, with length 1.

    Returns
    -------
    Tensor
        ``x.shape`` without the reduced axes (length 1 if ``keepdims``).

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor(np.zeros((2, 3)), requires_grad=True)
    >>> F.sum(x, axis=0).backward(np.array([1.0, 10.0, 100.0]))  # (2, 3) -> (3,)
    >>> print(x.grad.tolist())
    [[1.0, 10.0, 100.0], [1.0, 10.0, 100.0]]
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    out = x.data.sum(axis=axes, keepdims=keepdims)

    def vjp(g):  # every entry of x counts once in its sum: it gets that sum's gradient
        return (np.broadcast_to(_expand(g, axes, keepdims), x.shape),)

    return Tensor._from_op(out, (x,), vjp, "sum")


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    r"""Mean over ``axis`` (all axes by default), as `numpy.mean`.

    Not a primitive: `sum` divided by $n$, the number of entries averaged, so the
    gradient is $\bar x = \bar v / n$ copied along the averaged axes.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    axis : None, int or tuple of int
        Axes to reduce, negative ones counting from the end; None for all.
    keepdims : bool
        Keep the reduced axes, with length 1.

    Returns
    -------
    Tensor
        ``x.shape`` without the reduced axes (length 1 if ``keepdims``).

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor(np.zeros((2, 4)), requires_grad=True)
    >>> F.mean(x, axis=1).sum().backward()  # (2, 4) -> (2,)
    >>> print(x.grad.tolist())
    [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]
    """
    x = as_tensor(x)
    count = int(np.prod([x.shape[a] for a in _axes(axis, x.ndim)]))
    return sum(x, axis, keepdims) / count


@primitive
def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    r"""Largest value over ``axis`` (all axes by default), as `numpy.max`.

    VJP: $\bar x = \bar v \odot m / k$, with $\bar v$ copied along the reduced axes, $m$
    1 at the maxima and 0 elsewhere, $k$ their number: tied maxima share equally.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    axis : None, int or tuple of int
        Axes to reduce, negative ones counting from the end; None for all.
    keepdims : bool
        Keep the reduced axes, with length 1.

    Returns
    -------
    Tensor
        ``x.shape`` without the reduced axes (length 1 if ``keepdims``).

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([[1.0, 3.0, 3.0], [0.0, 5.0, 2.0]], requires_grad=True)
    >>> F.max(x, axis=1).sum().backward()  # (2, 3) -> (2,); row 0 has a tie
    >>> print(x.grad.tolist())
    [[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]]
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    out = x.data.max(axis=axes, keepdims=True)
    winners = x.data == out
    share = winners / winners.sum(axis=axes, keepdims=True)
    result = out if keepdims else np.squeeze(out, axis=axes)
    return Tensor._from_op(result, (x,), lambda g: (_expand(g, axes, keepdims) * share,), "max")


@primitive
def logsumexp(x, axis=-1, keepdims: bool = False) -> Tensor:
    r"""$\ln \sum e^{x}$ over ``axis`` (the last by default), without overflow.

    Computed as $t + \ln \sum e^{x - t}$ with $t$ the maximum. VJP:
    $\bar x = \bar v \odot \operatorname{softmax}(x)$, $\bar v$ copied along ``axis``.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    axis : None, int or tuple of int
        Axes to reduce, negative ones counting from the end; None for all.
    keepdims : bool
        Keep the reduced axes, with length 1.

    Returns
    -------
    Tensor
        ``x.shape`` without the reduced axes (length 1 if ``keepdims``).

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1000.0, 1001.0, 1002.0], requires_grad=True)
    >>> v = F.logsumexp(x)  # (3,) -> ()
    >>> v.backward()
    >>> print(round(v.item(), 4), x.grad.round(4))
    1002.4076 [0.09   0.2447 0.6652]
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    top = x.data.max(axis=axes, keepdims=True)
    out = top + np.log(np.exp(x.data - top).sum(axis=axes, keepdims=True))
    soft = np.exp(x.data - out)
    result = out if keepdims else np.squeeze(out, axis=axes)
    return Tensor._from_op(result, (x,), lambda g: (_expand(g, axes, keepdims) * soft,), "logsumexp")


@primitive
def softmax(x, axis: int = -1) -> Tensor:
    r"""$s = e^{x} / \sum e^{x}$ along ``axis`` (the last by default), without overflow.

    The Jacobian $\operatorname{diag}(s) - s s^\top$ is never formed. VJP:
    $\bar x = s \odot (\bar v - \langle \bar v, s \rangle)$, the inner product along
    ``axis``.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    axis : int
        The axis along which the entries sum to 1; negative counts from the end.

    Returns
    -------
    Tensor
        The shape of ``x``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1000.0, 1001.0, 1002.0], requires_grad=True)
    >>> s = F.softmax(x)
    >>> s[0].backward()  # row 0 of the Jacobian: s_0 (e_0 - s)
    >>> print(s.numpy().round(4), x.grad.round(4))
    [0.09   0.2447 0.6652] [ 0.0819 -0.022  -0.0599]
    """
    x = as_tensor(x)
    z = x.data - x.data.max(axis=axis, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=axis, keepdims=True)
    return Tensor._from_op(
        s, (x,), lambda g: (s * (g - (g * s).sum(axis=axis, keepdims=True)),), "softmax"
    )


@primitive
def log_softmax(x, axis: int = -1) -> Tensor:
    r"""$x - \ln \sum e^{x}$ along ``axis`` (the last by default), without overflow.

    VJP: $\bar x = \bar v - \operatorname{softmax}(x) \sum \bar v$, the sum taken
    along ``axis``.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    axis : int
        The axis to normalise along; negative counts from the end.

    Returns
    -------
    Tensor
        The shape of ``x``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.log_softmax(x).sum().backward()  # 1 - 3 softmax(x)
    >>> print(x.grad.round(4))
    [ 0.7299  0.2658 -0.9957]
    """
    x = as_tensor(x)
    z = x.data - x.data.max(axis=axis, keepdims=True)
    out = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return Tensor._from_op(
        out, (x,), lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),), "log_softmax"
    )


# -- shape --------------------------------------------------------------------------


@primitive
def reshape(x, *shape) -> Tensor:
    r"""The same values in a new shape, as `numpy.reshape`.

    VJP: $\bar x$ is $\bar v$ reshaped back to ``x.shape``.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    *shape : int, or one tuple or list of int
        The new shape, with as many entries as ``x``; one length may be ``-1``.

    Returns
    -------
    Tensor
        Shape ``shape``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> print(F.reshape(x, 2, -1).shape, F.reshape(x, (3, 2)).shape)
    (2, 3) (3, 2)
    """
    x = as_tensor(x)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        out = x.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} into {shape}") from None
    return Tensor._from_op(out, (x,), lambda g: (g.reshape(x.shape),), "reshape")


@primitive
def transpose(x, *axes) -> Tensor:
    r"""Permute the axes, as `numpy.transpose` (reverse them if none are given).

    VJP: $\bar x$ is $\bar v$ permuted by the inverse permutation.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    *axes : int, or one tuple or list of int
        A permutation of ``range(x.ndim)``: axis ``i`` of the output is axis
        ``axes[i]`` of ``x``.

    Returns
    -------
    Tensor
        Shape ``tuple(x.shape[i] for i in axes)``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor(np.zeros((2, 3, 4)))
    >>> print(F.transpose(x, 2, 0, 1).shape, F.transpose(x).shape)
    (4, 2, 3) (4, 3, 2)
    """
    x = as_tensor(x)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if not axes:
        axes = tuple(range(x.ndim))[::-1]
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of {x.shape}")
    inverse = tuple(np.argsort(axes))
    return Tensor._from_op(
        x.data.transpose(axes), (x,), lambda g: (g.transpose(inverse),), "transpose"
    )


@primitive
def getitem(x, index) -> Tensor:
    r"""``x[index]``, with numpy's basic and advanced indexing.

    VJP: $\bar x$ is zero except at ``index``, where $\bar v$ is added (with
    `numpy.add.at`): an entry picked several times gets the sum of their gradients.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    index : int, slice, array_like of int or bool, Tensor, or a tuple of these
        Anything numpy takes as an index, ``None`` and ``...`` included.

    Returns
    -------
    Tensor
        The shape numpy gives ``x.data[index]``.

    Examples
    --------
    >>> import nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.getitem(x, [0, 0, 2]).sum().backward()  # as x[[0, 0, 2]]
    >>> print(x.grad)
    [2. 0. 1.]
    """
    x = as_tensor(x)
    if isinstance(index, Tensor):
        index = index.data
    if isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)

    def vjp(g):
        full = np.zeros_like(x.data)
        np.add.at(full, index, g)
        return (full,)

    return Tensor._from_op(x.data[index], (x,), vjp, "getitem")


@primitive
def concatenate(tensors, axis: int = 0) -> Tensor:
    r"""Join tensors along an existing axis, as `numpy.concatenate`.

    VJP: $\bar v$ is split along ``axis`` at the inputs' boundaries, one piece each.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        Equal shapes except along ``axis``.
    axis : int
        The axis to join along; negative counts from the end.

    Returns
    -------
    Tensor
        The inputs' shape, with the length along ``axis`` the sum of theirs.

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> b = nb.tensor([3.0], requires_grad=True)
    >>> F.concatenate([[1.0, 2.0], b]).backward(np.array([10.0, 20.0, 30.0]))
    >>> print(b.grad)
    [30.]
    """
    tensors = [as_tensor(t) for t in tensors]
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis)
    except ValueError as err:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate: shapes {shapes} do not fit along axis {axis}: {err}") from None
    bounds = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    return Tensor._from_op(out, tensors, lambda g: tuple(np.split(g, bounds, axis=axis)), "concatenate")


@primitive
def stack(tensors, axis: int = 0) -> Tensor:
    r"""Join same-shaped tensors along a new axis, as `numpy.stack`.

    VJP: input $k$ gets slice $k$ of $\bar v$ along ``axis``.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        ``K`` tensors of one shape.
    axis : int
        Where the new axis goes in the output; negative counts from the output's end.

    Returns
    -------
    Tensor
        The inputs' shape with an axis of length ``K`` inserted at ``axis``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> b = nb.tensor([3.0, 4.0], requires_grad=True)
    >>> v = F.stack([[1.0, 2.0], b], axis=1)  # two (2,) -> (2, 2)
    >>> v.backward(np.array([[1.0, 10.0], [2.0, 20.0]]))
    >>> print(b.grad)  # column 1 of v̄
    [10. 20.]
    """
    tensors = [as_tensor(t) for t in tensors]
    try:
        out = np.stack([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack: all tensors must have the same shape, got {shapes}") from None

    def vjp(g):
        return tuple(np.moveaxis(g, axis, 0))

    return Tensor._from_op(out, tensors, vjp, "stack")


@primitive
def pad(x, pad_width) -> Tensor:
    r"""Surround ``x`` with zeros, as ``numpy.pad(x, pad_width)`` (constant mode).

    VJP: $\bar x$ is $\bar v$ with the padding cut away again.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    pad_width : int, (before, after) or one (before, after) pair per axis
        How many zeros to add before and after each axis, as for `numpy.pad`.

    Returns
    -------
    Tensor
        ``x.shape`` with ``before + after`` added to each axis.

    Examples
    --------
    >>> import numpy as np, nnbook as nb, nnbook.functional as F
    >>> x = nb.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = F.pad(x, ((0, 0), (1, 1)))            # (1, 2) -> (1, 4)
    >>> print(y)
    tensor([[0., 1., 2., 0.]], requires_grad=True)
    >>> y.backward(np.array([[5.0, 6.0, 7.0, 8.0]]))
    >>> print(x.grad)
    [[6. 7.]]
    """
    x = as_tensor(x)
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    except ValueError:
        raise ValueError(
            f"pad: pad_width must be an int, a (before, after) pair or one pair for each "
            f"of the {x.ndim} axes of {x.shape}, got {pad_width!r}"
        ) from None
    if np.any(widths < 0):
        raise ValueError(f"pad: pad_width must not be negative, got {pad_width!r}")
    inner = tuple(slice(before, before + n) for (before, _), n in zip(widths, x.shape))
    out = np.pad(x.data, widths)
    return Tensor._from_op(out, (x,), lambda g: (g[inner],), "pad")


# -- the Tensor's operators and methods -----------------------------------------------


def _compare(op):
    def compare(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._constant(op(self.data, other))

    return compare


Tensor.__add__ = lambda self, other: add(self, other)
Tensor.__radd__ = lambda self, other: add(other, self)
Tensor.__sub__ = lambda self, other: sub(self, other)
Tensor.__rsub__ = lambda self, other: sub(other, self)
Tensor.__mul__ = lambda self, other: mul(self, other)
Tensor.__rmul__ = lambda self, other: mul(other, self)
Tensor.__truediv__ = lambda self, other: div(self, other)
Tensor.__rtruediv__ = lambda self, other: div(other, self)
Tensor.__pow__ = lambda self, other: power(self, other)
Tensor.__rpow__ = lambda self, other: power(other, self)
Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
Tensor.__neg__ = lambda self: neg(self)
Tensor.__getitem__ = lambda self, index: getitem(self, index)
Tensor.__lt__ = _compare(np.less)
Tensor.__le__ = _compare(np.less_equal)
Tensor.__gt__ = _compare(np.greater)
Tensor.__ge__ = _compare(np.greater_equal)
Tensor.T = property(lambda self: transpose(self), doc="The tensor with its axes reversed.")
for _method in (sum, mean, max, reshape, transpose, exp, log, tanh, sigmoid, relu, abs):
    setattr(Tensor, _method.__name__, _method)
del _method

__all__ = [
    "PRIMITIVES", "primitive", "stable_sigmoid", "stable_softplus", "mean", "minimum", *PRIMITIVES
]
