# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # An autoencoder that squeezes digits into two numbers
#
# A hands-on companion to the chapter [Autoencoders](../../chapters/autoencoders/).
# In this lab you train a 64–32–2–32–64 autoencoder on the handwritten digits: it
# must rebuild each 64-pixel image from a code of only two numbers. No labels are
# used in training. You then plot every test digit's code in the plane, coloured by
# the digit it is, look at what the decoder makes of the codes, and set the
# reconstruction error beside that of the best linear two-number code, PCA's.

# %% [markdown]
# ## The data and the model
#
# The 8 × 8 digits, flattened to rows of $D = 64$ pixels in $[0, 1]$, split with a
# seed. `nnbook.models.autoencoder.Autoencoder([64, 32, 2])` is the encoder
# 64 → 32 → 2 with a ReLU between the layers and the mirrored decoder 2 → 32 → 64,
# ending in a sigmoid so that every output pixel lies in $(0, 1)$ like the input's.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnbook as nb
from nnbook import functional as F, optim
from nnbook.data import load_digits, train_test_split
from nnbook.models.autoencoder import Autoencoder
from nnbook.train import fit

images, labels = load_digits()
X = images.reshape(len(images), 64)
X_train, X_test, y_train, y_test = train_test_split(X, labels, test_fraction=0.25, rng=0)

model = Autoencoder([64, 32, 2], rng=0)
print(model)
print("parameters:", nb.count_params(model))

# %% [markdown]
# ## Training: the input is its own target
#
# The loss is half the mean squared difference between the reconstruction and the
# input, over every pixel of every image: `F.squared_loss(f, x, reduction="mean")`.
# `fit` takes inputs and targets, so the training images are passed twice.

# %%
def squared_loss(f, x):
    return F.squared_loss(f, x, reduction="mean")


opt = optim.Adam(model.parameters(), lr=0.01)
history = fit(model, squared_loss, opt, X_train, X_train, epochs=40, batch_size=64, rng=0)
print("training loss: epoch 1", round(history.loss[0], 4),
      " epoch 40", round(history.loss[-1], 4))

# %% [markdown]
# To read the result, the *reconstruction error* is more telling than the loss: the
# squared distance between an image and its reconstruction, averaged over the test
# images, $E = \frac1N \sum_n \lVert x_n - f_n\rVert^2$. For comparison, the best any
# code of two numbers can do through a *linear* decoder is PCA's: project onto the
# first two principal directions of the training images and back.

# %%
def reconstruction_error(f, x):
    return float(((x - f) ** 2).sum(axis=1).mean())


with nb.no_grad():
    f_test = model(X_test).data
    codes = model.encode(X_test).data

mean = X_train.mean(axis=0)
_, _, Vt = np.linalg.svd(X_train - mean, full_matrices=False)
pca_test = mean + (X_test - mean) @ Vt[:2].T @ Vt[:2]
print("reconstruction error on the test images:")
print("  autoencoder, 2 numbers:", round(reconstruction_error(f_test, X_test), 2))
print("  PCA, 2 numbers:        ", round(reconstruction_error(pca_test, X_test), 2))
print("  the mean image alone:  ", round(reconstruction_error(mean, X_test), 2))

# %% [markdown]
# ## The code space
#
# Every test digit is now a point in the plane. The labels played no part in
# training; here they only colour the points.

# %%
fig, ax = plt.subplots(figsize=(6, 5))
points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=12, vmin=-0.5, vmax=9.5)
for digit in range(10):
    centre = np.median(codes[y_test == digit], axis=0)
    ax.text(*centre, str(digit), fontsize=14, weight="bold", ha="center", va="center",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", alpha=0.8, lw=0))
fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
ax.set_xlabel("code 1")
ax.set_ylabel("code 2")
plt.show()

# %% [markdown]
# <!-- alt: A scatter plot of the 450 test digits' two-number codes, each point coloured by its digit, with the digit printed in bold at the median of its points and a colour bar for the ten digits. Several digits, such as the zeros, sixes and fours, form clusters of their own; others overlap near the middle. -->
# Several digits gather in regions of their own, though the autoencoder was never
# told there were ten classes: images that look alike get nearby codes, because
# nearby codes decode to similar images. Where the clusters overlap, the decoder can
# only rebuild something between the digits.
#
# ## Reconstructions
#
# The top row holds test images, the middle row what the autoencoder rebuilds from
# their two numbers, the bottom row PCA's rebuilding from its two.

# %%
shown = [int(np.flatnonzero(y_test == d)[0]) for d in range(10)]
rows = {"input": X_test, "autoencoder": f_test, "PCA": pca_test}
fig, axes = plt.subplots(len(rows), len(shown), figsize=(8, 2.6))
for r, (name, data) in enumerate(rows.items()):
    for c, i in enumerate(shown):
        axes[r, c].imshow(data[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: Three rows of ten 8-by-8 digit images, one column per digit from 0 to 9: the test images on top, the autoencoder's reconstructions from two numbers in the middle, and PCA's reconstructions from two numbers at the bottom. The autoencoder's are blurred but mostly recognisable; PCA's are blurrier still and several look alike. -->
# Two numbers cannot hold the details of a handwritten digit, so every
# reconstruction is a blurred, typical version of a digit; the question is whether
# it is the right digit. Compare the columns where the autoencoder and PCA disagree.
#
# ## Try this
#
# * Widen the code: `Autoencoder([64, 32, 8])`, and compare with PCA on 8 numbers
#   (`Vt[:8]`). Does the autoencoder's lead grow or shrink? (The code can no longer
#   be plotted directly.)
# * Make the autoencoder linear, `Autoencoder([64, 2], output="linear")`, and train
#   it for more epochs. How close does it come to PCA's error? The chapter explains
#   why it cannot beat it.
# * Train a denoising autoencoder, `Autoencoder([64, 32, 2], noise=0.2, rng=0)`, and
#   look at the code space again.
# * Decode points of your own choosing: `model.decode(np.array([[0.0, 0.0]]))`, or a
#   line of points from one cluster to another. What do the images in between look
#   like?
# * Train for 10 epochs instead of 40, and for 100: which clusters form first?
