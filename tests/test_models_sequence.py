"""The sequence classifier, the recall task and the input-gradient norms of nnbook.models.sequence."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn
from nnbook.models.sequence import SequenceClassifier, input_gradient_norms, recall_task

N, T, D, H, K = 3, 5, 4, 6, 3
X = np.random.default_rng(0).normal(size=(N, T, D))
Y = np.array([0, 2, 1])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_step_by_step_equals_one_call_on_the_whole_sequence(cell):
    model = SequenceClassifier(cell, D, H, K, rng=0)
    _, state = model.recurrent(X)
    last = state[0] if cell == "lstm" else state
    expected = last.data @ model.head.weight.data.T + model.head.bias.data
    assert np.allclose(model(X).data, expected)
    # and the gradients of both computations agree
    F.cross_entropy(model(X), Y).backward()
    stepped = {k: p.grad.copy() for k, p in model.named_parameters()}
    model.zero_grad()
    _, state = model.recurrent(X)
    F.cross_entropy(model.head(state[0] if cell == "lstm" else state), Y).backward()
    for k, p in model.named_parameters():
        assert np.allclose(stepped[k], p.grad), k


@pytest.mark.parametrize("cell, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_layers_parameters_and_the_seed(cell, gates):
    model = SequenceClassifier(cell, D, H, K, rng=0)
    assert isinstance(model.recurrent, {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell])
    assert nb.count_params(model) == gates * (H * D + H * H + 2 * H) + K * H + K
    again = SequenceClassifier(cell, D, H, K, rng=0)
    for (k, a), (_, b) in zip(model.state_dict().items(), again.state_dict().items()):
        assert np.array_equal(a, b), k


def test_the_gradient_check_passes_through_the_whole_model():
    model = SequenceClassifier("gru", D, H, K, rng=1)
    weights = {k: p.data.copy() for k, p in model.named_parameters()}

    def loss(w_hh, x):
        return F.cross_entropy(nn.functional_call(model, {"recurrent.weight_hh": w_hh}, x), Y)

    assert nb.gradcheck(loss, weights["recurrent.weight_hh"], X)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_bias_sets_the_keep_gate_block_only(cell):
    plain = SequenceClassifier(cell, D, H, K, rng=0)
    biased = SequenceClassifier(cell, D, H, K, rng=0, gate_bias=2.0)
    a, b = plain.recurrent.bias_hh.data, biased.recurrent.bias_hh.data
    assert np.all(b[H:2 * H] == 2.0)
    mask = np.ones(a.shape, bool)
    mask[H:2 * H] = False
    assert np.array_equal(a[mask], b[mask])


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="cell must be 'rnn', 'lstm' or 'gru'"):
        SequenceClassifier("transformer", D, H, K)
    with pytest.raises(ValueError, match="gate_bias is for the gated cells"):
        SequenceClassifier("rnn", D, H, K, gate_bias=1.0)
    with pytest.raises(TypeError, match="hidden_size must be a positive int"):
        SequenceClassifier("rnn", D, 2.0, K)
    with pytest.raises(ValueError, match=r"must have shape \(N, T, 4\)"):
        SequenceClassifier("rnn", D, H, K)(np.zeros((T, D)))
    with pytest.raises(ValueError, match=r"\(N, T, 4\)"):
        SequenceClassifier("lstm", D, H, K)(np.zeros((N, T, D + 1)))


def test_recall_task_layout():
    X_, y = recall_task(200, T=7, symbols=3, noise=0.5, rng=0)
    assert X_.shape == (200, 7, 4) and y.shape == (200,) and y.dtype == np.int64
    assert set(y.tolist()) == {0, 1, 2}
    assert np.array_equal(X_[:, 0, :3].argmax(axis=1), y)          # step 1: the label, one-hot
    assert np.all(X_[:, 0, :3].sum(axis=1) == 1) and np.all(X_[:, 0, 3] == 1)
    assert np.all(X_[:, 1:, 3] == 0)                               # the marker only at step 1
    assert abs(X_[:, 1:, :3].std() - 0.5) < 0.05                   # then noise
    again, y_again = recall_task(200, T=7, symbols=3, noise=0.5, rng=0)
    assert np.array_equal(X_, again) and np.array_equal(y, y_again)
    quiet, _ = recall_task(5, T=3, noise=0.0, rng=0)
    assert np.all(quiet[:, 1:] == 0)
    one, _ = recall_task(5, T=1, rng=0)
    assert one.shape == (5, 1, 5)


def test_recall_task_errors():
    with pytest.raises(ValueError, match="symbols must be at least 2"):
        recall_task(10, 5, symbols=1)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        recall_task(10, 5, noise=-1.0)
    with pytest.raises(TypeError, match="T must be a positive int"):
        recall_task(10, 5.0)


def test_input_gradient_norms_are_the_norms_of_the_input_gradient():
    model = SequenceClassifier("lstm", D, H, K, rng=0)
    norms = input_gradient_norms(model, X, Y)
    numeric = nb.numerical_gradient(lambda x: F.cross_entropy(model(x), Y), X)
    assert np.allclose(norms, np.sqrt((numeric ** 2).sum(axis=(0, 2))))
    assert all(p.grad is None and p.requires_grad for p in model.parameters())
    with pytest.raises(ValueError, match=r"X must have shape \(N, T, D\)"):
        input_gradient_norms(model, X[0], Y)
