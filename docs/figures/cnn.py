"""Figures of the chapter "Convolutional networks", from nnbook's own convolutions.

* ``cnn-dense-matrix``: the 9 x 16 matrix of a 2 x 2 convolution on a 4 x 4 image,
  built from the responses to basis images, beside an unconstrained dense matrix;
* ``cnn-filters``: the first-layer kernels of the chapter's trained `SmallCNN`;
* ``cnn-feature-maps``: what its two convolutions make of one test digit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.colors import ListedColormap, TwoSlopeNorm
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F, optim
from nnbook.data import load_digits, train_test_split
from nnbook.models.cnn import SmallCNN
from nnbook.train import accuracy, fit

SERIES = {
    "light": ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"],
    "dark": ["#6cb4f0", "#ffa54d", "#6fd16f", "#ff7b7b"],
}


@lru_cache(maxsize=1)
def _fit():
    """The chapter's fit of SmallCNN, once per build; the model and the test images."""
    images, digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(images[:, None], digits, 0.25, rng=0)
    cnn = SmallCNN(channels=(8, 16), classes=10, rng=0)
    fit(cnn, F.cross_entropy, optim.Adam(cnn.parameters(), lr=1e-2), X_train, y_train,
        epochs=15, batch_size=32, rng=0, validation=(X_test, y_test), metric=accuracy)
    return cnn, X_test, y_test


def _bare(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def dense_matrix(theme: str):
    """Which kernel weight each entry of the convolution's matrix holds; a dense matrix beside it."""
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    basis = np.eye(16).reshape(16, 1, 4, 4)
    T = F.conv2d(basis, kernel).data.reshape(16, 9).T
    fig = Figure(figsize=(7.6, 2.9), layout="constrained")
    left, right = fig.subplots(1, 2)
    cmap = ListedColormap(SERIES[theme])
    left.imshow(np.ma.masked_equal(T, 0), cmap=cmap, vmin=0.5, vmax=4.5)
    for (i, j), value in np.ndenumerate(T):
        if value:
            left.text(j, i, str(int(value)), ha="center", va="center", fontsize=7, color="black")
    left.set_title("convolution: 4 weights, tied and zeroed", fontsize=10)
    dense = np.random.default_rng(0).normal(size=(9, 16))
    right.imshow(dense, cmap="coolwarm", norm=TwoSlopeNorm(0.0, -2.5, 2.5))
    right.set_title("dense layer: 144 free weights", fontsize=10)
    for ax in (left, right):
        ax.set_xticks(np.arange(0, 16, 4))
        ax.set_yticks(np.arange(9))
        ax.set_xticks(np.arange(-0.5, 16), minor=True)
        ax.set_yticks(np.arange(-0.5, 9), minor=True)
        ax.grid(which="minor", linewidth=0.4, alpha=0.4)
        ax.tick_params(which="minor", length=0)
        ax.tick_params(labelsize=8)
        ax.set_xlabel("input pixel (row by row)", fontsize=9)
        ax.set_ylabel("output position", fontsize=9)
    return fig


def filters(theme: str):
    """The eight 3 x 3 kernels of the first convolution, on one diverging scale."""
    kernels = _fit()[0][0].weight.data[:, 0]
    limit = np.abs(kernels).max()
    fig = Figure(figsize=(7.2, 1.7), layout="constrained")
    axes = fig.subplots(1, len(kernels))
    for k, (ax, kernel) in enumerate(zip(axes, kernels)):
        image = ax.imshow(kernel, cmap="coolwarm", norm=TwoSlopeNorm(0.0, -limit, limit))
        ax.set_title(f"kernel {k}", fontsize=9)
        _bare(ax)
    fig.colorbar(image, ax=list(axes), shrink=0.9, aspect=12)
    return fig


def feature_maps(theme: str):
    """One test zero, its eight first-layer maps and its sixteen second-layer maps (after ReLU)."""
    cnn, X_test, y_test = _fit()
    index = int(np.flatnonzero(y_test == 0)[0])
    digit = X_test[index : index + 1]
    with nb.no_grad():
        first = cnn[:2](digit).data[0]     # (8, 8, 8)
        second = cnn[:5](digit).data[0]    # (16, 4, 4)
    grey = "gray_r" if theme == "light" else "gray"
    fig = Figure(figsize=(8.0, 3.6), layout="constrained")
    grid = fig.add_gridspec(3, 9, width_ratios=[2.6] + [1] * 8)
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(digit[0, 0], cmap=grey, vmin=0, vmax=1)
    ax.set_title("test digit", fontsize=9)
    _bare(ax)
    for k in range(8):
        ax = fig.add_subplot(grid[0, 1 + k])
        ax.imshow(first[k], cmap="viridis", vmin=0, vmax=max(first.max(), 1e-12))
        ax.set_title(f"conv 1, {k}", fontsize=8)
        _bare(ax)
    for k in range(16):
        ax = fig.add_subplot(grid[1 + k // 8, 1 + k % 8])
        ax.imshow(second[k], cmap="viridis", vmin=0, vmax=max(second.max(), 1e-12))
        ax.set_title(f"conv 2, {k}", fontsize=8)
        _bare(ax)
    return fig


FIGURES = {
    "cnn-dense-matrix": dense_matrix,
    "cnn-filters": filters,
    "cnn-feature-maps": feature_maps,
}
