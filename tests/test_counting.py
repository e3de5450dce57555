"""The parameter-count formulas equal the parameters of real models built to the same specification."""

from __future__ import annotations

import itertools

import pytest

from nnbook import nn
from nnbook.counting import (
    conv_network, conv_output_size, conv_params, count_params, fc_network, fc_params, rnn_network,
    rnn_params,
)


@pytest.mark.parametrize("D, N, L, M, bias", list(itertools.product((4, 7), (5, 8), (1, 2, 4), (1, 3, 16), (True, False))))
def test_fully_connected(D, N, L, M, bias):
    assert count_params(fc_network(D, N, L, M, bias=bias)) == fc_params(D, N, L, M, bias=bias)


@pytest.mark.parametrize("D, N, P, L, C, pool, padding", [
    (D, N, P, L, C, pool, pad)
    for D, N in ((12, 12), (16, 10)) for P in (1, 2, 3) for L in (1, 2) for C in (1, 4)
    for pool in (1, 2) for pad in (0, 1)
])
def test_convolutional(D, N, P, L, C, pool, padding):
    net = conv_network(D, N, P, L, channels=C, pool=pool, padding=padding)
    assert count_params(net) == conv_params(D, N, P, L, channels=C, pool=pool, padding=padding)
    # and the model really takes a D x N image to one output
    import numpy as np
    assert net(np.zeros((2, 1, D, N))).shape == (2, 1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("N, H", [(1, 1), (8, 5), (28, 32)])
def test_recurrent(cell, N, H):
    net = rnn_network(N, H, cell)
    assert count_params(net) == rnn_params(N, H, cell)
    # one bias vector per gate is the two-bias count less one H-vector per gate
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    assert rnn_params(N, H, cell, biases=1) == rnn_params(N, H, cell) - gates * H


def test_without_biases_only_weights_are_left():
    assert fc_params(10, 10, 2, 5, bias=False) == 100 * 5 + 5 * 5 + 5
    assert conv_params(10, 10, 3, 2, bias=False) == 2 * 9 + 6 * 6
    assert count_params(nn.Conv2d(3, 8, 5, bias=False)) == 8 * 3 * 25


def test_conv_output_size_and_errors():
    assert conv_output_size(28, 5, 2) == 20 and conv_output_size(28, 3, 3, pool=2) == 1  # 28 -> 13 -> 5 -> 1
    with pytest.raises(ValueError, match="after layer 2 nothing is left of a side of 3"):
        conv_output_size(8, 3, 3, pool=2)
    with pytest.raises(ValueError, match="padding must be an int >= 0, got -1"):
        conv_output_size(28, 3, 2, padding=-1)
    with pytest.raises(ValueError, match="padding must be an int >= 0, got True"):
        conv_params(28, 28, 3, 2, padding=True)
    with pytest.raises(ValueError, match="rnn_params: cell must be one of"):
        rnn_params(8, 4, "transformer")
    with pytest.raises(ValueError, match="biases must be 0, 1 or 2"):
        rnn_params(8, 4, biases=3)
    with pytest.raises(TypeError, match="fc_params: M must be a positive int"):
        fc_params(8, 8, 2, 4.0)


@pytest.mark.parametrize("side", [28, 40])
def test_counts_equal_pytorch_numel(side):
    """The same specifications built in PyTorch: sum(p.numel() for p in model.parameters())."""
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    def numel(model):
        return sum(p.numel() for p in model.parameters())

    fc = tnn.Sequential(tnn.Flatten(), tnn.Linear(side * side, 100), tnn.ReLU(),
                        tnn.Linear(100, 100), tnn.ReLU(), tnn.Linear(100, 1))
    assert numel(fc) == fc_params(side, side, 2, 100)
    last = conv_output_size(side, 3, 2, pool=2)
    conv = tnn.Sequential(tnn.Conv2d(1, 16, 3), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Conv2d(16, 16, 3), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Flatten(), tnn.Linear(16 * last * last, 1))
    assert tuple(conv(torch.zeros(1, 1, side, side)).shape) == (1, 1)
    assert numel(conv) == conv_params(side, side, 3, 2, channels=16, pool=2)
    head = numel(tnn.Linear(128, 1))
    for cell, layer in (("rnn", tnn.RNN), ("lstm", tnn.LSTM), ("gru", tnn.GRU)):
        assert numel(layer(side, 128, batch_first=True)) + head == rnn_params(side, 128, cell)
