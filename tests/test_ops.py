"""Every primitive, tested every way at once from one table.

Adding an op to `F.PRIMITIVES` without a row here fails `test_every_primitive_has_a_row`;
a row buys a finite-difference check of its VJP (float64), a forward check against
numpy, dtype and no-grad checks, and — for elementwise ops — a property test over
hypothesis-generated broadcastable shapes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import nnbook as nb
from nnbook import functional as F


@dataclass
class Row:
    """One sample call of an op: ``call(*tensors)`` with inputs of ``shapes``."""

    call: Callable
    shapes: list[tuple[int, ...]]
    ranges: list[tuple[float, float]] = field(default_factory=list)  # per input; default (-2, 2)
    reference: Callable | None = None  # the same computation in numpy
    elementwise: bool = False  # broadcasts all inputs: property-tested over shapes

    def inputs(self, rng, dtype=np.float64, shapes=None):
        shapes = shapes or self.shapes
        ranges = self.ranges or [(-2.0, 2.0)] * len(shapes)
        return [rng.uniform(lo, hi, size=s).astype(dtype) for s, (lo, hi) in zip(shapes, ranges)]


POSITIVE = (0.5, 2.0)
_erfc = np.vectorize(math.erfc)  # the reference, not the implementation under test
MASK = np.array([True, False, True, True])

OP_TABLE: dict[str, list[Row]] = {
    "add": [Row(F.add, [(3, 4), (4,)], reference=np.add, elementwise=True)],
    "sub": [Row(F.sub, [(3, 1), (1, 4)], reference=np.subtract, elementwise=True)],
    "mul": [Row(F.mul, [(2, 3), (2, 3)], reference=np.multiply, elementwise=True)],
    "div": [Row(F.div, [(2, 3), (3,)], [(-2, 2), POSITIVE], np.divide, elementwise=True)],
    "neg": [Row(F.neg, [(2, 3)], reference=np.negative)],
    "power": [
        Row(F.power, [(2, 3), (2, 3)], [POSITIVE, (-2, 2)], np.power, elementwise=True),
        Row(lambda a: a**3, [(4,)], reference=lambda a: a**3),
    ],
    "matmul": [
        Row(F.matmul, [(3, 4), (4, 2)], reference=np.matmul),
        Row(F.matmul, [(4,), (4,)], reference=np.matmul),
        Row(F.matmul, [(4,), (4, 3)], reference=np.matmul),
        Row(F.matmul, [(3, 4), (4,)], reference=np.matmul),
        Row(F.matmul, [(2, 3, 4), (4, 5)], reference=np.matmul),
        Row(F.matmul, [(2, 1, 3, 4), (3, 4, 2)], reference=np.matmul),
        Row(F.matmul, [(4,), (2, 4, 3)], reference=np.matmul),
        Row(F.matmul, [(2, 3, 4), (4,)], reference=np.matmul),
    ],
    "exp": [Row(F.exp, [(2, 3)], reference=np.exp)],
    "log": [Row(F.log, [(2, 3)], [POSITIVE], np.log)],
    "tanh": [Row(F.tanh, [(2, 3)], reference=np.tanh)],
    "sigmoid": [Row(F.sigmoid, [(2, 3)], [(-6, 6)], lambda z: 1 / (1 + np.exp(-z)))],
    "softplus": [Row(F.softplus, [(2, 3)], [(-6, 6)], lambda z: np.log1p(np.exp(z)))],
    "relu": [Row(F.relu, [(2, 3)], reference=lambda z: np.maximum(z, 0))],
    "abs": [Row(F.abs, [(2, 3)], reference=np.abs)],
    "maximum": [Row(F.maximum, [(2, 3), (3,)], reference=np.maximum, elementwise=True)],
    "where": [
        Row(lambda a, b: F.where(MASK, a, b), [(3, 4), (4,)],
            reference=lambda a, b: np.where(MASK, a, b)),
    ],
    "sum": [
        Row(F.sum, [(2, 3)], reference=np.sum),
        Row(lambda a: F.sum(a, axis=0), [(2, 3)], reference=lambda a: a.sum(axis=0)),
        Row(lambda a: a.sum(axis=(0, 2), keepdims=True), [(2, 3, 4)],
            reference=lambda a: a.sum(axis=(0, 2), keepdims=True)),
        Row(lambda a: a.sum(axis=-1), [(2, 3)], reference=lambda a: a.sum(axis=-1)),
    ],
    "max": [
        Row(F.max, [(2, 3)], reference=np.max),
        Row(lambda a: a.max(axis=1), [(3, 4)], reference=lambda a: a.max(axis=1)),
        Row(lambda a: a.max(axis=0, keepdims=True), [(3, 4)],
            reference=lambda a: a.max(axis=0, keepdims=True)),
    ],
    "logsumexp": [
        Row(F.logsumexp, [(3, 4)], reference=lambda a: np.log(np.exp(a).sum(axis=-1))),
        Row(lambda a: F.logsumexp(a, axis=0, keepdims=True), [(3, 4)],
            reference=lambda a: np.log(np.exp(a).sum(axis=0, keepdims=True))),
    ],
    "softmax": [
        Row(F.softmax, [(3, 4)], reference=lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
        Row(lambda a: F.softmax(a, axis=0), [(3, 4)],
            reference=lambda a: np.exp(a) / np.exp(a).sum(0, keepdims=True)),
    ],
    "log_softmax": [
        Row(F.log_softmax, [(3, 4)],
            reference=lambda a: a - np.log(np.exp(a).sum(-1, keepdims=True))),
    ],
    "reshape": [
        Row(lambda a: a.reshape(3, 2), [(2, 3)], reference=lambda a: a.reshape(3, 2)),
        Row(lambda a: F.reshape(a, (-1,)), [(2, 3)], reference=lambda a: a.reshape(-1)),
    ],
    "transpose": [
        Row(lambda a: a.T, [(2, 3)], reference=lambda a: a.T),
        Row(lambda a: a.transpose(1, 2, 0), [(2, 3, 4)], reference=lambda a: a.transpose(1, 2, 0)),
    ],
    "getitem": [
        Row(lambda a: a[1], [(3, 4)], reference=lambda a: a[1]),
        Row(lambda a: a[:, 1:3], [(3, 4)], reference=lambda a: a[:, 1:3]),
        Row(lambda a: a[[0, 2, 0, 0]], [(3, 4)], reference=lambda a: a[[0, 2, 0, 0]]),
        Row(lambda a: a[MASK], [(4, 2)], reference=lambda a: a[MASK]),
        Row(lambda a: a[[0, 1, 1], [2, 2, 3]], [(3, 4)], reference=lambda a: a[[0, 1, 1], [2, 2, 3]]),
    ],
    "concatenate": [
        Row(lambda a, b: F.concatenate([a, b], axis=1), [(2, 3), (2, 1)],
            reference=lambda a, b: np.concatenate([a, b], axis=1)),
    ],
    "ndtr": [Row(F.ndtr, [(2, 3)], [(-8, 8)], lambda z: 0.5 * _erfc(-z / np.sqrt(2)))],
    "log_ndtr": [
        Row(F.log_ndtr, [(2, 3)], [(-30, 6)], lambda z: np.log(0.5 * _erfc(-z / np.sqrt(2)))),
    ],
    "inv_cloglog": [Row(F.inv_cloglog, [(2, 3)], [(-6, 3)], lambda z: -np.expm1(-np.exp(z)))],
    "log_inv_cloglog": [
        Row(F.log_inv_cloglog, [(2, 3)], [(-30, 4)], lambda z: np.log(-np.expm1(-np.exp(z)))),
    ],
    "pad": [
        Row(lambda a: F.pad(a, ((1, 0), (2, 1))), [(2, 3)],
            reference=lambda a: np.pad(a, ((1, 0), (2, 1)))),
        Row(lambda a: F.pad(a, 1), [(2, 2, 3)], reference=lambda a: np.pad(a, 1)),
    ],
    "stack": [
        Row(lambda a, b, c: F.stack([a, b, c], axis=1), [(2, 3)] * 3,
            reference=lambda a, b, c: np.stack([a, b, c], axis=1)),
    ],
}

CASES = [
    pytest.param(name, row, id=f"{name}-{i}")
    for name, rows in OP_TABLE.items()
    for i, row in enumerate(rows)
]


def test_every_primitive_has_a_row():
    assert set(F.PRIMITIVES) == set(OP_TABLE), "add a row to OP_TABLE for each new primitive"


@pytest.mark.parametrize("name, row", CASES)
def test_gradient_matches_finite_differences(name, row):
    assert nb.gradcheck(row.call, *row.inputs(np.random.default_rng(0)))


@pytest.mark.parametrize("name, row", CASES)
def test_forward_matches_numpy(name, row):
    if row.reference is None:
        pytest.skip(f"{name}: this row has no numpy reference")
    xs = row.inputs(np.random.default_rng(1))
    out = row.call(*[nb.tensor(x) for x in xs])
    np.testing.assert_allclose(out.data, row.reference(*xs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, row", CASES)
def test_float32_stays_float32(name, row):
    xs = [nb.tensor(x, requires_grad=True) for x in row.inputs(np.random.default_rng(2), np.float32)]
    out = row.call(*xs)
    assert out.dtype == np.float32
    (out * 2.0).sum().backward()
    for x in xs:
        assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


@pytest.mark.parametrize("name, row", CASES)
def test_no_graph_under_no_grad(name, row):
    xs = [nb.tensor(x, requires_grad=True) for x in row.inputs(np.random.default_rng(3))]
    with nb.no_grad():
        out = row.call(*xs)
    assert not out.requires_grad and out.is_leaf


ELEMENTWISE = [pytest.param(name, row, id=name) for name, row, *_ in
               [(n, r) for n, rows in OP_TABLE.items() for r in rows if r.elementwise]]


@pytest.mark.parametrize("name, row", ELEMENTWISE)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_broadcasting_gradients(name, row, data):
    """Any broadcastable shapes: the gradient of each input has that input's shape and is right."""
    shapes, _ = data.draw(
        mutually_broadcastable_shapes(num_shapes=len(row.shapes), max_dims=3, max_side=3)
    )
    seed = data.draw(st.integers(0, 2**16))
    xs = row.inputs(np.random.default_rng(seed), shapes=list(shapes))
    assert nb.gradcheck(row.call, *xs)
    leaves = [nb.tensor(x, requires_grad=True) for x in xs]
    row.call(*leaves).sum().backward()
    assert [leaf.grad.shape for leaf in leaves] == [tuple(s) for s in shapes]


STABLE = {
    "sigmoid": (F.sigmoid, [1.0, 0.0]),
    "softplus": (F.softplus, [1e4, 0.0]),
    "log_sigmoid": (F.log_sigmoid, [0.0, -1e4]),
    "tanh": (F.tanh, [1.0, -1.0]),
    "ndtr": (F.ndtr, [1.0, 0.0]),
    "inv_cloglog": (F.inv_cloglog, [1.0, 0.0]),
    "log_inv_cloglog": (F.log_inv_cloglog, [0.0, -1e4]),
    "exp-free logsumexp": (lambda x: F.logsumexp(x.reshape(1, 2)), [1e4]),
}


@pytest.mark.parametrize("name", STABLE)
def test_stable_at_extreme_inputs(name):
    fn, expected = STABLE[name]
    x = nb.tensor([1e4, -1e4], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            out = fn(x)
            out.sum().backward()
    np.testing.assert_array_equal(out.data.ravel(), expected)
    assert np.all(np.isfinite(x.grad))


def test_softmax_and_log_softmax_at_extreme_inputs():
    x = nb.tensor([[1e4, -1e4, 0.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        np.testing.assert_array_equal(F.softmax(x).data, [[1.0, 0.0, 0.0]])
        np.testing.assert_array_equal(F.log_softmax(x).data, [[0.0, -2e4, -1e4]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.add(nb.tensor(np.ones((2, 3))), np.ones((4,))), r"add: shapes \(2, 3\) and \(4,\)"),
        (lambda: nb.tensor(np.ones((2, 3))) @ nb.tensor(np.ones((2, 3))), r"matmul: shapes \(2, 3\) and \(2, 3\)"),
        (lambda: nb.tensor(np.ones(3)) @ nb.tensor(2.0), "at least one dimension"),
        (lambda: nb.tensor(np.ones(6)).reshape(4, 2), r"reshape: cannot reshape .* \(6,\) into \(4, 2\)"),
        (lambda: nb.tensor(np.ones((2, 3))).transpose(0, 0), "not a permutation"),
        (lambda: nb.tensor(np.ones((2, 3))).sum(axis=2), "axis 2 is out of range"),
        (lambda: F.stack([np.ones(2), np.ones(3)]), r"stack: .* \(2,\), \(3,\)"),
        (lambda: F.concatenate([np.ones((2, 2)), np.ones((3, 3))], axis=1), "concatenate: shapes"),
        (lambda: F.pad(np.ones((2, 3)), ((1, 1), (1, 1), (1, 1))), r"pad: .* 2 axes of \(2, 3\)"),
        (lambda: F.pad(np.ones(3), -1), "must not be negative"),
    ],
)
def test_bad_shapes_name_the_op(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_batched_matmul_gradients_over_broadcast_batches(data):
    """Batch axes that broadcast (numpy's matmul rules): gradients summed back to each input."""
    (batch_a, batch_b), _ = data.draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    m, k, n = (data.draw(st.integers(1, 3)) for _ in range(3))
    vector_a, vector_b = data.draw(st.booleans()), data.draw(st.booleans())
    shape_a = (k,) if vector_a else (*batch_a, m, k)
    shape_b = (k,) if vector_b else (*batch_b, k, n)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    assert nb.gradcheck(F.matmul, a, b)
    np.testing.assert_allclose(F.matmul(a, b).data, np.matmul(a, b), rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_where_gradients_over_broadcast_shapes(data):
    shapes, _ = data.draw(mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    cond = rng.random(size=shapes[0]) > 0.5
    a, b = rng.normal(size=shapes[1]), rng.normal(size=shapes[2])
    assert nb.gradcheck(lambda x, y: F.where(cond, x, y), a, b)
    leaves = [nb.tensor(a, requires_grad=True), nb.tensor(b, requires_grad=True)]
    F.where(cond, *leaves).sum().backward()
    # Each output entry sends its gradient of 1 to exactly one of a and b.
    total = leaves[0].grad.sum() + leaves[1].grad.sum()
    assert total == np.prod(np.broadcast_shapes(*shapes))
