"""Data sets and the chores around them: splitting, standardising, mini-batching.

Every function takes and returns numpy arrays; examples are rows (``X`` has shape
``(N, D)``, labels ``y`` shape ``(N,)``). Everything random takes ``rng``: a numpy
``Generator``, an int seed, or ``None`` for nnbook's default generator (`nnbook.seed`).

The real data sets come from scikit-learn's bundled copies (no download); scikit-learn
is imported only when one of them is asked for: ``pip install "nnbook[examples]"``.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from nnbook.checks import positive_int
from nnbook.rng import get_rng

__all__ = ["load_breast_cancer", "train_test_split", "standardize", "minibatches"]


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(
            "this data set is read from scikit-learn, which is not installed; install "
            'the examples extra: pip install "nnbook[examples]"'
        ) from None
    return datasets


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """The Wisconsin diagnostic breast cancer data: 569 tumours, 30 features, 2 classes.

    Each row holds 30 measurements of cell nuclei in an image of a fine-needle
    aspirate (mean, standard error and worst value of ten quantities such as radius
    and texture); the label says whether the tumour was malignant (0, 212 cases) or
    benign (1, 357 cases). Source: W. N. Street, W. H. Wolberg and O. L. Mangasarian,
    "Nuclear feature extraction for breast tumor diagnosis" (1993), via the copy
    bundled with scikit-learn (`sklearn.datasets.load_breast_cancer`).

    Returns
    -------
    X : ndarray of float64, shape (569, 30)
        The features, unscaled (they range over five orders of magnitude).
    y : ndarray of int64, shape (569,)
        1 for benign, 0 for malignant.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> from nnbook.data import load_breast_cancer
    >>> X, y = load_breast_cancer()
    >>> X.shape, y.shape, int(y.sum())
    ((569, 30), (569,), 357)
    """
    bunch = _sklearn_datasets().load_breast_cancer()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def _check_rows(name: str, X, y) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"{name}: X and y must be arrays of examples, got shapes {X.shape} and {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(
            f"{name}: X and y must hold the same number of examples, got {len(X)} rows "
            f"in X (shape {X.shape}) and {len(y)} in y (shape {y.shape})"
        )
    return X, y


def train_test_split(X, y, test_fraction: float = 0.25, rng=None):
    """Shuffle the examples and hold out a fraction of them for testing.

    The test set gets ``M = ceil(test_fraction · N)`` examples, the training set the
    other ``N − M``.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
    test_fraction : float
        Strictly between 0 and 1.
    rng : numpy.random.Generator, int or None
        The shuffle's randomness (see `nnbook.get_rng`).

    Returns
    -------
    X_train : ndarray, shape (N - M, ...)
    X_test : ndarray, shape (M, ...)
    y_train : ndarray, shape (N - M, ...)
    y_test : ndarray, shape (M, ...)

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.data import train_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, 0.3, rng=0)
    >>> X_train.shape, X_test.shape
    ((7, 2), (3, 2))
    >>> bool(np.all(X_test[:, 0] == 2 * y_test))
    True
    """
    X, y = _check_rows("train_test_split", X, y)
    if not 0 < test_fraction < 1:
        raise ValueError(
            "train_test_split: test_fraction must lie strictly between 0 and 1, "
            f"got {test_fraction}"
        )
    n = len(X)
    n_test = math.ceil(test_fraction * n)
    if n_test >= n:
        raise ValueError(
            f"train_test_split: holding out {n_test} of {n} examples leaves none for "
            f"training; use a smaller test_fraction or more data"
        )
    order = get_rng(rng).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(train, *others):
    """Scale each column to mean 0 and standard deviation 1, using the training set alone.

    The mean and standard deviation are computed on ``train`` and applied to ``train``
    and to each of ``others`` (validation and test sets must not influence the
    scaling, or their scores stop being honest). A column that is constant in
    ``train`` is only centred.

    Parameters
    ----------
    train : array_like, shape (N, D)
    *others : array_like, shape (M, D)

    Returns
    -------
    ndarray of shape (N, D), or a tuple of them
        ``train`` scaled, if no ``others`` are given; otherwise the tuple
        ``(train_scaled, *others_scaled)``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.data import standardize
    >>> train = np.array([[1.0, 10.0], [3.0, 10.0]])
    >>> a, b = standardize(train, np.array([[5.0, 12.0]]))
    >>> print(a)
    [[-1.  0.]
     [ 1.  0.]]
    >>> print(b)
    [[3. 2.]]
    """
    train = np.asarray(train, dtype=np.float64)
    if train.ndim != 2 or len(train) == 0:
        raise ValueError(
            f"standardize: train must have shape (N, D) with N >= 1, got {train.shape}"
        )
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scaled = [(train - mean) / std]
    for k, other in enumerate(others):
        other = np.asarray(other, dtype=np.float64)
        if other.ndim != 2 or other.shape[1] != train.shape[1]:
            raise ValueError(
                f"standardize: every array must have shape (M, {train.shape[1]}) like train "
                f"{train.shape}; argument {k + 2} has shape {other.shape}"
            )
        scaled.append((other - mean) / std)
    return scaled[0] if not others else tuple(scaled)


def minibatches(
    X, y, batch_size: int, rng=None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` pairs that together visit every example once.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
    batch_size : int
        Examples per batch, an integer of at least 1 (not ``2.0``, not ``True``: see
        `nnbook.checks.positive_int`); the last batch holds the remainder.
    rng : numpy.random.Generator, int or None
        The shuffle's randomness (see `nnbook.get_rng`).
    shuffle : bool
        Visit the examples in a random order (the default) or in their own order.

    Yields
    ------
    X_batch : ndarray, shape (B, ...)
    y_batch : ndarray, shape (B, ...)
        ``B = batch_size``, except possibly for the last batch.

    Raises
    ------
    TypeError
        If ``batch_size`` is not an integer.
    ValueError
        If ``batch_size`` is less than 1, or ``X`` and ``y`` hold different numbers of
        examples.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.data import minibatches
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> sorted(int(v) for _, yb in minibatches(X, y, 2, rng=0) for v in yb)
    [0, 1, 2, 3, 4]
    """
    X, y = _check_rows("minibatches", X, y)
    batch_size = positive_int(batch_size, "batch_size", "minibatches")
    # Checked here, not on the first next(): a mistake is reported where it was made.
    order = get_rng(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    return _batches(X, y, order, batch_size)


def _batches(X, y, order, batch_size):
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        yield X[index], y[index]
