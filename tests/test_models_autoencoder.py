"""The autoencoder of the chapter *Autoencoders*: structure, noise, errors, gradients, PCA."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nnbook as nb
from nnbook import functional as F, nn, optim
from nnbook.models.autoencoder import Autoencoder
from nnbook.train import fit


def squared_loss(f, x):
    return F.squared_loss(f, x, reduction="mean")


def expected_params(sizes):
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 2 * weights + sum(sizes[1:]) + sum(sizes[:-1])


# -- structure -----------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[64, 2], [64, 64, 2], [10, 7, 5, 3], [3, 5]])
def test_shapes_of_code_and_reconstruction(sizes):
    model = Autoencoder(sizes, rng=0)
    x = np.random.default_rng(1).uniform(size=(6, sizes[0]))
    assert model.encode(x).shape == (6, sizes[-1])
    assert model.decode(model.encode(x)).shape == (6, sizes[0])
    assert model(x).shape == (6, sizes[0])
    assert model.sizes == tuple(sizes)


@pytest.mark.parametrize("sizes", [[64, 2], [64, 64, 2], [10, 7, 5, 3], [64, 64, 32]])
def test_parameter_count(sizes):
    model = Autoencoder(sizes, rng=0)
    assert nb.count_params(model) == expected_params(sizes)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert nb.count_params(model.encoder) == weights + sum(sizes[1:])
    assert nb.count_params(model.decoder) == weights + sum(sizes[:-1])


def test_state_dict_keys_are_pytorch_keys():
    model = Autoencoder([64, 32, 2], rng=0)
    assert list(model.state_dict()) == [
        "encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
        "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias",
    ]
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    assert shapes["encoder.0.weight"] == (32, 64)
    assert shapes["encoder.2.weight"] == (2, 32)
    assert shapes["decoder.0.weight"] == (32, 2)
    assert shapes["decoder.2.weight"] == (64, 32)


def test_decoder_mirrors_encoder_and_activations():
    model = Autoencoder([8, 6, 4, 2], activation="tanh", rng=0)
    enc = [type(m).__name__ for m in model.encoder]
    dec = [type(m).__name__ for m in model.decoder]
    assert enc == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert dec == ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Sigmoid"]
    widths = [m.weight.shape[::-1] for m in model.decoder if isinstance(m, nn.Linear)]
    assert widths == [(2, 4), (4, 6), (6, 8)]


def test_outputs():
    x = np.random.default_rng(0).normal(size=(50, 5)) * 10
    sig = Autoencoder([5, 2], rng=0)
    out = sig(x).data
    assert np.all((out > 0) & (out < 1))
    lin = Autoencoder([5, 2], output="linear", rng=0)
    assert [type(m).__name__ for m in lin.decoder] == ["Linear"]
    W1, b1 = lin.encoder[0].weight.data, lin.encoder[0].bias.data
    W2, b2 = lin.decoder[0].weight.data, lin.decoder[0].bias.data
    np.testing.assert_allclose(lin(x).data, (x @ W1.T + b1) @ W2.T + b2)


def test_same_seed_same_weights():
    a, b = Autoencoder([10, 4, 2], rng=3), Autoencoder([10, 4, 2], rng=3)
    c = Autoencoder([10, 4, 2], rng=4)
    for (ka, va), (kb, vb), (_, vc) in zip(a.state_dict().items(), b.state_dict().items(),
                                           c.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)
        assert not np.array_equal(va, vc)


def test_default_generator_follows_nb_seed():
    nb.seed(5)
    a = Autoencoder([6, 2])
    nb.seed(5)
    b = Autoencoder([6, 2])
    np.testing.assert_array_equal(a.encoder[0].weight.data, b.encoder[0].weight.data)


# -- noise ---------------------------------------------------------------------------


def test_no_noise_layer_by_default():
    model = Autoencoder([6, 2], rng=0)
    assert model.noise is None
    x = np.ones((3, 6))
    np.testing.assert_array_equal(model(x).data, model(x).data)
    assert "noise" not in repr(model)


def test_noise_only_in_training_mode():
    model = Autoencoder([6, 3, 2], noise=0.5, rng=0)
    assert isinstance(model.noise, nn.GaussianNoise) and model.noise.std == 0.5
    x = np.random.default_rng(0).uniform(size=(4, 6))
    clean = model.decode(model.encode(x)).data
    assert not np.allclose(model(x).data, model(x).data)
    assert not np.allclose(model(x).data, clean)
    model.eval()
    np.testing.assert_allclose(model(x).data, clean)
    model.train()
    np.testing.assert_allclose(model.encode(x).data, model.encoder(x).data)
    assert "(noise): GaussianNoise(std=0.5)" in repr(model)


def test_noise_is_reproducible_with_a_seed():
    x = np.zeros((4, 6))
    a, b = Autoencoder([6, 2], noise=0.3, rng=7), Autoencoder([6, 2], noise=0.3, rng=7)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_noise_does_not_change_the_initial_weights():
    plain, noisy = Autoencoder([6, 4, 2], rng=1), Autoencoder([6, 4, 2], noise=0.2, rng=1)
    for (k, v), (k2, v2) in zip(plain.state_dict().items(), noisy.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(v, v2)


def test_noise_has_the_stated_size():
    model = Autoencoder([4, 4], output="linear", noise=0.25, rng=0)
    seen = model.noise(np.zeros((20000, 4))).data
    assert abs(seen.std() - 0.25) < 0.005


# -- bad arguments -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(sizes=[64]), ValueError, "at least two widths"),
        (dict(sizes=[]), ValueError, "at least two widths"),
        (dict(sizes=64), TypeError, "sequence of ints"),
        (dict(sizes=[64, 2.0]), TypeError, "sizes[1] must be a positive int"),
        (dict(sizes=[64, 0]), ValueError, "sizes[1] must be a positive int"),
        (dict(sizes=[True, 2]), TypeError, "sizes[0]"),
        (dict(sizes=[4, 2], activation="gelu"), ValueError, "activation must be one of"),
        (dict(sizes=[4, 2], output="softmax"), ValueError, "output must be one of"),
        (dict(sizes=[4, 2], noise=-0.1), ValueError, "noise is a standard deviation"),
        (dict(sizes=[4, 2], noise=math.nan), ValueError, "noise is a standard deviation"),
        (dict(sizes=[4, 2], noise=math.inf), ValueError, "noise is a standard deviation"),
        (dict(sizes=[4, 2], noise=True), TypeError, "noise must be a real number"),
        (dict(sizes=[4, 2], noise="0.1"), TypeError, "noise must be a real number"),
    ],
)
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        Autoencoder(**kwargs)
    assert str(info.value).startswith("Autoencoder")
    assert words in str(info.value)


def test_wrong_input_width_is_named():
    with pytest.raises(ValueError):
        Autoencoder([6, 2], rng=0)(np.zeros((3, 5)))


# -- gradients -----------------------------------------------------------------------


def test_gradients_match_finite_differences():
    model = Autoencoder([5, 4, 2], activation="tanh", rng=0)
    x = np.random.default_rng(2).uniform(size=(3, 5))
    assert nb.gradcheck(lambda t: squared_loss(model(t), x), x)
    names = [name for name, _ in model.named_parameters()]
    values = [p.data.copy() for p in model.parameters()]

    def loss_of(*params):
        out = nn.functional_call(model, dict(zip(names, params)), x)
        return squared_loss(out, x)

    assert nb.gradcheck(loss_of, *values)


def test_noise_is_a_constant_of_the_graph():
    model = Autoencoder([4, 2], output="linear", noise=0.3, rng=0)
    W1, W2 = model.encoder[0].weight.data, model.decoder[0].weight.data
    data = np.random.default_rng(0).uniform(size=(2, 4))
    for mode in (True, False):
        model.train(mode)
        x = nb.tensor(data, requires_grad=True)
        out = model(x)
        squared_loss(out, data).backward()
        # f = A(x + eps) + b: d loss / d x = (f - x)^T A / (N D), whatever eps was drawn.
        np.testing.assert_allclose(x.grad, ((out.data - data) / data.size) @ (W2 @ W1))


# -- what the chapter relies on ------------------------------------------------------


def test_linear_autoencoder_reaches_pca():
    gen = np.random.default_rng(0)
    basis = np.linalg.qr(gen.normal(size=(8, 8)))[0]
    scales = np.array([3.0, 2.0, 1.5, 0.3, 0.2, 0.1, 0.05, 0.02])
    X = (gen.normal(size=(400, 8)) * scales) @ basis.T + 0.5
    K = 3
    mu = X.mean(axis=0)
    Vt = np.linalg.svd(X - mu, full_matrices=False)[2]
    pca = mu + (X - mu) @ Vt[:K].T @ Vt[:K]
    pca_error = ((X - pca) ** 2).sum(axis=1).mean()
    model = Autoencoder([8, K], output="linear", rng=0)
    adam = optim.Adam(model.parameters(), lr=0.05)
    batches = np.random.default_rng(1)
    fit(model, squared_loss, adam, X, X, epochs=40, batch_size=50, rng=batches)
    adam.lr = 0.005
    fit(model, squared_loss, adam, X, X, epochs=40, batch_size=50, rng=batches)
    with nb.no_grad():
        error = ((X - model(X).data) ** 2).sum(axis=1).mean()
    assert pca_error <= error < 1.02 * pca_error
    W1, W2 = model.encoder[0].weight.data, model.decoder[0].weight.data
    cosines = np.linalg.svd(Vt[:K] @ np.linalg.qr(W2)[0], compute_uv=False)
    assert cosines.min() > 0.99
    np.testing.assert_allclose(W1 @ W2, np.eye(K), atol=0.02)
    assert not np.allclose(W2.T @ W2, np.eye(K), atol=0.1)


def test_denoising_fit_uses_noisy_inputs_and_clean_targets():
    X = np.random.default_rng(0).uniform(size=(64, 6))
    model = Autoencoder([6, 6], output="linear", noise=0.5, rng=0)
    history = fit(model, squared_loss, optim.Adam(model.parameters(), lr=0.05), X, X,
                  epochs=60, batch_size=16, rng=0)
    assert model.training
    # With K = D the plain autoencoder could learn the identity; the noise shrinks the map.
    A = model.decoder[0].weight.data @ model.encoder[0].weight.data
    assert np.trace(A) < 6 - 1.0
    assert history.loss[-1] < history.loss[0]


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    model = Autoencoder([6, 5, 2], rng=0)

    class Reference(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Sequential(
                torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
            self.decoder = torch.nn.Sequential(
                torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 6), torch.nn.Sigmoid())

        def forward(self, x):
            return self.decoder(self.encoder(x))

    reference = Reference().double()
    reference.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(4, 6))
    expected = reference(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-12, atol=1e-12)
