"""The op table: one record per differentiable function of `nnbook.functional`.

Like PyTorch's OpInfo, one table drives every op's tests. A `Record` (its format is in
``tests/optable.py``) gives a function's sample calls, a numpy reference, extreme inputs
with their exact outputs, bad inputs with the error they must raise, and the Tensor
method or operator that must agree with it. Generic tests run over the whole table:

* the gradient against finite differences (`nnbook.gradcheck`, float64), every sample;
* the forward value against the numpy reference, every sample;
* float32 in, float32 out and float32 gradients, Python numbers and list or integer
  targets included;
* no graph under `nnbook.no_grad`;
* the Tensor method agreeing with the function, value and gradient;
* shapes drawn by hypothesis: broadcast shapes for elementwise ops (each gradient
  comes back in its input's shape), numpy's matmul rules for `matmul`;
* extreme inputs: exact outputs and finite gradients, with any overflow, division by
  zero or invalid operation an error. Underflow is allowed: ``σ(-1e4)`` is exactly 0
  only because ``e^{-1e4}`` rounds to 0, which is an underflow;
* bad inputs: exactly the exception type given (not a subclass numpy raised from deep
  inside), with a message matching the regex.

Adding an op is one function in `nnbook.functional` (exported in its ``__all__``) and
one record in `TABLE` below: its name, at least one `Sample` whose inputs are all
placeholders (it is the template for drawn shapes), and a reference that does the same
computation in numpy without calling nnbook (for special functions, an independent
formula, e.g. ``math.erfc``). `test_every_differentiable_function_has_a_record` fails
until the record exists.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from optable import Error, Extreme, In, Mask, Record, V
from optable import Sample as S

import nnbook as nb
from nnbook import functional as F

# -- constants the samples use -------------------------------------------------------

POS = {"low": 0.5, "high": 2.0}
UNIT = {"low": 0.0, "high": 1.0}
MASK = np.array([True, False, True, True])
BOOL_TENSOR = nb.tensor([1.0, 0.0, 0.0, 1.0]) > 0.5  # a boolean Tensor, as comparisons give
LABELS = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
SOFT = np.array([0.2, 0.9, 0.5, 0.0, 1.0])
TARGETS = np.array([0.3, -1.2, 2.0, 0.0, 0.7])
CLASSES = np.array([0, 2, 1, 2])
ROWS = np.linspace(0.5, 1.5, 6).reshape(2, 3)
SQRT2 = math.sqrt(2.0)

# Independent references for the special functions: the C library's erfc, exp, expm1
# and log, one entry at a time. Nothing here shares code with nnbook.numerics.
_erfc = np.vectorize(math.erfc, otypes=[float])
_exp = np.vectorize(math.exp, otypes=[float])
_expm1 = np.vectorize(math.expm1, otypes=[float])
_log = np.vectorize(math.log, otypes=[float])


def _varargs(args: tuple) -> tuple:
    """``f(x, 2, 3)`` and ``f(x, (2, 3))`` mean the same, as for numpy's methods."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def _reduced(losses, reduction):
    return {"sum": np.sum, "mean": np.mean, "none": np.asarray}[reduction](losses)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _ndtr(z):
    return 0.5 * _erfc(-np.asarray(z) / SQRT2)


def _logsumexp(x, axis=-1, keepdims=False):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _logistic_loss(f, y, reduction="sum"):
    y = np.asarray(y, dtype=float)
    return _reduced(y * np.log1p(np.exp(-f)) + (1 - y) * np.log1p(np.exp(f)), reduction)


def _squared_loss(f, y, reduction="sum"):
    return _reduced(0.5 * (np.asarray(y, dtype=float) - f) ** 2, reduction)


def _cross_entropy(z, labels, reduction="mean"):
    labels = np.asarray(labels, dtype=int)
    return _reduced(_logsumexp(z, axis=1) - z[np.arange(len(z)), labels], reduction)


# p(y=1 | f) and p(y=0 | f) under each link, each written directly (no 1 - p).
_LINK_PROBABILITIES = {
    "logit": (_sigmoid, lambda f: _sigmoid(-f)),
    "probit": (_ndtr, lambda f: _ndtr(-f)),
    "cloglog": (lambda f: -_expm1(-_exp(f)), lambda f: _exp(-_exp(f))),
}


def _binary_nll(f, y, link="logit", reduction="sum"):
    y = np.asarray(y, dtype=float)
    p1, p0 = _LINK_PROBABILITIES[link]
    return _reduced(-(y * np.log(p1(f)) + (1 - y) * np.log(p0(f))), reduction)


# -- samples shared by the binary elementwise ops ------------------------------------


# maximum and minimum have a kink where the inputs meet: draw them half a grid step apart.
APART = ({"grid": 0.01}, {"grid": 0.01, "offset": 0.005})


def _binary_samples(a=None, b=None, number=1.5):
    """Broadcasting pairs, a 0-d operand, Python numbers on either side, an ndarray."""
    a, b = a or {}, b or {}
    return [
        S(In((3, 4), **a), In((4,), **b)),
        S(In((2, 3), **a), In((2, 3), **b)),
        S(In((3, 1), **a), In((1, 4), **b)),
        S(In((), **a), In((2, 3), **b)),
        S(In((2, 3), **a), number),
        S(In((2, 3), **a), 2),  # an int takes the tensor's dtype too
        S(number, In((3,), **b)),
        S(np.linspace(0.5, 1.5, 3), In((2, 3), **b)),
    ]


def _shape_error(name: str) -> Error:
    return Error(S(In((2, 3)), In((4,))), ValueError, rf"{name}: shapes \(2, 3\) and \(4,\)")


def _axis_errors(name: str, **kwargs) -> list[Error]:
    """A reduction or softmax given an axis the tensor does not have."""
    return [
        Error(S(In((2, 3)), axis=2, **kwargs), ValueError, rf"{name}: axis 2"),
        Error(S(In((2, 3)), axis=-3, **kwargs), ValueError, rf"{name}: axis -3"),
    ]


def _reduction_samples(**kwargs):
    return [
        S(In((2, 3)), **kwargs),
        S(In((2, 3)), axis=0, **kwargs),
        S(In((2, 3)), 1, **kwargs),  # the axis given by position
        S(In((2, 3, 4)), axis=(0, 2), keepdims=True, **kwargs),
        S(In((2, 3, 4)), axis=(-1, 0), **kwargs),
        S(In((2, 3)), axis=-1, keepdims=True, **kwargs),
        S(In((2, 3)), keepdims=True, **kwargs),
        S(In(()), **kwargs),
    ]


NOT_A_NUMBER = Error(S("a"), TypeError, "real numbers")


@st.composite
def matmul_shapes(draw):
    """numpy's matmul: batch axes that broadcast, and a vector on either side."""
    batches = mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)
    (batch_a, batch_b), _ = draw(batches)
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    shape_a = (k,) if draw(st.booleans()) else (*batch_a, m, k)
    shape_b = (k,) if draw(st.booleans()) else (*batch_b, k, n)
    return [shape_a, shape_b]


# -- the table -----------------------------------------------------------------------

TABLE: list[Record] = [
    # arithmetic
    Record(
        "add", _binary_samples(), np.add, method=lambda a, b: a + b, elementwise=True,
        errors=[_shape_error("add")],
    ),
    Record(
        "sub", _binary_samples(), np.subtract, method=lambda a, b: a - b, elementwise=True,
        errors=[_shape_error("sub")],
    ),
    Record(
        "mul", _binary_samples(), np.multiply, method=lambda a, b: a * b, elementwise=True,
        errors=[_shape_error("mul")],
    ),
    Record(
        "div", _binary_samples(b=POS), np.divide, method=lambda a, b: a / b, elementwise=True,
        errors=[_shape_error("div")],
    ),
    Record(
        "neg", [S(In((2, 3))), S(In(()))], np.negative, method=lambda a: -a, elementwise=True,
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "power",
        _binary_samples(a=POS)
        + [S(In((4,)), 3), S(In((4,)), 2.0), S(In((3,), **POS), 0.5), S(In((3,)), 0)],
        np.power,
        method=lambda a, b: a**b,
        elementwise=True,
        extremes=[
            # d/dx x**0 = 0 everywhere, 0 included (not 0 * 0**-1 = nan)
            Extreme(S(V([0.0, 3.0]), 0), [1.0, 1.0], grads=[[0.0, 0.0]]),
            Extreme(S(V([0.0, 3.0]), np.zeros(2)), [1.0, 1.0], grads=[[0.0, 0.0]]),
            Extreme(S(V([0.0, -2.0]), 2), [0.0, 4.0], grads=[[0.0, -4.0]]),
            Extreme(S(V([0.0, -2.0]), 1), [0.0, -2.0], grads=[[1.0, 1.0]]),
        ],
        errors=[_shape_error("power")],
    ),
    Record(
        "matmul",
        [
            S(In((3, 4)), In((4, 2))),
            S(In((4,)), In((4,))),
            S(In((4,)), In((4, 3))),
            S(In((3, 4)), In((4,))),
            S(In((2, 3, 4)), In((4, 5))),
            S(In((2, 1, 3, 4)), In((3, 4, 2))),
            S(In((4,)), In((2, 4, 3))),
            S(In((2, 3, 4)), In((4,))),
            S(ROWS, In((3,))),  # constant data times a weight vector
            S(In((4, 2)), ROWS),
        ],
        np.matmul,
        method=lambda a, b: a @ b,
        drawn_shapes=matmul_shapes(),
        errors=[
            Error(S(In((2, 3)), In((2, 3))), ValueError, r"matmul: shapes \(2, 3\) and \(2, 3\)"),
            Error(S(In((3,)), In(())), ValueError, "matmul: .*at least one dimension"),
            Error(S(In((2, 3, 4)), In((3, 4, 5))), ValueError,
                  r"matmul: batch shapes of \(2, 3, 4\) and \(3, 4, 5\)"),
        ],
    ),
    Record(
        "linear",
        [S(In((4, 3)), In((2, 3)), In((2,))), S(In((3,)), In((2, 3))), S(In((2, 5, 3)), In((4, 3)), In((4,))),
         S(ROWS, In((1, 3)), In((1,)))],
        lambda x, w, b=None: x @ w.T + (0 if b is None else b),
        errors=[
            Error(S(In((4, 3)), In((2, 4))), ValueError, r"linear: x of shape \(4, 3\) does not fit a weight of shape \(2, 4\)"),
            Error(S(In((4, 3)), In((3,))), ValueError, r"linear: .*the weight must be \(out, in\)"),
            Error(S(In((4, 3)), In((2, 3)), In((3,))), ValueError, r"linear: the bias must have shape \(2,\)"),
        ],
    ),
    Record(
        "exp", [S(In((2, 3))), S(In(()))], np.exp, method=lambda x: x.exp(), elementwise=True,
        extremes=[Extreme(S(V([-1e4, 0.0])), [0.0, 1.0], grads=[[0.0, 1.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "log", [S(In((2, 3), **POS)), S(In((), **POS))], np.log, method=lambda x: x.log(),
        elementwise=True,
        extremes=[Extreme(S(V([1.0, 1e-300])), [0.0, math.log(1e-300)], grads=[[1.0, 1e300]],
                          rtol=1e-15)],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "abs", [S(In((2, 3))), S(In(()))], np.abs, method=lambda x: x.abs(), elementwise=True,
        extremes=[Extreme(S(V([-1e4, 0.0, 2.0])), [1e4, 0.0, 2.0], grads=[[-1.0, 0.0, 1.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "maximum", _binary_samples(*APART, number=0.5), np.maximum, elementwise=True,
        extremes=[  # a tie shares the gradient equally
            Extreme(S(V([1.0, 2.0]), V([1.0, 0.0])), [1.0, 2.0], grads=[[0.5, 1.0], [0.5, 0.0]]),
        ],
        errors=[_shape_error("maximum")],
    ),
    Record(
        "minimum", _binary_samples(*APART, number=0.5), np.minimum, elementwise=True,
        extremes=[
            Extreme(S(V([1.0, 2.0]), V([1.0, 0.0])), [1.0, 0.0], grads=[[0.5, 0.0], [0.5, 1.0]]),
        ],
        errors=[_shape_error("minimum")],
    ),
    Record(
        "where",
        [
            S(Mask((3, 4)), In((3, 4)), In((4,))),
            S(MASK, In((3, 4)), In((4,))),
            S(Mask((2, 3)), In((2, 3)), 0.0),
            S(Mask((3,)), 1.5, In((2, 3))),
            S(BOOL_TENSOR, In((4,)), In(())),
            S(True, In((2,)), In((2,))),
        ],
        lambda c, a, b: np.where(c, a, b),
        elementwise=True,
        extremes=[
            # == is elementwise: the usual guard against a value at a singular point
            Extreme(S(V([0.0, 2.0])), [1.0, 2.0], grads=[[0.0, 1.0]],
                    call=lambda x: F.where(x == 0, 1.0, x)),
            # the double-where guard keeps log's infinite derivative at 0 out of the sum
            Extreme(S(V([0.0, 1.0])), [0.0, 0.0], grads=[[0.0, 1.0]],
                    call=lambda x: F.where(x > 0, F.log(F.where(x > 0, x, 1.0)), 0.0)),
        ],
        errors=[
            Error(S(MASK, In((2, 3)), In((3,))), ValueError,
                  r"where: shapes \(4,\) and \(2, 3\) and \(3,\)"),
        ],
    ),
    # reductions
    Record(
        "sum", _reduction_samples(), np.sum, method=lambda x, *a, **k: x.sum(*a, **k),
        errors=_axis_errors("sum"),
    ),
    Record(
        "mean", _reduction_samples(), np.mean, method=lambda x, *a, **k: x.mean(*a, **k),
        errors=_axis_errors("mean"),
    ),
    Record(
        "max", _reduction_samples(), np.max, method=lambda x, *a, **k: x.max(*a, **k),
        extremes=[  # tied maxima share the gradient
            Extreme(S(V([[1.0, 3.0, 3.0], [0.0, 5.0, 2.0]]), axis=1), [3.0, 5.0],
                    grads=[[[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]]]),
        ],
        errors=_axis_errors("max"),
    ),
    Record(
        "logsumexp",
        [
            S(In((3, 4))),
            S(In((3, 4)), axis=0, keepdims=True),
            S(In((2, 3, 4)), axis=None),
            S(In((2, 3, 4)), (0, 2)),
            S(In((5,))),
        ],
        _logsumexp,
        extremes=[
            Extreme(S(V([1e4, -1e4])), 1e4, grads=[[1.0, 0.0]]),
            Extreme(S(V([[1e4, 1e4], [-1e4, -1e4]])), [1e4 + math.log(2.0), -1e4 + math.log(2.0)],
                    grads=[[[0.5, 0.5], [0.5, 0.5]]]),
            # the gradient is softmax(x), exactly ½ each, however large the tie
            Extreme(S(V([1e15, 1e15])), 1e15 + math.log(2.0), grads=[[0.5, 0.5]]),
        ],
        errors=_axis_errors("logsumexp"),
    ),
    # shape
    Record(
        "reshape",
        [S(In((2, 3)), 3, 2), S(In((2, 3)), (-1,)), S(In((2, 3)), [3, 2]),
         S(In((2, 3, 1)), -1, 3), S(In(()), 1, 1)],
        lambda x, *shape: np.reshape(x, _varargs(shape)),
        method=lambda x, *shape: x.reshape(*shape),
        errors=[Error(S(In((6,)), 4, 2), ValueError,
                      r"reshape: cannot reshape a tensor of shape \(6,\) into \(4, 2\)")],
    ),
    Record(
        "transpose",
        [S(In((2, 3))), S(In((2, 3, 4)), 1, 2, 0), S(In((2, 3, 4)), (2, 0, 1)), S(In(()))],
        lambda x, *axes: np.transpose(x, _varargs(axes) or None),
        method=lambda x, *axes: x.transpose(*axes) if axes else x.T,
        errors=[Error(S(In((2, 3)), 0, 0), ValueError,
                      r"transpose: axes \(0, 0\) are not a permutation")],
    ),
    Record(
        "getitem",
        [
            S(In((3, 4)), 1),
            S(In((3, 4)), -1),
            S(In((3, 4)), (slice(None), slice(1, 3))),
            S(In((5,)), slice(None, None, -2)),
            S(In((3, 4)), [0, 2, 0, 0]),  # repeated rows: their gradients add up
            S(In((4, 2)), MASK),
            S(In((4, 2)), BOOL_TENSOR),
            S(In((3, 4)), ([0, 1, 1], [2, 2, 3])),
            S(In((3, 4)), (np.array([[0], [2]]), np.array([1, 1, 3]))),
            S(In((3, 4)), (Ellipsis, None, 1)),
        ],
        lambda x, index: x[index],
        method=lambda x, index: x[index],
        errors=[Error(S(In((3,)), 5), IndexError, "index 5 is out of bounds")],
    ),
    Record(
        "concatenate",
        [
            S([In((2, 3)), In((2, 1))], axis=1),
            S([In((2,)), In((3,)), In((1,))]),
            S([In((2, 2)), In((2, 3))], axis=-1),
            S([In((1, 3)), In((2, 3))], 0),
        ],
        lambda tensors, axis=0: np.concatenate(tensors, axis=axis),
        errors=[
            Error(S([In((2, 2)), In((3, 3))], axis=1), ValueError,
                  r"concatenate: shapes \(2, 2\), \(3, 3\)"),
            Error(S([In((2,)), In((2,))], axis=5), ValueError, "concatenate: axis 5"),
            Error(S([]), ValueError, "concatenate: .*at least one"),
        ],
    ),
    Record(
        "stack",
        [
            S([In((2, 3)), In((2, 3)), In((2, 3))], axis=1),
            S([In((2,)), In((2,))]),
            S([In((2, 3)), In((2, 3))], axis=-1),
            S([In(()), In(()), In(())]),
        ],
        lambda tensors, axis=0: np.stack(tensors, axis=axis),
        errors=[
            Error(S([In((2,)), In((3,))]), ValueError, r"stack: .*same shape.*\(2,\), \(3,\)"),
            Error(S([In((2,)), In((2,))], axis=5), ValueError, "stack: axis 5"),
            Error(S([]), ValueError, "stack: .*at least one"),
        ],
    ),
    Record(
        "pad",
        [
            S(In((2, 3)), ((1, 0), (2, 1))),
            S(In((2, 2, 3)), 1),
            S(In((3,)), (0, 2)),
            S(In((2, 3)), 0),
        ],
        lambda x, pad_width: np.pad(x, pad_width),
        errors=[
            Error(S(In((2, 3)), ((1, 1), (1, 1), (1, 1))), ValueError,
                  r"pad: .*2 axes of \(2, 3\)"),
            Error(S(In((3,)), -1), ValueError, "pad: .*must not be negative"),
        ],
    ),
    # activations
    Record(
        "sigmoid", [S(In((2, 3), -6, 6)), S(In(()))], _sigmoid, method=lambda x: x.sigmoid(),
        elementwise=True,
        extremes=[
            Extreme(S(V([1e4, -1e4, 0.0])), [1.0, 0.0, 0.5], grads=[[0.0, 0.0, 0.25]]),
            Extreme(S(V([1e4, -1e4, 0.0])), [1.0, 0.0, 0.5], grads=[[0.0, 0.0, 0.25]],
                    dtype=np.float32),
        ],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "tanh", [S(In((2, 3))), S(In(()))], np.tanh, method=lambda x: x.tanh(), elementwise=True,
        extremes=[Extreme(S(V([1e4, -1e4, 0.0])), [1.0, -1.0, 0.0], grads=[[0.0, 0.0, 1.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "relu", [S(In((2, 3))), S(In(()))], lambda x: np.maximum(x, 0.0),
        method=lambda x: x.relu(), elementwise=True,
        extremes=[Extreme(S(V([1e4, -1e4, 0.0])), [1e4, 0.0, 0.0], grads=[[1.0, 0.0, 0.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "softplus", [S(In((2, 3), -6, 6)), S(In(()))], lambda x: np.log1p(np.exp(x)),
        elementwise=True,
        extremes=[
            Extreme(S(V([1e4, -1e4])), [1e4, 0.0], grads=[[1.0, 0.0]]),
            Extreme(S(V([1e4, -1e4])), [1e4, 0.0], grads=[[1.0, 0.0]], dtype=np.float32),
        ],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "log_sigmoid", [S(In((2, 3), -6, 6)), S(In(()))], lambda x: -np.log1p(np.exp(-x)),
        elementwise=True,
        extremes=[Extreme(S(V([1e4, -1e4])), [0.0, -1e4], grads=[[0.0, 1.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "softmax",
        [S(In((3, 4))), S(In((3, 4)), axis=0), S(In((2, 3, 4)), 1), S(In((5,)))],
        lambda x, axis=-1: np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True),
        extremes=[
            Extreme(S(V([[1e4, -1e4, 0.0]])), [[1.0, 0.0, 0.0]], grads=[[[0.0, 0.0, 0.0]]]),
            Extreme(S(V([[1e4, -1e4, 0.0]])), [[1.0, 0.0, 0.0]], grads=[[[0.0, 0.0, 0.0]]],
                    dtype=np.float32),
        ],
        errors=_axis_errors("softmax"),
    ),
    Record(
        "log_softmax",
        [S(In((3, 4))), S(In((3, 4)), axis=0), S(In((2, 3, 4)), 1), S(In((5,)))],
        lambda x, axis=-1: x - _logsumexp(x, axis=axis, keepdims=True),
        extremes=[
            # the gradient of the sum: 1 - 3 softmax(x)
            Extreme(S(V([[1e4, -1e4, 0.0]])), [[0.0, -2e4, -1e4]], grads=[[[-2.0, 1.0, 1.0]]]),
            Extreme(S(V([[1e4, -1e4, 0.0]])), [[0.0, -2e4, -1e4]], grads=[[[-2.0, 1.0, 1.0]]],
                    dtype=np.float32),
        ],
        errors=_axis_errors("log_softmax"),
    ),
    # losses and penalties
    Record(
        "logistic_loss",
        [
            S(In((5,), -4, 4), LABELS),
            S(In((5,)), LABELS, reduction="mean"),
            S(In((5,)), SOFT, "none"),
            S(In((2, 3)), [[1, 0, 1], [0, 0, 1]]),  # a list of ints
            S(In((5,)), np.array([1, 0, 0, 1, 1])),  # an integer array
            S(In(()), 1),  # an int
            S(In((5,)), In((5,), **UNIT)),  # soft labels that are fitted too
        ],
        _logistic_loss,
        extremes=[
            Extreme(S(V([1e4, -1e4, 1e4, -1e4]), [1.0, 0.0, 0.0, 1.0], reduction="none"),
                    [0.0, 0.0, 1e4, 1e4], grads=[[0.0, 0.0, 1.0, -1.0]]),
        ],
        errors=[
            Error(S(In((3,)), np.ones(4)), ValueError, r"logistic_loss: .*\(3,\).*\(4,\)"),
            Error(S(In((3,)), np.ones(3), reduction="avg"), ValueError,
                  "logistic_loss: reduction must be one of"),
        ],
    ),
    Record(
        "squared_loss",
        [
            S(In((5,)), TARGETS),
            S(In((5,)), TARGETS, reduction="mean"),
            S(In((5,)), TARGETS, "none"),
            S(In((3,)), [1, 2, 3]),
            S(In(()), 2),
            S(In((2, 3)), In((2, 3))),  # both sides differentiable
        ],
        _squared_loss,
        errors=[
            Error(S(In((3, 1)), np.ones(3)), ValueError, r"squared_loss: .*\(3, 1\).*\(3,\)"),
            Error(S(In((3,)), np.ones(3), reduction="avg"), ValueError,
                  "squared_loss: reduction must be one of"),
        ],
    ),
    Record(
        "cross_entropy",
        [
            S(In((4, 3)), CLASSES),
            S(In((4, 3)), CLASSES, reduction="sum"),
            S(In((4, 3)), CLASSES, "none"),
            S(In((3, 5), -4, 4), [4, 0, 4]),
            S(In((1, 2)), np.array([1.0])),  # integer-valued floats are indices too
        ],
        _cross_entropy,
        extremes=[
            Extreme(S(V([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]]), [0, 1], reduction="none"),
                    [0.0, 2e4], grads=[[[0.0, 0.0, 0.0], [1.0, -1.0, 0.0]]]),
        ],
        errors=[
            Error(S(In((2, 3)), [0, 3]), ValueError, r"cross_entropy: labels must lie in 0..2"),
            Error(S(In((2, 3)), [0, -1]), ValueError, r"cross_entropy: labels must lie in 0..2"),
            Error(S(In((2, 3)), [0.5, 1]), ValueError, "cross_entropy: .*integer class indices"),
            Error(S(In((2, 3)), [0, 1, 2]), ValueError,
                  r"cross_entropy: labels must have shape \(2,\)"),
            Error(S(In((3,)), [0]), ValueError, r"cross_entropy: logits must have shape \(N, C\)"),
            Error(S(In((2, 3)), [0, 1], reduction="avg"), ValueError,
                  "cross_entropy: reduction must be one of"),
        ],
    ),
    Record(
        "l1_penalty",
        [S([In((2, 3)), In((3,))]), S([In(())]), S((In((2, 2)), In((1,)), In((3,))))],
        lambda params: np.sum([np.abs(p).sum() for p in params]),
        extremes=[
            Extreme(S([]), 0.0),  # no parameters, no penalty: a 0-d zero
            Extreme(S([V([0.0, -1e4]), V(3.0)]), 10003.0, grads=[[0.0, -1.0], 1.0]),
        ],
    ),
    Record(
        "l2_penalty",
        [S([In((2, 3)), In((3,))]), S([In(())]), S((In((2, 2)), In((1,)), In((3,))))],
        lambda params: 0.5 * np.sum([(p * p).sum() for p in params]),
        extremes=[Extreme(S([]), 0.0), Extreme(S([V([0.0, -3.0])]), 4.5, grads=[[0.0, -3.0]])],
    ),
    # links
    Record(
        "ndtr", [S(In((2, 3), -8, 8)), S(In(()))], _ndtr, elementwise=True, rtol=1e-13,
        extremes=[
            Extreme(S(V([1e4, -1e4])), [1.0, 0.0], grads=[[0.0, 0.0]]),
            Extreme(S(V([0.0])), [0.5]),
            Extreme(S(V([1e4, -1e4])), [1.0, 0.0], grads=[[0.0, 0.0]], dtype=np.float32),
        ],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "log_ndtr", [S(In((2, 3), -30, 6)), S(In(()))], lambda z: np.log(_ndtr(z)),
        elementwise=True, rtol=1e-13,
        extremes=[
            Extreme(S(V([1e4, 0.0])), [0.0, -math.log(2.0)], grads=[[0.0, math.sqrt(2 / math.pi)]],
                    rtol=1e-15),
            # ln Φ(x) = -x²/2 - ln(-x) - ½ ln 2π - 1/x² + …, and its slope -x - 1/x + …
            Extreme(S(V([-1e4])), [-5e7 - math.log(1e4) - 0.5 * math.log(2 * math.pi) - 1e-8],
                    grads=[[1e4 + 1e-4]], rtol=1e-15),
        ],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "inv_cloglog", [S(In((2, 3), -6, 3)), S(In(()))], lambda z: -_expm1(-_exp(z)),
        elementwise=True, rtol=1e-13,
        extremes=[Extreme(S(V([1e4, -1e4])), [1.0, 0.0], grads=[[0.0, 0.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "log_inv_cloglog", [S(In((2, 3), -30, 4)), S(In(()))],
        lambda z: _log(-_expm1(-_exp(z))),
        elementwise=True, rtol=1e-13,
        extremes=[Extreme(S(V([1e4, -1e4])), [0.0, -1e4], grads=[[0.0, 1.0]])],
        errors=[NOT_A_NUMBER],
    ),
    Record(
        "binary_nll",
        [
            S(In((5,), -3, 3), LABELS, link)
            for link in F.LINKS
        ] + [
            S(In((5,), -3, 3), SOFT, link="probit", reduction="mean"),
            S(In((5,), -3, 3), SOFT, "cloglog", "none"),
            S(In((5,), -3, 3), SOFT, "logit", "none"),
            S(In((2, 3), -3, 3), [[1, 0, 1], [0, 0, 1]], "probit"),
            S(In((2, 3), -3, 3), [[1, 0, 1], [0, 0, 1]], "cloglog"),
            S(In((5,), -3, 3), np.array([1, 0, 0, 1, 1]), "logit", reduction="mean"),
        ],
        _binary_nll,
        rtol=1e-11,
        extremes=[
            Extreme(S(V([1e4, -1e4, 1e4, -1e4]), [1.0, 0.0, 0.0, 1.0], "logit", reduction="none"),
                    [0.0, 0.0, 1e4, 1e4], grads=[[0.0, 0.0, 1.0, -1.0]]),
            Extreme(S(V([1e4, -1e4]), [1.0, 0.0], "probit", reduction="none"), [0.0, 0.0],
                    grads=[[0.0, 0.0]]),
            Extreme(S(V([-1e4]), [1.0], "probit", reduction="none"),
                    [5e7 + math.log(1e4) + 0.5 * math.log(2 * math.pi) + 1e-8],
                    grads=[[-1e4 - 1e-4]], rtol=1e-15),
            Extreme(S(V([1e4, -1e4]), [1.0, 0.0], "cloglog", reduction="none"), [0.0, 0.0],
                    grads=[[0.0, 0.0]]),
            Extreme(S(V([-1e4]), [1.0], "cloglog", reduction="none"), [1e4], grads=[[-1.0]]),
        ],
        errors=[
            Error(S(In((3,)), np.ones(3), "tanh"), ValueError,
                  r"binary_nll: link must be one of \('logit', 'probit', 'cloglog'\), got 'tanh'"),
            Error(S(In((3,)), [0.0, 1.0, 2.0], "probit"), ValueError,
                  r"binary_nll: labels y must lie in \[0, 1\]"),
            Error(S(In((3,)), np.ones(4), "cloglog"), ValueError, r"binary_nll: .*\(3,\).*\(4,\)"),
        ] + [
            Error(S(In((3,)), np.ones(3), link, reduction="avg"), ValueError,
                  "binary_nll: reduction must be one of")
            for link in F.LINKS
        ],
    ),
]


def _dropout(x, p=0.5, training=True, rng=None):
    keep = np.random.default_rng(rng).random(np.shape(x)) >= p
    return x * keep / (1 - p)


def _gaussian_noise(x, std, training=True, rng=None):
    return x + np.random.default_rng(rng).normal(0.0, std, size=np.shape(x))


# Random ops: each sample passes an int seed as rng, so every call draws the same mask
# or noise, and the op is a fixed function of x that finite differences can check.
NOISE = [
    Record(
        "dropout",
        [S(In((3, 4)), 0.5, rng=0), S(In((2, 3)), p=0.2, rng=1), S(In((50,)), 0.9, True, 2)],
        _dropout,
        extremes=[  # no dropping, or evaluation mode: the identity
            Extreme(S(V([1e4, -2.0]), 0.0, rng=0), [1e4, -2.0], grads=[[1.0, 1.0]]),
            Extreme(S(V([1e4, -2.0]), 0.9, training=False), [1e4, -2.0], grads=[[1.0, 1.0]]),
        ],
        errors=[
            Error(S(In((3,)), 1.0), ValueError, r"dropout: p .*must be in \[0, 1\)"),
            Error(S(In((3,)), -0.1), ValueError, r"dropout: p .*must be in \[0, 1\)"),
            Error(S(In((3,)), True), TypeError, "dropout: p must be a real number"),
        ],
    ),
    Record(
        "gaussian_noise",
        [S(In((3, 4)), 0.5, rng=0), S(In((2,)), std=2.0, rng=1), S(In(()), 0.1, True, 3)],
        _gaussian_noise,
        extremes=[
            Extreme(S(V([1e4, -2.0]), 0.0, rng=0), [1e4, -2.0], grads=[[1.0, 1.0]]),
            Extreme(S(V([1e4, -2.0]), 3.0, training=False), [1e4, -2.0], grads=[[1.0, 1.0]]),
        ],
        errors=[
            Error(S(In((3,)), -1.0), ValueError, "gaussian_noise: std .*>= 0"),
            Error(S(In((3,)), float("nan")), ValueError, "gaussian_noise: std .*finite"),
            Error(S(In((3,)), "a"), TypeError, "gaussian_noise: std must be a real number"),
        ],
    ),
]
TABLE += NOISE


def _pairs(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def _conv2d(x, w, b=None, stride=1, padding=0):
    """The definition, one output pixel at a time (a reference, not the implementation)."""
    (sh, sw), (ph, pw) = _pairs(stride), _pairs(padding)
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    O, C, kh, kw = w.shape
    Ho, Wo = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], O, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.einsum("ncab,ocab->no", patch, w)
    return out if b is None else out + np.asarray(b)[None, :, None, None]


def _max_pool2d(x, kernel_size, stride=None):
    (kh, kw) = _pairs(kernel_size)
    (sh, sw) = (kh, kw) if stride is None else _pairs(stride)
    Ho, Wo = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    out = np.zeros(x.shape[:2] + (Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
    return out


IMAGES = [
    Record(
        "conv2d",
        [
            S(In((2, 3, 5, 5)), In((4, 3, 3, 3)), In((4,))),
            S(In((1, 2, 6, 5)), In((3, 2, 3, 2)), stride=2, padding=1),
            S(In((2, 1, 4, 4)), In((2, 1, 2, 2)), None, (1, 2), (0, 1)),
            S(np.linspace(-1, 1, 2 * 25).reshape(2, 1, 5, 5), In((2, 1, 3, 3)), In((2,)), padding=1),
        ],
        _conv2d,
        extremes=[  # a kernel larger than the image, once padded: one output per example
            Extreme(S(V(np.ones((1, 1, 2, 2))), V(np.ones((1, 1, 4, 4))), padding=1), [[[[4.0]]]],
                    grads=[np.ones((1, 1, 2, 2)), [[[[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]]]]),
        ],
        errors=[
            Error(S(In((3, 5, 5)), In((2, 3, 3, 3))), ValueError, r"conv2d: the input must have shape \(N, C, H, W\)"),
            Error(S(In((1, 3, 5, 5)), In((2, 3, 3))), ValueError, r"conv2d: the weight must have shape \(O, C, kh, kw\)"),
            Error(S(In((1, 2, 5, 5)), In((4, 3, 3, 3))), ValueError,
                  r"conv2d: the input has 2 channels .* the weight of shape \(4, 3, 3, 3\) expects 3"),
            Error(S(In((1, 1, 2, 2)), In((1, 1, 3, 3))), ValueError,
                  r"conv2d: the kernel \(3, 3\) is larger than the padded input \(2, 2\)"),
            Error(S(In((1, 1, 5, 5)), In((2, 1, 3, 3)), In((3,))), ValueError,
                  r"conv2d: the bias must have shape \(2,\)"),
            Error(S(In((1, 1, 5, 5)), In((2, 1, 3, 3)), stride=0), ValueError, "conv2d: stride must be an int >= 1"),
            Error(S(In((1, 1, 5, 5)), In((2, 1, 3, 3)), padding=-1), ValueError, "conv2d: padding must be an int >= 0"),
        ],
    ),
    Record(
        "max_pool2d",
        [S(In((2, 3, 4, 6)), 2), S(In((1, 2, 5, 5)), 3, 1), S(In((2, 1, 4, 6)), (2, 3), (1, 2)),
         S(In((1, 2, 5, 7)), 2)],  # the last row and column in no window: gradient 0
        _max_pool2d,
        extremes=[  # ties: the first entry of the window in row-major order takes the gradient
            Extreme(S(V(np.ones((1, 1, 2, 2))), 2), [[[[1.0]]]], grads=[[[[[1.0, 0.0], [0.0, 0.0]]]]]),
            Extreme(S(V([[[[1e4, -1e4, 0.0, 3.0]]]]), (1, 2)), [[[[1e4, 3.0]]]],
                    grads=[[[[[1.0, 0.0, 0.0, 1.0]]]]]),
        ],
        errors=[
            Error(S(In((4, 4)), 2), ValueError, r"max_pool2d: the input must have shape \(N, C, H, W\)"),
            Error(S(In((1, 1, 3, 3)), 4), ValueError, r"max_pool2d: the window \(4, 4\) is larger"),
            Error(S(In((1, 1, 4, 4)), 0), ValueError, "max_pool2d: kernel_size must be an int >= 1"),
        ],
    ),
]
TABLE += IMAGES


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _lstm_cell(a, c):
    i, f, g, o = np.split(a, 4, axis=1)
    c_next = _sig(f) * c + _sig(i) * np.tanh(g)
    return np.concatenate([_sig(o) * np.tanh(c_next), c_next], axis=1)


def _gru_cell(a, b, h):
    (ar, az, an), (br, bz, bn) = np.split(a, 3, axis=1), np.split(b, 3, axis=1)
    r, z = _sig(ar + br), _sig(az + bz)
    return (1 - z) * np.tanh(an + r * bn) + z * h


GATES = [
    Record(
        "lstm_cell", [S(In((3, 8)), In((3, 2))), S(In((1, 4), -6, 6), In((1, 1)))], _lstm_cell,
        extremes=[  # saturated gates: forget everything, write g = 1, show it
            Extreme(S(V([[1e4, -1e4, 1e4, 1e4]]), V([[5.0]])), [[math.tanh(1.0), 1.0]]),
        ],
        errors=[
            Error(S(In((3, 7)), In((3, 2))), ValueError, r"lstm_cell: the gates must have shape \(N, 4·H\)"),
            Error(S(In((3, 8)), In((3, 3))), ValueError, r"lstm_cell: the cell state must have shape \(3, 2\)"),
        ],
    ),
    Record(
        "gru_cell", [S(In((3, 6)), In((3, 6)), In((3, 2))), S(In((1, 3), -6, 6), In((1, 3)), In((1, 1)))],
        _gru_cell,
        extremes=[  # update gate shut (z = 1): the state passes unchanged
            Extreme(S(V([[0.0, 1e4, 0.0]]), V([[0.0, 0.0, 0.0]]), V([[0.7]])), [[0.7]]),
        ],
        errors=[
            Error(S(In((3, 5)), In((3, 6)), In((3, 2))), ValueError, r"gru_cell: the gates must have shape \(N, 3·H\)"),
            Error(S(In((3, 6)), In((3, 6)), In((2, 2))), ValueError, "gru_cell: the gates .* do not fit"),
        ],
    ),
]


def _lstm_sequence(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
    bias = 0 if b_ih is None else b_ih + b_hh
    steps = []
    for t in range(x.shape[1]):  # the cell's reference, chained
        hc = _lstm_cell(x[:, t] @ w_ih.T + h @ w_hh.T + bias, c)
        h, c = np.split(hc, 2, axis=1)
        steps.append(hc)
    return np.stack(steps, axis=1)


def _gru_sequence(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    b_ih, b_hh = (0, 0) if b_ih is None else (b_ih, b_hh)
    steps = []
    for t in range(x.shape[1]):
        h = _gru_cell(x[:, t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh, h)
        steps.append(h)
    return np.stack(steps, axis=1)


SEQUENCES = [
    Record(
        "lstm_sequence",
        [S(In((2, 3, 2)), In((2, 2)), In((2, 2)), In((8, 2)), In((8, 2)), In((8,)), In((8,))),
         S(In((1, 4, 1)), In((1, 1)), In((1, 1)), In((4, 1), -3, 3), In((4, 1), -3, 3))],
        _lstm_sequence,
        extremes=[  # input and forget gates saturated open, the cell gate at +1: c counts the steps
            Extreme(S(V(np.ones((1, 2, 1))), V([[0.0]]), V([[0.0]]), V([[1e4], [1e4], [1e4], [-1e4]]),
                      V(np.zeros((4, 1)))), [[[0.0, 1.0], [0.0, 2.0]]]),
        ],
        errors=[
            Error(S(In((2, 3)), In((2, 2)), In((2, 2)), In((8, 2)), In((8, 2))), ValueError,
                  r"lstm_sequence: the input must have shape \(N, T, 2\) with T >= 1"),
            Error(S(In((2, 0, 2)), In((2, 2)), In((2, 2)), In((8, 2)), In((8, 2))), ValueError,
                  r"lstm_sequence: the input must have shape \(N, T, 2\) with T >= 1"),
            Error(S(In((2, 3, 2)), In((2, 2)), In((2, 2)), In((8, 2)), In((8, 3))), ValueError,
                  r"lstm_sequence: the weights must be weight_ih \(4·H, D\) and weight_hh \(4·H, H\)"),
            Error(S(In((2, 3, 2)), In((2, 2)), In((1, 2)), In((8, 2)), In((8, 2))), ValueError,
                  r"lstm_sequence: an initial state must have shape \(2, 2\), got \(1, 2\)"),
            Error(S(In((2, 3, 2)), In((2, 2)), In((2, 2)), In((8, 2)), In((8, 2)), In((8,))), ValueError,
                  "lstm_sequence: give both biases"),
            Error(S(In((2, 3, 2)), In((2, 2)), In((2, 2)), In((8, 2)), In((8, 2)), In((8,)), In((4,))),
                  ValueError, r"lstm_sequence: a bias must have shape \(8,\), got \(4,\)"),
        ],
        rtol=1e-11,
    ),
    Record(
        "gru_sequence",
        [S(In((2, 3, 2)), In((2, 2)), In((6, 2)), In((6, 2)), In((6,)), In((6,))),
         S(In((1, 4, 1)), In((1, 1)), In((3, 1), -3, 3), In((3, 1), -3, 3))],
        _gru_sequence,
        extremes=[  # the update gate shut (z = 1) at every step: the state passes unchanged
            Extreme(S(V(np.ones((1, 2, 1))), V([[0.7]]), V([[0.0], [1e4], [0.0]]), V(np.zeros((3, 1)))),
                    [[[0.7], [0.7]]]),
        ],
        errors=[
            Error(S(In((2, 3, 4)), In((2, 2)), In((6, 2)), In((6, 2))), ValueError,
                  r"gru_sequence: the input must have shape \(N, T, 2\)"),
            Error(S(In((2, 3, 2)), In((2, 2)), In((5, 2)), In((6, 2))), ValueError,
                  r"gru_sequence: the weights must be weight_ih \(3·H, D\)"),
            Error(S(In((2, 3, 2)), In((3, 2)), In((6, 2)), In((6, 2))), ValueError,
                  r"gru_sequence: an initial state must have shape \(2, 2\)"),
        ],
        rtol=1e-11,
    ),
]
TABLE += GATES + SEQUENCES

RECORDS = {record.name: record for record in TABLE}
# Public names of F that are not differentiable functions of tensors.
NOT_DIFFERENTIABLE = {"PRIMITIVES", "LINKS", "primitive"}

SAMPLES = [
    pytest.param(r, s, id=f"{r.name}-{i}") for r in TABLE for i, s in enumerate(r.samples)
]
METHOD_SAMPLES = [
    pytest.param(r, s, id=f"{r.name}-{i}")
    for r in TABLE if r.method for i, s in enumerate(r.samples)
]
EXTREMES = [
    pytest.param(r, e, id=f"{r.name}-{i}") for r in TABLE for i, e in enumerate(r.extremes)
]
ERRORS = [
    pytest.param(r, e, id=f"{r.name}-{i}") for r in TABLE for i, e in enumerate(r.errors)
]
DRAWN = [pytest.param(r, id=r.name) for r in TABLE if r.shape_strategy() is not None]


# -- the table covers F --------------------------------------------------------------


def test_every_differentiable_function_has_a_record():
    public = set(F.__all__) - NOT_DIFFERENTIABLE
    missing = sorted(public - set(RECORDS))
    assert not missing, f"add a record to TABLE in tests/test_ops.py for: {missing}"
    stale = sorted(set(RECORDS) - public)
    assert not stale, f"records for names nnbook.functional does not export: {stale}"
    assert set(F.PRIMITIVES) <= set(RECORDS)
    for name, fn in F.PRIMITIVES.items():
        assert getattr(F, name) is fn, f"F.PRIMITIVES[{name!r}] is not F.{name}"


def test_registering_a_taken_name_raises():
    from nnbook.functional.registry import primitive

    def mul(a, b):
        return F.mul(a, b)

    before = dict(F.PRIMITIVES)
    with pytest.raises(ValueError, match="already registered"):
        primitive(mul)
    assert F.PRIMITIVES == before and F.PRIMITIVES["mul"] is F.mul


# -- generic tests over every sample -------------------------------------------------


@pytest.mark.parametrize("record, sample", SAMPLES)
def test_gradient_matches_finite_differences(record, sample):
    call = sample.realize(np.random.default_rng(0))
    assert nb.gradcheck(call.of(record.fn), *call.inputs)


@pytest.mark.parametrize("record, sample", SAMPLES)
def test_forward_matches_the_numpy_reference(record, sample):
    call = sample.realize(np.random.default_rng(1))
    out = call(record.fn, call.leaves(requires_grad=False))
    want = np.asarray(call.reference(record.reference))
    assert isinstance(out, nb.Tensor) and type(out.data) is np.ndarray  # 0-d, not np.float64
    assert out.shape == want.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.data, want, rtol=record.rtol, atol=record.atol)


@pytest.mark.parametrize("record, sample", SAMPLES)
def test_float32_stays_float32_forward_and_backward(record, sample):
    call = sample.realize(np.random.default_rng(2), dtype=np.float32)
    leaves = call.leaves()
    out = call(record.fn, leaves)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, call.reference(record.reference), rtol=1e-5, atol=1e-5)
    weights = np.asarray(np.random.default_rng(3).uniform(0.5, 1.5, size=out.shape), np.float32)
    (out * weights).sum().backward()
    for leaf in leaves:
        assert leaf.grad.dtype == np.float32 and leaf.grad.shape == leaf.shape
        assert type(leaf.grad) is np.ndarray


@pytest.mark.parametrize("record, sample", SAMPLES)
def test_no_graph_under_no_grad(record, sample):
    call = sample.realize(np.random.default_rng(4))
    assert call(record.fn, call.leaves()).requires_grad  # recorded when enabled
    with nb.no_grad():
        out = call(record.fn, call.leaves())
    assert not out.requires_grad and out.is_leaf
    constant = call(record.fn, call.leaves(requires_grad=False))
    assert not constant.requires_grad and constant.is_leaf


@pytest.mark.parametrize("record, sample", METHOD_SAMPLES)
def test_tensor_method_agrees_with_the_function(record, sample):
    call = sample.realize(np.random.default_rng(5))
    by_function, by_method = call.leaves(), call.leaves()
    a, b = call(record.fn, by_function), call(record.method, by_method)
    assert isinstance(b, nb.Tensor) and b.shape == a.shape and b.dtype == a.dtype
    np.testing.assert_array_equal(b.data, a.data)
    weights = np.random.default_rng(6).normal(size=a.shape)
    (a * weights).sum().backward()
    (b * weights).sum().backward()
    for x, y in zip(by_function, by_method):
        np.testing.assert_array_equal(y.grad, x.grad)


# -- extremes and errors ----------------------------------------------------------------


@pytest.mark.parametrize("record, extreme", EXTREMES)
def test_extreme_inputs_give_exact_outputs_and_finite_gradients(record, extreme):
    call = extreme.sample.realize(np.random.default_rng(7), dtype=extreme.dtype)
    leaves = call.leaves()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            out = call(extreme.call or record.fn, leaves)
            assert out.requires_grad == bool(leaves)
            if leaves:
                out.sum().backward()
    expected = np.asarray(extreme.expected, dtype=np.float64)
    assert out.dtype == extreme.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=extreme.rtol, atol=0)
    for k, leaf in enumerate(leaves):
        assert np.all(np.isfinite(leaf.grad)), f"input {k}: gradient {leaf.grad}"
        if extreme.grads is not None:
            np.testing.assert_allclose(leaf.grad, extreme.grads[k], rtol=extreme.rtol, atol=0)


@pytest.mark.parametrize("record, error", ERRORS)
def test_bad_input_raises_an_error_that_says_why(record, error):
    call = error.sample.realize(np.random.default_rng(8))
    callers = [record.fn]
    if record.method and isinstance(error.sample.args[0], In):
        callers.append(record.method)  # x.sum(axis=2) says the same as F.sum(x, axis=2)
    for fn in callers:
        with pytest.raises(error.exc, match=error.match) as raised:
            call(fn, call.leaves())
        assert raised.type is error.exc, f"{raised.type.__name__}, not {error.exc.__name__}"


# -- shapes drawn by hypothesis -----------------------------------------------------------


@pytest.mark.parametrize("record", DRAWN)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_gradients_over_drawn_shapes(record, data):
    """Any shapes the op accepts: gradients right, and each in its input's shape."""
    shapes = data.draw(record.shape_strategy(), label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    call = record.samples[0].realize(np.random.default_rng(seed), shapes=shapes)
    assert nb.gradcheck(call.of(record.fn), *call.inputs)
    leaves = call.leaves()
    out = call(record.fn, leaves)
    want = np.asarray(call.reference(record.reference))
    assert out.shape == want.shape
    np.testing.assert_allclose(out.data, want, rtol=record.rtol, atol=record.atol)
    out.sum().backward()
    assert [leaf.grad.shape for leaf in leaves] == [x.shape for x in call.inputs]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_where_sends_each_entry_gradient_to_one_input(data):
    record = RECORDS["where"]
    shapes = data.draw(record.shape_strategy(), label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    call = record.samples[0].realize(np.random.default_rng(seed), shapes=shapes)
    leaves = call.leaves()
    F.where(*call.args[:1], *leaves).sum().backward()
    # Each output entry sends its gradient of 1 to exactly one of a and b.
    total = leaves[0].grad.sum() + leaves[1].grad.sum()
    assert total == np.prod(np.broadcast_shapes(*shapes))


# -- comparisons: elementwise, boolean, no gradient ------------------------------------------

COMPARISONS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


@pytest.mark.parametrize("symbol", COMPARISONS)
def test_comparisons_are_elementwise_without_gradient(symbol):
    compare = COMPARISONS[symbol]
    x = nb.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    for other in [nb.tensor([0.0, 0.0, 3.0]), 0.0, np.array([[0.0], [2.0]])]:
        values = other.data if isinstance(other, nb.Tensor) else other
        for out, want in [
            (compare(x, other), compare(x.data, values)),
            (compare(other, x), compare(values, x.data)),  # the reflected operator
        ]:
            assert isinstance(out, nb.Tensor) and out.dtype == bool and not out.requires_grad
            np.testing.assert_array_equal(out.data, want)
    # Still hashed by identity: two tensors holding equal values are two keys.
    same = nb.tensor(1.0)
    assert len({same, nb.tensor(1.0)}) == 2 and {same: 1}[same] == 1


def test_max_pool2d_propagates_nan_as_pytorch_does():
    """A NaN anywhere in a window makes its maximum NaN, and takes the window's gradient."""
    x = nb.tensor([[[[1.0, np.nan, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]]]], requires_grad=True)
    v = F.max_pool2d(x, 2)
    assert np.isnan(v.data[0, 0, 0, 0]) and v.data[0, 0, 0, 1] == 2.0
    v.backward(np.array([[[[1.0, 10.0]]]]))
    np.testing.assert_array_equal(x.grad, [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 10.0, 0.0]]]])
    torch = pytest.importorskip("torch")
    t = torch.tensor(x.data, requires_grad=True)
    torch.nn.functional.max_pool2d(t, 2).backward(torch.tensor([[[[1.0, 10.0]]]], dtype=t.dtype))
    np.testing.assert_array_equal(t.grad.numpy(), x.grad)
