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
# # Reading digits one row at a time: LSTM, GRU and RNN
#
# A hands-on companion to the chapters [Recurrent networks](../../chapters/rnn/) and
# [LSTM and GRU](../../chapters/lstm-gru/).
# In this lab a recurrent network reads each 8 × 8 digit as a sequence of 8 steps,
# one row of 8 pixels a step, and names the digit after the last row. You train an
# LSTM, follow its loss, and then put the GRU and the plain (Elman) RNN through the
# same training, in one table.

# %% [markdown]
# ## Digits as sequences
#
# `load_digits` gives images of shape `(N, 8, 8)`, which is already what a recurrent
# layer of nnbook takes: `(N, T, D)`, N sequences of T = 8 steps with D = 8 inputs a
# step (batch first, like PyTorch's `batch_first=True`).

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.data import load_digits, train_test_split
from nnbook.models.sequence import SequenceClassifier
from nnbook.train import accuracy, evaluate, fit

images, labels = load_digits()
X_train, X_test, y_train, y_test = train_test_split(images, labels, test_fraction=0.25, rng=0)
print("train", X_train.shape, " test", X_test.shape, "  (N, T steps, D inputs a step)")

# %% [markdown]
# ## The LSTM on its own
#
# `nn.LSTM(8, 32)` carries a hidden state $h_t$ and a cell state $c_t$ of 32 numbers
# each from row to row. Called on a batch, it returns the hidden state after every
# step and the last pair $(h_T, c_T)$:

# %%
lstm = nn.LSTM(8, 32, rng=0)
output, (h, c) = lstm(X_train[:5])
print("output", output.shape, " h", h.shape, " c", c.shape)
print([(name, p.shape) for name, p in lstm.named_parameters()])

# %% [markdown]
# The four gates (input, forget, cell, output) are stacked in the weights, so
# `weight_ih` has $4 \times 32 = 128$ rows, as in PyTorch.
#
# `SequenceClassifier("lstm", 8, 32, 10)` is that layer followed by `nn.Linear(32, 10)`
# on the last hidden state $h_T$: ten scores, one per digit. It is fitted with Adam on
# the cross-entropy, in mini-batches of 64.

# %%
def train(cell, epochs=8):
    model = SequenceClassifier(cell, input_size=8, hidden_size=32, classes=10, rng=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    history = fit(model, F.cross_entropy, opt, X_train, y_train, epochs=epochs,
                  batch_size=64, rng=0)
    return model, history


model, history = train("lstm")
print(model)
print("mean training loss by epoch:", np.round(history.loss, 3))
print("LSTM test accuracy:", round(evaluate(model, X_test, y_test, accuracy), 3))

# %% [markdown]
# ## The loss, step by step

# %%
steps_per_epoch = history.steps // history.epochs
fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.plot(np.arange(1, history.steps + 1), history.step_loss, lw=1, alpha=0.5,
        label="one mini-batch")
ax.plot(steps_per_epoch * np.arange(1, history.epochs + 1), history.loss, "o-",
        label="mean over the epoch")
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: The LSTM's training cross-entropy against the step on a logarithmic scale, over eight epochs of 22 mini-batches: the loss of each mini-batch as a thin, jagged line falling from about 2.3, and the mean of each epoch as dots at the end of the epoch, falling steadily. -->
# The loss starts at $\ln 10 \approx 2.3$, the cross-entropy of ten equal scores, and
# falls with some noise from batch to batch. Each dot is the mean over the epoch
# that ends there; it lags behind the thin line, since it averages steps taken with
# older weights.
#
# ## LSTM, GRU and RNN side by side
#
# The same data, batches, optimiser and number of epochs for the three cells; only
# the recurrent layer changes. The GRU has three gate blocks, the RNN one.

# %%
results = {"lstm": (model, history)}
for cell in ["gru", "rnn"]:
    results[cell] = train(cell)

print(f"{'cell':6}{'parameters':>12}{'final loss':>12}{'test accuracy':>15}{'seconds':>9}")
for cell, (m, h) in results.items():
    print(f"{cell:6}{nb.count_params(m):>12}{h.final_loss:>12.3f}"
          f"{evaluate(m, X_test, y_test, accuracy):>15.3f}{sum(h.seconds):>9.1f}")

# %% [markdown]
# Eight steps are a short memory. The plain RNN, with a quarter of the LSTM's
# recurrent weights and the cheapest step, is not far behind the gated cells here.
# The gates earn their keep on longer sequences, where the gradient through a plain
# RNN's many tanh steps fades; the chapter's long-memory task shows it. With eight
# epochs none of the three has finished learning: the losses are still falling.
#
# ## Try this
#
# * Read the digits by columns instead of rows: `X_train.transpose(0, 2, 1)` (and the
#   same for `X_test`). Does any cell care?
# * Read the rows bottom up, `X_train[:, ::-1]`. The last rows seen are now the top
#   ones: does the accuracy change?
# * Change `hidden_size` to 8 or 64 and compare the parameter counts with
#   `nnbook.counting.rnn_params`.
# * Try the long-memory task of the chapter: `from nnbook.models.sequence import
#   recall_task`, `X, y = recall_task(512, T=20, rng=0)` gives sequences whose label is
#   their first symbol, followed by 19 steps of noise. Train the three cells on it
#   (`input_size=5`, `classes=4`); which ones beat the chance level of 0.25?
# * Start the LSTM's forget gate open, `SequenceClassifier("lstm", 8, 32, 10, rng=0,
#   gate_bias=2.0)`, and compare the first epochs' losses.
