"""Convolutional layers: `Conv2d` and `MaxPool2d`, with PyTorch's arguments, names and layouts."""

from __future__ import annotations

import math

import numpy as np

from nnbook import functional as F
from nnbook import init
from nnbook.autodiff import Tensor, as_tensor
from nnbook.checks import positive_int
from nnbook.nn.module import Module, Parameter
from nnbook.rng import get_rng

__all__ = ["Conv2d", "MaxPool2d"]


def _size_pair(value, name: str, caller: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{caller}: {name} must be an int or a pair of ints, got {value!r}")
    return tuple(positive_int(v, name, caller) for v in pair)


def _padding_pair(value, caller: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(
        isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 0 for v in pair
    ):
        raise ValueError(f"{caller}: padding must be an int >= 0 or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


class Conv2d(Module):
    r"""A bank of ``out_channels`` kernels slid over the image: `F.conv2d` with learnt weights.

    Every output position uses the same weights — a dense layer whose weights are tied
    across positions and zero outside a ``kernel_size`` window. Weight and bias start
    as PyTorch's do: uniform on $\pm 1/\sqrt{\text{fan\_in}}$ with
    $\text{fan\_in} = \text{in\_channels}\cdot k_h k_w$.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int)
    padding : int or (int, int)
        Zeros added on each side of the height and width.
    bias : bool
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`).

    Attributes
    ----------
    weight : Parameter
        Shape ``(out_channels, in_channels, kh, kw)``.
    bias : Parameter or None
        Shape ``(out_channels,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> conv = nn.Conv2d(1, 16, 3, padding=1, rng=0)
    >>> conv.weight.shape, conv(np.zeros((8, 1, 28, 28))).shape
    ((16, 1, 3, 3), (8, 16, 28, 28))
    >>> conv(np.zeros((8, 3, 28, 28)))
    Traceback (most recent call last):
    ValueError: Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)): the input of shape (8, 3, 28, 28) has 3 channels, the layer takes 1
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, rng=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels", "Conv2d")
        self.out_channels = positive_int(out_channels, "out_channels", "Conv2d")
        self.kernel_size = _size_pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _size_pair(stride, "stride", "Conv2d")
        self.padding = _padding_pair(padding, "Conv2d")
        generator = get_rng(rng)
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels, *self.kernel_size)))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=generator)
        if bias:
            bound = 1 / math.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
            self.bias = Parameter(np.empty(self.out_channels))
            init.uniform_(self.bias, -bound, bound, rng=generator)
        else:
            self.bias = None

    def forward(self, x) -> Tensor:
        """`F.conv2d` of ``x`` (shape ``(N, in_channels, H, W)``) with this layer's weights."""
        x = as_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            got = f"has {x.shape[1]} channels" if x.ndim == 4 else "is not (N, C, H, W)"
            raise ValueError(
                f"{self!r}: the input of shape {x.shape} {got}, the layer takes {self.in_channels}"
            )
        return F.conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")
        return text if self.bias is not None else text + ", bias=False"


class MaxPool2d(Module):
    """The largest value of each window, for every image and channel: `F.max_pool2d`.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``: windows side by side.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> nn.MaxPool2d(2)(np.zeros((8, 16, 28, 28))).shape
    (8, 16, 14, 14)
    """

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _size_pair(kernel_size, "kernel_size", "MaxPool2d")
        self.stride = self.kernel_size if stride is None else _size_pair(stride, "stride", "MaxPool2d")

    def forward(self, x) -> Tensor:
        """`F.max_pool2d` of ``x`` (shape ``(N, C, H, W)``)."""
        return F.max_pool2d(x, self.kernel_size, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
