r"""A recurrent sequence classifier, and the long-memory task the gated cells are tested on.

`SequenceClassifier` reads a sequence ``(N, T, D)`` with one recurrent layer
(`nnbook.nn.RNN`, `LSTM` or `GRU`) and classifies it from the layer's last state
$h_T$ with a `nnbook.nn.Linear`: the model of the chapters *Recurrent networks* and
*LSTM and GRU*. `recall_task` draws sequences whose label is their first symbol, to be
reported after ``T`` steps of noise; `input_gradient_norms` measures how much of the
loss's gradient reaches each step of the input.
"""

from __future__ import annotations

import numpy as np

from nnbook import functional as F
from nnbook.autodiff import Tensor, as_tensor
from nnbook.checks import positive_int
from nnbook.nn.layers import Linear
from nnbook.nn.module import Module
from nnbook.nn.recurrent import GRU, LSTM, RNN
from nnbook.rng import get_rng

__all__ = ["SequenceClassifier", "recall_task", "input_gradient_norms"]

_CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class SequenceClassifier(Module):
    r"""One recurrent layer over the sequence, then a linear layer on its last state.

    $$h_t = \text{cell}(x_t, h_{t-1}),\ t = 1, \dots, T, \qquad f = W h_T + w,$$

    with $h_0 = 0$ (and $c_0 = 0$ for the LSTM); ``f`` holds one score per class, for
    `nnbook.functional.cross_entropy`.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        The recurrent layer: `nnbook.nn.RNN` (tanh), `nnbook.nn.LSTM` or `nnbook.nn.GRU`.
    input_size : int
        D, the inputs a step.
    hidden_size : int
        H, the size of the state.
    classes : int
        K, the number of scores.
    rng : None, int or numpy.random.Generator
        Where the initial weights are drawn from: first the recurrent layer's, then the
        linear layer's.
    gate_bias : float, optional
        If given, the block of ``bias_hh`` that belongs to the LSTM's forget gate or to
        the GRU's update gate is set to this value, so that at the start each step keeps
        about $\sigma(\text{gate\_bias})$ of the state it receives (PyTorch's
        initialisation keeps about half). Not defined for ``cell="rnn"``.

    Attributes
    ----------
    recurrent : nn.RNN, nn.LSTM or nn.GRU
    head : nn.Linear
        ``weight`` of shape ``(classes, hidden_size)``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.models.sequence import SequenceClassifier
    >>> model = SequenceClassifier("gru", input_size=8, hidden_size=16, classes=10, rng=0)
    >>> model(np.zeros((5, 8, 8))).shape            # 5 sequences of 8 steps -> 10 scores each
    (5, 10)
    >>> [name for name, _ in model.named_parameters()]
    ['recurrent.weight_ih', 'recurrent.weight_hh', 'recurrent.bias_ih', 'recurrent.bias_hh', 'head.weight', 'head.bias']
    >>> lstm = SequenceClassifier("lstm", 5, 4, 4, rng=0, gate_bias=2.0)
    >>> print(lstm.recurrent.bias_hh.data.reshape(4, 4)[1])      # blocks i, f, g, o
    [2. 2. 2. 2.]
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, classes: int, rng=None,
                 *, gate_bias: float | None = None):
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"SequenceClassifier: cell must be 'rnn', 'lstm' or 'gru', got {cell!r}")
        input_size = positive_int(input_size, "input_size", "SequenceClassifier")
        hidden_size = positive_int(hidden_size, "hidden_size", "SequenceClassifier")
        classes = positive_int(classes, "classes", "SequenceClassifier")
        generator = get_rng(rng)
        self.cell = cell
        self.recurrent = _CELLS[cell](input_size, hidden_size, rng=generator)
        self.head = Linear(hidden_size, classes, rng=generator)
        if gate_bias is not None:
            if cell == "rnn":
                raise ValueError("SequenceClassifier: gate_bias is for the gated cells ('lstm', 'gru'); the RNN has no gate")
            # Block 1 of the stacked gates: the forget gate (i, f, g, o) or the update gate (r, z, n).
            self.recurrent.bias_hh.data[hidden_size:2 * hidden_size] = float(gate_bias)

    def last_state(self, x) -> Tensor:
        """$h_T$, shape ``(N, hidden_size)``, for ``x`` of shape ``(N, T, input_size)``."""
        x = as_tensor(x)
        if x.ndim != 3:
            raise ValueError(
                f"SequenceClassifier: the input must have shape (N, T, {self.recurrent.input_size}) "
                f"— sequences, steps, inputs a step — got {x.shape}"
            )
        _, state = self.recurrent(x)
        return state[0] if self.cell == "lstm" else state

    def forward(self, x) -> Tensor:
        """The class scores ``(N, classes)`` for ``x`` of shape ``(N, T, input_size)``."""
        return self.head(self.last_state(x))

    def extra_repr(self) -> str:
        return repr(self.cell)


def recall_task(n: int, T: int, symbols: int = 4, noise: float = 1.0, rng=None):
    r"""Sequences whose label is the symbol they start with, followed by ``T - 1`` steps of noise.

    Each sequence has ``symbols + 1`` inputs a step. At step 1 the first ``symbols``
    hold the one-hot code of the label and the last input, the start marker, is 1; at
    steps 2 to ``T`` the marker is 0 and the symbol inputs are independent normal noise
    of standard deviation ``noise``. A model that reports the label after step ``T``
    has kept it for ``T - 1`` steps; one that has not does no better than chance,
    ``1 / symbols``.

    Parameters
    ----------
    n : int
        The number of sequences.
    T : int
        Steps per sequence (1 means the symbol alone).
    symbols : int
        The number of labels, at least 2.
    noise : float
        The standard deviation of the distractors, at least 0.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n, T, symbols + 1)
    y : ndarray of int64, shape (n,)
        The labels, 0 to ``symbols - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.models.sequence import recall_task
    >>> X, y = recall_task(3, T=4, symbols=2, noise=0.5, rng=0)
    >>> X.shape, y.tolist()
    ((3, 4, 3), [1, 1, 1])
    >>> print(np.round(X[0], 2))             # step 1: symbol 1 and the marker; then noise
    [[ 0.    1.    1.  ]
     [ 0.32  0.05  0.  ]
     [-0.27  0.18  0.  ]
     [ 0.65  0.47  0.  ]]
    """
    n = positive_int(n, "n", "recall_task")
    T = positive_int(T, "T", "recall_task")
    symbols = positive_int(symbols, "symbols", "recall_task")
    if symbols < 2:
        raise ValueError(f"recall_task: symbols must be at least 2, got {symbols}")
    noise = float(noise)
    if not noise >= 0 or not np.isfinite(noise):
        raise ValueError(f"recall_task: noise must be a finite number >= 0, got {noise}")
    gen = get_rng(rng)
    y = gen.integers(0, symbols, size=n)
    X = np.zeros((n, T, symbols + 1))
    X[np.arange(n), 0, y] = 1.0
    X[:, 0, symbols] = 1.0
    X[:, 1:, :symbols] = gen.normal(scale=noise, size=(n, T - 1, symbols))
    return X, y.astype(np.int64)


def input_gradient_norms(model, X, y) -> np.ndarray:
    r"""$\lVert \partial\mathcal{L}/\partial x_t \rVert$ for $t = 1, \dots, T$: how much gradient reaches each step.

    $\mathcal{L}$ is the mean cross-entropy of ``model(X)`` against ``y``; entry
    ``t - 1`` is the Euclidean norm of its gradient with respect to the inputs of step
    $t$ of every sequence, ``X[:, t - 1]``. The model's parameters get no gradient.

    Parameters
    ----------
    model : Module
        Maps ``(N, T, D)`` to class scores ``(N, K)``, e.g. a `SequenceClassifier`.
    X : array_like, shape (N, T, D)
    y : array_like of int, shape (N,)

    Returns
    -------
    ndarray of float64, shape (T,)

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.models.sequence import SequenceClassifier, recall_task, input_gradient_norms
    >>> X, y = recall_task(64, T=6, rng=0)
    >>> norms = input_gradient_norms(SequenceClassifier("rnn", 5, 8, 4, rng=0), X, y)
    >>> norms.shape, bool(norms[0] < norms[-1])     # the first step gets the least
    ((6,), True)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"input_gradient_norms: X must have shape (N, T, D), got {X.shape}")
    x = Tensor(X, requires_grad=True)
    params = list(model.parameters())
    flags = [p.requires_grad for p in params]
    try:
        for p in params:
            p.requires_grad = False
        F.cross_entropy(model(x), y).backward()
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad = flag
    return np.sqrt((x.grad ** 2).sum(axis=(0, 2)))
