r"""Reductions: sums, means, maxima and log-sum-exp over axes, each forward next to its VJP.

Conventions, the same for every op here: ``axis`` is what numpy takes — None for all
axes, an int or a tuple of ints, negative ones counting from the end — and
``keepdims=True`` keeps each reduced axis with length 1. The output has ``x.shape``
without the reduced axes. In a VJP, $\bar v$ first gets its reduced axes back as
length-1 axes, so that it broadcasts over the input; $\bar x$ is then $\bar v$ times
each entry's share of the reduction.
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.registry import normalize_axes, primitive

__all__ = ["sum", "mean", "max", "logsumexp"]


def _expand(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Put back the reduced axes as length-1 axes so ``g`` broadcasts over the input."""
    return g if keepdims else np.expand_dims(g, axes)


# --8<-- [start:sum]
@primitive
def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    r"""The sum over ``axis`` (all axes by default), as `numpy.sum`.

    VJP: $\bar x = \bar v$ copied along the summed axes (each entry counts once in its
    sum).

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor(np.zeros((2, 3)), requires_grad=True)
    >>> F.sum(x, axis=0).backward(np.array([1.0, 10.0, 100.0]))  # (2, 3) -> (3,)
    >>> print(x.grad.tolist())
    [[1.0, 10.0, 100.0], [1.0, 10.0, 100.0]]
    """
    x = as_tensor(x)
    axes = normalize_axes("sum", axis, x.ndim)
    out = x.data.sum(axis=axes, keepdims=keepdims)

    def vjp(g):
        return (np.broadcast_to(_expand(g, axes, keepdims), x.shape),)

    return Tensor.from_op(out, (x,), vjp, "sum")
# --8<-- [end:sum]


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    r"""The mean over ``axis`` (all axes by default), as `numpy.mean`.

    A sum divided by the count $n$ of entries averaged, so not a primitive: its
    gradient is $\bar v / n$ copied along the averaged axes.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor(np.zeros((2, 4)), requires_grad=True)
    >>> F.mean(x, axis=1).sum().backward()  # (2, 4) -> (2,)
    >>> print(x.grad.tolist())
    [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]
    """
    x = as_tensor(x)
    count = 1
    for a in normalize_axes("mean", axis, x.ndim):
        count *= x.shape[a]
    return sum(x, axis, keepdims) / count


@primitive
def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 - numpy's name
    r"""The largest value over ``axis`` (all axes by default), as `numpy.max`.

    VJP: $\bar x = \bar v \odot m / k$, with $m$ 1 at the maxima and 0 elsewhere and
    $k$ their number: tied maxima share the gradient equally.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([[1.0, 3.0, 3.0], [0.0, 5.0, 2.0]], requires_grad=True)
    >>> F.max(x, axis=1).sum().backward()  # (2, 3) -> (2,); row 0 has a tie
    >>> print(x.grad.tolist())
    [[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]]
    """
    x = as_tensor(x)
    axes = normalize_axes("max", axis, x.ndim)
    if x.size == 0:
        raise ValueError(f"max: the tensor of shape {x.shape} is empty; it has no largest value")
    out = x.data.max(axis=axes, keepdims=True)
    winners = x.data == out
    share = winners / winners.sum(axis=axes, keepdims=True)
    result = out if keepdims else np.squeeze(out, axis=axes)
    return Tensor.from_op(result, (x,), lambda g: (_expand(g, axes, keepdims) * share,), "max")


@primitive
def logsumexp(x, axis=-1, keepdims: bool = False) -> Tensor:
    r"""$\ln \sum e^{x}$ over ``axis`` (the last by default), without overflow.

    VJP: $\bar x = \bar v \odot \operatorname{softmax}(x)$, $\bar v$ copied along ``axis``.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([1000.0, 1001.0, 1002.0], requires_grad=True)
    >>> v = F.logsumexp(x)  # (3,) -> ()
    >>> v.backward()
    >>> print(round(v.item(), 4), x.grad.round(4))
    1002.4076 [0.09   0.2447 0.6652]
    """
    x = as_tensor(x)
    axes = normalize_axes("logsumexp", axis, x.ndim)
    out = numerics.logsumexp(x.data, axis=axes, keepdims=True)
    # softmax from the shifted entries, not exp(x − out): out is rounded at the scale of x.
    e = np.exp(x.data - x.data.max(axis=axes, keepdims=True))
    soft = e / e.sum(axis=axes, keepdims=True)
    result = out if keepdims else np.squeeze(out, axis=axes)
    return Tensor.from_op(result, (x,), lambda g: (_expand(g, axes, keepdims) * soft,), "logsumexp")
