"""The links of `nnbook.functional.links` and the special functions of `nnbook.numerics`,
against independent references.

References, none of which shares code with the library:

* Python's ``math.erfc`` and ``math.erf`` (the C library's);
* Laplace's continued fraction for the normal Mills ratio,
  ``(1 − Φ(t))/φ(t) = 1/(t + 1/(t + 2/(t + 3/(t + …))))``, and ``exp``/``ln``, all in
  40-digit ``decimal`` arithmetic — exact to double precision, and usable where
  ``Φ`` underflows;
* the asymptotic series ``erfcx(t) ~ (1/(t√π)) Σ_k (−1)^k (2k−1)!! / (2t²)^k`` for
  large ``t``.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F
from nnbook import numerics

PI = Decimal("3.14159265358979323846264338327950288419716939937510")
TIGHT = 1e-14  # relative: a few units in the last place of a double


def max_relative_error(got, want) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got - want) / np.abs(want)))


def mills_ratio(t: float, terms: int = 200) -> Decimal:
    """``(1 − Φ(t)) / φ(t)`` for ``t >= 3``, by Laplace's continued fraction."""
    with localcontext() as ctx:
        ctx.prec = 40
        T, tail = Decimal(t), Decimal(0)
        for k in range(terms, 0, -1):
            tail = k / (T + tail)
        return 1 / (T + tail)


def log_ndtr_reference(x: float) -> float:
    """``ln Φ(x)`` for ``x <= -3``: ``−x²/2 − ½ ln 2π + ln R(−x)``, in 40 digits."""
    with localcontext() as ctx:
        ctx.prec = 40
        X = Decimal(x)
        return float(-X * X / 2 - (2 * PI).ln() / 2 + mills_ratio(-x).ln())


def ndtr_reference(x: float) -> float:
    """``Φ(x)`` for ``x <= -3``, in 40 digits."""
    with localcontext() as ctx:
        ctx.prec = 40
        X = Decimal(x)
        return float((-X * X / 2).exp() / (2 * PI).sqrt() * mills_ratio(-x))


def pdf_over_cdf_reference(x: float) -> float:
    """``φ(x)/Φ(x) = 1/R(−x)`` for ``x <= -3``."""
    return float(1 / mills_ratio(-x))


# -- the error function ----------------------------------------------------------------


def test_erfc_matches_math_erfc_over_a_wide_grid():
    t = np.concatenate([np.linspace(-6, 26.5, 40_001), [0.46875, 4.0, -0.46875, -4.0]])
    want = np.array([math.erfc(v) for v in t])
    assert max_relative_error(numerics.erfc(t), want) < TIGHT


def test_one_minus_erfc_matches_math_erf():
    t = np.linspace(-5, 5, 20_001)
    want = np.array([math.erf(v) for v in t])
    np.testing.assert_allclose(1 - numerics.erfc(t), want, rtol=0, atol=4e-16)


def test_erfcx_matches_math_near_zero_and_the_asymptotic_series_far_out():
    t = np.linspace(0, 5, 5001)
    want = np.array([math.exp(v * v) * math.erfc(v) for v in t])
    assert max_relative_error(numerics.erfcx(t), want) < TIGHT
    far = np.geomspace(30, 1e6, 500)
    series = np.zeros_like(far)
    term = np.ones_like(far)
    for k in range(12):
        series += term
        term = -term * (2 * k + 1) / (2 * far * far)
    want = series / (far * math.sqrt(math.pi))
    assert max_relative_error(numerics.erfcx(far), want) < TIGHT


def test_erfc_is_zero_beyond_the_range_of_doubles_without_warnings():
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(numerics.erfc(np.array([27.3, 1e4, -1e4])), [0.0, 0.0, 2.0])


# -- the normal distribution function ----------------------------------------------------


def test_ndtr_in_the_lower_tail_matches_the_continued_fraction():
    x = np.linspace(-37, -3, 341)  # Φ stays a normal double down to about −37.5
    want = [ndtr_reference(v) for v in x]
    assert max_relative_error(F.ndtr(nb.tensor(x)).numpy(), want) < TIGHT


def test_ndtr_near_the_middle_matches_math_erfc():
    x = np.linspace(-3, 9, 12_001)
    want = [0.5 * math.erfc(-v / math.sqrt(2)) for v in x]
    assert max_relative_error(F.ndtr(nb.tensor(x)).numpy(), want) < TIGHT


def test_ndtr_of_x_and_minus_x_add_up_to_one():
    x = np.linspace(-8, 8, 1601)
    total = F.ndtr(nb.tensor(x)).numpy() + F.ndtr(nb.tensor(-x)).numpy()
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=3e-16)


def test_log_ndtr_in_the_lower_tail_where_ndtr_underflows():
    x = -np.geomspace(3, 1e4, 400)
    want = [log_ndtr_reference(v) for v in x]
    assert max_relative_error(F.log_ndtr(nb.tensor(x)).numpy(), want) < TIGHT


def test_log_ndtr_in_the_upper_half_keeps_tiny_values_exact():
    x = np.linspace(0.01, 37, 3701)
    # ln Φ(x) = ln(1 − Φ(−x)) ≈ −Φ(−x): relative accuracy rests on that of erfc.
    want = [math.log1p(-0.5 * math.erfc(v / math.sqrt(2))) for v in x]
    assert max_relative_error(F.log_ndtr(nb.tensor(x)).numpy(), want) < TIGHT


def test_log_ndtr_gradient_is_pdf_over_cdf_deep_in_the_tail():
    x = -np.geomspace(3, 1e4, 200)
    x_t = nb.tensor(x, requires_grad=True)
    F.log_ndtr(x_t).sum().backward()
    want = [pdf_over_cdf_reference(v) for v in x]
    assert max_relative_error(x_t.grad, want) < TIGHT
    # φ(x)/Φ(x) → −x: about 1e4 at x = −1e4
    assert abs(x_t.grad[-1] - 1e4) < 1e-3


def test_ndtr_gradient_is_the_normal_density():
    x = np.linspace(-6, 6, 121)
    x_t = nb.tensor(x, requires_grad=True)
    F.ndtr(x_t).sum().backward()
    np.testing.assert_allclose(x_t.grad, np.exp(-x * x / 2) / math.sqrt(2 * math.pi), rtol=1e-15)


# -- the complementary log-log link -------------------------------------------------------


def _decimal_log_inv_cloglog(x: float) -> tuple[float, float]:
    """``ln(1 − exp(−e^x))`` and its derivative ``e^x/(exp(e^x) − 1)``, in 50 digits."""
    with localcontext() as ctx:
        ctx.prec = 50
        u = Decimal(x).exp()
        if u < Decimal("1e-6"):
            # 1 − e^{−u} and e^u − 1 by their series: 50 digits cannot hold 1 − 1e-300.
            one_minus = u * (1 - u / 2 + u * u / 6 - u * u * u / 24)
            minus_one = u * (1 + u / 2 + u * u / 6 + u * u * u / 24)
        else:
            one_minus, minus_one = 1 - (-u).exp(), u.exp() - 1
        return float(one_minus.ln()), float(u / minus_one)


def test_inv_cloglog_matches_its_formula():
    x = np.linspace(-700, 4, 7041)
    want = -np.expm1(-np.exp(x))
    assert max_relative_error(F.inv_cloglog(nb.tensor(x)).numpy(), want) < 1e-15


def test_log_inv_cloglog_and_its_gradient_match_50_digit_arithmetic():
    x = np.concatenate([np.linspace(-700, -21, 200), np.linspace(-21, 3.5, 2451)])
    value, slope = zip(*[_decimal_log_inv_cloglog(v) for v in x])
    x_t = nb.tensor(x, requires_grad=True)
    out = F.log_inv_cloglog(x_t)
    out.sum().backward()
    assert max_relative_error(out.numpy(), value) < TIGHT
    assert max_relative_error(x_t.grad, slope) < TIGHT


def test_log_inv_cloglog_is_x_where_exp_x_underflows():
    x = np.array([-800.0, -1e4, -1e300])
    np.testing.assert_array_equal(F.log_inv_cloglog(nb.tensor(x)).numpy(), x)


# -- every primitive of the module ---------------------------------------------------------

DOMAINS = {
    "ndtr": (F.ndtr, (-8, 8)),
    "log_ndtr": (F.log_ndtr, (-40, 8)),
    "inv_cloglog": (F.inv_cloglog, (-6, 3)),
    "log_inv_cloglog": (F.log_inv_cloglog, (-30, 4)),
}


@pytest.mark.parametrize("name", DOMAINS)
def test_gradient_matches_finite_differences_across_the_domain(name):
    fn, (lo, hi) = DOMAINS[name]
    assert name in F.PRIMITIVES
    x = np.random.default_rng(0).uniform(lo, hi, size=(4, 5))
    assert nb.gradcheck(fn, x)


@pytest.mark.parametrize("name", DOMAINS)
def test_extreme_inputs_give_exact_values_and_no_warnings(name):
    fn, _ = DOMAINS[name]
    x = nb.tensor([1e4, -1e4, 0.0], requires_grad=True)
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(x)
        out.sum().backward()
    assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(x.grad))
    expected = {
        "ndtr": [1.0, 0.0, 0.5],
        "log_ndtr": [0.0, log_ndtr_reference(-1e4), -math.log(2)],
        "inv_cloglog": [1.0, 0.0, 1 - math.exp(-1)],
        "log_inv_cloglog": [0.0, -1e4, math.log(1 - math.exp(-1))],
    }[name]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-15, atol=0)
    assert not np.signbit(out.numpy()[0]), "no −0.0"


@pytest.mark.parametrize("name", DOMAINS)
def test_dtype_and_shape_are_kept(name):
    fn, _ = DOMAINS[name]
    for dtype in (np.float32, np.float64):
        x = nb.tensor(np.linspace(-2, 2, 6, dtype=dtype).reshape(2, 3), requires_grad=True)
        out = fn(x)
        out.sum().backward()
        assert out.dtype == dtype and out.shape == (2, 3)
        assert x.grad.dtype == dtype and x.grad.shape == (2, 3)


# -- the loss -------------------------------------------------------------------------------


def direct_nll(f, y, link):
    """``−Σ y ln F(f) + (1 − y) ln(1 − F(f))`` straight from the formula (moderate f only)."""
    erfc = np.vectorize(math.erfc)
    p1, p0 = {
        "logit": (1 / (1 + np.exp(-f)), 1 / (1 + np.exp(f))),
        "probit": (0.5 * erfc(-f / math.sqrt(2)), 0.5 * erfc(f / math.sqrt(2))),
        "cloglog": (1 - np.exp(-np.exp(f)), np.exp(-np.exp(f))),
    }[link]
    return -np.sum(y * np.log(p1) + (1 - y) * np.log(p0))


@pytest.mark.parametrize("link", F.LINKS)
def test_binary_nll_is_the_negative_log_likelihood(link):
    rng = np.random.default_rng(1)
    f = rng.uniform(-4, 4, size=20)
    y = rng.integers(0, 2, size=20)
    got = F.binary_nll(nb.tensor(f), y, link).item()
    assert got == pytest.approx(direct_nll(f, y, link), rel=1e-12)
    soft = rng.uniform(0, 1, size=20)
    got = F.binary_nll(nb.tensor(f), soft, link).item()
    assert got == pytest.approx(direct_nll(f, soft, link), rel=1e-12)


@pytest.mark.parametrize("link", F.LINKS)
def test_binary_nll_gradient(link):
    rng = np.random.default_rng(2)
    f = rng.normal(scale=3, size=(3, 4))
    for y in (rng.integers(0, 2, size=(3, 4)), rng.uniform(0, 1, size=(3, 4))):
        assert nb.gradcheck(lambda t: F.binary_nll(t, y, link), f)


def test_binary_nll_logit_is_logistic_loss():
    f = nb.tensor(np.linspace(-30, 30, 13))
    y = (np.arange(13) % 2).astype(float)
    for reduction in ("sum", "mean", "none"):
        np.testing.assert_array_equal(
            F.binary_nll(f, y, "logit", reduction).numpy(),
            F.logistic_loss(f, y, reduction).numpy(),
        )


def test_binary_nll_reductions():
    f = nb.tensor(np.linspace(-3, 3, 7))
    y = np.ones(7)
    for link in F.LINKS:
        each = F.binary_nll(f, y, link, reduction="none").numpy()
        assert each.shape == (7,)
        assert F.binary_nll(f, y, link, "sum").item() == pytest.approx(each.sum(), rel=1e-15)
        assert F.binary_nll(f, y, link, "mean").item() == pytest.approx(each.mean(), rel=1e-15)


@pytest.mark.parametrize("link", F.LINKS)
def test_binary_nll_at_extreme_outputs(link):
    """Right and wrong answers at |f| = 1e4, with hard labels: exact and finite."""
    f = nb.tensor([1e4, -1e4, -1e4], requires_grad=True)
    y = [1, 1, 0]
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = F.binary_nll(f, y, link, reduction="none")
        losses.sum().backward()
    wrong = {"logit": 1e4, "probit": -log_ndtr_reference(-1e4), "cloglog": 1e4}[link]
    np.testing.assert_allclose(losses.numpy(), [0.0, wrong, 0.0], rtol=1e-15, atol=0)
    assert np.all(np.isfinite(f.grad))
    assert f.grad[0] == 0.0 and f.grad[1] < 0


def test_cloglog_loss_of_label_zero_is_really_infinite_beyond_709():
    f = nb.tensor([1e4], requires_grad=True)
    with pytest.warns(RuntimeWarning, match="overflow"):
        loss = F.binary_nll(f, [0.0], "cloglog")
    assert loss.item() == math.inf


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.binary_nll(nb.tensor([0.0, 1.0]), [1.0], "logit"), r"binary_nll: .* \(2,\) .* \(1,\)"),
        (lambda: F.binary_nll(nb.tensor([0.0]), [1.0], "tanh"), r"binary_nll: link must be one of"),
        (lambda: F.binary_nll(nb.tensor([0.0]), [2.0], "probit"), r"binary_nll: labels y must lie in \[0, 1\]"),
        (lambda: F.binary_nll(nb.tensor([0.0]), [1.0], "probit", "max"), r"binary_nll: reduction"),
    ],
)
def test_binary_nll_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
