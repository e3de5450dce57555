r"""A chain of Jacobians multiplied in either order, what each order costs, and a tanh chain.

The chain rule writes the gradient of a scalar loss ``ℒ`` with respect to an input
``x`` as a product: a row vector (the gradient with respect to the last output)
followed by one Jacobian per step,

$$\nabla_x \mathcal{L} = \nabla_{\phi^L} \mathcal{L} \; J_L \, J_{L-1} \cdots J_1 .$$

Matrix products are associative, so every bracketing gives the same numbers, but not
the same amount of work. `chain_product` multiplies such a chain in one of two orders
and counts the multiply-adds it performed, from the shapes of the products it actually
took (`matmul_cost`):

* ``"reverse"`` starts at the loss end, ``((∇ℒ · J_L) · J_{L-1}) ⋯``: every step is a
  row vector times a matrix (a vector–Jacobian product);
* ``"forward"`` starts at the input end, ``∇ℒ · (J_L ⋯ (J_2 · J_1))``: every step but
  the last is a matrix times a matrix.

For ``L`` square ``M × M`` Jacobians the first costs ``L·M²`` multiply-adds, the second
``(L-1)·M³ + M²``.

The chain the chapter measures this on is a stack of ``tanh`` layers without biases,

$$\phi^0 = x, \qquad \phi^l = \tanh(W^l \phi^{l-1}) \quad (l = 1, \dots, L), \qquad
\mathcal{L} = \tfrac12 \lVert t - \phi^L \rVert^2,$$

whose Jacobians are ``Jₗ = diag(1 − φˡ ⊙ φˡ) Wˡ`` and whose loss gradient is
``∇_{φᴸ}ℒ = φᴸ − t``. `tanh_chain` draws one; `chain_forward` runs it and keeps every
``φˡ``; `chain_jacobians` forms ``J_L, …, J_1`` from what the forward pass kept;
`chain_vjp` gets ``∇ₓℒ`` without forming any of them, one vector–Jacobian product per
layer (reverse mode); `chain_jvp` pushes one input direction the other way, one
Jacobian–vector product per layer (forward mode); `chain_loss` builds ``ℒ`` from nnbook
Tensors, for `nnbook.Tensor.backward`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnbook.autodiff import Tensor, as_tensor
from nnbook.checks import layer_shapes, positive_int
from nnbook.rng import get_rng

__all__ = [
    "matmul_cost",
    "chain_product",
    "tanh_chain",
    "chain_forward",
    "chain_jacobians",
    "chain_vjp",
    "chain_jvp",
    "chain_loss",
]

_ORDERS = ("reverse", "forward")


def matmul_cost(a_shape: Sequence[int], b_shape: Sequence[int]) -> int:
    """Multiply-adds in ``a @ b`` for 1-D or 2-D operands, as numpy multiplies them.

    A product ``(m, k) @ (k, n)`` computes ``m·n`` entries, each a sum of ``k``
    products: ``m·k·n`` multiply-adds. A 1-D left operand of shape ``(k,)`` counts as a
    single row (``m = 1``), a 1-D right operand as a single column (``n = 1``).

    Parameters
    ----------
    a_shape, b_shape : tuple of int
        Shapes of the left and right operands, each of length 1 or 2.

    Returns
    -------
    int
        The number of multiply-adds ``m·k·n``.

    Raises
    ------
    ValueError
        If a shape is not 1-D or 2-D, or the inner sizes differ.

    Examples
    --------
    >>> from nnbook.chain import matmul_cost
    >>> matmul_cost((3,), (3, 5))       # a row vector times a 3 x 5 matrix
    15
    >>> matmul_cost((4, 3), (3, 5))
    60
    """
    a_shape, b_shape = tuple(int(n) for n in a_shape), tuple(int(n) for n in b_shape)
    for name, shape in (("left", a_shape), ("right", b_shape)):
        if len(shape) not in (1, 2):
            raise ValueError(
                f"matmul_cost: the {name} operand must be 1-D or 2-D, got shape {shape}"
            )
    m, k = (1,) + a_shape if len(a_shape) == 1 else a_shape
    k2, n = b_shape + (1,) if len(b_shape) == 1 else b_shape
    if k != k2:
        raise ValueError(
            f"matmul_cost: shapes {a_shape} and {b_shape} do not fit: the left operand has "
            f"{k} columns but the right one has {k2} rows"
        )
    return m * k * n


def chain_product(factors: Sequence[np.ndarray], order: str = "reverse") -> tuple[np.ndarray, int]:
    """Multiply ``factors[0] @ factors[1] @ … @ factors[-1]`` in the given order.

    Parameters
    ----------
    factors : sequence of ndarray
        One or more arrays whose shapes fit one after the other (2-D, except that the
        first and the last may be 1-D: a row and a column vector), written in
        the order of the chain rule: typically the gradient of a scalar loss with
        respect to the last output, of shape ``(M_L,)``, then the Jacobians
        ``J_L`` of shape ``(M_L, M_{L-1})``, …, ``J_1`` of shape ``(M_1, D)``.
    order : {"reverse", "forward"}
        ``"reverse"`` multiplies from the left, starting with ``factors[0]`` (the
        loss end); ``"forward"`` multiplies from the right, starting with
        ``factors[-1]`` (the input end).

    Returns
    -------
    product : ndarray
        The product; with a leading gradient of shape ``(M_L,)``, a vector of shape
        ``(D,)``.
    multiply_adds : int
        The multiply-adds of the products taken, each counted by `matmul_cost` from
        the shapes of its two operands.

    Raises
    ------
    ValueError
        If ``factors`` is empty, a factor is not 1-D or 2-D, two neighbours do not fit,
        or ``order`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.chain import chain_product
    >>> g = np.ones(2)                                  # a gradient, shape (2,)
    >>> J2, J1 = np.arange(6.0).reshape(2, 3), np.ones((3, 4))
    >>> product, cost = chain_product([g, J2, J1], order="reverse")
    >>> print(product, cost)                            # (2,)@(2,3): 6, then (3,)@(3,4): 12
    [15. 15. 15. 15.] 18
    >>> product, cost = chain_product([g, J2, J1], order="forward")
    >>> print(product, cost)                            # (2,3)@(3,4): 24, then (2,)@(2,4): 8
    [15. 15. 15. 15.] 32
    """
    if order not in _ORDERS:
        raise ValueError(f"chain_product: order must be one of {_ORDERS}, got {order!r}")
    arrays = [np.asarray(f) for f in factors]
    if not arrays:
        raise ValueError("chain_product: give at least one factor")
    # Check every factor and neighbouring pair first, so a bad chain fails before any work.
    for i, f in enumerate(arrays):
        inner = 0 < i < len(arrays) - 1
        if f.ndim not in ((2,) if inner else (1, 2)):
            raise ValueError(
                f"chain_product: factor {i} has shape {f.shape}; the first and last factors "
                f"must be 1-D or 2-D and the ones between them 2-D"
            )
    for left, right in zip(arrays, arrays[1:]):
        matmul_cost(left.shape, right.shape)

    if order == "forward":
        arrays = arrays[::-1]
    product, multiply_adds = arrays[0], 0
    for factor in arrays[1:]:
        if order == "reverse":
            multiply_adds += matmul_cost(product.shape, factor.shape)
            product = product @ factor
        else:
            multiply_adds += matmul_cost(factor.shape, product.shape)
            product = factor @ product
    return product, multiply_adds


# -- a chain of tanh layers --------------------------------------------------------------


def _one_input(weight_shapes: list, x_shape: tuple, caller: str) -> None:
    """Raise unless the weights form a chain and ``x`` is one input vector for it.

    `layer_shapes` also accepts a batch of inputs; the chain is run on one example at a
    time, so ``x`` must moreover be 1-D.
    """
    layer_shapes(weight_shapes, caller, x_shape=x_shape)
    if len(x_shape) != 1:
        raise ValueError(
            f"{caller}: x must be one input, a 1-D array of shape {tuple(weight_shapes[0][1:])} "
            f"(W of layer 1 has shape {tuple(weight_shapes[0])}), got shape {tuple(x_shape)}"
        )


def _weights_and_phis(Ws, phis, caller: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The arrays of ``Ws`` and ``phis``, checked to be a chain and its forward pass."""
    Ws = [np.asarray(W, dtype=np.float64) for W in Ws]
    phis = [np.asarray(phi, dtype=np.float64) for phi in phis]
    layer_shapes([W.shape for W in Ws], caller)
    if len(phis) != len(Ws) + 1:
        raise ValueError(
            f"{caller}: phis must hold L + 1 = {len(Ws) + 1} arrays [phi^0, ..., phi^L] "
            f"for {len(Ws)} weight matrices, got {len(phis)}"
        )
    # phi^0 enters layer 1; phi^l (l ≥ 1) leaves layer l.
    expected = [Ws[0].shape[1:]] + [W.shape[:1] for W in Ws]
    for l, (phi, shape) in enumerate(zip(phis, expected)):
        if phi.shape != shape:
            raise ValueError(
                f"{caller}: phi^{l} must have shape {shape} (W of layer {max(l, 1)} has "
                f"shape {Ws[max(l, 1) - 1].shape}), got {phi.shape}"
            )
    return Ws, phis


def tanh_chain(M: int, L: int, rng=None) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """A chain of ``L`` tanh layers of width ``M``: its weights, an input and a target.

    Every weight is drawn from a normal distribution with variance ``1/M``: over that
    draw, an entry of ``Wˡ φˡ⁻¹`` has variance ``‖φˡ⁻¹‖²/M``, the mean square of the
    layer's input, whatever the width.

    Parameters
    ----------
    M : int
        The width of every layer and of the input, at least 1.
    L : int
        The number of layers, at least 1.
    rng : numpy Generator, int or None
        See `nnbook.get_rng`. The draws are made in the order ``W¹, …, Wᴸ, x, t``.

    Returns
    -------
    Ws : list of L ndarrays, each of shape (M, M)
        ``[W¹, …, Wᴸ]``, the first layer first.
    x : ndarray, shape (M,)
        An input, standard normal.
    t : ndarray, shape (M,)
        A target for ``φᴸ``, standard normal.

    Raises
    ------
    TypeError
        If ``M`` or ``L`` is not an integer (``2.0`` and ``True`` included), as for
        every size argument in nnbook (`nnbook.checks.positive_int`).
    ValueError
        If ``M`` or ``L`` is less than 1.

    Examples
    --------
    >>> from nnbook.chain import tanh_chain
    >>> Ws, x, t = tanh_chain(M=3, L=2, rng=0)
    >>> print([W.shape for W in Ws], x.shape, t.shape)
    [(3, 3), (3, 3)] (3,) (3,)
    """
    M = positive_int(M, "M", "tanh_chain")
    L = positive_int(L, "L", "tanh_chain")
    gen = get_rng(rng)
    Ws = [gen.standard_normal((M, M)) / np.sqrt(M) for _ in range(L)]
    return Ws, gen.standard_normal(M), gen.standard_normal(M)


def chain_forward(Ws: Sequence[np.ndarray], x) -> list[np.ndarray]:
    """Run the chain ``φˡ = tanh(Wˡ φˡ⁻¹)`` from ``φ⁰ = x``, keeping every ``φˡ``.

    The backward pass needs them all: ``Jₗ`` and its vector–Jacobian product are
    written in terms of ``φˡ``.

    Parameters
    ----------
    Ws : sequence of L arrays
        ``[W¹, …, Wᴸ]``, ``Wˡ`` of shape (M_l, M_{l-1}); `tanh_chain` makes square ones.
    x : array_like, shape (M_0,)
        The input.

    Returns
    -------
    list of L + 1 ndarrays
        ``[φ⁰, φ¹, …, φᴸ]``, ``φ⁰`` a float copy of ``x`` and ``φˡ`` of shape (M_l,).

    Raises
    ------
    ValueError
        If ``Ws`` is empty, a weight is not 2-D, two neighbouring weights do not fit
        (`nnbook.checks.layer_shapes`), or ``x`` is not one 1-D input that fits the first.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.chain import chain_forward
    >>> phis = chain_forward([np.eye(2), 2 * np.eye(2)], [0.5, -1.0])
    >>> for phi in phis:
    ...     print(np.round(phi, 4))
    [ 0.5 -1. ]
    [ 0.4621 -0.7616]
    [ 0.7279 -0.9093]
    """
    Ws = [np.asarray(W, dtype=np.float64) for W in Ws]
    x = np.array(x, dtype=np.float64)
    _one_input([W.shape for W in Ws], x.shape, "chain_forward")
    phis = [x]
    for W in Ws:
        phis.append(np.tanh(W @ phis[-1]))
    return phis


def chain_jacobians(Ws: Sequence[np.ndarray], phis: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The layers' Jacobians ``[J_L, …, J_1]``, in the order the chain rule writes them.

    ``Jₗ = J_{φˡ⁻¹}[φˡ] = diag(1 − φˡ ⊙ φˡ) Wˡ``: row ``j`` of ``Wˡ`` scaled by
    ``tanh'`` at unit ``j``, which is ``1 − (φˡ_j)²``.

    Parameters
    ----------
    Ws : sequence of L arrays
        ``[W¹, …, Wᴸ]``, ``Wˡ`` of shape (M_l, M_{l-1}).
    phis : sequence of L + 1 arrays
        ``[φ⁰, …, φᴸ]`` as `chain_forward` returns them, ``φˡ`` of shape (M_l,).

    Returns
    -------
    list of L ndarrays
        ``[J_L, …, J_1]``, ``Jₗ`` of shape (M_l, M_{l-1}): the last layer's first, so
        that ``[φᴸ − t] + chain_jacobians(Ws, phis)`` is the chain for `chain_product`.

    Raises
    ------
    ValueError
        If the weights do not form a chain, or ``phis`` is not its forward pass (the
        wrong number of arrays, or a shape that does not fit).

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook.chain import chain_forward, chain_jacobians
    >>> Ws, x = [np.eye(2), 2 * np.eye(2)], np.array([0.5, -1.0])
    >>> J2, J1 = chain_jacobians(Ws, chain_forward(Ws, x))
    >>> print(np.round(J1, 4))
    [[0.7864 0.    ]
     [0.     0.42  ]]
    >>> print(np.allclose(J1, nb.jacobian(lambda x: (Ws[0] @ x).tanh(), x)))
    True
    """
    Ws, phis = _weights_and_phis(Ws, phis, "chain_jacobians")
    return [(1 - phi**2)[:, None] * W for W, phi in zip(Ws[::-1], phis[:0:-1])]


def chain_vjp(Ws: Sequence[np.ndarray], phis: Sequence[np.ndarray], grad) -> np.ndarray:
    """``grad · J_L ⋯ J_1`` by one vector–Jacobian product per layer, no Jacobian formed.

    Going down from ``l = L``, the row ``ḡ`` (the gradient with respect to ``φˡ``)
    becomes ``(ḡ ⊙ (1 − φˡ ⊙ φˡ)) Wˡ``, the gradient with respect to ``φˡ⁻¹``: ``M_l``
    multiplications and ``M_l·M_{l-1}`` multiply-adds, where ``ḡ Jₗ`` would first
    need ``Jₗ`` itself.

    Parameters
    ----------
    Ws : sequence of L arrays
        ``[W¹, …, Wᴸ]``, ``Wˡ`` of shape (M_l, M_{l-1}).
    phis : sequence of L + 1 arrays
        ``[φ⁰, …, φᴸ]`` as `chain_forward` returns them.
    grad : array_like, shape (M_L,)
        The gradient of a scalar with respect to ``φᴸ``; for ``ℒ = ½ ‖t − φᴸ‖²`` it is
        ``φᴸ − t``.

    Returns
    -------
    ndarray, shape (M_0,)
        The gradient with respect to the input ``x = φ⁰``.

    Raises
    ------
    ValueError
        As `chain_jacobians`, or if ``grad`` does not have the shape of ``φᴸ``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.chain import (chain_forward, chain_jacobians, chain_product, chain_vjp,
    ...                           tanh_chain)
    >>> Ws, x, t = tanh_chain(M=4, L=3, rng=0)
    >>> phis = chain_forward(Ws, x)
    >>> g = phis[-1] - t
    >>> by_vjps = chain_vjp(Ws, phis, g)
    >>> by_jacobians, _ = chain_product([g] + chain_jacobians(Ws, phis))
    >>> print(by_vjps.shape, np.allclose(by_vjps, by_jacobians))
    (4,) True
    """
    Ws, phis = _weights_and_phis(Ws, phis, "chain_vjp")
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != phis[-1].shape:
        raise ValueError(
            f"chain_vjp: grad must have the shape of phi^L, {phis[-1].shape}, got {g.shape}"
        )
    for W, phi in zip(Ws[::-1], phis[:0:-1]):
        g = (g * (1 - phi**2)) @ W
    return g


def chain_jvp(Ws: Sequence[np.ndarray], phis: Sequence[np.ndarray], direction) -> np.ndarray:
    """``J_L ⋯ J_1 · direction`` by one Jacobian–vector product per layer, no Jacobian formed.

    Forward mode: going up from ``l = 1``, the column ``ẋ`` (how ``φˡ⁻¹`` moves when the
    input moves along ``direction``, to first order) becomes
    ``(1 − φˡ ⊙ φˡ) ⊙ (Wˡ ẋ)``, how ``φˡ`` moves: ``M_l·M_{l-1}`` multiply-adds and
    ``M_l`` multiplications per layer. One call gives the derivative of every output
    along one input direction; the gradient of a scalar loss takes one call per input
    entry, where `chain_vjp` takes one call in all.

    Parameters
    ----------
    Ws : sequence of L arrays
        ``[W¹, …, Wᴸ]``, ``Wˡ`` of shape (M_l, M_{l-1}).
    phis : sequence of L + 1 arrays
        ``[φ⁰, …, φᴸ]`` as `chain_forward` returns them.
    direction : array_like, shape (M_0,)
        A direction in input space.

    Returns
    -------
    ndarray, shape (M_L,)
        ``J_{φ⁰}[φᴸ] · direction``, the directional derivative of ``φᴸ``.

    Raises
    ------
    ValueError
        As `chain_jacobians`, or if ``direction`` does not have the shape of ``φ⁰``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.chain import chain_forward, chain_jacobians, chain_jvp, tanh_chain
    >>> Ws, x, t = tanh_chain(M=4, L=3, rng=0)
    >>> phis = chain_forward(Ws, x)
    >>> e_0 = np.eye(4)[0]                          # move x_0 alone
    >>> J_3, J_2, J_1 = chain_jacobians(Ws, phis)
    >>> column = chain_jvp(Ws, phis, e_0)           # column 0 of J_3 J_2 J_1
    >>> print(column.shape, np.allclose(column, (J_3 @ J_2 @ J_1)[:, 0]))
    (4,) True
    """
    Ws, phis = _weights_and_phis(Ws, phis, "chain_jvp")
    v = np.asarray(direction, dtype=np.float64)
    if v.shape != phis[0].shape:
        raise ValueError(
            f"chain_jvp: direction must have the shape of phi^0, {phis[0].shape}, got {v.shape}"
        )
    for W, phi in zip(Ws, phis[1:]):
        v = (1 - phi**2) * (W @ v)
    return v


def chain_loss(Ws: Sequence, x, t) -> Tensor:
    """The loss ``ℒ = ½ ‖t − φᴸ‖²`` of the chain, as a Tensor that `backward` can differentiate.

    The same chain as `chain_forward`, computed by the Tensor's own ops (matmul, tanh,
    sum), so that ``backward`` reaches ``x`` (and any weight given as a Tensor that
    requires a gradient) through nnbook's VJPs, independently of `chain_vjp`.

    Parameters
    ----------
    Ws : sequence of L arrays or Tensors
        ``[W¹, …, Wᴸ]``, ``Wˡ`` of shape (M_l, M_{l-1}).
    x : Tensor or array_like, shape (M_0,)
        The input; a Tensor that requires a gradient to get ``∇ₓℒ``.
    t : Tensor or array_like, shape (M_L,)
        The target.

    Returns
    -------
    Tensor, shape ()
        The loss.

    Raises
    ------
    ValueError
        As `chain_forward` (``x`` one 1-D input), or if ``t`` does not have the shape of
        ``φᴸ``.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook.chain import chain_forward, chain_loss, chain_vjp, tanh_chain
    >>> Ws, x, t = tanh_chain(M=4, L=3, rng=0)
    >>> x_leaf = nb.tensor(x, requires_grad=True)
    >>> chain_loss(Ws, x_leaf, t).backward()
    >>> phis = chain_forward(Ws, x)
    >>> print(np.allclose(x_leaf.grad, chain_vjp(Ws, phis, phis[-1] - t)))
    True
    """
    Ws = [W if isinstance(W, Tensor) else np.asarray(W, dtype=np.float64) for W in Ws]
    h, t = as_tensor(x), as_tensor(t)
    shapes = [W.shape for W in Ws]
    _one_input(shapes, h.shape, "chain_loss")
    if t.shape != shapes[-1][:1]:
        raise ValueError(
            f"chain_loss: t must have the shape of phi^L, {shapes[-1][:1]}, got {t.shape}"
        )
    for W in Ws:
        h = (W @ h).tanh()
    return 0.5 * ((t - h) ** 2).sum()
