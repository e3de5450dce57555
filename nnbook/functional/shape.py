r"""Ops that move values without computing new ones: reshape, transpose, index, join, pad.

Each VJP routes $\bar v$ (the gradient arriving at the output $v$) back to where each
value came from: the inverse reshape or permutation, a scatter-add for indexing, a
split for joining, a slice for padding. None of them does any arithmetic except the
scatter-add, where an entry picked several times gets the sum of its gradients.
"""

from __future__ import annotations

import numpy as np

from nnbook.autodiff import IndexedGradient, Tensor, as_tensor
from nnbook.functional.registry import normalize_axis, primitive

__all__ = ["reshape", "transpose", "getitem", "concatenate", "stack", "pad"]


def _varargs(args: tuple) -> tuple:
    """``f(x, 2, 3)`` and ``f(x, (2, 3))`` alike, as numpy's methods take them."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


@primitive
def reshape(x, *shape) -> Tensor:
    r"""The same values in a new shape, as `numpy.reshape`; one length may be ``-1``.

    VJP: $\bar x$ is $\bar v$ reshaped back to ``x.shape``.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> print(F.reshape(x, 2, -1).shape, F.reshape(x, (3, 2)).shape)
    (2, 3) (3, 2)
    """
    x = as_tensor(x)
    shape = _varargs(shape)
    try:
        out = x.data.reshape(shape)
    except (ValueError, TypeError):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} into {shape}") from None
    return Tensor.from_op(out, (x,), lambda g: (g.reshape(x.shape),), "reshape")


@primitive
def transpose(x, *axes) -> Tensor:
    r"""The axes permuted, as `numpy.transpose`: axis ``i`` of the output is axis ``axes[i]`` of ``x``.

    With no ``axes``, they are reversed. VJP: $\bar x$ is $\bar v$ under the inverse
    permutation.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor(np.zeros((2, 3, 4)))
    >>> print(F.transpose(x, 2, 0, 1).shape, F.transpose(x).shape)
    (4, 2, 3) (4, 3, 2)
    """
    x = as_tensor(x)
    axes = _varargs(axes) or tuple(range(x.ndim))[::-1]
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of {x.shape}")
    inverse = tuple(np.argsort(axes))
    return Tensor.from_op(x.data.transpose(axes), (x,), lambda g: (g.transpose(inverse),), "transpose")


@primitive
def getitem(x, index) -> Tensor:
    r"""``x[index]``, with numpy's basic and advanced indexing (``None`` and ``...`` too).

    VJP: $\bar v$ added into ``x``'s gradient at ``index`` (an `IndexedGradient`: the
    engine adds it in place, and never builds an array of zeros for the entries not
    read); an entry picked several times gets the sum of their gradients.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
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

    return Tensor.from_op(x.data[index], (x,), lambda g: (IndexedGradient(index, g),), "getitem")


@primitive
def concatenate(tensors, axis: int = 0) -> Tensor:
    r"""Tensors joined along an existing ``axis``, as `numpy.concatenate`.

    The inputs have equal shapes except along ``axis``. VJP: $\bar v$ split along
    ``axis`` at the inputs' boundaries.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> b = nb.tensor([3.0], requires_grad=True)
    >>> F.concatenate([[1.0, 2.0], b]).backward(np.array([10.0, 20.0, 30.0]))
    >>> print(b.grad)
    [30.]
    """
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: no tensors given; give at least one")
    axis = normalize_axis("concatenate", axis, tensors[0].ndim)
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(
            f"concatenate: shapes {shapes} do not fit along axis {axis}: they must be equal "
            f"except along that axis"
        ) from None
    bounds = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    return Tensor.from_op(out, tensors, lambda g: tuple(np.split(g, bounds, axis=axis)), "concatenate")


@primitive
def stack(tensors, axis: int = 0) -> Tensor:
    r"""Same-shaped tensors joined along a new ``axis`` of the output, as `numpy.stack`.

    VJP: input $k$ gets slice $k$ of $\bar v$ along ``axis``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> b = nb.tensor([3.0, 4.0], requires_grad=True)
    >>> v = F.stack([[1.0, 2.0], b], axis=1)  # two (2,) -> (2, 2)
    >>> v.backward(np.array([[1.0, 10.0], [2.0, 20.0]]))
    >>> print(b.grad)  # column 1 of v̄
    [10. 20.]
    """
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: no tensors given; give at least one")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        listed = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"stack: all tensors must have the same shape, got {listed}")
    ndim = tensors[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"stack: axis {axis} is out of range for stacking tensors of shape "
            f"{tensors[0].shape} (the result has {ndim} dimensions)"
        )
    axis = normalize_axis("stack", axis, ndim)
    out = np.stack([t.data for t in tensors], axis=axis)
    return Tensor.from_op(out, tensors, lambda g: tuple(np.moveaxis(g, axis, 0)), "stack")


@primitive
def pad(x, pad_width) -> Tensor:
    r"""``x`` surrounded with zeros, as ``numpy.pad(x, pad_width)`` (constant mode).

    ``pad_width`` is an int, a (before, after) pair, or one pair per axis. VJP: $\bar x$
    is $\bar v$ with the padding cut away again.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
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
    except (ValueError, TypeError):
        raise ValueError(
            f"pad: pad_width must be an int, a (before, after) pair or one pair for each "
            f"of the {x.ndim} axes of {x.shape}, got {pad_width!r}"
        ) from None
    if np.any(widths < 0):
        raise ValueError(f"pad: pad_width must not be negative, got {pad_width!r}")
    inner = tuple(slice(before, before + n) for (before, _), n in zip(widths, x.shape))
    out = np.pad(x.data, widths)
    return Tensor.from_op(out, (x,), lambda g: (g[inner],), "pad")
