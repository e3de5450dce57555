"""The benchmark's workloads W1–W7, each as a training step in nnbook, plain numpy and PyTorch.

Every workload draws its data and its initial weights from one seeded numpy generator,
in PyTorch's parameter layout, so that the three implementations start from the same
numbers; `first_loss` of each must agree before their times are compared. A step is
always the whole of one training step: zero the gradients, forward, loss, backward,
and an SGD update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LR = 0.01


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    dtype: str
    gemm_flops: int  # multiply-adds × 2 of the matrix products of one step (0: not GEMM-bound)


def _mlp_flops(sizes, batch):
    # forward x@W^T, backward dX = G@W and dW = G^T@X: three products per layer (the
    # first layer's dX is not needed by a leaf input, but nnbook and torch both skip it)
    total = 0
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 2 if i == 0 else 3
        total += products * 2 * batch * a * b
    return total


WORKLOADS = {
    "W1": Workload("W1", "logistic regression, N = 512, D = 64", "float64", 0),
    "W2": Workload("W2", "MLP 64-128-10 (ReLU), batch 64", "float64", 0),
    "W3-f32": Workload("W3-f32", "MLP 784-512-512-10 (ReLU), batch 256, float32", "float32",
                       _mlp_flops((784, 512, 512, 10), 256)),
    "W3-f64": Workload("W3-f64", "MLP 784-512-512-10 (ReLU), batch 256, float64", "float64",
                       _mlp_flops((784, 512, 512, 10), 256)),
    "W4": Workload("W4", "CNN on (64, 1, 28, 28): two conv-ReLU-pool, linear", "float32", 0),
    "W5": Workload("W5", "LSTM, input (64, 28, 28), hidden 128, linear on the last state", "float32", 0),
    "W6": Workload("W6", "GRU, input (64, 28, 28), hidden 128, linear on the last state", "float32", 0),
    "W7": Workload("W7", "autoencoder 784-128-32-128-784 (ReLU, sigmoid out), batch 128", "float32",
                   _mlp_flops((784, 128, 32, 128, 784), 128)),
}


# -- data and weights, the same for every library -------------------------------------------


def _uniform(rng, shape, fan_in, dtype):
    bound = 1 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def _linear(rng, name, n_in, n_out, dtype):
    return {f"{name}.weight": _uniform(rng, (n_out, n_in), n_in, dtype),
            f"{name}.bias": _uniform(rng, (n_out,), n_in, dtype)}


def problem(key: str) -> tuple[dict, np.ndarray, np.ndarray]:
    """(weights in PyTorch's layout and names, inputs, targets) of a workload."""
    w = WORKLOADS[key]
    dtype = np.dtype(w.dtype)
    rng = np.random.default_rng(0)
    if key == "W1":
        X = rng.normal(size=(512, 64)).astype(dtype)
        y = (rng.random(512) < 0.5).astype(dtype)
        return _linear(rng, "0", 64, 1, dtype), X, y
    if key == "W2":
        weights = {**_linear(rng, "0", 64, 128, dtype), **_linear(rng, "2", 128, 10, dtype)}
        return weights, rng.normal(size=(64, 64)).astype(dtype), rng.integers(0, 10, 64)
    if key.startswith("W3"):
        weights = {**_linear(rng, "0", 784, 512, dtype), **_linear(rng, "2", 512, 512, dtype),
                   **_linear(rng, "4", 512, 10, dtype)}
        return weights, rng.random((256, 784)).astype(dtype), rng.integers(0, 10, 256)
    if key == "W4":
        weights = {"0.weight": _uniform(rng, (16, 1, 3, 3), 9, dtype), "0.bias": _uniform(rng, (16,), 9, dtype),
                   "3.weight": _uniform(rng, (32, 16, 3, 3), 144, dtype),
                   "3.bias": _uniform(rng, (32,), 144, dtype), **_linear(rng, "7", 32 * 7 * 7, 10, dtype)}
        return weights, rng.random((64, 1, 28, 28)).astype(dtype), rng.integers(0, 10, 64)
    if key in ("W5", "W6"):
        gates = 4 if key == "W5" else 3
        H = 128
        weights = {"rnn.weight_ih": _uniform(rng, (gates * H, 28), H, dtype),
                   "rnn.weight_hh": _uniform(rng, (gates * H, H), H, dtype),
                   "rnn.bias_ih": _uniform(rng, (gates * H,), H, dtype),
                   "rnn.bias_hh": _uniform(rng, (gates * H,), H, dtype),
                   **_linear(rng, "head", H, 10, dtype)}
        return weights, rng.random((64, 28, 28)).astype(dtype), rng.integers(0, 10, 64)
    if key == "W7":
        sizes = (784, 128, 32, 128, 784)
        weights = {}
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            weights |= _linear(rng, str(2 * i), a, b, dtype)
        X = rng.random((128, 784)).astype(dtype)
        return weights, X, X
    raise KeyError(key)


# -- nnbook -----------------------------------------------------------------------------------


def nnbook_step(key: str) -> tuple[Callable[[], float], object]:
    """A function that takes one training step and returns its loss, and the model."""
    import nnbook as nb
    from nnbook import functional as F, nn, optim

    weights, X, y = problem(key)
    dtype = WORKLOADS[key].dtype
    if key == "W1":
        model = nn.Sequential(nn.Linear(64, 1, dtype=dtype))

        def loss_of(out):
            return F.logistic_loss(out.reshape(-1), y, reduction="mean")
    elif key == "W2":
        model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    elif key.startswith("W3"):
        model = nn.Sequential(nn.Linear(784, 512, dtype=dtype), nn.ReLU(), nn.Linear(512, 512, dtype=dtype),
                              nn.ReLU(), nn.Linear(512, 10, dtype=dtype))
    elif key == "W4":
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    elif key in ("W5", "W6"):
        model = _Recurrent(nn, nn.LSTM(28, 128) if key == "W5" else nn.GRU(28, 128), nn.Linear(128, 10))
    elif key == "W7":
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(),
                              nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())

        def loss_of(out):
            return F.squared_loss(out, y, reduction="mean")
    if key not in ("W1", "W7"):
        def loss_of(out):
            return F.cross_entropy(out, y)
    model.load_state_dict(weights)
    for p in model.parameters():  # load_state_dict keeps each parameter's dtype: make it the workload's
        p.data = p.data.astype(dtype, copy=False)
    opt = optim.SGD(model.parameters(), lr=LR)
    inputs = nb.tensor(X)

    def step() -> float:
        opt.zero_grad()
        loss = loss_of(model(inputs))
        loss.backward()
        opt.step()
        return loss.item()

    return step, model


def _Recurrent(nn, layer, head):
    class Sequence(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = layer, head

        def forward(self, x):
            _, state = self.rnn(x)
            return self.head(state[0] if isinstance(state, tuple) else state)

    return Sequence()


# -- PyTorch ------------------------------------------------------------------------------------


def torch_step(key: str) -> tuple[Callable[[], float], object]:
    import torch

    weights, X, y = problem(key)
    tn = torch.nn
    if key == "W1":
        model = tn.Sequential(tn.Linear(64, 1))
    elif key == "W2":
        model = tn.Sequential(tn.Linear(64, 128), tn.ReLU(), tn.Linear(128, 10))
    elif key.startswith("W3"):
        model = tn.Sequential(tn.Linear(784, 512), tn.ReLU(), tn.Linear(512, 512), tn.ReLU(), tn.Linear(512, 10))
    elif key == "W4":
        model = tn.Sequential(tn.Conv2d(1, 16, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                              tn.Conv2d(16, 32, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                              tn.Flatten(), tn.Linear(32 * 7 * 7, 10))
    elif key in ("W5", "W6"):
        class Sequence(tn.Module):
            def __init__(self):
                super().__init__()
                cell = tn.LSTM if key == "W5" else tn.GRU
                self.rnn, self.head = cell(28, 128, batch_first=True), tn.Linear(128, 10)

            def forward(self, x):
                _, state = self.rnn(x)
                h = state[0] if isinstance(state, tuple) else state
                return self.head(h[0])

        model = Sequence()
        weights = {(k + "_l0" if k.startswith("rnn.") else k): v for k, v in weights.items()}
    elif key == "W7":
        model = tn.Sequential(tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 32), tn.ReLU(),
                              tn.Linear(32, 128), tn.ReLU(), tn.Linear(128, 784), tn.Sigmoid())
    dtype = getattr(torch, WORKLOADS[key].dtype)
    model = model.to(dtype)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()})
    inputs, targets = torch.from_numpy(X), torch.from_numpy(np.asarray(y))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    if key == "W1":
        def loss_of(out):
            return torch.nn.functional.binary_cross_entropy_with_logits(out.reshape(-1), targets)
    elif key == "W7":
        def loss_of(out):
            return 0.5 * ((targets - out) ** 2).mean()
    else:
        def loss_of(out):
            return torch.nn.functional.cross_entropy(out, targets)

    def step() -> float:
        opt.zero_grad()
        loss = loss_of(model(inputs))
        loss.backward()
        opt.step()
        return loss.item()

    return step, model


# -- plain numpy, by hand: the floor an autodiff engine in numpy can approach --------------------


def numpy_step(key: str) -> tuple[Callable[[], float], dict]:
    """A forward and backward pass written out by hand (W1, W2, W3, W7 only)."""
    weights, X, y = problem(key)
    p = {k: v.copy() for k, v in weights.items()}
    dtype = X.dtype
    if key == "W1":
        def step() -> float:
            f = X @ p["0.weight"][0] + p["0.bias"][0]
            loss = np.mean(np.logaddexp(0, -f) * y + np.logaddexp(0, f) * (1 - y))
            s = 0.5 * (1 + np.tanh(0.5 * f))  # σ(f)
            g = (s - y) / len(y)
            p["0.weight"] -= LR * (g @ X)[None, :]
            p["0.bias"] -= LR * g.sum(keepdims=True)
            return float(loss)
        return step, p

    layers = {"W2": ["0", "2"], "W3-f32": ["0", "2", "4"], "W3-f64": ["0", "2", "4"],
              "W7": ["0", "2", "4", "6"]}.get(key)
    if layers is None:
        raise KeyError(f"no hand-written step for {key}")
    n = len(X)

    def step() -> float:
        acts, h = [X], X
        for i, name in enumerate(layers):
            z = h @ p[name + ".weight"].T
            z += p[name + ".bias"]
            h = np.maximum(z, 0, out=z) if i < len(layers) - 1 else z
            acts.append(h)
        if key == "W7":
            out = 0.5 * (1 + np.tanh(0.5 * h))
            diff = out - y
            loss = 0.5 * np.mean(diff * diff)
            g = diff * out * (1 - out) / diff.size
        else:
            top = h.max(axis=1, keepdims=True)
            e = np.exp(h - top)
            total = e.sum(axis=1, keepdims=True)
            loss = np.mean(np.log(total[:, 0]) + top[:, 0] - h[np.arange(n), y])
            g = e / total
            g[np.arange(n), y] -= 1
            g /= n
        g = g.astype(dtype, copy=False)
        for i in range(len(layers) - 1, -1, -1):
            name = layers[i]
            W = p[name + ".weight"]
            gW, gb = g.T @ acts[i], g.sum(axis=0)
            if i > 0:
                g = g @ W
                g *= acts[i] > 0
            W -= LR * gW
            p[name + ".bias"] -= LR * gb
        return float(loss)

    return step, p


IMPLEMENTATIONS = {"nnbook": nnbook_step, "torch": torch_step, "numpy": numpy_step}
HAND_WRITTEN = ("W1", "W2", "W3-f32", "W3-f64", "W7")
