"""nnbook.landscape: the loss as a function of one parameter vector, its gradients and noise."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.landscape import (
    hessian, loss_along_line, loss_at, loss_gradient, loss_on_plane, minibatch_gradient_variance,
    optimizer_path, parameters_to_vector, per_example_gradients, vector_to_parameters,
)


def _net(seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(2, 3, rng=rng), nn.Tanh(), nn.Linear(3, 1, rng=rng))


def _data(n=12, seed=0):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 2))
    return X, np.sin(X[:, :1]) + 0.1 * r.normal(size=(n, 1))


def test_vector_round_trip_and_torch_order():
    model = _net()
    theta = parameters_to_vector(model.parameters())
    expected = np.concatenate([p.data.reshape(-1) for p in model.parameters()])
    np.testing.assert_array_equal(theta, expected)
    other = _net(1)
    vector_to_parameters(theta, other.parameters())
    np.testing.assert_array_equal(parameters_to_vector(other.parameters()), theta)
    theta[0] = 99.0                      # a copy, not a view
    assert model[0].weight.data[0, 0] != 99.0


def test_vector_to_parameters_checks_length_and_types():
    model = _net()
    with pytest.raises(ValueError, match=r"13 entries in all.*\(13,\), got \(12,\)"):
        vector_to_parameters(np.zeros(12), model.parameters())
    with pytest.raises(TypeError, match="single Tensor"):
        parameters_to_vector(model[0].weight)
    with pytest.raises(TypeError, match="not a Tensor"):
        parameters_to_vector([np.zeros(2)])


def test_loss_at_and_gradient_match_the_model_and_leave_it_alone():
    model, (X, y) = _net(), _data()
    before = parameters_to_vector(model.parameters())
    direct = F.squared_loss(model(X), y)
    assert loss_at(model, F.squared_loss, X, y) == pytest.approx(direct.item(), rel=1e-14)
    direct.backward()
    grads = np.concatenate([p.grad.reshape(-1) for p in model.parameters()])
    np.testing.assert_allclose(loss_gradient(model, F.squared_loss, X, y), grads, rtol=1e-12)
    other = before + 0.5
    vector_to_parameters(other, model.parameters())
    value = loss_at(model, F.squared_loss, X, y)
    vector_to_parameters(before, model.parameters())
    assert loss_at(model, F.squared_loss, X, y, theta=other) == pytest.approx(value, rel=1e-14)
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()), before)
    with pytest.raises(ValueError, match=r"has 13 parameters"):
        loss_at(model, F.squared_loss, X, y, theta=np.zeros(3))


def test_gradient_agrees_with_finite_differences():
    model, (X, y) = _net(2), _data()
    theta = parameters_to_vector(model.parameters())
    numeric = nb.numerical_gradient(
        lambda t: nb.tensor(loss_at(model, F.squared_loss, X, y, t.data)), theta)
    np.testing.assert_allclose(loss_gradient(model, F.squared_loss, X, y), numeric, rtol=1e-6, atol=1e-8)


def test_line_and_plane_are_the_loss_at_their_points():
    model, (X, y) = _net(), _data()
    a = parameters_to_vector(model.parameters())
    b = parameters_to_vector(_net(1).parameters())
    line = loss_along_line(model, F.squared_loss, X, y, a, b, [0.0, 0.3, 1.0, 1.5])
    for t, value in zip([0.0, 0.3, 1.0, 1.5], line):
        assert value == pytest.approx(loss_at(model, F.squared_loss, X, y, (1 - t) * a + t * b))
    u, v = b - a, np.random.default_rng(0).normal(size=a.size)
    Z = loss_on_plane(model, F.squared_loss, X, y, a, u, v, [0.0, 1.0, 2.0], [-1.0, 0.5])
    assert Z.shape == (2, 3)
    assert Z[1, 2] == pytest.approx(loss_at(model, F.squared_loss, X, y, a + 2 * u + 0.5 * v))
    with pytest.raises(ValueError, match="one shape"):
        loss_on_plane(model, F.squared_loss, X, y, a, u, v[:3], [0.0], [0.0])
    with pytest.raises(ValueError, match="start has shape"):
        loss_along_line(model, F.squared_loss, X, y, a, b[:2], [0.0])


def test_per_example_gradients_sum_to_the_gradient():
    model, (X, y) = _net(), _data()
    G = per_example_gradients(model, F.squared_loss, X, y)
    assert G.shape == (12, 13)
    np.testing.assert_allclose(G.sum(axis=0), loss_gradient(model, F.squared_loss, X, y), rtol=1e-10)
    mean = lambda f, t: F.squared_loss(f, t, reduction="mean")
    np.testing.assert_allclose(G.mean(axis=0), loss_gradient(model, mean, X, y), rtol=1e-10)
    with pytest.raises(ValueError, match="12 rows but y has 11"):
        per_example_gradients(model, F.squared_loss, X, y[:11])


@pytest.mark.parametrize("B", [1, 3, 7, 12])
def test_minibatch_variance_matches_both_formulas(B):
    G = np.random.default_rng(1).normal(size=(12, 4)) * [1.0, 2.0, 0.5, 3.0]
    N = len(G)
    V = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    with_r = minibatch_gradient_variance(G, B, replace=True, draws=20000, rng=0)
    without = minibatch_gradient_variance(G, B, replace=False, draws=20000, rng=0)
    assert with_r == pytest.approx(V / B, rel=0.05)
    assert without == pytest.approx(V * (N - B) / (B * (N - 1)), rel=0.05, abs=1e-12)


def test_finite_population_formula_is_exact_by_enumeration():
    G = np.random.default_rng(2).normal(size=(7, 3))
    V = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    for B in range(1, 8):
        means = [G[list(c)].mean(axis=0) for c in combinations(range(7), B)]
        exact = np.mean([np.sum((m - G.mean(axis=0)) ** 2) for m in means])
        assert exact == pytest.approx(V * (7 - B) / (B * 6), rel=1e-12, abs=1e-14)


def test_minibatch_variance_checks_its_arguments():
    G = np.ones((5, 2))
    with pytest.raises(ValueError, match="cannot be drawn from 5"):
        minibatch_gradient_variance(G, 6, replace=False)
    with pytest.raises(TypeError, match="batch_size must be a positive int"):
        minibatch_gradient_variance(G, 2.0)
    with pytest.raises(ValueError, match=r"shape \(N, P\)"):
        minibatch_gradient_variance(np.ones(5), 2)
    assert minibatch_gradient_variance(G, 6, replace=True, draws=5, rng=0) == 0.0


def test_hessian_of_a_quadratic_and_symmetric_for_a_network():
    layer = nn.Linear(3, 1, rng=0)
    X, y = np.random.default_rng(0).normal(size=(6, 3)), np.zeros((6, 1))
    X1 = np.column_stack([X, np.ones(6)])
    np.testing.assert_allclose(hessian(layer, F.squared_loss, X, y), X1.T @ X1, atol=1e-7)
    model, (X, y) = _net(), _data()
    H = hessian(model, F.squared_loss, X, y)
    np.testing.assert_array_equal(H, H.T)
    with pytest.raises(ValueError, match="eps must be"):
        hessian(model, F.squared_loss, X, y, eps=0)


def test_optimizer_path_follows_the_optimizer():
    A = np.diag([1.0, 10.0])
    fn = lambda t: 0.5 * (t * (t @ nb.tensor(A))).sum()
    path = optimizer_path(fn, [1.0, 1.0], lambda p: optim.SGD(p, lr=0.05, momentum=0.9), 30)
    assert path.shape == (31, 2)
    theta = nb.tensor([1.0, 1.0], requires_grad=True)
    opt = optim.SGD([theta], lr=0.05, momentum=0.9)
    for k in range(30):
        opt.zero_grad()
        fn(theta).backward()
        opt.step()
        np.testing.assert_array_equal(path[k + 1], theta.data)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        optimizer_path(fn, [1.0, 1.0], lambda p: optim.SGD(p, lr=0.1), 0)
