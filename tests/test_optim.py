"""optim: every variant of SGD and Adam against torch.optim's rule, written out here.

The references below follow the algorithms of torch.optim.SGD and torch.optim.Adam
step by step, in plain numpy, with the gradient of the test problem derived by hand
(so they share nothing with nnbook but numpy). tests/test_torch_crosscheck.py compares
with PyTorch itself where it is installed.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import nnbook as nb
from nnbook import nn, optim

# A least-squares problem with two parameters: L = ½ mean_n ‖W x_n + b − y_n‖².
X = np.linspace(-1.0, 1.0, 24).reshape(8, 3) ** 3 + np.linspace(0, 0.5, 3)
Y = np.cos(np.arange(16.0)).reshape(8, 2)
W0 = np.array([[0.3, -0.2, 0.5], [-0.4, 0.1, 0.2]])
B0 = np.array([0.05, -0.1])


def loss(W, b, x=X, y=Y):
    r = x @ W.T + b - y
    return 0.5 * (r * r).sum() / len(x)


def grads(W, b):
    """∂L/∂W and ∂L/∂b by hand: with r = XWᵀ + b − Y, (rᵀX / N, Σ_n r_n / N)."""
    r = X @ W.T + b - Y
    return r.T @ X / len(X), r.sum(axis=0) / len(X)


def sgd_reference(steps, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    params, buffers = [W0.copy(), B0.copy()], [None, None]
    for _ in range(steps):
        for i, g in enumerate(grads(*params)):
            theta = params[i]
            if weight_decay:
                g = g + weight_decay * theta
            if momentum:
                buffers[i] = g if buffers[i] is None else momentum * buffers[i] + (1 - dampening) * g
                g = g + momentum * buffers[i] if nesterov else buffers[i]
            params[i] = theta - lr * g
    return params


def adam_reference(steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    beta1, beta2 = betas
    params = [W0.copy(), B0.copy()]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    v_max = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        for i, g in enumerate(grads(*params)):
            if weight_decay:
                g = g + weight_decay * params[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            m_hat = m[i] / (1 - beta1**t)
            v_max[i] = np.maximum(v_max[i], v[i])          # the raw average, as torch keeps it
            v_hat = (v_max[i] if amsgrad else v[i]) / (1 - beta2**t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params


def fit(make_optimizer, steps, dtype=np.float64):
    W = nb.tensor(W0.astype(dtype), requires_grad=True)
    b = nb.tensor(B0.astype(dtype), requires_grad=True)
    opt = make_optimizer([W, b])
    x, y = X.astype(dtype), Y.astype(dtype)
    for _ in range(steps):
        opt.zero_grad()
        r = x @ W.T + b - y
        (0.5 * (r * r).sum() / len(x)).backward()
        opt.step()
    return W, b, opt


SGD_VARIANTS = {
    "plain": dict(lr=0.3),
    "momentum": dict(lr=0.1, momentum=0.9),
    "dampening": dict(lr=0.1, momentum=0.8, dampening=0.3),
    "nesterov": dict(lr=0.1, momentum=0.9, nesterov=True),
    "weight decay": dict(lr=0.2, weight_decay=0.1),
    "momentum and weight decay": dict(lr=0.1, momentum=0.5, weight_decay=0.05),
    "nesterov and weight decay": dict(lr=0.1, momentum=0.7, nesterov=True, weight_decay=0.2),
}
ADAM_VARIANTS = {
    "plain": dict(lr=0.05),
    "weight decay": dict(lr=0.05, weight_decay=0.1),
    "amsgrad": dict(lr=0.2, amsgrad=True),
    "amsgrad and weight decay": dict(lr=0.2, amsgrad=True, weight_decay=0.3),
    "small beta1, large eps": dict(lr=0.1, betas=(0.3, 0.9), eps=1e-2),
    "zero betas": dict(lr=0.1, betas=(0.0, 0.0)),
}


@pytest.mark.parametrize("settings", SGD_VARIANTS.values(), ids=SGD_VARIANTS)
def test_sgd_matches_torchs_rule(settings):
    W, b, _ = fit(lambda p: optim.SGD(p, **settings), steps=12)
    W_ref, b_ref = sgd_reference(12, **settings)
    np.testing.assert_allclose(W.data, W_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.data, b_ref, rtol=1e-12, atol=1e-14)
    assert loss(W.data, b.data) < loss(W0, B0)


@pytest.mark.parametrize("settings", ADAM_VARIANTS.values(), ids=ADAM_VARIANTS)
def test_adam_matches_torchs_rule(settings):
    W, b, _ = fit(lambda p: optim.Adam(p, **settings), steps=12)
    W_ref, b_ref = adam_reference(12, **settings)
    np.testing.assert_allclose(W.data, W_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.data, b_ref, rtol=1e-12, atol=1e-14)
    assert loss(W.data, b.data) < loss(W0, B0)


def test_amsgrad_differs_from_adam_once_the_average_shrinks():
    plain, _, _ = fit(lambda p: optim.Adam(p, lr=0.2), steps=12)
    ams, _, opt = fit(lambda p: optim.Adam(p, lr=0.2, amsgrad=True), steps=12)
    assert not np.allclose(plain.data, ams.data)
    state = opt.state[0]
    assert np.all(state["max_exp_avg_sq"] >= state["exp_avg_sq"])
    assert np.any(state["max_exp_avg_sq"] > state["exp_avg_sq"])


# The same rules on w ↦ w², gradient 2w, from w = 1 with lr = 0.1, worked by hand.
HAND = [
    (dict(), [0.8, 0.64, 0.512]),
    # b₁ = g₁ = 2; b₂ = 0.9·2 + 1.6 = 3.4; b₃ = 0.9·3.4 + 0.92 = 3.98
    (dict(momentum=0.9), [0.8, 0.46, 0.062]),
    # the first buffer is undamped: b₂ = 0.9·2 + 0.5·1.6 = 2.6
    (dict(momentum=0.9, dampening=0.5), [0.8, 0.54]),
    # step g + 0.9 b: 2 + 1.8 = 3.8; then b₂ = 1.8 + 1.24 = 3.04, step 1.24 + 2.736 = 3.976
    (dict(momentum=0.9, nesterov=True), [0.62, 0.2224]),
    # g + 0.5 w: 2.5, then 1.5 + 0.375 = 1.875
    (dict(weight_decay=0.5), [0.75, 0.5625]),
]


@pytest.mark.parametrize("settings, expected", HAND)
def test_sgd_by_hand(settings, expected):
    w = nb.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, **settings)
    for value in expected:
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        assert w.item() == pytest.approx(value, abs=1e-12)


def test_adam_first_step_moves_each_entry_by_lr():
    # m̂₁ = g₁ and v̂₁ = g₁², so with eps = 0 the first step is lr · sign(g₁) exactly.
    w = nb.tensor([1.0, -3.0, 1e-3], requires_grad=True)
    (w * w).sum().backward()
    optim.Adam([w], lr=0.1, eps=0.0).step()
    np.testing.assert_allclose(w.data, [0.9, -2.9, 1e-3 - 0.1], rtol=1e-12)


# ---------------------------------------------------------------- mechanics


def test_a_parameter_without_grad_is_left_alone():
    for opt_class, kwargs in [(optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
                              (optim.Adam, dict(lr=0.1, weight_decay=0.1))]:
        used = nb.tensor([1.0, 2.0], requires_grad=True)
        unused = nb.tensor([3.0], requires_grad=True)
        frozen = nn.Parameter([4.0], requires_grad=False)
        opt = opt_class([used, unused, frozen], **kwargs)
        for _ in range(3):
            opt.zero_grad()
            (used * used).sum().backward()
            opt.step()
        assert unused.data.tolist() == [3.0] and frozen.data.tolist() == [4.0]
        assert opt.state[1] == {} and opt.state[2] == {}
        assert opt.state[0]


def test_step_updates_in_place_and_leaves_grad_alone():
    layer = nn.Linear(3, 2, rng=0)
    arrays = [p.data for p in layer.parameters()]
    opt = optim.SGD(layer.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1)
    layer(np.ones((4, 3))).sum().backward()
    grad = layer.weight.grad.copy()
    opt.step()
    assert all(a is p.data for a, p in zip(arrays, layer.parameters()))
    np.testing.assert_array_equal(layer.weight.grad, grad)
    buffer = opt.state[0]["momentum_buffer"]
    assert buffer is not layer.weight.grad
    layer.weight.grad[...] = 0.0                         # the buffer is a copy
    before = layer.weight.data + 0.1 * buffer            # the step was −lr · buffer
    np.testing.assert_allclose(buffer, grad + 0.1 * before, rtol=1e-14)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    lambda p: optim.Adam(p, lr=0.1, weight_decay=0.1, amsgrad=True),
], ids=["SGD", "Adam"])
def test_float32_stays_float32(make):
    W, b, opt = fit(make, steps=3, dtype=np.float32)
    assert W.dtype == np.float32 and b.dtype == np.float32
    for state in opt.state:
        assert all(v.dtype == np.float32 for v in state.values() if isinstance(v, np.ndarray))
    W64, b64, _ = fit(make, steps=3)
    np.testing.assert_allclose(W.data, W64.data, rtol=1e-4, atol=1e-5)


def test_zero_grad_clears_every_grad():
    W, b, opt = fit(lambda p: optim.SGD(p, lr=0.1), steps=1)
    assert W.grad is not None
    opt.zero_grad()
    assert W.grad is None and b.grad is None


def test_lr_can_change_between_steps():
    w = nb.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()                      # 1 − 0.1·2
    opt.lr = 0.25
    opt.step()                      # the same gradient (not zeroed): 0.8 − 0.25·2
    assert w.item() == pytest.approx(0.3)
    with pytest.raises(ValueError, match="SGD: lr must be a finite number >= 0, got -1.0"):
        opt.lr = -1.0
    assert opt.lr == 0.25


def test_step_lr_follows_torchs_schedule():
    opt = optim.Adam([nb.tensor([0.0], requires_grad=True)], lr=0.1)
    schedule = optim.StepLR(opt, step_size=3, gamma=0.5)
    seen = []
    for _ in range(7):
        seen.append(opt.lr)
        schedule.step()
    assert seen == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    assert schedule.last_epoch == 7


def test_repr_shows_the_settings():
    w = nb.tensor([1.0], requires_grad=True)
    assert repr(optim.SGD([w], lr=0.1, momentum=0.9)) == (
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0)")
    assert repr(optim.Adam([w])) == (
        "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False)")


def test_a_small_network_fits():
    x = np.random.default_rng(0).normal(size=(32, 3))
    y = np.sin(x @ np.array([[1.0], [-1.0], [0.5]]))
    net = nn.Sequential(nn.Linear(3, 16, rng=0), nn.Tanh(), nn.Linear(16, 1, rng=1))
    opt = optim.Adam(net.parameters(), lr=0.02)
    losses = []
    for _ in range(200):
        opt.zero_grad()
        r = net(x) - y
        value = 0.5 * (r * r).sum() / len(x)
        value.backward()
        opt.step()
        losses.append(value.item())
    assert losses[-1] < 0.05 * losses[0]


# ---------------------------------------------------------------- bad input, words pinned

w = nb.tensor([1.0], requires_grad=True)
BAD = [
    (lambda: optim.SGD([w], lr=-0.1), ValueError, "SGD: lr must be a finite number >= 0, got -0.1"),
    (lambda: optim.SGD([w], lr=float("nan")), ValueError, "SGD: lr must be a finite number >= 0, got nan"),
    (lambda: optim.Adam([w], lr=float("inf")), ValueError, "Adam: lr must be a finite number >= 0, got inf"),
    (lambda: optim.SGD([w], lr="0.1"), TypeError, "SGD: lr must be a real number, got '0.1' (str)"),
    (lambda: optim.SGD([w], lr=0.1, momentum=-0.5), ValueError,
     "SGD: momentum must be a finite number >= 0, got -0.5"),
    (lambda: optim.SGD([w], lr=0.1, nesterov=True), ValueError,
     "SGD: nesterov=True needs momentum > 0 and dampening = 0, got momentum=0.0 and dampening=0.0"),
    (lambda: optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "SGD: nesterov=True needs momentum > 0 and dampening = 0, got momentum=0.9 and dampening=0.1"),
    (lambda: optim.SGD([w], lr=0.1, dampening=float("nan")), ValueError,
     "SGD: dampening must be a finite number, got nan"),
    (lambda: optim.SGD([w], lr=0.1, nesterov=1), TypeError, "SGD: nesterov must be True or False, got 1"),
    (lambda: optim.SGD([w], lr=0.1, weight_decay=-1e-4), ValueError,
     "SGD: weight_decay must be a finite number >= 0, got -0.0001"),
    (lambda: optim.Adam([w], betas=(1.0, 0.999)), ValueError, "Adam: betas[0] must be in [0, 1), got 1.0"),
    (lambda: optim.Adam([w], betas=(0.9, -0.1)), ValueError, "Adam: betas[1] must be in [0, 1), got -0.1"),
    (lambda: optim.Adam([w], betas=(0.9, float("nan"))), ValueError, "Adam: betas[1] must be in [0, 1), got nan"),
    (lambda: optim.Adam([w], betas=0.9), ValueError, "Adam: betas must be a pair (beta1, beta2), got 0.9"),
    (lambda: optim.Adam([w], eps=-1e-8), ValueError, "Adam: eps must be a finite number >= 0, got -1e-08"),
    (lambda: optim.Adam([w], weight_decay=-0.1), ValueError,
     "Adam: weight_decay must be a finite number >= 0, got -0.1"),
    (lambda: optim.Adam([w], amsgrad="yes"), TypeError, "Adam: amsgrad must be True or False, got 'yes'"),
    (lambda: optim.SGD([], lr=0.1), ValueError,
     "SGD: got an empty parameter list; pass model.parameters() of a model that has parameters, "
     "or a list of tensors"),
    (lambda: optim.Adam(nn.ReLU().parameters()), ValueError, "Adam: got an empty parameter list"),
    (lambda: optim.SGD([w, np.ones(2)], lr=0.1), TypeError, "SGD: parameter 1 is a ndarray, not a Tensor"),
    (lambda: optim.SGD(w, lr=0.1), TypeError,
     "SGD: params must be an iterable of tensors, such as model.parameters(), got a single Tensor; "
     "put it in a list: SGD([w], ...)"),
    (lambda: optim.SGD(3, lr=0.1), TypeError, "SGD: params must be an iterable of tensors, such as "
                                               "model.parameters(), got int"),
    (lambda: optim.SGD([w * 2], lr=0.1), ValueError,
     "SGD: parameter 0 was computed by an operation, so a step on it would change nothing that is fitted"),
    (lambda: optim.Adam([w, w]), ValueError, "Adam: parameter 1 appears twice in the list; give each once"),
    (lambda: optim.StepLR(object(), 2), TypeError, "StepLR: optimizer must be an Optimizer, got object"),
    (lambda: optim.StepLR(optim.SGD([w], lr=0.1), 0), ValueError,
     "StepLR: step_size must be a positive int, got 0"),
    (lambda: optim.StepLR(optim.SGD([w], lr=0.1), 2, gamma=0.0), ValueError,
     "StepLR: gamma must be greater than 0, got 0.0"),
]


@pytest.mark.parametrize("call, error, message", BAD, ids=[m[:60] for _, _, m in BAD])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_a_grad_of_the_wrong_shape_is_named():
    v = nb.tensor([1.0, 2.0], requires_grad=True)
    v.grad = np.ones(3)
    with pytest.raises(ValueError, match=re.escape(
            "SGD.step: parameter 0 has shape (2,) but its grad has shape (3,)")):
        optim.SGD([v], lr=0.1).step()


def test_the_base_class_needs_an_update():
    with pytest.raises(NotImplementedError, match="Optimizer does not define its update"):
        v = nb.tensor([1.0], requires_grad=True)
        (v * v).sum().backward()
        optim.Optimizer([v], lr=0.1).step()
    assert math.isclose(optim.Optimizer([w], lr=0.5).lr, 0.5)
