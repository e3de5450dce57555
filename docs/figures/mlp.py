"""Figures of the chapter "Feed-forward networks", from the fit the chapter runs.

* ``mlp-learning-curves``: training loss and test accuracy per epoch of the 64-128-10
  network on the digits;
* ``mlp-confusion``: its confusion matrix on the test images, and the images it gets
  wrong.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F, optim
from nnbook.data import load_digits, train_test_split
from nnbook.models.mlp import MLP
from nnbook.train import accuracy, fit


@lru_cache(maxsize=1)
def _fit():
    """The chapter's fit, once per build: history, test images, labels, predictions."""
    images, digits = load_digits()
    X = images.reshape(len(images), -1)
    X_train, X_test, y_train, y_test = train_test_split(X, digits, 0.25, rng=0)
    model = MLP([64, 128, 10], rng=0)
    history = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3),
                  X_train, y_train, epochs=20, batch_size=32, rng=0,
                  validation=(X_test, y_test), metric=accuracy)
    with nb.no_grad():
        predicted = model(X_test).data.argmax(axis=1)
    return history, X_test, y_test, predicted


def learning_curves(theme: str):
    """Mean training loss per epoch (log axis) beside the test accuracy per epoch."""
    history = _fit()[0]
    epochs = np.arange(1, history.epochs + 1)
    fig = Figure(figsize=(7.2, 3.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(epochs, history.loss, marker="o", markersize=3)
    left.set_yscale("log")
    left.set_xlabel("epoch")
    left.set_ylabel("training cross-entropy (mean)")
    left.set_title("training loss", fontsize=11)
    right.plot(epochs, history.metric, marker="o", markersize=3, color="C1")
    right.set_ylim(0.8, 1.0)
    right.set_xlabel("epoch")
    right.set_ylabel("test accuracy")
    right.set_title(f"test accuracy (final {history.metric[-1]:.3f})", fontsize=11)
    for ax in (left, right):
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.grid(True, alpha=0.3)
    return fig


def confusion(theme: str):
    """The 10 x 10 confusion matrix with counts, and the misclassified test images."""
    _, X_test, y_test, predicted = _fit()
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (y_test, predicted), 1)
    wrong = np.flatnonzero(predicted != y_test)
    fig = Figure(figsize=(7.6, 3.9), layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[1.05, 1])
    ax = fig.add_subplot(grid[0])
    # Off-diagonal counts on their own scale, so that the mistakes are visible.
    shown = np.ma.masked_equal(np.where(np.eye(10, dtype=bool), 0, counts), 0)
    top = max(4, counts[~np.eye(10, dtype=bool)].max())
    ax.imshow(shown, cmap="Reds", vmin=0, vmax=top)
    for a in range(10):
        for b in range(10):
            if not counts[a, b]:
                continue
            # Diagonal counts sit on the page's background; mistakes on a red cell.
            colour = None if a == b else ("white" if counts[a, b] > top / 2 else "black")
            ax.text(b, a, str(counts[a, b]), ha="center", va="center", fontsize=8,
                    fontweight="bold" if a == b else "normal", color=colour)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xticks(np.arange(-0.5, 10), minor=True)
    ax.set_yticks(np.arange(-0.5, 10), minor=True)
    ax.grid(which="minor", linewidth=0.4, alpha=0.4)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("confusion matrix (test set)", fontsize=11)
    cols = 5
    rows = -(-len(wrong) // cols)
    inner = grid[1].subgridspec(rows, cols)
    for k, index in enumerate(wrong):
        img_ax = fig.add_subplot(inner[k // cols, k % cols])
        img_ax.imshow(X_test[index].reshape(8, 8), cmap="gray_r" if theme == "light" else "gray",
                      vmin=0, vmax=1)
        img_ax.set_xticks([])
        img_ax.set_yticks([])
        for spine in img_ax.spines.values():
            spine.set_visible(False)
        img_ax.set_title(f"{y_test[index]} → {predicted[index]}", fontsize=8, pad=2)
    fig.text(0.76, 1.0, "misclassified: true → predicted", ha="center", va="bottom", fontsize=10)
    return fig


FIGURES = {
    "mlp-learning-curves": learning_curves,
    "mlp-confusion": confusion,
}
