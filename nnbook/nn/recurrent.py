r"""Recurrent layers: `RNN`, `LSTM` and `GRU`, one layer each, batch first.

A recurrent layer reads a sequence ``x`` of shape ``(N, T, D)`` — N sequences, T steps,
D inputs a step — and carries a hidden state $h_t$ of H numbers from step to step,
with the same weights at every step. Each returns ``(output, state)``: ``output``
``(N, T, H)`` holds $h_1 \dots h_T$, and ``state`` is the last one, $h_T$ of shape
``(N, H)`` (for the LSTM the pair $(h_T, c_T)$). Backpropagation through time needs no
code of its own: unrolled, the layer is one graph of the engine's primitives, and
``backward`` walks it like any other (iteratively, so 2 000 steps are no problem).

The parameters are named and laid out as PyTorch's ``RNNCell``, ``LSTMCell`` and
``GRUCell``: ``weight_ih`` ``(G·H, D)``, ``weight_hh`` ``(G·H, H)``, ``bias_ih`` and
``bias_hh`` ``(G·H,)``, with the G gates stacked in PyTorch's order (LSTM: input,
forget, cell, output; GRU: reset, update, new). So a ``state_dict`` moves between the
two libraries unchanged (PyTorch's multi-layer ``nn.LSTM`` names the same tensors
``weight_ih_l0`` …), and every parameter starts as PyTorch's: uniform on
$\pm 1/\sqrt H$.

Two costs are paid once rather than at every step: the inputs of all T steps are
multiplied by ``weight_ih`` in one matrix product before the loop, and each step
computes all its gates with one product by ``weight_hh``. `RNN` is unrolled into the
graph, a handful of nodes a step, and the engine's ``backward`` is its backpropagation
through time. `LSTM` and `GRU` are each one node for the whole sequence
(`F.lstm_sequence`, `F.gru_sequence`, as PyTorch's fused kernels), whose VJP is
backpropagation through time written out; their values and gradients are those of the
unrolled cells `F.lstm_cell` and `F.gru_cell` (the tests check it).
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

__all__ = ["RNN", "LSTM", "GRU"]


class _Recurrent(Module):
    """The parameters and checks the three layers share; ``gates`` weight blocks of H rows."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, rng=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = positive_int(input_size, "input_size", name)
        self.hidden_size = positive_int(hidden_size, "hidden_size", name)
        rows = self.gates * self.hidden_size
        generator = get_rng(rng)
        bound = 1 / math.sqrt(self.hidden_size)
        shapes = {"weight_ih": (rows, self.input_size), "weight_hh": (rows, self.hidden_size)}
        if bias:
            shapes |= {"bias_ih": (rows,), "bias_hh": (rows,)}
        for key, shape in shapes.items():
            p = Parameter(np.empty(shape))
            init.uniform_(p, -bound, bound, rng=generator)
            setattr(self, key, p)
        if not bias:
            self.bias_ih = self.bias_hh = None

    def _inputs(self, x) -> Tensor:
        x = as_tensor(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(
                f"{self!r}: the input must have shape (N, T, {self.input_size}) — sequences, "
                f"steps, inputs a step — got {x.shape}"
            )
        return x

    def _state(self, h, n: int, what: str = "h0") -> Tensor:
        if h is None:
            return Tensor(np.zeros((n, self.hidden_size), dtype=self.weight_hh.dtype))
        h = as_tensor(h)
        if h.shape != (n, self.hidden_size):
            raise ValueError(
                f"{self!r}: the initial state {what} must have shape ({n}, {self.hidden_size}) "
                f"— one row per sequence — got {h.shape}"
            )
        return h

    def _projected_inputs(self, x: Tensor) -> Tensor:
        """``x W_ih^T + b_ih`` for all steps at once, as ``(T, N, G·H)`` so that step t is ``[t]``."""
        return F.linear(x, self.weight_ih, self.bias_ih).transpose(1, 0, 2)

    def _recurrent_part(self, h: Tensor) -> Tensor:
        """``h W_hh^T + b_hh``: every gate's share from the state, in one product (one node)."""
        return F.linear(h, self.weight_hh, self.bias_hh)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        return text if self.bias_ih is not None else text + ", bias=False"


class RNN(_Recurrent):
    r"""The simple recurrent layer: $h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$.

    Parameters
    ----------
    input_size, hidden_size : int
        D and H.
    nonlinearity : {"tanh", "relu"}
    bias : bool
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from (see `nnbook.rng.get_rng`).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> rnn = nn.RNN(8, 16, rng=0)
    >>> output, h = rnn(np.zeros((4, 8, 8)))      # 4 images read one row of 8 pixels a step
    >>> output.shape, h.shape, rnn.weight_hh.shape
    ((4, 8, 16), (4, 16), (16, 16))
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 bias: bool = True, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, rng)

    def forward(self, x, h0=None):
        """Run over ``x`` ``(N, T, D)`` from ``h0`` ``(N, H)`` (zeros by default): ``(output, h_T)``."""
        x = self._inputs(x)
        h = self._state(h0, x.shape[0])
        act = F.tanh if self.nonlinearity == "tanh" else F.relu
        projected, outputs = self._projected_inputs(x), []
        for t in range(x.shape[1]):
            h = act(projected[t] + self._recurrent_part(h))
            outputs.append(h)
        return F.stack(outputs, axis=1), h

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else text + ", nonlinearity='relu'"


class LSTM(_Recurrent):
    r"""Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    With $a_t = W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}$ split into four blocks of H:

    $$i = \sigma(a^i),\ f = \sigma(a^f),\ g = \tanh(a^g),\ o = \sigma(a^o),\qquad
    c_t = f \odot c_{t-1} + i \odot g,\qquad h_t = o \odot \tanh(c_t).$$

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> lstm = nn.LSTM(8, 16, rng=0)
    >>> output, (h, c) = lstm(np.zeros((4, 8, 8)))
    >>> output.shape, h.shape, c.shape, lstm.weight_ih.shape
    ((4, 8, 16), (4, 16), (4, 16), (64, 8))
    """

    gates = 4

    def forward(self, x, state=None):
        """Run over ``x`` ``(N, T, D)`` from ``state = (h0, c0)`` (zeros by default): ``(output, (h_T, c_T))``."""
        x = self._inputs(x)
        n, H = x.shape[0], self.hidden_size
        if state is None:
            h = c = self._state(None, n)
        else:
            if not (isinstance(state, (tuple, list)) and len(state) == 2):
                raise ValueError(f"{self!r}: the initial state must be a pair (h0, c0), got {type(state).__name__}")
            h, c = self._state(state[0], n, "h0"), self._state(state[1], n, "c0")
        hc = F.lstm_sequence(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return hc[:, :, :H], (hc[:, -1, :H], hc[:, -1, H:])


class GRU(_Recurrent):
    r"""The gated recurrent unit in PyTorch's form, the reset gate applied after $W_{hn}$.

    With the input part $a = W_{ih} x_t + b_{ih}$ and the state part $b = W_{hh}
    h_{t-1} + b_{hh}$, each split into reset, update and new blocks of H:

    $$r = \sigma(a^r + b^r),\ z = \sigma(a^z + b^z),\ n = \tanh\bigl(a^n + r \odot b^n\bigr),
    \qquad h_t = (1 - z) \odot n + z \odot h_{t-1}.$$

    Cho et al. (2014) apply the reset before the product, $\tanh(a^n + W_{hn}(r \odot
    h_{t-1}))$, and need no $b_{hn}$; PyTorch's form lets one product by $W_{hh}$ serve all
    three gates, at the cost of that extra bias.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> gru = nn.GRU(8, 16, rng=0)
    >>> output, h = gru(np.zeros((4, 8, 8)))
    >>> output.shape, h.shape, gru.weight_hh.shape
    ((4, 8, 16), (4, 16), (48, 16))
    """

    gates = 3

    def forward(self, x, h0=None):
        """Run over ``x`` ``(N, T, D)`` from ``h0`` ``(N, H)`` (zeros by default): ``(output, h_T)``."""
        x = self._inputs(x)
        h = self._state(h0, x.shape[0])
        output = F.gru_sequence(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return output, output[:, -1]
