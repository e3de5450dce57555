"""Argument checks shared across the library, so that one mistake gets one message.

Every function here takes ``caller``, the name of the public function or layer that
is checking its input, and starts its message with it: the error points at the line
the reader wrote, not at the check.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["positive_int", "layer_shapes"]


def positive_int(value, name: str, caller: str) -> int:
    """``value`` as an ``int`` if it is an integer of at least 1; raise otherwise.

    Floats are refused even when integral (``2.0``), and so are booleans: a size is
    counted, never measured, and ``True`` passed as a size is a mistake.

    Raises
    ------
    TypeError
        If ``value`` is not a Python or numpy integer.
    ValueError
        If it is smaller than 1.

    Examples
    --------
    >>> from nnbook.checks import positive_int
    >>> positive_int(3, "width", "layer")
    3
    >>> positive_int(2.0, "width", "layer")
    Traceback (most recent call last):
    TypeError: layer: width must be a positive int, got 2.0 (float)
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{caller}: {name} must be a positive int, got {value!r} ({type(value).__name__})"
        )
    if value < 1:
        raise ValueError(f"{caller}: {name} must be a positive int, got {value}")
    return int(value)


def layer_shapes(weight_shapes: Sequence[tuple[int, ...]], caller: str, x_shape=None) -> None:
    """Raise unless the weight matrices are 2-D and each takes the previous one's outputs.

    Layer ``l`` (counted from 1) has a weight of shape ``(outputs, inputs)``, as
    ``Wˡ`` in the book and ``weight`` in ``nn.Linear``. If ``x_shape`` is given, it is
    the shape of one input, or of a batch of them with the examples along axis 0:
    its last axis must be layer 1's inputs.

    Examples
    --------
    >>> from nnbook.checks import layer_shapes
    >>> layer_shapes([(4, 3), (1, 4)], "net", x_shape=(10, 3))
    >>> layer_shapes([(4, 3), (1, 5)], "net")
    Traceback (most recent call last):
    ValueError: net: W of layer 2 has shape (1, 5), so it takes 5 inputs, but layer 1 has 4 outputs
    """
    if len(weight_shapes) == 0:
        raise ValueError(f"{caller}: no layers given; give at least one weight matrix")
    for l, shape in enumerate(weight_shapes, start=1):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(f"{caller}: W of layer {l} must be 2-D, got shape {shape}")
        if l > 1 and shape[1] != weight_shapes[l - 2][0]:
            raise ValueError(
                f"{caller}: W of layer {l} has shape {shape}, so it takes {shape[1]} inputs, "
                f"but layer {l - 1} has {weight_shapes[l - 2][0]} outputs"
            )
    if x_shape is not None:
        x_shape = tuple(x_shape)
        first = tuple(weight_shapes[0])
        if len(x_shape) == 0 or x_shape[-1] != first[1]:
            raise ValueError(
                f"{caller}: x must end in an axis of length {first[1]} (W of layer 1 has shape "
                f"{first}), got shape {x_shape}"
            )
