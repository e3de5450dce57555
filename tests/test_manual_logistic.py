"""`nnbook.manual.logistic` against autodiff and finite differences.

The hand-derived ``∂L/∂f`` and ``∂L/∂w`` are compared with nnbook's reverse mode
through `F.logistic_loss` / `F.binary_nll` (the same float64 arithmetic, so agreement
to ~1e-12 relative) and with central finite differences (O(ε²) truncation error and
O(δ/ε) rounding, hence the looser tolerance).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook as nb
from nnbook import functional as F
from nnbook.manual import logistic as by_hand

AUTODIFF = dict(rtol=1e-10, atol=1e-12)
FINITE_DIFF = dict(rtol=1e-6, atol=1e-7)
fast = settings(max_examples=25, deadline=None)


def case(seed: int, N: int, D: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    y = rng.integers(0, 2, size=N)
    w = scale * rng.normal(size=D)
    return X, y, w, float(rng.normal())


def test_exported_names():
    import nnbook.manual as manual

    for name in by_hand.__all__:
        assert getattr(manual, name) is getattr(by_hand, name)
    # F.logistic_loss(f, y) is the Tensor loss; the hand-written one has its own name
    assert not hasattr(manual, "logistic_loss") and not hasattr(by_hand, "logistic_loss")


def test_imports_only_public_names():
    # plain numpy: the careful formulas come from nnbook.numerics, by their public names
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(by_hand))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            assert node.module in {"nnbook", "nnbook.functional"}, node.module
            assert not [a.name for a in node.names if a.name.startswith("_")], node.module


# -- the loss -----------------------------------------------------------------------------


@fast
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 5))
def test_loss_matches_the_formula_and_the_library(seed, N, D):
    X, y, w, w0 = case(seed, N, D)
    f = X @ w + w0
    formula = np.sum(y * np.log(1 + np.exp(-f)) + (1 - y) * np.log(1 + np.exp(f)))
    assert by_hand.stable_logistic_loss(w, w0, X, y) == pytest.approx(formula, rel=1e-12)
    assert by_hand.naive_logistic_loss(w, w0, X, y) == pytest.approx(formula, rel=1e-12)
    assert by_hand.stable_logistic_loss(w, w0, X, y) == pytest.approx(
        F.logistic_loss(nb.tensor(f), y).item(), rel=1e-14
    )


def test_loss_is_exact_where_the_naive_formula_overflows():
    X = np.array([[-1e4], [1e4], [-1e4], [1e4], [40.0]])
    y = np.array([1, 1, 0, 0, 1])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = by_hand.stable_logistic_loss(np.ones(1), 0.0, X, y)
    assert loss == 2e4 + np.log1p(np.exp(-40.0))
    one = np.ones(1)
    with pytest.warns(RuntimeWarning, match="overflow"):
        # e^{1e4} = inf: a confidently wrong answer costs inf instead of 1e4 …
        assert by_hand.naive_logistic_loss(one, 0.0, np.array([[-1e4]]), np.array([1])) == np.inf
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning, match="overflow"):
        # … and a confidently right one nan (its unused term is 0 · inf)
        assert np.isnan(by_hand.naive_logistic_loss(one, 0.0, np.array([[1e4]]), np.array([1])))


# -- ∂L/∂f --------------------------------------------------------------------------------


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
@fast
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 10))
def test_dloss_df_matches_autodiff_and_finite_differences(link, seed, N):
    rng = np.random.default_rng(seed)
    f = rng.uniform(-6, 4, size=N)
    y = rng.integers(0, 2, size=N)
    f_t = nb.tensor(f, requires_grad=True)
    F.binary_nll(f_t, y, link).backward()
    hand = by_hand.dloss_df(f, y, link)
    np.testing.assert_allclose(hand, f_t.grad, **AUTODIFF)
    fd = nb.numerical_gradient(lambda t: F.binary_nll(t, y, link), f)
    np.testing.assert_allclose(hand, fd, **FINITE_DIFF)


def test_dloss_df_logit_is_prediction_minus_label():
    f = np.linspace(-8, 8, 33)
    for label in (0, 1):
        y = np.full(33, label)
        np.testing.assert_allclose(by_hand.dloss_df(f, y), 1 / (1 + np.exp(-f)) - y, rtol=1e-14, atol=1e-16)
        assert np.all(np.abs(by_hand.dloss_df(f, y)) <= 1)


def test_dloss_df_at_extreme_outputs():
    f = np.array([1e4, -1e4, 1e4, -1e4])
    y = np.array([1, 1, 0, 0])
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        logit = by_hand.dloss_df(f, y, "logit")
        probit = by_hand.dloss_df(f, y, "probit")
        cloglog = by_hand.dloss_df(f[[0, 1, 3]], y[[0, 1, 3]], "cloglog")
    np.testing.assert_array_equal(logit, [0.0, -1.0, 1.0, 0.0])
    # φ(f)/Φ(f) ≈ −f − 1/f far in the lower tail
    np.testing.assert_allclose(probit, [0.0, -1e4 - 1e-4, 1e4 + 1e-4, 0.0], rtol=1e-12)
    np.testing.assert_array_equal(cloglog, [0.0, -1.0, 0.0])


def test_dloss_df_bad_input():
    with pytest.raises(ValueError, match=r"dloss_df: f has shape \(2,\) but y has shape \(3,\)"):
        by_hand.dloss_df(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="dloss_df: link must be one of"):
        by_hand.dloss_df(np.zeros(2), np.zeros(2), "tanh")


# -- the chain rule -------------------------------------------------------------------------


def test_chain_rule_is_the_sum_over_examples():
    rng = np.random.default_rng(0)
    X, delta = rng.normal(size=(6, 4)), rng.normal(size=6)
    dw, dw0 = by_hand.chain_rule(delta, X)
    np.testing.assert_allclose(dw, sum(delta[n] * X[n] for n in range(6)), rtol=1e-13)
    assert dw0 == pytest.approx(sum(delta), rel=1e-13)
    assert dw.shape == (4,) and isinstance(dw0, float)


@fast
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 5))
def test_logistic_gradient_three_ways(seed, N, D):
    X, y, w, w0 = case(seed, N, D)
    dw, dw0 = by_hand.logistic_gradient(w, w0, X, y)
    w_t, w0_t = nb.tensor(w, requires_grad=True), nb.tensor(w0, requires_grad=True)
    F.logistic_loss(X @ w_t + w0_t, y).backward()
    np.testing.assert_allclose(dw, w_t.grad, **AUTODIFF)
    assert dw0 == pytest.approx(w0_t.grad.item(), rel=1e-10, abs=1e-12)
    fd_w = nb.numerical_gradient(lambda v: F.logistic_loss(X @ v + w0, y), w)
    fd_w0 = nb.numerical_gradient(lambda b: F.logistic_loss(X @ w + b, y), np.array(w0))
    np.testing.assert_allclose(dw, fd_w, **FINITE_DIFF)
    assert dw0 == pytest.approx(float(fd_w0), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("link", ["probit", "cloglog"])
def test_other_links_change_only_dloss_df(link):
    X, y, w, w0 = case(5, 9, 3)
    dw, dw0 = by_hand.chain_rule(by_hand.dloss_df(X @ w + w0, y, link), X)
    w_t, w0_t = nb.tensor(w, requires_grad=True), nb.tensor(w0, requires_grad=True)
    F.binary_nll(X @ w_t + w0_t, y, link).backward()
    np.testing.assert_allclose(dw, w_t.grad, **AUTODIFF)
    assert dw0 == pytest.approx(w0_t.grad.item(), rel=1e-10)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros(2), 0.0, np.zeros(3), np.zeros(3)), r"X must have shape \(N, D\)"),
        ((np.zeros(2), 0.0, np.zeros((3, 4)), np.zeros(3)), r"w must have shape \(4,\)"),
        ((np.zeros(4), np.zeros(2), np.zeros((3, 4)), np.zeros(3)), "w0 must be a single number"),
        ((np.zeros(4), 0.0, np.zeros((3, 4)), np.zeros(2)), r"y must have shape \(3,\)"),
    ],
)
def test_bad_shapes_are_named(args, message):
    for fn in (by_hand.stable_logistic_loss, by_hand.naive_logistic_loss, by_hand.logistic_gradient):
        with pytest.raises(ValueError, match=fn.__name__ + ": " + message):
            fn(*args)
    with pytest.raises(ValueError, match=r"chain_rule: need dL_df of shape \(N,\)"):
        by_hand.chain_rule(np.zeros(2), np.zeros((3, 4)))
