"""diagnostics: the deep-network builder and the per-layer measurements of the activations chapter.

Every measurement is checked against the same quantity computed another way (by hand
from the layers' arrays, or by autodiff one example at a time); every bad argument is
checked with the words of its message.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnbook import functional as F, nn
from nnbook.diagnostics import (
    LayerStats, activation_stats, deep_mlp, error_signal_norms, weight_grad_norms,
)


class LeakyReLU(nn.Module):
    def __init__(self, slope=0.01):
        super().__init__()
        self.slope = slope

    def forward(self, x):
        return F.where(x > 0, x, self.slope * x)


def _batch(n=32, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, 1))


# -- deep_mlp ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation, cls", [("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("relu", nn.ReLU)])
def test_deep_mlp_layout(activation, cls):
    model = deep_mlp(5, 7, depth=4, out_features=3, activation=activation, rng=0)
    assert len(model) == 2 * 4 - 1
    assert [m.weight.shape for m in model[::2]] == [(7, 5), (7, 7), (7, 7), (3, 7)]
    assert all(isinstance(m, cls) for m in model[1::2])
    assert model(np.zeros((2, 5))).shape == (2, 3)


def test_deep_mlp_of_depth_one_is_a_linear_layer():
    model = deep_mlp(4, 9, depth=1, out_features=2, rng=0)
    assert len(model) == 1 and model[0].weight.shape == (2, 4)


def test_deep_mlp_takes_an_activation_factory():
    model = deep_mlp(3, 4, depth=3, activation=lambda: LeakyReLU(0.1), rng=0)
    acts = list(model[1::2])
    assert all(isinstance(a, LeakyReLU) and a.slope == 0.1 for a in acts)
    assert acts[0] is not acts[1]


def test_deep_mlp_default_is_nn_linear_from_the_same_generator():
    model = deep_mlp(6, 4, depth=2, rng=3)
    gen = np.random.default_rng(3)
    first, second = nn.Linear(6, 4, rng=gen), nn.Linear(4, 1, rng=gen)
    np.testing.assert_array_equal(model[0].weight.data, first.weight.data)
    np.testing.assert_array_equal(model[0].bias.data, first.bias.data)
    np.testing.assert_array_equal(model[2].weight.data, second.weight.data)


@pytest.mark.parametrize(
    "init, variance",
    [("default", lambda fi, fo: 1 / (3 * fi)), ("glorot", lambda fi, fo: 2 / (fi + fo)),
     ("he", lambda fi, fo: 2 / fi)],
)
def test_deep_mlp_weight_variances(init, variance):
    model = deep_mlp(300, 200, depth=2, out_features=100, init=init, rng=0)
    for layer in model[::2]:
        fo, fi = layer.weight.shape
        assert layer.weight.data.var() == pytest.approx(variance(fi, fo), rel=0.03)
        if init != "default":
            assert not layer.bias.data.any()


def test_deep_mlp_gain_scales_the_same_draws():
    plain = deep_mlp(8, 6, depth=3, init="he", rng=1)
    scaled = deep_mlp(8, 6, depth=3, init="he", gain=1.5, rng=1)
    for a, b in zip(plain[::2], scaled[::2]):
        np.testing.assert_allclose(b.weight.data, 1.5 * a.weight.data, rtol=1e-15)


def test_deep_mlp_is_repeatable():
    a, b = deep_mlp(4, 4, 3, rng=5), deep_mlp(4, 4, 3, rng=5)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"activation": "gelu"}, ValueError, "deep_mlp: unknown activation 'gelu'"),
        ({"activation": 3}, TypeError, "activation must be a name or a function returning a Module"),
        ({"activation": lambda: F.relu}, TypeError, "activation() must return a Module"),
        ({"init": "xavier"}, ValueError, "deep_mlp: unknown init 'xavier'; use one of 'default', 'glorot', 'he'"),
        ({"gain": 0.0}, ValueError, "gain must be a positive finite number, got 0.0"),
        ({"gain": -1}, ValueError, "gain must be a positive finite number"),
        ({"gain": float("inf")}, ValueError, "gain must be a positive finite number"),
        ({"gain": True}, ValueError, "gain must be a positive finite number"),
        ({"gain": "2"}, ValueError, "gain must be a positive finite number"),
        ({"depth": 0}, ValueError, "deep_mlp: depth must be a positive int, got 0"),
        ({"width": 2.0}, TypeError, "deep_mlp: width must be a positive int, got 2.0"),
    ],
)
def test_deep_mlp_refuses_bad_arguments(kwargs, error, words):
    args = {"in_features": 3, "width": 4, "depth": 3, **kwargs}
    with pytest.raises(error) as info:
        deep_mlp(**args)
    assert words in str(info.value)


# -- weight_grad_norms ---------------------------------------------------------------------


def test_weight_grad_norms_read_every_linear_layer():
    X, y = _batch()
    model = deep_mlp(5, 6, depth=4, activation="tanh", rng=0)
    F.squared_loss(model(X), y).backward()
    expected = [float(np.sqrt((m.weight.grad ** 2).sum())) for m in model[::2]]
    assert weight_grad_norms(model) == pytest.approx(expected, rel=1e-12)


def test_weight_grad_norms_skip_other_modules():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Dropout(0.0), nn.ReLU(), nn.Linear(4, 1, rng=1))
    F.squared_loss(model(np.ones((2, 3))), np.zeros((2, 1))).backward()
    assert len(weight_grad_norms(model)) == 2


def test_weight_grad_norms_before_backward():
    model = deep_mlp(3, 4, depth=2, rng=0)
    with pytest.raises(ValueError, match="the weight of Linear layer 1 has no gradient; run loss.backward"):
        weight_grad_norms(model)


@pytest.mark.parametrize("fn", [weight_grad_norms, lambda m: activation_stats(m, np.ones((2, 3)))])
def test_measurements_need_a_sequential_with_linear_layers(fn):
    with pytest.raises(TypeError, match="expected an nn.Sequential, got Linear"):
        fn(nn.Linear(3, 1))
    with pytest.raises(ValueError, match="the model has no Linear layer"):
        fn(nn.Sequential(nn.ReLU()))


# -- error_signal_norms ---------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_error_signals_are_the_bias_gradients_of_single_examples(activation):
    X, y = _batch(n=6)
    model = deep_mlp(5, 4, depth=3, activation=activation, rng=2)
    sizes = error_signal_norms(model, X, y, F.squared_loss)
    per_example = []
    for n in range(len(X)):  # with one example, dL/dw^l is delta^l_n
        model.zero_grad()
        F.squared_loss(model(X[n : n + 1]), y[n : n + 1]).backward()
        per_example.append([np.sum(m.bias.grad ** 2) for m in model[::2]])
    expected = np.sqrt(np.mean(per_example, axis=0))
    np.testing.assert_allclose(sizes, expected, rtol=1e-10)


def test_error_signals_leave_the_parameters_alone():
    X, y = _batch()
    model = deep_mlp(5, 4, depth=3, rng=0)
    error_signal_norms(model, X, y, F.squared_loss)
    assert all(p.grad is None for p in model.parameters())


def test_error_signals_with_a_mean_carry_one_over_n():
    X, y = _batch(n=8)
    model = deep_mlp(5, 4, depth=3, activation="tanh", rng=0)
    total = error_signal_norms(model, X, y, F.squared_loss)
    mean = error_signal_norms(model, X, y, lambda f, t: F.squared_loss(f, t, reduction="mean"))
    np.testing.assert_allclose(np.array(total) / 8, mean, rtol=1e-12)


def test_error_signals_with_cross_entropy_and_a_custom_activation():
    X, _ = _batch(n=10)
    labels = np.arange(10) % 3
    model = deep_mlp(5, 4, depth=3, out_features=3, activation=LeakyReLU, rng=0)
    sizes = error_signal_norms(model, X, labels, F.cross_entropy)
    assert len(sizes) == 3 and all(s > 0 for s in sizes)


def test_error_signals_need_a_scalar_loss():
    X, y = _batch()
    model = deep_mlp(5, 4, depth=2, rng=0)
    with pytest.raises(ValueError, match="loss_fn must return a scalar Tensor"):
        error_signal_norms(model, X, y, lambda f, t: f - t)


# -- activation_stats -----------------------------------------------------------------------


def test_activation_stats_by_hand_for_tanh():
    X, _ = _batch(n=40)
    model = deep_mlp(5, 6, depth=3, activation="tanh", gain=3.0, rng=0)
    stats = activation_stats(model, X)
    assert len(stats) == 2 and all(isinstance(s, LayerStats) for s in stats)
    h = X
    for s, layer in zip(stats, model[::2]):
        z = h @ layer.weight.data.T + layer.bias.data
        h = np.tanh(z)
        slope = 1 - h ** 2
        assert s.z_std == pytest.approx(z.std(), rel=1e-12)
        assert s.mean == pytest.approx(h.mean(), rel=1e-12, abs=1e-15)
        assert s.std == pytest.approx(h.std(), rel=1e-12)
        assert s.slope_rms == pytest.approx(np.sqrt(np.mean(slope ** 2)), rel=1e-12)
        assert s.saturated == pytest.approx(np.mean(slope < 0.05))
        assert s.dead == pytest.approx(np.mean(np.all(slope < 0.05, axis=0)))
    assert stats[1].saturated > 0  # a gain of 3 saturates some units


def test_activation_stats_sigmoid_threshold():
    z = np.linspace(-6, 6, 121)[:, None]  # one unit, its pre-activation laid out
    model = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 1))
    model.load_state_dict({"0.weight": [[1.0]], "0.bias": [0.0], "2.weight": [[1.0]], "2.bias": [0.0]})
    (s,) = activation_stats(model, z, slope_below=0.1)
    sig = 1 / (1 + np.exp(-z))
    assert s.saturated == pytest.approx(np.mean(sig * (1 - sig) < 0.1))
    assert s.dead == 0.0


def test_activation_stats_dead_relus():
    X, _ = _batch(n=50, d=3)
    model = deep_mlp(3, 4, depth=3, activation="relu", rng=0)
    model[0].bias.data[:2] = -100.0  # units 1 and 2 of layer 1 are off for every input
    stats = activation_stats(model, X)
    assert stats[0].dead == 0.5
    assert stats[0].saturated >= 0.5


def test_activation_stats_leaky_relu_is_saturated_where_off_but_not_dead_below_its_slope():
    X, _ = _batch(n=50, d=3)
    model = deep_mlp(3, 4, depth=2, activation=LeakyReLU, rng=0)
    model[0].bias.data[:] = -100.0
    (s,) = activation_stats(model, X)
    assert s.saturated == 1.0 and s.dead == 1.0
    (s,) = activation_stats(model, X, slope_below=0.005)
    assert s.saturated == 0.0 and s.dead == 0.0


def test_activation_stats_relu_scale_homogeneity():
    """Zero biases and ReLUs: scaling every weight by g scales layer l's units by g**l."""
    X, _ = _batch(n=64, d=8)
    plain = activation_stats(deep_mlp(8, 16, depth=6, init="he", rng=0), X)
    scaled = activation_stats(deep_mlp(8, 16, depth=6, init="he", gain=1.5, rng=0), X)
    for l, (a, b) in enumerate(zip(plain, scaled), start=1):
        assert b.std == pytest.approx(1.5 ** l * a.std, rel=1e-10)
        assert (b.saturated, b.dead) == (a.saturated, a.dead)


def test_activation_stats_runs_modules_after_the_activation():
    X, _ = _batch(n=20, d=3)
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=0), nn.Linear(4, 4, rng=1),
                          nn.Tanh(), nn.Linear(4, 1, rng=2))
    model.eval()
    stats = activation_stats(model, X)
    assert len(stats) == 2
    h = np.maximum(X @ model[0].weight.data.T + model[0].bias.data, 0)
    z2 = h @ model[3].weight.data.T + model[3].bias.data
    assert stats[1].z_std == pytest.approx(z2.std(), rel=1e-12)


def test_activation_stats_leaves_the_parameters_alone():
    X, _ = _batch(n=20, d=3)
    model = deep_mlp(3, 4, depth=3, rng=0)
    activation_stats(model, X)
    assert all(p.grad is None for p in model.parameters())


def test_activation_stats_refuses_a_shape_changing_module():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Flatten(0), nn.Linear(8, 1, rng=1))
    with pytest.raises(ValueError, match=r"Flatten changed the shape \(2, 4\) to \(8,\)"):
        activation_stats(model, np.ones((2, 3)))


@pytest.mark.parametrize("bad", [0, -0.1, True, "0.05"])
def test_activation_stats_slope_below(bad):
    with pytest.raises(ValueError, match="slope_below must be a positive number"):
        activation_stats(deep_mlp(3, 4, depth=2, rng=0), np.ones((2, 3)), slope_below=bad)


def test_measurements_work_in_float32():
    X, y = _batch()
    model = deep_mlp(5, 4, depth=3, activation="tanh", rng=0)
    for p in model.parameters():
        p.data = p.data.astype(np.float32)
    X32 = X.astype(np.float32)
    assert len(activation_stats(model, X32)) == 2
    assert len(error_signal_norms(model, X32, y.astype(np.float32), F.squared_loss)) == 3
