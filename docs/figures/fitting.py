"""Figures of the chapter "Fitting: a non-convex problem", computed with nnbook.

* ``fitting-symmetric-minima``: the loss of the two-layer network on the plane through
  a fitted parameter vector, its copy with the hidden units permuted and its copy with
  one unit's sign flipped;
* ``fitting-restarts``: twenty random restarts, their sorted final losses and their
  loss curves;
* ``fitting-optimizers``: loss curves of SGD, momentum, Nesterov and Adam from the same
  initial weights;
* ``fitting-surface``: the loss of the two-parameter network ``w2 tanh(w1 x)`` with each
  optimiser's path drawn on it.

The problems, seeds and settings are the chapter's own.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib
import numpy as np
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook import landscape
from nnbook.data import make_curve
from nnbook.train import fit, random_restarts

J, D = 4, 1
OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.5),
    "momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Nesterov": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda p: optim.Adam(p, lr=0.05),
}
SURFACE_OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.2),
    "momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "Nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": lambda p: optim.Adam(p, lr=0.1),
}


def _mse(f, t):
    return F.squared_loss(f, t, reduction="mean")


def _network(seed):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(D, J, rng=rng), nn.Sigmoid(), nn.Linear(J, 1, rng=rng))


@lru_cache(maxsize=1)
def _data():
    return make_curve(40, noise=0.1, rng=0)


@lru_cache(maxsize=1)
def _plane():
    """The loss on the plane through θ*, its permuted and its sign-flipped copies."""
    x, y = _data()
    model = _network(0)
    fit(model, _mse, optim.Adam(model.parameters(), lr=0.05), x, y, epochs=300, rng=0)
    state = model.state_dict()
    perm = [2, 0, 3, 1]
    swapped = {"0.weight": state["0.weight"][perm], "0.bias": state["0.bias"][perm],
               "2.weight": state["2.weight"][:, perm], "2.bias": state["2.bias"]}
    flipped = {k: v.copy() for k, v in state.items()}
    flipped["0.weight"][1] *= -1
    flipped["0.bias"][1] *= -1
    flipped["2.bias"] += flipped["2.weight"][0, 1]
    flipped["2.weight"][0, 1] *= -1
    twin = _network(1)
    points = []
    for s in (state, swapped, flipped):
        twin.load_state_dict(s)
        points.append(landscape.parameters_to_vector(twin.parameters()))
    a, b, c = points
    # An orthonormal frame of the plane through the three points, with a at the origin.
    u = (b - a) / np.linalg.norm(b - a)
    v = (c - a) - ((c - a) @ u) * u
    v /= np.linalg.norm(v)
    coords = np.array([[(p - a) @ u, (p - a) @ v] for p in points])
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    pad = 0.35 * (hi - lo)
    alphas = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 33)
    betas = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 33)
    Z = landscape.loss_on_plane(model, _mse, x, y, a, u, v, alphas, betas)
    return alphas, betas, Z, coords


def symmetric_minima(theme: str):
    """Contours of the loss on the plane through three equivalent parameter vectors."""
    alphas, betas, Z, coords = _plane()
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.subplots()
    levels = np.geomspace(Z.min(), Z.max(), 20)
    filled = ax.contourf(alphas, betas, Z, levels=levels, cmap="viridis",
                         norm=_lognorm(levels))
    ax.contour(alphas, betas, Z, levels=levels, colors="k", linewidths=0.3, alpha=0.4)
    labels = [r"$\theta^*$", "units permuted", "unit 2 sign-flipped"]
    offsets = [(8, 8), (-10, 12), (8, 8)]
    for (px, py), label, offset in zip(coords, labels, offsets):
        ax.plot(px, py, marker="*", markersize=13, color="white", markeredgecolor="black")
        ax.annotate(label, (px, py), textcoords="offset points", xytext=offset, fontsize=10,
                    color="white", fontweight="bold", ha="left" if offset[0] > 0 else "right")
    ax.set_aspect("equal")
    ax.set_xlabel(r"along the line from $\theta^*$ to its permuted copy")
    ax.set_ylabel("towards the sign-flipped copy")
    ax.set_title("Training loss on a plane through three equivalent minima", fontsize=11)
    fig.colorbar(filled, ax=ax, shrink=0.8, label="loss (mean ½ squared error)", format="%.2g")
    return fig


def _lognorm(levels):
    from matplotlib.colors import LogNorm
    return LogNorm(levels[0], levels[-1])


@lru_cache(maxsize=1)
def _restarts():
    x, y = _data()

    def run(seed):
        m = _network(seed)
        return fit(m, _mse, optim.Adam(m.parameters(), lr=0.05), x, y, epochs=300, rng=seed).loss

    return random_restarts(run, range(20))


def restarts(theme: str):
    """Sorted final losses of twenty restarts (left) and their loss curves (right)."""
    curves = _restarts()
    final = np.array([c[-1] for c in curves])
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.5])
    order = np.argsort(final)
    left.plot(np.arange(1, 21), final[order], marker="o", linestyle="none")
    left.set_yscale("log")
    left.set_xlabel("start, sorted by final loss")
    left.set_ylabel("final training loss")
    left.set_xticks([1, 5, 10, 15, 20])
    left.grid(True, alpha=0.3)
    for c in curves:
        right.plot(np.arange(1, len(c) + 1), c, linewidth=0.9, alpha=0.7)
    right.set_yscale("log")
    right.set_xlabel("step")
    right.set_ylabel("training loss")
    right.grid(True, alpha=0.3)
    fig.suptitle("Twenty random starts, 300 steps of Adam each", fontsize=11)
    return fig


@lru_cache(maxsize=1)
def _optimizer_curves():
    x, y = _data()
    initial = _network(0).state_dict()
    curves = {}
    for name, make in OPTIMIZERS.items():
        m = _network(0)
        m.load_state_dict(initial)
        curves[name] = fit(m, _mse, make(m.parameters()), x, y, epochs=300, rng=0).loss
    return curves


def optimizers(theme: str):
    """Loss against step for the four optimisers from the same initial weights."""
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    for name, curve in _optimizer_curves().items():
        ax.plot(np.arange(1, len(curve) + 1), curve, label=name, linewidth=1.6)
    ax.set_yscale("log")
    ax.set_xlabel("step (full batch)")
    ax.set_ylabel("training loss")
    ax.set_title("The two-layer network from one initialisation", fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9)
    return fig


@lru_cache(maxsize=1)
def _surface():
    r = np.random.default_rng(0)
    xs = r.uniform(-2, 2, size=30)
    ys = 1.5 * np.tanh(2 * xs) + 0.1 * r.normal(size=30)

    def tiny(t):
        return F.squared_loss(t[1] * (t[0] * xs).tanh(), ys, reduction="mean")

    w1 = np.linspace(-4.5, 4.5, 181)
    w2 = np.linspace(-3, 3, 121)
    Z = 0.5 * np.mean((w2[:, None, None] * np.tanh(w1[None, :, None] * xs) - ys) ** 2, axis=2)
    paths = {name: landscape.optimizer_path(tiny, [-0.3, 2.5], make, steps=100)
             for name, make in SURFACE_OPTIMIZERS.items()}
    # The minimum as the chapter finds it (long SGD from near it), and its mirror image.
    w_min = landscape.optimizer_path(tiny, [2.0, 1.5], lambda p: optim.SGD(p, lr=0.2),
                                     steps=3000)[-1]
    return w1, w2, Z, paths, w_min


def surface(theme: str):
    """Contours of the two-parameter loss with the four optimisers' paths."""
    w1, w2, Z, paths, w_min = _surface()
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.subplots()
    # One colour for every contour, the page's secondary text colour, so that the low
    # levels around the minima show as clearly as the high ones on either page.
    levels = np.geomspace(Z.min() * 1.05, Z.max(), 24)
    ax.contour(w1, w2, Z, levels=levels, colors=matplotlib.rcParams["xtick.color"],
               linewidths=0.6, alpha=0.6)
    for name, p in paths.items():
        ax.plot(p[:, 0], p[:, 1], marker=".", markersize=3, linewidth=1.2, label=name)
    ax.plot(*paths["SGD"][0], marker="o", color="black" if theme == "light" else "white",
            markersize=6)
    ax.plot([w_min[0], -w_min[0]], [w_min[1], -w_min[1]], marker="*", linestyle="none",
            markersize=11, color="gold", markeredgecolor="black", label="minima")
    ax.plot(0, 0, marker="x", color="red", markersize=8, linestyle="none", label="saddle")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(r"Loss of $f(x) = w_2 \tanh(w_1 x)$ and four optimisers' paths", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    return fig


FIGURES = {
    "fitting-symmetric-minima": symmetric_minima,
    "fitting-restarts": restarts,
    "fitting-optimizers": optimizers,
    "fitting-surface": surface,
}
