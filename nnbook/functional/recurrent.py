r"""The gate arithmetic of one LSTM or GRU step, each as one primitive with its VJP written out.

A recurrent step is a dozen small elementwise operations on the gates. Recorded one by
one, a step would be a dozen nodes of the graph, and a sequence of T steps twelve T;
as one primitive each step's gates are one node, and the VJP below is the chain rule
through them done by hand (as PyTorch's fused cells do). The matrix products stay
outside, in `nnbook.functional.linear`: `nnbook.nn.LSTM` and `nnbook.nn.GRU` compute
$a = W_{ih} x_t + b_{ih}$ for all steps at once and $W_{hh} h_{t-1} + b_{hh}$ once a step,
and hand them here. Gates are in PyTorch's order: LSTM input, forget, cell, output;
GRU reset, update, new. $H$ is the hidden size; every array is ``(N, ·)``.
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.registry import primitive

__all__ = ["lstm_cell", "gru_cell"]


def _blocks(a: Tensor, count: int, caller: str, H: int | None = None) -> int:
    if a.ndim != 2 or a.shape[1] % count or (H is not None and a.shape[1] != count * H):
        want = f"(N, {count}·H)" if H is None else f"(N, {count * H})"
        raise ValueError(f"{caller}: the gates must have shape {want}, got {a.shape}")
    return a.shape[1] // count


@primitive
def lstm_cell(a, c) -> Tensor:
    r"""One LSTM step from its gate pre-activations ``a`` and cell state ``c``: $[h_t, c_t]$ side by side.

    With ``a`` split into four blocks of H, $i = \sigma(a^i)$, $f = \sigma(a^f)$,
    $g = \tanh(a^g)$, $o = \sigma(a^o)$, and $c_t = f \odot c + i \odot g$,
    $h_t = o \odot \tanh(c_t)$. The result is ``(N, 2H)``: $h_t$ then $c_t$.

    VJP, from $\bar h$ and $\bar c$ (the two halves of $\bar v$), with
    $\hat c = \bar c + \bar h \odot o \odot (1 - \tanh^2 c_t)$:
    $\bar a^o = \bar h \odot \tanh c_t \odot o(1 - o)$, $\bar a^i = \hat c \odot g \odot i(1 - i)$,
    $\bar a^f = \hat c \odot c \odot f(1 - f)$, $\bar a^g = \hat c \odot i \odot (1 - g^2)$,
    and $\bar c_{t-1} = \hat c \odot f$ — the additive path along which the cell state
    carries its gradient.

    Parameters
    ----------
    a : Tensor or array_like
        Shape ``(N, 4H)``.
    c : Tensor or array_like
        Shape ``(N, H)``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> a = nb.tensor(np.zeros((1, 4)), requires_grad=True)       # H = 1: every gate at 0
    >>> out = F.lstm_cell(a, [[1.0]])                               # i = f = o = 1/2, g = 0
    >>> print(out.data.round(4))                                    # h = tanh(1/2)/2, c = 1/2
    [[0.2311 0.5   ]]
    >>> out[:, 1].sum().backward()                                  # the gradient of c_t
    >>> print(a.grad)                                               # only f's: c f (1 - f)
    [[0.   0.25 0.5  0.  ]]
    """
    a, c = as_tensor(a), as_tensor(c)
    H = _blocks(a, 4, "lstm_cell")
    if c.shape != (a.shape[0], H):
        raise ValueError(f"lstm_cell: the cell state must have shape {(a.shape[0], H)}, got {c.shape}")
    s = numerics.sigmoid(a.data)  # i, f and o (the g block is not used)
    i, f, o = s[:, :H], s[:, H : 2 * H], s[:, 3 * H :]
    g = np.tanh(a.data[:, 2 * H : 3 * H])
    c_next = f * c.data + i * g
    tc = np.tanh(c_next)
    out = np.concatenate([o * tc, c_next], axis=1)

    def vjp(v):
        gh, gc = v[:, :H], v[:, H:]
        gc = gc + gh * o * (1 - tc * tc)
        ga = np.concatenate([gc * g * i * (1 - i), gc * c.data * f * (1 - f),
                             gc * i * (1 - g * g), gh * tc * o * (1 - o)], axis=1)
        return ga, gc * f

    return Tensor.from_op(out, (a, c), vjp, "lstm_cell")


@primitive
def gru_cell(a, b, h) -> Tensor:
    r"""One step of PyTorch's GRU from its input part ``a``, state part ``b`` and state ``h``.

    With ``a`` $= W_{ih} x_t + b_{ih}$ and ``b`` $= W_{hh} h + b_{hh}$, each split into
    reset, update and new blocks of H: $r = \sigma(a^r + b^r)$, $z = \sigma(a^z + b^z)$,
    $n = \tanh(a^n + r \odot b^n)$, and $h_t = (1 - z) \odot n + z \odot h$.

    VJP, from $\bar v$: $\bar h_{t-1} = \bar v \odot z$; with $\hat n = \bar v \odot (1 -
    z) \odot (1 - n^2)$, $\hat z = \bar v \odot (h - n) \odot z(1 - z)$ and
    $\hat r = \hat n \odot b^n \odot r(1 - r)$: $\bar a = [\hat r, \hat z, \hat n]$ and
    $\bar b = [\hat r, \hat z, \hat n \odot r]$.

    Parameters
    ----------
    a, b : Tensor or array_like
        Shape ``(N, 3H)`` each.
    h : Tensor or array_like
        Shape ``(N, H)``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> h = nb.tensor([[2.0]], requires_grad=True)
    >>> v = F.gru_cell(np.zeros((1, 3)), np.zeros((1, 3)), h)      # r = z = 1/2, n = 0
    >>> print(v.data)                                              # h_t = z h
    [[1.]]
    >>> v.backward(np.ones((1, 1)))
    >>> print(h.grad)
    [[0.5]]
    """
    a, b, h = as_tensor(a), as_tensor(b), as_tensor(h)
    H = _blocks(a, 3, "gru_cell")
    _blocks(b, 3, "gru_cell", H)
    if b.shape != a.shape or h.shape != (a.shape[0], H):
        raise ValueError(
            f"gru_cell: the gates {a.shape} and {b.shape} and the state {h.shape} do not fit: "
            f"they must be (N, 3H), (N, 3H) and (N, H)"
        )
    rz = numerics.sigmoid(a.data[:, : 2 * H] + b.data[:, : 2 * H])
    r, z = rz[:, :H], rz[:, H:]
    bn = b.data[:, 2 * H :]
    n = np.tanh(a.data[:, 2 * H :] + r * bn)
    out = (1 - z) * n + z * h.data

    def vjp(v):
        dn = v * (1 - z) * (1 - n * n)
        dz = v * (h.data - n) * z * (1 - z)
        dr = dn * bn * r * (1 - r)
        return (np.concatenate([dr, dz, dn], axis=1), np.concatenate([dr, dz, dn * r], axis=1), v * z)

    return Tensor.from_op(out, (a, b, h), vjp, "gru_cell")
