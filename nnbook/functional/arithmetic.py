r"""Elementwise arithmetic and functions, and the matrix product: each forward next to its VJP.

Conventions, the same for every op here:

* $v$ is an op's output and $\bar v$ the gradient arriving at it (the VJP's ``g``,
  shaped like $v$); $\bar a$ is what the VJP sends back to an input $a$, and $\odot$
  is the elementwise product.
* Binary ops broadcast as numpy does, and their output has the broadcast shape. A VJP
  may return a gradient in that broadcast shape: the engine sums it back to each
  input's shape (`nnbook.unbroadcast`), so no rule here repeats that step.
* Inputs may be Tensors, arrays, lists or numbers. A Python number takes the other
  operand's dtype (``x32 * 2.0`` stays float32); other non-Tensors become constants.
"""

from __future__ import annotations

import numpy as np

from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.registry import broadcasting, operands, primitive

__all__ = [
    "add", "sub", "mul", "div", "neg", "power", "matmul", "linear", "exp", "log", "abs",
    "maximum", "minimum", "where",
]


@primitive
def add(a, b) -> Tensor:
    r"""``a + b``, elementwise.

    VJP: $\bar a = \bar v$, $\bar b = \bar v$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> b = nb.tensor([[10.0], [20.0]], requires_grad=True)
    >>> F.add([1.0, 2.0, 3.0], b).sum().backward()  # (3,) + (2, 1) -> (2, 3)
    >>> print(b.grad.tolist())
    [[3.0], [3.0]]
    """
    a, b = operands(a, b)
    return Tensor.from_op(broadcasting("add", np.add, a, b), (a, b), lambda g: (g, g), "add")


@primitive
def sub(a, b) -> Tensor:
    r"""``a - b``, elementwise.

    VJP: $\bar a = \bar v$, $\bar b = -\bar v$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> F.sub(5.0, x).sum().backward()
    >>> print(x.grad)
    [-1. -1.]
    """
    a, b = operands(a, b)
    return Tensor.from_op(broadcasting("sub", np.subtract, a, b), (a, b), lambda g: (g, -g), "sub")


# --8<-- [start:mul]
@primitive
def mul(a, b) -> Tensor:
    r"""``a * b``, elementwise.

    VJP: $\bar a = \bar v \odot b$, $\bar b = \bar v \odot a$ (the Jacobian with
    respect to $a$ is $\operatorname{diag}(b)$).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> a = nb.tensor([1.0, 2.0], requires_grad=True)
    >>> F.mul(a, [[3.0], [4.0]]).sum().backward()  # (2,) * (2, 1) -> (2, 2)
    >>> print(a.grad)
    [7. 7.]
    """
    a, b = operands(a, b)
    out = broadcasting("mul", np.multiply, a, b)

    def vjp(g):  # d(ab)/da = b and d(ab)/db = a
        return g * b.data, g * a.data

    return Tensor.from_op(out, (a, b), vjp, "mul")
# --8<-- [end:mul]


@primitive
def div(a, b) -> Tensor:
    r"""``a / b``, elementwise.

    VJP: $\bar a = \bar v / b$, $\bar b = -\bar v \odot a / b^2$, computed as
    $-\bar v \odot v / b$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> b = nb.tensor(2.0, requires_grad=True)
    >>> F.div([1.0, 3.0], b).sum().backward()  # -(1 + 3) / 2**2
    >>> print(b.grad)
    -1.0
    """
    a, b = operands(a, b)
    out = broadcasting("div", np.divide, a, b)
    return Tensor.from_op(out, (a, b), lambda g: (g / b.data, -g * out / b.data), "div")


@primitive
def neg(a) -> Tensor:
    r"""``-a``, elementwise.

    VJP: $\bar a = -\bar v$.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([1.0, -2.0], requires_grad=True)
    >>> F.neg(x).backward(np.array([1.0, 10.0]))
    >>> print(x.grad)
    [ -1. -10.]
    """
    a = as_tensor(a)
    return Tensor.from_op(-a.data, (a,), lambda g: (-g,), "neg")


@primitive
def power(a, b) -> Tensor:
    r"""``a ** b``, elementwise.

    VJP: $\bar a = \bar v \odot b\, a^{b-1}$, taken as 0 where $b = 0$ (the derivative
    of the constant $a^0 = 1$, also at $a = 0$); $\bar b = \bar v \odot v \ln a$,
    computed only if ``b`` requires a gradient, and finite only where $a > 0$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> a = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> b = nb.tensor(2.0, requires_grad=True)
    >>> F.power(a, b).sum().backward()  # b̄ = 4 ln 2 + 9 ln 3
    >>> print(a.grad, round(b.grad.item(), 4))
    [2. 4. 6.] 12.6601
    """
    a, b = operands(a, b)
    out = broadcasting("power", np.power, a, b)

    def vjp(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(b.data == 0, 0, b.data * a.data ** (b.data - 1))
        gb = None
        if b.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * out * np.log(a.data)
        return g * slope, gb

    return Tensor.from_op(out, (a, b), vjp, "power")


@primitive
def matmul(a, b) -> Tensor:
    r"""The matrix product ``a @ b``, with numpy's rules for vectors and stacks of matrices.

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
    >>> import nnbook as nb
    >>> from nnbook import functional as F
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
    inner = b.shape[-2 if b.ndim > 1 else 0]
    if a.shape[-1] != inner:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not fit: the last axis of the first "
            f"({a.shape[-1]}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
            f"axis of the second ({inner})"
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

    return Tensor.from_op(out, (a, b), vjp, "matmul")


@primitive
def linear(x, weight, bias=None) -> Tensor:
    r"""The affine map of a dense layer, $v = x W^\top + b$, on the last axis of ``x``, as one op.

    The same values as ``x @ weight.T + bias``, recorded as one node instead of three,
    so that a layer costs one step of the backward pass (as ``torch.nn.functional.linear``).

    VJP, with the leading axes of ``x`` and $\bar v$ flattened into rows:
    $\bar x = \bar v W$, $\bar W = \bar v^\top x$, $\bar b = \sum_\text{rows} \bar v$.

    Parameters
    ----------
    x : Tensor or array_like
        Shape ``(..., in)``.
    weight : Tensor or array_like
        Shape ``(out, in)``, PyTorch's layout.
    bias : Tensor or array_like, optional
        Shape ``(out,)``.

    Returns
    -------
    Tensor
        Shape ``(..., out)``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> W = nb.tensor([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]], requires_grad=True)
    >>> v = F.linear(np.array([[1.0, 1.0]]), W, [0.5, 0.0, -1.0])   # (1, 2) -> (1, 3)
    >>> print(v.data)
    [[ 3.5 -1.   3. ]]
    >>> v.sum().backward()
    >>> print(W.grad)   # v̄ᵀ x: every row gets x
    [[1. 1.]
     [1. 1.]
     [1. 1.]]
    """
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: x of shape {x.shape} does not fit a weight of shape {weight.shape}: the "
            f"weight must be (out, in) and x's last axis of length in"
        )
    parents = (x, weight)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != weight.shape[:1]:
            raise ValueError(f"linear: the bias must have shape {weight.shape[:1]}, got {bias.shape}")
        parents += (bias,)
    out = x.data @ weight.data.T
    if bias is not None:
        out += bias.data  # in place: out is the product's own new array

    def vjp(g):
        rows = g.reshape(-1, g.shape[-1])
        gx = (g @ weight.data) if x.requires_grad else None
        gw = (rows.T @ x.data.reshape(-1, x.shape[-1])) if weight.requires_grad else None
        gb = rows.sum(axis=0) if bias is not None and bias.requires_grad else None
        return (gx, gw, gb)[: len(parents)]

    return Tensor.from_op(out, parents, vjp, "linear")


# --8<-- [start:exp]
@primitive
def exp(x) -> Tensor:
    r"""$e^x$, elementwise.

    VJP: $\bar x = \bar v \odot v$, from the stored output, since $(e^x)' = e^x$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([0.0, 1.0], requires_grad=True)
    >>> F.exp(x).sum().backward()
    >>> print(x.grad.round(4))
    [1.     2.7183]
    """
    x = as_tensor(x)
    out = np.exp(x.data)
    return Tensor.from_op(out, (x,), lambda g: (g * out,), "exp")
# --8<-- [end:exp]


@primitive
def log(x) -> Tensor:
    r"""$\ln x$, elementwise (``-inf`` at 0, ``nan`` below, as numpy).

    VJP: $\bar x = \bar v / x$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([0.5, 2.0], requires_grad=True)
    >>> F.log(x).sum().backward()
    >>> print(x.grad)
    [2.  0.5]
    """
    x = as_tensor(x)
    return Tensor.from_op(np.log(x.data), (x,), lambda g: (g / x.data,), "log")


@primitive
def abs(x) -> Tensor:  # noqa: A001 - the name a reader expects; the builtin is not used here
    r"""$|x|$, elementwise.

    VJP: $\bar x = \bar v \odot \operatorname{sign}(x)$, taking the subgradient 0 at 0.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> F.abs(x).sum().backward()
    >>> print(x.grad)
    [-1.  0.  1.]
    """
    x = as_tensor(x)
    return Tensor.from_op(np.abs(x.data), (x,), lambda g: (g * np.sign(x.data),), "abs")


@primitive
def maximum(a, b) -> Tensor:
    r"""The larger of ``a`` and ``b``, elementwise.

    VJP: $\bar a = \bar v \odot s$, $\bar b = \bar v \odot (1 - s)$, where $s$ is 1 where
    $a > b$, 0 where $a < b$ and $\tfrac12$ at a tie.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> a = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.maximum(a, 2.0).sum().backward()
    >>> print(a.grad)
    [0.  0.5 1. ]
    """
    a, b = operands(a, b)
    out = broadcasting("maximum", np.maximum, a, b)
    share = 0.5 * (a.data == b.data) + (a.data > b.data)
    return Tensor.from_op(out, (a, b), lambda g: (g * share, g * (1 - share)), "maximum")


def minimum(a, b) -> Tensor:
    r"""The smaller of ``a`` and ``b``, elementwise: $-\max(-a, -b)$, so not a primitive.

    Its gradient goes to the smaller input, half to each at a tie.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> a = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.minimum(a, 2.0).sum().backward()
    >>> print(a.grad)
    [1.  0.5 0. ]
    """
    a, b = operands(a, b)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"minimum: shapes {a.shape} and {b.shape} cannot be broadcast together") from None
    return neg(maximum(neg(a), neg(b)))


@primitive
def where(condition, a, b) -> Tensor:
    r"""``a`` where ``condition`` holds, ``b`` elsewhere; the three broadcast together.

    VJP: $\bar a = \bar v \odot c$, $\bar b = \bar v \odot (1 - c)$, with $c$ the
    condition as 0/1; ``condition`` (read as booleans) gets no gradient.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    >>> F.where(x > 0, x, 0.1 * x).sum().backward()  # a leaky ReLU
    >>> print(x.grad)
    [0.1 1.  1. ]
    """
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = operands(a, b)
    out = broadcasting("where", np.where, Tensor.from_op(cond, (), None, ""), a, b)
    return Tensor.from_op(out, (a, b), lambda g: (g * cond, g * ~cond), "where")
