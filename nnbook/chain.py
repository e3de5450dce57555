"""A chain of Jacobians multiplied in either order, and what each order costs.

The chain rule writes the gradient of a scalar loss ``ℒ`` with respect to an input
``x`` as a product: a row vector (the gradient with respect to the last output)
followed by one Jacobian per step,

    ∇ₓℒ = ∇ℒ · J_L · J_{L-1} ⋯ J_1.

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
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["matmul_cost", "chain_product"]

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
