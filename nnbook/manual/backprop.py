r"""Backpropagation by hand, in plain numpy (see the chapter *Backpropagation by hand*).

Two levels of the same derivation:

* the two-layer regression network ``x →W¹→ φ →w→ f`` with ``φ = σ(W¹ x + w¹)``
  and ``f = wᵀ φ``, its loss ``½ Σ_n (y_n − f_n)²`` (`half_squared_error`,
  `half_squared_error_grad`): `two_layer_forward`, `two_layer_backward`, and the
  explicit ``J × JD`` Jacobian of ``φ`` with respect to the flattened ``W¹``
  (`phi_jacobian_wrt_W1`), whose sparsity is why the gradient is an outer product;
* an L-layer network of affine layers and elementwise nonlinearities, with the
  forward pass returning a cache of every intermediate and the backward pass taking
  that cache (`deep_forward`, `deep_backward`, `phi_grads`, `layer_jacobian`,
  `cache_nbytes`, `init_params`).

Weights are laid out as PyTorch lays out ``nn.Linear.weight``: ``W`` has shape
``(out, in)`` and a batch ``x`` has shape ``(N, in)``, so ``z = x @ W.T + b``. The
names follow the chapter: ``W1`` is ``W¹``, ``b1`` the bias ``w¹``, ``w`` the output
weights, ``phi`` the hidden units and ``f`` the outputs. A gradient of the scalar loss
comes back with the shape of what it is taken with respect to (the chapter's row
``∂L/∂w`` is returned as a 1-D array, ``∂L/∂W¹`` with the shape of ``W1``).
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.checks import layer_shapes, positive_int
from nnbook.rng import get_rng

__all__ = [
    "ACTIVATIONS",
    "half_squared_error",
    "half_squared_error_grad",
    "two_layer_forward",
    "two_layer_backward",
    "phi_jacobian_wrt_W1",
    "init_params",
    "deep_forward",
    "deep_backward",
    "phi_grads",
    "layer_jacobian",
    "cache_nbytes",
]


# -- nonlinearities ---------------------------------------------------------------------


# Each entry: (h(z), h'(z) written in terms of z and of phi = h(z)).
_NONLINEARITIES = {
    "sigmoid": (numerics.sigmoid, lambda z, phi: phi * (1.0 - phi)),
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


def _outputs_and_targets(f, y, caller: str):
    f, y = np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if f.shape != y.shape:
        raise ValueError(f"{caller}: f has shape {f.shape} but y has shape {y.shape}; they must match")
    return f, y


def half_squared_error(f, y) -> float:
    r"""The regression loss ``L = ½ Σ_n (y_n − f_n)²``, summed over every entry.

    The same number as ``F.squared_loss(f, y)`` (reduction ``"sum"``), in plain numpy.

    Parameters
    ----------
    f, y : array_like, same shape, e.g. (N,) or (N, K)
        Outputs and targets.

    Returns
    -------
    float

    Examples
    --------
    >>> from nnbook.manual import half_squared_error
    >>> half_squared_error([1.0, 2.0], [0.0, 4.0])
    2.5
    """
    f, y = _outputs_and_targets(f, y, "half_squared_error")
    return float(0.5 * np.sum((y - f) ** 2))


def half_squared_error_grad(f, y) -> np.ndarray:
    r"""``∂L/∂f_n = −(y_n − f_n)``: the gradient of `half_squared_error` with respect to ``f``.

    Parameters
    ----------
    f, y : array_like, same shape, e.g. (N,) or (N, K)

    Returns
    -------
    ndarray, the shape of ``f``

    Examples
    --------
    >>> from nnbook.manual import half_squared_error_grad
    >>> print(half_squared_error_grad([1.0, 2.0], [0.0, 4.0]))
    [ 1. -2.]
    """
    f, y = _outputs_and_targets(f, y, "half_squared_error_grad")
    return -(y - f)


# -- the two-layer network ----------------------------------------------------------------


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

    Hidden unit ``j`` is the basis function ``φ_j = σ(w_j^{*T} x + w_j^+)`` with
    ``w_j^* = W1[j]`` (row ``j``) and ``w_j^+ = b1[j]``. There is no output bias.

    Parameters
    ----------
    x : array_like, shape (N, D)
        A batch of inputs, one per row.
    W1 : array_like, shape (J, D)
        First-layer weights (PyTorch layout: out × in).
    b1 : array_like, shape (J,)
        First-layer biases ``w¹``.
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
    >>> from nnbook.manual import two_layer_forward
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

    With the error signal ``δ_n = ∂L/∂z_n = (∂L/∂f_n) (w ⊙ σ'(z_n))ᵀ``, a row of ``J``
    numbers per example (row ``n`` of the ``(N, J)`` array ``delta``):

    * ``∂L/∂w = Σ_n (∂L/∂f_n) φ_nᵀ``, computed as ``phi.T @ dL_df``;
    * ``∂L/∂W¹ = Σ_n δ_nᵀ x_nᵀ`` (an outer product per example), as ``delta.T @ x``;
    * ``∂L/∂w¹ = Σ_n δ_n``.

    Each gradient comes back with the shape of its parameter.

    Parameters
    ----------
    cache : dict
        As returned by `two_layer_forward`.
    dL_df : array_like, shape (N,)
        ``∂L/∂f_n`` for each example, e.g. `half_squared_error_grad`.

    Returns
    -------
    dict
        ``"W1"`` of shape (J, D), ``"b1"`` of shape (J,), ``"w"`` of shape (J,).

    Examples
    --------
    >>> from nnbook.manual import two_layer_forward, two_layer_backward
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
    * ``"F"`` (column-major, ``W1.T.reshape(-1)``: the entries named ``W̃_{dj}``,
      input index first, read row by row): position ``k = d·J + j'``.

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
    >>> from nnbook.manual import phi_jacobian_wrt_W1
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

    Layer ``l`` maps ``fan_in = sizes[l-1]`` inputs to ``sizes[l]`` outputs; every entry
    of ``Wˡ`` and of ``bˡ`` is drawn independently, uniform on
    ``[−1/√fan_in, 1/√fan_in]``. That is PyTorch's default for ``nn.Linear``
    (``kaiming_uniform_`` with ``a = √5`` for the weight, which comes to the same bound).

    Parameters
    ----------
    sizes : sequence of int, length L + 1
        ``(D, M_1, …, M_{L−1}, K)``: inputs, hidden widths, outputs.
    rng : numpy Generator, int or None
        See `nnbook.get_rng`.

    Returns
    -------
    list of L pairs ``(W, b)``, ``W`` of shape (sizes[l], sizes[l-1]), ``b`` of shape (sizes[l],)

    Raises
    ------
    TypeError
        If a size is not an integer (``3.7``, ``2.0`` and ``True`` included), as for every
        size argument in nnbook (`nnbook.checks.positive_int`).
    ValueError
        If a size is less than 1, or ``sizes`` lists fewer than two.

    Examples
    --------
    >>> from nnbook.manual import init_params
    >>> params = init_params([3, 4, 1], rng=0)
    >>> [(W.shape, b.shape) for W, b in params]
    [((4, 3), (4,)), ((1, 4), (1,))]
    >>> bool(abs(params[0][0]).max() <= 1 / 3**0.5)      # |entries| ≤ 1/√fan_in
    True
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(
            f"init_params: sizes must be a sequence of ints (inputs, hidden widths, outputs), "
            f"got {sizes!r} ({type(sizes).__name__})"
        )
    sizes = [positive_int(s, f"sizes[{i}]", "init_params") for i, s in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(
            f"init_params: sizes must list at least two widths (inputs, outputs), got {sizes}"
        )
    gen = get_rng(rng)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        W = gen.uniform(-bound, bound, size=(fan_out, fan_in))
        b = gen.uniform(-bound, bound, size=fan_out)
        params.append((W, b))
    return params


def _check_params(params, caller: str, x_shape=None) -> list:
    """``params`` as float64 ``(W, b)`` pairs, after the library's one layer-shape check."""
    pairs = []
    for l, pair in enumerate(params, start=1):
        try:
            W, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"{caller}: layer {l} must be a pair (W, b)") from None
        pairs.append((np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)))
    layer_shapes([W.shape for W, _ in pairs], caller, x_shape=x_shape)
    for l, (W, b) in enumerate(pairs, start=1):
        b = _array(b, f"b of layer {l}", caller, 1)
        _expect_shape(b, W.shape[:1], f"b of layer {l}", caller, f"(W of that layer is {W.shape})")
    return pairs


def deep_forward(params, x, activation: str = "sigmoid"):
    r"""Forward pass of an L-layer network, keeping every intermediate for the backward pass.

    ``φ⁰ = x``; for ``l = 1 … L``: ``zˡ = φˡ⁻¹ Wˡᵀ + bˡ`` and ``φˡ = h(zˡ)``, with
    ``h`` the activation for ``l < L`` and the identity for the output layer, so
    ``f = φᴸ = zᴸ``. (``bˡ`` is the chapter's bias ``wˡ``.)

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
        ``"phi"``: list ``[φ⁰, …, φᴸ⁻¹]`` (shapes (N, M_l)), ``"z"``: list
        ``[z¹, …, zᴸ]``, ``"params"`` and ``"activation"``: everything
        `deep_backward` reads.

    Raises
    ------
    ValueError
        If the weights do not chain (`nnbook.checks.layer_shapes`), a bias does not
        match its weight, or ``x`` is not ``(N, D)`` with ``D`` layer 1's inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import deep_forward
    >>> params = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    >>> f, cache = deep_forward(params, [[0.0, 0.0]])
    >>> print(f, len(cache["phi"]), len(cache["z"]))
    [[1.]] 2 2
    """
    x = _array(x, "x", "deep_forward", 2)
    params = _check_params(params, "deep_forward", x_shape=x.shape)
    h, _ = _nonlinearity(activation, "deep_forward")
    phi, zs = [x], []
    for l, (W, b) in enumerate(params, start=1):
        z = phi[-1] @ W.T + b
        zs.append(z)
        if l < len(params):
            phi.append(h(z))
    return zs[-1], {"phi": phi, "z": zs, "params": params, "activation": activation}


def _backward_steps(cache: dict, dL_df, caller: str, to_input: bool = False):
    """Yield ``(l, δˡ = ∂L/∂zˡ, ∂L/∂φˡ⁻¹)`` for ``l = L … 1``.

    At ``l = 1`` the last entry is ``∂L/∂x``, which no parameter gradient needs: it is
    computed only when ``to_input`` asks for it, and is None otherwise.
    """
    params, phi, zs = cache["params"], cache["phi"], cache["z"]
    g = _array(dL_df, "dL_df", caller, 2)
    _expect_shape(g, zs[-1].shape, "dL_df", caller, "(the shape of f)")
    _, dh = _nonlinearity(cache["activation"], caller)
    L = len(params)
    for l in range(L, 0, -1):
        # g is ∂L/∂φˡ; through h it becomes ∂L/∂zˡ (the output layer has no h).
        delta = g if l == L else g * dh(zs[l - 1], phi[l])
        # ∂L/∂φˡ⁻¹ = δˡ Wˡ: one vector–Jacobian product per example, one matmul per batch.
        g = delta @ params[l - 1][0] if l > 1 or to_input else None
        yield l, delta, g


def deep_backward(cache: dict, dL_df) -> list:
    r"""Backward pass: parameter gradients from ``∂L/∂f`` and the cache of `deep_forward`.

    Going down from ``l = L``: the error signal ``δˡ = ∂L/∂zˡ = ∂L/∂φˡ ⊙ h'(zˡ)``
    (for ``l = L``, ``δᴸ = ∂L/∂f``), then ``∂L/∂Wˡ = Σ_n (δˡ_n)ᵀ (φˡ⁻¹_n)ᵀ``,
    ``∂L/∂bˡ = Σ_n δˡ_n`` and, for ``l > 1``, ``∂L/∂φˡ⁻¹ = δˡ Wˡ``. The gradient with
    respect to the input is not computed: use `phi_grads` for it.

    Parameters
    ----------
    cache : dict
        As returned by `deep_forward`.
    dL_df : array_like, shape (N, K)
        ``∂L/∂f``, the shape of ``f``, e.g. `half_squared_error_grad`.

    Returns
    -------
    list of L pairs ``(dW, db)``
        Shaped like ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import deep_forward, deep_backward
    >>> params = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    >>> f, cache = deep_forward(params, [[0.0, 0.0]])
    >>> (dW1, db1), (dW2, db2) = deep_backward(cache, [[1.0]])
    >>> print(dW2, db2, db1)
    [[0.5 0.5]] [1.] [0.25 0.25]
    """
    grads = [None] * len(cache["params"])
    phi = cache["phi"]
    for l, delta, _ in _backward_steps(cache, dL_df, "deep_backward"):
        grads[l - 1] = (delta.T @ phi[l - 1], delta.sum(axis=0))
    return grads


def phi_grads(cache: dict, dL_df) -> list:
    r"""``∂L/∂φˡ`` for every layer, down to the input, by the backward pass of `deep_backward`.

    Parameters
    ----------
    cache : dict
        As returned by `deep_forward`.
    dL_df : array_like, shape (N, K)

    Returns
    -------
    list of L + 1 arrays ``[∂L/∂φ⁰, …, ∂L/∂φᴸ]``
        ``∂L/∂φ⁰ = ∂L/∂x`` has shape (N, D); ``∂L/∂φᴸ = ∂L/∂f`` is ``dL_df``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import deep_forward, phi_grads
    >>> params = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    >>> f, cache = deep_forward(params, [[0.0, 0.0]])
    >>> [g.tolist() for g in phi_grads(cache, [[1.0]])]
    [[[0.25, 0.25]], [[1.0, 1.0]], [[1.0]]]
    """
    out = [np.asarray(dL_df, dtype=np.float64)]
    for _, _, g in _backward_steps(cache, dL_df, "phi_grads", to_input=True):
        out.append(g)
    return out[::-1]


def layer_jacobian(W, b, phi_prev, activation: str = "sigmoid") -> np.ndarray:
    r"""``J_{φˡ⁻¹}[φˡ]``: the Jacobian of one layer ``φˡ = h(Wˡ φˡ⁻¹ + bˡ)`` for one example.

    It is ``diag(h'(zˡ)) Wˡ``: row ``j`` is row ``j`` of ``W`` scaled by ``h'(z_j)``.
    Backpropagation never builds it; `deep_backward` applies it as ``δˡ Wˡ``, with the
    diagonal factor already folded into ``δˡ``.

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
    >>> from nnbook.manual import layer_jacobian
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
    ``φ⁰``), not the parameters, which exist whether or not a gradient is wanted. For
    `deep_forward` with ``N`` examples, ``D`` inputs, ``L − 1`` hidden layers of width
    ``M`` and ``K`` outputs in float64 that is ``8 N (D + 2 (L − 1) M + K)`` bytes.

    Parameters
    ----------
    cache : dict
        As returned by `deep_forward` or `two_layer_forward`.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.manual import cache_nbytes, deep_forward, init_params
    >>> f, cache = deep_forward(init_params([3, 4, 1], rng=0), np.zeros((10, 3)))
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
