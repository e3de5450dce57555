"""Figures of the chapter "Recurrent networks", computed with nnbook.

* ``rnn-gradient-through-time``: the spectral norm of dh_T/dh_t against T - t for a
  recurrent matrix scaled to spectral radius 0.8, 1.0 and 1.2, with zero inputs and
  with inputs of unit size;
* ``rnn-digit-states``: one test digit, the 32 state units of the trained row-by-row
  classifier after each row, and the probability it gives the right class from each.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.data import load_digits, train_test_split
from nnbook.models.sequence import SequenceClassifier
from nnbook.train import fit

H, D, T = 32, 8, 60
RADII = (0.8, 1.0, 1.2)


def _jacobian_norms(layer, xs) -> np.ndarray:
    """||dh_T/dh_t|| for T - t = 1 ... T, multiplying diag(1 - h_t^2) W_hh from step T down."""
    states = layer(xs)[0].data[0]
    prod, norms = np.eye(H), []
    for t in range(len(states) - 1, -1, -1):
        prod = prod @ np.diag(1 - states[t] ** 2) @ layer.weight_hh.data
        norms.append(np.linalg.norm(prod, 2))
    return np.array(norms)


@lru_cache(maxsize=1)
def _norms() -> dict:
    """The chapter's experiment: the same A, inputs and seeds as the page."""
    rs = np.random.default_rng(1)
    A = rs.normal(size=(H, H)) / np.sqrt(H)
    radius_A = max(abs(np.linalg.eigvals(A)))
    inputs = rs.normal(size=(1, T, D))
    result = {}
    for radius in RADII:
        layer = nn.RNN(D, H, bias=False, rng=0)
        layer.weight_hh.data[...] = A * (radius / radius_A)
        for scale in (0.0, 1.0):
            result[radius, scale] = _jacobian_norms(layer, scale * inputs)
    return result


def gradient_through_time(theme: str):
    """Two log-scale panels (zero inputs, unit inputs), one line per spectral radius."""
    norms = _norms()
    distance = np.arange(1, T + 1)
    fig = Figure(figsize=(7.2, 3.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, scale, title in zip(axes, (0.0, 1.0), ("inputs zero: $J_t = W_{hh}$", "inputs of unit size")):
        for k, radius in enumerate(RADII):
            color = f"C{k}"
            ax.plot(distance, norms[radius, scale], color=color, label=rf"$|\lambda|_{{\max}}(W_{{hh}}) = {radius}$")
            if scale == 0.0:
                ax.plot(distance, radius ** distance, color=color, linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel("steps back, $T - t$")
        ax.set_title(title, fontsize=11)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(r"$\Vert \partial h_T / \partial h_t \Vert$")
    axes[0].legend(fontsize=9, title=r"dotted: $|\lambda|_{\max}^{\,T-t}$", title_fontsize=9)
    return fig


@lru_cache(maxsize=1)
def _digit_model():
    """The chapter's row-by-row classifier, trained as on the page."""
    images, labels = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(images, labels, 0.25, rng=0)
    model = SequenceClassifier("rnn", input_size=8, hidden_size=32, classes=10, rng=0)
    fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.01), X_train, y_train,
        epochs=20, batch_size=64, rng=0)
    image, label = X_test[0], int(y_test[0])
    with nb.no_grad():
        states = model.recurrent(image[None])[0].data[0]              # (8, 32)
        probs = F.softmax(model.head(states)).data[:, label]       # the head on each h_t
    return image, label, states, probs


def digit_states(theme: str):
    """The digit; a heat map of h_1 ... h_8 (units × rows read); p(right class) from each h_t."""
    image, label, states, probs = _digit_model()
    fig = Figure(figsize=(7.2, 4.2), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(1, 2.2), height_ratios=(3, 1))
    ax_img = fig.add_subplot(grid[:, 0])
    ax_img.imshow(image, cmap="gray_r" if theme == "light" else "gray", vmin=0, vmax=1)
    ax_img.set_xticks([])
    ax_img.set_yticks(range(8), [str(r) for r in range(1, 9)])
    ax_img.set_ylabel("row (step $t$)")
    ax_img.set_title(f"a test digit: {label}", fontsize=11)
    ax_h = fig.add_subplot(grid[0, 1])
    heat = ax_h.imshow(states.T, cmap="coolwarm", vmin=-1, vmax=1, aspect="auto")
    ax_h.set_ylabel("state unit")
    ax_h.tick_params(labelbottom=False)
    ax_h.set_title("the state $h_t$ after each row", fontsize=11)
    fig.colorbar(heat, ax=ax_h, shrink=0.9, label="$h_t$")
    ax_p = fig.add_subplot(grid[1, 1], sharex=ax_h)
    ax_p.bar(range(8), probs, color="C0")
    ax_p.set_ylim(0, 1)
    ax_p.set_xticks(range(8), [str(r) for r in range(1, 9)])
    ax_p.set_xlabel("rows read, $t$")
    ax_p.set_ylabel("p(right)")
    return fig


FIGURES = {
    "rnn-gradient-through-time": gradient_through_time,
    "rnn-digit-states": digit_states,
}
