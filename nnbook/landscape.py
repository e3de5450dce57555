r"""Looking at a loss: as a function of one long parameter vector, along lines and planes.

A model's parameters, flattened one after another in the order of
``model.parameters()``, are a single vector $\theta \in \mathbb{R}^P$, and the loss on
a data set is a function $\mathcal{L}(\theta)$ of it. The functions here evaluate that
function where the model is not: at a given $\theta$, along the segment between two
parameter vectors, on a plane spanned by two directions. They differentiate it (the
full gradient, every example's gradient, a Hessian by differences of gradients), say
how noisy a mini-batch gradient is (`minibatch_gradient_variance`), and record the
path an optimiser takes (`optimizer_path`).

None of them changes the model: each evaluates it with the parameters replaced for
the call (`nnbook.nn.functional_call`), so a model passed in keeps its own weights.
`parameters_to_vector` and `vector_to_parameters` have the names, argument order and
flattening order of ``torch.nn.utils``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnbook.autodiff import Tensor, no_grad
from nnbook.checks import positive_int
from nnbook.nn.module import functional_call
from nnbook.rng import get_rng

__all__ = [
    "parameters_to_vector", "vector_to_parameters", "loss_at", "loss_gradient",
    "loss_along_line", "loss_on_plane", "per_example_gradients",
    "minibatch_gradient_variance", "hessian", "optimizer_path",
]


def _tensors(parameters, caller: str) -> list:
    if isinstance(parameters, Tensor):
        raise TypeError(f"{caller}: expected an iterable of tensors such as model.parameters(), "
                        f"got a single Tensor; put it in a list")
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{caller}: parameter {i} is a {type(p).__name__}, not a Tensor")
    return params


def parameters_to_vector(parameters) -> np.ndarray:
    """All the parameters' entries as one vector: each flattened row by row, one after another.

    Parameters
    ----------
    parameters : iterable of Tensor
        Such as ``model.parameters()``.

    Returns
    -------
    ndarray of float64, shape (P,)
        A copy; ``P`` is the total number of entries.

    Examples
    --------
    >>> from nnbook import nn
    >>> from nnbook.landscape import parameters_to_vector
    >>> layer = nn.Linear(3, 2, rng=0)                 # weight (2, 3), bias (2,)
    >>> theta = parameters_to_vector(layer.parameters())
    >>> theta.shape, bool((theta[:3] == layer.weight.data[0]).all())
    ((8,), True)
    """
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        return np.zeros(0)
    return np.concatenate([np.asarray(p.data, dtype=np.float64).reshape(-1) for p in params])


def vector_to_parameters(vector, parameters) -> None:
    """Copy the entries of ``vector`` into the parameters, in place: the inverse of `parameters_to_vector`.

    Parameters
    ----------
    vector : array_like, shape (P,)
    parameters : iterable of Tensor
        Their total size must be ``P``; each keeps its shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> from nnbook.landscape import parameters_to_vector, vector_to_parameters
    >>> layer = nn.Linear(2, 1, rng=0)                 # 2 weights and 1 bias
    >>> vector_to_parameters(np.array([1.0, 2.0, 3.0]), layer.parameters())
    >>> print(layer.weight.data, layer.bias.data)
    [[1. 2.]] [3.]
    """
    params = _tensors(parameters, "vector_to_parameters")
    vector = np.asarray(vector, dtype=np.float64)
    total = sum(p.data.size for p in params)
    if vector.shape != (total,):
        raise ValueError(f"vector_to_parameters: the parameters have {total} entries in all, "
                         f"so the vector must have shape ({total},), got {vector.shape}")
    start = 0
    for p in params:
        p.data[...] = vector[start:start + p.data.size].reshape(p.shape)
        start += p.data.size


def _split(model, theta, caller: str, requires_grad: bool = False) -> dict:
    """``theta`` cut into the model's named parameter shapes, as tensors."""
    named = list(model.named_parameters())
    theta = np.asarray(theta, dtype=np.float64)
    total = sum(p.data.size for _, p in named)
    if theta.shape != (total,):
        raise ValueError(f"{caller}: this {type(model).__name__} has {total} parameters, so "
                         f"theta must have shape ({total},), got {theta.shape}")
    pieces, start = {}, 0
    for name, p in named:
        piece = theta[start:start + p.data.size].reshape(p.shape).copy()
        pieces[name] = Tensor(piece, requires_grad=requires_grad)
        start += p.data.size
    return pieces


def _theta(model, theta) -> np.ndarray:
    return parameters_to_vector(model.parameters()) if theta is None else np.asarray(theta, float)


def loss_at(model, loss_fn: Callable, X, y, theta=None) -> float:
    r"""The loss $\mathcal{L}(\theta)$ = ``loss_fn(model(X), y)`` with the parameters set to ``theta``.

    Parameters
    ----------
    model : nn.Module
    loss_fn : callable
        ``loss_fn(output, y)`` returns a scalar Tensor, as for `nnbook.train.fit`.
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
    theta : array_like, shape (P,), optional
        A parameter vector laid out as `parameters_to_vector` lays it out; the model's
        own parameters if not given. The model is not changed.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.landscape import loss_at
    >>> layer = nn.Linear(1, 1, rng=0)
    >>> X, y = np.array([[1.0], [2.0]]), np.array([[3.0], [5.0]])
    >>> loss_at(layer, F.squared_loss, X, y, theta=[2.0, 1.0])   # f = 2x + 1 fits exactly
    0.0
    """
    pieces = _split(model, _theta(model, theta), "loss_at")
    with no_grad():
        return float(loss_fn(functional_call(model, pieces, Tensor(np.asarray(X))), y).item())


def loss_gradient(model, loss_fn: Callable, X, y, theta=None) -> np.ndarray:
    r"""The gradient of $\mathcal{L}(\theta)$ as one vector, laid out as $\theta$.

    Parameters are as in `loss_at`. The model's own ``.grad`` arrays are not touched.

    Returns
    -------
    ndarray, shape (P,)

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.landscape import loss_gradient
    >>> layer = nn.Linear(1, 1, rng=0)
    >>> X, y = np.array([[1.0], [2.0]]), np.array([[3.0], [5.0]])
    >>> print(loss_gradient(layer, F.squared_loss, X, y, theta=[0.0, 0.0]))  # -Σ (y - f) (x, 1)
    [-13.  -8.]
    """
    pieces = _split(model, _theta(model, theta), "loss_gradient", requires_grad=True)
    loss = loss_fn(functional_call(model, pieces, Tensor(np.asarray(X))), y)
    loss.backward()
    return np.concatenate([
        (np.zeros(t.data.size) if t.grad is None else np.asarray(t.grad).reshape(-1))
        for t in pieces.values()
    ])


def loss_along_line(model, loss_fn: Callable, X, y, start, end, ts) -> np.ndarray:
    r"""The loss at $(1 - t)\,\theta_a + t\,\theta_b$ for every $t$ in ``ts``.

    $t = 0$ is ``start``, $t = 1$ is ``end``; values outside $[0, 1]$ extend the line.

    Parameters
    ----------
    model, loss_fn, X, y
        As in `loss_at`.
    start, end : array_like, shape (P,)
        Two parameter vectors $\theta_a$ and $\theta_b$.
    ts : array_like, shape (T,)

    Returns
    -------
    ndarray, shape (T,)

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.landscape import loss_along_line
    >>> layer = nn.Linear(1, 1, bias=False, rng=0)
    >>> X, y = np.array([[1.0]]), np.array([[0.0]])
    >>> print(loss_along_line(layer, F.squared_loss, X, y, [-1.0], [1.0], [0, 0.5, 1]))
    [0.5 0.  0.5]
    """
    start, end = np.asarray(start, float), np.asarray(end, float)
    if start.shape != end.shape:
        raise ValueError(f"loss_along_line: start has shape {start.shape}, end {end.shape}")
    ts = np.asarray(ts, dtype=float).reshape(-1)
    return np.array([loss_at(model, loss_fn, X, y, (1 - t) * start + t * end) for t in ts])


def loss_on_plane(model, loss_fn: Callable, X, y, origin, u, v, alphas, betas) -> np.ndarray:
    r"""The loss on the plane $\theta_0 + \alpha u + \beta v$, on a grid of $(\alpha, \beta)$.

    Parameters
    ----------
    model, loss_fn, X, y
        As in `loss_at`.
    origin : array_like, shape (P,)
        $\theta_0$.
    u, v : array_like, shape (P,)
        The two directions spanning the plane (not necessarily orthogonal or of unit
        length: $\alpha$ and $\beta$ count multiples of them).
    alphas : array_like, shape (A,)
    betas : array_like, shape (B,)

    Returns
    -------
    ndarray, shape (B, A)
        Entry ``[i, k]`` is the loss at ``origin + alphas[k] * u + betas[i] * v``: rows
        follow $\beta$, as ``matplotlib``'s ``contour(alphas, betas, Z)`` expects.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.landscape import loss_on_plane
    >>> layer = nn.Linear(1, 1, rng=0)                       # f = w x + b
    >>> X, y = np.array([[1.0]]), np.array([[0.0]])
    >>> Z = loss_on_plane(layer, F.squared_loss, X, y, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0],
    ...                   alphas=[-1, 0, 1], betas=[0, 1])   # ½ (α + β)²
    >>> print(Z)
    [[0.5 0.  0.5]
     [0.  0.5 2. ]]
    """
    origin, u, v = (np.asarray(a, dtype=float) for a in (origin, u, v))
    if not origin.shape == u.shape == v.shape:
        raise ValueError(f"loss_on_plane: origin, u and v must have one shape, got "
                         f"{origin.shape}, {u.shape} and {v.shape}")
    alphas = np.asarray(alphas, dtype=float).reshape(-1)
    betas = np.asarray(betas, dtype=float).reshape(-1)
    return np.array([[loss_at(model, loss_fn, X, y, origin + a * u + b * v) for a in alphas]
                     for b in betas])


def per_example_gradients(model, loss_fn: Callable, X, y, theta=None) -> np.ndarray:
    r"""Every example's gradient $\nabla_\theta \mathcal{L}_n$, one row per example.

    Computed by one backward pass per example, each on the batch of that one example:
    ``loss_fn`` should be a sum or a mean over the batch (for a batch of one they agree),
    so that row ``n`` is the gradient of example ``n``'s loss alone.

    Parameters
    ----------
    model, loss_fn, X, y, theta
        As in `loss_at`.

    Returns
    -------
    ndarray, shape (N, P)
        Their mean over the rows is the gradient of the mean loss.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.landscape import loss_gradient, per_example_gradients
    >>> layer = nn.Linear(2, 1, rng=0)
    >>> X, y = np.random.default_rng(0).normal(size=(5, 2)), np.ones((5, 1))
    >>> G = per_example_gradients(layer, F.squared_loss, X, y)
    >>> G.shape, bool(np.allclose(G.sum(axis=0), loss_gradient(layer, F.squared_loss, X, y)))
    ((5, 3), True)
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"per_example_gradients: X has {len(X)} rows but y has {len(y)}")
    theta = _theta(model, theta)
    return np.array([loss_gradient(model, loss_fn, X[n:n + 1], y[n:n + 1], theta)
                     for n in range(len(X))])


def minibatch_gradient_variance(per_example, batch_size: int, replace: bool = True,
                                draws: int = 2000, rng=None) -> float:
    r"""$\mathbb{E}\,\lVert \hat g_B - \bar g \rVert^2$, estimated by drawing mini-batches.

    $\bar g$ is the mean of the rows of ``per_example`` (the full-batch gradient of the
    mean loss) and $\hat g_B$ the mean of $B$ rows drawn at random, with or without
    replacement; the expectation is over the draw. It is the trace of the mini-batch
    gradient's covariance matrix: the total variance, summed over the parameters.

    Parameters
    ----------
    per_example : array_like, shape (N, P)
        One gradient per example, as `per_example_gradients` returns.
    batch_size : int
        $B$; at most $N$ without replacement.
    replace : bool
        Draw with replacement (independent examples) or without (a batch of distinct
        examples, as one batch of a shuffled epoch is).
    draws : int
        How many mini-batches to average over.
    rng : numpy Generator, int or None

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.landscape import minibatch_gradient_variance
    >>> G = np.array([[1.0], [-1.0]])         # two examples, mean 0, variance 1
    >>> minibatch_gradient_variance(G, 2, replace=False, draws=10, rng=0)   # the whole set
    0.0
    >>> v = minibatch_gradient_variance(G, 4, replace=True, draws=4000, rng=0)
    >>> print(round(v, 1))                   # about 1 / B
    0.2
    """
    G = np.asarray(per_example, dtype=float)
    if G.ndim != 2:
        raise ValueError(f"minibatch_gradient_variance: per_example must have shape (N, P), "
                         f"got {G.shape}")
    B = positive_int(batch_size, "batch_size", "minibatch_gradient_variance")
    draws = positive_int(draws, "draws", "minibatch_gradient_variance")
    N = len(G)
    if not replace and B > N:
        raise ValueError(f"minibatch_gradient_variance: a batch of {B} distinct examples "
                         f"cannot be drawn from {N}; lower batch_size or use replace=True")
    gen = get_rng(rng)
    mean = G.mean(axis=0)
    if replace:
        index = gen.integers(0, N, size=(draws, B))
    else:
        index = np.argsort(gen.random((draws, N)), axis=1)[:, :B]
    estimates = G[index].mean(axis=1)            # (draws, P)
    return float(np.mean(np.sum((estimates - mean) ** 2, axis=1)))


def hessian(model, loss_fn: Callable, X, y, theta=None, eps: float = 1e-5) -> np.ndarray:
    r"""The Hessian of $\mathcal{L}(\theta)$, by central differences of its exact gradient.

    Column $k$ is $\bigl(\nabla\mathcal{L}(\theta + \epsilon e_k) -
    \nabla\mathcal{L}(\theta - \epsilon e_k)\bigr) / 2\epsilon$; the result is
    symmetrised, $(H + H^\top)/2$. It costs $2P$ gradients: for small models only.

    Parameters
    ----------
    model, loss_fn, X, y, theta
        As in `loss_at`.
    eps : float
        The step $\epsilon$, greater than 0.

    Returns
    -------
    ndarray, shape (P, P)

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.landscape import hessian
    >>> layer = nn.Linear(2, 1, bias=False, rng=0)
    >>> X, y = np.array([[1.0, 2.0], [0.0, 1.0]]), np.zeros((2, 1))
    >>> print(np.round(hessian(layer, F.squared_loss, X, y), 6))   # XᵀX for ½‖Xw − y‖²
    [[1. 2.]
     [2. 5.]]
    """
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and eps > 0):
        raise ValueError(f"hessian: eps must be a number greater than 0, got {eps!r}")
    theta = _theta(model, theta)
    H = np.empty((theta.size, theta.size))
    for k in range(theta.size):
        step = np.zeros_like(theta)
        step[k] = eps
        H[:, k] = (loss_gradient(model, loss_fn, X, y, theta + step)
                   - loss_gradient(model, loss_fn, X, y, theta - step)) / (2 * eps)
    return (H + H.T) / 2


def optimizer_path(fn: Callable, start, make_optimizer: Callable, steps: int) -> np.ndarray:
    r"""The points an optimiser visits minimising ``fn`` from ``start``, the start included.

    A parameter tensor is made from ``start``; each step zeroes its gradient, calls
    ``fn(theta).backward()`` and ``optimizer.step()``, and records where it is.

    Parameters
    ----------
    fn : callable
        ``fn(theta)`` returns a scalar Tensor for a Tensor ``theta`` of ``start``'s shape.
    start : array_like
        The initial point, e.g. shape (2,) for a surface that can be drawn.
    make_optimizer : callable
        ``make_optimizer([theta])`` returns the optimiser, e.g.
        ``lambda p: optim.SGD(p, lr=0.1, momentum=0.9)``.
    steps : int

    Returns
    -------
    ndarray, shape (steps + 1, *start.shape)

    Examples
    --------
    >>> from nnbook import optim
    >>> from nnbook.landscape import optimizer_path
    >>> path = optimizer_path(lambda t: (t * t).sum(), [1.0, -2.0],
    ...                       lambda p: optim.SGD(p, lr=0.25), steps=2)
    >>> print(path)                           # each step halves theta: θ - 0.25 · 2θ
    [[ 1.   -2.  ]
     [ 0.5  -1.  ]
     [ 0.25 -0.5 ]]
    """
    steps = positive_int(steps, "steps", "optimizer_path")
    theta = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    optimizer = make_optimizer([theta])
    path = [theta.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        fn(theta).backward()
        optimizer.step()
        path.append(theta.data.copy())
    return np.array(path)
