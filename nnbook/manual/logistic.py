r"""Logistic regression by hand, in plain numpy (see the chapter on logistic regression).

The model is ``f_n = wᵀx_n + w_0`` and ``p(y_n = 1 | x_n; w) = σ(f_n)``. The loss is
written in terms of ``f_n`` (the notes' form):

$$\mathcal{L}(w) = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n})$$

and its gradient is found in two steps, the chain rule
``∂L/∂w = Σ_n ∂L/∂f_n · ∂f_n/∂w``:

* `dloss_df` — the derivative of the loss with respect to each ``f_n``; for the
  logistic link it is ``σ(f_n) − y_n``; for the probit and complementary log-log
  links it is a different formula, and that is the only thing that changes;
* `chain_rule` — the second factor, ``∂f_n/∂w = x_n`` and ``∂f_n/∂w_0 = 1``, summed
  over the examples: ``(Xᵀ δ, Σ_n δ_n)`` for ``δ = ∂L/∂f``.

`logistic_gradient` puts the two together. `naive_logistic_loss` evaluates the loss
exactly as written, to show where it overflows; `logistic_loss` evaluates it stably.

Shapes: ``X`` is ``(N, D)``, ``y`` and ``f`` are ``(N,)``, ``w`` is ``(D,)``, ``w0``
a number.
"""

from __future__ import annotations

import numpy as np

from nnbook.functional.links import LINKS, _dlog_inv_cloglog, _pdf_over_cdf
from nnbook.functional.primitives import stable_sigmoid as _sigmoid
from nnbook.functional.primitives import stable_softplus as _softplus

__all__ = [
    "naive_logistic_loss",
    "logistic_loss",
    "dloss_df",
    "chain_rule",
    "logistic_gradient",
]


def _check(name: str, w, w0, X, y) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name}: X must have shape (N, D), got {X.shape}")
    if w.shape != (X.shape[1],):
        raise ValueError(f"{name}: w must have shape ({X.shape[1]},) to match X {X.shape}, got {w.shape}")
    if np.ndim(w0) != 0:
        raise ValueError(f"{name}: w0 must be a single number, got shape {np.shape(w0)}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"{name}: y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    return w, float(w0), X, y


def naive_logistic_loss(w, w0, X, y) -> float:
    r"""The loss exactly as the formula reads, ``Σ y ln(1 + e^{−f}) + (1 − y) ln(1 + e^{f})``.

    For illustration only: ``e^{±f}`` overflows to ``inf`` once ``|f| > 709.78``, which
    makes the loss ``inf`` for a confidently wrong answer and ``nan`` (``0 · inf``) for a
    confidently right one; and ``ln(1 + e^{−f})`` rounds to 0 once ``e^{−f}`` is below
    the spacing of floats near 1. Use `logistic_loss` instead.

    Parameters
    ----------
    w : ndarray, shape (D,)
    w0 : float
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,)
        Labels 0 or 1.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [800.0]])
    >>> with np.errstate(over="ignore"):
    ...     print(naive_logistic_loss(np.array([1.0]), 0.0, X, np.array([1, 0])))
    inf
    """
    w, w0, X, y = _check("naive_logistic_loss", w, w0, X, y)
    f = X @ w + w0
    return float(np.sum(y * np.log(1 + np.exp(-f)) + (1 - y) * np.log(1 + np.exp(f))))


def logistic_loss(w, w0, X, y) -> float:
    r"""The negative log-likelihood of logistic regression, computed without overflow.

    $$\mathcal{L}(w) = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n}),
    \qquad f_n = w^\top x_n + w_0$$

    Each ``ln(1 + e^z)`` is evaluated as ``max(z, 0) + ln(1 + e^{−|z|})``.

    Parameters
    ----------
    w : ndarray, shape (D,)
    w0 : float
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,)
        Labels 0 or 1 (soft labels in between are allowed).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [800.0]])
    >>> print(logistic_loss(np.array([1.0]), 0.0, X, np.array([1, 0])))
    800.6931471805599
    """
    w, w0, X, y = _check("logistic_loss", w, w0, X, y)
    f = X @ w + w0
    return float(np.sum(y * _softplus(-f) + (1 - y) * _softplus(f)))


def dloss_df(f, y, link: str = "logit") -> np.ndarray:
    r"""``∂L/∂f_n`` for each example: the only part of the gradient a link decides.

    With ``p(y=1|f) = F(f)`` and ``L = −Σ_n [y_n ln F(f_n) + (1 − y_n) ln(1 − F(f_n))]``:

    * ``"logit"``, ``F = σ``: ``σ(f_n) − y_n``;
    * ``"probit"``, ``F = Φ``: ``−y_n φ(f_n)/Φ(f_n) + (1 − y_n) φ(f_n)/Φ(−f_n)``;
    * ``"cloglog"``, ``F = 1 − exp(−e^f)``:
      ``−y_n e^{f_n}/(exp(e^{f_n}) − 1) + (1 − y_n) e^{f_n}``.

    Parameters
    ----------
    f : ndarray, shape (N,)
        The model's outputs ``f_n``.
    y : ndarray, shape (N,)
        Labels 0 or 1.
    link : {"logit", "probit", "cloglog"}

    Returns
    -------
    ndarray, shape (N,)

    Examples
    --------
    >>> import numpy as np
    >>> print(dloss_df(np.array([0.0, 0.0, 2.0]), np.array([1, 0, 1])))
    [-0.5         0.5        -0.11920292]
    """
    f = np.asarray(f, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if f.shape != y.shape:
        raise ValueError(f"dloss_df: f has shape {f.shape} but y has shape {y.shape}; they must match")
    if link == "logit":
        return _sigmoid(f) - y
    if link == "probit":
        return -y * _pdf_over_cdf(f) + (1 - y) * _pdf_over_cdf(-f)
    if link == "cloglog":
        # Where y = 1 the e^f term has weight 0; give exp a harmless 0 there so that
        # 0 · e^f cannot turn into 0 · ∞ = nan.
        return -y * _dlog_inv_cloglog(f) + (1 - y) * np.exp(np.where(y < 1, f, 0.0))
    raise ValueError(f"dloss_df: link must be one of {LINKS}, got {link!r}")


def chain_rule(dL_df, X) -> tuple[np.ndarray, float]:
    r"""``∂L/∂w = Σ_n ∂L/∂f_n · x_n`` and ``∂L/∂w_0 = Σ_n ∂L/∂f_n``, for ``f_n = wᵀx_n + w_0``.

    The derivative of ``f_n`` with respect to ``w`` is ``x_n`` and with respect to
    ``w_0`` is 1, whatever the loss: this factor is the same for every link.

    Parameters
    ----------
    dL_df : ndarray, shape (N,)
        ``∂L/∂f_n`` for each example (from `dloss_df`).
    X : ndarray, shape (N, D)
        The inputs, one row ``x_nᵀ`` per example.

    Returns
    -------
    dw : ndarray, shape (D,)
        ``Xᵀ δ``.
    dw0 : float
        ``Σ_n δ_n``.

    Examples
    --------
    >>> import numpy as np
    >>> dw, dw0 = chain_rule(np.array([0.5, -1.0]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> print(dw, dw0)
    [-2.5 -3. ] -0.5
    """
    dL_df = np.asarray(dL_df, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or dL_df.shape != (X.shape[0],):
        raise ValueError(
            f"chain_rule: need dL_df of shape (N,) and X of shape (N, D), got "
            f"{dL_df.shape} and {X.shape}"
        )
    return X.T @ dL_df, float(dL_df.sum())


def logistic_gradient(w, w0, X, y) -> tuple[np.ndarray, float]:
    r"""The gradient of `logistic_loss`: ``∂L/∂w = Xᵀ(σ(f) − y)``, ``∂L/∂w_0 = Σ(σ(f_n) − y_n)``.

    Parameters
    ----------
    w : ndarray, shape (D,)
    w0 : float
    X : ndarray, shape (N, D)
    y : ndarray, shape (N,)

    Returns
    -------
    dw : ndarray, shape (D,)
    dw0 : float

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> dw, dw0 = logistic_gradient(np.zeros(2), 0.0, X, np.array([1, 0]))
    >>> print(dw, dw0)
    [-0.5  0.5] 0.0
    """
    w, w0, X, y = _check("logistic_gradient", w, w0, X, y)
    return chain_rule(dloss_df(X @ w + w0, y), X)
