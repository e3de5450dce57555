"""nn: the module system, the layers, noise layers and functions, and initialisation.

Every layer is gradient-checked with its parameters as inputs (through
`nn.functional_call`); the module mechanics are pinned to PyTorch's names and orders;
every bad input is checked with the words of its message.
"""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook as nb
from nnbook import init, nn
from nnbook.functional import dropout, gaussian_noise


def mlp(seed=0):
    return nn.Sequential(nn.Linear(3, 4, rng=seed), nn.ReLU(), nn.Linear(4, 2, rng=seed + 1))


class Block(nn.Module):
    """A module with a parameter of its own, a child, and a list of children."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(2, 3, rng=0)
        self.scale = nn.Parameter(np.ones(3))
        self.heads = [nn.Linear(3, 1, rng=1), nn.Linear(3, 1, rng=2)]
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        h = self.dropout(self.encoder(x).tanh() * self.scale)
        return [head(h) for head in self.heads]


# ---------------------------------------------------------------- Parameter


def test_parameter_is_a_leaf_tensor_requiring_grad():
    p = nn.Parameter(np.zeros((2, 3)))
    assert isinstance(p, nb.Tensor) and p.requires_grad and p.is_leaf
    assert not nn.Parameter([1.0], requires_grad=False).requires_grad
    assert nn.Parameter(np.zeros(2, dtype=np.float32)).dtype == np.float32
    assert nn.Parameter([1, 2]).dtype == np.float64


def test_parameter_shares_the_array_it_is_given():
    values = np.zeros(3)
    assert nn.Parameter(values).data is values
    t = nb.tensor([1.0, 2.0])
    assert nn.Parameter(t).data is t.data


def test_operations_on_parameters_give_plain_tensors():
    p = nn.Parameter([1.0, 2.0])
    assert type(p * 2) is nb.Tensor
    assert type(p.detach()) is nb.Tensor


def test_parameter_repr_is_pytorchs():
    assert repr(nn.Parameter([1.0, 2.0])) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"


# ---------------------------------------------------------------- Module mechanics


def test_named_parameters_of_sequential_are_pytorchs():
    net = mlp()
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.shape for p in net.parameters()] == [(4, 3), (4,), (2, 4), (2,)]
    assert net[0].weight is next(iter(net.parameters()))


def test_own_parameters_come_before_the_childrens_and_lists_become_module_lists():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == [
        "scale", "encoder.weight", "encoder.bias",
        "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias",
    ]
    assert isinstance(block.heads, nn.ModuleList) and len(block.heads) == 2
    assert [name for name, _ in block.named_children()] == ["encoder", "heads", "dropout"]
    assert [name for name, _ in block.named_modules()] == [
        "", "encoder", "heads", "heads.0", "heads.1", "dropout",
    ]
    assert list(block.modules())[0] is block
    assert [type(m).__name__ for m in block.children()] == ["Linear", "ModuleList", "Dropout"]


def test_named_parameters_prefix_and_recurse():
    block = Block()
    assert [n for n, _ in block.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in mlp().named_parameters(prefix="net")][:2] == ["net.0.weight", "net.0.bias"]


def test_a_shared_parameter_is_listed_once_but_stored_under_every_name():
    first = nn.Linear(2, 2, rng=0)
    net = nn.Sequential(first, nn.Tanh(), first)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [type(m).__name__ for m in net.modules()] == ["Sequential", "Linear", "Tanh"]


def test_reassigning_attributes_moves_them_between_registries():
    block = Block()
    block.scale = nn.Linear(1, 1)          # a parameter becomes a child
    assert "scale" not in dict(block.named_parameters())
    assert "scale.weight" in dict(block.named_parameters())
    with pytest.raises(TypeError, match="Block: cannot assign a float to sub-module 'scale'"):
        block.scale = 3.0
    del block.scale
    block.scale = 3.0                      # a plain attribute once the child is gone
    assert block.scale == 3.0
    assert not any(n.startswith("scale") for n, _ in block.named_parameters())
    del block.encoder
    assert not hasattr(block, "encoder")


def test_a_parameter_slot_takes_a_parameter_or_none():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"Linear: cannot assign a Tensor to parameter 'weight'; "
                                        r"assign an nn.Parameter \(e.g. nn.Parameter\(values\)\) or None"):
        layer.weight = nb.tensor(np.ones((2, 2)))
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    layer.bias = nn.Parameter(np.zeros(2))
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    net = mlp()
    with pytest.raises(TypeError, match="Sequential: cannot assign a int to sub-module '1'; assign a Module or None"):
        setattr(net, "1", 5)


def test_forgetting_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match=r"Broken: call super\(\).__init__\(\) at the start of "
                                             r"__init__, before assigning parameters or sub-modules"):
        Broken()


def test_missing_attribute_and_missing_forward():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weights'"):
        nn.Linear(2, 2).weights
    with pytest.raises(NotImplementedError, match=r"Module has no forward\(\); define forward"):
        nn.Module()(1.0)
    with pytest.raises(NotImplementedError, match="ModuleList has no forward"):
        nn.ModuleList([nn.ReLU()])(1.0)


def test_zero_grad_sets_every_grad_to_none():
    net = mlp()
    net(np.ones((5, 3))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_reach_every_module():
    block = Block()
    assert all(m.training for m in block.modules())
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())
    block.heads.train(False)
    assert block.training and not block.heads[1].training
    with pytest.raises(TypeError, match="Block.train: mode must be True or False, got 'no'"):
        block.train("no")


def test_eval_turns_dropout_off_inside_a_model():
    x = np.ones((4, 2))
    block = Block().eval()
    first, again = block(x)[0].data, block(x)[0].data
    np.testing.assert_array_equal(first, again)


def test_repr_is_pytorchs():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Flatten(), nn.Sigmoid()))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Flatten(start_dim=1, end_dim=-1)\n"
        "    (1): Sigmoid()\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Linear(2, 3, bias=False)) == "Linear(in_features=2, out_features=3, bias=False)"
    assert repr(nn.GaussianNoise(0.1)) == "GaussianNoise(std=0.1)"


# ---------------------------------------------------------------- Sequential and ModuleList


def test_sequential_indexing_length_iteration_and_append():
    net = mlp()
    assert len(net) == 3 and isinstance(net[1], nn.ReLU) and net[-1] is net[2]
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]
    head = net[1:]
    assert isinstance(head, nn.Sequential) and [n for n, _ in head.named_parameters()] == ["2.weight", "2.bias"]
    net.append(nn.Tanh())
    assert len(net) == 4 and list(dict(net.named_children())) == ["0", "1", "2", "3"]
    with pytest.raises(IndexError, match="Sequential: index 4 is out of range for 4 modules"):
        net[4]
    with pytest.raises(TypeError, match="Sequential indices must be integers or slices, got str"):
        net["0"]


def test_sequential_takes_a_dict_of_named_modules():
    net = nn.Sequential({"hidden": nn.Linear(2, 3), "act": nn.Tanh()})
    assert [n for n, _ in net.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert net.hidden is net[0]


def test_sequential_and_module_list_refuse_non_modules():
    with pytest.raises(TypeError, match="Sequential: argument 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(2, 2), lambda x: x)
    with pytest.raises(TypeError, match="ModuleList.append: the module is a int, not a Module"):
        nn.ModuleList([nn.ReLU(), 3])


def test_sequential_forward_chains_its_modules():
    net = mlp()
    x = np.linspace(-1, 1, 15).reshape(5, 3)
    expected = net[2](net[1](net[0](x)))
    np.testing.assert_array_equal(net(x).data, expected.data)


def test_module_list_slicing_and_extend():
    layers = nn.ModuleList([nn.ReLU(), nn.Tanh()]).extend([nn.Sigmoid()])
    assert len(layers) == 3 and isinstance(layers[-1], nn.Sigmoid)
    assert isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 2


# ---------------------------------------------------------------- state_dict


def test_state_dict_is_keyed_and_shaped_as_pytorch_and_is_a_snapshot():
    net = mlp()
    state = net.state_dict()
    assert {k: v.shape for k, v in state.items()} == {
        "0.weight": (4, 3), "0.bias": (4,), "2.weight": (2, 4), "2.bias": (2,)
    }
    assert all(isinstance(v, np.ndarray) for v in state.values())
    before = state["0.weight"].copy()
    net[0].weight.data += 1.0
    np.testing.assert_array_equal(state["0.weight"], before)


def test_state_dict_round_trip_reproduces_the_model():
    source, target = mlp(seed=0), mlp(seed=10)
    x = np.linspace(-2, 2, 12).reshape(4, 3)
    assert not np.allclose(source(x).data, target(x).data)
    arrays = {k: id(p.data) for k, p in target.named_parameters()}
    assert repr(target.load_state_dict(source.state_dict())) == "<All keys matched successfully>"
    np.testing.assert_array_equal(source(x).data, target(x).data)
    assert {k: id(p.data) for k, p in target.named_parameters()} == arrays  # copied in place


def test_parameters_of_one_model_load_into_another_and_models_deep_copy():
    source, target = mlp(seed=0), mlp(seed=5)
    target.load_state_dict(dict(source.named_parameters()))
    x = np.ones((2, 3))
    np.testing.assert_array_equal(source(x).data, target(x).data)
    twin = copy.deepcopy(source)
    assert twin[0].weight is not source[0].weight and isinstance(twin[0].weight, nn.Parameter)
    np.testing.assert_array_equal(twin(x).data, source(x).data)


def test_loading_keeps_each_parameters_dtype_and_accepts_lists():
    layer = nn.Linear(2, 1, dtype=np.float32)
    layer.load_state_dict({"weight": [[1.0, 2.0]], "bias": np.array([0.5], dtype=np.float64)})
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, [[1.0, 2.0]])


def test_load_state_dict_names_every_missing_unexpected_and_misshapen_key():
    net = mlp()
    state = net.state_dict()
    del state["0.bias"], state["2.bias"]
    state["3.weight"] = np.zeros(2)
    state["2.weight"] = np.zeros((4, 2))
    before = net.state_dict()
    with pytest.raises(ValueError) as err:
        net.load_state_dict(state)
    assert str(err.value) == (
        "Sequential.load_state_dict: the state dict does not fit the module:\n"
        "  missing keys: '0.bias', '2.bias'\n"
        "  unexpected key: '3.weight'\n"
        "  shape mismatch for '2.weight': (4, 2) in the state dict, (2, 4) in the module\n"
        "(strict=False allows missing and unexpected keys, never a shape mismatch)"
    )
    for key, value in net.state_dict().items():  # nothing was copied
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("2.bias"), "missing key: '2.bias'"),
    (lambda s: s.update(extra=np.ones(1)), "unexpected key: 'extra'"),
    (lambda s: s.update({"0.weight": np.ones((3, 4))}),
     "shape mismatch for '0.weight': (3, 4) in the state dict, (4, 3) in the module"),
    (lambda s: s.update({"0.bias": np.array(["a", "b", "c", "d"])}),
     "value for '0.bias' is not numeric (dtype <U1)"),
])
def test_each_strict_error_alone(edit, message):
    net = mlp()
    state = net.state_dict()
    edit(state)
    with pytest.raises(ValueError, match=re.escape(message)):
        net.load_state_dict(state)


def test_non_strict_loading_reports_the_keys_and_still_refuses_wrong_shapes():
    net = mlp()
    state = {"0.weight": np.zeros((4, 3)), "extra": np.ones(1)}
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias", "2.weight", "2.bias"]
    assert result.unexpected_keys == ["extra"]
    assert repr(result) == ("IncompatibleKeys(missing_keys=['0.bias', '2.weight', '2.bias'], "
                            "unexpected_keys=['extra'])")
    np.testing.assert_array_equal(net[0].weight.data, 0.0)
    with pytest.raises(ValueError, match=re.escape("shape mismatch for '0.weight'")):
        net.load_state_dict({"0.weight": np.zeros((3, 4))}, strict=False)
    with pytest.raises(TypeError, match="Sequential.load_state_dict: expected a mapping of names to arrays"):
        net.load_state_dict([("0.weight", np.zeros((4, 3)))])


# ---------------------------------------------------------------- Linear


def test_linear_shapes_and_layout():
    layer = nn.Linear(3, 2, rng=0)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)
    assert layer(np.ones(3)).shape == (2,)
    assert layer(np.ones((5, 4, 3))).shape == (5, 4, 2)
    assert nn.Linear(3, 2, bias=False)(np.ones((4, 3))).shape == (4, 2)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), max_size=3), st.integers(1, 5), st.integers(1, 5))
def test_linear_maps_the_last_axis_for_any_leading_shape(leading, d_in, d_out):
    layer = nn.Linear(d_in, d_out, rng=0)
    x = np.ones((*leading, d_in))
    out = layer(x)
    assert out.shape == (*leading, d_out)
    np.testing.assert_allclose(out.data, np.broadcast_to(layer.weight.data.sum(1) + layer.bias.data, out.shape))


def test_linear_initialisation_is_pytorchs_default():
    layer = nn.Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound
    assert abs(layer.weight.data.var() / (bound**2 / 3) - 1) < 0.02   # U(-b, b) has variance b²/3
    assert abs(layer.weight.data.mean()) < 0.01 * bound


def test_linear_randomness_follows_rng():
    same = [nn.Linear(3, 2, rng=7).weight.data for _ in range(2)]
    np.testing.assert_array_equal(*same)
    assert not np.array_equal(nn.Linear(3, 2, rng=7).weight.data, nn.Linear(3, 2, rng=8).weight.data)
    nb.seed(3)
    a = nn.Linear(3, 2).state_dict()
    nb.seed(3)
    b = nn.Linear(3, 2).state_dict()
    np.testing.assert_array_equal(a["weight"], b["weight"])
    np.testing.assert_array_equal(a["bias"], b["bias"])
    gen = np.random.default_rng(0)
    assert not np.array_equal(nn.Linear(3, 2, rng=gen).weight.data, nn.Linear(3, 2, rng=gen).weight.data)


def test_linear_float32():
    layer = nn.Linear(3, 2, dtype=np.float32)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert layer(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    with pytest.raises(TypeError, match="Linear: dtype must be a floating type, got int64"):
        nn.Linear(3, 2, dtype=np.int64)


def test_linear_wrong_width_names_the_layer_and_both_shapes():
    with pytest.raises(ValueError, match=re.escape(
        "Linear(in_features=3, out_features=2): input of shape (4, 5) does not fit the weight of "
        "shape (2, 3): its last axis must have length in_features=3"
    )):
        nn.Linear(3, 2)(np.ones((4, 5)))
    with pytest.raises(ValueError, match=re.escape("input of shape () does not fit")):
        nn.Linear(3, 2)(1.0)


@pytest.mark.parametrize("args, error, message", [
    ((2.0, 3), TypeError, "Linear: in_features must be a positive int, got 2.0 (float)"),
    ((2, 0), ValueError, "Linear: out_features must be a positive int, got 0"),
    ((True, 3), TypeError, "Linear: in_features must be a positive int, got True (bool)"),
])
def test_linear_sizes_are_positive_ints(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        nn.Linear(*args)


# ---------------------------------------------------------------- gradients of every layer


def test_gradcheck_linear_through_its_parameters_and_input():
    layer = nn.Linear(3, 2, rng=0)
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    assert nb.gradcheck(
        lambda w, b, x: nn.functional_call(layer, {"weight": w, "bias": b}, x),
        layer.weight, layer.bias, x,
    )
    no_bias = nn.Linear(3, 2, bias=False, rng=1)
    assert nb.gradcheck(lambda w, x: nn.functional_call(no_bias, {"weight": w}, x), no_bias.weight, x)


def test_gradcheck_a_sequential_through_every_parameter():
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1), nn.Sigmoid())
    names = [n for n, _ in net.named_parameters()]
    x = np.linspace(-1, 1, 15).reshape(5, 3)

    def fn(*params):
        return nn.functional_call(net, dict(zip(names, params)), x)

    assert nb.gradcheck(fn, *net.parameters())


def test_gradcheck_of_a_layer_model_agrees_with_backward():
    net = mlp()
    x = np.linspace(-1, 1, 15).reshape(5, 3)
    net(x).sum().backward()
    names = [n for n, _ in net.named_parameters()]
    for name, p in net.named_parameters():
        numeric = nb.numerical_gradient(
            lambda v, name=name: nn.functional_call(net, {name: v}, x).sum(), p.data)
        np.testing.assert_allclose(p.grad, numeric, atol=1e-6)
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]


@pytest.mark.parametrize("layer", [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.Flatten(), nn.Flatten(0, 1)],
                         ids=repr)
def test_gradcheck_activation_and_shape_layers(layer):
    x = np.array([[[-1.5, 0.3], [0.7, -0.2]], [[2.0, -0.9], [0.4, 1.1]]])  # no entry at ReLU's kink
    assert nb.gradcheck(layer, x)


def test_gradcheck_noise_layers_with_a_fixed_draw():
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    assert nb.gradcheck(lambda x: nn.Dropout(0.3, rng=0)(x), x)
    assert nb.gradcheck(lambda x: nn.GaussianNoise(0.5, rng=0)(x), x)
    assert nb.gradcheck(lambda x: dropout(x, 0.6, rng=1), x)


def test_functional_call_restores_the_parameters_even_on_error():
    layer = nn.Linear(2, 2, rng=0)
    weight = layer.weight
    out = nn.functional_call(layer, {"weight": np.zeros((2, 2))}, np.ones((1, 2)))
    np.testing.assert_array_equal(out.data, layer.bias.data[None])
    assert layer.weight is weight
    with pytest.raises(ValueError):
        nn.functional_call(layer, {"weight": np.zeros((2, 2))}, np.ones((1, 3)))
    assert layer.weight is weight
    with pytest.raises(ValueError, match=re.escape(
        "functional_call: '0.weights' is not a parameter of this Sequential; its parameters are "
        "['0.weight', '0.bias', '2.weight', '2.bias']"
    )):
        nn.functional_call(mlp(), {"0.weights": np.zeros((4, 3))}, np.ones((1, 3)))


# ---------------------------------------------------------------- activations and Flatten


def test_activation_layers_compute_their_functions():
    z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(nn.Sigmoid()(z).data, 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(nn.Tanh()(z).data, np.tanh(z))
    np.testing.assert_allclose(nn.ReLU()(z).data, np.maximum(z, 0))


def test_flatten_shapes():
    x = np.arange(120.0).reshape(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, -1)(x).shape == (120,)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    np.testing.assert_array_equal(nn.Flatten()(x).data, x.reshape(2, 60))


def test_flatten_errors():
    with pytest.raises(ValueError, match=re.escape(
            "Flatten(start_dim=1, end_dim=-1): an input of shape (3,) has no axis 1")):
        nn.Flatten()(np.ones(3))
    with pytest.raises(ValueError, match=re.escape(
            "Flatten(start_dim=2, end_dim=1): start_dim comes after end_dim for an input of shape (2, 3, 4)")):
        nn.Flatten(2, 1)(np.ones((2, 3, 4)))
    with pytest.raises(TypeError, match=re.escape("Flatten: start_dim must be an int, got 1.0 (float)")):
        nn.Flatten(1.0)


# ---------------------------------------------------------------- dropout and input noise


def test_dropout_keeps_the_mean_and_drops_a_fraction_p():
    x = np.full((200, 500), 3.0)
    for p in (0.1, 0.5, 0.8):
        y = dropout(x, p, rng=0).data
        assert abs((y == 0).mean() - p) < 0.01
        assert abs(y.mean() / 3.0 - 1) < 0.02
        np.testing.assert_allclose(np.unique(y), [0.0, 3.0 / (1 - p)])


def test_dropout_gradient_is_the_mask():
    x = nb.tensor(np.linspace(1, 2, 50), requires_grad=True)
    y = dropout(x, 0.4, rng=3)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data / x.data)


def test_dropout_identity_cases():
    x = nb.tensor([1.0, 2.0], requires_grad=True)
    assert dropout(x, 0.5, training=False) is x
    assert dropout(x, 0.0) is x
    assert isinstance(dropout([1.0, 2.0], 0.5, training=False), nb.Tensor)
    layer = nn.Dropout(0.9).eval()
    assert layer(x) is x


def test_dropout_randomness():
    x = np.ones(100)
    np.testing.assert_array_equal(dropout(x, 0.5, rng=1).data, dropout(x, 0.5, rng=1).data)
    layer = nn.Dropout(0.5, rng=1)
    first, second = layer(x).data, layer(x).data
    assert not np.array_equal(first, second)                  # a fresh mask per call
    np.testing.assert_array_equal(first, nn.Dropout(0.5, rng=1)(x).data)
    nb.seed(5)
    a = nn.Dropout(0.5)(x).data
    nb.seed(5)
    np.testing.assert_array_equal(a, dropout(x, 0.5).data)


def test_noise_keeps_float32():
    x = nb.tensor(np.ones((3, 4), dtype=np.float32))
    assert dropout(x, 0.5, rng=0).dtype == np.float32
    assert gaussian_noise(x, 0.5, rng=0).dtype == np.float32
    assert nn.Dropout(0.5)(x).dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: dropout(np.ones(2), 1.0), ValueError,
     "dropout: p is the probability of dropping each entry and must be in [0, 1), got 1.0"),
    (lambda: dropout(np.ones(2), -0.1), ValueError, "dropout: p is the probability"),
    (lambda: dropout(np.ones(2), float("nan")), ValueError, "must be in [0, 1), got nan"),
    (lambda: dropout(np.ones(2), True), TypeError, "dropout: p must be a real number, got True (bool)"),
    (lambda: dropout(np.ones(2), 2.0, training=False), ValueError, "got 2.0"),
    (lambda: nn.Dropout(1.5), ValueError,
     "Dropout: p is the probability of dropping each entry and must be in [0, 1), got 1.5"),
    (lambda: nn.Dropout("0.5"), TypeError, "Dropout: p must be a real number, got '0.5' (str)"),
    (lambda: gaussian_noise(np.ones(2), -1.0), ValueError,
     "gaussian_noise: std is a standard deviation and must be finite and >= 0, got -1.0"),
    (lambda: nn.GaussianNoise(float("inf")), ValueError,
     "GaussianNoise: std is a standard deviation and must be finite and >= 0, got inf"),
    (lambda: nn.Dropout(0.5, rng="seed"), TypeError, "rng must be None, an int seed or a numpy Generator"),
])
def test_noise_bad_arguments(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_gaussian_noise_statistics_and_eval_identity():
    x = np.zeros((400, 300))
    y = nn.GaussianNoise(0.3, rng=0)(x).data
    assert abs(y.mean()) < 0.003 and abs(y.std() / 0.3 - 1) < 0.01
    t = nb.tensor(x)
    assert nn.GaussianNoise(0.3).eval()(t) is t
    assert gaussian_noise(t, 0.0) is t
    g = nb.tensor(np.ones(5), requires_grad=True)
    gaussian_noise(g, 1.0, rng=0).sum().backward()
    np.testing.assert_array_equal(g.grad, np.ones(5))


# ---------------------------------------------------------------- init


def test_calculate_gain_is_pytorchs():
    assert init.calculate_gain("linear") == init.calculate_gain("conv2d") == init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))
    assert init.calculate_gain("leaky_relu", 0) == math.sqrt(2)
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="calculate_gain: unknown nonlinearity 'swish'; use one of linear"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="calculate_gain: the negative slope must be a number, got True"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("scheme, variance", [
    (lambda w: init.xavier_uniform_(w, rng=0), 2 / (300 + 200)),
    (lambda w: init.xavier_normal_(w, rng=0), 2 / (300 + 200)),
    (lambda w: init.xavier_uniform_(w, gain=5 / 3, rng=0), (5 / 3) ** 2 * 2 / (300 + 200)),
    (lambda w: init.kaiming_uniform_(w, nonlinearity="relu", rng=0), 2 / 300),
    (lambda w: init.kaiming_normal_(w, nonlinearity="relu", rng=0), 2 / 300),
    (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", rng=0), 2 / 200),
    (lambda w: init.kaiming_uniform_(w, a=math.sqrt(5), rng=0), 1 / (3 * 300)),
    (lambda w: init.normal_(w, 0.0, 0.1, rng=0), 0.01),
    (lambda w: init.uniform_(w, -1.0, 1.0, rng=0), 1 / 3),
])
def test_initial_variances(scheme, variance):
    w = nn.Parameter(np.zeros((200, 300)))
    array = w.data
    assert scheme(w) is w and w.data is array        # in place
    assert abs(w.data.var() / variance - 1) < 0.02
    assert abs(w.data.mean()) < 0.01 * math.sqrt(variance)


def test_uniform_schemes_respect_their_bounds():
    w = nn.Parameter(np.zeros((50, 80)))
    init.xavier_uniform_(w, rng=0)
    bound = math.sqrt(6 / (50 + 80))
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.98 * bound
    init.kaiming_uniform_(w, nonlinearity="relu", rng=0)
    bound = math.sqrt(2) * math.sqrt(3 / 80)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.98 * bound


def test_init_fans_of_a_convolution_weight():
    w = nn.Parameter(np.zeros((16, 8, 3, 3)))          # fan_in = 8·9, fan_out = 16·9
    init.kaiming_normal_(w, nonlinearity="relu", rng=0)
    assert abs(w.data.var() / (2 / 72) - 1) < 0.05
    init.xavier_normal_(w, rng=0)
    assert abs(w.data.var() / (2 / (72 + 144)) - 1) < 0.05


def test_init_keeps_dtype_reproduces_and_fills_arrays():
    w = nn.Parameter(np.zeros((4, 5), dtype=np.float32))
    init.kaiming_uniform_(w, rng=0)
    assert w.dtype == np.float32
    a = init.xavier_normal_(np.zeros((4, 5)), rng=1)
    b = init.xavier_normal_(np.zeros((4, 5)), rng=1)
    np.testing.assert_array_equal(a, b)
    assert isinstance(a, np.ndarray)
    np.testing.assert_array_equal(init.zeros_(nn.Parameter(np.ones(3))).data, 0.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: init.xavier_uniform_(nn.Parameter(np.zeros(3))), ValueError,
     "xavier_uniform_: fan in and fan out are defined for a weight of at least 2 axes "
     "(out_features, in_features, ...), got shape (3,)"),
    (lambda: init.kaiming_normal_(nn.Parameter(np.zeros((2, 2))), mode="fan"), ValueError,
     "kaiming_normal_: mode must be 'fan_in' or 'fan_out', got 'fan'"),
    (lambda: init.kaiming_uniform_(nn.Parameter(np.zeros((2, 2))), nonlinearity="gelu"), ValueError,
     "calculate_gain: unknown nonlinearity 'gelu'"),
    (lambda: init.normal_([1.0, 2.0]), TypeError,
     "normal_: expected a Tensor (such as a layer's weight) or a float ndarray, got list"),
    (lambda: init.zeros_(np.zeros(2, dtype=int)), TypeError, "zeros_: expected a Tensor"),
])
def test_init_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# -- convolutional layers ------------------------------------------------------------------

def test_gradcheck_conv2d_and_pooling_through_their_parameters_and_input():
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, rng=0), nn.Tanh(), nn.MaxPool2d(2),
                        nn.Conv2d(3, 2, (2, 1), stride=(1, 2), rng=1))
    names = [name for name, _ in net.named_parameters()]
    x = np.random.default_rng(2).normal(size=(2, 2, 6, 6))
    assert nb.gradcheck(lambda x, *params: nn.functional_call(net, dict(zip(names, params)), x),
                        x, *net.parameters())


def test_conv2d_layout_repr_and_init():
    conv = nn.Conv2d(3, 8, (5, 3), stride=2, padding=(2, 1), bias=False, rng=0)
    assert [(k, v.shape) for k, v in conv.state_dict().items()] == [("weight", (8, 3, 5, 3))]
    assert repr(conv) == "Conv2d(3, 8, kernel_size=(5, 3), stride=(2, 2), padding=(2, 1), bias=False)"
    assert conv(np.zeros((4, 3, 10, 9))).shape == (4, 8, 5, 5)
    assert np.abs(conv.weight.data).max() <= 1 / np.sqrt(3 * 5 * 3)
    again = nn.Conv2d(3, 8, (5, 3), bias=False, rng=0)
    np.testing.assert_array_equal(conv.weight.data, again.weight.data)


@pytest.mark.parametrize("call, error, words", [
    (lambda: nn.Conv2d(1, 4, 3)(np.zeros((2, 3, 8, 8))), ValueError,
     r"Conv2d\(1, 4, .*\): the input of shape \(2, 3, 8, 8\) has 3 channels, the layer takes 1"),
    (lambda: nn.Conv2d(1, 4, 3)(np.zeros((3, 8, 8))), ValueError, r"is not \(N, C, H, W\)"),
    (lambda: nn.Conv2d(1, 4, 5)(np.zeros((1, 1, 3, 3))), ValueError,
     r"conv2d: the kernel \(5, 5\) is larger than the padded input \(3, 3\)"),
    (lambda: nn.Conv2d(1, 4, 0), ValueError, "Conv2d: kernel_size must be a positive int"),
    (lambda: nn.Conv2d(1, 4, 3, padding=-1), ValueError, "Conv2d: padding must be an int >= 0"),
    (lambda: nn.Conv2d(1.0, 4, 3), TypeError, "Conv2d: in_channels must be a positive int"),
    (lambda: nn.MaxPool2d((2, 2, 2)), ValueError, "MaxPool2d: kernel_size must be an int or a pair"),
    (lambda: nn.MaxPool2d(4)(np.zeros((1, 1, 3, 3))), ValueError, r"max_pool2d: the window \(4, 4\)"),
])
def test_convolutional_layers_name_the_mistake(call, error, words):
    with pytest.raises(error, match=words):
        call()
