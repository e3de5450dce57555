r"""Inverse link functions for a binary label, and the negative log-likelihood they give.

Logistic regression sets ``p(y=1 | x) = σ(f)``. Any increasing function ``Ψ`` from
the real line onto ``(0, 1)`` would serve in its place, and everything downstream of
``∂L/∂f`` stays as it is. Three choices are classic (McCullagh & Nelder, *Generalized
Linear Models*, 2nd ed., 1989, §4.3):

| link    | ``Ψ(f) = p(y=1)``   | ``ln p(y=1)``          | ``ln p(y=0)``     |
| ------- | ------------------- | ---------------------- | ----------------- |
| logit   | ``σ(f)``            | ``−softplus(−f)``      | ``−softplus(f)``  |
| probit  | ``Φ(f)``            | ``log_ndtr(f)``        | ``log_ndtr(−f)``  |
| cloglog | ``1 − exp(−e^f)``   | ``log_inv_cloglog(f)`` | ``−e^f``          |

``Φ`` is the standard normal distribution function; the plain-numpy formulas behind
these primitives, and how they stay accurate in the tails, are in `nnbook.numerics`.

Every primitive here is elementwise: it takes a Tensor or array_like of any shape and any
finite values, returns the input's shape and dtype (computing in float64 inside), and
raises no floating-point warning at ``±1e4``.
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.arithmetic import exp, where
from nnbook.functional.losses import REDUCTIONS, logistic_loss, reduce, targets_like
from nnbook.functional.registry import primitive

__all__ = ["ndtr", "log_ndtr", "inv_cloglog", "log_inv_cloglog", "binary_nll", "LINKS"]

#: The link names `binary_nll` accepts.
LINKS = ("logit", "probit", "cloglog")
_INV_SQRT_2PI = 0.39894228040143267794


# -- primitives ---------------------------------------------------------------------------


def _unary(name: str, x: Tensor, value, derivative) -> Tensor:
    """A one-input elementwise primitive: float64 inside, the input's dtype outside."""
    x64 = x.data.astype(np.float64)
    out = value(x64).astype(x.dtype, copy=False)
    return Tensor.from_op(out, (x,), lambda g: (g * derivative(x64),), name)


@primitive
def ndtr(x) -> Tensor:
    r"""The standard normal distribution function ``Φ(x)``, elementwise.

    $$\Phi(x) = \int_{-\infty}^x \frac{e^{-t^2/2}}{\sqrt{2\pi}}\,dt
    = \tfrac12\operatorname{erfc}(-x/\sqrt2)$$

    VJP: $\bar x = \bar v \odot \Phi'(x)$, the normal density. The inverse of the
    probit link: ``p(y=1|f) = Φ(f)``. Accurate to about 1e-15 relative wherever ``Φ(x)`` is a normal
    double (``x > −37.5``); below about ``−38.5`` it underflows to 0 (use `log_ndtr`).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.ndtr(nb.tensor([-1.959963984540054, 0.0, 1e4])))
    tensor([0.025, 0.5  , 1.   ])
    """
    x = as_tensor(x)
    return _unary("ndtr", x, numerics.ndtr, lambda a: _INV_SQRT_2PI * np.exp(-0.5 * a * a))


@primitive
def log_ndtr(x) -> Tensor:
    r"""``ln Φ(x)``, elementwise, finite for every finite ``x``.

    ``Φ(x)`` underflows to 0 below ``x ≈ −38.5``; ``ln Φ(x)`` does not (it behaves
    like ``−x²/2``), and is computed here without ever forming ``Φ(x)``.
    VJP: $\bar x = \bar v \odot \Phi'(x)/\Phi(x)$, which tends to $-x$ as $x \to -\infty$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> [round(v, 6) for v in F.log_ndtr(nb.tensor([-40.0, 0.0, 40.0])).numpy().tolist()]
    [-804.608442, -0.693147, 0.0]
    """
    x = as_tensor(x)
    return _unary("log_ndtr", x, numerics.log_ndtr, numerics.dlog_ndtr)


@primitive
def inv_cloglog(x) -> Tensor:
    r"""``1 − exp(−e^x)``, elementwise: the inverse of the complementary log-log link.

    ``p(y=1|f) = 1 − exp(−e^f)`` is not symmetric: it approaches 0 like ``e^f`` but
    reaches 1 doubly exponentially fast. VJP: $\bar x = \bar v \odot \exp(x - e^x)$.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.inv_cloglog(nb.tensor([-1e4, 0.0, 1e4])))
    tensor([0.        , 0.63212056, 1.        ])
    """
    x = as_tensor(x)
    return _unary("inv_cloglog", x, numerics.inv_cloglog, numerics.dinv_cloglog)


@primitive
def log_inv_cloglog(x) -> Tensor:
    r"""``ln(1 − exp(−e^x))``, elementwise, finite for every finite ``x``.

    The log-probability of ``y = 1`` under the complementary log-log link. For very
    negative ``x`` it equals ``x`` to within ``e^x/2`` (even where ``e^x`` underflows);
    VJP: $\bar x = \bar v \odot e^x / (\exp(e^x) - 1)$, a factor between 0 and 1.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.log_inv_cloglog(nb.tensor([-1e4, 0.0, 1e4])))
    tensor([-1.00000000e+04, -4.58675145e-01,  0.00000000e+00])
    """
    x = as_tensor(x)
    return _unary("log_inv_cloglog", x, numerics.log_inv_cloglog, numerics.dlog_inv_cloglog)


# -- the loss -----------------------------------------------------------------------------


def binary_nll(f, y, link: str = "logit", reduction: str = "sum") -> Tensor:
    r"""Negative log-likelihood of labels ``y`` ∈ [0, 1] under ``p(y=1|f) = Ψ(f)``.

    $$\mathcal{L} = -\sum_n \Bigl[y_n \ln \Psi(f_n) + (1 - y_n) \ln\bigl(1 - \Psi(f_n)\bigr)\Bigr]$$

    with ``Ψ`` the logistic sigmoid (``link="logit"``, the same as `logistic_loss`),
    the normal distribution function ``Φ`` (``"probit"``) or ``1 − exp(−e^f)``
    (``"cloglog"``). Each log-probability is computed without forming a probability
    that could underflow. Under ``"cloglog"`` the term ``−ln p(y=0|f) = e^f`` really
    is ``inf`` for ``f`` above about 709, wherever ``y < 1``.

    Parameters
    ----------
    f : Tensor, any shape, e.g. (N,)
        The model's outputs.
    y : array_like, the shape of ``f``
        Labels, 0 or 1 (values in between are allowed: soft labels).
    link : {"logit", "probit", "cloglog"}
        Which ``Ψ`` turns ``f`` into ``p(y=1|f)``.
    reduction : {"sum", "mean", "none"}
        Sum over examples (as in the notes), average, or the per-example losses.

    Returns
    -------
    Tensor
        A scalar, or the shape of ``f`` with ``reduction="none"``.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> f = nb.tensor([-1e4, 0.0, 1e4])
    >>> for link in F.LINKS:
    ...     print(link, F.binary_nll(f, [1, 1, 1], link, reduction="none"))
    logit tensor([1.00000000e+04, 6.93147181e-01, 0.00000000e+00])
    probit tensor([5.00000101e+07, 6.93147181e-01, 0.00000000e+00])
    cloglog tensor([1.00000000e+04, 4.58675145e-01, 0.00000000e+00])
    """
    f = as_tensor(f)
    y = targets_like(f, y, "binary_nll")
    if link not in LINKS:
        raise ValueError(f"binary_nll: link must be one of {LINKS}, got {link!r}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"binary_nll: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if y.data.size and not (np.all(y.data >= 0) and np.all(y.data <= 1)):
        raise ValueError(
            f"binary_nll: labels y must lie in [0, 1] (0 or 1, or a soft label), got "
            f"values from {y.data.min()} to {y.data.max()}"
        )
    if link == "logit":
        return logistic_loss(f, y, reduction)
    if link == "probit":
        # 1 − Φ(f) = Φ(−f): the normal density is symmetric.
        losses = -y * log_ndtr(f) - (1 - y) * log_ndtr(-f)
    else:
        # ln p(y=0|f) = −e^f. Where y = 1 the term has weight 0, but 0 · e^f is nan
        # once e^f overflows; feed exp a harmless 0 there instead (value and gradient).
        safe_f = where(y.data < 1, f, 0.0)
        losses = -y * log_inv_cloglog(f) + (1 - y) * exp(safe_f)
    return reduce(losses, reduction, "binary_nll")
