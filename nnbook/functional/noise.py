r"""Noise injected while fitting: dropout and additive Gaussian noise.

Both are compositions of existing primitives: the noise is drawn with numpy and enters
the graph as a constant, so the gradient flows through the input alone. Dropout
multiplies the input by a random mask $m$ (so $\bar x = m \odot \bar v$); Gaussian
noise adds a random offset $\varepsilon$ (so $\bar x = \bar v$). In evaluation
(``training=False``) both are the identity.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnbook.autodiff import Tensor, as_tensor
from nnbook.rng import get_rng

__all__ = ["dropout", "gaussian_noise"]


def _real(value, name: str, caller: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    return float(value)


def _dropout_probability(p, caller: str) -> float:
    """``p`` as a float if it is a probability in [0, 1); raise otherwise."""
    p = _real(p, "p", caller)
    if not 0.0 <= p < 1.0:
        raise ValueError(
            f"{caller}: p is the probability of dropping each entry and must be in [0, 1), "
            f"got {p}"
        )
    return p


def _noise_std(std, caller: str) -> float:
    """``std`` as a float if it is a finite standard deviation (at least 0); raise otherwise."""
    std = _real(std, "std", caller)
    if not (math.isfinite(std) and std >= 0.0):
        raise ValueError(f"{caller}: std is a standard deviation and must be finite and >= 0, got {std}")
    return std


def dropout(x, p: float = 0.5, training: bool = True, rng=None) -> Tensor:
    r"""Inverted dropout: zero each entry with probability ``p``, scale the rest by $1/(1-p)$.

    Each entry of ``x`` is kept with probability $1-p$, independently, and multiplied by
    $1/(1-p)$, so that the output's expected value is ``x`` itself: no rescaling is
    needed at evaluation time, where dropout is the identity. With the mask
    $m_i \in \{0, 1/(1-p)\}$ the output is $v = m \odot x$ and $\bar x = m \odot \bar v$.
    PyTorch's ``torch.nn.functional.dropout`` does the same.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    p : float
        The probability of dropping each entry, in $[0, 1)$.
    training : bool
        If False, return ``x`` unchanged (evaluation mode).
    rng : None, int or numpy.random.Generator
        Where the mask is drawn from (see `nnbook.rng.get_rng`). An int seed gives the
        same mask at every call.

    Returns
    -------
    Tensor
        The shape and dtype of ``x``. When ``training`` is False or ``p`` is 0, ``x``
        itself (as a Tensor).

    Raises
    ------
    ValueError
        If ``p`` is outside $[0, 1)$.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook.functional import dropout
    >>> x = nb.tensor(np.ones(8), requires_grad=True)
    >>> y = dropout(x, p=0.5, rng=0)
    >>> print(y.data)          # each kept entry is scaled by 1 / (1 - p) = 2
    [2. 0. 0. 0. 2. 2. 2. 2.]
    >>> y.sum().backward()
    >>> print(x.grad)          # the gradient flows through the kept entries only
    [2. 0. 0. 0. 2. 2. 2. 2.]
    >>> dropout(x, p=0.5, training=False) is x
    True
    """
    p = _dropout_probability(p, "dropout")
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    keep = get_rng(rng).random(x.shape) >= p
    return x * (keep.astype(x.dtype) / (1.0 - p))


def gaussian_noise(x, std: float, training: bool = True, rng=None) -> Tensor:
    r"""Add independent $\mathcal N(0, \mathrm{std}^2)$ noise to every entry of ``x``.

    Perturbing the inputs while fitting is a regulariser: for a model $f = w^\top x + w_0$
    and the loss $\tfrac12 \sum_n (y_n - f_n)^2$ (`F.squared_loss`), it adds
    $N\,\mathrm{std}^2\,\lVert w\rVert^2/2$ to the expected loss — $\mathrm{std}^2\lVert
    w\rVert^2/2$ per example — as an L2 penalty would (Bishop, 1995, "Training with
    noise is equivalent to Tikhonov regularization"). The noise is a
    constant of the graph: $\bar x = \bar v$.

    Parameters
    ----------
    x : Tensor or array_like
        Any shape.
    std : float
        The standard deviation of the noise, finite and at least 0.
    training : bool
        If False, return ``x`` unchanged (evaluation mode).
    rng : None, int or numpy.random.Generator
        Where the noise is drawn from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor
        The shape and dtype of ``x``. When ``training`` is False or ``std`` is 0, ``x``
        itself (as a Tensor).

    Raises
    ------
    ValueError
        If ``std`` is negative or not finite.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook.functional import gaussian_noise
    >>> x = nb.tensor(np.zeros((1000, 2)))
    >>> y = gaussian_noise(x, std=0.5, rng=0)
    >>> print(np.round(y.data.std(axis=0), 1))
    [0.5 0.5]
    >>> gaussian_noise(x, std=0.5, training=False) is x
    True
    """
    std = _noise_std(std, "gaussian_noise")
    x = as_tensor(x)
    if not training or std == 0.0:
        return x
    noise = get_rng(rng).normal(0.0, std, size=x.shape).astype(x.dtype)
    return x + noise
