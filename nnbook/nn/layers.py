"""The feed-forward layers: `Linear`, the activations as modules, and `Flatten`.

Each is a `Module` whose ``forward`` is a few lines over `nnbook.functional`, with
PyTorch's arguments, parameter names, shapes and default initialisation.
"""

from __future__ import annotations

import math

import numpy as np

from nnbook import functional as F
from nnbook import init
from nnbook.autodiff import Tensor, as_tensor
from nnbook.checks import positive_int
from nnbook.nn.module import Module, Parameter
from nnbook.rng import get_rng

__all__ = ["Linear", "Sigmoid", "Tanh", "ReLU", "Flatten"]


class Linear(Module):
    r"""An affine map $y = x W^T + b$, applied to the last axis of the input.

    The weight has PyTorch's layout, ``(out_features, in_features)``, the same as the
    book's $W^l$: row $k$ holds the weights into output unit $k$. Both weight and bias
    start as PyTorch's do, uniform on $(-1/\sqrt{\text{in\_features}},
    1/\sqrt{\text{in\_features}})$: `nnbook.init.kaiming_uniform_` with ``a=√5``.

    Parameters
    ----------
    in_features : int
        $D$, the length of the input's last axis.
    out_features : int
        The number of output units.
    bias : bool
        Whether to add a learnt bias $b$.
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`).
    dtype : numpy dtype, optional
        A floating dtype for the parameters; float64 by default.

    Attributes
    ----------
    weight : Parameter
        Shape ``(out_features, in_features)``.
    bias : Parameter or None
        Shape ``(out_features,)``; None when ``bias=False``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> layer = nn.Linear(3, 2, rng=0)
    >>> layer.weight.shape, layer.bias.shape
    ((2, 3), (2,))
    >>> layer(np.ones((5, 3))).shape          # x: (N, in) -> (N, out)
    (5, 2)
    >>> layer(np.ones((5, 4)))
    Traceback (most recent call last):
    ValueError: Linear(in_features=3, out_features=2): input of shape (5, 4) does not fit the weight of shape (2, 3): its last axis must have length in_features=3
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, rng=None, *, dtype=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features", "Linear")
        self.out_features = positive_int(out_features, "out_features", "Linear")
        dtype = np.dtype(np.float64 if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be a floating type, got {dtype}")
        generator = get_rng(rng)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=generator)
        if bias:
            bound = 1 / math.sqrt(self.in_features)
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
            init.uniform_(self.bias, -bound, bound, rng=generator)
        else:
            self.bias = None

    def forward(self, x) -> Tensor:
        """``x @ weight.T + bias``, recorded as one node (`F.linear`).

        Parameters
        ----------
        x : Tensor or array_like
            Shape ``(..., in_features)``.

        Returns
        -------
        Tensor
            Shape ``(..., out_features)``.

        Examples
        --------
        >>> import numpy as np
        >>> from nnbook import nn
        >>> layer = nn.Linear(2, 1)
        >>> _ = layer.load_state_dict({"weight": [[1.0, -1.0]], "bias": [0.5]})
        >>> print(layer(np.array([[3.0, 1.0], [0.0, 2.0]])).data)
        [[ 2.5]
         [-1.5]]
        """
        x = as_tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}, out_features={self.out_features}): input of "
                f"shape {x.shape} "
                f"does not fit the weight of shape {self.weight.shape}: its last axis must have "
                f"length in_features={self.in_features}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sigmoid(Module):
    r"""The logistic sigmoid $\sigma(z) = 1/(1 + e^{-z})$, entry by entry (`F.sigmoid`).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> print(nn.Sigmoid()(np.array([-1e4, 0.0, 1e4])).data)
    [0.  0.5 1. ]
    """

    def forward(self, x) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """The hyperbolic tangent, entry by entry (`F.tanh`).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> print(nn.Tanh()(np.array([-1e4, 0.0, 1e4])).data)
    [-1.  0.  1.]
    """

    def forward(self, x) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    r"""The rectified linear unit $\max(z, 0)$, entry by entry (`F.relu`).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> print(nn.ReLU()(np.array([-2.0, 0.0, 3.0])).data)
    [0. 0. 3.]
    """

    def forward(self, x) -> Tensor:
        return F.relu(x)


def _axis(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Flatten: {name} must be an int, got {value!r} ({type(value).__name__})")
    return int(value)


class Flatten(Module):
    """Merge the axes ``start_dim`` to ``end_dim`` (both included) into one.

    With the defaults, a batch of shape ``(N, C, H, W)`` becomes ``(N, C·H·W)``: each
    example flattened, the batch axis kept, as a dense layer after a convolution
    expects.

    Parameters
    ----------
    start_dim : int
        The first axis to merge; negative counts from the end.
    end_dim : int
        The last axis to merge; negative counts from the end.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> nn.Flatten()(np.zeros((8, 3, 4, 5))).shape
    (8, 60)
    >>> nn.Flatten(0, 1)(np.zeros((8, 3, 4))).shape
    (24, 4)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = _axis(start_dim, "start_dim")
        self.end_dim = _axis(end_dim, "end_dim")

    def forward(self, x) -> Tensor:
        x = as_tensor(x)
        start, end = (d + x.ndim if d < 0 else d for d in (self.start_dim, self.end_dim))
        for asked, axis in ((self.start_dim, start), (self.end_dim, end)):
            if not 0 <= axis < x.ndim:
                raise ValueError(
                    f"Flatten({self.extra_repr()}): an input of shape {x.shape} has no axis {asked}"
                )
        if start > end:
            raise ValueError(
                f"Flatten({self.extra_repr()}): start_dim comes after end_dim for an input of "
                f"shape {x.shape} (axes {start} and {end})"
            )
        merged = math.prod(x.shape[start : end + 1])
        return x.reshape(x.shape[:start] + (merged,) + x.shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
