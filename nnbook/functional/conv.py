r"""Convolution and max-pooling over images, each forward next to its VJP, without pixel loops.

Conventions, PyTorch's: images are ``(N, C, H, W)`` — examples, channels, height,
width; a convolution's weight is ``(O, C, kh, kw)`` — output channels, input channels,
kernel height and width. ``stride`` and ``padding`` are an int or an ``(along H,
along W)`` pair. The output has height $H_o = \lfloor (H + 2p - k_h)/s \rfloor + 1$,
and likewise along the width.

The convolution looks at the input through a strided *view* of all its windows
(`numpy.lib.stride_tricks.sliding_window_view`: no copy), copies that view once into a
matrix with one column per output pixel and one row per window entry (*im2col*), and
then it is one matrix product with the weight — the same product a dense layer would
compute, with one weight matrix shared by every position. Its VJP is two more
products, and the gradient of the input is added back window position by window
position (*col2im*), a loop over the $k_h k_w$ entries of the kernel. Max-pooling
takes a running maximum over strided slices of the input, first along the width and
then along the height, one slice per window entry; neither op ever loops over
examples, channels or pixels.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.registry import primitive

__all__ = ["conv2d", "max_pool2d"]


def _pair(value, name: str, caller: str, low: int) -> tuple[int, int]:
    """An int or a pair of ints, each at least ``low``, as a pair."""
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2 or any(
        isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < low for v in pair
    ):
        raise ValueError(
            f"{caller}: {name} must be an int >= {low} or a pair of them, got {value!r}"
        )
    return int(pair[0]), int(pair[1])


def _image(x: Tensor, caller: str) -> None:
    if x.ndim != 4:
        raise ValueError(
            f"{caller}: the input must have shape (N, C, H, W) — examples, channels, height, "
            f"width — got shape {x.shape}"
        )


def _windows(data: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """A view of shape ``(N, C, Ho, Wo, kh, kw)``: window ``(i, j)`` of every image and channel."""
    view = sliding_window_view(data, kernel, axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1]]


def _col2im(cols: np.ndarray, shape, kernel, stride) -> np.ndarray:
    """Add each window entry's gradient back where it was read: the adjoint of `_windows`.

    ``cols`` has shape ``(C, kh, kw, N, Ho, Wo)``, the layout of the im2col matrix; the
    result has ``shape`` ``(N, C, H, W)``, held channel-major (a transposed view of a
    ``(C, N, H, W)`` array) so that every addition below reads and writes in order.
    """
    N, C, H, W = shape
    out = np.zeros((C, N, H, W), dtype=cols.dtype)
    ho, wo = cols.shape[4:6]
    for a in range(kernel[0]):
        for b in range(kernel[1]):
            # The entries (a, b) of all windows sit on a strided grid: no two coincide.
            out[:, :, a : a + stride[0] * ho : stride[0], b : b + stride[1] * wo : stride[1]] += cols[:, a, b]
    return out.transpose(1, 0, 2, 3)


def _first_maximum(entries: list[np.ndarray], nan: bool) -> tuple[np.ndarray, np.ndarray]:
    """The elementwise maximum of ``entries`` and which entry gave it, the first if several tie.

    A strict ``>`` keeps the first maximum (PyTorch's choice). With ``nan``, a NaN wins
    wherever it appears, as in PyTorch (``np.maximum`` propagates it; the last NaN is
    the one recorded).
    """
    if len(entries) == 2:  # the common 2-wide window: two passes
        better = np.greater(entries[1], entries[0])
        if nan:
            better |= np.isnan(entries[1])
        return np.maximum(entries[0], entries[1]), better.view(np.uint8)
    out = entries[0].copy(order="K")  # K: keep the input's memory order (a conv's output is channel-major)
    winner = np.zeros_like(out, dtype=np.uint8 if len(entries) < 256 else np.intp)
    for k, entry in enumerate(entries[1:], start=1):
        better = np.greater(entry, out)
        if nan:
            better |= np.isnan(entry)
        np.maximum(out, entry, out=out)
        # the last entry that improved on the running maximum is the first maximum; in
        # arithmetic rather than a masked copy, which is slow on a channel-major layout
        np.maximum(winner, np.multiply(better, k, dtype=winner.dtype), out=winner)
    return out, winner


def _to_winners(g, winner, like: np.ndarray, axis: int, step: int, count: int) -> np.ndarray:
    """The adjoint of one `_first_maximum` pass of ``count`` entries along ``axis``: ``g`` to each winner.

    The result has the shape and memory order of ``like``, the pass's input.
    """
    # Windows side by side that cover the whole axis write every entry: no zeros needed.
    covered = count == step and like.shape[axis] == count * g.shape[axis]
    total = (np.empty_like if covered else np.zeros_like)(like, dtype=g.dtype)
    if np.argsort(g.strides).tolist() != np.argsort(winner.strides).tolist():
        ordered = np.empty_like(winner, dtype=g.dtype)  # one pass across two layouts, not several
        np.copyto(ordered, g)
        g = ordered
    span = step * (g.shape[axis] - 1) + 1
    for k in range(count):
        index = [slice(None)] * 4
        index[axis] = slice(k, k + span, step)
        spot = total[tuple(index)]
        if count > step:  # windows overlap: an entry may win for several, and gets the sum
            spot += np.where(winner == k, g, 0)
        else:
            np.multiply(g, winner == k, out=spot)
    return total


@primitive
def conv2d(x, weight, bias=None, stride=1, padding=0) -> Tensor:
    r"""The 2-D cross-correlation of images with a bank of kernels, plus a bias per output channel.

    $v_{n,o,i,j} = b_o + \sum_{c,a,b} w_{o,c,a,b}\, x_{n,c,\,s i + a - p,\, s j + b - p}$,
    with $x$ taken as 0 outside the image (zero padding $p$) — what PyTorch and every deep
    learning library call convolution (the kernel is not flipped).

    VJP, with $X$ the im2col matrix (one column per output pixel), $W$ the weight as an
    $O \times C k_h k_w$ matrix and $G$ the matching $O$ rows of $\bar v$: $\bar w = G X^\top$,
    $\bar b = \sum \bar v$ over examples and pixels, and $\bar x$ = col2im$(W^\top G)$ — which is itself a convolution of $\bar v$ with the
    flipped kernel, computed here by the same two layouts.

    Parameters
    ----------
    x : Tensor or array_like
        Shape ``(N, C, H, W)``.
    weight : Tensor or array_like
        Shape ``(O, C, kh, kw)``.
    bias : Tensor or array_like, optional
        Shape ``(O,)``.
    stride, padding : int or (int, int)
        Step between windows (at least 1), and zeros added on each side (at least 0).

    Returns
    -------
    Tensor
        Shape ``(N, O, Ho, Wo)``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> w = nb.tensor([[[[1.0, 0.0], [0.0, -1.0]]]], requires_grad=True)  # x[i, j] − x[i+1, j+1]
    >>> v = F.conv2d(x, w, stride=2)
    >>> print(v.data)
    [[[[-5. -5.]
       [-5. -5.]]]]
    >>> v.sum().backward()
    >>> print(w.grad)  # each kernel entry's sum over the four windows it saw
    [[[[20. 24.]
       [36. 40.]]]]
    """
    x, weight = as_tensor(x), as_tensor(weight)
    _image(x, "conv2d")
    if weight.ndim != 4:
        raise ValueError(
            f"conv2d: the weight must have shape (O, C, kh, kw) — output channels, input "
            f"channels, kernel height, kernel width — got shape {weight.shape}"
        )
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"conv2d: the input has {x.shape[1]} channels (shape {x.shape}) but the weight of "
            f"shape {weight.shape} expects {weight.shape[1]}"
        )
    stride = _pair(stride, "stride", "conv2d", 1)
    padding = _pair(padding, "padding", "conv2d", 0)
    O, C, kh, kw = weight.shape
    N, _, H, W = x.shape
    Hp, Wp = H + 2 * padding[0], W + 2 * padding[1]
    if kh > Hp or kw > Wp:
        raise ValueError(
            f"conv2d: the kernel ({kh}, {kw}) is larger than the padded input ({Hp}, {Wp}) "
            f"(input {x.shape}, padding {padding})"
        )
    parents = [x, weight]
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (O,):
            raise ValueError(f"conv2d: the bias must have shape ({O},), one per output channel, got {bias.shape}")
        parents.append(bias)

    xp = np.pad(x.data, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2)) if any(padding) else x.data
    windows = _windows(xp, (kh, kw), stride)  # (N, C, Ho, Wo, kh, kw), a view
    Ho, Wo = windows.shape[2:4]
    # im2col, one copy: a row per window entry (c, a, b), a column per output pixel (n, i, j).
    # Laid out this way, the copy reads runs of neighbouring pixels, and the product has
    # the long axis last, where BLAS is fastest.
    cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(C * kh * kw, N * Ho * Wo)
    wmat = weight.data.reshape(O, C * kh * kw)
    out = wmat @ cols  # (O, N·Ho·Wo): one GEMM
    if bias is not None:
        out += bias.data[:, None]
    out = out.reshape(O, N, Ho, Wo).transpose(1, 0, 2, 3)  # (N, O, Ho, Wo), a view: no copy

    def vjp(g):
        G = g.transpose(1, 0, 2, 3).reshape(O, N * Ho * Wo)  # free when g has out's layout
        gx = gw = gb = None
        if x.requires_grad:
            dcols = (wmat.T @ G).reshape(C, kh, kw, N, Ho, Wo)
            gx = _col2im(dcols, xp.shape, (kh, kw), stride)
            if any(padding):
                gx = gx[:, :, padding[0] : padding[0] + H, padding[1] : padding[1] + W]
        if weight.requires_grad:
            gw = (G @ cols.T).reshape(weight.shape)
        if bias is not None and bias.requires_grad:
            gb = G.sum(axis=1)
        return (gx, gw, gb)[: len(parents)]

    return Tensor.from_op(out, parents, vjp, "conv2d")


@primitive
def max_pool2d(x, kernel_size, stride=None) -> Tensor:
    r"""The largest value of each ``kernel_size`` window, for every image and channel.

    ``stride`` defaults to ``kernel_size`` (windows side by side), as in PyTorch.

    VJP: each window's $\bar v$ goes to the entry that was its maximum — the first in
    row-major order if several tie, as PyTorch picks one; an entry that is the maximum
    of several overlapping windows gets the sum.

    Parameters
    ----------
    x : Tensor or array_like
        Shape ``(N, C, H, W)``.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional

    Returns
    -------
    Tensor
        Shape ``(N, C, Ho, Wo)``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> x = nb.tensor([[[[1.0, 2.0, 0.0, 0.0],
    ...                  [4.0, 3.0, 0.0, 5.0]]]], requires_grad=True)
    >>> v = F.max_pool2d(x, 2)
    >>> print(v.data)
    [[[[4. 5.]]]]
    >>> v.sum().backward()
    >>> print(x.grad)
    [[[[0. 0. 0. 0.]
       [1. 0. 0. 1.]]]]
    """
    x = as_tensor(x)
    _image(x, "max_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "max_pool2d", 1)
    stride = kernel if stride is None else _pair(stride, "stride", "max_pool2d", 1)
    if kernel[0] > x.shape[2] or kernel[1] > x.shape[3]:
        raise ValueError(
            f"max_pool2d: the window {kernel} is larger than the input's height and width "
            f"{x.shape[2:]} (input {x.shape})"
        )
    (kh, kw), (sh, sw) = kernel, stride
    Ho, Wo = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    rows, cols = sh * (Ho - 1) + 1, sw * (Wo - 1) + 1  # the span of a window's first entries
    # A window's maximum is the maximum over its rows of each row's maximum: first along
    # the width (every row, every output column), then along the height. Each pass is a
    # running maximum over strided views of the input, never a copy of the windows.
    nan = bool(np.isnan(x.data).any())
    across, across_winner = _first_maximum([x.data[:, :, :, b : b + cols : sw] for b in range(kw)], nan)
    out, down_winner = _first_maximum([across[:, :, a : a + rows : sh] for a in range(kh)], nan)

    def vjp(g):
        # back through the two passes: to the winning row of each window, then to the
        # winning column of that row; windows that overlap add their shares
        g_across = _to_winners(g, down_winner, across, 2, sh, kh)
        return (_to_winners(g_across, across_winner, x.data, 3, sw, kw),)

    return Tensor.from_op(out, (x,), vjp, "max_pool2d")
