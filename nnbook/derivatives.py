"""Derivatives computed two independent ways, so that each can check the other.

* `numerical_gradient` and `numerical_jacobian` use central finite differences,
  ``(fn(x + ε e_i) − fn(x − ε e_i)) / 2ε``: slow (two evaluations per input entry) and
  approximate (error of order ε²), but they need nothing from the autodiff engine.
* `jacobian` uses reverse mode: one backward pass per output entry, each a
  vector–Jacobian product with a one-hot vector.
* `gradcheck` compares the two, entry by entry, or along random directions
  (``⟨u, J v⟩``), which costs two evaluations per direction whatever the size of
  the input.

Every ``fn`` here takes Tensors and returns a Tensor; inputs may be Tensors or arrays.
Checks run in float64: in float32, finite differences are too coarse to compare.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnbook.autodiff import Tensor, no_grad

__all__ = ["numerical_gradient", "numerical_jacobian", "jacobian", "gradcheck"]


def _values(x) -> np.ndarray:
    return np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _output(fn: Callable, *args: Tensor, name: str) -> Tensor:
    out = fn(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}: fn must return a Tensor, got {type(out).__name__}")
    return out


def numerical_jacobian(fn: Callable, x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of ``fn`` at ``x``, of shape ``out.shape + x.shape``.

    For each index ``j`` of ``x``, ``J[..., j]`` is
    ``(fn(x + eps e_j) − fn(x − eps e_j)) / 2 eps``: two evaluations of ``fn`` per
    entry of ``x``, all under `no_grad`, with an error of order ``eps²``.

    Parameters
    ----------
    fn : callable
        Takes a Tensor of ``x``'s shape, returns a Tensor of any shape ``out.shape``.
    x : Tensor or array_like
        The point, any shape; its values are taken in float64.
    eps : float
        The finite-difference step.

    Returns
    -------
    numpy.ndarray
        Float64, shape ``out.shape + x.shape``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> J = nb.numerical_jacobian(lambda x: x * x, np.array([1.0, 2.0]))
    >>> print(np.round(J, 6))
    [[2. 0.]
     [0. 4.]]
    """
    x0 = _values(x)
    with no_grad():
        out_shape = _output(fn, Tensor(x0), name="numerical_jacobian").shape
        J = np.zeros(out_shape + x0.shape)
        for i in np.ndindex(x0.shape):
            step = np.zeros_like(x0)
            step[i] = eps
            up = fn(Tensor(x0 + step)).data
            down = fn(Tensor(x0 - step)).data
            J[(...,) + i] = (up - down) / (2 * eps)
    return J


def numerical_gradient(fn: Callable, x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar-valued ``fn`` at ``x``, shaped like ``x``.

    Parameters
    ----------
    fn : callable
        Takes a Tensor of ``x``'s shape, returns a Tensor holding a single value (any
        shape of size 1).
    x : Tensor or array_like
        The point, any shape; its values are taken in float64.
    eps : float
        The finite-difference step.

    Returns
    -------
    numpy.ndarray
        Float64, shape ``x.shape``.

    Raises
    ------
    ValueError
        If ``fn`` returns more than one value (use `numerical_jacobian`).

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> g = nb.numerical_gradient(lambda x: (x ** 3).sum(), np.array([1.0, 2.0]))
    >>> print(np.round(g, 6))
    [ 3. 12.]
    """
    with no_grad():
        size = _output(fn, Tensor(_values(x)), name="numerical_gradient").size
    if size != 1:
        raise ValueError(
            f"numerical_gradient: fn must return a single value, got {size} values; "
            f"use numerical_jacobian for a vector-valued fn"
        )
    return numerical_jacobian(fn, x, eps).reshape(np.shape(_values(x)))


def jacobian(fn: Callable, x) -> np.ndarray:
    """Reverse-mode Jacobian of ``fn`` at ``x``, of shape ``out.shape + x.shape``.

    Row ``i`` is the vector–Jacobian product ``e_iᵀ J``: one backward pass with a
    one-hot gradient on output entry ``i``.

    Parameters
    ----------
    fn : callable
        Takes a Tensor of ``x``'s shape (requiring grad), returns a Tensor of any shape
        ``out.shape`` computed from it with nnbook's operations.
    x : Tensor or array_like
        The point, any shape; its values are taken in float64.

    Returns
    -------
    numpy.ndarray
        Float64, shape ``out.shape + x.shape``; all zeros if ``fn`` does not depend on
        ``x``.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> J = nb.jacobian(lambda x: x * x, np.array([1.0, 2.0]))
    >>> print(J)
    [[2. 0.]
     [0. 4.]]
    """
    leaf = Tensor(_values(x), requires_grad=True)
    out = _output(fn, leaf, name="jacobian")
    J = np.zeros(out.shape + leaf.shape)
    if not out.requires_grad:  # fn does not depend on x
        return J
    for i in np.ndindex(out.shape):
        leaf.grad = None
        onehot = np.zeros(out.shape)
        onehot[i] = 1.0
        out.backward(onehot)
        if leaf.grad is not None:
            J[i] = leaf.grad
    return J


def gradcheck(
    fn: Callable,
    *inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    projections: int = 0,
    seed: int = 0,
) -> bool:
    """Check the autodiff derivatives of ``fn`` against finite differences.

    By default the whole Jacobian of ``fn`` with respect to each input is compared
    entry by entry. With ``projections=k``, it is compared instead along ``k`` random
    directions: ``⟨u, J v⟩`` from finite differences along ``v`` (two evaluations of
    ``fn``) against ``⟨Jᵀu, v⟩`` from one backward pass with gradient ``u`` — cheap for
    inputs of any size.

    Parameters
    ----------
    fn : callable
        Takes one Tensor per input, returns a Tensor of any shape.
    *inputs : Tensor or array_like
        Points at which to check; converted to float64 tensors requiring grad.
    eps : float
        The finite-difference step.
    atol : float
        Absolute tolerance: an entry passes if
        ``|autodiff − numerical| <= atol + rtol * |numerical|``.
    rtol : float
        Relative tolerance (see ``atol``).
    projections : int
        0 for the full check; otherwise the number of random directions.
    seed : int
        Seed of the random directions.

    Returns
    -------
    bool
        ``True``; a check that fails raises instead.

    Raises
    ------
    AssertionError
        Naming the input, the index of the worst entry and both values.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> nb.gradcheck(lambda a, b: (a * b).sum(), np.ones(3), np.arange(3.0))
    True
    >>> nb.gradcheck(lambda a: a * a, np.ones((100, 100)), projections=3)
    True
    """
    points = [_values(x) for x in inputs]
    if not points:
        raise ValueError("gradcheck: give at least one input")
    for k, p in enumerate(points):
        if p.size == 0:
            raise ValueError(f"gradcheck: input {k} is empty (shape {p.shape})")

    def fn_of(k: int) -> Callable:
        """``fn`` as a function of input ``k`` alone, the other inputs held fixed."""

        def partial(x: Tensor) -> Tensor:
            args = [Tensor(p) for p in points]
            args[k] = x
            return _output(fn, *args, name="gradcheck")

        return partial

    for k, point in enumerate(points):
        if projections:
            _check_projections(fn_of(k), k, point, eps, atol, rtol, projections, seed)
        else:
            numeric = numerical_jacobian(fn_of(k), point, eps)
            analytic = jacobian(fn_of(k), point)
            _compare(analytic, numeric, atol, rtol, k, numeric.ndim - point.ndim)
    return True


def _fmt(index) -> str:
    return str(tuple(int(i) for i in index))


def _compare(analytic, numeric, atol, rtol, k: int, out_ndim: int) -> None:
    """Raise on the entry that misses the tolerance by the most."""
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if np.all(excess <= 0):
        return
    worst = np.unravel_index(np.argmax(excess), excess.shape)
    out_index, in_index = worst[:out_ndim], worst[out_ndim:]
    where = f"index {_fmt(in_index)}" + (f" of output entry {_fmt(out_index)}" if out_ndim else "")
    raise AssertionError(
        f"gradcheck: input {k}, {where}: autodiff gives {analytic[worst]:.10g}, "
        f"finite differences give {numeric[worst]:.10g} "
        f"(allowed difference {atol + rtol * np.abs(numeric[worst]):.3g})"
    )


def _check_projections(f, k, point, eps, atol, rtol, count, seed) -> None:
    """Compare ``⟨u, J v⟩`` both ways along ``count`` random directions ``(u, v)``."""
    rng = np.random.default_rng(seed)
    leaf = Tensor(point, requires_grad=True)
    out = f(leaf)
    analytic, numeric = np.zeros(count), np.zeros(count)
    for j in range(count):
        v = rng.standard_normal(point.shape)
        u = rng.standard_normal(out.shape)
        with no_grad():
            up, down = f(Tensor(point + eps * v)).data, f(Tensor(point - eps * v)).data
        numeric[j] = np.sum(u * (up - down)) / (2 * eps)
        if out.requires_grad:
            leaf.grad = None
            out.backward(u)
            analytic[j] = 0.0 if leaf.grad is None else np.sum(leaf.grad * v)
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if np.all(excess <= 0):
        return
    j = int(np.argmax(excess))
    raise AssertionError(
        f"gradcheck: input {k}, random direction {j} of {count}: autodiff gives "
        f"<u, J v> = {analytic[j]:.10g}, finite differences give {numeric[j]:.10g} "
        f"(allowed difference {atol + rtol * abs(numeric[j]):.3g})"
    )
