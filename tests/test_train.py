"""The fit loop, its history and errors, and the synthetic data sets the fitting chapters use."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.data import load_digits, make_curve, make_moons, make_spirals, make_xor, true_curve
from nnbook.train import History, accuracy, evaluate, fit, random_restarts


def _regression(seed=0, n=50):
    X = np.random.default_rng(seed).normal(size=(n, 3))
    return X, X @ np.array([[1.0], [-2.0], [0.5]])


def _fit_once(seed, epochs=5, batch_size=16, **kw):
    X, y = _regression()
    model = nn.Linear(3, 1, rng=seed)
    history = fit(model, F.squared_loss, optim.SGD(model.parameters(), lr=0.01), X, y,
                  epochs=epochs, batch_size=batch_size, rng=seed, **kw)
    return model, history


def test_fit_records_every_step_and_epoch():
    model, history = _fit_once(0, epochs=4, batch_size=16)
    assert history.epochs == 4 and history.steps == 4 * 4  # 50 rows: batches of 16, 16, 16, 2
    assert len(history.seconds) == 4 and all(s >= 0 for s in history.seconds)
    assert history.metric == []
    # the epoch's loss is the mean of its steps' losses
    np.testing.assert_allclose(history.loss[0], np.mean(history.step_loss[:4]))
    assert history.loss[-1] < history.loss[0]
    assert model.training


def test_fit_is_repeatable_from_a_seed_and_differs_across_seeds():
    (m1, h1), (m2, h2), (_, h3) = _fit_once(3), _fit_once(3), _fit_once(4)
    assert h1.step_loss == h2.step_loss
    np.testing.assert_array_equal(m1.weight.data, m2.weight.data)
    assert h1.step_loss != h3.step_loss


def test_full_batch_by_default_is_gradient_descent():
    X, y = _regression()
    model = nn.Linear(3, 1, rng=0)
    w0, b0 = model.weight.data.copy(), model.bias.data.copy()
    history = fit(model, F.squared_loss, optim.SGD(model.parameters(), lr=0.001), X, y, epochs=1)
    assert history.steps == 1
    r = (X @ w0.T + b0) - y  # d/dW of ½ Σ r² is rᵀ X
    np.testing.assert_allclose(model.weight.data, w0 - 0.001 * r.T @ X, rtol=1e-12)
    np.testing.assert_allclose(model.bias.data, b0 - 0.001 * r.sum(axis=0), rtol=1e-12)


def test_validation_metric_per_epoch_in_eval_mode():
    X, y = make_moons(100, rng=0)
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2, rng=1))
    history = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.05), X, y,
                  epochs=3, batch_size=20, rng=0, validation=(X, y), metric=accuracy)
    assert len(history.metric) == 3 and all(0 <= a <= 1 for a in history.metric)
    # evaluated without dropout: the same as evaluating again now
    assert history.metric[-1] == evaluate(model, X, y, accuracy)
    assert model.training
    loss_only = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.01), X, y,
                    epochs=1, validation=(X, y))
    assert loss_only.metric == [pytest.approx(evaluate(model, X, y, F.cross_entropy))]


def test_a_diverging_fit_names_the_epoch_and_batch():
    X, y = _regression()
    model = nn.Linear(3, 1, rng=0)
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(FloatingPointError, match=r"fit: the loss became (inf|nan) at epoch \d+, "
                           r"batch \d+; .*lower the learning rate \(now 10.0\)"):
            fit(model, F.squared_loss, optim.SGD(model.parameters(), lr=10.0), X, y,
                epochs=50, batch_size=10, rng=0)


def test_an_optimiser_of_another_model_is_refused():
    X, y = _regression()
    model, other = nn.Linear(3, 1, rng=0), nn.Linear(3, 1, rng=1)
    with pytest.raises(ValueError, match=r"fit: 2 of the optimiser's 2 parameters are not parameters "
                       r"of this model .*SGD\(model.parameters\(\)"):
        fit(model, F.squared_loss, optim.SGD(other.parameters(), lr=0.1), X, y, epochs=1)
    # a subset of the model's parameters (the rest frozen) is fine
    fit(model, F.squared_loss, optim.SGD([model.weight], lr=0.01), X, y, epochs=1)


@pytest.mark.parametrize("kw, error, words", [
    ({"epochs": 0}, ValueError, "fit: epochs must be a positive int"),
    ({"epochs": 2.0}, TypeError, "fit: epochs must be a positive int"),
    ({"epochs": 1, "batch_size": 0}, ValueError, "fit: batch_size must be a positive int"),
])
def test_bad_sizes(kw, error, words):
    X, y = _regression()
    model = nn.Linear(3, 1, rng=0)
    with pytest.raises(error, match=words):
        fit(model, F.squared_loss, optim.SGD(model.parameters(), lr=0.1), X, y, **kw)


def test_rows_must_match():
    model = nn.Linear(3, 1, rng=0)
    with pytest.raises(ValueError, match="minibatches"):
        fit(model, F.squared_loss, optim.SGD(model.parameters(), lr=0.1), np.ones((5, 3)),
            np.ones((4, 1)), epochs=1)


def test_progress_bar_goes_to_stderr(capsys):
    pytest.importorskip("tqdm")
    _fit_once(0, epochs=3, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "epoch" in captured.err


def test_random_restarts_keeps_every_run_in_order():
    runs = random_restarts(lambda seed: _fit_once(seed, epochs=2)[1].final_loss, [0, 1, 2])
    assert runs == [_fit_once(s, epochs=2)[1].final_loss for s in (0, 1, 2)]
    with pytest.raises(ValueError, match="no seeds given"):
        random_restarts(lambda s: s, [])
    with pytest.raises(TypeError, match="seeds must be ints"):
        random_restarts(lambda s: s, [0.5])


def test_accuracy_and_history():
    assert accuracy(nb.tensor([[0.1, 0.9], [2.0, -1.0]]), [1, 1]) == 0.5
    assert accuracy(np.array([[-0.5], [0.5]]), [0, 1]) == 1.0
    with pytest.raises(ValueError, match="accuracy: 2 predictions but labels of shape"):
        accuracy(np.zeros((2, 3)), [0, 1, 2])
    assert History(loss=[3.0]).final_loss == 3.0


# -- the synthetic sets -----------------------------------------------------------------

@pytest.mark.parametrize("make", [make_curve, make_xor, make_moons, make_spirals])
def test_synthetic_sets_repeat_from_a_seed(make):
    a, b, c = make(rng=5), make(rng=5), make(rng=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_curve_is_the_true_function_plus_noise():
    x, y = make_curve(200, noise=0.0, rng=0)
    np.testing.assert_allclose(y, np.sin(3 * x) + 0.3 * x**2)
    assert x.min() >= -2 and x.max() <= 2
    _, noisy = make_curve(2000, noise=0.5, rng=0)
    x2, _ = make_curve(2000, noise=0.5, rng=0)
    assert abs(np.std(noisy - true_curve(x2)) - 0.5) < 0.05


def test_xor_is_not_linearly_separable_but_labels_follow_the_quadrants():
    X, y = make_xor(400, noise=0.2, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert y.mean() == pytest.approx(0.5, abs=0.1)
    # the least-squares linear classifier is no better than chance
    A = np.column_stack([X, np.ones(len(X))])
    w = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)[0]
    assert abs(np.mean((A @ w > 0) == y) - 0.5) < 0.1


def test_moons_and_spirals_shapes_and_balance():
    X, y = make_moons(101, noise=0.0, rng=0)
    assert X.shape == (101, 2) and y.tolist().count(0) == 50
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    X, y = make_spirals(301, classes=3, noise=0.0, rng=0)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    assert np.all(np.hypot(*X.T) < 1.0)


@pytest.mark.parametrize("call, error, words", [
    (lambda: make_curve(0), ValueError, "make_curve: n must be a positive int"),
    (lambda: make_curve(10, noise=-1.0), ValueError, "make_curve: noise must be a finite number >= 0"),
    (lambda: make_moons(10, noise="a"), TypeError, "make_moons: noise must be a number"),
    (lambda: make_xor(3), ValueError, "make_xor: n must be at least 4"),
    (lambda: make_spirals(2, classes=3), ValueError, "make_spirals: n = 2 gives no point"),
    (lambda: make_spirals(10, classes=2.0), TypeError, "make_spirals: classes must be a positive int"),
])
def test_synthetic_set_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_digits():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.min() == 0.0 and images.max() == 1.0
    assert np.bincount(labels).min() > 170
