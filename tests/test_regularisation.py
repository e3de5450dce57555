"""Early stopping, the train/test gap, and the proximal L1 step."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.data import make_curve, make_moons
from nnbook.regularisation import (
    EarlyStopped, Gap, ProximalL1, fit_early_stopping, generalisation_gap, soft_threshold,
)
from nnbook.train import accuracy, evaluate, fit


def _net(seed=0, width=20):
    return nn.Sequential(nn.Linear(1, width, rng=seed), nn.Tanh(), nn.Linear(width, 1, rng=seed + 1))


def _curves():
    return make_curve(12, noise=0.3, rng=0), make_curve(12, noise=0.3, rng=1)


@pytest.mark.parametrize("batch_size", [None, 5])
def test_early_stopping_runs_the_epochs_fit_runs(batch_size):
    (x, y), val = _curves()
    a, b = _net(), _net()
    h = fit(a, F.squared_loss, optim.Adam(a.parameters(), lr=0.01), x, y, epochs=40,
            batch_size=batch_size, rng=np.random.default_rng(3), validation=val)
    r = fit_early_stopping(b, F.squared_loss, optim.Adam(b.parameters(), lr=0.01), x, y, epochs=40,
                           validation=val, batch_size=batch_size, rng=np.random.default_rng(3))
    assert r.history.step_loss == h.step_loss and r.history.metric == h.metric
    assert r.stopped_at == 40 and len(r.history.loss) == 40 and len(r.history.seconds) == 40
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(r.last_state[key], value)


def _mse(f, y):
    return F.squared_loss(f, y, reduction="mean")


def test_early_stopping_keeps_the_best_epochs_weights():
    x, y = make_curve(20, noise=0.3, rng=0)
    val = make_curve(20, noise=0.3, rng=1)
    model = _net(width=100)
    r = fit_early_stopping(model, _mse, optim.Adam(model.parameters(), lr=0.01), x, y,
                           epochs=1000, validation=val)
    assert isinstance(r, EarlyStopped)
    assert r.best_metric == min(r.history.metric) == r.history.metric[r.best_epoch - 1]
    assert r.best_epoch < 900  # the problem overfits
    assert evaluate(model, *val, _mse) == pytest.approx(r.best_metric, rel=1e-12)
    last = _net(width=100)
    last.load_state_dict(r.last_state)
    assert evaluate(last, *val, _mse) == pytest.approx(r.history.metric[-1], rel=1e-12)
    assert r.history.metric[-1] > r.best_metric


def test_patience_stops_the_fit():
    x, y = make_curve(20, noise=0.3, rng=0)
    val = make_curve(20, noise=0.3, rng=1)
    model = _net(width=100)
    r = fit_early_stopping(model, _mse, optim.Adam(model.parameters(), lr=0.01), x, y,
                           epochs=1000, validation=val, patience=10)
    assert r.stopped_at == r.best_epoch + 10
    assert all(m >= r.best_metric for m in r.history.metric[r.best_epoch:])


def test_higher_is_better_for_accuracy():
    X, y = make_moons(60, noise=0.3, rng=0)
    Xv, yv = make_moons(60, noise=0.3, rng=1)
    model = nn.Sequential(nn.Linear(2, 16, rng=0), nn.Tanh(), nn.Linear(16, 2, rng=1))
    r = fit_early_stopping(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.02), X, y,
                           epochs=60, validation=(Xv, yv), metric=accuracy, higher_is_better=True)
    assert r.best_metric == max(r.history.metric)
    assert r.history.metric.index(r.best_metric) == r.best_epoch - 1  # ties keep the first
    assert evaluate(model, Xv, yv, accuracy) == r.best_metric


@pytest.mark.parametrize("kwargs, error, words", [
    ({"validation": (np.zeros((2, 1)),)}, TypeError, "validation must be a pair"),
    ({"patience": 0}, ValueError, "patience"),
    ({"epochs": 2.0}, TypeError, "epochs"),
    ({"higher_is_better": 1}, TypeError, "higher_is_better"),
])
def test_early_stopping_checks_its_arguments(kwargs, error, words):
    (x, y), val = _curves()
    model = _net()
    args = dict(epochs=3, validation=val) | kwargs
    with pytest.raises(error, match=words):
        fit_early_stopping(model, F.squared_loss, optim.SGD(model.parameters(), lr=0.01), x, y, **args)


def test_generalisation_gap():
    model = nn.Sequential(nn.Linear(1, 1), nn.Dropout(0.5, rng=0))
    model.load_state_dict({"0.weight": [[1.0]], "0.bias": [0.0]})
    x = np.array([[1.0], [2.0]])
    g = generalisation_gap(model, F.squared_loss, (x, x), (x, x + 2))
    assert isinstance(g, Gap) and g == (0.0, 4.0, 4.0)  # in evaluation mode: no dropout
    assert model.training  # the mode is put back
    with pytest.raises(TypeError, match="test must be a pair"):
        generalisation_gap(model, F.squared_loss, (x, x), x)


def test_soft_threshold_is_the_proximal_operator():
    rng = np.random.default_rng(0)
    v, t = rng.normal(size=50), 0.4
    grid = np.linspace(-4, 4, 80_001)
    objective = 0.5 * (grid[None, :] - v[:, None]) ** 2 + t * np.abs(grid[None, :])
    np.testing.assert_allclose(soft_threshold(v, t), grid[objective.argmin(axis=1)], atol=1e-4)
    assert np.all(soft_threshold(v, t)[np.abs(v) <= t] == 0)
    assert soft_threshold(np.ones(3, dtype=np.float32), 0.5).dtype == np.float32
    assert soft_threshold([1, -3], 1).tolist() == [0.0, -2.0]
    np.testing.assert_array_equal(soft_threshold(nb.tensor([2.0]), 0.5), [1.5])
    with pytest.raises(ValueError, match="threshold"):
        soft_threshold(v, -1.0)
    with pytest.raises(TypeError, match="threshold"):
        soft_threshold(v, "0.1")


def test_proximal_l1_is_ista():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 8)), rng.normal(size=30)
    w = nb.tensor(np.zeros(8), requires_grad=True)
    opt = ProximalL1(optim.SGD([w], lr=0.01), lam=3.0, params=[w])
    v = np.zeros(8)
    for _ in range(200):
        opt.zero_grad()
        F.squared_loss(nb.tensor(X) @ w, y).backward()
        opt.step()
        v = soft_threshold(v - 0.01 * (X.T @ (X @ v - y)), 0.01 * 3.0)
    np.testing.assert_allclose(w.data, v, rtol=1e-10, atol=1e-12)
    assert 0 < np.count_nonzero(w.data) < 8  # some weights exactly zero, not all


def test_proximal_l1_with_fit_leaves_the_biases_alone():
    (x, y), _ = _curves()
    model = _net(width=30)
    weights = [model[0].weight, model[2].weight]
    opt = ProximalL1(optim.SGD(model.parameters(), lr=0.05), lam=0.5, params=weights)
    assert opt.params == list(model.parameters()) and opt.lr == 0.05
    fit(model, lambda f, t: F.squared_loss(f, t, reduction="mean"), opt, x, y, epochs=100)
    assert np.mean(model[0].weight.data == 0) > 0.5
    assert np.all(model[0].bias.data != 0)
    assert repr(opt).startswith("ProximalL1(SGD(")


def test_proximal_l1_checks_its_arguments():
    w, v = nb.tensor([1.0], requires_grad=True), nb.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="Optimizer"):
        ProximalL1("sgd", 0.1, [w])
    with pytest.raises(ValueError, match="lam"):
        ProximalL1(optim.SGD([w], lr=0.1), -0.1, [w])
    with pytest.raises(ValueError, match="not moved by the optimiser"):
        ProximalL1(optim.SGD([w], lr=0.1), 0.1, [v])
    with pytest.raises(TypeError, match="in a list"):
        ProximalL1(optim.SGD([w], lr=0.1), 0.1, w)
