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
# # First gradients
#
# A hands-on companion to the chapter
# [Logistic regression and the chain rule](../../chapters/logistic-regression/).
# In this lab you build the logistic-regression loss with nnbook, let `backward()`
# compute its gradient, and check that gradient twice: against central finite
# differences and against the chain-rule formula of the chapter. Then you look at
# what the gradient means on a plot of the loss.
#
# Work through it with the code in your own hands: download the script with the
# button at the top of the page, run it with `python` or turn it into a notebook with
# `jupytext --to notebook first-gradients.py`, then change things and run it again.

# %% [markdown]
# ## A small data set
#
# Forty points in the plane, $x_n \in \mathbb{R}^2$, with labels $y_n \in \{0, 1\}$:
# the points labelled 1 sit around $(1, 1)$, the others around $(-1, -1)$.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnbook as nb
from nnbook import functional as F

rng = np.random.default_rng(0)
N = 40
y = (rng.random(N) < 0.5).astype(float)
X = rng.normal(size=(N, 2)) + np.where(y[:, None] == 1, 1.0, -1.0)
print(X.shape, y.shape, "ones:", int(y.sum()))

# %% [markdown]
# ## The loss and its gradient
#
# The model's output for example $n$ is $f_n = w^\top x_n + w_0$, with weights
# $w \in \mathbb{R}^2$ and a bias $w_0$ (the chapter's notation), and the loss is the
# negative log-likelihood, written in terms of $f_n$:
#
# $$
# \mathcal{L}(w, w_0) = \sum_{n=1}^{N} y_n \ln\left(1 + e^{-f_n}\right)
#   + (1 - y_n) \ln\left(1 + e^{f_n}\right).
# $$
#
# `F.logistic_loss` computes exactly this sum. The parameters are tensors with
# `requires_grad=True`, so nnbook records how the loss was computed and
# `backward()` can run that record in reverse.

# %%
w = nb.tensor([0.5, -0.3], requires_grad=True)
w0 = nb.tensor(0.1, requires_grad=True)


def loss_of(w, w0):
    f = nb.tensor(X) @ w + w0
    return F.logistic_loss(f, y)


loss = loss_of(w, w0)
loss.backward()
print("loss   ", round(loss.item(), 6))
print("dL/dw  ", np.round(w.grad, 6))
print("dL/dw0 ", round(float(w0.grad), 6))

# %% [markdown]
# ## Check 1: finite differences
#
# `nb.numerical_gradient` knows nothing about the graph: it nudges each entry of $w$
# by $\pm\varepsilon$ and takes $\left(\mathcal{L}(w + \varepsilon e_i) -
# \mathcal{L}(w - \varepsilon e_i)\right) / 2\varepsilon$. Its error is of order
# $\varepsilon^2$ (plus rounding), so agreement to about seven digits is what to expect.

# %%
numeric = nb.numerical_gradient(lambda v: loss_of(v, w0), w.data)
print("numerical dL/dw", np.round(numeric, 6))
gap = np.max(np.abs(numeric - w.grad))
print("largest difference below 1e-6:", bool(gap < 1e-6))

# %% [markdown]
# ## Check 2: the chain rule by hand
#
# The chapter derives $\partial \mathcal{L} / \partial f_n = \sigma(f_n) - y_n$, and since
# $\partial f_n / \partial w = x_n$ and $\partial f_n / \partial w_0 = 1$, the chain rule gives
#
# $$
# \nabla_w \mathcal{L} = \sum_{n} \left(\sigma(f_n) - y_n\right) x_n,
# \qquad
# \frac{\partial \mathcal{L}}{\partial w_0} = \sum_{n} \left(\sigma(f_n) - y_n\right).
# $$
#
# In plain numpy, with no autodiff at all:

# %%
f = X @ w.data + w0.data
residual = 1 / (1 + np.exp(-f)) - y
print("by hand dL/dw ", np.round(residual @ X, 6))
print("by hand dL/dw0", round(float(residual.sum()), 6))

# %% [markdown]
# ## What the gradient means
#
# Hold $w_2$ and $w_0$ fixed and let $w_1$ vary: the loss becomes a curve, and
# $\partial \mathcal{L} / \partial w_1$ is the slope of that curve at the current $w_1$.
# The dashed line has exactly the slope `backward()` computed.

# %%
w1 = np.linspace(-2.0, 3.0, 101)
with nb.no_grad():
    curve = [loss_of(nb.tensor([v, w.data[1]]), w0).item()
             for v in w1]
slope = w.grad[0]
tangent = loss.item() + slope * (w1 - w.data[0])

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(w1, curve, label=r"loss as a function of $w_1$")
ax.plot(w1, tangent, "--", label=f"slope {slope:.2f} (backward)")
ax.plot([w.data[0]], [loss.item()], "o", color="C3")
ax.set_ylim(0, max(curve) * 1.05)
ax.set_xlabel(r"$w_1$")
ax.set_ylabel("loss")
ax.legend()
plt.show()

# %% [markdown]
# <!-- alt: The loss as a function of w1, falling and flattening out to the right, with a dashed tangent line touching it at w1 = 0.5, whose slope is the gradient that backward() computed. -->
# The plot shows the loss (solid) falling as $w_1$ grows and flattening out on the
# right, and the tangent (dashed) touching it at the current $w_1 = 0.5$ (the dot).
# The slope is negative, so a small step to the right (larger $w_1$) lowers the loss:
# gradient descent moves against the gradient.
#
# ## Try it
#
# * Take a few steps of gradient descent, $w \leftarrow w - \eta \nabla_w \mathcal{L}$
#   (and the same for $w_0$) with $\eta = 0.01$, recomputing the loss and zeroing
#   the gradients (`w.grad = w0.grad = None`) between steps: `backward()` adds to
#   `.grad`, it does not overwrite it. Does the loss fall every time? What happens
#   with $\eta = 1$?
# * Replace `F.logistic_loss` with `F.squared_loss` and compare the two gradients
#   at the same $w$.
