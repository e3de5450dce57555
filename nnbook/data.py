"""Data sets and the chores around them: splitting, standardising, mini-batching.

Every function takes and returns numpy arrays; examples are rows (``X`` has shape
``(N, D)``, labels ``y`` shape ``(N,)``). Everything random takes ``rng``: a numpy
``Generator``, an int seed, or ``None`` for nnbook's default generator (`nnbook.seed`).

The real data sets (`load_breast_cancer`, `load_digits`) come from scikit-learn's
bundled copies (no download); scikit-learn is imported only when one of them is asked
for: ``pip install "nnbook[examples]"``. The small synthetic sets (`make_curve`,
`make_xor`, `make_moons`, `make_spirals`) are drawn with numpy alone.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from nnbook.checks import positive_int
from nnbook.rng import get_rng

__all__ = [
    "load_breast_cancer", "load_digits", "make_curve", "true_curve", "make_xor", "make_moons", "make_spirals",
    "train_test_split", "standardize", "minibatches",
]


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


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Handwritten digits: 1797 images of 8×8 pixels, 10 classes.

    Each image is a digit written by one of 43 people, scanned and reduced to an 8×8
    grid whose pixels count the ink in 4×4 blocks of the original (values 0 to 16).
    Source: E. Alpaydin and C. Kaynak, "Optical recognition of handwritten digits"
    (UCI Machine Learning Repository, 1998), via the copy bundled with scikit-learn
    (`sklearn.datasets.load_digits`).

    Returns
    -------
    images : ndarray of float64, shape (1797, 8, 8)
        Pixel values divided by 16, so in [0, 1]; ``images.reshape(-1, 64)`` gives
        the rows of a design matrix, ``images[:, None]`` the (N, 1, 8, 8) input of a
        convolutional layer.
    labels : ndarray of int64, shape (1797,)
        The digit, 0 to 9 (about 180 of each).

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> from nnbook.data import load_digits
    >>> images, labels = load_digits()
    >>> images.shape, labels.shape, float(images.max()), sorted(set(labels.tolist()))[:3]
    ((1797, 8, 8), (1797,), 1.0, [0, 1, 2])
    """
    bunch = _sklearn_datasets().load_digits()
    return np.asarray(bunch.images, dtype=np.float64) / 16.0, np.asarray(bunch.target, dtype=np.int64)


# -- small synthetic sets ------------------------------------------------------------------


def _noise_level(noise, caller: str) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise TypeError(f"{caller}: noise must be a number, got {noise!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"{caller}: noise must be a finite number >= 0, got {noise}")
    return float(noise)


def true_curve(x) -> np.ndarray:
    """The regression function behind `make_curve`, without noise: ``sin(3x) + 0.3 x²``.

    Examples
    --------
    >>> from nnbook.data import true_curve
    >>> print(true_curve([0.0, 1.0]).round(4))
    [0.     0.4411]
    """
    x = np.asarray(x, dtype=np.float64)
    return np.sin(3.0 * x) + 0.3 * x * x


def make_curve(n: int = 60, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    r"""A 1-D regression problem: $y = \sin 3x + 0.3x^2 + \varepsilon$ on $x \in [-2, 2]$.

    The inputs are drawn uniformly and sorted; $\varepsilon$ is normal with standard
    deviation ``noise``. The curve bends several times, so a fit needs a handful of
    basis functions, and it is smooth, so a few suffice.

    Returns
    -------
    x : ndarray of float64, shape (n, 1)
        The inputs, one column, in increasing order.
    y : ndarray of float64, shape (n, 1)
        The noisy targets (the shape of a one-output network's output).

    Examples
    --------
    >>> from nnbook.data import make_curve
    >>> x, y = make_curve(50, noise=0.1, rng=0)
    >>> x.shape, y.shape, bool((x[1:] >= x[:-1]).all())
    ((50, 1), (50, 1), True)
    """
    n = positive_int(n, "n", "make_curve")
    noise = _noise_level(noise, "make_curve")
    gen = get_rng(rng)
    x = np.sort(gen.uniform(-2.0, 2.0, size=n))[:, None]
    return x, true_curve(x) + noise * gen.normal(size=(n, 1))


def make_xor(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: four clusters at (±1, ±1); the label is 1 where the signs differ.

    No straight line separates the classes, so logistic regression on ``X`` fails and
    one hidden layer succeeds.

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
        Points around the four corners (``n`` rounded down to a multiple of 4 is split
        evenly), with normal noise of standard deviation ``noise``.
    y : ndarray of int64, shape (n,)
        0 or 1.

    Examples
    --------
    >>> from nnbook.data import make_xor
    >>> X, y = make_xor(8, noise=0.0, rng=0)
    >>> print(X[:4].tolist(), y[:4].tolist())
    [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]] [0, 1, 1, 0]
    """
    n = positive_int(n, "n", "make_xor")
    noise = _noise_level(noise, "make_xor")
    if n < 4:
        raise ValueError(f"make_xor: n must be at least 4 (one point per corner), got {n}")
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    X = np.tile(corners, (n // 4, 1))
    X = X + noise * get_rng(rng).normal(size=X.shape)
    y = (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64)
    return X, y


def make_moons(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, one per class.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half circle
    shifted by (1, 0.5), as in scikit-learn's ``make_moons``; normal noise of standard
    deviation ``noise`` is added to every coordinate.

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,)
        0 for the first ``n // 2`` points, 1 for the rest.

    Examples
    --------
    >>> from nnbook.data import make_moons
    >>> X, y = make_moons(100, rng=0)
    >>> X.shape, int(y.sum())
    ((100, 2), 50)
    """
    n = positive_int(n, "n", "make_moons")
    noise = _noise_level(noise, "make_moons")
    gen = get_rng(rng)
    first = n // 2
    t = np.concatenate([np.linspace(0, np.pi, first), np.linspace(0, np.pi, n - first)])
    upper = np.column_stack([np.cos(t[:first]), np.sin(t[:first])])
    lower = np.column_stack([1 - np.cos(t[first:]), 0.5 - np.sin(t[first:])])
    X = np.concatenate([upper, lower]) + noise * gen.normal(size=(n, 2))
    y = np.concatenate([np.zeros(first, np.int64), np.ones(n - first, np.int64)])
    return X, y


def make_spirals(n: int = 300, classes: int = 2, noise: float = 0.1, rng=None):
    """Interleaved spiral arms, one per class, each turning once and a half round the origin.

    Point ``i`` of arm ``k`` sits at radius ``r = i / m`` (``m`` points per arm) and
    angle ``3π r + 2πk / classes``, plus normal noise of standard deviation
    ``noise · r`` in the angle. A classic test of a network's capacity: the classes
    are separable, but only by a boundary that winds.

    Returns
    -------
    X : ndarray of float64, shape (classes · m, 2), ``m = n // classes``
    y : ndarray of int64, shape (classes · m,)
        The arm, 0 to ``classes − 1``.

    Examples
    --------
    >>> from nnbook.data import make_spirals
    >>> X, y = make_spirals(300, classes=3, rng=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    """
    n = positive_int(n, "n", "make_spirals")
    classes = positive_int(classes, "classes", "make_spirals")
    noise = _noise_level(noise, "make_spirals")
    m = n // classes
    if m < 1:
        raise ValueError(f"make_spirals: n = {n} gives no point to each of {classes} classes")
    gen = get_rng(rng)
    r = np.tile(np.arange(m) / m, classes)
    arm = np.repeat(np.arange(classes), m)
    angle = 3 * np.pi * r + 2 * np.pi * arm / classes + noise * r * gen.normal(size=r.shape)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return X, arm.astype(np.int64)


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
