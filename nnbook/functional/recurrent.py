r"""Recurrent gates: one LSTM or GRU step, and a whole sequence, each as one primitive.

A recurrent step is a dozen small elementwise operations on the gates. Recorded one by
one, a step would be a dozen nodes of the graph, and a sequence of T steps twelve T.
`lstm_cell` and `gru_cell` make each step's gate arithmetic one node, whose VJP is the
chain rule through the gates done by hand. `lstm_sequence` and `gru_sequence` go one
step further, as PyTorch's fused recurrent kernels do: the whole layer over all T
steps is one node, and its VJP is backpropagation through time written out — a loop
from the last step to the first that carries $\bar h$ (and the LSTM's $\bar c$) back one
step at a time and collects each step's gate gradients, after which the weight
gradients are one matrix product each over all steps at once. Both run the same step
functions below, so a sequence is exactly its cells chained.

Gates are in PyTorch's order: LSTM input, forget, cell, output; GRU reset, update,
new. $H$ is the hidden size; a step's arrays are ``(N, ·)``, a sequence is ``(N, T, ·)``
(batch first) and weights are laid out as PyTorch's: ``weight_ih`` ``(G·H, D)``,
``weight_hh`` ``(G·H, H)``, biases ``(G·H,)``.
"""

from __future__ import annotations

import numpy as np

from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.registry import primitive

__all__ = ["lstm_cell", "gru_cell", "lstm_sequence", "gru_sequence"]


def _blocks(a: Tensor, count: int, caller: str, H: int | None = None) -> int:
    if a.ndim != 2 or a.shape[1] % count or (H is not None and a.shape[1] != count * H):
        want = f"(N, {count}·H)" if H is None else f"(N, {count * H})"
        raise ValueError(f"{caller}: the gates must have shape {want}, got {a.shape}")
    return a.shape[1] // count


def _times(out: np.ndarray, first, *factors) -> None:
    """``out = first * factors[0] * ...``, elementwise, in place in ``out``."""
    np.multiply(first, factors[0], out=out)
    for factor in factors[1:]:
        out *= factor


# -- one step in plain numpy: what a cell and a sequence both run ----------------------------
# Each takes the gates as separate blocks of H — columns of an (N, G·H) array for a cell,
# contiguous (H, N) rows of a (G·H, N) array for a sequence, whose loop runs transposed so
# that every elementwise pass is over contiguous memory.


def _sigmoid_(z: np.ndarray) -> np.ndarray:
    """The sigmoid in place, $1/(1 + e^{-z})$ as written, in four passes.

    Exact for every gate value above the smallest normal number; below it (z < -87 in
    float32, -708 in float64) it gives 0 where `nnbook.numerics.sigmoid`, slower, keeps
    the subnormal.
    A gate of $10^{-38}$ is a closed gate either way.
    """
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


def _lstm_step(i, f, g, o, c_prev, c, tc, h) -> None:
    r"""The gates' pre-activations to the gates, in place; write $c_t$, $\tanh c_t$ and $h_t$."""
    for gate in (i, f, o):
        _sigmoid_(gate)
    np.tanh(g, out=g)
    np.multiply(f, c_prev, out=c)
    c += i * g
    np.tanh(c, out=tc)
    np.multiply(o, tc, out=h)


def _lstm_step_vjp(i, f, g, o, c_prev, tc, gh, gc, gi, gf, gg, go) -> np.ndarray:
    r"""From $\bar h_t$, $\bar c_t$ and the gates: write $\bar a$'s blocks ``gi ... go``; return $\bar c_{t-1}$."""
    c_hat = 1 - tc * tc
    c_hat *= o
    c_hat *= gh
    c_hat += gc  # ĉ = c̄ + h̄ ⊙ o ⊙ (1 − tanh² c_t)
    _times(gi, c_hat, g, i, 1 - i)
    _times(gf, c_hat, c_prev, f, 1 - f)
    _times(gg, c_hat, i, 1 - g * g)
    _times(go, gh, tc, o, 1 - o)
    c_hat *= f
    return c_hat


def _gru_step(ar, az, an, br, bz, bn, h_prev, r, z, n, h) -> None:
    r"""From the input part's and the state part's blocks: write $r$, $z$, $n$ and $h_t$."""
    for gate, a, b in ((r, ar, br), (z, az, bz)):
        np.add(a, b, out=gate)
        _sigmoid_(gate)
    np.multiply(r, bn, out=n)
    n += an
    np.tanh(n, out=n)
    np.subtract(h_prev, n, out=h)
    h *= z
    h += n  # h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}


def _gru_step_vjp(r, z, n, bn, h_prev, gh, dr, dz, dn, dbn) -> np.ndarray:
    r"""From $\bar h_t$: write $\bar a$'s blocks ``dr, dz, dn`` and $\bar b^n$; return $\bar h_t \odot z$.

    $\bar b$'s reset and update blocks are $\bar a$'s.
    """
    _times(dn, gh, 1 - z, 1 - n * n)
    _times(dz, gh, h_prev - n, z, 1 - z)
    _times(dr, dn, bn, r, 1 - r)
    np.multiply(dn, r, out=dbn)
    return gh * z


def _columns(a: np.ndarray, count: int) -> list[np.ndarray]:
    """The ``count`` column blocks of an ``(N, count·H)`` array."""
    H = a.shape[1] // count
    return [a[:, k * H : (k + 1) * H] for k in range(count)]


def _rows(a: np.ndarray, count: int) -> list[np.ndarray]:
    """The ``count`` row blocks of a ``(count·H, N)`` array (contiguous if ``a`` is)."""
    H = a.shape[0] // count
    return [a[k * H : (k + 1) * H] for k in range(count)]


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
    dtype = np.result_type(a.data, c.data)
    gates = np.array(a.data, dtype=dtype)  # the pre-activations, made the gates in place
    out, tc = np.empty((a.shape[0], 2 * H), dtype), np.empty((a.shape[0], H), dtype)
    _lstm_step(*_columns(gates, 4), c.data, out[:, H:], tc, out[:, :H])

    def vjp(v):
        ga = np.empty_like(gates)
        gc = _lstm_step_vjp(*_columns(gates, 4), c.data, tc, v[:, :H], v[:, H:], *_columns(ga, 4))
        return ga, gc

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
    N, dtype = a.shape[0], np.result_type(a.data, b.data, h.data)
    r, z, n, out = (np.empty((N, H), dtype) for _ in range(4))
    bn = b.data[:, 2 * H :]
    _gru_step(*_columns(a.data, 3), *_columns(b.data, 3), h.data, r, z, n, out)

    def vjp(v):
        ga, gb = np.empty((N, 3 * H), dtype), np.empty((N, 3 * H), dtype)
        gh = _gru_step_vjp(r, z, n, bn, h.data, v, *_columns(ga, 3), gb[:, 2 * H :])
        gb[:, : 2 * H] = ga[:, : 2 * H]
        return ga, gb, gh

    return Tensor.from_op(out, (a, b, h), vjp, "gru_cell")


# -- a whole sequence: backpropagation through time as one VJP --------------------------------


def _sequence(caller, gates, x, states, weight_ih, weight_hh, bias_ih, bias_hh):
    """Check a layer's arguments; return its tensors, (N, T, D, H), the dtype and the parents."""
    x, weight_ih, weight_hh = as_tensor(x), as_tensor(weight_ih), as_tensor(weight_hh)
    states = [as_tensor(s) for s in states]
    if weight_ih.ndim != 2 or weight_ih.shape[0] % gates or \
            weight_hh.shape != (weight_ih.shape[0], weight_ih.shape[0] // gates):
        raise ValueError(
            f"{caller}: the weights must be weight_ih ({gates}·H, D) and weight_hh ({gates}·H, H), "
            f"got {weight_ih.shape} and {weight_hh.shape}"
        )
    H, D = weight_ih.shape[0] // gates, weight_ih.shape[1]
    if x.ndim != 3 or x.shape[2] != D or x.shape[1] == 0:
        raise ValueError(
            f"{caller}: the input must have shape (N, T, {D}) with T >= 1 — sequences, steps, "
            f"inputs a step — got {x.shape}"
        )
    N, T = x.shape[:2]
    for state in states:
        if state.shape != (N, H):
            raise ValueError(f"{caller}: an initial state must have shape {(N, H)}, got {state.shape}")
    if (bias_ih is None) != (bias_hh is None):
        raise ValueError(f"{caller}: give both biases, bias_ih and bias_hh, or neither")
    biases = [] if bias_ih is None else [as_tensor(bias_ih), as_tensor(bias_hh)]
    for bias in biases:
        if bias.shape != (gates * H,):
            raise ValueError(f"{caller}: a bias must have shape {(gates * H,)}, got {bias.shape}")
    parents = (x, *states, weight_ih, weight_hh, *biases)
    dtype = np.result_type(*(p.data for p in parents))
    return parents, (N, T, D, H), dtype


def _project(x, weight_ih, dtype):
    """The inputs step-major, ``(T, N, D)``, and their products by ``weight_ih``, ``(T, G·H, N)``."""
    steps = np.ascontiguousarray(x.data.transpose(1, 0, 2), dtype=dtype)
    # one product a step, (G·H, D) @ (D, N), written straight into the loop's layout
    return steps, np.matmul(weight_ih.data.astype(dtype, copy=False), steps.transpose(0, 2, 1))


class _WeightGrads:
    r"""$\bar x$, $\bar W_{ih}$, $\bar W_{hh}$, $\bar b_{ih}$, $\bar b_{hh}$, summed step by step.

    Each step's gate gradients are added in as soon as the backward loop has them, while
    they are still in the cache: $\bar W_{ih} \mathrel{+}= \bar a_t^\top x_t$, $\bar W_{hh}
    \mathrel{+}= \bar b_t^\top h_{t-1}$, the biases by the sums of the rows, and $\bar x_t =
    \bar a_t W_{ih}$ — where $\bar a_t$ is the gradient of a step's input part and
    $\bar b_t$ of its state part (the same array for the LSTM, whose gates add the two).
    """

    def __init__(self, x, weight_ih, weight_hh, steps, dtype):
        T, N, D = steps.shape
        G, H = weight_hh.shape
        self.steps, self.weight_ih = steps, weight_ih.data.astype(dtype, copy=False)
        self.w_ih = np.zeros((G, D), dtype) if weight_ih.requires_grad else None
        self.w_hh = np.zeros((G, H), dtype) if weight_hh.requires_grad else None
        self.b_in, self.b_state = np.zeros(G, dtype), np.zeros(G, dtype)
        self.x = np.empty((T, N, D), dtype) if x.requires_grad else None
        self._product = np.empty((G, H), dtype)

    def add(self, t: int, g_in: np.ndarray, g_state: np.ndarray, h_prev: np.ndarray) -> None:
        """Add step ``t``'s share: ``g_in``, ``g_state`` ``(G·H, N)``, ``h_prev`` ``(H, N)``."""
        if self.w_ih is not None:
            self.w_ih += g_in @ self.steps[t]
        if self.w_hh is not None:
            self.w_hh += np.matmul(g_state, h_prev.T, out=self._product)
        self.b_in += g_in.sum(axis=1)
        if g_state is not g_in:
            self.b_state += g_state.sum(axis=1)
        if self.x is not None:
            np.matmul(g_in.T, self.weight_ih, out=self.x[t])

    def grads(self, shared_bias: bool) -> tuple:
        """$(\bar x, \bar W_{ih}, \bar W_{hh}, \bar b_{ih}, \bar b_{hh})$, $\bar x$ batch first."""
        g_x = None if self.x is None else self.x.transpose(1, 0, 2)
        b_state = self.b_in.copy() if shared_bias else self.b_state
        return g_x, self.w_ih, self.w_hh, self.b_in, b_state


@primitive
def lstm_sequence(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None) -> Tensor:
    r"""An LSTM layer over a whole sequence, as one op: $[h_t, c_t]$ for every step, ``(N, T, 2H)``.

    At each step $t = 1 \dots T$ the pre-activations are $a_t = x_t W_{ih}^\top +
    h_{t-1} W_{hh}^\top + b_{ih} + b_{hh}$ and the step is `lstm_cell`'s, from $h_0$ and
    $c_0$. The products $x_t W_{ih}^\top$ of all steps are one matrix product before the
    loop, and each step has one product by $W_{hh}$; the biases are added once.

    VJP (backpropagation through time): from $t = T$ down to 1, with $\bar h$ and $\bar c$
    the gradients arriving at step $t$ — from $\bar v$ at that step plus what step
    $t + 1$ sent back — the cell's VJP gives $\bar a_t$ and $\bar c_{t-1}$, and
    $\bar h_{t-1} = \bar a_t W_{hh}$. Then, over all steps at once, $\bar W_{hh} =
    \sum_t \bar a_t^\top h_{t-1}$, $\bar W_{ih} = \sum_t \bar a_t^\top x_t$,
    $\bar b_{ih} = \bar b_{hh} = \sum_t \bar a_t$ (summed over rows) and
    $\bar x_t = \bar a_t W_{ih}$.

    Parameters
    ----------
    x : Tensor or array_like
        Shape ``(N, T, D)``, batch first.
    h0, c0 : Tensor or array_like
        Shape ``(N, H)``.
    weight_ih, weight_hh : Tensor or array_like
        Shapes ``(4H, D)`` and ``(4H, H)``, gates in the order input, forget, cell, output.
    bias_ih, bias_hh : Tensor or array_like, optional
        Shape ``(4H,)`` each.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> w_ih = nb.tensor(np.zeros((4, 1)), requires_grad=True)   # H = D = 1, every gate at 0
    >>> out = F.lstm_sequence(np.ones((1, 3, 1)), [[0.0]], [[1.0]], w_ih, np.zeros((4, 1)))
    >>> print(out.data[0].round(4))        # [h_t, c_t] for t = 1, 2, 3: c halves each step
    [[0.2311 0.5   ]
     [0.1225 0.25  ]
     [0.0622 0.125 ]]
    >>> out[:, -1, 1].sum().backward()     # dc_3/dw: the forget gate's 3 c_3 (1 - f),
    >>> print(w_ih.grad.ravel())           # the cell gate's i (1 + f + f^2)
    [0.     0.1875 0.875  0.    ]
    """
    parents, (N, T, D, H), dtype = _sequence(
        "lstm_sequence", 4, x, (h0, c0), weight_ih, weight_hh, bias_ih, bias_hh)
    x, h0, c0, weight_ih, weight_hh = parents[:5]
    steps, gates = _project(x, weight_ih, dtype)  # (T, 4H, N): made the gates in place
    if len(parents) > 5:
        gates += (parents[5].data + parents[6].data)[:, None]
    hc = np.empty((T + 1, 2 * H, N), dtype)  # [h_t; c_t], transposed, for t = 0 ... T
    hc[0, :H], hc[0, H:] = h0.data.T, c0.data.T
    tanh_c = np.empty((T, H, N), dtype)
    w_hh, product = weight_hh.data.astype(dtype, copy=False), np.empty((4 * H, N), dtype)
    zero_start = not h0.data.any()  # the usual h_0 = 0: the first step has no product to add
    for t in range(T):
        if t or not zero_start:
            gates[t] += np.matmul(w_hh, hc[t, :H], out=product)
        _lstm_step(*_rows(gates[t], 4), hc[t, H:], hc[t + 1, H:], tanh_c[t], hc[t + 1, :H])

    def vjp(v):
        v = np.ascontiguousarray(v.transpose(1, 0, 2))  # (T, N, 2H): each step's share in one block
        sums = _WeightGrads(x, weight_ih, weight_hh, steps, dtype)
        g_gates = np.empty((4 * H, N), dtype)  # ā_t, one step at a time
        gh, gc = np.zeros((H, N), dtype), np.zeros((H, N), dtype)
        for t in reversed(range(T)):
            v_t = v[t].T  # (2H, N), the step's share of v̄
            gc = _lstm_step_vjp(*_rows(gates[t], 4), hc[t, H:], tanh_c[t], v_t[:H] + gh, v_t[H:] + gc,
                                *_rows(g_gates, 4))
            sums.add(t, g_gates, g_gates, hc[t, :H])
            if t or h0.requires_grad:
                gh = w_hh.T @ g_gates
        g_x, g_w_ih, g_w_hh, g_b_ih, g_b_hh = sums.grads(shared_bias=True)
        return (g_x, gh.T if h0.requires_grad else None, gc.T, g_w_ih, g_w_hh, g_b_ih, g_b_hh)[: len(parents)]

    return Tensor.from_op(hc[1:].transpose(2, 0, 1), parents, vjp, "lstm_sequence")


@primitive
def gru_sequence(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None) -> Tensor:
    r"""A GRU layer (PyTorch's form) over a whole sequence, as one op: $h_t$ for every step, ``(N, T, H)``.

    At each step the input part is $a_t = x_t W_{ih}^\top + b_{ih}$ (one matrix product
    for all steps, before the loop), the state part $b_t = h_{t-1} W_{hh}^\top + b_{hh}$
    (one product a step), and the step is `gru_cell`'s, from $h_0$.

    VJP (backpropagation through time): from $t = T$ down to 1, with $\bar h$ the gradient
    arriving at step $t$ — from $\bar v$ at that step plus what step $t + 1$ sent back —
    the cell's VJP gives $\bar a_t$, $\bar b_t$ and $\bar h \odot z$, and
    $\bar h_{t-1} = \bar h \odot z + \bar b_t W_{hh}$. Then, over all steps at once,
    $\bar W_{ih} = \sum_t \bar a_t^\top x_t$, $\bar W_{hh} = \sum_t \bar b_t^\top h_{t-1}$,
    $\bar b_{ih} = \sum_t \bar a_t$, $\bar b_{hh} = \sum_t \bar b_t$ (summed over rows)
    and $\bar x_t = \bar a_t W_{ih}$.

    Parameters
    ----------
    x : Tensor or array_like
        Shape ``(N, T, D)``, batch first.
    h0 : Tensor or array_like
        Shape ``(N, H)``.
    weight_ih, weight_hh : Tensor or array_like
        Shapes ``(3H, D)`` and ``(3H, H)``, gates in the order reset, update, new.
    bias_ih, bias_hh : Tensor or array_like, optional
        Shape ``(3H,)`` each.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F
    >>> h0 = nb.tensor([[2.0]], requires_grad=True)                # H = D = 1, every gate at 0
    >>> out = F.gru_sequence(np.ones((1, 3, 1)), h0, np.zeros((3, 1)), np.zeros((3, 1)))
    >>> print(out.data[0].ravel())        # z = 1/2 and n = 0: each step halves the state
    [1.   0.5  0.25]
    >>> out[:, -1].sum().backward()
    >>> print(h0.grad)                    # dh_3/dh_0 = z^3
    [[0.125]]
    """
    parents, (N, T, D, H), dtype = _sequence("gru_sequence", 3, x, (h0,), weight_ih, weight_hh, bias_ih, bias_hh)
    x, h0, weight_ih, weight_hh = parents[:4]
    steps, inputs = _project(x, weight_ih, dtype)  # (T, 3H, N)
    if len(parents) > 4:
        inputs += parents[4].data[:, None]
    hs = np.empty((T + 1, H, N), dtype)  # h_t, transposed, for t = 0 ... T
    hs[0] = h0.data.T
    state_parts = np.empty((T, 3 * H, N), dtype)
    r, z, n = (np.empty((T, H, N), dtype) for _ in range(3))
    w_hh = weight_hh.data.astype(dtype, copy=False)
    zero_start = not h0.data.any()  # the usual h_0 = 0: the first product is zero
    for t in range(T):
        if t or not zero_start:
            np.matmul(w_hh, hs[t], out=state_parts[t])
        else:
            state_parts[t] = 0
        if len(parents) > 4:
            state_parts[t] += parents[5].data[:, None]
        _gru_step(*_rows(inputs[t], 3), *_rows(state_parts[t], 3), hs[t], r[t], z[t], n[t], hs[t + 1])

    def vjp(v):
        v = np.ascontiguousarray(v.transpose(1, 0, 2))  # (T, N, H): each step's share in one block
        sums = _WeightGrads(x, weight_ih, weight_hh, steps, dtype)
        g_in, g_state = np.empty((3 * H, N), dtype), np.empty((3 * H, N), dtype)  # ā_t and b̄_t
        gh = np.zeros((H, N), dtype)
        for t in reversed(range(T)):
            gh = _gru_step_vjp(r[t], z[t], n[t], state_parts[t, 2 * H :], hs[t], v[t].T + gh,
                               *_rows(g_in, 3), g_state[2 * H :])
            g_state[: 2 * H] = g_in[: 2 * H]
            sums.add(t, g_in, g_state, hs[t])
            if t or h0.requires_grad:
                gh += w_hh.T @ g_state
        g_x, g_w_ih, g_w_hh, g_b_ih, g_b_hh = sums.grads(shared_bias=False)
        return (g_x, gh.T if h0.requires_grad else None, g_w_ih, g_w_hh, g_b_ih, g_b_hh)[: len(parents)]

    return Tensor.from_op(hs[1:].transpose(2, 0, 1), parents, vjp, "gru_sequence")
