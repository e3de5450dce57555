"""`nnbook.data`: the bundled data set, splitting, standardising, mini-batching."""

from __future__ import annotations

import builtins
import doctest
import sys

import numpy as np
import pytest

import nnbook as nb
import nnbook.data as data_module
from nnbook.checks import positive_int
from nnbook.data import load_breast_cancer, minibatches, standardize, train_test_split


def numbered(n: int, d: int = 3):
    """Rows that say which example they are: ``X[i] = (i, i, …)``, ``y[i] = i``."""
    return np.repeat(np.arange(n, dtype=float)[:, None], d, axis=1), np.arange(n)


# -- load_breast_cancer -----------------------------------------------------------------


def test_breast_cancer_is_scikit_learns_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = load_breast_cancer()
    assert X.shape == (569, 30) and X.dtype == np.float64
    assert y.shape == (569,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [212, 357]
    bunch = datasets.load_breast_cancer()
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


def test_breast_cancer_without_scikit_learn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=r"nnbook\[examples\]"):
        load_breast_cancer()


# -- train_test_split -------------------------------------------------------------------


def test_split_sizes_and_partition():
    X, y = numbered(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, rng=0)
    assert len(X_test) == len(y_test) == 3  # ceil(2.5)
    assert len(X_train) == len(y_train) == 7
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    for Xs, ys in ((X_train, y_train), (X_test, y_test)):
        np.testing.assert_array_equal(Xs[:, 0], ys)  # rows stay with their labels


def test_split_is_reproducible_and_shuffles():
    X, y = numbered(50)
    a = train_test_split(X, y, 0.2, rng=3)
    b = train_test_split(X, y, 0.2, rng=np.random.default_rng(3))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    c = train_test_split(X, y, 0.2, rng=4)
    assert not np.array_equal(a[3], c[3])
    assert not np.array_equal(np.sort(a[3]), np.arange(10))  # not simply the first rows


def test_split_uses_the_default_generator():
    X, y = numbered(30)
    nb.seed(7)
    first = train_test_split(X, y, 0.5)[3]
    nb.seed(7)
    np.testing.assert_array_equal(train_test_split(X, y, 0.5)[3], first)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros((5, 2)), np.zeros(4), 0.2), r"train_test_split: .* 5 rows .* 4 in y"),
        ((np.zeros((5, 2)), np.zeros(5), 0.0), "strictly between 0 and 1"),
        ((np.zeros((5, 2)), np.zeros(5), 1.0), "strictly between 0 and 1"),
        ((np.zeros((1, 2)), np.zeros(1), 0.5), "leaves none for training"),
    ],
)
def test_split_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(*args)


# -- standardize ------------------------------------------------------------------------


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(loc=[1.0, -5.0, 100.0], scale=[0.1, 3.0, 20.0], size=(40, 3))
    test = rng.normal(size=(7, 3))
    train_s, test_s = standardize(train, test)
    np.testing.assert_allclose(train_s.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_s.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(test_s, (test - train.mean(0)) / train.std(0), rtol=1e-12)
    # the test set's own statistics play no part
    _, test_s2 = standardize(train, test * 10)
    np.testing.assert_allclose(test_s2, (10 * test - train.mean(0)) / train.std(0), rtol=1e-12)


def test_standardize_returns_one_array_or_a_tuple_and_leaves_inputs_alone():
    train = np.array([[1.0, 2.0], [3.0, 6.0]])
    kept = train.copy()
    one = standardize(train)
    assert isinstance(one, np.ndarray) and one.shape == (2, 2)
    three = standardize(train, train[:1], train)
    assert isinstance(three, tuple) and len(three) == 3
    np.testing.assert_array_equal(train, kept)


def test_standardize_centres_a_constant_column_without_dividing_by_zero():
    train = np.array([[1.0, 4.0], [3.0, 4.0], [5.0, 4.0]])
    with np.errstate(all="raise"):
        train_s, other_s = standardize(train, np.array([[3.0, 6.0]]))
    np.testing.assert_array_equal(train_s[:, 1], 0.0)
    assert other_s[0, 1] == 2.0


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros(4),), r"standardize: train must have shape \(N, D\)"),
        ((np.zeros((0, 2)),), r"standardize: train must have shape \(N, D\)"),
        ((np.zeros((3, 2)), np.zeros((3, 3))), r"argument 2 has shape \(3, 3\)"),
    ],
)
def test_standardize_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        standardize(*args)


# -- minibatches ------------------------------------------------------------------------


@pytest.mark.parametrize("n, batch_size", [(10, 3), (10, 5), (7, 10), (1, 1)])
def test_minibatches_visit_every_example_once(n, batch_size):
    X, y = numbered(n)
    batches = list(minibatches(X, y, batch_size, rng=0))
    sizes = [len(yb) for _, yb in batches]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    assert sorted(np.concatenate([yb for _, yb in batches]).tolist()) == list(range(n))
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], yb)


def test_minibatches_order():
    X, y = numbered(6)
    in_order = [yb.tolist() for _, yb in minibatches(X, y, 4, shuffle=False)]
    assert in_order == [[0, 1, 2, 3], [4, 5]]
    a = np.concatenate([yb for _, yb in minibatches(X, y, 4, rng=1)])
    b = np.concatenate([yb for _, yb in minibatches(X, y, 4, rng=1)])
    np.testing.assert_array_equal(a, b)
    shuffled = [np.concatenate([yb for _, yb in minibatches(X, y, 6, rng=s)]) for s in range(5)]
    assert any(not np.array_equal(s, np.arange(6)) for s in shuffled)


@pytest.mark.parametrize(
    "batch_size, error, message",
    [
        (0, ValueError, "minibatches: batch_size must be a positive int, got 0"),
        (-1, ValueError, "minibatches: batch_size must be a positive int, got -1"),
        (2.0, TypeError, "minibatches: batch_size must be a positive int, got 2.0 (float)"),
        (2.5, TypeError, "minibatches: batch_size must be a positive int, got 2.5 (float)"),
        (True, TypeError, "minibatches: batch_size must be a positive int, got True (bool)"),
        ("2", TypeError, "minibatches: batch_size must be a positive int, got '2' (str)"),
    ],
)
def test_minibatches_reject_a_bad_batch_size_at_the_call(batch_size, error, message):
    X, y = numbered(4)
    with pytest.raises(error) as caught:
        minibatches(X, y, batch_size)  # raised before any batch is asked for
    assert str(caught.value) == message


def test_minibatches_check_the_batch_size_as_every_size_argument_is_checked():
    X, y = numbered(4)
    for bad in (2.0, True, 0):
        with pytest.raises((TypeError, ValueError)) as ours:
            minibatches(X, y, bad)
        with pytest.raises(type(ours.value)) as shared:
            positive_int(bad, "batch_size", "minibatches")
        assert str(ours.value) == str(shared.value)
    sizes = [len(yb) for _, yb in minibatches(X, y, np.int64(3), shuffle=False)]
    assert sizes == [3, 1]  # a numpy integer is a size


def test_minibatches_reject_mismatched_lengths_at_the_call():
    with pytest.raises(ValueError, match=r"minibatches: .* 4 rows .* 3 in y"):
        minibatches(np.zeros((4, 2)), np.zeros(3), 2)


# -- the module as the reference page shows it ------------------------------------------


@pytest.mark.parametrize("name", data_module.__all__)
def test_each_example_runs_as_copied_from_the_reference_page(name):
    if name == "load_breast_cancer":
        pytest.importorskip("sklearn")
    # An empty namespace, as in a fresh interpreter: every example imports what it uses.
    for test in doctest.DocTestFinder(recurse=False).find(getattr(data_module, name), globs={}):
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test, clear_globs=True)
        assert runner.failures == 0 and test.examples, f"{name}: its example fails on its own"


def test_no_module_level_name_shadows_a_builtin():
    shared = set(vars(data_module)) & set(vars(builtins))
    assert not {name for name in shared if not name.startswith("__")}
