r"""Inverse link functions for a binary label, and the negative log-likelihood they give.

Logistic regression sets ``p(y=1 | x) = σ(f)``. Any increasing function ``F`` from
the real line onto ``(0, 1)`` would serve in its place, and everything downstream of
``∂L/∂f`` stays as it is. Three choices are classic (McCullagh & Nelder, *Generalized
Linear Models*, 2nd ed., 1989, §4.3):

| link    | ``F(f) = p(y=1)``   | ``ln p(y=1)``          | ``ln p(y=0)``     |
| ------- | ------------------- | ---------------------- | ----------------- |
| logit   | ``σ(f)``            | ``−softplus(−f)``      | ``−softplus(f)``  |
| probit  | ``Φ(f)``            | ``log_ndtr(f)``        | ``log_ndtr(−f)``  |
| cloglog | ``1 − exp(−e^f)``   | ``log_inv_cloglog(f)`` | ``−e^f``          |

``Φ`` is the standard normal distribution function. numpy has no ``erf``; here it is
computed from W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
approximations for the error function", *Mathematics of Computation* 23 (1969)
631–637; the coefficients of his SPECFUN routine CALERF), in the scaled form
``erfcx(t) = e^{t²} erfc(t)``. That form is what keeps ``ln Φ(f)`` finite and exact
where ``Φ(f)`` itself underflows (below ``f ≈ −38.5``): ``ln Φ(f)`` is assembled as
``−f²/2 + ln(erfcx(−f/√2) / 2)``, and ``Φ`` is never formed.

Every primitive here accepts any finite input, returns the input's dtype, and raises
no floating-point warning at ``±1e4``.
"""

from __future__ import annotations

import numpy as np

from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.losses import _reduce, _same_shape, logistic_loss
from nnbook.functional.primitives import exp, primitive, where

__all__ = ["ndtr", "log_ndtr", "inv_cloglog", "log_inv_cloglog", "binary_nll", "LINKS"]

#: The link names `binary_nll` accepts.
LINKS = ("logit", "probit", "cloglog")

# -- the error function, after Cody (1969) ---------------------------------------------
# Coefficient sets of CALERF, highest power first as numpy.polyval takes them.
# [0, 0.46875]:  erf(t)  = t · A(t²) / B(t²)
_A = [1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
      3.77485237685302021e02, 3.20937758913846947e03]
_B = [1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03]
# (0.46875, 4]:  erfcx(t) = C(t) / D(t)
_C = [2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
      6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
      1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03]
_D = [1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03]
# (4, ∞):  erfcx(t) = (1/√π − z · P(z) / Q(z)) / t  with  z = 1/t²
_P = [1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
      1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4]
_Q = [1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3]
_INV_SQRT_PI = 0.56418958354775628695
_SQRT_2_OVER_PI = 0.79788456080286535588
_INV_SQRT_2PI = 0.39894228040143267794
_LN2 = 0.69314718055994530942


def _erfcx(t: np.ndarray) -> np.ndarray:
    """``e^{t²} erfc(t)`` for ``t >= 0`` (float64): bounded, decreasing from 1 like ``1/(t√π)``."""
    out = np.empty_like(t)
    small, large = t <= 0.46875, t > 4.0
    middle = ~(small | large)
    s = t[small]
    z = s * s
    out[small] = np.exp(z) * (1.0 - s * np.polyval(_A, z) / np.polyval(_B, z))
    m = t[middle]
    out[middle] = np.polyval(_C, m) / np.polyval(_D, m)
    g = t[large]
    z = 1.0 / (g * g)
    out[large] = (_INV_SQRT_PI - z * np.polyval(_P, z) / np.polyval(_Q, z)) / g
    return out


def _exp_neg_square(t: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``e^{−scale·t²}``, with the rounding of ``t²`` kept out of the exponent (Cody's split)."""
    # t = h + r with h a multiple of 1/16: h² is exact, and t² − h² = (t − h)(t + h) is
    # small, so the few units in the last place that t² would lose never reach exp.
    h = np.trunc(16.0 * t) / 16.0
    return np.exp(-scale * (h * h)) * np.exp(-scale * ((t - h) * (t + h)))


def _erfc(t: np.ndarray) -> np.ndarray:
    """``erfc(t)`` for any real ``t`` (float64), to about 1e-15 relative."""
    a = np.abs(t)
    out = np.empty_like(t)
    small = a <= 0.46875
    s = t[small]
    z = s * s
    out[small] = 1.0 - s * np.polyval(_A, z) / np.polyval(_B, z)
    b = a[~small]
    tail = _exp_neg_square(b) * _erfcx(b)
    out[~small] = np.where(t[~small] < 0, 2.0 - tail, tail)
    return out


# -- the normal distribution, in numpy ----------------------------------------------------


def _ndtr(x: np.ndarray) -> np.ndarray:
    """``Φ(x)`` (float64)."""
    out = np.empty_like(x)
    left = x <= 0
    a = x[left]
    # Φ(x) = ½ e^{−x²/2} erfcx(−x/√2), the exponential taken from x itself: going
    # through the rounded −x/√2 would cost up to x²·1e-16 of relative accuracy.
    out[left] = 0.5 * _exp_neg_square(a, 0.5) * _erfcx(-a / np.sqrt(2.0))
    out[~left] = 1.0 - 0.5 * _erfc(x[~left] / np.sqrt(2.0))
    return out


def _log_ndtr(x: np.ndarray) -> np.ndarray:
    """``ln Φ(x)`` (float64), without forming ``Φ(x)`` where it would underflow."""
    out = np.empty_like(x)
    left = x <= 0
    a = x[left]
    out[left] = np.log(0.5 * _erfcx(-a / np.sqrt(2.0))) - 0.5 * a * a
    # Φ(x) > ½ here: ln Φ = ln(1 − Φ(−x)), and log1p keeps Φ(−x) ≪ 1 exact.
    out[~left] = np.log1p(-0.5 * _erfc(x[~left] / np.sqrt(2.0)))
    return out + 0.0  # no −0.0 for x → ∞


def _pdf_over_cdf(x: np.ndarray) -> np.ndarray:
    """``φ(x) / Φ(x)`` (float64), the derivative of ``ln Φ(x)``; about ``−x`` as ``x → −∞``."""
    out = np.empty_like(x)
    left = x <= 0
    # φ(x) = e^{−x²/2}/√(2π) and Φ(x) = ½ e^{−x²/2} erfcx(−x/√2): the exponentials cancel.
    out[left] = _SQRT_2_OVER_PI / _erfcx(-x[left] / np.sqrt(2.0))
    b = x[~left]
    out[~left] = _INV_SQRT_2PI * np.exp(-0.5 * b * b) / _ndtr(b)
    return out


# -- the complementary log-log link, in numpy ---------------------------------------------
# Beyond x = 40, exp(−e^x) = exp(−2.4e17 or less) is 0 in floating point anyway:
# capping x there keeps e^x from overflowing and changes no result.
_CAP = 40.0


def _inv_cloglog(x: np.ndarray) -> np.ndarray:
    """``1 − exp(−e^x)`` (float64); ``expm1`` keeps it exact for small ``e^x``."""
    return -np.expm1(-np.exp(np.minimum(x, _CAP)))


def _log_inv_cloglog(x: np.ndarray) -> np.ndarray:
    """``ln(1 − exp(−e^x))`` (float64), finite and exact even where ``e^x`` underflows."""
    u = np.exp(np.minimum(x, _CAP))
    out = np.empty_like(x)
    # ln(1 − e^{−u}) = ln u − u/2 + u²/24 − …: below x = −20 the first two terms are
    # exact to 1e-19, and they need no e^x that could underflow to 0.
    tail = x < -20.0
    out[tail] = x[tail] - 0.5 * u[tail]
    # Mächler (2012), "Accurately computing log(1 − exp(−|a|))": expm1 for u ≤ ln 2,
    # log1p above.
    near = ~tail & (u <= _LN2)
    out[near] = np.log(-np.expm1(-u[near]))
    far = ~tail & ~near
    out[far] = np.log1p(-np.exp(-u[far]))
    return out + 0.0  # no −0.0 for x → ∞


def _dlog_inv_cloglog(x: np.ndarray) -> np.ndarray:
    """``d/dx ln(1 − exp(−e^x)) = e^x / (exp(e^x) − 1)`` (float64), between 0 and 1."""
    u = np.exp(np.minimum(x, _CAP))
    out = np.empty_like(x)
    tail = x < -20.0
    out[tail] = 1.0 - 0.5 * u[tail]  # u/(e^u − 1) = 1 − u/2 + u²/12 − …
    rest = ~tail
    # e^{x − u}/(1 − e^{−u}) is u/(e^u − 1) without e^u, which overflows for u > 709.
    out[rest] = np.exp(x[rest] - u[rest]) / -np.expm1(-u[rest])
    return out


# -- primitives ---------------------------------------------------------------------------


def _unary(name: str, x: Tensor, value, derivative) -> Tensor:
    """A one-input elementwise primitive: float64 inside, the input's dtype outside."""
    x64 = x.data.astype(np.float64)
    out = value(x64).astype(x.dtype, copy=False)
    return Tensor._from_op(out, (x,), lambda g: (g * derivative(x64),), name)


@primitive
def ndtr(x) -> Tensor:
    r"""The standard normal distribution function ``Φ(x)``, elementwise.

    $$\Phi(x) = \int_{-\infty}^x \frac{e^{-t^2/2}}{\sqrt{2\pi}}\,dt
    = \tfrac12\operatorname{erfc}(-x/\sqrt2)$$

    The inverse of the probit link: ``p(y=1|f) = Φ(f)``. Its derivative is the normal
    density ``φ(x)``. Accurate to about 1e-15 relative wherever ``Φ(x)`` is a normal
    double (``x > −37.5``); below about ``−38.5`` it underflows to 0 (use `log_ndtr`).

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor, the shape of ``x``

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.ndtr(nb.tensor([-1.959963984540054, 0.0, 1e4])))
    tensor([0.025, 0.5  , 1.   ])
    """
    x = as_tensor(x)
    return _unary(
        "ndtr", x, _ndtr, lambda a: _INV_SQRT_2PI * np.exp(-0.5 * a * a)
    )


@primitive
def log_ndtr(x) -> Tensor:
    r"""``ln Φ(x)``, elementwise, finite for every finite ``x``.

    ``Φ(x)`` underflows to 0 below ``x ≈ −38.5``; ``ln Φ(x)`` does not (it behaves
    like ``−x²/2``), and is computed here without ever forming ``Φ(x)``. Its
    derivative is ``φ(x)/Φ(x)``, which tends to ``−x`` as ``x → −∞``.

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor, the shape of ``x``

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> [round(v, 6) for v in F.log_ndtr(nb.tensor([-40.0, 0.0, 40.0])).numpy().tolist()]
    [-804.608442, -0.693147, 0.0]
    """
    x = as_tensor(x)
    return _unary("log_ndtr", x, _log_ndtr, _pdf_over_cdf)


@primitive
def inv_cloglog(x) -> Tensor:
    r"""``1 − exp(−e^x)``, elementwise: the inverse of the complementary log-log link.

    ``p(y=1|f) = 1 − exp(−e^f)`` is not symmetric: it approaches 0 like ``e^f`` but
    reaches 1 doubly exponentially fast. Its derivative is ``exp(x − e^x)``.

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor, the shape of ``x``

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.inv_cloglog(nb.tensor([-1e4, 0.0, 1e4])))
    tensor([0.        , 0.63212056, 1.        ])
    """
    x = as_tensor(x)
    return _unary(
        "inv_cloglog", x, _inv_cloglog, lambda a: np.exp(a - np.exp(np.minimum(a, _CAP)))
    )


@primitive
def log_inv_cloglog(x) -> Tensor:
    r"""``ln(1 − exp(−e^x))``, elementwise, finite for every finite ``x``.

    The log-probability of ``y = 1`` under the complementary log-log link. For very
    negative ``x`` it equals ``x`` to within ``e^x/2`` (even where ``e^x`` underflows);
    its derivative ``e^x / (exp(e^x) − 1)`` lies between 0 and 1.

    Parameters
    ----------
    x : Tensor or array_like, any shape

    Returns
    -------
    Tensor, the shape of ``x``

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.log_inv_cloglog(nb.tensor([-1e4, 0.0, 1e4])))
    tensor([-1.00000000e+04, -4.58675145e-01,  0.00000000e+00])
    """
    x = as_tensor(x)
    return _unary("log_inv_cloglog", x, _log_inv_cloglog, _dlog_inv_cloglog)


# -- the loss -----------------------------------------------------------------------------


def binary_nll(f, y, link: str = "logit", reduction: str = "sum") -> Tensor:
    r"""Negative log-likelihood of labels ``y`` ∈ [0, 1] under ``p(y=1|f) = F(f)``.

    $$\mathcal{L} = -\sum_n \Bigl[y_n \ln F(f_n) + (1 - y_n) \ln\bigl(1 - F(f_n)\bigr)\Bigr]$$

    with ``F`` the logistic sigmoid (``link="logit"``, the same as `logistic_loss`),
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
        Which ``F`` turns ``f`` into ``p(y=1|f)``.
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
    f, y = as_tensor(f), as_tensor(y)
    _same_shape("binary_nll", f, y)
    if link not in LINKS:
        raise ValueError(f"binary_nll: link must be one of {LINKS}, got {link!r}")
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
    return _reduce(losses, reduction, "binary_nll")
