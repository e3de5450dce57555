"""Figures of the chapter "Activations and saturation", measured with `nnbook.diagnostics`.

* ``activations-functions``: the sigmoid, tanh and ReLU with their slopes (by autodiff),
  the range where the slope is below 0.05 shaded;
* ``activations-vanishing``: the norm of each layer's weight gradient in 16-layer
  networks at PyTorch's default initialisation, one line per activation;
* ``activations-init``: the spread of the units and the size of the error signal per
  layer, for tanh and ReLU networks under four initialisations.

The networks, inputs and targets are the chapter's (the same seeds), so the figures
draw the numbers the page prints.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

import nnbook as nb
from nnbook import functional as F
from nnbook.diagnostics import activation_stats, deep_mlp, error_signal_norms, weight_grad_norms

DEPTH, WIDTH, INPUTS, BATCH = 16, 64, 64, 256
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SCHEMES = (("default", 1.0, "PyTorch default"), ("glorot", 1.0, "Glorot"), ("he", 1.0, "He"),
           ("he", 1.5, "He × 1.5"))
THRESHOLD = 0.05
LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


def _batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(BATCH, INPUTS)), rng.normal(size=(BATCH, 1))


def _slope(fn, z):
    t = nb.tensor(z, requires_grad=True)
    fn(t).sum().backward()
    return t.grad


def functions(theme: str):
    """Each activation and its slope against z; where the slope is below 0.05, shaded."""
    z = np.linspace(-6, 6, 601)
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True)
    for ax, (name, fn) in zip(axes, (("sigmoid", F.sigmoid), ("tanh", F.tanh), ("ReLU", F.relu))):
        value, slope = fn(nb.tensor(z)).data, _slope(fn, z)
        ax.fill_between(z, 0, 1, where=slope < THRESHOLD, transform=ax.get_xaxis_transform(),
                        alpha=0.15, color="C7", linewidth=0, label=f"slope < {THRESHOLD}")
        ax.plot(z, value, label="function")
        ax.plot(z, slope, linestyle="--", label="slope")
        ax.set_title(name, fontsize=11)
        ax.set_xlabel("$z$")
        ax.set_xticks([-6, -3, 0, 3, 6])
        ax.set_ylim((-1.15, 1.3) if name == "tanh" else (-0.1, 1.3) if name == "sigmoid" else (-0.3, 3.3))
        ax.grid(True, alpha=0.3)
    # Below the panels, where it hides no line.
    fig.legend(*axes[2].get_legend_handles_labels(), fontsize=8, loc="outside lower center", ncols=3)
    return fig


@lru_cache(maxsize=1)
def _vanishing() -> dict:
    X, y = _batch()
    norms = {}
    for act in ACTIVATIONS:
        model = deep_mlp(INPUTS, WIDTH, DEPTH, activation=act, rng=1)
        F.squared_loss(model(X), y).backward()
        norms[act] = weight_grad_norms(model)
    return norms


def vanishing(theme: str):
    """‖∂L/∂Wˡ‖ per layer at PyTorch's default initialisation, one line per activation."""
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.subplots()
    layers = np.arange(1, DEPTH + 1)
    for act, norms in _vanishing().items():
        ax.plot(layers, norms, marker="o", markersize=3, label=LABELS[act])
    ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.set_xlabel("layer $l$ (1: the input side, 16: the output layer)")
    ax.set_ylabel(r"$\Vert\partial\mathcal{L}/\partial W^l\Vert$")
    ax.set_title(f"Weight gradients at initialisation ({DEPTH} layers of width {WIDTH})",
                 fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    return fig


@lru_cache(maxsize=1)
def _init() -> dict:
    X, y = _batch()
    out = {}
    for act in ("tanh", "relu"):
        for init, gain, label in SCHEMES:
            model = deep_mlp(INPUTS, WIDTH, DEPTH, activation=act, init=init, gain=gain, rng=1)
            stds = [s.std for s in activation_stats(model, X)]
            deltas = error_signal_norms(model, X, y, F.squared_loss)[:-1]
            out[act, label] = (stds, deltas)
    return out


def init_scales(theme: str):
    """std(φˡ) and the size of δˡ per hidden layer, tanh and ReLU, four initialisations."""
    fig = Figure(figsize=(6.4, 5.7), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    data = _init()
    hidden = np.arange(1, DEPTH)
    for col, act in enumerate(("tanh", "relu")):
        for init, gain, label in SCHEMES:
            stds, deltas = data[act, label]
            style = {"marker": "o", "markersize": 2.5, "label": label}
            if gain != 1.0:
                style["linestyle"] = "--"
            axes[0, col].plot(hidden, stds, **style)
            axes[1, col].plot(hidden, deltas, **style)
        axes[0, col].set_title(LABELS[act], fontsize=11)
        axes[1, col].set_xlabel("hidden layer $l$")
        for ax in axes[:, col]:
            ax.set_yscale("log")
            ax.set_xticks([1, 5, 10, 15])
            ax.grid(True, which="major", alpha=0.3)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
    axes[0, 0].set_yticks([0.1, 0.2, 0.5, 1.0])
    axes[0, 0].set_ylabel(r"std of the units $\phi^l$")
    axes[1, 0].set_ylabel(r"size of $\delta^l$")
    fig.legend(*axes[0, 1].get_legend_handles_labels(), fontsize=8, loc="outside lower center", ncols=4)
    return fig


FIGURES = {
    "activations-functions": functions,
    "activations-vanishing": vanishing,
    "activations-init": init_scales,
}
