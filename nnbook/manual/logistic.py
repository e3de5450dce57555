r"""Logistic regression by hand, in plain numpy: the formulas of the logistic-regression chapter.

The model is $f_n = w^\top x_n + w_0$, with $p(y_n = 1 \mid x_n; w) = \sigma(f_n)$. The
loss, written in terms of the outputs $f_n$, is

$$\mathcal{L}(w) = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n}),$$

and its gradient is found in two steps, by the chain rule
$\partial\mathcal{L}/\partial w = \sum_n (\partial\mathcal{L}/\partial f_n)
\,(\partial f_n/\partial w)$:

* `dloss_df`: the first factor, the derivative of the loss with respect to each
  $f_n$; for the logistic link it is $\sigma(f_n) - y_n$, for the probit and
  complementary log-log links another formula, and that is the only thing a link
  changes;
* `chain_rule`: the second factor, $\partial f_n/\partial w = x_n^\top$ and
  $\partial f_n/\partial w_0 = 1$, summed over the examples.

`logistic_gradient` puts the two together. `naive_logistic_loss` evaluates the loss
exactly as written, to show where it overflows; `stable_logistic_loss` evaluates it
without overflow. The careful special functions come from `nnbook.numerics`; nothing
here builds a `Tensor`.

Shapes: ``X`` is ``(N, D)``, one example per row; ``y`` and ``f`` are ``(N,)``; ``w``
is ``(D,)`` and ``w0`` a number. The derivative $\partial\mathcal{L}/\partial w$ is a
$1 \times D$ row; it is returned, as `Tensor.grad` holds it, in the shape of ``w``:
an array of shape ``(D,)`` with the row's $D$ entries.

Examples
--------
>>> import numpy as np
>>> from nnbook.manual import logistic
>>> X, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([1, 0])
>>> w, w0 = np.array([0.5, -0.25]), 0.1
>>> dw, dw0 = logistic.chain_rule(logistic.dloss_df(X @ w + w0, y), X)
>>> same = logistic.logistic_gradient(w, w0, X, y)
>>> print(np.allclose(dw, same[0]), np.isclose(dw0, same[1]))
True True
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.functional import LINKS

__all__ = [
    "naive_logistic_loss",
    "stable_logistic_loss",
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
    r"""The loss evaluated exactly as the formula reads, with no care for overflow.

    $$\mathcal{L}(w) = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n}),
    \qquad f_n = w^\top x_n + w_0$$

    For illustration only: $e^{\pm f}$ overflows to ``inf`` once $|f| > 709.78$, which
    makes the loss ``inf`` for a confidently wrong answer and ``nan`` ($0 \cdot \infty$)
    for a confidently right one; and $\ln(1 + e^{-f})$ rounds to 0 once $e^{-f}$ is
    below the spacing of floats near 1. Use `stable_logistic_loss` instead.

    Parameters
    ----------
    w : ndarray, shape (D,)
        The weights.
    w0 : float
        The bias.
    X : ndarray, shape (N, D)
        The inputs, one example ``x_nᵀ`` per row.
    y : ndarray, shape (N,)
        Labels 0 or 1.

    Returns
    -------
    float
        The loss, summed over the ``N`` examples (``inf`` or ``nan`` where
        $e^{\pm f_n}$ overflows).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import naive_logistic_loss
    >>> X = np.array([[0.0], [800.0]])
    >>> with np.errstate(over="ignore"):
    ...     print(naive_logistic_loss(np.array([1.0]), 0.0, X, np.array([1, 0])))
    inf
    """
    w, w0, X, y = _check("naive_logistic_loss", w, w0, X, y)
    f = X @ w + w0
    return float(np.sum(y * np.log(1 + np.exp(-f)) + (1 - y) * np.log(1 + np.exp(f))))


def stable_logistic_loss(w, w0, X, y) -> float:
    r"""The negative log-likelihood of logistic regression, computed without overflow.

    $$\mathcal{L}(w) = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n}),
    \qquad f_n = w^\top x_n + w_0$$

    Each $\ln(1 + e^z)$ is evaluated as `nnbook.numerics.softplus` evaluates it,
    $\max(z, 0) + \operatorname{log1p}(e^{-|z|})$: the exponent is never positive, so
    the result is finite and accurate for every finite $f_n$.

    Parameters
    ----------
    w : ndarray, shape (D,)
        The weights.
    w0 : float
        The bias.
    X : ndarray, shape (N, D)
        The inputs, one example ``x_nᵀ`` per row.
    y : ndarray, shape (N,)
        Labels 0 or 1 (soft labels in between are allowed).

    Returns
    -------
    float
        The loss, summed over the ``N`` examples.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import stable_logistic_loss
    >>> X = np.array([[0.0], [800.0]])
    >>> print(round(stable_logistic_loss(np.array([1.0]), 0.0, X, np.array([1, 0])), 6))
    800.693147
    """
    w, w0, X, y = _check("stable_logistic_loss", w, w0, X, y)
    f = X @ w + w0
    return float(np.sum(y * numerics.softplus(-f) + (1 - y) * numerics.softplus(f)))


def dloss_df(f, y, link: str = "logit") -> np.ndarray:
    r"""$\partial\mathcal{L}/\partial f_n$ for each example: the one factor a link decides.

    With $p(y = 1 \mid f) = \Psi(f)$ and
    $\mathcal{L} = -\sum_n \bigl[y_n \ln\Psi(f_n) + (1 - y_n) \ln(1 - \Psi(f_n))\bigr]$:

    * ``"logit"``, $\Psi = \sigma$: $\sigma(f_n) - y_n$;
    * ``"probit"``, $\Psi = \Phi$:
      $-y_n\,\Phi'(f_n)/\Phi(f_n) + (1 - y_n)\,\Phi'(f_n)/\Phi(-f_n)$;
    * ``"cloglog"``, $\Psi(f) = 1 - \exp(-e^f)$:
      $-y_n\,e^{f_n}/(\exp(e^{f_n}) - 1) + (1 - y_n)\,e^{f_n}$.

    The ratios $\Phi'/\Phi$ and $e^f/(\exp(e^f) - 1)$ come from
    `nnbook.numerics.dlog_ndtr` and `nnbook.numerics.dlog_inv_cloglog`, which stay
    finite and accurate far in the tails.

    Parameters
    ----------
    f : ndarray, shape (N,)
        The model's outputs $f_n$.
    y : ndarray, shape (N,)
        Labels 0 or 1.
    link : {"logit", "probit", "cloglog"}
        The inverse link $\Psi$ that turns $f$ into $p(y = 1 \mid f)$.

    Returns
    -------
    ndarray, shape (N,)
        $\partial\mathcal{L}/\partial f_n$ for each example.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import dloss_df
    >>> print(dloss_df(np.array([0.0, 0.0, 2.0]), np.array([1, 0, 1])))
    [-0.5         0.5        -0.11920292]
    """
    f = np.asarray(f, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if f.shape != y.shape:
        raise ValueError(f"dloss_df: f has shape {f.shape} but y has shape {y.shape}; they must match")
    if link == "logit":
        return numerics.sigmoid(f) - y
    if link == "probit":
        return -y * numerics.dlog_ndtr(f) + (1 - y) * numerics.dlog_ndtr(-f)
    if link == "cloglog":
        # Where y = 1 the e^f term has weight 0; give exp a harmless 0 there so that
        # 0 · e^f cannot turn into 0 · ∞ = nan.
        return -y * numerics.dlog_inv_cloglog(f) + (1 - y) * np.exp(np.where(y < 1, f, 0.0))
    raise ValueError(f"dloss_df: link must be one of {LINKS}, got {link!r}")


def chain_rule(dL_df, X) -> tuple[np.ndarray, float]:
    r"""The chain rule's sum over examples, for $f_n = w^\top x_n + w_0$.

    $$\frac{\partial\mathcal{L}}{\partial w}
    = \sum_n \frac{\partial\mathcal{L}}{\partial f_n}\, x_n^\top, \qquad
    \frac{\partial\mathcal{L}}{\partial w_0} = \sum_n \frac{\partial\mathcal{L}}{\partial f_n}$$

    The derivative of $f_n$ with respect to $w$ is the row $x_n^\top$ and with
    respect to $w_0$ it is 1, whatever the loss: this factor is the same for every
    link.

    Parameters
    ----------
    dL_df : ndarray, shape (N,)
        $\partial\mathcal{L}/\partial f_n$ for each example (from `dloss_df`).
    X : ndarray, shape (N, D)
        The inputs, one example ``x_nᵀ`` per row.

    Returns
    -------
    dw : ndarray, shape (D,)
        The entries of the $1 \times D$ row $\partial\mathcal{L}/\partial w$, in the
        shape of ``w``: ``X.T @ dL_df``.
    dw0 : float
        $\partial\mathcal{L}/\partial w_0$, the sum of ``dL_df``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import chain_rule
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
    r"""The gradient of `stable_logistic_loss` with respect to ``w`` and ``w0``.

    $$\frac{\partial\mathcal{L}}{\partial w} = \bigl(\sigma(f) - y\bigr)^\top X, \qquad
    \frac{\partial\mathcal{L}}{\partial w_0} = \sum_n \bigl(\sigma(f_n) - y_n\bigr)$$

    `chain_rule` applied to `dloss_df` with the logistic link.

    Parameters
    ----------
    w : ndarray, shape (D,)
        The weights.
    w0 : float
        The bias.
    X : ndarray, shape (N, D)
        The inputs, one example ``x_nᵀ`` per row.
    y : ndarray, shape (N,)
        Labels 0 or 1.

    Returns
    -------
    dw : ndarray, shape (D,)
        The entries of the $1 \times D$ row $\partial\mathcal{L}/\partial w$, in the
        shape of ``w`` (as ``w.grad`` would hold them).
    dw0 : float
        $\partial\mathcal{L}/\partial w_0$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import logistic_gradient
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> dw, dw0 = logistic_gradient(np.zeros(2), 0.0, X, np.array([1, 0]))
    >>> print(dw, dw0)
    [-0.5  0.5] 0.0
    """
    w, w0, X, y = _check("logistic_gradient", w, w0, X, y)
    return chain_rule(dloss_df(X @ w + w0, y), X)
