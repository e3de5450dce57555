r"""Plain-numpy numerics: the numerically careful formulas, with no `Tensor` in sight.

The primitives of `nnbook.functional`, the link functions and the hand derivations of
`nnbook.manual` all need the same few functions computed without overflow or loss of
accuracy; they live here once. Every function takes and returns numpy arrays:

* `sigmoid`, `softplus`, `logsumexp` — keep every exponent $\le 0$, so nothing
  overflows, for any finite input and any floating dtype (the result has the input's
  dtype);
* `erfcx`, `erfc`, `ndtr`, `log_ndtr`, `dlog_ndtr` — the error function and the
  standard normal distribution function $\Phi$, computed in float64;
* `inv_cloglog`, `dinv_cloglog`, `log_inv_cloglog`, `dlog_inv_cloglog` — the
  complementary log-log inverse link $1 - \exp(-e^x)$, in float64.

numpy has no error function. Here it is computed from W. J. Cody's rational Chebyshev
approximations ("Rational Chebyshev approximations for the error function",
*Mathematics of Computation* 23 (1969) 631–637; the coefficients of his SPECFUN
routine CALERF), in the scaled form $\operatorname{erfcx}(t) = e^{t^2}
\operatorname{erfc}(t)$, which stays between 0 and 1 where $\operatorname{erfc}$
underflows. That form is what keeps $\ln\Phi(x)$ finite where $\Phi(x)$ itself is 0 in
floating point (below $x \approx -38.5$).

Examples
--------
>>> import numpy as np
>>> from nnbook import numerics
>>> print(numerics.sigmoid(np.array([-1e4, 0.0, 1e4])))
[0.  0.5 1. ]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid", "softplus", "logsumexp",
    "erfcx", "erfc", "ndtr", "log_ndtr", "dlog_ndtr",
    "inv_cloglog", "dinv_cloglog", "log_inv_cloglog", "dlog_inv_cloglog",
]


# -- exponentials that never overflow ------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""The logistic sigmoid $\sigma(z) = 1 / (1 + e^{-z})$, elementwise, without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.sigmoid(np.array([-1000.0, 0.0, 1000.0])))
    [0.  0.5 1. ]
    """
    # 1/(1+e^{-z}) overflows e^{-z} for z << 0; there use e^{z}/(1+e^{z}) instead:
    # with e = e^{-|z|} <= 1, sigma(z) = (1 or e) / (1 + e). In place where it can be.
    z = np.asarray(z)
    e = np.abs(np.atleast_1d(z))  # an array even for 0-d z, so the in-place steps work
    np.negative(e, out=e)
    np.exp(e, out=e)
    top = np.where(np.atleast_1d(z) >= 0, np.ones((), dtype=e.dtype), e)
    e += 1
    top /= e
    # astype: numpy 1.x promotes a 0-d float32 combined with a Python number to float64.
    return top.reshape(z.shape).astype(z.dtype, copy=False)


def softplus(z: np.ndarray) -> np.ndarray:
    r"""The softplus $\ln(1 + e^z)$, elementwise, without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.softplus(np.array([-1000.0, 0.0, 1000.0])).round(6).tolist())
    [0.0, 0.693147, 1000.0]
    """
    # ln(1+e^z) = max(z, 0) + ln(1 + e^{-|z|}): the exponent is never positive.
    return (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).astype(z.dtype, copy=False)


def logsumexp(z: np.ndarray, axis=-1, keepdims: bool = False) -> np.ndarray:
    r"""$\ln \sum e^{z}$ over ``axis``, without overflow: the largest entry is factored out.

    ``axis`` is what `numpy.sum` takes (None, an int or a tuple of ints).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.logsumexp(np.array([1000.0, 1000.0])).round(6))
    1000.693147
    """
    top = z.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0).astype(z.dtype, copy=False)  # all −inf: −inf, not nan
    out = top + np.log(np.exp(z - top).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


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


def erfcx(t: np.ndarray) -> np.ndarray:
    r"""The scaled complementary error function $e^{t^2}\operatorname{erfc}(t)$, for $t \ge 0$.

    Float64. Bounded: it falls from 1 at $t = 0$ like $1/(t\sqrt\pi)$, so it neither
    overflows nor underflows where $\operatorname{erfc}(t)$ alone would.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.erfcx(np.array([0.0, 1.0, 1e6])).round(12).tolist())
    [1.0, 0.427583576156, 5.6419e-07]
    """
    t = np.asarray(t, dtype=np.float64)
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


def erfc(t: np.ndarray) -> np.ndarray:
    r"""The complementary error function $\operatorname{erfc}(t) = 1 - \operatorname{erf}(t)$.

    Float64, for any real ``t``, to about 1e-15 relative.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.erfc(np.array([-1.0, 0.0, 1.0])).round(12).tolist())
    [1.84270079295, 1.0, 0.15729920705]
    """
    t = np.asarray(t, dtype=np.float64)
    a = np.abs(t)
    out = np.empty_like(t)
    small = a <= 0.46875
    s = t[small]
    z = s * s
    out[small] = 1.0 - s * np.polyval(_A, z) / np.polyval(_B, z)
    b = a[~small]
    tail = _exp_neg_square(b) * erfcx(b)
    out[~small] = np.where(t[~small] < 0, 2.0 - tail, tail)
    return out


# -- the normal distribution ----------------------------------------------------------------


def ndtr(x: np.ndarray) -> np.ndarray:
    r"""The standard normal distribution function $\Phi(x) = \tfrac12\operatorname{erfc}(-x/\sqrt2)$.

    Float64; accurate to about 1e-15 relative wherever $\Phi(x)$ is a normal double.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.ndtr(np.array([-1.959963984540054, 0.0, 40.0])).round(12).tolist())
    [0.025, 0.5, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    left = x <= 0
    a = x[left]
    # Φ(x) = ½ e^{−x²/2} erfcx(−x/√2), the exponential taken from x itself: going
    # through the rounded −x/√2 would cost up to x²·1e-16 of relative accuracy.
    out[left] = 0.5 * _exp_neg_square(a, 0.5) * erfcx(-a / np.sqrt(2.0))
    out[~left] = 1.0 - 0.5 * erfc(x[~left] / np.sqrt(2.0))
    return out


def log_ndtr(x: np.ndarray) -> np.ndarray:
    r"""$\ln\Phi(x)$, float64, finite for every finite ``x``; $\Phi(x)$ is never formed where it underflows.

    For $x \le 0$ it is $-x^2/2 + \ln(\tfrac12\operatorname{erfcx}(-x/\sqrt2))$, whose
    parts are both moderate. For $x > 0$ that form would need
    $\operatorname{erfcx}$ of a negative argument, which overflows beyond $x \approx 37.7$;
    there $\Phi(x) > \tfrac12$ and $\ln\Phi(x) = \ln(1 - \Phi(-x))$ is computed with
    ``log1p``, which keeps the small $\Phi(-x)$ exact.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.log_ndtr(np.array([-40.0, 0.0, 40.0])).round(6).tolist())
    [-804.608442, -0.693147, 0.0]
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    left = x <= 0
    a = x[left]
    out[left] = np.log(0.5 * erfcx(-a / np.sqrt(2.0))) - 0.5 * a * a
    out[~left] = np.log1p(-0.5 * erfc(x[~left] / np.sqrt(2.0)))
    return out + 0.0  # no −0.0 for x → ∞


def dlog_ndtr(x: np.ndarray) -> np.ndarray:
    r"""$\Phi'(x)/\Phi(x)$, the derivative of $\ln\Phi(x)$ (float64); about $-x$ as $x \to -\infty$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.dlog_ndtr(np.array([-1e4, 0.0])).round(6).tolist())
    [10000.0001, 0.797885]
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    left = x <= 0
    # φ(x) = e^{−x²/2}/√(2π) and Φ(x) = ½ e^{−x²/2} erfcx(−x/√2): the exponentials cancel.
    out[left] = _SQRT_2_OVER_PI / erfcx(-x[left] / np.sqrt(2.0))
    b = x[~left]
    out[~left] = _INV_SQRT_2PI * np.exp(-0.5 * b * b) / ndtr(b)
    return out


# -- the complementary log-log link ----------------------------------------------------------
# Beyond x = 40, exp(−e^x) = exp(−2.4e17 or less) is 0 in floating point anyway:
# capping x there keeps e^x from overflowing and changes no result.
_CAP = 40.0


def inv_cloglog(x: np.ndarray) -> np.ndarray:
    r"""$1 - \exp(-e^x)$ (float64); ``expm1`` keeps it exact where $e^x$ is small.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.inv_cloglog(np.array([-1e4, 0.0, 1e4])).round(8).tolist())
    [0.0, 0.63212056, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    return -np.expm1(-np.exp(np.minimum(x, _CAP)))


def dinv_cloglog(x: np.ndarray) -> np.ndarray:
    r"""$\exp(x - e^x)$, the derivative of `inv_cloglog` (float64).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.dinv_cloglog(np.array([-1e4, 0.0, 1e4])).round(8).tolist())
    [0.0, 0.36787944, 0.0]
    """
    x = np.asarray(x, dtype=np.float64)
    return np.exp(x - np.exp(np.minimum(x, _CAP)))


def log_inv_cloglog(x: np.ndarray) -> np.ndarray:
    r"""$\ln(1 - \exp(-e^x))$ (float64), finite and exact even where $e^x$ underflows.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.log_inv_cloglog(np.array([-1e4, 0.0, 1e4])).round(8).tolist())
    [-10000.0, -0.45867515, 0.0]
    """
    x = np.asarray(x, dtype=np.float64)
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


def dlog_inv_cloglog(x: np.ndarray) -> np.ndarray:
    r"""$e^x / (\exp(e^x) - 1)$, the derivative of `log_inv_cloglog` (float64), in $(0, 1)$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import numerics
    >>> print(numerics.dlog_inv_cloglog(np.array([-1e4, 0.0, 1e4])).round(8).tolist())
    [1.0, 0.58197671, 0.0]
    """
    x = np.asarray(x, dtype=np.float64)
    u = np.exp(np.minimum(x, _CAP))
    out = np.empty_like(x)
    tail = x < -20.0
    out[tail] = 1.0 - 0.5 * u[tail]  # u/(e^u − 1) = 1 − u/2 + u²/12 − …
    rest = ~tail
    # e^{x − u}/(1 − e^{−u}) is u/(e^u − 1) without e^u, which overflows for u > 709.
    out[rest] = np.exp(x[rest] - u[rest]) / -np.expm1(-u[rest])
    return out
