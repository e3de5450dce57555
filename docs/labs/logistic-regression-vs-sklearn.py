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
# # Logistic regression, checked against scikit-learn
#
# A hands-on companion to the chapter
# [Logistic regression and the chain rule](../../chapters/logistic-regression/).
# In this lab you fit logistic regression to real data twice: once with nnbook, by
# plain gradient descent on `F.logistic_loss` plus an L2 penalty, and once with
# scikit-learn's `LogisticRegression`. Once both minimise the same objective they
# should land on the same coefficients; you check that they do, compare their test
# accuracy, and watch the nnbook fit converge.

# %% [markdown]
# ## The data
#
# The breast-cancer data: 569 tumours, 30 measurements each, labelled benign (1) or
# malignant (0). A quarter is held out for testing, chosen by a seeded shuffle, and
# every feature is standardised with the mean and standard deviation of the training
# part alone.

# %%
import numpy as np
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression

import nnbook as nb
from nnbook import functional as F, optim
from nnbook.data import load_breast_cancer, standardize, train_test_split

X, y = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, rng=0)
X_train, X_test = standardize(X_train, X_test)
print("train", X_train.shape, " test", X_test.shape)
print("benign share in train:", round(float(y_train.mean()), 3))

# %% [markdown]
# ## One objective for both
#
# scikit-learn's `LogisticRegression(C=C)` minimises
# $\tfrac12\lVert w\rVert^2 + C\,\mathcal{L}(w, w_0)$, where $\mathcal{L}$ is the
# summed negative log-likelihood and the bias $w_0$ is not penalised. Dividing by $C$
# changes nothing about where the minimum is, so nnbook minimises
#
# $$
# \mathcal{L}(w, w_0) + \frac{1}{C}\cdot\frac12\lVert w\rVert^2 ,
# $$
#
# which is `F.logistic_loss(f, y)` plus `F.l2_penalty([w]) / C`. A small $C$ is a
# strong penalty.

# %%
C = 0.1


def objective(w, w0):
    f = nb.tensor(X_train) @ w + w0
    return F.logistic_loss(f, y_train) + F.l2_penalty([w]) / C


# %% [markdown]
# ## Gradient descent with nnbook
#
# The step size is $1/\beta$, where $\beta$ bounds the curvature of the objective:
# with $\tilde X$ the inputs with a column of ones appended,
# $\beta = \tfrac14\lambda_{\max}(\tilde X^\top \tilde X) + 1/C$ (the chapter derives
# it). `optim.SGD` with the whole training set as one batch is plain gradient
# descent; it moves `w` and `w0`, the two tensors given to it.

# %%
X1 = np.hstack([X_train, np.ones((len(X_train), 1))])
beta = np.linalg.eigvalsh(X1.T @ X1).max() / 4 + 1 / C
print("beta =", round(float(beta), 1), " step size =", f"{1 / beta:.2e}")

w = nb.tensor(np.zeros(X_train.shape[1]), requires_grad=True)
w0 = nb.tensor(0.0, requires_grad=True)
opt = optim.SGD([w, w0], lr=1 / beta)
curve = []
for step in range(1000):
    opt.zero_grad()
    loss = objective(w, w0)
    loss.backward()
    opt.step()
    curve.append(loss.item())
print("objective: first", round(curve[0], 3), " last", round(curve[-1], 4))

# %% [markdown]
# ## The same fit with scikit-learn
#
# scikit-learn's default solver (L-BFGS) stops when its steps get small; a tight
# `tol` makes it go on to the minimum itself, so that the comparison measures
# nnbook's fit, not scikit-learn's stopping rule.

# %%
sk = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X_train, y_train)
with nb.no_grad():
    best = objective(nb.tensor(sk.coef_[0]), nb.tensor(sk.intercept_[0])).item()
print("objective at scikit-learn's solution:", round(best, 4))

# %% [markdown]
# ## Compare the coefficients and the test accuracy
#
# `np.allclose(a, b, rtol=0, atol=1e-3)` asks that every coefficient agree to within
# $10^{-3}$, whatever its size. The largest difference is printed too, so you can see
# how much room there is.

# %%
gap = np.abs(w.data - sk.coef_[0]).max()
print("coefficients agree within 1e-3:",
      np.allclose(w.data, sk.coef_[0], rtol=0, atol=1e-3))
print("largest difference:", f"{gap:.1e}",
      " bias difference:", f"{abs(w0.item() - sk.intercept_[0]):.1e}")
print("first five, nnbook:      ", np.round(w.data[:5], 3))
print("first five, scikit-learn:", np.round(sk.coef_[0][:5], 3))


def test_accuracy(w, w0):
    return float(np.mean(((X_test @ w + w0) > 0) == y_test))


print("test accuracy: nnbook", round(test_accuracy(w.data, w0.item()), 4),
      " scikit-learn", round(test_accuracy(sk.coef_[0], sk.intercept_[0]), 4))

# %% [markdown]
# ## How the objective falls
#
# On the left, the objective at each step; on the right, its distance from the
# minimum that scikit-learn found, on a logarithmic scale.

# %%
steps = np.arange(len(curve))
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
left.plot(steps, curve)
left.set_xlabel("step")
left.set_ylabel("objective")
right.semilogy(steps, np.maximum(np.array(curve) - best, 1e-12))
right.set_xlabel("step")
right.set_ylabel("objective minus its minimum")
fig.tight_layout()
plt.show()

# %% [markdown]
# <!-- alt: Left: the objective of the nnbook fit against the step, falling steeply from about 295 in the first hundred steps and then levelling off near 54. Right: the objective minus its minimum on a logarithmic scale, falling from about 240 steeply at first and then along a nearly straight line to below 1e-7 after 1000 steps. -->
# Almost all of the drop happens in the first hundred steps (left). After that the
# gap to the minimum shrinks by about the same factor every step, a straight line on
# the logarithmic scale (right): the linear convergence of gradient descent on a
# strongly convex objective. Its slope is set by the condition number of the
# objective, how much more it curves in its steepest direction than in its
# flattest.
#
# ## Try this
#
# * Set `C = 1.0` (scikit-learn's default) and run the lab again. The penalty is ten
#   times weaker, the objective flatter in its flattest direction: does the
#   coefficient check still pass after 1000 steps? How many steps does it take?
# * Double the step size, `lr=2 / beta`, then try `lr=3 / beta`. Which still
#   converges, and what does the curve on the right do?
# * Skip `standardize` and fit the raw features (recompute `beta`). What happens to
#   the step size, and to the number of steps needed?
# * Replace the explicit penalty with `optim.SGD([w, w0], lr=1 / beta,
#   weight_decay=1 / C)` and drop `F.l2_penalty` from `objective`. Why do the
#   coefficients no longer match scikit-learn's? (Which parameter does weight decay
#   touch that scikit-learn's penalty leaves alone?)
# * Add `momentum=0.9` to the optimiser. How many steps does the fit need now?
