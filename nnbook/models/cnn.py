r"""The small convolutional network of the chapter *Convolutional networks*: `SmallCNN`.

A stack of blocks — a convolution with "same" zero padding, a ReLU and a 2 × 2
max-pooling — followed by a dense layer on the flattened feature maps, in the manner
of LeCun et al.'s LeNet, sized for the 8 × 8 digits of `nnbook.data.load_digits`. The
children are numbered as in `nn.Sequential`, so that the parameters are keyed as
PyTorch keys ``torch.nn.Sequential(Conv2d, ReLU, MaxPool2d, …, Flatten, Linear)``.
"""

from __future__ import annotations

from typing import Sequence

from nnbook.checks import positive_int
from nnbook.nn import Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential
from nnbook.rng import get_rng

__all__ = ["SmallCNN"]


class SmallCNN(Sequential):
    r"""Convolution blocks (conv, ReLU, 2 × 2 max-pool), then one dense layer to the class scores.

    Block $b$ is ``Conv2d(C_{b-1}, C_b, kernel_size, padding=kernel_size // 2)``, which
    keeps the height and width, then ``ReLU()`` and ``MaxPool2d(2)``, which halves them
    (rounding down); $C_0$ = ``in_channels`` and $C_1, C_2, \dots$ = ``channels``.
    ``Flatten()`` and ``Linear(C_B S^2, classes)`` follow, where $S$ is the side left
    after the $B$ poolings. With the defaults — 8 × 8 images, channels (8, 16) — the
    children are ``0`` conv, ``1`` ReLU, ``2`` pool, ``3`` conv, ``4`` ReLU, ``5`` pool,
    ``6`` flatten and ``7`` linear, and the model has
    $(1·9 + 1)·8 + (8·9 + 1)·16 + (16·4 + 1)·10 = 1898$ parameters.

    Parameters
    ----------
    channels : sequence of int
        The output channels of each convolution, one block per entry (at least one).
    classes : int
        The number of outputs (class scores, logits).
    in_channels : int
        Channels of the input images.
    image_size : int
        Height and width of the (square) input images.
    kernel_size : int
        Side of every convolution kernel; odd, so that the padding keeps the size.
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`); the layers
        draw from one generator in order, each as `nn.Conv2d` and `nn.Linear` do.

    Attributes
    ----------
    channels : tuple of int
    classes, in_channels, image_size, kernel_size : int

    Examples
    --------
    Input ``(N, in_channels, image_size, image_size)``, output ``(N, classes)``:

    >>> import numpy as np
    >>> from nnbook.models.cnn import SmallCNN
    >>> model = SmallCNN(rng=0)
    >>> model(np.zeros((5, 1, 8, 8))).shape
    (5, 10)
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias']
    >>> sum(p.data.size for p in model.parameters())
    1898
    >>> model[:3](np.zeros((5, 1, 8, 8))).shape      # after the first block
    (5, 8, 4, 4)
    >>> SmallCNN(channels=(4, 4, 4, 4))
    Traceback (most recent call last):
    ValueError: SmallCNN: 4 poolings by 2 leave nothing of images of 8 x 8 pixels; use fewer blocks or larger images
    """

    def __init__(self, channels: Sequence[int] = (8, 16), classes: int = 10, in_channels: int = 1,
                 image_size: int = 8, kernel_size: int = 3, rng=None):
        try:
            widths = list(channels)
        except TypeError:
            raise TypeError(f"SmallCNN: channels must be a sequence of ints, got {channels!r}") from None
        if not widths:
            raise ValueError("SmallCNN: channels must list at least one convolution's channels")
        widths = [positive_int(c, f"channels[{i}]", "SmallCNN") for i, c in enumerate(widths)]
        classes = positive_int(classes, "classes", "SmallCNN")
        in_channels = positive_int(in_channels, "in_channels", "SmallCNN")
        image_size = positive_int(image_size, "image_size", "SmallCNN")
        kernel_size = positive_int(kernel_size, "kernel_size", "SmallCNN")
        if kernel_size % 2 == 0:
            raise ValueError(
                f"SmallCNN: kernel_size must be odd, so that padding {kernel_size // 2} keeps "
                f"the image size; got {kernel_size}"
            )
        side = image_size
        for _ in widths:
            side //= 2
        if side < 1:
            raise ValueError(
                f"SmallCNN: {len(widths)} poolings by 2 leave nothing of images of {image_size} x "
                f"{image_size} pixels; use fewer blocks or larger images"
            )
        generator = get_rng(rng)
        layers = []
        for c_in, c_out in zip([in_channels] + widths[:-1], widths):
            layers += [Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, rng=generator),
                       ReLU(), MaxPool2d(2)]
        layers += [Flatten(), Linear(widths[-1] * side * side, classes, rng=generator)]
        super().__init__(*layers)
        self.channels = tuple(widths)
        self.classes = classes
        self.in_channels = in_channels
        self.image_size = image_size
        self.kernel_size = kernel_size
