"""The vector chain rule chapter: `nnbook.chain`, the Jacobian facts it relies on, its figures.

* `matmul_cost` and `chain_product` are checked against numpy (`np.linalg.multi_dot`,
  the size of a product) and against closed-form counts written out independently
  of the implementation's loop;
* the tanh chain (`tanh_chain`, `chain_forward`, `chain_jacobians`, `chain_vjp`,
  `chain_jvp`, `chain_loss`) is checked against `nb.jacobian`, `Tensor.backward` and finite
  differences over random widths, and its bad inputs against their messages;
* the Jacobians the chapter states (elementwise → diagonal, linear map → W, softmax →
  diag(s) − ssᵀ, W ↦ Wx → I ⊗ xᵀ) and the chain rule ∇ᵤf · J_v[u] · Jₓ[v] are checked
  with `nb.jacobian` and finite differences over random shapes;
* the figure script is run on small sizes (it needs matplotlib, a docs dependency).
"""

from __future__ import annotations

import builtins
import doctest
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook as nb
import nnbook.chain as chain_module
from nnbook import functional as F
from nnbook.chain import (
    chain_forward,
    chain_jacobians,
    chain_jvp,
    chain_loss,
    chain_product,
    chain_vjp,
    matmul_cost,
    tanh_chain,
)
from nnbook.checks import positive_int

ROOT = Path(__file__).resolve().parent.parent
AUTODIFF = dict(rtol=1e-10, atol=1e-12)
FINITE_DIFF = dict(rtol=1e-5, atol=1e-7)

fast = settings(max_examples=30, deadline=None)
dims = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


# -- matmul_cost ----------------------------------------------------------------------


@fast
@given(m=dims, k=dims, n=dims, left_1d=st.booleans(), right_1d=st.booleans())
def test_matmul_cost_is_entries_of_the_product_times_the_inner_size(m, k, n, left_1d, right_1d):
    a = np.ones(k) if left_1d else np.ones((m, k))
    b = np.ones(k) if right_1d else np.ones((k, n))
    # Each entry of a @ b is a sum of k products; a 1-D @ 1-D product is one entry.
    assert matmul_cost(a.shape, b.shape) == np.matmul(a, b).size * k


@pytest.mark.parametrize(
    "a, b, match",
    [
        ((2, 3, 4), (4, 5), "left operand must be 1-D or 2-D"),
        ((2, 3), (), "right operand must be 1-D or 2-D"),
        ((2, 3), (4, 5), r"\(2, 3\) and \(4, 5\) do not fit"),
        ((3,), (4,), "3 columns but the right one has 4 rows"),
    ],
)
def test_matmul_cost_rejects_bad_shapes(a, b, match):
    with pytest.raises(ValueError, match=f"matmul_cost: .*{match}"):
        matmul_cost(a, b)


# -- chain_product ---------------------------------------------------------------------


def random_chain(seed: int, sizes: list[int]) -> list[np.ndarray]:
    """A row of size sizes[0], then matrices sizes[i] × sizes[i+1]: the chain rule's layout."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(sizes[0])] + [
        rng.standard_normal((m, n)) for m, n in zip(sizes, sizes[1:])
    ]


@fast
@given(seed=seeds, sizes=st.lists(dims, min_size=3, max_size=6))
def test_both_orders_give_numpys_product(seed, sizes):
    chain = random_chain(seed, sizes)
    expected = np.linalg.multi_dot(chain)
    for order in ("reverse", "forward"):
        product, _ = chain_product(chain, order)
        assert product.shape == (sizes[-1],)
        np.testing.assert_allclose(product, expected, rtol=1e-10, atol=1e-12)


@fast
@given(seed=seeds, sizes=st.lists(dims, min_size=3, max_size=6))
def test_counts_follow_the_closed_forms(seed, sizes):
    # Chain: g (M_L,), J_L (M_L, M_{L-1}), ..., J_1 (M_1, D), with sizes = [M_L, ..., M_1, D].
    chain = random_chain(seed, sizes)
    D = sizes[-1]
    rows_cols = list(zip(sizes, sizes[1:]))
    # Reverse: a row of size `rows` times each Jacobian.
    assert chain_product(chain, "reverse")[1] == sum(r * c for r, c in rows_cols)
    # Forward: J_l times the (M_{l-1} × D) running product for l = 2..L, then g times it.
    expected_forward = sum(r * c * D for r, c in rows_cols[:-1]) + sizes[0] * D
    assert chain_product(chain, "forward")[1] == expected_forward


@pytest.mark.parametrize("M, L", [(1, 1), (3, 2), (7, 4), (16, 5)])
def test_square_chain_costs_are_the_chapters_formulas(M, L):
    chain = random_chain(0, [M] * (L + 1))
    assert chain_product(chain, "reverse")[1] == L * M**2
    assert chain_product(chain, "forward")[1] == (L - 1) * M**3 + M**2


def test_a_chain_that_starts_with_a_matrix_is_a_whole_jacobian():
    rng = np.random.default_rng(1)
    chain = [rng.standard_normal(s) for s in [(1000, 100), (100, 100), (100, 2)]]
    expected = np.linalg.multi_dot(chain)
    (rev, rev_cost), (fwd, fwd_cost) = (chain_product(chain, o) for o in ("reverse", "forward"))
    np.testing.assert_allclose(rev, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(fwd, expected, rtol=1e-10, atol=1e-10)
    assert rev_cost == 1000 * 100 * 100 + 1000 * 100 * 2
    assert fwd_cost == 100 * 100 * 2 + 1000 * 100 * 2


def test_a_chain_ending_in_a_column_gives_a_number():
    chain = random_chain(2, [3, 4, 5]) + [np.ones(5)]
    for order in ("reverse", "forward"):
        product, _ = chain_product(chain, order)
        assert product.shape == ()
        np.testing.assert_allclose(product, np.linalg.multi_dot(chain), rtol=1e-12)


def test_a_single_factor_costs_nothing_and_inputs_are_not_changed():
    chain = random_chain(3, [2, 3, 4])
    before = [f.copy() for f in chain]
    chain_product(chain, "forward")
    chain_product(chain, "reverse")
    for f, b in zip(chain, before):
        np.testing.assert_array_equal(f, b)
    product, cost = chain_product(chain[:1], "forward")
    np.testing.assert_array_equal(product, chain[0])
    assert cost == 0


@pytest.mark.parametrize(
    "factors, order, match",
    [
        ([], "reverse", "at least one factor"),
        ([np.ones(2), np.ones((2, 2))], "backward", "order must be one of"),
        ([np.ones(2), np.ones(2), np.ones((2, 2))], "reverse", r"factor 1 has shape \(2,\)"),
        ([np.ones((2, 2, 2))], "forward", r"factor 0 has shape \(2, 2, 2\)"),
        ([np.ones(2), np.ones((3, 4))], "forward", "do not fit"),
    ],
)
def test_chain_product_rejects_bad_chains(factors, order, match):
    with pytest.raises(ValueError, match=f"chain_product: .*{match}|matmul_cost: .*{match}"):
        chain_product(factors, order)


# -- the tanh chain ------------------------------------------------------------------------


def random_tanh_chain(seed: int, widths: list[int]):
    """Weights W^l of shape (widths[l], widths[l-1]), an input and a target: any widths."""
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((m, n)) for n, m in zip(widths, widths[1:])]
    return Ws, rng.standard_normal(widths[0]), rng.standard_normal(widths[-1])


chain_widths = st.lists(dims, min_size=2, max_size=5)


def test_tanh_chain_shapes_seed_and_scale():
    Ws, x, t = tanh_chain(M=7, L=3, rng=5)
    assert [W.shape for W in Ws] == [(7, 7)] * 3 and x.shape == t.shape == (7,)
    again = tanh_chain(7, 3, rng=np.random.default_rng(5))
    for a, b in zip(Ws + [x, t], again[0] + [again[1], again[2]]):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(tanh_chain(7, 3, rng=6)[0][0], Ws[0])
    # Entries have variance 1/M: with 3 × 400² draws the sample std is within 1% of 1/20.
    big, _, _ = tanh_chain(M=400, L=3, rng=0)
    assert abs(np.std(np.stack(big)) * 20 - 1) < 0.01


@pytest.mark.parametrize(
    "M, L, error, message",
    [
        (0, 2, ValueError, "tanh_chain: M must be a positive int, got 0"),
        (3, -1, ValueError, "tanh_chain: L must be a positive int, got -1"),
        (2.0, 1, TypeError, "tanh_chain: M must be a positive int, got 2.0 (float)"),
        (3, 2.0, TypeError, "tanh_chain: L must be a positive int, got 2.0 (float)"),
        (3, True, TypeError, "tanh_chain: L must be a positive int, got True (bool)"),
        (np.int64(2), 1.5, TypeError, "tanh_chain: L must be a positive int, got 1.5 (float)"),
    ],
)
def test_tanh_chain_rejects_bad_sizes(M, L, error, message):
    with pytest.raises(error) as caught:
        tanh_chain(M, L)
    assert str(caught.value) == message


def test_tanh_chain_sizes_fail_as_every_size_argument_does():
    # One check for every size in the library: the same type and the same words.
    with pytest.raises(TypeError) as ours:
        tanh_chain(2.0, 1)
    with pytest.raises(TypeError) as shared:
        positive_int(2.0, "M", "tanh_chain")
    assert str(ours.value) == str(shared.value)
    assert tanh_chain(np.int64(2), 1)[0][0].shape == (2, 2)  # numpy integers are sizes


@fast
@given(seed=seeds, widths=chain_widths)
def test_forward_pass_keeps_every_layer_and_matches_the_tensor_loss(seed, widths):
    Ws, x, t = random_tanh_chain(seed, widths)
    phis = chain_forward(Ws, x)
    assert [phi.shape for phi in phis] == [(w,) for w in widths]
    np.testing.assert_array_equal(phis[0], x)
    assert phis[0] is not x
    for W, before, after in zip(Ws, phis, phis[1:]):
        np.testing.assert_allclose(after, np.tanh(W @ before), **AUTODIFF)
    loss = chain_loss(Ws, x, t)
    assert loss.shape == ()
    np.testing.assert_allclose(loss.item(), 0.5 * np.sum((t - phis[-1]) ** 2), **AUTODIFF)


@fast
@given(seed=seeds, widths=chain_widths)
def test_each_layer_jacobian_is_nnbooks(seed, widths):
    Ws, x, _ = random_tanh_chain(seed, widths)
    phis = chain_forward(Ws, x)
    jacobians = chain_jacobians(Ws, phis)
    assert len(jacobians) == len(Ws)
    # The chain rule's order: the last layer's Jacobian first.
    for J, W, phi_in in zip(jacobians[::-1], Ws, phis):
        np.testing.assert_allclose(J, nb.jacobian(lambda p, W=W: (W @ p).tanh(), phi_in),
                                   **AUTODIFF)


@fast
@given(seed=seeds, widths=chain_widths)
def test_vjps_give_the_gradient_of_the_loss(seed, widths):
    Ws, x, t = random_tanh_chain(seed, widths)
    phis = chain_forward(Ws, x)
    grad = chain_vjp(Ws, phis, phis[-1] - t)
    assert grad.shape == x.shape
    leaf = nb.tensor(x, requires_grad=True)
    chain_loss(Ws, leaf, t).backward()
    np.testing.assert_allclose(grad, leaf.grad, **AUTODIFF)
    np.testing.assert_allclose(grad, nb.numerical_gradient(lambda x: chain_loss(Ws, x, t), x),
                               **FINITE_DIFF)
    by_product, _ = chain_product([phis[-1] - t] + chain_jacobians(Ws, phis), "forward")
    np.testing.assert_allclose(grad, by_product, **AUTODIFF)


@fast
@given(seed=seeds, widths=chain_widths)
def test_jvps_give_the_columns_of_the_chains_jacobian(seed, widths):
    Ws, x, t = random_tanh_chain(seed, widths)
    phis = chain_forward(Ws, x)
    whole = nb.jacobian(lambda x: chain_loss_output(Ws, x), x)   # (M_L, D)
    direction = np.random.default_rng(seed % 1000).standard_normal(widths[0])
    np.testing.assert_allclose(chain_jvp(Ws, phis, direction), whole @ direction, **AUTODIFF)
    # Forward mode needs one pass per input for the gradient that reverse mode gets in one.
    g = phis[-1] - t
    by_jvps = [g @ chain_jvp(Ws, phis, e) for e in np.eye(widths[0])]
    np.testing.assert_allclose(by_jvps, chain_vjp(Ws, phis, g), **AUTODIFF)


def chain_loss_output(Ws, x):
    """phi^L as a Tensor: the chain of `chain_loss` without its loss."""
    h = x
    for W in Ws:
        h = (W @ h).tanh()
    return h


def test_jvp_direction_must_have_the_inputs_shape():
    Ws, x, _ = random_tanh_chain(0, [2, 3, 4])
    phis = chain_forward(Ws, x)
    with pytest.raises(ValueError, match=r"chain_jvp: direction must have the shape of phi\^0, "
                                         r"\(2,\), got \(3,\)"):
        chain_jvp(Ws, phis, np.ones(3))


def test_vjps_are_linear_in_the_incoming_gradient():
    Ws, x, _ = tanh_chain(M=6, L=4, rng=2)
    phis = chain_forward(Ws, x)
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(6), rng.standard_normal(6)
    np.testing.assert_allclose(chain_vjp(Ws, phis, 2 * a - b),
                               2 * chain_vjp(Ws, phis, a) - chain_vjp(Ws, phis, b), **AUTODIFF)


def test_chain_loss_differentiates_weights_given_as_tensors():
    Ws, x, t = random_tanh_chain(4, [3, 5, 2])
    assert nb.gradcheck(lambda W1, W2: chain_loss([W1, W2], x, t), *Ws)


def _bad(case):
    """Arguments for one bad call, built from a good chain of widths 2 → 3 → 4."""
    Ws, x, t = random_tanh_chain(0, [2, 3, 4])
    phis = chain_forward(Ws, x)
    return {
        "no weights": ([], x, phis, t, "no layers given; give at least one weight matrix"),
        "1-D weight": ([Ws[0], np.ones(3)], x, phis, t,
                       r"W of layer 2 must be 2-D, got shape \(3,\)"),
        "weights do not fit": ([Ws[0], np.ones((4, 2))], x, phis, t,
                               r"W of layer 2 has shape \(4, 2\), so it takes 2 inputs, "
                               r"but layer 1 has 3"),
        "x too long": (Ws, np.ones(3), phis, t,
                       r"x must end in an axis of length 2 \(W of layer 1 has shape \(3, 2\)\), "
                       r"got shape \(3,\)"),
        "a batch of x": (Ws, np.ones((5, 2)), phis, t,
                         r"x must be one input, a 1-D array of shape \(2,\) \(W of layer 1 "
                         r"has shape \(3, 2\)\), got shape \(5, 2\)"),
        "phis too short": (Ws, x, phis[:-1], t, "phis must hold L \\+ 1 = 3 arrays .* got 2"),
        "phi^0 wrong": (Ws, x, [np.ones(3)] + phis[1:], t,
                        r"phi\^0 must have shape \(2,\) \(W of layer 1 has shape \(3, 2\)\)"),
        "phi^2 wrong": (Ws, x, [x, np.ones(3), np.ones(3)], t,
                        r"phi\^2 must have shape \(4,\) \(W of layer 2 has shape \(4, 3\)\)"),
    }[case]


@pytest.mark.parametrize(
    "case", ["no weights", "1-D weight", "weights do not fit", "x too long", "a batch of x"]
)
@pytest.mark.parametrize("fn", [chain_forward, chain_loss])
def test_a_bad_chain_is_named(fn, case):
    Ws, x, _, t, match = _bad(case)
    args = (Ws, x) if fn is chain_forward else (Ws, x, t)
    with pytest.raises(ValueError, match=f"{fn.__name__}: {match}"):
        fn(*args)


@pytest.mark.parametrize(
    "case",
    ["no weights", "1-D weight", "weights do not fit", "phis too short", "phi^0 wrong",
     "phi^2 wrong"],
)
@pytest.mark.parametrize("fn", [chain_jacobians, chain_vjp, chain_jvp])
def test_a_bad_forward_pass_is_named(fn, case):
    Ws, _, phis, t, match = _bad(case)
    args = (Ws, phis) if fn is chain_jacobians else (Ws, phis, np.ones(4 if fn is chain_vjp else 2))
    with pytest.raises(ValueError, match=f"{fn.__name__}: {match}"):
        fn(*args)


def test_gradient_and_target_must_have_the_last_layers_shape():
    Ws, x, t = random_tanh_chain(0, [2, 3, 4])
    phis = chain_forward(Ws, x)
    last = r"must have the shape of phi\^L, \(4,\), got"
    with pytest.raises(ValueError, match=rf"chain_vjp: grad {last} \(3,\)"):
        chain_vjp(Ws, phis, np.ones(3))
    with pytest.raises(ValueError, match=rf"chain_loss: t {last} \(2,\)"):
        chain_loss(Ws, x, np.ones(2))


# -- the module as the reference page shows it --------------------------------------------


@pytest.mark.parametrize("name", chain_module.__all__)
def test_each_example_runs_as_copied_from_the_reference_page(name):
    # An empty namespace, as in a fresh interpreter: every example imports what it uses.
    for test in doctest.DocTestFinder(recurse=False).find(getattr(chain_module, name), globs={}):
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test, clear_globs=True)
        assert runner.failures == 0 and test.examples, f"{name}: its example fails on its own"


def test_no_module_level_name_shadows_a_builtin():
    shared = set(vars(chain_module)) & set(vars(builtins))
    assert not {name for name in shared if not name.startswith("__")}


# -- the Jacobians the chapter states ----------------------------------------------------


@fast
@given(seed=seeds, n=dims, name=st.sampled_from(["tanh", "sigmoid", "exp", "softplus"]))
def test_elementwise_jacobians_are_diagonal(seed, n, name):
    z = np.random.default_rng(seed).uniform(-3, 3, n)
    fn = getattr(F, name)
    J = nb.jacobian(fn, z)
    assert J.shape == (n, n)
    np.testing.assert_array_equal(J - np.diag(np.diag(J)), 0.0)
    np.testing.assert_allclose(J, nb.numerical_jacobian(fn, z), **FINITE_DIFF)


@fast
@given(seed=seeds, m=dims, n=dims)
def test_a_linear_maps_jacobian_is_its_matrix(seed, m, n):
    rng = np.random.default_rng(seed)
    W, x, b = rng.standard_normal((m, n)), rng.standard_normal(n), rng.standard_normal(m)
    np.testing.assert_allclose(nb.jacobian(lambda x: W @ x + b, x), W, **AUTODIFF)


@fast
@given(seed=seeds, n=dims)
def test_softmax_jacobian_is_diag_s_minus_s_s_transpose(seed, n):
    z = np.random.default_rng(seed).uniform(-5, 5, n)
    s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    expected = np.diag(s) - np.outer(s, s)
    J = nb.jacobian(F.softmax, z)
    np.testing.assert_allclose(J, expected, **AUTODIFF)
    np.testing.assert_allclose(nb.numerical_jacobian(F.softmax, z), expected, **FINITE_DIFF)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-12)


@fast
@given(seed=seeds, J=dims, D=dims)
def test_jacobian_of_W_to_Wx_flattens_to_a_kronecker_product(seed, J, D):
    rng = np.random.default_rng(seed)
    W, x, g = rng.standard_normal((J, D)), rng.standard_normal(D), rng.standard_normal(J)
    jac = nb.jacobian(lambda W: W @ x, W)
    assert jac.shape == (J, J, D)
    flat = jac.reshape(J, J * D)
    np.testing.assert_allclose(flat, np.kron(np.eye(J), x), **AUTODIFF)
    # Its VJP is the outer product, shaped like W.
    np.testing.assert_allclose((g @ flat).reshape(J, D), np.outer(g, x), **AUTODIFF)


@fast
@given(seed=seeds, D=dims, J=dims, K=dims)
def test_vector_chain_rule_with_every_factor_a_matrix(seed, D, J, K):
    rng = np.random.default_rng(seed)
    W, A = rng.standard_normal((J, D)), rng.standard_normal((K, J))
    x, t = rng.standard_normal(D), rng.standard_normal(K)

    def h(x):
        return (W @ x).tanh()

    def g(v):
        return (A @ v).tanh()

    def f(u):
        return 0.5 * ((t - u) ** 2).sum()

    v = h(nb.tensor(x)).data
    u = g(nb.tensor(v)).data
    factors = [nb.jacobian(f, u), nb.jacobian(g, v), nb.jacobian(h, x)]
    assert [a.shape for a in factors] == [(K,), (K, J), (J, D)]
    by_chain = factors[0] @ factors[1] @ factors[2]
    np.testing.assert_allclose(by_chain, nb.numerical_gradient(lambda x: f(g(h(x))), x),
                               **FINITE_DIFF)
    # The hand-written factors of the chapter.
    np.testing.assert_allclose(factors[0], -(t - u), **AUTODIFF)
    np.testing.assert_allclose(factors[1], (1 - u**2)[:, None] * A, **AUTODIFF)
    np.testing.assert_allclose(factors[2], (1 - v**2)[:, None] * W, **AUTODIFF)


@fast
@given(seed=seeds, shape=st.lists(dims, min_size=0, max_size=3))
def test_projection_check_passes_for_any_shape(seed, shape):
    x = np.random.default_rng(seed).standard_normal(shape)
    assert nb.gradcheck(lambda x: (x * x).tanh(), x, projections=2, seed=seed % 1000)
    assert nb.gradcheck(lambda x: F.softmax(x.reshape(-1)).sum() * x, x, projections=2)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 2)])
def test_projection_check_catches_a_wrong_vjp(shape):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.5, 1.0, shape) * rng.choice([-1.0, 1.0], shape)

    def wrong(x):
        """tanh(x * x) with a VJP off by a factor of 2."""
        out = np.tanh(x.data * x.data)
        return nb.Tensor.from_op(out, (x,), lambda g: (g * 4 * x.data * (1 - out**2),), "wrong")

    assert nb.gradcheck(lambda x: (x * x).tanh(), x, projections=2)
    with pytest.raises(AssertionError, match="random direction"):
        nb.gradcheck(wrong, x, projections=2)


# -- the figure script ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures():
    pytest.importorskip("matplotlib")
    path = ROOT / "docs" / "figures" / "vector_chain_rule.py"
    spec = importlib.util.spec_from_file_location("_test_vector_chain_rule_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figure_example_is_the_chapters_and_obeys_the_chain_rule(figures):
    grad_u, Jv_u, Jx_v = figures.two_layer_example()
    assert (grad_u.shape, Jv_u.shape, Jx_v.shape) == ((2,), (2, 4), (4, 3))
    rng = np.random.default_rng(0)
    W = rng.standard_normal((4, 3))
    rng.standard_normal(4)
    A = rng.standard_normal((2, 4))
    x, t = np.array([0.5, -0.3, 0.2]), np.array([0.3, -0.2])

    def loss(x):
        return 0.5 * ((t - (A @ (W @ x).tanh()).tanh()) ** 2).sum()

    np.testing.assert_allclose(grad_u @ Jv_u @ Jx_v, nb.numerical_gradient(loss, x),
                               **FINITE_DIFF)


def test_measurement_checks_every_way_and_counts_the_products(figures):
    data = figures.measure_here(widths=(3, 5), depth=3, repeats=1, budget=0.0)
    assert data["widths"] == [3, 5]
    assert set(data["seconds"]) == set(figures.PRODUCTS + figures.GRADIENTS)
    for secs in data["seconds"].values():
        assert len(secs) == 2 and all(s > 0 for s in secs)
    assert data["counts"]["reverse"] == [3 * M**2 for M in (3, 5)]
    assert data["counts"]["forward"] == [2 * M**3 + M**2 for M in (3, 5)]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_figures_draw(figures, monkeypatch, theme):
    from matplotlib.figure import Figure

    small = figures.measure_here(widths=(4, 8, 16, 32), depth=2, repeats=1, budget=0.0)
    monkeypatch.setattr(figures, "measure", lambda: small)
    for name, draw in figures.FIGURES.items():
        fig = draw(theme)
        assert isinstance(fig, Figure), name
        assert fig.axes, name


def test_the_slopes_in_the_legend_are_fitted_to_the_run_drawn(figures, monkeypatch):
    widths = [8, 16, 32, 64]
    assert figures.fitted_slope(widths, [3e-6 * M**3 for M in widths]) == pytest.approx(3)
    assert figures.fitted_slope(widths, [1.0] * 4) == pytest.approx(0, abs=1e-12)
    small = figures.measure_here(widths=(4, 8, 16, 32), depth=2, repeats=1, budget=0.0)
    monkeypatch.setattr(figures, "measure", lambda: small)
    labels = [t.get_text() for t in figures.timing("light").axes[0].get_legend().get_texts()]
    ms = {name: np.array(secs) * 1e3 for name, secs in small["seconds"].items()}
    expected = [f"{name}, slope {figures.fitted_slope(small['widths'], ms[name]):.1f}"
                for name in figures.PRODUCTS]
    assert labels == expected
