"""The architecture chapters' models: `MLP` and `SmallCNN`.

Shapes, parameter names and counts, argument checks, seeding, gradients against finite
differences, and — where PyTorch is installed — outputs and gradients against the same
layers in ``torch.nn.Sequential`` loaded with the same weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn
from nnbook.models.cnn import SmallCNN
from nnbook.models.mlp import MLP


def count(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


# -- MLP ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[3, 1], [64, 128, 10], [5, 4, 3, 2], [2, 8, 8, 8, 1]])
def test_mlp_layers_names_and_count(sizes):
    model = MLP(sizes, rng=0)
    L = len(sizes) - 1
    assert len(model) == 2 * L - 1
    assert [type(m).__name__ for m in model][::2] == ["Linear"] * L
    expected = []
    for l in range(L):
        expected += [(f"{2 * l}.weight", (sizes[l + 1], sizes[l])), (f"{2 * l}.bias", (sizes[l + 1],))]
    assert [(n, p.shape) for n, p in model.named_parameters()] == expected
    assert sum(p.data.size for p in model.parameters()) == count(sizes)
    assert model(np.zeros((7, sizes[0]))).shape == (7, sizes[-1])
    assert model.sizes == tuple(sizes)


@pytest.mark.parametrize("activation, cls", [("relu", nn.ReLU), ("tanh", nn.Tanh), ("sigmoid", nn.Sigmoid)])
def test_mlp_activation_between_layers_only(activation, cls):
    model = MLP([4, 6, 6, 2], activation=activation, rng=0)
    assert [type(m) for m in model][1::2] == [cls, cls]
    assert isinstance(model[-1], nn.Linear)
    assert model.activation == activation


def test_mlp_matches_deep_forward_and_backward():
    from nnbook.manual import deep_backward, deep_forward

    model = MLP([5, 7, 4, 3], activation="tanh", rng=1)
    x = np.random.default_rng(2).normal(size=(6, 5))
    params = [(model[i].weight.data, model[i].bias.data) for i in (0, 2, 4)]
    f, cache = deep_forward(params, x, activation="tanh")
    out = model(x)
    assert np.allclose(out.data, f)
    g = np.random.default_rng(3).normal(size=f.shape)
    (out * g).sum().backward()
    for (dW, db), i in zip(deep_backward(cache, g), (0, 2, 4)):
        assert np.allclose(model[i].weight.grad, dW)
        assert np.allclose(model[i].bias.grad, db)


def test_mlp_gradcheck():
    model = MLP([3, 4, 2], activation="sigmoid", rng=0)
    x = np.random.default_rng(0).normal(size=(5, 3))
    names = [n for n, _ in model.named_parameters()]

    def loss(*params):
        return F.cross_entropy(nn.functional_call(model, dict(zip(names, params)), x), [0, 1, 1, 0, 1])

    assert nb.gradcheck(loss, *[p.data for p in model.parameters()])


def test_mlp_seeding():
    a, b, c = MLP([4, 5, 2], rng=3), MLP([4, 5, 2], rng=3), MLP([4, 5, 2], rng=4)
    same = [np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters())]
    assert all(same)
    assert not np.array_equal(a[0].weight.data, c[0].weight.data)
    # one generator, drawn layer after layer: the second layer is not a copy of a fresh draw
    assert not np.array_equal(a[2].weight.data, MLP([5, 2], rng=3)[0].weight.data)
    nb.seed(11)
    d = MLP([4, 5, 2])
    nb.seed(11)
    e = MLP([4, 5, 2])
    assert np.array_equal(d[0].weight.data, e[0].weight.data)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(sizes=[4]), ValueError, "at least two widths"),
        (dict(sizes=[]), ValueError, "at least two widths"),
        (dict(sizes=5), TypeError, "sequence of ints"),
        (dict(sizes=[4, 0, 2]), ValueError, "sizes[1]"),
        (dict(sizes=[4, 2.0]), TypeError, "sizes[1]"),
        (dict(sizes=[4, 2], activation="softmax"), ValueError, "activation must be one of"),
    ],
)
def test_mlp_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        MLP(**kwargs)
    assert words in str(info.value) and str(info.value).startswith("MLP:")


def test_mlp_bad_input_names_the_layer():
    with pytest.raises(ValueError, match="Linear\\(in_features=4"):
        MLP([4, 2])(np.zeros((3, 5)))


# -- SmallCNN ----------------------------------------------------------------------------


def test_cnn_default_layers_names_and_count():
    model = SmallCNN(rng=0)
    assert [type(m).__name__ for m in model] == [
        "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert [(n, p.shape) for n, p in model.named_parameters()] == [
        ("0.weight", (8, 1, 3, 3)), ("0.bias", (8,)), ("3.weight", (16, 8, 3, 3)),
        ("3.bias", (16,)), ("7.weight", (10, 64)), ("7.bias", (10,))]
    assert sum(p.data.size for p in model.parameters()) == 1898
    assert model(np.zeros((3, 1, 8, 8))).shape == (3, 10)
    assert model[:3](np.zeros((3, 1, 8, 8))).shape == (3, 8, 4, 4)


@pytest.mark.parametrize(
    "channels, image_size, kernel_size, in_channels, classes",
    [((4,), 8, 3, 1, 10), ((2, 3, 5), 16, 5, 3, 4), ((6, 6), 9, 1, 2, 2)],
)
def test_cnn_other_shapes(channels, image_size, kernel_size, in_channels, classes):
    model = SmallCNN(channels, classes, in_channels, image_size, kernel_size, rng=0)
    side = image_size
    for _ in channels:
        side //= 2
    widths = [in_channels, *channels]
    expected = sum(c_out * (c_in * kernel_size**2 + 1) for c_in, c_out in zip(widths[:-1], widths[1:]))
    expected += (channels[-1] * side * side + 1) * classes
    assert sum(p.data.size for p in model.parameters()) == expected
    assert model(np.zeros((2, in_channels, image_size, image_size))).shape == (2, classes)
    assert model.channels == tuple(channels) and model.image_size == image_size


def test_cnn_gradcheck_by_projections():
    model = SmallCNN((2, 3), classes=3, rng=0)
    x = np.random.default_rng(0).uniform(size=(2, 1, 8, 8))
    names = [n for n, _ in model.named_parameters()]

    def loss(*params):
        return F.cross_entropy(nn.functional_call(model, dict(zip(names, params)), x), [0, 2])

    assert nb.gradcheck(loss, *[p.data for p in model.parameters()], projections=4)


def test_cnn_seeding():
    a, b = SmallCNN(rng=5), SmallCNN(rng=5)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    assert not np.array_equal(a[0].weight.data, SmallCNN(rng=6)[0].weight.data)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(channels=()), ValueError, "at least one"),
        (dict(channels=8), TypeError, "sequence of ints"),
        (dict(channels=(8, 0)), ValueError, "channels[1]"),
        (dict(kernel_size=2), ValueError, "must be odd"),
        (dict(classes=0), ValueError, "classes"),
        (dict(image_size=3), ValueError, "leave nothing"),
        (dict(channels=(2, 2, 2, 2)), ValueError, "4 poolings"),
    ],
)
def test_cnn_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        SmallCNN(**kwargs)
    assert words in str(info.value) and str(info.value).startswith("SmallCNN:")


def test_cnn_bad_input_names_the_layer():
    with pytest.raises(ValueError, match="Conv2d"):
        SmallCNN()(np.zeros((2, 3, 8, 8)))


# -- against PyTorch, where it is installed ------------------------------------------------


def _torch():
    return pytest.importorskip("torch")


def _compare(ours, theirs, x, labels):
    torch = _torch()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    xt = torch.from_numpy(x)
    loss_t = torch.nn.functional.cross_entropy(theirs(xt), torch.from_numpy(labels))
    loss_t.backward()
    loss = F.cross_entropy(ours(x), labels)
    loss.backward()
    assert np.isclose(loss.item(), loss_t.item(), rtol=1e-12, atol=1e-12)
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        assert np.allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mlp_against_torch_sequential():
    torch = _torch()
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4),
                                 torch.nn.Tanh(), torch.nn.Linear(4, 3)).double()
    x = np.random.default_rng(0).normal(size=(8, 6))
    _compare(MLP([6, 5, 4, 3], activation="tanh"), theirs, x, np.arange(8) % 3)


def test_cnn_against_torch_sequential():
    torch = _torch()
    torch.manual_seed(0)
    tn = torch.nn
    theirs = tn.Sequential(tn.Conv2d(1, 8, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                           tn.Conv2d(8, 16, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                           tn.Flatten(), tn.Linear(64, 10)).double()
    x = np.random.default_rng(0).uniform(size=(4, 1, 8, 8))
    _compare(SmallCNN(), theirs, x, np.array([0, 3, 9, 3]))
