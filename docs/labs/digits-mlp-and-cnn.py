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
# # Digits: a dense network against a convolutional one
#
# A hands-on companion to the chapters
# [Feed-forward networks](../../chapters/mlp/) and
# [Convolutional networks](../../chapters/cnn/).
# In this lab you train two classifiers of handwritten digits with `nnbook.train.fit`:
# a multi-layer perceptron that sees each image as 64 unrelated numbers, and a small
# convolutional network that knows the pixels form a grid. You compare their test
# accuracy and their parameter counts, follow their learning curves, and look at the
# digits the convolutional network gets wrong.

# %% [markdown]
# ## The data
#
# 1797 images of 8 × 8 pixels with values in $[0, 1]$, and their digits. A quarter is
# held out as a test set, chosen by a seeded shuffle.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.data import load_digits, train_test_split
from nnbook.train import accuracy, evaluate, fit

images, labels = load_digits()
X_train, X_test, y_train, y_test = train_test_split(images, labels, test_fraction=0.25, rng=0)
print("train", X_train.shape, " test", X_test.shape)
print("examples of each digit in train:", np.bincount(y_train))

# %% [markdown]
# ## Two networks
#
# The MLP flattens the image to a vector of 64 and has one hidden layer of 32 ReLU
# units. The CNN slides 3 × 3 kernels over the image (8 of them, then 16), with
# "same" padding so that each convolution keeps the size, and halves the size with a
# 2 × 2 max-pooling after each; what is left, 16 maps of 2 × 2, goes to a dense layer.
# Both end in 10 scores, one per digit, for `F.cross_entropy`.

# %%
rng = np.random.default_rng(0)
mlp = nn.Sequential(
    nn.Flatten(),                        # (N, 8, 8) -> (N, 64)
    nn.Linear(64, 32, rng=rng), nn.ReLU(),
    nn.Linear(32, 10, rng=rng),
)
cnn = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),   # -> (N, 8, 4, 4)
    nn.Conv2d(8, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),  # -> (N, 16, 2, 2)
    nn.Flatten(),                                                        # -> (N, 64)
    nn.Linear(64, 10, rng=rng),
)
print("parameters: MLP", nb.count_params(mlp), " CNN", nb.count_params(cnn))
print("CNN on one image:", cnn(X_train[:1, None]).shape)

# %% [markdown]
# The CNN has fewer parameters than the MLP, because each kernel's 9 weights are
# shared by every position of the image. It takes its input as `(N, 1, 8, 8)`: one
# channel; `X[:, None]` adds that axis.
#
# ## Training
#
# Both are fitted the same way: Adam with learning rate 0.01, mini-batches of 32 in
# an order drawn from the same seed, 10 epochs. After every epoch `fit` records the
# mean training loss and, given `validation` and `metric`, the accuracy on the
# held-out images. Nothing is chosen by looking at that accuracy, so it is still an
# honest test score.

# %%
def train(model, X, X_held_out):
    opt = optim.Adam(model.parameters(), lr=0.01)
    return fit(model, F.cross_entropy, opt, X, y_train, epochs=10, batch_size=32, rng=0,
               validation=(X_held_out, y_test), metric=accuracy)


history = {"MLP": train(mlp, X_train, X_test),
           "CNN": train(cnn, X_train[:, None], X_test[:, None])}
for name, h in history.items():
    print(f"{name}: final training loss {h.final_loss:.3f}, "
          f"test accuracy {h.metric[-1]:.3f}, {sum(h.seconds):.1f} s")

# %% [markdown]
# Look at the two times as well as the two accuracies: a convolution costs far more
# arithmetic per parameter than a dense layer, because each weight is used at every
# position.
#
# ## Learning curves

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
for name, h in history.items():
    epochs = np.arange(1, h.epochs + 1)
    left.plot(epochs, h.loss, "o-", label=name)
    right.plot(epochs, h.metric, "o-", label=name)
left.set_xlabel("epoch")
left.set_ylabel("mean training loss")
left.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("test accuracy")
right.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: Left: the mean training loss of the MLP and the CNN over ten epochs on a logarithmic scale, both falling steadily from above 1 to below 0.1. Right: their test accuracy per epoch, both rising quickly over the first three epochs to above 0.9 and then wavering between about 0.9 and 0.97. -->
# Both training losses fall steadily (left). The test accuracy climbs fastest in the
# first few epochs and then wavers by a few points from epoch to epoch (right): every
# step follows one mini-batch, with a fairly large learning rate, and the test score
# moves with it. Which of the two networks ends ahead after epoch 10 says little;
# the level both reach over the last few epochs says more.
#
# ## The digits the CNN gets wrong
#
# `evaluate` runs a model in evaluation mode without recording a graph. The scores'
# arg-max is the predicted digit.

# %%
with nb.no_grad():
    predicted = cnn(X_test[:, None]).data.argmax(axis=1)
wrong = np.flatnonzero(predicted != y_test)
print("CNN test accuracy:", round(evaluate(cnn, X_test[:, None], y_test, accuracy), 3),
      f"({len(wrong)} of {len(y_test)} wrong)")

shown = wrong[:8]
fig, axes = plt.subplots(1, len(shown), figsize=(1.1 * len(shown), 1.5))
for ax, i in zip(np.atleast_1d(axes), shown):
    ax.imshow(X_test[i], cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{y_test[i]} as {predicted[i]}", fontsize=10)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: Up to eight misclassified test digits in dark ink on white, 8 by 8 pixels each, every one titled with its true digit and the digit the CNN predicted for it. -->
# Each title reads "true digit as predicted digit". At 8 × 8 pixels many of these are
# hard for a person too; others are plain mistakes.
#
# ## Try this
#
# * Change the seeds (`default_rng(0)` for the weights, `rng=0` in `fit` for the
#   batches) and run again. Does the same network come out ahead? By how much do the
#   accuracies move from seed to seed?
# * Make the MLP's hidden layer 128 units wide. Its parameter count grows fourfold;
#   does its test accuracy follow?
# * Shuffle the pixels of every image with one fixed permutation,
#   `perm = np.random.default_rng(1).permutation(64)`, then
#   `X_train.reshape(-1, 64)[:, perm].reshape(-1, 8, 8)` (and the same for
#   `X_test`), and train both networks again. Which one cares, and why?
# * Drop the second convolution block from the CNN (and make the last layer
#   `nn.Linear(8 * 4 * 4, 10)`). What happens to the parameter count and to the
#   accuracy?
# * Train with `optim.SGD(model.parameters(), lr=0.1, momentum=0.9)` instead of Adam.
# * Count the CNN's mistakes by pair of digits: `m = np.zeros((10, 10), int)`, then
#   `np.add.at(m, (y_test, predicted), 1)` puts in row $i$, column $j$ how many
#   $i$'s were read as $j$. Which pairs does it confuse? Compute `predicted` for the
#   MLP (`mlp(X_test)`) and compare.
