"""The recurrent layers: shapes, PyTorch's parameter layout, gradients through time, errors.

Their values and every gradient are compared with PyTorch's layers in
tests/test_torch_crosscheck.py when PyTorch is installed; here they are checked against
finite differences and against a step-by-step numpy transcription of the gate equations.
"""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import nn
from nnbook.numerics import sigmoid

N, T, D, H = 2, 4, 3, 5
X = np.random.default_rng(0).normal(size=(N, T, D))


def _numpy_steps(layer, x, h, c=None):
    """The gate equations of the layer's docstring, one step at a time, in plain numpy."""
    p = {k: v for k, v in layer.state_dict().items()}
    outputs = []
    for t in range(x.shape[1]):
        a = x[:, t] @ p["weight_ih"].T + p["bias_ih"]
        b = h @ p["weight_hh"].T + p["bias_hh"]
        if isinstance(layer, nn.LSTM):
            i, f, g, o = np.split(a + b, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        elif isinstance(layer, nn.GRU):
            (ar, az, an), (br, bz, bn) = np.split(a, 3, axis=1), np.split(b, 3, axis=1)
            r, z = sigmoid(ar + br), sigmoid(az + bz)
            h = (1 - z) * np.tanh(an + r * bn) + z * h
        else:
            h = np.tanh(a + b) if layer.nonlinearity == "tanh" else np.maximum(a + b, 0)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


@pytest.mark.parametrize("make, gates", [
    (lambda: nn.RNN(D, H, rng=0), 1), (lambda: nn.RNN(D, H, "relu", rng=0), 1),
    (lambda: nn.LSTM(D, H, rng=0), 4), (lambda: nn.GRU(D, H, rng=0), 3),
])
def test_layout_and_the_gate_equations(make, gates):
    layer = make()
    assert [(k, v.shape) for k, v in layer.state_dict().items()] == [
        ("weight_ih", (gates * H, D)), ("weight_hh", (gates * H, H)),
        ("bias_ih", (gates * H,)), ("bias_hh", (gates * H,))]
    assert all(np.abs(p.data).max() <= 1 / np.sqrt(H) for p in layer.parameters())
    rng = np.random.default_rng(1)
    h0, c0 = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    if isinstance(layer, nn.LSTM):
        output, (h, c) = layer(X, (h0, c0))
        want_out, want_h, want_c = _numpy_steps(layer, X, h0, c0)
        np.testing.assert_allclose(c.data, want_c, rtol=1e-13, atol=1e-15)
    else:
        output, h = layer(X, h0)
        want_out, want_h, _ = _numpy_steps(layer, X, h0)
    assert output.shape == (N, T, H) and h.shape == (N, H)
    np.testing.assert_allclose(output.data, want_out, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(h.data, want_h, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(output.data[:, -1], h.data)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_backpropagation_through_time_matches_finite_differences(cls):
    layer = cls(D, H, rng=2)
    names = [name for name, _ in layer.named_parameters()]

    def run(x, *params):
        output, _ = nn.functional_call(layer, dict(zip(names, params)), x)
        return output

    assert nb.gradcheck(run, X, *layer.parameters())


def _unrolled(layer, x, h, c=None):
    """The layer as the engine's graph of cells, one `lstm_cell`/`gru_cell` node a step."""
    from nnbook import functional as F
    H, outputs = layer.hidden_size, []
    for t in range(x.shape[1]):
        a = F.linear(x[:, t], layer.weight_ih, layer.bias_ih)
        b = F.linear(h, layer.weight_hh, layer.bias_hh)
        if isinstance(layer, nn.LSTM):
            hc = F.lstm_cell(a + b, c)
            h, c = hc[:, :H], hc[:, H:]
        else:
            h = F.gru_cell(a, b, h)
        outputs.append(h)
    return F.stack(outputs, axis=1), h, c


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
@pytest.mark.parametrize("bias", [True, False])
def test_the_fused_sequence_is_its_cells_chained(cls, bias):
    """One node for the whole sequence: the same values and every gradient as the unrolled cells."""
    layer = cls(D, H, bias=bias, rng=3)
    rng = np.random.default_rng(4)
    weights = rng.normal(size=(N, T, H))  # a loss that reads every step, and the last state
    h0_data, c0_data = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    results = []
    for run in ("fused", "unrolled"):
        layer.zero_grad()
        x, h0 = nb.tensor(X, requires_grad=True), nb.tensor(h0_data, requires_grad=True)
        c0 = nb.tensor(c0_data, requires_grad=True) if cls is nn.LSTM else None
        if run == "fused":
            output, state = layer(x, (h0, c0) if c0 is not None else h0)
            c = state[1] if c0 is not None else None
        else:
            output, _, c = _unrolled(layer, x, h0, c0)
        loss = (output * weights).sum() + (0 if c is None else (c * c).sum())
        loss.backward()
        grads = [x.grad, h0.grad] + ([c0.grad] if c0 is not None else [])
        results.append((output.data, grads + [p.grad for p in layer.parameters()]))
    (out_f, grads_f), (out_u, grads_u) = results
    np.testing.assert_allclose(out_f, out_u, rtol=1e-13, atol=1e-15)
    assert len(grads_f) == len(grads_u) == 2 + (cls is nn.LSTM) + (4 if bias else 2)
    for gf, gu in zip(grads_f, grads_u):
        np.testing.assert_allclose(gf, gu, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_float32_layers_stay_float32(cls):
    layer = cls(D, H, rng=0)
    for p in layer.parameters():
        p.data = p.data.astype(np.float32)
    output, _ = layer(X.astype(np.float32))
    output.sum().backward()
    assert output.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in layer.parameters())


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_a_long_sequence_needs_no_recursion(cls):
    layer = cls(2, 3, rng=0)
    x = nb.tensor(np.random.default_rng(0).normal(size=(1, 2000, 2)), requires_grad=True)
    output, _ = layer(x)
    output[:, -1].sum().backward()
    assert x.grad.shape == (1, 2000, 2) and np.all(np.isfinite(x.grad))


def test_no_bias_and_repr():
    gru = nn.GRU(3, 4, bias=False, rng=0)
    assert [k for k in gru.state_dict()] == ["weight_ih", "weight_hh"]
    assert repr(gru) == "GRU(3, 4, bias=False)" and repr(nn.RNN(3, 4, "relu")) == "RNN(3, 4, nonlinearity='relu')"
    assert gru(X)[0].shape == (N, T, 4)


@pytest.mark.parametrize("call, error, words", [
    (lambda: nn.LSTM(D, H)(np.zeros((N, T, D + 1))), ValueError,
     r"LSTM\(3, 5\): the input must have shape \(N, T, 3\) .* got \(2, 4, 4\)"),
    (lambda: nn.GRU(D, H)(np.zeros((T, D))), ValueError, r"GRU\(3, 5\): the input must have shape"),
    (lambda: nn.RNN(D, H)(X, np.zeros((N, H + 1))), ValueError,
     r"RNN\(3, 5\): the initial state h0 must have shape \(2, 5\) .* got \(2, 6\)"),
    (lambda: nn.LSTM(D, H)(X, np.zeros((N, H))), ValueError, r"the initial state must be a pair \(h0, c0\)"),
    (lambda: nn.LSTM(D, H)(X, (np.zeros((N, H)), np.zeros((1, H)))), ValueError,
     r"the initial state c0 must have shape \(2, 5\)"),
    (lambda: nn.RNN(D, H, nonlinearity="sigmoid"), ValueError, "RNN: nonlinearity must be 'tanh' or 'relu'"),
    (lambda: nn.GRU(0, H), ValueError, "GRU: input_size must be a positive int"),
    (lambda: nn.LSTM(D, 2.0), TypeError, "LSTM: hidden_size must be a positive int"),
])
def test_mistakes_name_the_layer_and_both_shapes(call, error, words):
    with pytest.raises(error, match=words):
        call()
