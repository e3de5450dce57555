"""Figures of the chapter "Shallow networks as basis regression".

* ``shallow-networks-units``: one hidden unit rho(w* x + w+) for the sigmoid, tanh and
  ReLU, with the input weight w* varied (top row) and the bias w+ varied (bottom row);
* ``shallow-networks-learned-basis``: the chapter's curve fitted with J = 4 fixed
  Gaussian basis functions by least squares, and with a network of J = 4 tanh units
  (the chapter's seed and settings): each basis function times its weight, and their
  sum plus the bias.

Everything plotted is computed here, with nnbook, when the site is built.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.basis import gaussian_grid, least_squares, unit_contributions
from nnbook.data import make_curve, true_curve
from nnbook.train import fit

UNITS = {"sigmoid": F.sigmoid, "tanh": F.tanh, "ReLU": F.relu}
INPUT_WEIGHTS = (0.5, 1.0, 3.0, -1.0)   # top row, bias 0
BIASES = (-2.0, 0.0, 2.0)               # bottom row, input weight 2
J = 4


def units(theme: str) -> Figure:
    x = np.linspace(-3.0, 3.0, 601)
    fig = Figure(figsize=(10.0, 5.4), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True)
    for col, (name, rho) in enumerate(UNITS.items()):
        top, bottom = axes[0, col], axes[1, col]
        for k, w_star in enumerate(INPUT_WEIGHTS):
            top.plot(x, rho(nb.tensor(w_star * x)).numpy(), color=f"C{k}",
                     linestyle="--" if w_star < 0 else "-", label=f"$w^* = {w_star:g}$")
        for k, w_plus in enumerate(BIASES):
            bottom.plot(x, rho(nb.tensor(2.0 * x + w_plus)).numpy(), color=f"C{k + 4}",
                        label=f"$w^+ = {w_plus:g}$ (centre {-w_plus / 2 + 0.0:g})")
        top.set_title(f"{name}: $w^+ = 0$", fontsize=11)
        bottom.set_title(f"{name}: $w^* = 2$", fontsize=11)
        bottom.set_xlabel("x")
        if name == "ReLU":
            top.set_ylim(-0.2, 3.2)
            bottom.set_ylim(-0.2, 3.2)
        for ax in (top, bottom):
            ax.grid(True)
            ax.tick_params(labelsize=9)
    axes[0, 0].set_ylabel(r"$\rho(w^* x + w^+)$")
    axes[1, 0].set_ylabel(r"$\rho(w^* x + w^+)$")
    # Each row's legend beside the row, where it covers no curve of any panel.
    for row in (0, 1):
        axes[row, 2].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.03, 0.5))
    return fig


@lru_cache(maxsize=1)
def _fits():
    """Both fits of J = 4 basis functions, evaluated on a fine grid (computed once a build)."""
    x, y = make_curve(60, noise=0.1, rng=0)
    x_test, y_test = make_curve(500, noise=0.1, rng=1)
    grid = np.linspace(-2.0, 2.0, 401)[:, None]

    def rmse(f, target):
        return float(np.sqrt(np.mean((target - f) ** 2)))

    w, w0 = least_squares(gaussian_grid(x, J), y)
    fixed = gaussian_grid(grid, J) * w[:, 0], float(w0[0])
    fixed_error = rmse(gaussian_grid(x_test, J) @ w + w0, y_test)

    rng = np.random.default_rng(0)  # the chapter's shallow(4, nn.Tanh) and fit_shallow
    net = nn.Sequential(nn.Linear(1, J, rng=rng), nn.Tanh(), nn.Linear(J, 1, rng=rng))
    fit(net, F.squared_loss, optim.Adam(net.parameters(), lr=0.05), x, y, epochs=1500, rng=0)
    learned = unit_contributions(net, grid)
    with nb.no_grad():
        learned_error = rmse(net(x_test).data, y_test)
    return x, y, grid, (fixed, fixed_error), (learned, learned_error)


def learned_basis(theme: str) -> Figure:
    x, y, grid, (fixed, fixed_error), (learned, learned_error) = _fits()
    fig = Figure(figsize=(9.0, 4.4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    titles = (f"{J} fixed Gaussians, least squares (test RMSE {fixed_error:.3f})",
              f"{J} learned tanh units, Adam (test RMSE {learned_error:.3f})")
    for ax, ((parts, bias), title) in zip(axes, zip((fixed, learned), titles)):
        ax.scatter(x[:, 0], y[:, 0], s=9, color="C7", alpha=0.8, label="training data", zorder=1)
        ax.plot(grid[:, 0], true_curve(grid[:, 0]), color="C7", linestyle=":", linewidth=1.5,
                label="true curve")
        for j in range(parts.shape[1]):
            ax.plot(grid[:, 0], parts[:, j], color=f"C{j}", linewidth=1.2,
                    label=r"$w_j\,\phi_j(x)$" if j == 0 else None)
        ax.plot(grid[:, 0], parts.sum(axis=1) + bias, color=ax.xaxis.label.get_color(),
                linewidth=2.6, label=r"$f(x) = \sum_j w_j \phi_j(x) + w_0$")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("x")
        ax.grid(True)
    axes[0].set_ylabel("y")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=9)
    return fig


FIGURES = {
    "shallow-networks-units": units,
    "shallow-networks-learned-basis": learned_basis,
}
