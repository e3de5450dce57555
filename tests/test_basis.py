"""`nnbook.basis`: fixed bases, their least-squares fit, and a shallow network's units."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn
from nnbook.basis import (
    gaussian_basis, gaussian_grid, least_squares, polynomial_basis, unit_contributions,
)


# -- gaussian_basis ---------------------------------------------------------------------


def test_gaussian_basis_is_the_formula_in_several_dimensions():
    rng = np.random.default_rng(0)
    x, c, s = rng.normal(size=(7, 3)), rng.normal(size=(4, 3)), 0.8
    B = gaussian_basis(x, c, s)
    assert B.shape == (7, 4) and B.dtype == np.float64
    for n in range(7):
        for j in range(4):
            expected = np.exp(-np.sum((x[n] - c[j]) ** 2) / (2 * s * s))
            assert B[n, j] == pytest.approx(expected, rel=1e-14)


def test_gaussian_basis_takes_one_input_as_a_flat_array():
    x = np.linspace(-1, 1, 5)
    np.testing.assert_array_equal(gaussian_basis(x, [0.0, 1.0], 1.0),
                                  gaussian_basis(x[:, None], [[0.0], [1.0]], 1.0))
    assert gaussian_basis(x, [0.5], 1.0)[0, 0] == pytest.approx(np.exp(-1.5**2 / 2))


@pytest.mark.parametrize("centers, match", [
    (np.zeros((3, 2)), r"centers must have shape \(J, D\) with D = 1"),
    (np.zeros((0, 1)), "J >= 1"),
    (np.zeros((2, 1, 1)), r"centers must have shape"),
])
def test_gaussian_basis_rejects_centres_that_do_not_fit(centers, match):
    with pytest.raises(ValueError, match=match):
        gaussian_basis(np.zeros((4, 1)), centers, 1.0)


@pytest.mark.parametrize("width, error", [(0.0, ValueError), (-1.0, ValueError),
                                          (np.inf, ValueError), (True, TypeError), ("1", TypeError)])
def test_gaussian_basis_rejects_a_bad_width(width, error):
    with pytest.raises(error, match="gaussian_basis: width"):
        gaussian_basis(np.zeros(3), [0.0], width)


def test_gaussian_basis_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"shape \(N,\) or \(N, D\)"):
        gaussian_basis(np.zeros((2, 2, 2)), [0.0], 1.0)
    with pytest.raises(ValueError, match="nan or inf"):
        gaussian_basis([0.0, np.nan], [0.0], 1.0)


# -- gaussian_grid ----------------------------------------------------------------------


def test_gaussian_grid_puts_centres_evenly_with_their_spacing_as_width():
    x = np.linspace(-3, 3, 11)[:, None]
    B = gaussian_grid(x, 5, low=-2.0, high=2.0)
    np.testing.assert_allclose(B, gaussian_basis(x, np.linspace(-2, 2, 5), 1.0), rtol=1e-15)
    np.testing.assert_allclose(gaussian_grid(x, 5, -2.0, 2.0, width=0.3),
                               gaussian_basis(x, np.linspace(-2, 2, 5), 0.3), rtol=1e-15)


def test_gaussian_grid_with_one_function_is_centred_low_with_the_interval_as_width():
    x = np.array([[0.0], [4.0]])
    np.testing.assert_allclose(gaussian_grid(x, 1, 0.0, 4.0), [[1.0], [np.exp(-0.5)]])


def test_gaussian_grid_checks_its_arguments():
    with pytest.raises(TypeError, match="gaussian_grid: J must be a positive int"):
        gaussian_grid(np.zeros(3), 4.0)
    with pytest.raises(ValueError, match="gaussian_grid: J must be a positive int"):
        gaussian_grid(np.zeros(3), 0)
    with pytest.raises(ValueError, match="low < high"):
        gaussian_grid(np.zeros(3), 3, low=1.0, high=1.0)
    with pytest.raises(ValueError, match=r"one input per example"):
        gaussian_grid(np.zeros((3, 2)), 3)


# -- polynomial_basis -------------------------------------------------------------------


def test_polynomial_basis_holds_the_powers_without_the_constant():
    x = np.array([-2.0, 0.5, 3.0])
    P = polynomial_basis(x, 4)
    assert P.shape == (3, 4)
    np.testing.assert_array_equal(P, np.column_stack([x, x**2, x**3, x**4]))
    np.testing.assert_array_equal(polynomial_basis(x[:, None], 1), x[:, None])


def test_polynomial_basis_checks_its_arguments():
    with pytest.raises(ValueError, match="polynomial_basis: degree"):
        polynomial_basis([1.0], 0)
    with pytest.raises(TypeError, match="polynomial_basis: degree"):
        polynomial_basis([1.0], 2.0)
    with pytest.raises(ValueError, match="one input per example"):
        polynomial_basis(np.zeros((2, 3)), 2)


# -- least_squares ----------------------------------------------------------------------


def _design(N=30, J=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, J)), rng.normal(size=N)


def test_least_squares_is_lstsq_with_a_column_of_ones():
    B, y = _design()
    w, w0 = least_squares(B, y)
    reference = np.linalg.lstsq(np.column_stack([B, np.ones(len(B))]), y, rcond=None)[0]
    np.testing.assert_allclose(w, reference[:-1], rtol=1e-10, atol=1e-12)
    assert isinstance(w0, float) and w0 == pytest.approx(reference[-1], abs=1e-12)


def test_least_squares_gradient_vanishes_at_the_solution():
    B, y = _design()
    for ridge in (0.0, 0.5):
        w, w0 = least_squares(B, y, ridge=ridge)
        w_t, w0_t = nb.tensor(w, requires_grad=True), nb.tensor(w0, requires_grad=True)
        (F.squared_loss(B @ w_t + w0_t, y) + ridge * F.l2_penalty([w_t])).backward()
        np.testing.assert_allclose(w_t.grad, 0.0, atol=1e-10)
        np.testing.assert_allclose(w0_t.grad, 0.0, atol=1e-10)


def test_ridge_solves_the_penalised_normal_equations_without_penalising_the_bias():
    B, y = _design()
    lam = 2.0
    B1 = np.column_stack([B, np.ones(len(B))])
    penalty = lam * np.diag([1.0] * B.shape[1] + [0.0])
    expected = np.linalg.solve(B1.T @ B1 + penalty, B1.T @ y)
    w, w0 = least_squares(B, y, ridge=lam)
    np.testing.assert_allclose(np.append(w, w0), expected, rtol=1e-10)


def test_least_squares_fits_several_targets_at_once():
    B, y = _design()
    Y = np.column_stack([y, 2 * y + 1, -y])
    w, w0 = least_squares(B, Y, ridge=0.1)
    assert w.shape == (5, 3) and w0.shape == (3,)
    for k in range(3):
        wk, w0k = least_squares(B, Y[:, k], ridge=0.1)
        np.testing.assert_allclose(w[:, k], wk, rtol=1e-10)
        assert w0[k] == pytest.approx(w0k)


def test_least_squares_recovers_an_exact_fit():
    x = np.linspace(-1, 1, 11)
    y = 0.5 - x + 2 * x**3
    w, w0 = least_squares(polynomial_basis(x, 3), y)
    np.testing.assert_allclose(w, [-1.0, 0.0, 2.0], atol=1e-12)
    assert w0 == pytest.approx(0.5)


def test_least_squares_with_more_functions_than_examples_gives_the_smallest_weights():
    B, y = _design(N=4, J=10)
    w, w0 = least_squares(B, y)
    np.testing.assert_allclose(B @ w + w0, y, atol=1e-10)        # interpolates
    Bc = B - B.mean(axis=0)
    np.testing.assert_allclose(w, np.linalg.pinv(Bc) @ (y - y.mean()), atol=1e-10)


def test_least_squares_keeps_unit_weight_columns_shape():
    B, y = _design()
    w, w0 = least_squares(B, y[:, None])
    assert w.shape == (5, 1) and w0.shape == (1,)


@pytest.mark.parametrize("B, y, match", [
    (np.zeros(5), np.zeros(5), r"B must have shape \(N, J\)"),
    (np.zeros((5, 0)), np.zeros(5), r"B must have shape \(N, J\)"),
    (np.zeros((5, 2)), np.zeros(4), r"N = 5"),
    (np.zeros((5, 2)), np.zeros((5, 1, 1)), r"N = 5"),
    (np.full((5, 2), np.nan), np.zeros(5), "nan or inf"),
])
def test_least_squares_rejects_shapes_that_do_not_fit(B, y, match):
    with pytest.raises(ValueError, match=match):
        least_squares(B, y)


def test_least_squares_rejects_a_bad_ridge():
    B, y = _design()
    with pytest.raises(ValueError, match="ridge must be a finite number >= 0"):
        least_squares(B, y, ridge=-1.0)
    with pytest.raises(TypeError, match="ridge must be a real number"):
        least_squares(B, y, ridge=None)


# -- unit_contributions -----------------------------------------------------------------


@pytest.mark.parametrize("activation", [nn.Tanh, nn.Sigmoid, nn.ReLU])
def test_unit_contributions_add_up_to_the_output(activation):
    net = nn.Sequential(nn.Linear(2, 6, rng=0), activation(), nn.Linear(6, 1, rng=1))
    x = np.random.default_rng(2).normal(size=(9, 2))
    parts, w0 = unit_contributions(net, x)
    assert parts.shape == (9, 6) and isinstance(parts, np.ndarray) and isinstance(w0, float)
    np.testing.assert_allclose(parts.sum(axis=1) + w0, net(x).data[:, 0], rtol=1e-12, atol=1e-14)
    phi = activation()(x @ net[0].weight.data.T + net[0].bias.data).data
    np.testing.assert_allclose(parts, phi * net[2].weight.data[0], rtol=1e-14)


def test_unit_contributions_without_an_output_bias():
    net = nn.Sequential(nn.Linear(1, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, bias=False, rng=1))
    parts, w0 = unit_contributions(net, np.linspace(-1, 1, 4))
    assert w0 == 0.0
    np.testing.assert_allclose(parts.sum(axis=1), net(np.linspace(-1, 1, 4)[:, None]).data[:, 0])


def test_unit_contributions_records_no_graph():
    net = nn.Sequential(nn.Linear(1, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    unit_contributions(net, np.zeros((2, 1)))
    assert all(p.grad is None for p in net.parameters())


@pytest.mark.parametrize("model", [
    nn.Linear(1, 1),
    nn.Sequential(nn.Linear(1, 3), nn.Tanh()),
    nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 2)),
    nn.Sequential(nn.Tanh(), nn.Linear(1, 3), nn.Linear(3, 1)),
    nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(4, 1)),
])
def test_unit_contributions_rejects_other_models(model):
    with pytest.raises(ValueError, match=r"unit_contributions: model must be nn.Sequential"):
        unit_contributions(model, np.zeros((2, 1)))


def test_unit_contributions_checks_the_inputs_columns():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    with pytest.raises(ValueError, match=r"D = 2 columns"):
        unit_contributions(net, np.zeros((4, 3)))
