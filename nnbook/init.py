r"""Initialisation schemes: how to draw a layer's first weights.

The names, gains and fan modes are PyTorch's (``torch.nn.init``). Every function fills
its tensor in place and returns it; nothing is recorded in the graph (as under
`nnbook.no_grad`), and the tensor keeps its dtype.

Why the scale matters: a unit of a layer with weights $W$ of shape
$(\text{fan\_out}, \text{fan\_in})$ computes $z = \sum_{j=1}^{\text{fan\_in}} w_j x_j$.
With independent zero-mean weights and inputs,
$\operatorname{Var}(z) = \text{fan\_in}\,\operatorname{Var}(w)\,\mathbb E[x^2]$:
unless $\operatorname{Var}(w)$ is of order $1/\text{fan\_in}$, the activations grow or
shrink geometrically with depth, and the gradients with them (the backward pass
multiplies by $W^T$, whose sums run over $\text{fan\_out}$ terms). Xavier (Glorot)
initialisation balances the two passes; Kaiming (He) initialisation corrects for the
half of a ReLU's inputs that it zeroes.

For a weight of more than two axes (a convolution's ``(out_ch, in_ch, kh, kw)``),
$\text{fan\_in} = \text{in\_ch}\cdot kh\cdot kw$ and
$\text{fan\_out} = \text{out\_ch}\cdot kh\cdot kw$.

References
----------
X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
neural networks", AISTATS 2010.

K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers: surpassing
human-level performance on ImageNet classification", ICCV 2015.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnbook.autodiff import Tensor
from nnbook.rng import get_rng

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "zeros_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")
_NONLINEARITIES = (*_LINEAR, "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param=None) -> float:
    r"""The factor by which to scale a weight's standard deviation for a nonlinearity.

    It makes up for what the nonlinearity does to the second moment of its input:
    1 for the identity (and, by PyTorch's convention, for the sigmoid), 5/3 for tanh,
    $\sqrt 2$ for ReLU (which zeroes half of a symmetric input),
    $\sqrt{2/(1 + a^2)}$ for a leaky ReLU of negative slope $a$ (``param``, default
    0.01), 3/4 for SELU.

    Parameters
    ----------
    nonlinearity : str
        One of ``"linear"``, ``"conv1d"``, ``"conv2d"``, ``"conv3d"``,
        ``"conv_transpose1d"``, ``"conv_transpose2d"``, ``"conv_transpose3d"``,
        ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"selu"``.
    param : float, optional
        The negative slope of ``"leaky_relu"``.

    Returns
    -------
    float

    Examples
    --------
    >>> from nnbook import init
    >>> print(init.calculate_gain("tanh"), round(init.calculate_gain("relu"), 4))
    1.6666666666666667 1.4142
    >>> print(round(init.calculate_gain("leaky_relu", 5 ** 0.5), 4))   # what nn.Linear uses
    0.5774
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: the negative slope must be a number, got {param!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use one of {', '.join(_NONLINEARITIES)}"
    )


def _array(tensor, caller: str) -> np.ndarray:
    """The float array that ``tensor`` holds, to be written in place."""
    array = tensor.data if isinstance(tensor, Tensor) else tensor
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError(
            f"{caller}: expected a Tensor (such as a layer's weight) or a float ndarray, "
            f"got {type(tensor).__name__}"
        )
    return array


def _fans(array: np.ndarray, caller: str) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel), as PyTorch counts them."""
    if array.ndim < 2:
        raise ValueError(
            f"{caller}: fan in and fan out are defined for a weight of at least 2 axes "
            f"(out_features, in_features, ...), got shape {array.shape}"
        )
    receptive = math.prod(array.shape[2:])
    return array.shape[1] * receptive, array.shape[0] * receptive


def _fan(array: np.ndarray, mode: str, caller: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{caller}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(array, caller)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, array: np.ndarray, values: np.ndarray):
    array[...] = values
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0, rng=None):
    """Fill ``tensor`` in place with draws from the uniform distribution on [a, b).

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        Any shape, a floating dtype (kept).
    a, b : float
        The bounds.
    rng : None, int or numpy.random.Generator
        Where the draws come from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> b = init.uniform_(nn.Parameter(np.zeros(1000)), -0.5, 0.5, rng=0)
    >>> print(round(float(b.data.min()), 2), round(float(b.data.max()), 2))
    -0.5 0.5
    """
    array = _array(tensor, "uniform_")
    return _fill(tensor, array, get_rng(rng).uniform(a, b, size=array.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, rng=None):
    r"""Fill ``tensor`` in place with draws from $\mathcal N(\text{mean}, \text{std}^2)$.

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        Any shape, a floating dtype (kept).
    mean, std : float
        The mean and standard deviation.
    rng : None, int or numpy.random.Generator
        Where the draws come from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> w = init.normal_(nn.Parameter(np.zeros((100, 100))), std=0.1, rng=0)
    >>> print(round(float(w.data.std()), 2))
    0.1
    """
    array = _array(tensor, "normal_")
    return _fill(tensor, array, get_rng(rng).normal(mean, std, size=array.shape))


def zeros_(tensor):
    """Fill ``tensor`` in place with zeros.

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        Any shape, a floating dtype (kept).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> print(init.zeros_(nn.Parameter(np.ones(3))).data)
    [0. 0. 0.]
    """
    return _fill(tensor, _array(tensor, "zeros_"), 0.0)


def xavier_uniform_(tensor, gain: float = 1.0, rng=None):
    r"""Glorot's uniform initialisation: $U(-a, a)$, $a = \text{gain}\sqrt{6/(\text{fan\_in} + \text{fan\_out})}$.

    The forward pass keeps the variance of the activations when
    $\operatorname{Var}(w) = 1/\text{fan\_in}$, the backward pass keeps the variance of
    the gradients when $\operatorname{Var}(w) = 1/\text{fan\_out}$; Glorot and Bengio
    (2010) take the compromise $\operatorname{Var}(w) = 2/(\text{fan\_in} +
    \text{fan\_out})$, which a uniform distribution on $(-a, a)$ (variance $a^2/3$) has
    for the $a$ above. ``gain`` (see `calculate_gain`) scales it for a nonlinearity.

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        A weight of shape ``(fan_out, fan_in)`` or ``(out_ch, in_ch, *kernel)``.
    gain : float
        The factor on the standard deviation.
    rng : None, int or numpy.random.Generator
        Where the draws come from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> w = init.xavier_uniform_(nn.Parameter(np.zeros((200, 300))), rng=0)
    >>> print(round(float(w.data.var() * (200 + 300) / 2), 2))   # Var(w) = 2 / (fan_in + fan_out)
    1.0
    """
    array = _array(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(array, "xavier_uniform_")
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, array, get_rng(rng).uniform(-bound, bound, size=array.shape))


def xavier_normal_(tensor, gain: float = 1.0, rng=None):
    r"""Glorot's normal initialisation: $\mathcal N(0, \sigma^2)$, $\sigma = \text{gain}\sqrt{2/(\text{fan\_in} + \text{fan\_out})}$.

    The variance $2/(\text{fan\_in} + \text{fan\_out})$ is Glorot and Bengio's (2010)
    compromise between keeping the activations' variance through the forward pass
    ($1/\text{fan\_in}$) and the gradients' through the backward pass
    ($1/\text{fan\_out}$); see `xavier_uniform_`.

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        A weight of shape ``(fan_out, fan_in)`` or ``(out_ch, in_ch, *kernel)``.
    gain : float
        The factor on the standard deviation.
    rng : None, int or numpy.random.Generator
        Where the draws come from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> w = init.xavier_normal_(nn.Parameter(np.zeros((200, 300))), rng=0)
    >>> print(round(float(w.data.var() * (200 + 300) / 2), 2))
    1.0
    """
    array = _array(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(array, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, array, get_rng(rng).normal(0.0, std, size=array.shape))


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    r"""He's uniform initialisation: $U(-b, b)$, $b = \text{gain}\sqrt{3/\text{fan}}$.

    A ReLU zeroes the negative half of a symmetric input, so it halves the second
    moment that reaches the next layer; He et al. (2015) keep the variance of the
    activations constant through a ReLU network with $\operatorname{Var}(w) =
    2/\text{fan\_in}$, that is a standard deviation of $\text{gain}/\sqrt{\text{fan}}$
    with gain $\sqrt 2$. A uniform distribution on $(-b, b)$ has variance $b^2/3$,
    hence $b$. ``mode="fan_out"`` keeps the gradients' variance in the backward pass
    instead.

    With the defaults (``nonlinearity="leaky_relu"`` and slope ``a=0``), the gain is
    that of the ReLU. `nnbook.nn.Linear` uses ``a=√5``, PyTorch's default: gain
    $\sqrt{1/3}$, so $b = 1/\sqrt{\text{fan\_in}}$.

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        A weight of shape ``(fan_out, fan_in)`` or ``(out_ch, in_ch, *kernel)``.
    a : float
        The negative slope of the leaky ReLU that follows (0 for a ReLU).
    mode : {"fan_in", "fan_out"}
        Keep the variance of the forward pass (``fan_in``) or of the backward pass.
    nonlinearity : str
        The nonlinearity that follows, as in `calculate_gain`; ``"relu"`` or
        ``"leaky_relu"`` in the cases the scheme was made for.
    rng : None, int or numpy.random.Generator
        Where the draws come from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> w = init.kaiming_uniform_(nn.Parameter(np.zeros((200, 300))), nonlinearity="relu", rng=0)
    >>> print(round(float(w.data.var() * 300 / 2), 2))   # Var(w) = 2 / fan_in
    1.0
    """
    array = _array(tensor, "kaiming_uniform_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(array, mode, "kaiming_uniform_"))
    bound = math.sqrt(3.0) * std
    return _fill(tensor, array, get_rng(rng).uniform(-bound, bound, size=array.shape))


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    r"""He's normal initialisation: $\mathcal N(0, \sigma^2)$, $\sigma = \text{gain}/\sqrt{\text{fan}}$.

    With the ReLU's gain $\sqrt 2$ this is $\operatorname{Var}(w) = 2/\text{fan\_in}$,
    the variance that keeps the activations' second moment constant through a ReLU
    network (He et al., 2015): the ReLU zeroes half of its symmetric input, and the
    factor 2 makes up for it. See `kaiming_uniform_` for the arguments.

    Parameters
    ----------
    tensor : Tensor or numpy.ndarray
        A weight of shape ``(fan_out, fan_in)`` or ``(out_ch, in_ch, *kernel)``.
    a : float
        The negative slope of the leaky ReLU that follows (0 for a ReLU).
    mode : {"fan_in", "fan_out"}
        Keep the variance of the forward pass (``fan_in``) or of the backward pass.
    nonlinearity : str
        The nonlinearity that follows, as in `calculate_gain`.
    rng : None, int or numpy.random.Generator
        Where the draws come from (see `nnbook.rng.get_rng`).

    Returns
    -------
    Tensor or numpy.ndarray
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import init, nn
    >>> w = init.kaiming_normal_(nn.Parameter(np.zeros((200, 300))), nonlinearity="relu", rng=0)
    >>> print(round(float(w.data.var() * 300 / 2), 2))
    1.0
    """
    array = _array(tensor, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(array, mode, "kaiming_normal_"))
    return _fill(tensor, array, get_rng(rng).normal(0.0, std, size=array.shape))
