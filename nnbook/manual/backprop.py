r"""Backpropagation by hand, in plain numpy (see the chapter *Backpropagation by hand*).

Two levels of the same derivation:

* the notes' two-layer regression network ``x →W¹→ φ →w→ f`` with
  ``φ = σ(W¹ x + w¹)`` and ``f = wᵀ φ``: `two_layer_forward`, `two_layer_backward`,
  and the explicit ``J × JD`` Jacobian of ``φ`` with respect to the flattened ``W¹``
  (`phi_jacobian_wrt_W1`), whose sparsity is why the gradient is an outer product;
* an L-layer network of affine layers and elementwise nonlinearities, with the
  forward pass returning a cache of every intermediate and the backward pass taking
  that cache (`forward`, `backward`, `phi_grads`, `layer_jacobian`,
  `cache_nbytes`).

Weights are laid out as PyTorch lays out ``nn.Linear.weight``: ``W`` has shape
``(out, in)`` and a batch ``x`` has shape ``(N, in)``, so ``z = x @ W.T + b``. The
names follow the page: ``W1`` is the notes' ``W¹``, ``b1`` their bias ``w¹``, ``w``
the output weights, ``phi`` the hidden units and ``f`` the outputs.
"""

from __future__ import annotations

import numpy as np

from nnbook.functional.primitives import stable_sigmoid as _sigmoid
from nnbook.rng import get_rng

__all__ = [
    "ACTIVATIONS",
    "squared_loss",
    "squared_loss_grad",
    "two_layer_forward",
    "two_layer_backward",
    "phi_jacobian_wrt_W1",
    "init_params",
    "forward",
    "backward",
    "phi_grads",
    "layer_jacobian",
    "cache_nbytes",
]


# -- nonlinearities ---------------------------------------------------------------------


# Each entry: (h(z), h'(z) written in terms of z and of phi = h(z)).
_NONLINEARITIES = {
    "sigmoid": (_sigmoid, lambda z, phi: phi * (1.0 - phi)),
    "tanh": (np.tanh, lambda z, phi: 1.0 - phi * phi),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, phi: (z > 0).astype(z.dtype)),
    "identity": (lambda z: z, lambda z, phi: np.ones_like(z)),
}

#: The names accepted wherever an ``activation`` is asked for.
ACTIVATIONS = tuple(_NONLINEARITIES)


def _nonlinearity(name, caller: str):
    if name not in _NONLINEARITIES:
        raise ValueError(f"{caller}: activation must be one of {ACTIVATIONS}, got {name!r}")
    return _NONLINEARITIES[name]


def _array(a, name: str, caller: str, ndim: int) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != ndim:
        raise ValueError(
            f"{caller}: {name} must have {ndim} dimension{'s' if ndim != 1 else ''}, "
            f"got shape {arr.shape}"
        )
    return arr


def _expect_shape(arr: np.ndarray, expected: tuple, name: str, caller: str, why: str) -> None:
    if arr.shape != expected:
        raise ValueError(f"{caller}: {name} must have shape {expected} {why}, got {arr.shape}")


# -- the loss ---------------------------------------------------------------------------


def squared_loss(f, y) -> float:
    r"""The notes' regression loss ``L = ½ Σ_n (y_n − f_n)²``.

    Parameters
    ----------
    f, y : array_like, same shape, e.g. (N,)
        Outputs and targets.

    Returns
    -------
    float

    Examples
    --------
    >>> squared_loss([1.0, 2.0], [0.0, 4.0])
    2.5
    """
    f, y = np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if f.shape != y.shape:
        raise ValueError(f"squared_loss: f has shape {f.shape} but y has shape {y.shape}; they must match")
    return float(0.5 * np.sum((y - f) ** 2))


def squared_loss_grad(f, y) -> np.ndarray:
    r"""``∂L/∂f_n = −(y_n − f_n)``, the gradient of `squared_loss` with respect to ``f``.

    Parameters
    ----------
    f, y : array_like, same shape, e.g. (N,)

    Returns
    -------
    ndarray, the shape of ``f``

    Examples
    --------
    >>> print(squared_loss_grad([1.0, 2.0], [0.0, 4.0]))
    [ 1. -2.]
    """
    f, y = np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if f.shape != y.shape:
        raise ValueError(
            f"squared_loss_grad: f has shape {f.shape} but y has shape {y.shape}; they must match"
        )
    return -(y - f)


# -- the two-layer network of the notes ---------------------------------------------------


def _two_layer_inputs(caller, x, W1, b1, w=None, x_ndim=2):
    x = _array(x, "x", caller, x_ndim)
    W1 = _array(W1, "W1", caller, 2)
    J, D = W1.shape
    if x.shape[-1] != D:
        raise ValueError(
            f"{caller}: x has {x.shape[-1]} inputs (shape {x.shape}) but W1 of shape {W1.shape} "
            f"expects D = {D}; W1 must be (J, D), laid out as PyTorch's Linear.weight"
        )
    b1 = _array(b1, "b1", caller, 1)
    _expect_shape(b1, (J,), "b1", caller, f"(one bias per hidden unit, J = {J})")
    if w is None:
        return x, W1, b1
    w = _array(w, "w", caller, 1)
    _expect_shape(w, (J,), "w", caller, f"(one output weight per hidden unit, J = {J})")
    return x, W1, b1, w


def two_layer_forward(x, W1, b1, w, activation: str = "sigmoid"):
    r"""Forward pass of ``x →W¹→ φ →w→ f``: ``φ_n = σ(W¹ x_n + w¹)``, ``f_n = wᵀ φ_n``.

    Hidden unit ``j`` is the notes' basis function ``φ_j = σ(w_j^{*T} x + w_j^+)``
    with ``w_j^* = W1[j]`` (row ``j``) and ``w_j^+ = b1[j]``. There is no output bias.

    Parameters
    ----------
    x : array_like, shape (N, D)
        A batch of inputs, one per row.
    W1 : array_like, shape (J, D)
        First-layer weights (PyTorch layout: out × in).
    b1 : array_like, shape (J,)
        First-layer biases (the notes' ``w¹``).
    w : array_like, shape (J,)
        Output weights.
    activation : {"sigmoid", "tanh", "relu", "identity"}
        The nonlinearity ``σ``.

    Returns
    -------
    f : ndarray, shape (N,)
        The outputs ``f_n``.
    cache : dict
        What the backward pass needs: ``x (N, D)``, pre-activations ``z (N, J)``,
        hidden units ``phi (N, J)``, the weights ``w`` and the activation's name.

    Examples
    --------
    >>> f, cache = two_layer_forward([[0.0, 0.0]], [[1.0, 2.0]], [0.0], [4.0])
    >>> print(f, cache["phi"])
    [2.] [[0.5]]
    """
    x, W1, b1, w = _two_layer_inputs("two_layer_forward", x, W1, b1, w)
    h, _ = _nonlinearity(activation, "two_layer_forward")
    z = x @ W1.T + b1
    phi = h(z)
    f = phi @ w
    return f, {"x": x, "z": z, "phi": phi, "w": w, "activation": activation}


def two_layer_backward(cache: dict, dL_df) -> dict:
    r"""Backward pass of the two-layer network: gradients of ``L`` from ``∂L/∂f``.

    With ``δ_n = (∂L/∂f_n) w ⊙ σ'(z_n)`` (a J-vector per example):

    * ``∇_w L = Σ_n (∂L/∂f_n) φ_n``,
    * ``∇_{W¹} L = Σ_n δ_n x_nᵀ`` (an outer product per example),
    * ``∇_{w¹} L = Σ_n δ_n``.

    Parameters
    ----------
    cache : dict
        As returned by `two_layer_forward`.
    dL_df : array_like, shape (N,)
        ``∂L/∂f_n`` for each example, e.g. `squared_loss_grad`.

    Returns
    -------
    dict
        ``"W1"`` of shape (J, D), ``"b1"`` of shape (J,), ``"w"`` of shape (J,).

    Examples
    --------
    >>> f, cache = two_layer_forward([[1.0, 2.0]], [[0.0, 0.0]], [0.0], [4.0])
    >>> g = two_layer_backward(cache, [1.0])
    >>> print(g["w"], g["W1"], g["b1"])
    [0.5] [[1. 2.]] [1.]
    """
    phi, z, x, w = cache["phi"], cache["z"], cache["x"], cache["w"]
    dL_df = _array(dL_df, "dL_df", "two_layer_backward", 1)
    _expect_shape(dL_df, (phi.shape[0],), "dL_df", "two_layer_backward",
                  "(one value per example, like f)")
    _, dh = _nonlinearity(cache["activation"], "two_layer_backward")
    delta = dL_df[:, None] * w * dh(z, phi)  # (N, J): ∂L/∂z
    return {"W1": delta.T @ x, "b1": delta.sum(axis=0), "w": phi.T @ dL_df}


def phi_jacobian_wrt_W1(W1, b1, x, activation: str = "sigmoid", order: str = "C") -> np.ndarray:
    r"""The ``J × JD`` Jacobian of ``φ = σ(W¹ x + w¹)`` with respect to the flattened ``W¹``.

    Entry ``(j, k)`` is ``∂φ_j / ∂W̃_k``, where ``W̃`` is ``W1`` flattened in ``order``:

    * ``"C"`` (row-major, ``W1.reshape(-1)``): position ``k = j'·D + d`` holds
      ``W1[j', d]``; the Jacobian is block diagonal, row ``j`` holding
      ``σ'(z_j) xᵀ`` in columns ``j·D … j·D + D − 1``;
    * ``"F"`` (column-major, ``W1.T.reshape(-1)``, the notes' index order
      ``W̃_{dj}`` read row-major): position ``k = d·J + j'``.

    Either way ``∂φ_j/∂W̃ = 0`` for every entry of a row ``j' ≠ j``, and the nonzero
    entries are ``σ'(z_j) x_d`` with ``z = W1 @ x + b1``; for the sigmoid
    ``σ'(z) = σ(z)(1 − σ(z))``.

    Parameters
    ----------
    W1 : array_like, shape (J, D)
    b1 : array_like, shape (J,)
    x : array_like, shape (D,)
        One example.
    activation : {"sigmoid", "tanh", "relu", "identity"}
    order : {"C", "F"}
        How ``W1`` is flattened into ``W̃``.

    Returns
    -------
    ndarray, shape (J, J*D)

    Examples
    --------
    >>> print(phi_jacobian_wrt_W1([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0], [1.0, 2.0]))
    [[0.25 0.5  0.   0.  ]
     [0.   0.   0.25 0.5 ]]
    """
    caller = "phi_jacobian_wrt_W1"
    x, W1, b1 = _two_layer_inputs(caller, x, W1, b1, x_ndim=1)
    if order not in ("C", "F"):
        raise ValueError(f"{caller}: order must be 'C' (row-major) or 'F' (column-major), got {order!r}")
    h, dh = _nonlinearity(activation, caller)
    J, D = W1.shape
    z = W1 @ x + b1
    slope = dh(z, h(z))  # (J,)
    # blocks[j, j', d] = ∂φ_j/∂W1[j', d], nonzero only for j = j'. Writing the diagonal
    # into zeros (rather than multiplying by an identity) keeps the zeros exact +0.0.
    blocks = np.zeros((J, J, D))
    blocks[np.arange(J), np.arange(J)] = slope[:, None] * x
    if order == "F":
        blocks = blocks.transpose(0, 2, 1)
    return blocks.reshape(J, J * D)


# -- an L-layer network --------------------------------------------------------------------


def init_params(sizes, rng=None) -> list:
    r"""Weights and biases of an L-layer network, drawn as PyTorch's ``nn.Linear`` draws them.

    Layer ``l`` maps ``sizes[l-1]`` inputs to ``sizes[l]`` outputs; every entry is
    uniform on ``[−1/√in, 1/√in]``.

    Parameters
    ----------
    sizes : sequence of int, length L + 1
        ``(D, J_1, …, J_{L−1}, K)``: inputs, hidden widths, outputs.
    rng : numpy Generator, int or None
        See `nnbook.get_rng`.

    Returns
    -------
    list of L pairs ``(W, b)``, ``W`` of shape (sizes[l], sizes[l-1]), ``b`` of shape (sizes[l],)

    Examples
    --------
    >>> params = init_params([3, 4, 1], rng=0)
    >>> [(W.shape, b.shape) for W, b in params]
    [((4, 3), (4,)), ((1, 4), (1,))]
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"init_params: sizes must list at least two positive widths (inputs, outputs), got {sizes}"
        )
    gen = get_rng(rng)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        W = gen.uniform(-bound, bound, size=(fan_out, fan_in))
        b = gen.uniform(-bound, bound, size=fan_out)
        params.append((W, b))
    return params


def _check_params(params, caller: str) -> list:
    checked = []
    for l, pair in enumerate(params, start=1):
        try:
            W, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"{caller}: layer {l} must be a pair (W, b)") from None
        W = _array(W, f"W of layer {l}", caller, 2)
        b = _array(b, f"b of layer {l}", caller, 1)
        _expect_shape(b, W.shape[:1], f"b of layer {l}", caller, f"(W of that layer is {W.shape})")
        if checked and W.shape[1] != checked[-1][0].shape[0]:
            raise ValueError(
                f"{caller}: W of layer {l} has shape {W.shape}, so it takes {W.shape[1]} inputs, "
                f"but layer {l - 1} has {checked[-1][0].shape[0]} outputs"
            )
        checked.append((W, b))
    if not checked:
        raise ValueError(f"{caller}: params is empty; give at least one (W, b) pair")
    return checked


def forward(params, x, activation: str = "sigmoid"):
    r"""Forward pass of an L-layer network, keeping every intermediate for the backward pass.

    ``φ⁰ = x``; for ``l = 1 … L``: ``zˡ = φˡ⁻¹ Wˡᵀ + bˡ`` and ``φˡ = h(zˡ)``, with
    ``h`` the activation for ``l < L`` and the identity for the output layer, so
    ``f = φᴸ = zᴸ``.

    Parameters
    ----------
    params : list of L pairs (W, b)
        ``W`` of shape (out, in), ``b`` of shape (out,), as from `init_params`.
    x : array_like, shape (N, D)
    activation : {"sigmoid", "tanh", "relu", "identity"}
        Nonlinearity of the hidden layers.

    Returns
    -------
    f : ndarray, shape (N, K)
        ``K`` is the output width of the last layer.
    cache : dict
        ``"phi"``: list ``[φ⁰, …, φᴸ⁻¹]`` (shapes (N, J_l)), ``"z"``: list
        ``[z¹, …, zᴸ]``, ``"params"`` and ``"activation"``.

    Examples
    --------
    >>> params = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    >>> f, cache = forward(params, [[0.0, 0.0]])
    >>> print(f, len(cache["phi"]), len(cache["z"]))
    [[1.]] 2 2
    """
    params = _check_params(params, "forward")
    x = _array(x, "x", "forward", 2)
    if x.shape[1] != params[0][0].shape[1]:
        raise ValueError(
            f"forward: x has shape {x.shape} but W of layer 1 has shape {params[0][0].shape}; "
            f"x must be (N, {params[0][0].shape[1]})"
        )
    h, _ = _nonlinearity(activation, "forward")
    phi, zs = [x], []
    for l, (W, b) in enumerate(params, start=1):
        z = phi[-1] @ W.T + b
        zs.append(z)
        if l < len(params):
            phi.append(h(z))
    return zs[-1], {"phi": phi, "z": zs, "params": params, "activation": activation}


def _backward_steps(cache: dict, dL_df, caller: str):
    """Yield ``(l, ∂L/∂zˡ, ∂L/∂φˡ⁻¹)`` for ``l = L … 1``."""
    params, phi, zs = cache["params"], cache["phi"], cache["z"]
    g = _array(dL_df, "dL_df", caller, 2)
    _expect_shape(g, zs[-1].shape, "dL_df", caller, "(the shape of f)")
    _, dh = _nonlinearity(cache["activation"], caller)
    L = len(params)
    for l in range(L, 0, -1):
        W = params[l - 1][0]
        # g is ∂L/∂φˡ; through h it becomes ∂L/∂zˡ (the output layer has no h).
        delta = g if l == L else g * dh(zs[l - 1], phi[l])
        g = delta @ W  # ∂L/∂φˡ⁻¹ = ∂L/∂zˡ · Wˡ, one vector–Jacobian product per example
        yield l, delta, g


def backward(cache: dict, dL_df) -> list:
    r"""Backward pass: parameter gradients from ``∂L/∂f`` and the cache of `forward`.

    Going down from ``l = L``: ``δˡ = ∂L/∂φˡ ⊙ h'(zˡ)`` (for ``l = L``,
    ``δᴸ = ∂L/∂f``), then ``∂L/∂Wˡ = Σ_n δˡ_n (φˡ⁻¹_n)ᵀ``, ``∂L/∂bˡ = Σ_n δˡ_n``
    and ``∂L/∂φˡ⁻¹ = δˡ Wˡ``.

    Parameters
    ----------
    cache : dict
        As returned by `forward`.
    dL_df : array_like, shape (N, K)
        ``∂L/∂f``, the shape of ``f``.

    Returns
    -------
    list of L pairs ``(dW, db)``
        Shaped like ``params``.

    Examples
    --------
    >>> params = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    >>> f, cache = forward(params, [[0.0, 0.0]])
    >>> (dW1, db1), (dW2, db2) = backward(cache, [[1.0]])
    >>> print(dW2, db2, db1)
    [[0.5 0.5]] [1.] [0.25 0.25]
    """
    grads = [None] * len(cache["params"])
    phi = cache["phi"]
    for l, delta, _ in _backward_steps(cache, dL_df, "backward"):
        grads[l - 1] = (delta.T @ phi[l - 1], delta.sum(axis=0))
    return grads


def phi_grads(cache: dict, dL_df) -> list:
    r"""``∂L/∂φˡ`` for every layer, from the same backward pass as `backward`.

    Parameters
    ----------
    cache : dict
        As returned by `forward`.
    dL_df : array_like, shape (N, K)

    Returns
    -------
    list of L + 1 arrays ``[∂L/∂φ⁰, …, ∂L/∂φᴸ]``
        ``∂L/∂φ⁰ = ∂L/∂x`` has shape (N, D); ``∂L/∂φᴸ = ∂L/∂f`` is ``dL_df``.

    Examples
    --------
    >>> params = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    >>> f, cache = forward(params, [[0.0, 0.0]])
    >>> [g.tolist() for g in phi_grads(cache, [[1.0]])]
    [[[0.25, 0.25]], [[1.0, 1.0]], [[1.0]]]
    """
    out = [np.asarray(dL_df, dtype=np.float64)]
    for _, _, g in _backward_steps(cache, dL_df, "phi_grads"):
        out.append(g)
    return out[::-1]


def layer_jacobian(W, b, phi_prev, activation: str = "sigmoid") -> np.ndarray:
    r"""``J_{φˡ⁻¹}[φˡ]``: the Jacobian of one layer ``φˡ = h(Wˡ φˡ⁻¹ + bˡ)`` for one example.

    It is ``diag(h'(zˡ)) Wˡ``: row ``j`` is row ``j`` of ``W`` scaled by ``h'(z_j)``.
    Backpropagation never builds it; `backward` applies it as ``δ W``.

    Parameters
    ----------
    W : array_like, shape (out, in)
    b : array_like, shape (out,)
    phi_prev : array_like, shape (in,)
        The layer's input for one example.
    activation : {"sigmoid", "tanh", "relu", "identity"}
        ``"identity"`` for the output layer.

    Returns
    -------
    ndarray, shape (out, in)

    Examples
    --------
    >>> print(layer_jacobian([[1.0, 2.0]], [0.0], [0.0, 0.0]))
    [[0.25 0.5 ]]
    """
    W = _array(W, "W", "layer_jacobian", 2)
    b = _array(b, "b", "layer_jacobian", 1)
    phi_prev = _array(phi_prev, "phi_prev", "layer_jacobian", 1)
    _expect_shape(b, W.shape[:1], "b", "layer_jacobian", f"(W is {W.shape})")
    _expect_shape(phi_prev, W.shape[1:], "phi_prev", "layer_jacobian", f"(W is {W.shape})")
    h, dh = _nonlinearity(activation, "layer_jacobian")
    z = W @ phi_prev + b
    return dh(z, h(z))[:, None] * W


def cache_nbytes(cache: dict) -> int:
    r"""Bytes held by the intermediates a forward pass stored for the backward pass.

    Counts the arrays in ``cache["phi"]`` and ``cache["z"]`` (the input ``x`` is
    ``φ⁰``), not the parameters, which exist whether or not a gradient is wanted.

    Parameters
    ----------
    cache : dict
        As returned by `forward` or `two_layer_forward`.

    Returns
    -------
    int

    Examples
    --------
    >>> f, cache = forward(init_params([3, 4, 1], rng=0), np.zeros((10, 3)))
    >>> cache_nbytes(cache)  # 8 bytes × 10 × (3 + 4 + 4 + 1)
    960
    """
    arrays = []
    for key in ("phi", "z"):
        value = cache[key]
        arrays.extend(value if isinstance(value, list) else [value])
    if "x" in cache:  # two_layer_forward keeps x beside phi
        arrays.append(cache["x"])
    return int(sum(a.nbytes for a in arrays))
