"""The record format of the op table in ``tests/test_ops.py``, and how a record is called.

A `Record` describes one differentiable function of `nnbook.functional`. Its samples
are calls written with placeholders where the differentiable inputs go::

    Sample(In((3, 4)), In((4,), low=0.5), axis=0)     # F.op(x, y, axis=0)
    Sample([In((2, 3)), In((2, 3))], axis=1)           # F.stack([x, y], axis=1)
    Sample(Mask((3, 1)), In((3, 4)), 0.0)              # F.where(cond, x, 0.0)

`In` is a differentiable input (random values in ``[low, high)``, or fixed ones given
by `V`); `Mask` is a random boolean constant; anything else (numbers, lists, arrays,
keyword arguments) is passed to the function as it is written. `Sample.realize` draws
the values and returns a `Call`, which can run the function on tensors (for autodiff),
on arrays (for the numpy reference) or as a function of the inputs alone (for
`nnbook.gradcheck`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import nnbook as nb
from nnbook import functional as F


@dataclass
class In:
    """A differentiable input of ``shape``: uniform in ``[low, high)``, or ``value``.

    With ``grid``, the draws are rounded to multiples of ``grid`` and moved by ``offset``:
    two inputs of a kinked op (``maximum``) on grids offset by half a step can never come
    within a finite-difference step of each other, where no derivative exists.
    """

    shape: tuple[int, ...] = ()
    low: float = -2.0
    high: float = 2.0
    value: Any = None
    grid: float = 0.0
    offset: float = 0.0


def V(value) -> In:
    """A differentiable input holding exactly ``value`` (extreme inputs)."""
    return In(np.shape(value), value=value)


@dataclass
class Mask:
    """A random boolean constant of ``shape``: a condition, or an index."""

    shape: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Slot:
    position: int


def _walk(obj, placeholder: Callable, constant: Callable = lambda c: c):
    """``obj`` rebuilt with each placeholder replaced by ``placeholder(p)``."""
    if isinstance(obj, (In, Mask, _Slot)):
        return placeholder(obj)
    if isinstance(obj, list):
        return [_walk(o, placeholder, constant) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_walk(o, placeholder, constant) for o in obj)
    if isinstance(obj, dict):
        return {k: _walk(v, placeholder, constant) for k, v in obj.items()}
    return constant(obj)


def raw(obj):
    """``obj`` with every Tensor replaced by its data: what a numpy reference is given."""
    if isinstance(obj, nb.Tensor):
        return obj.data
    if isinstance(obj, (list, tuple)):
        return type(obj)(raw(o) for o in obj)
    return obj


class Sample:
    """One call of a record's function: ``fn(*args, **kwargs)``, placeholders filled in."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Sample({', '.join(parts)})"

    def placeholders(self) -> list:
        found = []
        _walk((self.args, self.kwargs), lambda p: found.append(p))
        return found

    def realize(self, rng, dtype=np.float64, shapes=None) -> Call:
        """Draw the values; ``shapes`` (one per placeholder, in order) replaces theirs.

        Float arrays written in the sample are cast to ``dtype`` too; Python numbers,
        lists and integer or boolean arrays are passed as they are written.
        """
        shapes = None if shapes is None else iter(shapes)
        inputs: list[np.ndarray] = []

        def fill(p):
            shape = tuple(p.shape) if shapes is None else tuple(next(shapes))
            if isinstance(p, Mask):
                return rng.random(shape) > 0.5
            if p.value is not None:
                x = np.array(p.value, dtype=dtype)
            else:
                x = np.asarray(rng.uniform(p.low, p.high, size=shape))
                if p.grid:
                    x = np.round(x / p.grid) * p.grid + p.offset
                x = x.astype(dtype)
            inputs.append(x)
            return _Slot(len(inputs) - 1)

        def cast(c):
            if isinstance(c, np.ndarray) and c.dtype.kind == "f":
                return c.astype(dtype)
            return c

        args, kwargs = _walk((self.args, self.kwargs), fill, cast)
        return Call(args, kwargs, inputs)


@dataclass
class Call:
    """A realized sample: the call's arguments, with slots where ``inputs`` go."""

    args: tuple
    kwargs: dict
    inputs: list[np.ndarray]

    def __call__(self, fn: Callable, values):
        """``fn`` called with ``values`` (tensors or arrays) in the inputs' places."""
        values = list(values)
        args, kwargs = _walk((self.args, self.kwargs), lambda s: values[s.position])
        return fn(*args, **kwargs)

    def of(self, fn: Callable) -> Callable:
        """``fn`` as a function of the inputs alone, as `nnbook.gradcheck` takes it."""
        return lambda *values: self(fn, values)

    def reference(self, ref: Callable):
        """The numpy reference on float64 copies of the inputs, tensors unwrapped."""
        values = [x.astype(np.float64) for x in self.inputs]
        args, kwargs = _walk((self.args, self.kwargs), lambda s: values[s.position])
        return ref(*raw(args), **{k: raw(v) for k, v in kwargs.items()})

    def leaves(self, requires_grad: bool = True) -> list[nb.Tensor]:
        return [nb.tensor(x, requires_grad=requires_grad) for x in self.inputs]


@dataclass
class Extreme:
    """An input where naive formulas overflow, with the exact output it must give.

    ``grads``, if given, are the exact gradients of ``out.sum()`` for each input;
    otherwise they need only be finite. ``call`` replaces the record's function (to
    test it inside an expression); ``rtol`` is 0 (exact) unless the exact value is not
    a float.
    """

    sample: Sample
    expected: Any
    grads: list | None = None
    call: Callable | None = None
    dtype: type = np.float64
    rtol: float = 0.0


@dataclass
class Error:
    """A bad call: it raises exactly ``exc``, with a message matching ``match``."""

    sample: Sample
    exc: type
    match: str


def broadcast_shapes(count: int) -> st.SearchStrategy:
    """``count`` mutually broadcastable shapes, small enough for a full gradcheck."""
    return mutually_broadcastable_shapes(num_shapes=count, max_dims=3, max_side=3).map(
        lambda drawn: list(drawn.input_shapes)
    )


@dataclass
class Record:
    """Everything the generic tests need to know about one function of F.

    name : the function's name in `nnbook.functional`.
    samples : calls covering each way the function behaves. The first one is the
        template for shapes drawn by hypothesis, so its inputs must all be placeholders.
    reference : the same computation in numpy, with the function's signature.
    method : the Tensor method or operator that must agree with the function, written
        with the function's signature (``lambda a, b: a @ b``).
    extremes, errors : see `Extreme` and `Error`.
    elementwise : each output entry depends on the same entry of each (broadcast)
        input; the inputs' shapes are then drawn by hypothesis.
    drawn_shapes : a strategy for the template's shapes, for other shape rules.
    rtol, atol : how close the forward pass must be to the reference in float64.
    """

    name: str
    samples: list[Sample]
    reference: Callable
    method: Callable | None = None
    extremes: list[Extreme] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    elementwise: bool = False
    drawn_shapes: st.SearchStrategy | None = None
    rtol: float = 1e-12
    atol: float = 1e-12

    @property
    def fn(self) -> Callable:
        return getattr(F, self.name)

    def shape_strategy(self) -> st.SearchStrategy | None:
        if self.drawn_shapes is not None:
            return self.drawn_shapes
        if self.elementwise:
            return broadcast_shapes(len(self.samples[0].placeholders()))
        return None
