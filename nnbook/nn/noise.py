"""Layers that inject noise while fitting and step aside in evaluation: `Dropout`, `GaussianNoise`.

Both act only in training mode (``module.training``, set by `Module.train` and
`Module.eval`); in evaluation mode they return their input unchanged. They are the
module forms of `nnbook.functional.noise.dropout` and
`nnbook.functional.noise.gaussian_noise`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnbook.autodiff import Tensor
from nnbook.functional import dropout, gaussian_noise
from nnbook.nn.module import Module
from nnbook.rng import get_rng

__all__ = ["Dropout", "GaussianNoise"]


def _real(value, name: str, caller: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    return float(value)


class Dropout(Module):
    """Inverted dropout in training mode, the identity in evaluation mode.

    In training mode each entry is zeroed with probability ``p`` and the others are
    scaled by ``1/(1 - p)``, a fresh mask at every call; see
    `nnbook.functional.noise.dropout`.

    Parameters
    ----------
    p : float
        The probability of dropping each entry, in [0, 1).
    rng : None, int or numpy.random.Generator
        Where the masks are drawn from: None for the default generator at each call
        (see `nnbook.rng.seed`), an int to seed a generator of the layer's own.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> drop = nn.Dropout(0.25, rng=0)
    >>> y = drop(np.ones((1000, 10)))
    >>> print(round(float((y.data == 0).mean()), 2), round(float(y.data.mean()), 2))
    0.25 1.0
    >>> print(drop.eval()(np.ones(3)).data)
    [1. 1. 1.]
    >>> drop
    Dropout(p=0.25)
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        p = _real(p, "p", "Dropout")
        if not 0.0 <= p < 1.0:
            raise ValueError(
                f"Dropout: p is the probability of dropping each entry and must be in [0, 1), got {p}"
            )
        self.p = p
        self.rng = None if rng is None else get_rng(rng)

    def forward(self, x) -> Tensor:
        return dropout(x, self.p, training=self.training, rng=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class GaussianNoise(Module):
    r"""Add $\mathcal N(0, \mathrm{std}^2)$ noise to the input in training mode; the identity in evaluation.

    Fitting on perturbed inputs is a regulariser (see
    `nnbook.functional.noise.gaussian_noise`). PyTorch has no such layer; its
    equivalent is ``x + std * torch.randn_like(x)`` under ``if self.training``.

    Parameters
    ----------
    std : float
        The standard deviation of the noise, finite and at least 0.
    rng : None, int or numpy.random.Generator
        Where the noise is drawn from: None for the default generator at each call,
        an int to seed a generator of the layer's own.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> noisy = nn.GaussianNoise(0.1, rng=0)
    >>> y = noisy(np.zeros((1000, 3)))
    >>> print(np.round(y.data.std(axis=0), 2))
    [0.1 0.1 0.1]
    >>> print(noisy.eval()(np.zeros(3)).data)
    [0. 0. 0.]
    """

    def __init__(self, std: float, rng=None):
        super().__init__()
        std = _real(std, "std", "GaussianNoise")
        if not (math.isfinite(std) and std >= 0.0):
            raise ValueError(
                f"GaussianNoise: std is a standard deviation and must be finite and >= 0, got {std}"
            )
        self.std = std
        self.rng = None if rng is None else get_rng(rng)

    def forward(self, x) -> Tensor:
        return gaussian_noise(x, self.std, training=self.training, rng=self.rng)

    def extra_repr(self) -> str:
        return f"std={self.std}"
