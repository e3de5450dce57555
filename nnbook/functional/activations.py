r"""Activations: the nonlinearities of a network, numerically stable for any finite input.

Each elementwise activation keeps its input's shape and dtype; $v$ is the output and
$\bar v$ the gradient arriving at it, as in `nnbook.functional.arithmetic`. None of
them overflows or warns at $\pm 10^4$: the exponentials go through `nnbook.numerics`,
where every exponent is $\le 0$. `softmax` and `log_softmax` normalise along one
``axis`` (the last by default).
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.arithmetic import neg
from nnbook.functional.registry import normalize_axis, primitive

__all__ = ["sigmoid", "tanh", "relu", "softplus", "log_sigmoid", "softmax", "log_softmax"]


@primitive
def sigmoid(x) -> Tensor:
    r"""The logistic sigmoid $\sigma(x) = 1 / (1 + e^{-x})$, elementwise.

    VJP: $\bar x = \bar v \odot v (1 - v)$, from the stored output. For $|x|$ above
    about 37 that product rounds to 0, as in PyTorch.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    >>> F.sigmoid(x).sum().backward()
    >>> print(x.grad)
    [0.   0.25 0.  ]
    """
    x = as_tensor(x)
    out = numerics.sigmoid(x.data)
    return Tensor.from_op(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid")


@primitive
def tanh(x) -> Tensor:
    r"""The hyperbolic tangent, elementwise, with values in $[-1, 1]$.

    VJP: $\bar x = \bar v \odot (1 - v^2)$, from the stored output.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([0.0, 1.0, -1000.0], requires_grad=True)
    >>> F.tanh(x).sum().backward()
    >>> print(x.grad.round(4))
    [1.   0.42 0.  ]
    """
    x = as_tensor(x)
    out = np.tanh(x.data)
    return Tensor.from_op(out, (x,), lambda g: (g * (1 - out * out),), "tanh")


@primitive
def relu(x) -> Tensor:
    r"""The rectifier $\max(x, 0)$, elementwise.

    VJP: $\bar x = \bar v \odot [x > 0]$, taking the subgradient 0 at $x = 0$, as PyTorch does.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> F.relu(x).sum().backward()
    >>> print(x.grad)
    [0. 0. 1.]
    """
    x = as_tensor(x)
    out = np.maximum(x.data, x.dtype.type(0))  # a zero of x's dtype: float32 stays float32
    return Tensor.from_op(out, (x,), lambda g: (g * (x.data > 0),), "relu")


@primitive
def softplus(x) -> Tensor:
    r"""The softplus $\ln(1 + e^x)$, elementwise, a smooth rectifier with values $\ge 0$.

    VJP: $\bar x = \bar v \odot \sigma(x)$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    >>> v = F.softplus(x)
    >>> v.sum().backward()
    >>> print(v.numpy().round(6).tolist(), x.grad)
    [0.0, 0.693147, 1000.0] [0.  0.5 1. ]
    """
    x = as_tensor(x)
    out = numerics.softplus(x.data)
    return Tensor.from_op(out, (x,), lambda g: (g * numerics.sigmoid(x.data),), "softplus")


def log_sigmoid(x) -> Tensor:
    r"""$\ln \sigma(x) = -\operatorname{softplus}(-x)$, elementwise, so not a primitive.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.log_sigmoid(nb.tensor([-1e4, 0.0, 5.0])))
    tensor([-1.00000000e+04, -6.93147181e-01, -6.71534849e-03])
    """
    return neg(softplus(neg(as_tensor(x))))


@primitive
def softmax(x, axis: int = -1) -> Tensor:
    r"""$s = e^{x} / \sum e^{x}$ along ``axis``: entries in $[0, 1]$ that sum to 1.

    VJP: $\bar x = s \odot (\bar v - \langle \bar v, s \rangle)$, the inner product
    taken along ``axis``.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([1000.0, 1001.0, 1002.0], requires_grad=True)
    >>> s = F.softmax(x)
    >>> s[0].backward()  # row 0 of the Jacobian: s_0 (e_0 - s)
    >>> print(s.numpy().round(4), x.grad.round(4))
    [0.09   0.2447 0.6652] [ 0.0819 -0.022  -0.0599]
    """
    x = as_tensor(x)
    axis = normalize_axis("softmax", axis, x.ndim)
    e = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
    s = e / e.sum(axis=axis, keepdims=True)
    return Tensor.from_op(
        s, (x,), lambda g: (s * (g - (g * s).sum(axis=axis, keepdims=True)),), "softmax"
    )


@primitive
def log_softmax(x, axis: int = -1) -> Tensor:
    r"""$x - \ln \sum e^{x}$ along ``axis``: the log of `softmax`, without forming it.

    VJP: $\bar x = \bar v - \operatorname{softmax}(x) \sum \bar v$, the sum along ``axis``.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> F.log_softmax(x).sum().backward()  # 1 - 3 softmax(x)
    >>> print(x.grad.round(4))
    [ 0.7299  0.2658 -0.9957]
    """
    x = as_tensor(x)
    axis = normalize_axis("log_softmax", axis, x.ndim)
    z = x.data - x.data.max(axis=axis, keepdims=True)  # shifted first: exact at the top entry
    out = z - numerics.logsumexp(z, axis=axis, keepdims=True)
    return Tensor.from_op(
        out, (x,), lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),), "log_softmax"
    )
