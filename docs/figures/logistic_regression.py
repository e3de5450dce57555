"""Figures of the chapter "Logistic regression and the chain rule".

* ``logistic-regression-links``: p(y=1|f) for the logit, probit and complementary
  log-log links, and ∂ℒ_n/∂f_n for a label 1 and a label 0 (nnbook's autodiff).
* ``logistic-regression-fit``: the chapter's gradient-descent fit to the
  breast-cancer data, at the step 1/β: the objective against the step, and its gap to
  the minimum on a logarithmic scale.

Everything plotted is computed here, with nnbook, when the site is built.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

import nnbook as nb
from nnbook import functional as F
from nnbook.data import load_breast_cancer, train_test_split, standardize

LINK_LABELS = {"logit": "logit", "probit": "probit", "cloglog": "complementary log-log"}
INVERSE_LINKS = {"logit": F.sigmoid, "probit": F.ndtr, "cloglog": F.inv_cloglog}

# The chapter's fit: same split, penalty, step size and number of steps.
C = 0.1
STEPS = 1000
EXTRA_STEPS = 1000  # run on, to know the minimum the gap is measured from


def dloss_df(f: np.ndarray, label: float, link: str) -> np.ndarray:
    """∂ℒ_n/∂f_n at each f for one label, by reverse mode through `F.binary_nll`."""
    f_t = nb.tensor(f, requires_grad=True)
    F.binary_nll(f_t, np.full(f.shape, label), link).backward()
    return f_t.grad


def links(theme: str) -> Figure:
    f = np.linspace(-5, 5, 401)
    fig = Figure(figsize=(9.0, 3.8))
    left, right = fig.subplots(1, 2)
    for k, link in enumerate(INVERSE_LINKS):
        colour = f"C{k}"
        left.plot(f, INVERSE_LINKS[link](nb.tensor(f)).numpy(), color=colour, label=LINK_LABELS[link])
        right.plot(f, dloss_df(f, 1.0, link), color=colour, label=f"{link}, y = 1")
        right.plot(f, dloss_df(f, 0.0, link), color=colour, linestyle="--", label=f"{link}, y = 0")
    left.set(xlabel="f", ylabel="p(y = 1 | f)", title="the probability of y = 1")
    left.legend(loc="upper left", fontsize=9)
    right.set(xlabel="f", ylabel="∂ℒ/∂f", ylim=(-5, 5), title="the derivative of one term of the loss")
    right.legend(loc="lower right", fontsize=8, ncol=2)
    for ax in (left, right):
        ax.grid(True)
        ax.axvline(0.0, color=ax.xaxis.label.get_color(), linewidth=0.6, alpha=0.5)
    fig.tight_layout()
    return fig


@lru_cache(maxsize=1)
def fit_history() -> np.ndarray:
    """The objective before each gradient step of the chapter's fit (and beyond it)."""
    X, y = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, rng=0)
    X_train, X_test = standardize(X_train, X_test)
    X1 = np.hstack([X_train, np.ones((len(X_train), 1))])
    # β bounds the Hessian's eigenvalues everywhere (σ(1 − σ) ≤ ¼): the step is 1/β
    beta = np.linalg.eigvalsh(X1.T @ X1).max() / 4 + 1 / C
    lr = 1 / beta
    w = nb.tensor(np.zeros(X_train.shape[1]), requires_grad=True)
    w0 = nb.tensor(0.0, requires_grad=True)
    history = []
    for _ in range(STEPS + EXTRA_STEPS):
        objective = F.logistic_loss(X_train @ w + w0, y_train) + F.l2_penalty([w]) / C
        w.grad = w0.grad = None
        objective.backward()
        with nb.no_grad():
            w.data -= lr * w.grad
            w0.data -= lr * w0.grad
        history.append(objective.item())
    return np.array(history)


def fit(theme: str) -> Figure:
    history = fit_history()
    steps = np.arange(STEPS)
    gap = history[:STEPS] - history.min()
    fig = Figure(figsize=(9.0, 3.6))
    left, right = fig.subplots(1, 2)
    left.plot(steps, history[:STEPS], color="C0")
    left.set(xlabel="gradient-descent step", ylabel="objective",
             title="ℒ(w) + ‖w‖²/(2C), training split")
    right.semilogy(steps, gap, color="C1")
    right.set(xlabel="gradient-descent step", ylabel="objective − minimum",
              title="the gap to the minimum")
    for ax in (left, right):
        ax.grid(True)
    fig.tight_layout()
    return fig


FIGURES = {
    "logistic-regression-links": links,
    "logistic-regression-fit": fit,
}
