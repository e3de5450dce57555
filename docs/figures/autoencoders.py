"""Figures of the chapter "Autoencoders", from the models the chapter trains.

* ``autoencoders-reconstructions``: ten test digits, and their reconstructions from
  codes of 16 and of 2 numbers;
* ``autoencoders-codes``: the test digits in the plane of the first two principal
  components, beside the two-number code of the autoencoder, coloured by digit;
* ``autoencoders-denoising``: noisy test digits, what the plain and the denoising
  autoencoder make of them, and the clean digits.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib
import numpy as np
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F, optim
from nnbook.data import load_digits, train_test_split
from nnbook.models.autoencoder import Autoencoder
from nnbook.train import fit

NOISE = 0.2


def _train(model):
    """The chapter's fit: 30 epochs of Adam, step 0.01, batches of 64."""
    X_train = _data()[0]
    adam = optim.Adam(model.parameters(), lr=0.01)
    fit(model, lambda f, x: F.squared_loss(f, x, reduction="mean"), adam,
        X_train, X_train, epochs=30, batch_size=64, rng=0)
    return model.eval()


@lru_cache(maxsize=1)
def _data():
    images, digits = load_digits()
    X = images.reshape(len(images), -1)
    X_train, X_test, _, y_test = train_test_split(X, digits, 0.25, rng=0)
    return X_train, X_test, y_test


@lru_cache(maxsize=1)
def _models():
    """The autoencoders with codes of 2 and 16 numbers, and the denoising one (16)."""
    return {
        2: _train(Autoencoder([64, 64, 2], rng=0)),
        16: _train(Autoencoder([64, 64, 16], rng=0)),
        "denoising": _train(Autoencoder([64, 64, 16], rng=0, noise=NOISE)),
    }


def _examples():
    """The first test image of each digit 0-9."""
    _, X_test, y_test = _data()
    return X_test[[int(np.flatnonzero(y_test == d)[0]) for d in range(10)]]


def _output(model, x):
    with nb.no_grad():
        return model(x).data


def _image_rows(theme: str, rows: list[tuple[str, np.ndarray]]):
    """Rows of ten 8 x 8 images, each row labelled, drawn as one mosaic (one image, fast)."""
    gap = 2
    height, width = len(rows) * (8 + gap) - gap, 10 * (8 + gap) - gap
    mosaic = np.full((height, width), np.nan)  # NaN: the gaps, left transparent
    for r, (_, images) in enumerate(rows):
        for c in range(10):
            top, left = r * (8 + gap), c * (8 + gap)
            mosaic[top:top + 8, left:left + 8] = np.clip(images[c], 0, 1).reshape(8, 8)
    cmap = matplotlib.colormaps["gray_r" if theme == "light" else "gray"].with_extremes(bad=(0, 0, 0, 0))
    fig = Figure(figsize=(7.2, 0.8 * len(rows) + 0.2), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(mosaic, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([r * (8 + gap) + 3.5 for r in range(len(rows))], [label for label, _ in rows],
                  fontsize=9)
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def reconstructions(theme: str):
    """Originals above, reconstructions from 16- and 2-number codes below."""
    models, x = _models(), _examples()
    return _image_rows(theme, [
        ("test digit", x),
        ("code of 16", _output(models[16], x)),
        ("code of 2", _output(models[2], x)),
    ])


def codes(theme: str):
    """Two principal components beside the autoencoder's two-number code, by digit."""
    X_train, X_test, y_test = _data()
    mu = X_train.mean(axis=0)
    Vt = np.linalg.svd(X_train - mu, full_matrices=False)[2]
    with nb.no_grad():
        code = _models()[2].encode(X_test).data
    panels = [("first two principal components", (X_test - mu) @ Vt[:2].T),
              ("autoencoder, code of 2", code)]
    fig = Figure(figsize=(7.6, 3.9), layout="constrained")
    for ax, (title, points) in zip(fig.subplots(1, 2), panels):
        for d in range(10):
            mine = points[y_test == d]
            ax.scatter(mine[:, 0], mine[:, 1], s=7, color=f"C{d}", alpha=0.75, label=str(d))
            # The digit itself at the middle of its points, so that the colours need no key.
            cx, cy = np.median(mine, axis=0)
            ax.text(cx, cy, str(d), ha="center", va="center", fontsize=12, fontweight="bold",
                    color=f"C{d}",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white" if theme == "light" else "#1e2129",
                              ec="none", alpha=0.8))
        ax.set_title(title, fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right center", title="digit",
               markerscale=2, fontsize=9, title_fontsize=9)
    return fig


def denoising(theme: str):
    """Noisy digits, the plain and the denoising autoencoders' outputs, the clean digits."""
    models, x = _models(), _examples()
    noisy = x + NOISE * np.random.default_rng(2).normal(size=x.shape)
    return _image_rows(theme, [
        (f"noise s = {NOISE}", noisy),
        ("plain", _output(models[16], noisy)),
        ("denoising", _output(models["denoising"], noisy)),
        ("clean digit", x),
    ])


FIGURES = {
    "autoencoders-reconstructions": reconstructions,
    "autoencoders-codes": codes,
    "autoencoders-denoising": denoising,
}
