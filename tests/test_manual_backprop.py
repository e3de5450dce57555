"""`nnbook.manual.backprop` against autodiff and finite differences, over random shapes.

Every hand-derived gradient is compared two independent ways: with the Tensor engine's
reverse mode (same float64 arithmetic, so agreement to ~1e-12 relative) and with
central finite differences (which carry an O(ε²) truncation error and an O(u/ε) rounding
error, u the unit roundoff, hence the looser tolerance).
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook as nb
from nnbook import functional as F
from nnbook.checks import layer_shapes, positive_int
from nnbook.manual import backprop as bp

AUTODIFF = dict(rtol=1e-10, atol=1e-12)
FINITE_DIFF = dict(rtol=1e-5, atol=1e-7)
SMOOTH = ["sigmoid", "tanh", "identity"]
TENSOR_ACT = {
    "sigmoid": lambda t: t.sigmoid(),
    "tanh": lambda t: t.tanh(),
    "relu": lambda t: t.relu(),
    "identity": lambda t: t,
}

fast = settings(max_examples=25, deadline=None)
dims = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


def two_layer_case(seed, N, D, J):
    rng = np.random.default_rng(seed)
    return dict(
        x=rng.normal(size=(N, D)),
        y=rng.normal(size=N),
        W1=rng.normal(size=(J, D)),
        b1=rng.normal(size=J),
        w=rng.normal(size=J),
    )


def tensor_two_layer(x, W1, b1, w, activation):
    return TENSOR_ACT[activation](nb.tensor(x) @ W1.T + b1) @ w


def tensor_mlp(params, x, activation):
    """The L-layer network of `bp.deep_forward`, built from nnbook Tensors."""
    h = x if isinstance(x, nb.Tensor) else nb.tensor(x)
    for l, (W, b) in enumerate(params, start=1):
        h = h @ W.T + b
        if l < len(params):
            h = TENSOR_ACT[activation](h)
    return h


# -- the loss ---------------------------------------------------------------------------


@fast
@given(seed=seeds, N=dims)
def test_half_squared_error_and_its_gradient(seed, N):
    rng = np.random.default_rng(seed)
    f, y = rng.normal(size=N), rng.normal(size=N)
    assert bp.half_squared_error(f, y) == pytest.approx(F.squared_loss(nb.tensor(f), y).item(), rel=1e-12)
    numeric = nb.numerical_gradient(lambda t: F.squared_loss(t, y), f)
    np.testing.assert_allclose(bp.half_squared_error_grad(f, y), numeric, **FINITE_DIFF)


# -- the two-layer network ------------------------------------------------------------------


@fast
@given(seed=seeds, N=dims, D=dims, J=dims, activation=st.sampled_from(list(bp.ACTIVATIONS)))
def test_two_layer_forward_matches_tensor_version(seed, N, D, J, activation):
    c = two_layer_case(seed, N, D, J)
    f, cache = bp.two_layer_forward(c["x"], c["W1"], c["b1"], c["w"], activation)
    expected = tensor_two_layer(c["x"], nb.tensor(c["W1"]), c["b1"], c["w"], activation)
    np.testing.assert_allclose(f, expected.data, **AUTODIFF)
    assert f.shape == (N,) and cache["phi"].shape == (N, J) and cache["z"].shape == (N, J)


@fast
@given(seed=seeds, N=dims, D=dims, J=dims, activation=st.sampled_from(list(bp.ACTIVATIONS)))
def test_two_layer_backward_matches_autodiff(seed, N, D, J, activation):
    c = two_layer_case(seed, N, D, J)
    f, cache = bp.two_layer_forward(c["x"], c["W1"], c["b1"], c["w"], activation)
    grads = bp.two_layer_backward(cache, bp.half_squared_error_grad(f, c["y"]))
    leaves = {k: nb.tensor(c[k], requires_grad=True) for k in ("W1", "b1", "w")}
    F.squared_loss(tensor_two_layer(c["x"], **leaves, activation=activation), c["y"]).backward()
    for k, leaf in leaves.items():
        assert grads[k].shape == leaf.shape
        np.testing.assert_allclose(grads[k], leaf.grad, **AUTODIFF)


@fast
@given(seed=seeds, N=dims, D=dims, J=dims, activation=st.sampled_from(SMOOTH))
def test_two_layer_backward_matches_finite_differences(seed, N, D, J, activation):
    c = two_layer_case(seed, N, D, J)
    f, cache = bp.two_layer_forward(c["x"], c["W1"], c["b1"], c["w"], activation)
    grads = bp.two_layer_backward(cache, bp.half_squared_error_grad(f, c["y"]))
    for k in ("W1", "b1", "w"):

        def loss_of(t, k=k):
            args = {name: nb.tensor(c[name]) for name in ("W1", "b1", "w")}
            args[k] = t
            return F.squared_loss(tensor_two_layer(c["x"], **args, activation=activation), c["y"])

        np.testing.assert_allclose(grads[k], nb.numerical_gradient(loss_of, c[k]), **FINITE_DIFF)


@fast
@given(seed=seeds, D=dims, J=dims, activation=st.sampled_from(list(bp.ACTIVATIONS)))
def test_phi_jacobian_wrt_W1_matches_autodiff_in_both_orders(seed, D, J, activation):
    c = two_layer_case(seed, 1, D, J)
    x = c["x"][0]
    phi_of_W1 = lambda W: TENSOR_ACT[activation](W @ x + c["b1"])  # noqa: E731
    auto = nb.jacobian(phi_of_W1, c["W1"])  # (J, J, D): [j, j', d]
    C = bp.phi_jacobian_wrt_W1(c["W1"], c["b1"], x, activation)
    Fo = bp.phi_jacobian_wrt_W1(c["W1"], c["b1"], x, activation, order="F")
    assert C.shape == Fo.shape == (J, J * D)
    np.testing.assert_allclose(C, auto.reshape(J, J * D), **AUTODIFF)
    # column k of the "F" Jacobian is the derivative with respect to W1.reshape(-1, order="F")[k]
    np.testing.assert_allclose(Fo, auto.transpose(0, 2, 1).reshape(J, D * J), **AUTODIFF)


@fast
@given(seed=seeds, D=dims, J=dims, activation=st.sampled_from(SMOOTH))
def test_phi_jacobian_wrt_W1_matches_finite_differences(seed, D, J, activation):
    c = two_layer_case(seed, 1, D, J)
    x = c["x"][0]
    numeric = nb.numerical_jacobian(lambda W: TENSOR_ACT[activation](W @ x + c["b1"]), c["W1"])
    np.testing.assert_allclose(
        bp.phi_jacobian_wrt_W1(c["W1"], c["b1"], x, activation), numeric.reshape(J, J * D), **FINITE_DIFF
    )


@fast
@given(seed=seeds, D=dims, J=dims)
def test_jacobian_product_collapses_to_outer_product(seed, D, J):
    c = two_layer_case(seed, 1, D, J)
    x = c["x"][0]
    f, cache = bp.two_layer_forward(c["x"], c["W1"], c["b1"], c["w"])
    dL_df = bp.half_squared_error_grad(f, c["y"])
    dL_dphi = dL_df[0] * c["w"]  # ∂L/∂f · ∂f/∂φ, with ∂f/∂φ = wᵀ
    via_jacobian = (dL_dphi @ bp.phi_jacobian_wrt_W1(c["W1"], c["b1"], x)).reshape(J, D)
    np.testing.assert_allclose(via_jacobian, bp.two_layer_backward(cache, dL_df)["W1"], **AUTODIFF)
    assert np.count_nonzero(bp.phi_jacobian_wrt_W1(c["W1"], c["b1"], x)) <= J * D


def test_two_layer_is_the_general_network_with_one_output():
    c = two_layer_case(7, 6, 3, 4)
    params = [(c["W1"], c["b1"]), (c["w"][None, :], np.zeros(1))]
    f2, cache2 = bp.two_layer_forward(c["x"], c["W1"], c["b1"], c["w"])
    fL, cacheL = bp.deep_forward(params, c["x"])
    np.testing.assert_allclose(fL[:, 0], f2, **AUTODIFF)
    g2 = bp.two_layer_backward(cache2, bp.half_squared_error_grad(f2, c["y"]))
    (dW1, db1), (dw, _) = bp.deep_backward(cacheL, bp.half_squared_error_grad(fL, c["y"][:, None]))
    np.testing.assert_allclose(dW1, g2["W1"], **AUTODIFF)
    np.testing.assert_allclose(db1, g2["b1"], **AUTODIFF)
    np.testing.assert_allclose(dw[0], g2["w"], **AUTODIFF)


# -- the L-layer network ---------------------------------------------------------------------

sizes_st = st.lists(st.integers(1, 5), min_size=2, max_size=6)


@fast
@given(seed=seeds, sizes=sizes_st, N=dims, activation=st.sampled_from(list(bp.ACTIVATIONS)))
def test_deep_backward_matches_autodiff(seed, sizes, N, activation):
    rng = np.random.default_rng(seed)
    params = bp.init_params(sizes, rng=rng)
    x, Y = rng.normal(size=(N, sizes[0])), rng.normal(size=(N, sizes[-1]))
    f, cache = bp.deep_forward(params, x, activation)
    grads = bp.deep_backward(cache, bp.half_squared_error_grad(f, Y))
    leaves = [(nb.tensor(W, requires_grad=True), nb.tensor(b, requires_grad=True)) for W, b in params]
    xt = nb.tensor(x, requires_grad=True)
    out = tensor_mlp(leaves, xt, activation)
    np.testing.assert_allclose(f, out.data, **AUTODIFF)
    F.squared_loss(out, Y).backward()
    assert len(grads) == len(params)
    for (W, b), (dW, db) in zip(leaves, grads):
        np.testing.assert_allclose(dW, W.grad, **AUTODIFF)
        np.testing.assert_allclose(db, b.grad, **AUTODIFF)
    dphi = bp.phi_grads(cache, bp.half_squared_error_grad(f, Y))
    assert [g.shape for g in dphi] == [(N, s) for s in sizes]
    np.testing.assert_allclose(dphi[0], xt.grad, **AUTODIFF)


@settings(max_examples=10, deadline=None)  # two loss evaluations per parameter: keep it small
@given(seed=seeds, sizes=sizes_st, N=dims, activation=st.sampled_from(SMOOTH))
def test_deep_backward_matches_finite_differences(seed, sizes, N, activation):
    rng = np.random.default_rng(seed)
    params = bp.init_params(sizes, rng=rng)
    x, Y = rng.normal(size=(N, sizes[0])), rng.normal(size=(N, sizes[-1]))
    f, cache = bp.deep_forward(params, x, activation)
    grads = bp.deep_backward(cache, bp.half_squared_error_grad(f, Y))
    for l, (W, b) in enumerate(params):
        for which, value in ((0, W), (1, b)):

            def loss_of(t, l=l, which=which):
                ps = [(nb.tensor(W_), nb.tensor(b_)) for W_, b_ in params]
                ps[l] = (t, ps[l][1]) if which == 0 else (ps[l][0], t)
                return F.squared_loss(tensor_mlp(ps, x, activation), Y)

            np.testing.assert_allclose(grads[l][which], nb.numerical_gradient(loss_of, value), **FINITE_DIFF)
    numeric_dx = nb.numerical_gradient(
        lambda t: F.squared_loss(tensor_mlp([(nb.tensor(W), nb.tensor(b)) for W, b in params], t, activation), Y), x
    )
    np.testing.assert_allclose(bp.phi_grads(cache, bp.half_squared_error_grad(f, Y))[0], numeric_dx, **FINITE_DIFF)


@fast
@given(seed=seeds, n_in=dims, n_out=dims, activation=st.sampled_from(list(bp.ACTIVATIONS)))
def test_layer_jacobian_matches_autodiff_and_finite_differences(seed, n_in, n_out, activation):
    rng = np.random.default_rng(seed)
    W, b, phi = rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), rng.normal(size=n_in)
    layer = lambda t: TENSOR_ACT[activation](nb.tensor(W) @ t + b)  # noqa: E731
    J = bp.layer_jacobian(W, b, phi, activation)
    assert J.shape == (n_out, n_in)
    np.testing.assert_allclose(J, nb.jacobian(layer, phi), **AUTODIFF)
    if activation in SMOOTH:
        np.testing.assert_allclose(J, nb.numerical_jacobian(layer, phi), **FINITE_DIFF)


@fast
@given(seed=seeds, sizes=sizes_st, activation=st.sampled_from(SMOOTH))
def test_chain_of_layer_jacobians_is_the_backward_pass(seed, sizes, activation):
    """∂L/∂x = ∂L/∂f · J_L ⋯ J_1, multiplied out explicitly, equals `phi_grads`' first entry."""
    rng = np.random.default_rng(seed)
    params = bp.init_params(sizes, rng=rng)
    x, y = rng.normal(size=(1, sizes[0])), rng.normal(size=(1, sizes[-1]))
    f, cache = bp.deep_forward(params, x, activation)
    g = bp.half_squared_error_grad(f, y)[0]
    for l in range(len(params), 0, -1):
        W, b = params[l - 1]
        g = g @ bp.layer_jacobian(W, b, cache["phi"][l - 1][0], activation if l < len(params) else "identity")
    np.testing.assert_allclose(g, bp.phi_grads(cache, bp.half_squared_error_grad(f, y))[0][0], **AUTODIFF)


@fast
@given(seed=seeds, sizes=sizes_st, N=dims)
def test_cache_holds_every_intermediate_and_its_bytes_are_counted(seed, sizes, N):
    rng = np.random.default_rng(seed)
    params = bp.init_params(sizes, rng=rng)
    f, cache = bp.deep_forward(params, rng.normal(size=(N, sizes[0])))
    L = len(params)
    assert [p.shape for p in cache["phi"]] == [(N, s) for s in sizes[:-1]]
    assert [z.shape for z in cache["z"]] == [(N, s) for s in sizes[1:]]
    hidden = sum(sizes[1:-1])
    assert bp.cache_nbytes(cache) == 8 * N * (sizes[0] + 2 * hidden + sizes[-1])
    assert len(cache["z"]) == L


def test_two_layer_cache_bytes():
    c = two_layer_case(0, 5, 3, 4)
    _, cache = bp.two_layer_forward(c["x"], c["W1"], c["b1"], c["w"])
    assert bp.cache_nbytes(cache) == 8 * 5 * (3 + 4 + 4)


@fast
@given(seed=seeds, sizes=sizes_st)
def test_init_params_shapes_bounds_and_determinism(seed, sizes):
    params = bp.init_params(sizes, rng=seed)
    again = bp.init_params(sizes, rng=seed)
    for l, ((W, b), (W2, b2)) in enumerate(zip(params, again), start=1):
        assert W.shape == (sizes[l], sizes[l - 1]) and b.shape == (sizes[l],)
        bound = 1 / np.sqrt(sizes[l - 1])
        assert np.all(np.abs(W) <= bound) and np.all(np.abs(b) <= bound)
        assert np.array_equal(W, W2) and np.array_equal(b, b2)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: bp.two_layer_forward(np.ones((2, 3)), np.ones((4, 2)), np.ones(4), np.ones(4)),
         ["two_layer_forward", "(2, 3)", "(4, 2)"]),
        (lambda: bp.two_layer_forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(3), np.ones(4)),
         ["two_layer_forward", "b1", "(4,)", "(3,)"]),
        (lambda: bp.two_layer_forward(np.ones(3), np.ones((4, 3)), np.ones(4), np.ones(4)),
         ["two_layer_forward", "x", "2 dimensions"]),
        (lambda: bp.two_layer_forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(4), np.ones(5)),
         ["two_layer_forward", "w", "(4,)", "(5,)"]),
        (lambda: bp.two_layer_forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(4), np.ones(4), "softsign"),
         ["two_layer_forward", "activation", "softsign"]),
        (lambda: bp.two_layer_backward(
            bp.two_layer_forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(4), np.ones(4))[1], np.ones(3)),
         ["two_layer_backward", "dL_df", "(2,)", "(3,)"]),
        (lambda: bp.phi_jacobian_wrt_W1(np.ones((4, 3)), np.ones(4), np.ones((1, 3))),
         ["phi_jacobian_wrt_W1", "x", "1 dimension"]),
        (lambda: bp.phi_jacobian_wrt_W1(np.ones((4, 3)), np.ones(4), np.ones(3), order="K"),
         ["phi_jacobian_wrt_W1", "order", "'K'"]),
        (lambda: bp.deep_forward([(np.ones((4, 3)), np.ones(4)), (np.ones((1, 5)), np.ones(1))], np.ones((2, 3))),
         ["deep_forward", "layer 2", "(1, 5)", "4 outputs"]),
        (lambda: bp.deep_forward([(np.ones((4, 3)), np.ones(4))], np.ones((2, 2))),
         ["deep_forward", "(2, 2)", "(4, 3)"]),
        (lambda: bp.deep_forward([(np.ones((4, 3)), np.ones(3))], np.ones((2, 3))),
         ["deep_forward", "b of layer 1", "(4,)", "(3,)"]),
        (lambda: bp.deep_forward([], np.ones((2, 3))), ["deep_forward", "no layers given"]),
        (lambda: bp.deep_backward(bp.deep_forward([(np.ones((1, 3)), np.ones(1))], np.ones((2, 3)))[1], np.ones(2)),
         ["deep_backward", "dL_df", "2 dimensions"]),
        (lambda: bp.deep_backward(bp.deep_forward([(np.ones((1, 3)), np.ones(1))], np.ones((2, 3)))[1], np.ones((3, 1))),
         ["deep_backward", "dL_df", "(2, 1)", "(3, 1)"]),
        (lambda: bp.layer_jacobian(np.ones((2, 3)), np.ones(2), np.ones(2)),
         ["layer_jacobian", "phi_prev", "(3,)", "(2,)"]),
        (lambda: bp.half_squared_error(np.ones(2), np.ones(3)), ["half_squared_error", "(2,)", "(3,)"]),
        (lambda: bp.half_squared_error_grad(np.ones(2), np.ones((2, 1))), ["half_squared_error_grad", "(2,)", "(2, 1)"]),
        (lambda: bp.init_params([3]), ["init_params", "[3]"]),
        (lambda: bp.init_params([3, 0, 1]), ["init_params", "sizes[1]", "0"]),
        (lambda: bp.deep_forward([(np.ones((4, 3, 1)), np.ones(4))], np.ones((2, 3))),
         ["deep_forward", "layer 1", "2-D", "(4, 3, 1)"]),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("sizes, index", [([3.7, 2], 0), ([3, 2.0], 1), ([3, True, 1], 1), ([np.float64(4), 1], 0)])
def test_init_params_refuses_non_integer_sizes_as_every_size_argument_does(sizes, index):
    """One behaviour for sizes across the library: `nnbook.checks.positive_int`'s TypeError."""
    with pytest.raises(TypeError) as expected:
        positive_int(sizes[index], f"sizes[{index}]", "init_params")
    with pytest.raises(TypeError) as got:
        bp.init_params(sizes)
    assert str(got.value) == str(expected.value)


def test_init_params_takes_numpy_integers_and_refuses_a_bare_int():
    assert [W.shape for W, _ in bp.init_params(np.array([3, 2, 1]), rng=0)] == [(2, 3), (1, 2)]
    with pytest.raises(TypeError, match="init_params: sizes must be a sequence of ints"):
        bp.init_params(3)


@pytest.mark.parametrize(
    "shapes, x_shape",
    [([(4, 3), (1, 5)], (2, 3)), ([(4, 3)], (2, 2)), ([(4, 3), (2, 4, 1)], (2, 3)), ([], (2, 3))],
)
def test_deep_forward_checks_layer_shapes_as_the_library_does(shapes, x_shape):
    """The layer-shape check is `nnbook.checks.layer_shapes`, word for word."""
    with pytest.raises(ValueError) as expected:
        layer_shapes(shapes, "deep_forward", x_shape=x_shape)
    params = [(np.ones(shape), np.ones(shape[0])) for shape in shapes]
    with pytest.raises(ValueError) as got:
        bp.deep_forward(params, np.ones(x_shape))
    assert str(got.value) == str(expected.value)


class MatmulCounter(np.ndarray):
    """An array that counts the matrix products it takes part in."""

    calls = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            type(self).calls += 1
        inputs = [np.asarray(a) for a in inputs]
        return getattr(ufunc, method)(*inputs, **kwargs)


@pytest.mark.parametrize("sizes", [[3, 1], [3, 4, 2], [2, 5, 4, 1]])
def test_deep_backward_does_not_compute_the_input_gradient(sizes):
    """``∂L/∂x = δ¹ W¹`` is needed by no parameter gradient: only `phi_grads` computes it."""
    rng = np.random.default_rng(0)
    params = bp.init_params(sizes, rng=rng)
    f, cache = bp.deep_forward(params, rng.normal(size=(6, sizes[0])))
    dL_df = rng.normal(size=f.shape)
    expected = bp.deep_backward(cache, dL_df)
    W1, b1 = cache["params"][0]
    cache["params"][0] = (W1.view(MatmulCounter), b1)
    MatmulCounter.calls = 0
    grads = bp.deep_backward(cache, dL_df)
    assert MatmulCounter.calls == 0
    for (dW, db), (dW_, db_) in zip(grads, expected):
        np.testing.assert_array_equal(dW, dW_)
        np.testing.assert_array_equal(db, db_)
    dx = bp.phi_grads(cache, dL_df)[0]
    assert MatmulCounter.calls == 1 and dx.shape == (6, sizes[0])


def test_docstring_examples_run_in_a_fresh_namespace():
    """Each example imports what it uses, so that it runs as copied from the reference page."""
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    examples = 0
    for test in finder.find(bp, globs={}):
        test.globs = {}
        examples += len(test.examples)
        runner.run(test, out=lambda text: None)
    assert examples > 0
    assert runner.failures == 0, f"{runner.failures} docstring example(s) need a name they do not import"


def test_public_names_are_exported():
    import nnbook.manual as manual

    for name in bp.__all__:
        assert getattr(manual, name) is getattr(bp, name)


@pytest.mark.parametrize("activation", bp.ACTIVATIONS)
def test_extreme_pre_activations_give_no_warnings_and_match_tensor_version(activation):
    import warnings

    x = np.array([[1e4, -1e4], [-3e2, 7e2]])
    W1, b1, w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.zeros(3), np.ones(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, cache = bp.two_layer_forward(x, W1, b1, w, activation)
        grads = bp.two_layer_backward(cache, np.ones(2))
        jac = bp.phi_jacobian_wrt_W1(W1, b1, x[0], activation)
    expected = tensor_two_layer(x, nb.tensor(W1), b1, w, activation).data
    np.testing.assert_allclose(f, expected, rtol=1e-12, atol=0)
    assert all(np.all(np.isfinite(g)) for g in grads.values()) and np.all(np.isfinite(jac))


def test_sigmoid_slope_underflows_to_zero_only_far_out():
    """σ(1 − σ) is exactly 0 in float64 above z ≈ 36.7 (σ rounds to 1) and below z ≈ −745
    (σ underflows to 0), and positive in between: the numbers the chapter quotes."""
    z = np.array([-746.0, -744.0, -700.0, 0.0, 36.0, 37.0])
    slopes = np.diag(bp.layer_jacobian(np.eye(6), z, np.zeros(6)))
    assert slopes[0] == 0.0 and slopes[-1] == 0.0
    assert np.all(slopes[1:-1] > 0)
