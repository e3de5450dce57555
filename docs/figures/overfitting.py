"""Figures of the chapter "Overfitting and regularisation", from the chapter's own fits.

* ``overfitting-early-stopping``: the training and validation loss of the unregularised
  fit against the epoch, with the best epoch and the noise floor;
* ``overfitting-fits``: the training points, the true curve, and the network fitted
  without a penalty, stopped early, and fitted with an L2 penalty;
* ``overfitting-weights``: histograms of the weights' sizes after the L2 fit, the L1
  (subgradient) fit and the proximal L1 fit.

The fits are the chapter's, seed for seed: 20 training points of `make_curve` with
noise 0.3, a 1-100-1 tanh network, 2000 full-batch epochs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from nnbook import functional as F, nn, optim
from nnbook.data import make_curve, true_curve
from nnbook.regularisation import ProximalL1, fit_early_stopping
from nnbook.train import fit

EPOCHS = 2000
FLOOR = 0.5 * 0.3**2  # half the noise variance: the expected test loss of the true curve
TICKS = 10.0 ** np.arange(-6, 1)
TICK_LABELS = ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "1"]


def _mse(f, y):
    return F.squared_loss(f, y, reduction="mean")


def _net():
    return nn.Sequential(nn.Linear(1, 100, rng=0), nn.Tanh(), nn.Linear(100, 1, rng=1))


def _weights(model):
    return [p for name, p in model.named_parameters() if name.endswith("weight")]


def _curve(model, grid):
    model.eval()
    return model(grid).data.ravel()


@lru_cache(maxsize=1)
def _fits():
    """Every fit the figures draw, computed once per build."""
    x, y = make_curve(20, noise=0.3, rng=0)
    val = make_curve(20, noise=0.3, rng=1)
    grid = np.linspace(-2, 2, 400)[:, None]

    plain = _net()
    run = fit_early_stopping(plain, _mse, optim.Adam(plain.parameters(), lr=0.01), x, y,
                             epochs=EPOCHS, validation=val, rng=0)
    stopped_curve = _curve(plain, grid)
    plain.load_state_dict(run.last_state)
    plain_curve = _curve(plain, grid)

    def penalised(penalty):
        model = _net()
        weights = _weights(model)
        fit(model, lambda f, t: _mse(f, t) + 3e-3 * penalty(weights),
            optim.Adam(model.parameters(), lr=0.01), x, y, epochs=EPOCHS, rng=0)
        return model

    l2, l1 = penalised(F.l2_penalty), penalised(F.l1_penalty)
    ista = _net()
    fit(ista, _mse, ProximalL1(optim.SGD(ista.parameters(), lr=0.1), 3e-3, _weights(ista)),
        x, y, epochs=EPOCHS, rng=0)
    sizes = {
        name: np.abs(np.concatenate([w.data.ravel() for w in _weights(model)]))
        for name, model in [("L2", l2), ("L1, subgradient (Adam)", l1), ("L1, proximal (ISTA)", ista)]
    }
    return {
        "x": x, "y": y, "grid": grid.ravel(), "run": run,
        "curves": {"no penalty, 2000 epochs": plain_curve,
                   f"stopped early, epoch {run.best_epoch}": stopped_curve,
                   "L2, $\\lambda = 3\\times 10^{-3}$": _curve(l2, grid)},
        "sizes": sizes,
    }


def early_stopping(theme: str):
    """Training and validation loss per epoch (log scale), the best epoch, the floor."""
    data = _fits()
    run = data["run"]
    epochs = np.arange(1, run.stopped_at + 1)
    fig = Figure(figsize=(6.4, 3.9), layout="constrained")
    ax = fig.subplots()
    ax.plot(epochs, run.history.loss, label="training loss")
    ax.plot(epochs, run.history.metric, label="validation loss")
    ax.axvline(run.best_epoch, linestyle=":", linewidth=1.2, color="C1")
    ax.axhline(FLOOR, linestyle="--", linewidth=1.0, color="C7", label="noise floor 0.045")
    ax.annotate(f"best epoch {run.best_epoch}\nvalidation {run.best_metric:.3f}",
                xy=(run.best_epoch, run.best_metric), xytext=(run.best_epoch + 150, 0.2),
                fontsize=9, arrowprops={"arrowstyle": "->", "linewidth": 0.8})
    ax.set_yscale("log")
    ax.set_xlabel("epoch (one full-batch Adam step each)")
    ax.set_ylabel(r"half the mean squared error")
    ax.set_title("Fitting 20 noisy points with 301 parameters", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9, loc="upper right")
    return fig


def fits(theme: str):
    """The training points, the true curve and three fitted networks."""
    data = _fits()
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    grid = data["grid"]
    ax.plot(grid, true_curve(grid), color="C7", linewidth=2.5, alpha=0.6, label="true curve")
    styles = [("-", 1.2), ("--", 1.6), ("-.", 1.6)]
    for (label, curve), (style, width) in zip(data["curves"].items(), styles):
        ax.plot(grid, curve, linestyle=style, linewidth=width, label=label)
    ax.scatter(data["x"].ravel(), data["y"].ravel(), s=18, color="C3", zorder=3,
               label="training points")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$, $f(x)$")
    ax.set_ylim(-2.2, 2.8)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8.5, loc="upper center", ncols=2)
    return fig


def weights(theme: str):
    """Histograms of |w| on a log axis, exact zeros as a separate bar on the left."""
    data = _fits()
    fig = Figure(figsize=(6.4, 5.0), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True, sharey=True)
    bins = np.logspace(-6, 0.5, 40)
    zero_at = 3e-7  # where the bar of exact zeros is drawn
    top = 48  # one count axis for all three; a taller bar of zeros is cut off and labelled
    for k, (ax, (name, size)) in enumerate(zip(axes, data["sizes"].items())):
        zeros = int(np.sum(size == 0))
        counts, _ = np.histogram(np.clip(size[size > 0], bins[0], None), bins=bins)
        ax.set_axisbelow(True)
        ax.stairs(counts, bins, fill=True, color=f"C{k}")
        if zeros:
            ax.bar(zero_at, min(zeros, top), width=zero_at * 0.8, color=f"C{k}")
            cut = " (bar cut off)" if zeros > top else ""
            ax.annotate(f"{zeros} exactly 0{cut}", xy=(zero_at, min(zeros, top)),
                        xytext=(zero_at * 3, 0.75 * min(zeros, top)), fontsize=9)
        ax.set_xscale("log")
        # Plain-text labels: mathtext for every log tick costs most of the drawing time.
        ax.set_xticks(TICKS, TICK_LABELS)
        ax.minorticks_off()
        ax.set_title(f"{name}: {np.mean(size < 1e-2):.0%} below 10⁻², "
                     f"{zeros} of {size.size} exactly zero", fontsize=10)
        ax.set_ylabel("weights")
        ax.grid(True, alpha=0.3)
    axes[-1].set_xlim(1.5e-7, 3)
    axes[-1].set_ylim(0, top)
    axes[-1].set_xlabel("|wᵢ| (the bar at the far left: exactly zero)")
    return fig


FIGURES = {
    "overfitting-early-stopping": early_stopping,
    "overfitting-fits": fits,
    "overfitting-weights": weights,
}
