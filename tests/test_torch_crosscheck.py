"""nnbook against PyTorch, from the same weights, where PyTorch (CPU build) is installed.

Layers and models: the same outputs and gradients after loading PyTorch's state dict
into nnbook, and the reverse. Optimisers: ten steps of every variant on the same
problem end at the same parameters, to 1e-10 in float64. Without torch the module is
skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import init, nn, optim

torch = pytest.importorskip("torch")

X = np.linspace(-1.5, 1.5, 30).reshape(10, 3) ** 3 + np.array([0.0, 0.3, -0.2])
Y = np.sin(np.arange(20.0)).reshape(10, 2)


def torch_mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
        torch.nn.Linear(4, 2), torch.nn.Sigmoid(),
    ).double()


def our_mlp():
    return nn.Sequential(
        nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2), nn.Sigmoid(),
    )


def as_numpy(state):
    return {k: v.detach().numpy() for k, v in state.items()}


def as_torch(state):
    return {k: torch.from_numpy(np.array(v)) for k, v in state.items()}


def test_parameter_names_and_shapes_match():
    theirs, ours = torch_mlp(), our_mlp()
    assert [(n, tuple(p.shape)) for n, p in theirs.named_parameters()] == \
           [(n, p.shape) for n, p in ours.named_parameters()]
    assert list(theirs.state_dict()) == list(ours.state_dict())
    assert repr(theirs) == repr(ours)


def test_nested_modules_and_lists_are_named_alike():
    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(np.ones(3))
            self.body = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
            self.heads = nn.ModuleList([nn.Linear(3, 1), nn.Linear(3, 2, bias=False)])

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU())
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.heads = torch.nn.ModuleList([torch.nn.Linear(3, 1), torch.nn.Linear(3, 2, bias=False)])

    assert [n for n, _ in Ours().named_parameters()] == [n for n, _ in Theirs().named_parameters()]
    assert list(Ours().state_dict()) == list(Theirs().state_dict())


def test_sequential_outputs_and_gradients_match_from_the_same_weights():
    theirs, ours = torch_mlp(), our_mlp()
    ours.load_state_dict(as_numpy(theirs.state_dict()))

    x_t = torch.tensor(X, requires_grad=True)
    loss_t = ((theirs(x_t) - torch.tensor(Y)) ** 2).sum()
    loss_t.backward()
    x = nb.tensor(X, requires_grad=True)
    out = ours(x)
    loss = ((out - Y) ** 2).sum()
    loss.backward()

    np.testing.assert_allclose(out.data, theirs(torch.tensor(X)).detach().numpy(), rtol=1e-13, atol=1e-15)
    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-13)
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-12, atol=1e-15)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)


def test_weights_go_back_to_torch():
    ours = our_mlp()
    theirs = torch_mlp(seed=1)
    theirs.load_state_dict(as_torch(ours.state_dict()))
    expected = ours(X).data
    np.testing.assert_allclose(theirs(torch.tensor(X)).detach().numpy(), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("shape", [(3,), (7, 3), (2, 4, 3)])
def test_linear_on_any_batch_shape(shape):
    theirs = torch.nn.Linear(3, 2).double()
    ours = nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())          # torch's CPU tensors load as they are
    x = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape)
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-13)


def test_linear_initial_range_matches_torchs():
    torch.manual_seed(0)
    theirs = torch.nn.Linear(300, 200)
    ours = nn.Linear(300, 200, rng=0)
    bound = 1 / np.sqrt(300)
    for q, p in [(theirs.weight, ours.weight), (theirs.bias, ours.bias)]:
        assert float(q.detach().abs().max()) <= bound and np.abs(p.data).max() <= bound
        assert abs(float(q.detach().double().std()) / p.data.std() - 1) < 0.1


def test_flatten_and_eval_mode_dropout_match():
    x = np.linspace(-1, 1, 120).reshape(2, 3, 4, 5)
    for args in [(), (0, -1), (1, 2), (-2,)]:
        expected = torch.nn.Flatten(*args)(torch.tensor(x)).numpy()
        np.testing.assert_array_equal(nn.Flatten(*args)(x).data, expected)
    np.testing.assert_array_equal(nn.Dropout(0.3).eval()(x).data,
                                  torch.nn.Dropout(0.3).eval()(torch.tensor(x)).numpy())


def test_calculate_gain_matches():
    for name in ["linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.2), rel=1e-15)


# ---------------------------------------------------------------- optimisers, step for step

SGD_VARIANTS = {
    "plain": dict(lr=0.2),
    "momentum": dict(lr=0.1, momentum=0.9),
    "dampening": dict(lr=0.1, momentum=0.9, dampening=0.4),
    "nesterov": dict(lr=0.1, momentum=0.8, nesterov=True),
    "weight decay": dict(lr=0.1, weight_decay=0.05),
    "momentum and weight decay": dict(lr=0.1, momentum=0.9, weight_decay=0.05),
    "nesterov and weight decay": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
}
ADAM_VARIANTS = {
    "plain": dict(lr=0.05),
    "weight decay": dict(lr=0.05, weight_decay=0.1),
    "amsgrad": dict(lr=0.1, amsgrad=True),
    "amsgrad and weight decay": dict(lr=0.1, amsgrad=True, weight_decay=0.2),
    "other betas and eps": dict(lr=0.05, betas=(0.3, 0.95), eps=1e-3),
}


def run(library, optimizer, settings, steps=10, schedule=None):
    """``steps`` optimiser steps of the same MLP from the same weights; the final state dict."""
    theirs = torch_mlp()
    if library == "torch":
        model, params = theirs, theirs.parameters()
        opt = getattr(torch.optim, optimizer)(params, **settings)
        x, y = torch.tensor(X), torch.tensor(Y)
    else:
        model = our_mlp()
        model.load_state_dict(as_numpy(theirs.state_dict()))
        opt = getattr(optim, optimizer)(model.parameters(), **settings)
        x, y = X, Y
    scheduler = None
    if schedule:
        module = torch.optim.lr_scheduler if library == "torch" else optim
        scheduler = module.StepLR(opt, **schedule)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        if scheduler:
            scheduler.step()
    state = model.state_dict()
    return as_numpy(state) if library == "torch" else state


def assert_same(ours, theirs):
    assert list(ours) == list(theirs)
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=0, atol=1e-10, err_msg=key)


@pytest.mark.parametrize("settings", SGD_VARIANTS.values(), ids=SGD_VARIANTS)
def test_sgd_matches_torch(settings):
    ours, theirs = run("nnbook", "SGD", settings), run("torch", "SGD", settings)
    assert_same(ours, theirs)
    assert not np.allclose(ours["0.weight"], as_numpy(torch_mlp().state_dict())["0.weight"])


@pytest.mark.parametrize("settings", ADAM_VARIANTS.values(), ids=ADAM_VARIANTS)
def test_adam_matches_torch(settings):
    assert_same(run("nnbook", "Adam", settings), run("torch", "Adam", settings))


def test_step_lr_schedule_matches_torch():
    settings, schedule = dict(lr=0.2, momentum=0.9), dict(step_size=3, gamma=0.5)
    assert_same(run("nnbook", "SGD", settings, schedule=schedule),
                run("torch", "SGD", settings, schedule=schedule))


def test_parameters_without_gradients_are_skipped_alike():
    def steps(library):
        if library == "torch":
            used, unused = torch.tensor([1.0, -2.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
        else:
            used, unused = nb.tensor([1.0, -2.0], requires_grad=True), nb.tensor([3.0], requires_grad=True)
        lib = torch.optim if library == "torch" else optim
        opt = lib.Adam([used, unused], lr=0.1, weight_decay=0.1)
        for _ in range(5):
            opt.zero_grad()
            (used * used * used).sum().backward()
            opt.step()
        if library == "torch":
            used, unused = used.detach(), unused.detach()
        return np.array(used.numpy()), float(unused.numpy()[0])

    (ours, ours_unused), (theirs, theirs_unused) = steps("nnbook"), steps("torch")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)  # torch.tensor([...]) is float32
    assert ours_unused == theirs_unused == 3.0


@pytest.mark.parametrize("ours, theirs", [(optim.SGD, "SGD"), (optim.Adam, "Adam")])
def test_arguments_come_in_torchs_order(ours, theirs):
    import inspect

    ours = list(inspect.signature(ours).parameters)
    theirs = list(inspect.signature(getattr(torch.optim, theirs)).parameters)
    assert theirs[: len(ours)] == ours


# -- convolutional layers ---------------------------------------------------------------

def torch_cnn(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, (3, 2), stride=(1, 2)), torch.nn.Tanh(), torch.nn.Flatten(),
        torch.nn.Linear(6 * 2 * 2, 3),
    ).double()


def our_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, (3, 2), stride=(1, 2)), nn.Tanh(), nn.Flatten(), nn.Linear(6 * 2 * 2, 3),
    )


def test_cnn_outputs_and_gradients_match_from_the_same_weights():
    theirs, ours = torch_cnn(), our_cnn()
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    ours.load_state_dict(as_numpy(theirs.state_dict()))
    images = np.random.default_rng(0).normal(size=(5, 1, 8, 8))
    labels = np.array([0, 2, 1, 1, 0])

    x_t = torch.tensor(images, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(theirs(x_t), torch.tensor(labels))
    loss_t.backward()
    x = nb.tensor(images, requires_grad=True)
    loss = nb.functional.cross_entropy(ours(x), labels)
    loss.backward()

    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-13)
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-11, atol=1e-15)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-11, atol=1e-15, err_msg=name)


def test_conv2d_initial_range_matches_torchs():
    bound = 1 / np.sqrt(3 * 5 * 5)
    ours = nn.Conv2d(3, 64, 5, rng=0)
    theirs = torch.nn.Conv2d(3, 64, 5)
    for p, q in [(ours.weight, theirs.weight), (ours.bias, theirs.bias)]:
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.95 * bound
        assert float(q.detach().abs().max()) <= bound


# -- recurrent layers: the same cells, the same state dicts --------------------------------

RECURRENT = {"RNN": (nn.RNN, torch.nn.RNN, torch.nn.RNNCell), "LSTM": (nn.LSTM, torch.nn.LSTM, torch.nn.LSTMCell),
             "GRU": (nn.GRU, torch.nn.GRU, torch.nn.GRUCell)}


@pytest.mark.parametrize("name", RECURRENT)
def test_recurrent_layers_match_torch_from_the_same_weights(name):
    ours_cls, layer_cls, cell_cls = RECURRENT[name]
    torch.manual_seed(0)
    cell = cell_cls(3, 5).double()
    ours = ours_cls(3, 5)
    ours.load_state_dict(as_numpy(cell.state_dict()))  # the cell's names are ours
    theirs = layer_cls(3, 5, batch_first=True).double()
    theirs.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})

    rng = np.random.default_rng(0)
    x, h0, c0 = rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    weights = rng.normal(size=(2, 6, 5))
    x_t = torch.tensor(x, requires_grad=True)
    x_n = nb.tensor(x, requires_grad=True)
    if name == "LSTM":
        out_t, (h_t, c_t) = theirs(x_t, (torch.tensor(h0)[None], torch.tensor(c0)[None]))
        out_n, (h_n, c_n) = ours(x_n, (h0, c0))
        np.testing.assert_allclose(c_n.data, c_t[0].detach().numpy(), rtol=1e-13, atol=1e-15)
    else:
        out_t, h_t = theirs(x_t, torch.tensor(h0)[None])
        out_n, h_n = ours(x_n, h0)
    np.testing.assert_allclose(out_n.data, out_t.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(h_n.data, h_t[0].detach().numpy(), rtol=1e-13, atol=1e-15)
    (out_t * torch.tensor(weights)).sum().backward()
    (out_n * weights).sum().backward()
    np.testing.assert_allclose(x_n.grad, x_t.grad.numpy(), rtol=1e-12, atol=1e-14)
    for key, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, getattr(theirs, key + "_l0").grad.numpy(),
                                   rtol=1e-12, atol=1e-14, err_msg=key)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_sequence_classifier_matches_the_same_model_in_torch(cell):
    from nnbook.models import SequenceClassifier

    ours = SequenceClassifier(cell, input_size=8, hidden_size=6, classes=4, rng=0)
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent, self.head = layer(8, 6, batch_first=True), torch.nn.Linear(6, 4)

        def forward(self, x):
            _, state = self.recurrent(x)
            return self.head((state[0] if isinstance(state, tuple) else state)[0])

    theirs = Theirs().double()
    theirs.load_state_dict({(k + "_l0" if k.startswith("recurrent.") else k): torch.from_numpy(v)
                            for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).normal(size=(5, 8, 8))
    labels = np.array([0, 3, 1, 2, 2])
    loss = nb.functional.cross_entropy(ours(x), labels)
    loss.backward()
    loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(labels))
    loss_t.backward()
    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-12)
    for name, p in ours.named_parameters():
        q = dict(theirs.named_parameters())[name + "_l0" if name.startswith("recurrent.") else name]
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=name)
