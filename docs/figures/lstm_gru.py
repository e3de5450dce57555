"""Figures of the chapter "LSTM and GRU", computed with nnbook.models.sequence.

* ``lstm-gru-gradient-at-init``: the norm of the loss's gradient with respect to each
  step's input, relative to the last step's, for untrained RNN, LSTM and GRU
  classifiers, with PyTorch's initialisation and with a keep-gate bias of 2;
* ``lstm-gru-recall``: test accuracy on the recall task against the sequence length for
  the three cells, and after each epoch at the longest length.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from nnbook import functional as F, optim
from nnbook.models.sequence import SequenceClassifier, input_gradient_norms, recall_task
from nnbook.train import accuracy, fit

CELLS = ("rnn", "lstm", "gru")
LABELS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
LENGTHS = (5, 10, 20)


@lru_cache(maxsize=1)
def _gradient_norms() -> dict:
    """The page's measurement: 256 sequences of 40 steps, 32 units, seed 0."""
    X, y = recall_task(256, T=40, rng=2)
    result = {}
    for cell, bias in [("rnn", None), ("lstm", None), ("gru", None), ("lstm", 2.0), ("gru", 2.0)]:
        norms = input_gradient_norms(SequenceClassifier(cell, 5, 32, 4, rng=0, gate_bias=bias), X, y)
        result[cell, bias] = norms / norms[-1]
    return result


def gradient_at_init(theme: str):
    """One log-scale line per network against T - t; dashed with the gate bias."""
    norms = _gradient_norms()
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    for k, cell in enumerate(CELLS):
        ratio = norms[cell, None]
        back = np.arange(len(ratio))[::-1]              # T - t for t = 1 ... T
        ax.plot(back, ratio, color=f"C{k}", label=f"{LABELS[cell]}, PyTorch's initialisation")
        if cell != "rnn":
            ax.plot(back, norms[cell, 2.0], color=f"C{k}", linestyle="--",
                    label=f"{LABELS[cell]}, keep-gate bias 2")
    ax.set_yscale("log")
    ax.set_xlabel("steps back, $T - t$")
    ax.set_ylabel(r"$\Vert \partial\mathcal{L}/\partial x_t \Vert \,/\, \Vert \partial\mathcal{L}/\partial x_T \Vert$")
    ax.set_title("Gradient reaching each step, untrained networks (H = 32, T = 40)", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    return fig


@lru_cache(maxsize=1)
def _recall() -> dict:
    """Test accuracy after each epoch, per cell and length: the page's setting for every T."""
    curves = {}
    for T in LENGTHS:
        X, y = recall_task(1024, T=T, rng=0)
        X_test, y_test = recall_task(500, T=T, rng=1)
        for cell in CELLS:
            model = SequenceClassifier(cell, 5, 32, 4, rng=0, gate_bias=None if cell == "rnn" else 2.0)
            history = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.01), X, y,
                          epochs=10, batch_size=128, rng=0, validation=(X_test, y_test), metric=accuracy)
            curves[cell, T] = history.metric
    return curves


def recall(theme: str):
    """Left: final test accuracy against T; right: test accuracy per epoch at the longest T."""
    curves = _recall()
    fig = Figure(figsize=(7.2, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    for k, cell in enumerate(CELLS):
        left.plot(LENGTHS, [curves[cell, T][-1] for T in LENGTHS], marker="o", color=f"C{k}",
                  label=LABELS[cell])
        right.plot(np.arange(1, 11), curves[cell, LENGTHS[-1]], marker=".", color=f"C{k}",
                   label=LABELS[cell])
    for ax in (left, right):
        ax.axhline(0.25, linestyle=":", linewidth=1, color="C7")
        ax.set_ylim(0, 1.05)
        ax.grid(True, alpha=0.3)
    left.set_xticks(LENGTHS)
    left.set_xlabel("sequence length $T$")
    left.set_ylabel("test accuracy")
    left.set_title("after ten epochs", fontsize=11)
    left.legend(fontsize=9, loc="lower left")
    right.set_xlabel("epoch")
    right.set_title(f"T = {LENGTHS[-1]}, epoch by epoch", fontsize=11)
    right.text(10, 0.27, "chance", ha="right", va="bottom", fontsize=9, color="C7")
    return fig


FIGURES = {
    "lstm-gru-gradient-at-init": gradient_at_init,
    "lstm-gru-recall": recall,
}
