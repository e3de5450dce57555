r"""Fitting a model: the loop every chapter from *Fitting* on runs, and what it records.

One step of fitting is always the same five lines — zero the gradients, compute the
output, the loss, its gradient, and let the optimiser move the parameters:

```python
optimizer.zero_grad()
loss = loss_fn(model(X_batch), y_batch)
loss.backward()
optimizer.step()
```

`fit` runs that step over seeded mini-batches for a number of epochs and returns a
`History`: the loss of every step and the mean of every epoch, a validation metric
per epoch if asked for, and the wall time. It stops with an error that names the epoch
and the batch as soon as the loss is not finite, because every later step would be
garbage. `random_restarts` fits the same problem from several seeds and returns every
run, so that the spread of the results can be looked at, not just the best of them.

A progress bar is shown only when asked for (``progress=True``), and needs the
optional ``tqdm`` package (``pip install "nnbook[examples]"``); it writes to stderr, so
it never enters a doctest's output.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from nnbook.autodiff import Tensor, as_tensor, no_grad
from nnbook.checks import positive_int
from nnbook.data import minibatches
from nnbook.rng import get_rng

__all__ = ["History", "fit", "evaluate", "accuracy", "random_restarts"]


@dataclass
class History:
    """What `fit` recorded, one entry per epoch or per step.

    Attributes
    ----------
    loss : list of float
        The mean training loss of each epoch (the mean of its steps' losses, each taken
        before that step's update).
    step_loss : list of float
        The training loss of every step, in order.
    metric : list of float
        The validation metric after each epoch; empty if `fit` had no validation set.
    seconds : list of float
        The wall time of each epoch.

    Examples
    --------
    >>> from nnbook.train import History
    >>> h = History(loss=[1.0, 0.5], step_loss=[1.2, 0.8, 0.6, 0.4])
    >>> h.epochs, h.steps, h.final_loss
    (2, 4, 0.5)
    """

    loss: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    metric: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """How many epochs were run."""
        return len(self.loss)

    @property
    def steps(self) -> int:
        """How many optimiser steps were taken."""
        return len(self.step_loss)

    @property
    def final_loss(self) -> float:
        """The mean training loss of the last epoch."""
        return self.loss[-1]


def accuracy(output, labels) -> float:
    """The fraction of examples whose predicted class is the label.

    Parameters
    ----------
    output : Tensor or ndarray, shape (N, C), (N, 1) or (N,)
        Class scores (the class is the arg-max), or with one column a log-odds ``f``
        (the class is 1 where ``f > 0``).
    labels : array_like of int, shape (N,)

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.train import accuracy
    >>> accuracy(np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), [0, 1, 1])
    0.6666666666666666
    >>> accuracy(np.array([-1.0, 2.0]), [0, 1])
    1.0
    """
    scores = output.data if isinstance(output, Tensor) else np.asarray(output)
    labels = np.asarray(labels)
    if scores.ndim == 2 and scores.shape[1] > 1:
        predicted = scores.argmax(axis=1)
    else:
        predicted = (scores.reshape(len(scores)) > 0).astype(np.int64)
    if predicted.shape != labels.shape:
        raise ValueError(
            f"accuracy: {len(predicted)} predictions but labels of shape {labels.shape}"
        )
    return float(np.mean(predicted == labels))


def evaluate(model, X, y, fn: Callable) -> float:
    """``fn(model(X), y)`` in evaluation mode and without recording a graph, as a float.

    ``fn`` is a loss (returning a scalar Tensor) or a metric such as `accuracy`; the
    model is put back in the mode it was in.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import nn
    >>> from nnbook.train import accuracy, evaluate
    >>> model = nn.Linear(2, 2, rng=0)
    >>> X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> 0.0 <= evaluate(model, X, y, accuracy) <= 1.0
    True
    """
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            value = fn(model(as_tensor(X)), y)
    finally:
        model.train(was_training)
    return float(value.item() if isinstance(value, Tensor) else value)


def _check_optimizer(model, optimizer) -> None:
    """Raise unless every parameter the optimiser moves belongs to the model."""
    owned = {id(p) for p in model.parameters()}
    stray = [i for i, p in enumerate(optimizer.params) if id(p) not in owned]
    if stray:
        raise ValueError(
            f"fit: {len(stray)} of the optimiser's {len(optimizer.params)} parameters are not "
            f"parameters of this model (the first is parameter {stray[0]}); make the optimiser "
            f"from this model: {type(optimizer).__name__}(model.parameters(), ...)"
        )


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm  # the console bar: no widget, no warning in a notebook
    except ImportError:
        raise ImportError(
            'fit: progress=True needs the tqdm package: pip install tqdm (or "nnbook[examples]")'
        ) from None
    return tqdm(total=total, unit="epoch", leave=False)


def fit(
    model,
    loss_fn: Callable,
    optimizer,
    X,
    y,
    epochs: int,
    batch_size: int | None = None,
    rng=None,
    validation: tuple | None = None,
    metric: Callable | None = None,
    progress: bool = False,
) -> History:
    """Fit ``model`` to ``(X, y)`` by mini-batch steps of ``optimizer``; return the `History`.

    Each epoch visits every example once, in a fresh random order drawn from ``rng``
    (so the same seed gives the same batches), in batches of ``batch_size``; each batch
    makes one step: zero the gradients, ``loss_fn(model(X_batch), y_batch)``,
    ``backward()``, ``optimizer.step()``. The model is in training mode while it is
    fitted and is left in it.

    Parameters
    ----------
    model : nn.Module
        Maps a Tensor of a batch of ``X``'s rows to the output ``loss_fn`` takes.
    loss_fn : callable
        ``loss_fn(output, y_batch)`` returns a scalar Tensor (e.g. ``F.cross_entropy``).
    optimizer : optim.Optimizer
        Built from this model's parameters (or some of them).
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
    epochs : int
        Passes over the data.
    batch_size : int, optional
        Examples per step; all ``N`` (full-batch gradient descent) if not given.
    rng : numpy Generator, int or None
        The shuffling's randomness (see `nnbook.get_rng`).
    validation : (X_val, y_val), optional
        Evaluated after every epoch with ``metric`` (by default ``loss_fn``).
    metric : callable, optional
        ``metric(output, y_val)`` → a number, e.g. `accuracy`.
    progress : bool
        Show a progress bar over the epochs (needs tqdm).

    Raises
    ------
    FloatingPointError
        If a step's loss is nan or infinite; the message names the epoch and the batch.
    ValueError
        If the optimiser moves parameters that are not the model's, or ``X`` and ``y``
        do not have one row per example.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> from nnbook import functional as F, nn, optim
    >>> from nnbook.train import fit
    >>> X = np.random.default_rng(0).normal(size=(64, 3))
    >>> y = X @ np.array([[1.0], [-2.0], [0.5]])
    >>> model = nn.Linear(3, 1, rng=0)
    >>> history = fit(model, F.squared_loss, optim.SGD(model.parameters(), lr=0.01), X, y,
    ...               epochs=20, batch_size=16, rng=0)
    >>> history.epochs, history.steps, history.loss[-1] < history.loss[0] / 100
    (20, 80, True)
    """
    epochs = positive_int(epochs, "epochs", "fit")
    _check_optimizer(model, optimizer)
    X, y = np.asarray(X), np.asarray(y)
    batch_size = len(X) if batch_size is None else positive_int(batch_size, "batch_size", "fit")
    gen = get_rng(rng)
    history = History()
    bar = _progress_bar(epochs, progress)
    model.train()
    try:
        for epoch in range(1, epochs + 1):
            start, losses = time.perf_counter(), []
            for batch, (xb, yb) in enumerate(minibatches(X, y, batch_size, rng=gen), start=1):
                optimizer.zero_grad()
                loss = loss_fn(model(Tensor(xb)), yb)
                value = loss.item()
                if not math.isfinite(value):
                    raise FloatingPointError(
                        f"fit: the loss became {value} at epoch {epoch}, batch {batch}; the "
                        f"steps diverged: lower the learning rate (now {optimizer.lr}), or "
                        f"standardise the inputs"
                    )
                loss.backward()
                optimizer.step()
                losses.append(value)
            history.step_loss.extend(losses)
            history.loss.append(float(np.mean(losses)))
            if validation is not None:
                history.metric.append(evaluate(model, *validation, metric or loss_fn))
            history.seconds.append(time.perf_counter() - start)
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4g}")
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    return history


def random_restarts(run: Callable[[int], object], seeds: Iterable[int]) -> list:
    """``[run(seed) for seed in seeds]``: the same fit from several random starts, every result kept.

    A non-convex loss has many local minima and plateaus; which one a fit reaches depends
    on where it starts. ``run`` builds a model from ``seed`` (its initial weights and
    batch order) and fits it; keeping every run, not just the best, shows how much
    the outcome depends on the start.

    Examples
    --------
    >>> from nnbook.train import random_restarts
    >>> random_restarts(lambda seed: seed * 10, range(3))
    [0, 10, 20]
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("random_restarts: no seeds given; give at least one, e.g. range(10)")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"random_restarts: seeds must be ints, got {seed!r}")
    return [run(int(seed)) for seed in seeds]
