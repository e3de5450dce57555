"""The engine's contract: accumulation, graph walking, mixing with numpy, dtypes, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, broadcastable_shapes

import nnbook as nb
from nnbook import functional as F


def test_leaf_gradient_accumulates_and_intermediates_do_not_double_count():
    x = nb.tensor([1.0, -2.0], requires_grad=True)
    y = x * 3.0  # an intermediate used twice below
    z = (y * y).sum()
    z.backward()
    np.testing.assert_allclose(x.grad, 18 * x.data)
    z.backward()  # a second pass adds exactly the same again
    np.testing.assert_allclose(x.grad, 36 * x.data)
    assert y.grad is None


def test_gradient_is_a_sum_over_uses():
    x = nb.tensor(3.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad == 7.0


def test_leaf_without_requires_grad_keeps_grad_none():
    x = nb.tensor([1.0, 2.0])
    w = nb.tensor([0.5, 0.5], requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, x.data)


def test_long_chain_does_not_recurse():
    x = nb.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = nb.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(2,\) is not a scalar.*y.sum\(\).backward\(\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\) given for a tensor of shape \(2,\)"):
        (x * 2).backward(np.ones(3))
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0])


def test_backward_without_requires_grad_says_what_to_do():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        nb.tensor(1.0).backward()


def test_no_grad_records_nothing_and_restores():
    w = nb.tensor([1.0], requires_grad=True)
    with nb.no_grad():
        assert not (w * 2).requires_grad
        with pytest.raises(KeyError):
            with nb.no_grad():
                raise KeyError
        assert not nb.is_grad_enabled()
    assert nb.is_grad_enabled()

    @nb.no_grad()
    def double(t):
        return t * 2

    assert not double(w).requires_grad and (w * 2).requires_grad


def test_mixing_with_numpy_and_python_numbers():
    x = nb.tensor([1.0, 2.0], requires_grad=True)
    a = np.array([10.0, 20.0])
    for out in (a + x, x + a, a * x, 2 - x, 2 / x, x**2, a @ x, x @ a, 1 + x):
        assert isinstance(out, nb.Tensor) and out.requires_grad
    (a * x + 2 - x / 2).sum().backward()
    np.testing.assert_allclose(x.grad, a - 0.5)


def test_dtypes():
    assert nb.tensor([1, 2]).dtype == np.float64
    assert nb.tensor(True).dtype == np.float64
    x = nb.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    assert (x * 2.5 + 1).dtype == np.float32
    assert (2.5 * x).dtype == np.float32
    assert (x + np.ones(2)).dtype == np.float64  # numpy's promotion for arrays
    (x * x).sum().backward()
    assert x.grad.dtype == np.float32
    with pytest.raises(TypeError, match="real numbers"):
        nb.tensor([1j])
    with pytest.raises(TypeError, match="real numbers"):
        nb.tensor(["a"])
    with pytest.raises(TypeError, match="floating"):
        nb.tensor([1], dtype=np.int64)
    with pytest.raises(TypeError, match="equal-length rows"):
        nb.tensor([[1.0, 2.0], [3.0]])


def test_comparisons_carry_no_gradient():
    x = nb.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    mask = x > 0
    assert mask.dtype == bool and not mask.requires_grad
    np.testing.assert_array_equal(mask.data, [False, False, True])
    np.testing.assert_array_equal((x <= 0).data, [True, True, False])
    with pytest.raises(ValueError):
        bool(x > 0)  # ambiguous, as in numpy
    assert bool(nb.tensor(1.0) >= 1)


def test_equality_is_elementwise_and_hashing_is_by_identity():
    x = nb.tensor([0.0, 1.0, 2.0], requires_grad=True)
    eq, ne = x == 0, x != 0
    assert eq.dtype == bool and not eq.requires_grad and ne.dtype == bool
    np.testing.assert_array_equal(eq.data, [True, False, False])
    np.testing.assert_array_equal(ne.data, [False, True, True])
    np.testing.assert_array_equal((x == nb.tensor([0.0, 5.0, 2.0])).data, [True, False, True])
    # F.where(x == 0, ...) picks elementwise (it once returned x unchanged).
    np.testing.assert_array_equal(F.where(x == 0, 1.0, x).data, [1.0, 1.0, 2.0])
    y = nb.tensor([0.0, 1.0, 2.0])
    assert len({x, y, x}) == 2 and {x: 1}[x] == 1  # hashable, by identity


def test_data_and_grad_are_ndarrays_even_when_0d():
    a = nb.tensor([1.0, 2.0], requires_grad=True)
    b = nb.tensor(3.0, requires_grad=True)
    total = (a * b).sum()
    assert type(total.data) is np.ndarray and total.data.shape == ()
    total.backward()
    assert type(b.grad) is np.ndarray and b.grad.shape == () and b.grad == 3.0
    total.backward()  # accumulating keeps it an array too
    assert type(b.grad) is np.ndarray and b.grad == 6.0
    c = nb.tensor(2.0, requires_grad=True)
    (c * c + c).backward()  # two paths summed at a 0-d node
    assert type(c.grad) is np.ndarray and c.grad == 5.0
    for out in (a.max(), a.mean(), F.logsumexp(a), a[0], F.logistic_loss(a, [1, 0])):
        assert type(out.data) is np.ndarray, out.op


def test_derivative_of_x_to_the_zero_is_zero_at_zero():
    x = nb.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(all="raise"):
        (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_registering_a_taken_name_is_an_error():
    from nnbook.functional.registry import PRIMITIVES, primitive

    def mul(a, b):
        return a

    with pytest.raises(ValueError, match="'mul' is already registered"):
        primitive(mul)
    assert PRIMITIVES["mul"] is F.mul


def test_tensor_surface_is_the_reference_table():
    """The reference page's table of operators and methods lists exactly the class's."""
    import re
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs/reference/autodiff.md").read_text()
    table = "\n".join(line for line in page.splitlines() if line.startswith("| `"))
    shown = set(re.findall(r"\ba\.(\w+)\(", table)) | ({"T"} if "`a.T`" in table else set())
    methods = {name for name, v in vars(nb.Tensor).items()
               if not name.startswith("_") and (callable(v) or isinstance(v, property))}
    methods -= {"from_op", "backward", "item", "numpy", "detach", "is_leaf", "shape", "ndim",
                "size", "dtype"}  # the array-like surface, described in the text of the page
    assert shown == methods
    operators = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
                 "**": "__pow__", "@": "__matmul__", "[index]": "__getitem__", "==": "__eq__",
                 "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
    for symbol, dunder in operators.items():
        assert f"a {symbol} b" in table or f"a{symbol}" in table, symbol
        assert dunder in vars(nb.Tensor), dunder


def test_small_methods_and_repr():
    x = nb.tensor([[1.0, 2.0]], requires_grad=True)
    assert nb.tensor([3.5]).item() == 3.5 and float(nb.tensor(2.0)) == 2.0
    with pytest.raises(ValueError, match="only a tensor with one element"):
        x.item()
    assert x.numpy() is x.data and x.detach().requires_grad is False
    assert x.T.shape == (2, 1) and x.ndim == 2 and len(x) == 1
    assert repr(x) == "tensor([[1., 2.]], requires_grad=True)"
    assert repr(nb.tensor([1.0], dtype="float32")) == "tensor([1.], dtype=float32)"


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_unbroadcast_inverts_broadcasting(data):
    shape = data.draw(array_shapes(min_dims=0, max_dims=3, max_side=3))
    target = data.draw(broadcastable_shapes(shape, min_dims=0, max_dims=4, max_side=3))
    full = np.broadcast_shapes(shape, target)
    g = np.random.default_rng(0).normal(size=full)
    reduced = nb.unbroadcast(g, shape)
    assert reduced.shape == shape
    np.testing.assert_allclose(reduced.sum(), g.sum())
    # the adjoint identity: <g, broadcast(v)> = <unbroadcast(g), v>
    v = np.random.default_rng(1).normal(size=shape)
    np.testing.assert_allclose(np.sum(g * np.broadcast_to(v, full)), np.sum(reduced * v))


# -- derivative checks --------------------------------------------------------------


def _wrong_square(a):
    """x**2 with a VJP that forgets the factor 2."""
    return nb.Tensor.from_op(a.data**2, (a,), lambda g: (g * a.data,), "wrong")


def test_gradcheck_names_the_worst_entry():
    with pytest.raises(AssertionError, match=r"input 0, index \(2,\) of output entry \(2,\): autodiff gives 3, finite differences give 6"):
        nb.gradcheck(_wrong_square, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(AssertionError, match=r"input 1, index \(1,\)"):
        nb.gradcheck(lambda a, b: (a * _wrong_square(b)).sum(), np.ones(2), np.array([1.0, 5.0]))


def test_gradcheck_projections():
    assert nb.gradcheck(lambda a: F.softmax(a) * a, np.random.default_rng(0).normal(size=(20, 30)), projections=4)
    with pytest.raises(AssertionError, match=r"input 0, random direction \d of 3"):
        nb.gradcheck(_wrong_square, np.ones((10, 10)), projections=3)


def test_derivative_helpers_shapes_and_errors():
    W = np.random.default_rng(0).normal(size=(2, 3))
    fn = lambda x: nb.tensor(W) @ x  # noqa: E731
    x = np.ones(3)
    np.testing.assert_allclose(nb.jacobian(fn, x), W)
    np.testing.assert_allclose(nb.numerical_jacobian(fn, x), W, atol=1e-8)
    assert nb.jacobian(lambda m: m.sum(axis=0), np.ones((4, 2))).shape == (2, 4, 2)
    assert nb.jacobian(lambda m: nb.tensor(1.0), np.ones(2)).shape == (2,)
    with pytest.raises(ValueError, match="single value"):
        nb.numerical_gradient(fn, x)
    with pytest.raises(TypeError, match="must return a Tensor"):
        nb.jacobian(lambda t: t.data, x)
    with pytest.raises(ValueError, match="at least one input"):
        nb.gradcheck(fn)


def test_seed_repeats_draws():
    nb.seed(3)
    a = nb.get_rng().normal(size=3)
    nb.seed(3)
    np.testing.assert_array_equal(a, nb.get_rng().normal(size=3))
    np.testing.assert_array_equal(nb.get_rng(7).normal(size=2), np.random.default_rng(7).normal(size=2))
    gen = np.random.default_rng(1)
    assert nb.get_rng(gen) is gen
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        nb.get_rng("seed")


@pytest.mark.parametrize("fn", [F.relu, F.sigmoid, F.softplus, F.log_sigmoid, F.tanh, F.exp,
                                lambda f: F.logistic_loss(f, 1), lambda f: F.squared_loss(f, 0)])
def test_float32_scalars_stay_float32(fn):
    """numpy 1.x promotes a 0-d float32 combined with a Python number to float64; nnbook must not."""
    x = nb.tensor(0.3, dtype="float32", requires_grad=True)
    out = fn(x)
    out.backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
