r"""Regression on basis functions: fixed bases, their least-squares fit, and a network's learned ones.

A basis-function model is $f(x) = w^\top \phi(x) + w_0 = \sum_j w_j \phi_j(x) + w_0$.
When the $J$ functions $\phi_j$ are fixed, the model is linear in $(w, w_0)$ and the
squared-error loss is a convex quadratic, minimised exactly by `least_squares`. This
module builds two classic fixed bases as an $N \times J$ *basis matrix* $B$, with
$B_{nj} = \phi_j(x_n)$:

* `gaussian_basis` (any centres) and `gaussian_grid` (centres evenly spaced on an
  interval): radial basis functions $\exp\bigl(-\lVert x - c_j \rVert^2 / (2 s^2)\bigr)$;
* `polynomial_basis`: the powers $x, x^2, \dots, x^J$ of a single input.

A shallow network learns its basis functions instead, $\phi_j(x) = \rho(w_j^{*\top} x +
w_j^{+})$; `unit_contributions` takes such a network apart into the weighted outputs
$w_j \phi_j(x)$ of its hidden units, which add up, with $w_0$, to the network's output.

Every function takes and returns numpy arrays, examples as rows.

Examples
--------
>>> import numpy as np
>>> from nnbook.basis import gaussian_grid, least_squares
>>> x = np.linspace(-1.0, 1.0, 9)[:, None]          # (N, 1)
>>> B = gaussian_grid(x, 5, low=-1.0, high=1.0)       # (N, J)
>>> w, w0 = least_squares(B, 2.0 * x)                 # y = 2x, shape (N, 1)
>>> print(B.shape, w.shape, w0.shape)
(9, 5) (5, 1) (1,)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnbook.checks import positive_int

__all__ = [
    "gaussian_basis", "gaussian_grid", "polynomial_basis", "least_squares", "unit_contributions",
]


def _inputs(x, caller: str) -> np.ndarray:
    """``x`` as a float64 array of shape (N, D): a 1-D array is N examples of one input."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(
            f"{caller}: x must have shape (N,) or (N, D), one example per row; got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{caller}: x holds nan or inf")
    return x


def _positive_number(value, name: str, caller: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{caller}: {name} must be a finite number > 0, got {value}")
    return value


def gaussian_basis(x, centers, width) -> np.ndarray:
    r"""Gaussian radial basis functions $\phi_j(x) = \exp\bigl(-\lVert x - c_j\rVert^2 / (2s^2)\bigr)$.

    Each function is a bump of height 1 at its centre $c_j$, falling to
    $e^{-1/2} \approx 0.61$ at distance $s$ from it: it responds to inputs near $c_j$
    only, the same in every direction.

    Parameters
    ----------
    x : array_like, shape (N, D) or (N,)
        The inputs, one example per row; a 1-D array is $N$ examples of one input.
    centers : array_like, shape (J, D) or (J,)
        The centres $c_j$, one per row; a 1-D array is $J$ centres of one input.
    width : float
        The common width $s > 0$.

    Returns
    -------
    ndarray of float64, shape (N, J)
        The basis matrix $B$, $B_{nj} = \phi_j(x_n)$.

    Raises
    ------
    ValueError
        If the shapes do not fit (``centers`` must have $D$ columns), or ``width`` is not
        positive.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.basis import gaussian_basis
    >>> B = gaussian_basis([0.0, 1.0, 2.0], centers=[0.0, 2.0], width=1.0)
    >>> print(B.shape)
    (3, 2)
    >>> print(np.round(B, 4))
    [[1.     0.1353]
     [0.6065 0.6065]
     [0.1353 1.    ]]
    """
    x = _inputs(x, "gaussian_basis")
    c = np.asarray(centers, dtype=np.float64)
    if c.ndim == 1:
        c = c[:, None]
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] != x.shape[1]:
        raise ValueError(
            f"gaussian_basis: centers must have shape (J, D) with D = {x.shape[1]} (the inputs' "
            f"columns) and J >= 1, got shape {np.shape(centers)}"
        )
    s = _positive_number(width, "width", "gaussian_basis")
    sq = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)  # (N, J) squared distances
    return np.exp(-sq / (2.0 * s * s))


def gaussian_grid(x, J: int, low: float = -2.0, high: float = 2.0, width: float | None = None) -> np.ndarray:
    r"""$J$ Gaussian basis functions of one input with centres evenly spaced on ``[low, high]``.

    The centres are ``np.linspace(low, high, J)``; the width defaults to their spacing,
    $s = (\text{high} - \text{low}) / (J - 1)$ (for $J = 1$, the interval's length), so
    that neighbouring bumps overlap and their sum has no dips between centres.

    Parameters
    ----------
    x : array_like, shape (N, 1) or (N,)
        One input per example.
    J : int
        The number of basis functions.
    low, high : float
        The first and last centre, ``low < high``.
    width : float, optional
        The width $s$; the spacing of the centres if not given.

    Returns
    -------
    ndarray of float64, shape (N, J)
        The basis matrix $B$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.basis import gaussian_grid
    >>> B = gaussian_grid(np.array([[-2.0], [0.0], [2.0]]), J=3)   # centres -2, 0, 2; s = 2
    >>> print(np.round(B, 4))
    [[1.     0.6065 0.1353]
     [0.6065 1.     0.6065]
     [0.1353 0.6065 1.    ]]
    """
    J = positive_int(J, "J", "gaussian_grid")
    x = _inputs(x, "gaussian_grid")
    if x.shape[1] != 1:
        raise ValueError(f"gaussian_grid: x must have one input per example, shape (N, 1); got {x.shape}")
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"gaussian_grid: need finite low < high, got low={low}, high={high}")
    s = (high - low) / (J - 1) if J > 1 else high - low
    if width is not None:
        s = _positive_number(width, "width", "gaussian_grid")
    return gaussian_basis(x, np.linspace(low, high, J), s)


def polynomial_basis(x, degree: int) -> np.ndarray:
    r"""The powers $x, x^2, \dots, x^{\text{degree}}$ of one input, one column each.

    The constant is left out: `least_squares` fits it as the bias $w_0$. On an interval
    wider than $[-1, 1]$ the columns grow quickly with the power and become nearly
    parallel, so $B^\top B$ is badly conditioned for high degrees (a small ``ridge``
    in `least_squares` helps).

    Parameters
    ----------
    x : array_like, shape (N, 1) or (N,)
        One input per example.
    degree : int
        The highest power, $J$: the number of columns.

    Returns
    -------
    ndarray of float64, shape (N, degree)
        Column $j$ (counting from 1) is $x^j$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.basis import polynomial_basis
    >>> print(polynomial_basis([1.0, 2.0, -3.0], degree=3))
    [[  1.   1.   1.]
     [  2.   4.   8.]
     [ -3.   9. -27.]]
    """
    degree = positive_int(degree, "degree", "polynomial_basis")
    x = _inputs(x, "polynomial_basis")
    if x.shape[1] != 1:
        raise ValueError(f"polynomial_basis: x must have one input per example, shape (N, 1); got {x.shape}")
    return x ** np.arange(1, degree + 1)


def least_squares(B, y, ridge: float = 0.0):
    r"""The weights $(w, w_0)$ minimising $\tfrac12 \lVert y - Bw - w_0 \rVert^2 + \tfrac{\lambda}{2}\lVert w\rVert^2$.

    The objective is the squared-error loss `nnbook.functional.squared_loss` of the
    model $f_n = w^\top \phi(x_n) + w_0$, plus a ridge (L2) penalty of weight
    $\lambda$ = ``ridge`` on $w$ (the bias $w_0$ is not penalised). It is a convex
    quadratic, and its minimum is found exactly: minimising over $w_0$ first gives
    $w_0 = \bar y - \bar B w$ (column means), which leaves a least-squares problem in
    $w$ for the centred $B - \bar B$ and $y - \bar y$, solved with
    ``np.linalg.lstsq`` (with $\lambda > 0$, on the centred matrix stacked above
    $\sqrt{\lambda}\, I_J$). With ``ridge=0`` and a rank-deficient $B$ (say $J > N$),
    the minimiser is not unique and the one of smallest $\lVert w \rVert$ is returned.

    Parameters
    ----------
    B : array_like, shape (N, J)
        The basis matrix, $B_{nj} = \phi_j(x_n)$, without a column of ones.
    y : array_like, shape (N,) or (N, K)
        The targets; with $K$ columns, $K$ independent fits share $B$.
    ridge : float
        $\lambda \ge 0$.

    Returns
    -------
    w : ndarray of float64, shape (J,) or (J, K)
        The weights, one row per basis function.
    w0 : float, or ndarray of shape (K,)
        The bias: a float when ``y`` is 1-D.

    Raises
    ------
    ValueError
        If ``B`` is not 2-D, ``y`` does not have one row per row of ``B``, either holds
        nan or inf, or ``ridge`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.basis import least_squares, polynomial_basis
    >>> x = np.linspace(-1.0, 1.0, 5)
    >>> y = 1.0 + 2.0 * x - 3.0 * x**2                  # exactly quadratic
    >>> w, w0 = least_squares(polynomial_basis(x, 2), y)
    >>> print(np.round(w, 6), round(w0, 6))
    [ 2. -3.] 1.0
    >>> w_r, _ = least_squares(polynomial_basis(x, 2), y, ridge=1.0)
    >>> bool(np.linalg.norm(w_r) < np.linalg.norm(w))   # the penalty shrinks w
    True
    """
    B = np.asarray(B, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if B.ndim != 2 or B.shape[0] == 0 or B.shape[1] == 0:
        raise ValueError(f"least_squares: B must have shape (N, J) with N, J >= 1, got shape {B.shape}")
    if y.ndim not in (1, 2) or y.shape[0] != B.shape[0]:
        raise ValueError(
            f"least_squares: y must have shape (N,) or (N, K) with N = {B.shape[0]} (the rows "
            f"of B), got shape {y.shape}"
        )
    if not (np.all(np.isfinite(B)) and np.all(np.isfinite(y))):
        raise ValueError("least_squares: B or y holds nan or inf")
    if isinstance(ridge, (bool, np.bool_)) or not isinstance(ridge, numbers.Real):
        raise TypeError(f"least_squares: ridge must be a real number, got {ridge!r}")
    ridge = float(ridge)
    if not (math.isfinite(ridge) and ridge >= 0):
        raise ValueError(f"least_squares: ridge must be a finite number >= 0, got {ridge}")
    B_mean, y_mean = B.mean(axis=0), y.mean(axis=0)
    Bc, yc = B - B_mean, y - y_mean
    if ridge > 0:
        J = B.shape[1]
        Bc = np.vstack([Bc, math.sqrt(ridge) * np.eye(J)])
        yc = np.concatenate([yc, np.zeros((J,) + y.shape[1:])])
    w = np.linalg.lstsq(Bc, yc, rcond=None)[0]
    w0 = y_mean - B_mean @ w
    return w, (float(w0) if y.ndim == 1 else w0)


def unit_contributions(model, x):
    r"""Each hidden unit's weighted output $w_j \phi_j(x)$ in a one-hidden-layer network, and $w_0$.

    ``model`` is ``nn.Sequential(nn.Linear(D, J), activation, nn.Linear(J, 1))``: the
    first layer's ``weight`` (J, D) holds the $w_j^{*\top}$ as rows and its ``bias``
    (J,) the $w_j^{+}$; the last layer's ``weight`` (1, J) is $w^\top$ and its
    ``bias`` (1,) is $w_0$. Then $f(x) = \sum_j w_j \phi_j(x) + w_0$: the columns of
    the result, summed, plus $w_0$, are the model's output. Computed without recording a
    graph.

    Parameters
    ----------
    model : nn.Sequential
        Three modules: `nnbook.nn.Linear` (D → J), an activation, `nnbook.nn.Linear` (J → 1).
    x : array_like, shape (N, D), or (N,) when D = 1

    Returns
    -------
    contributions : ndarray, shape (N, J)
        Column $j$ (from 0) holds $w_{j+1}\, \phi_{j+1}(x_n)$ for every example.
    w0 : float
        The output bias (0.0 if the last layer has none).

    Raises
    ------
    ValueError
        If ``model`` is not of that form, or ``x`` does not have $D$ columns.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import nn
    >>> from nnbook.basis import unit_contributions
    >>> net = nn.Sequential(nn.Linear(1, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    >>> x = np.linspace(-2.0, 2.0, 5)[:, None]
    >>> parts, w0 = unit_contributions(net, x)
    >>> print(parts.shape)
    (5, 3)
    >>> np.allclose(parts.sum(axis=1) + w0, net(x).data[:, 0])
    True
    """
    from nnbook.autodiff import no_grad
    from nnbook.nn import Linear, Module, Sequential

    shape_ok = (
        isinstance(model, Sequential) and len(model) == 3
        and isinstance(model[0], Linear) and isinstance(model[2], Linear)
        and isinstance(model[1], Module)
    )
    if not shape_ok or model[2].out_features != 1 or model[2].in_features != model[0].out_features:
        raise ValueError(
            "unit_contributions: model must be nn.Sequential(nn.Linear(D, J), an activation, "
            f"nn.Linear(J, 1)); got {model!r}"
        )
    first, activation, last = model[0], model[1], model[2]
    x = _inputs(x, "unit_contributions")
    if x.shape[1] != first.in_features:
        raise ValueError(
            f"unit_contributions: x must have D = {first.in_features} columns (the first layer's "
            f"in_features), got shape {x.shape}"
        )
    with no_grad():
        phi = activation(first(x)).data                    # (N, J)
    w = last.weight.data[0]                                 # (J,)
    w0 = 0.0 if last.bias is None else float(last.bias.data[0])
    return phi * w, w0
