"""The primitive operations: each forward pass next to its vector–Jacobian product.

Every differentiable computation in nnbook is built from the functions in this file.
Each one computes its output with numpy and hands `Tensor._from_op` a closure ``vjp``
that maps ``g``, the gradient of a scalar with respect to the output, to the gradients
with respect to each input: ``g`` times the Jacobian of the op, computed without ever
building that Jacobian. A VJP may return a gradient in the broadcast shape of the
output; the engine sums it back to each input's shape (`unbroadcast`).

`PRIMITIVES` lists every op by name. The test suite iterates it: an op is
gradient-checked, dtype-checked and shape-checked as soon as it is registered here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnbook.autodiff import Tensor, _is_python_scalar, as_tensor

PRIMITIVES: dict[str, Callable] = {}


def primitive(fn: Callable) -> Callable:
    """Register ``fn`` in `PRIMITIVES` under its name."""
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
    """``a + b`` with broadcasting."""
    a, b = _pair(a, b)
    return Tensor._from_op(_elementwise("add", np.add, a, b), (a, b), lambda g: (g, g), "add")


@primitive
def sub(a, b) -> Tensor:
    """``a - b`` with broadcasting."""
    a, b = _pair(a, b)
    return Tensor._from_op(_elementwise("sub", np.subtract, a, b), (a, b), lambda g: (g, -g), "sub")


@primitive
def mul(a, b) -> Tensor:
    """``a * b`` elementwise, with broadcasting."""
    a, b = _pair(a, b)
    out = _elementwise("mul", np.multiply, a, b)

    def vjp(g):  # d(ab)/da = b and d(ab)/db = a
        return g * b.data, g * a.data

    return Tensor._from_op(out, (a, b), vjp, "mul")


@primitive
def div(a, b) -> Tensor:
    """``a / b`` elementwise, with broadcasting."""
    a, b = _pair(a, b)
    out = _elementwise("div", np.divide, a, b)
    return Tensor._from_op(out, (a, b), lambda g: (g / b.data, -g * out / b.data), "div")


@primitive
def neg(a) -> Tensor:
    """``-a``."""
    a = as_tensor(a)
    return Tensor._from_op(-a.data, (a,), lambda g: (-g,), "neg")


@primitive
def power(a, b) -> Tensor:
    """``a ** b`` elementwise; the gradient with respect to ``b`` needs ``a > 0``."""
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
    """Matrix product with numpy's rules: 1-D vectors, 2-D matrices, batched stacks."""
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
    """``e**x`` elementwise."""
    x = as_tensor(x)
    out = np.exp(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * out,), "exp")


@primitive
def log(x) -> Tensor:
    """Natural logarithm, elementwise."""
    x = as_tensor(x)
    return Tensor._from_op(np.log(x.data), (x,), lambda g: (g / x.data,), "log")


@primitive
def tanh(x) -> Tensor:
    """Hyperbolic tangent, elementwise (no overflow for any finite input)."""
    x = as_tensor(x)
    out = np.tanh(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * (1 - out * out),), "tanh")


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + e**-z)`` on a plain array, without overflow (used by every sigmoid in nnbook)."""
    # 1/(1+e^{-z}) overflows e^{-z} for z << 0; there use e^{z}/(1+e^{z}) instead.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def stable_softplus(z: np.ndarray) -> np.ndarray:
    """``ln(1 + e**z)`` on a plain array, without overflow (used by every softplus in nnbook)."""
    # ln(1+e^z) = max(z, 0) + ln(1 + e^{-|z|}): the exponent is never positive.
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


@primitive
def sigmoid(x) -> Tensor:
    """Logistic sigmoid ``1 / (1 + e**-x)``, computed without overflow."""
    x = as_tensor(x)
    out = stable_sigmoid(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid")


@primitive
def softplus(x) -> Tensor:
    """``ln(1 + e**x)``, computed without overflow; its derivative is ``sigmoid(x)``."""
    x = as_tensor(x)
    out = stable_softplus(x.data)
    return Tensor._from_op(out, (x,), lambda g: (g * stable_sigmoid(x.data),), "softplus")


@primitive
def relu(x) -> Tensor:
    """``max(x, 0)``; the (sub)gradient at 0 is taken to be 0."""
    x = as_tensor(x)
    return Tensor._from_op(np.maximum(x.data, 0), (x,), lambda g: (g * (x.data > 0),), "relu")


@primitive
def abs(x) -> Tensor:  # noqa: A001 - the name a reader expects
    """``|x|``; the (sub)gradient at 0 is taken to be 0."""
    x = as_tensor(x)
    return Tensor._from_op(np.abs(x.data), (x,), lambda g: (g * np.sign(x.data),), "abs")


@primitive
def maximum(a, b) -> Tensor:
    """Elementwise maximum; at a tie the gradient is split equally."""
    a, b = _pair(a, b)
    out = _elementwise("maximum", np.maximum, a, b)
    share = 0.5 * (a.data == b.data) + (a.data > b.data)
    return Tensor._from_op(out, (a, b), lambda g: (g * share, g * (1 - share)), "maximum")


@primitive
def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (no gradient flows to ``condition``)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _pair(a, b)
    out = _elementwise("where", np.where, Tensor._constant(cond), a, b)
    return Tensor._from_op(out, (a, b), lambda g: (g * cond, g * ~cond), "where")


# -- reductions ---------------------------------------------------------------------


@primitive
def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes by default), as `numpy.sum`."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    out = x.data.sum(axis=axes, keepdims=keepdims)

    def vjp(g):  # every entry of x counts once in its sum: it gets that sum's gradient
        return (np.broadcast_to(_expand(g, axes, keepdims), x.shape),)

    return Tensor._from_op(out, (x,), vjp, "sum")


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (all axes by default), as `numpy.mean`."""
    x = as_tensor(x)
    count = int(np.prod([x.shape[a] for a in _axes(axis, x.ndim)]))
    return sum(x, axis, keepdims) / count


@primitive
def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value over ``axis``; tied maxima share the gradient equally."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    out = x.data.max(axis=axes, keepdims=True)
    winners = x.data == out
    share = winners / winners.sum(axis=axes, keepdims=True)
    result = out if keepdims else np.squeeze(out, axis=axes)
    return Tensor._from_op(result, (x,), lambda g: (_expand(g, axes, keepdims) * share,), "max")


@primitive
def logsumexp(x, axis=-1, keepdims: bool = False) -> Tensor:
    """``ln Σ e**x`` over ``axis``, computed without overflow."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    top = x.data.max(axis=axes, keepdims=True)
    out = top + np.log(np.exp(x.data - top).sum(axis=axes, keepdims=True))
    soft = np.exp(x.data - out)
    result = out if keepdims else np.squeeze(out, axis=axes)
    return Tensor._from_op(result, (x,), lambda g: (_expand(g, axes, keepdims) * soft,), "logsumexp")


@primitive
def softmax(x, axis: int = -1) -> Tensor:
    """``e**x / Σ e**x`` along ``axis``; its Jacobian is ``diag(s) - s sᵀ``."""
    x = as_tensor(x)
    z = x.data - x.data.max(axis=axis, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=axis, keepdims=True)
    return Tensor._from_op(
        s, (x,), lambda g: (s * (g - (g * s).sum(axis=axis, keepdims=True)),), "softmax"
    )


@primitive
def log_softmax(x, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``, computed without overflow."""
    x = as_tensor(x)
    z = x.data - x.data.max(axis=axis, keepdims=True)
    out = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return Tensor._from_op(
        out, (x,), lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),), "log_softmax"
    )


# -- shape --------------------------------------------------------------------------


@primitive
def reshape(x, *shape) -> Tensor:
    """The same values in a new shape, as `numpy.reshape` (``-1`` allowed)."""
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
    """Permute the axes, as `numpy.transpose` (reverse them if none are given)."""
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
    """``x[index]`` with numpy indexing; repeated indices accumulate gradient."""
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
    """Join tensors along an existing axis, as `numpy.concatenate`."""
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
    """Join same-shaped tensors along a new axis, as `numpy.stack`."""
    tensors = [as_tensor(t) for t in tensors]
    try:
        out = np.stack([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack: all tensors must have the same shape, got {shapes}") from None

    def vjp(g):
        return tuple(np.moveaxis(g, axis, 0))

    return Tensor._from_op(out, tensors, vjp, "stack")


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
