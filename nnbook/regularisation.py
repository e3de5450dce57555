r"""Regularisation beyond a penalty in the loss: early stopping, the train/test gap, L1's proximal step.

The penalties themselves are ordinary terms of the loss (`nnbook.functional.l1_penalty`,
`nnbook.functional.l2_penalty`), and the noise is an ordinary layer
(`nnbook.nn.Dropout`, `nnbook.nn.GaussianNoise`); this module holds what does not fit
into a loss or a layer:

- `fit_early_stopping` fits like `nnbook.train.fit` while watching a held-out metric
  after every epoch, and leaves the model with the weights of the best epoch (taken
  with `nnbook.nn.Module.state_dict`), not those of the last;
- `generalisation_gap` measures a fitted model on its training set and on held-out
  data: the two numbers whose difference is overfitting;
- `soft_threshold` is the proximal operator of $t\,\lvert w \rvert$, and `ProximalL1`
  applies it after every step of an optimiser, so that an L1 penalty sets weights to
  exactly zero (a (sub)gradient step on $\lambda\lVert w \rVert_1$ only makes them
  small).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from nnbook.autodiff import Tensor
from nnbook.checks import positive_int
from nnbook.optim import Optimizer
from nnbook.rng import get_rng
from nnbook.train import History, evaluate, fit

__all__ = ["EarlyStopped", "fit_early_stopping", "Gap", "generalisation_gap", "soft_threshold", "ProximalL1"]


def _non_negative(value, name: str, caller: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{caller}: {name} must be a finite number >= 0, got {value}")
    return value


@dataclass
class EarlyStopped:
    """What `fit_early_stopping` returns: the history, the best epoch, and the last weights.

    Attributes
    ----------
    history : History
        As `nnbook.train.fit` records it, over every epoch that was run;
        ``history.metric`` holds the held-out metric of each epoch.
    best_epoch : int
        The epoch (counted from 1) whose held-out metric was best; the model is left
        with the weights it had at the end of that epoch.
    best_metric : float
        That epoch's held-out metric, ``history.metric[best_epoch - 1]``.
    last_state : dict of str to ndarray
        The weights at the end of the last epoch run, as `nnbook.nn.Module.state_dict`
        gives them: ``model.load_state_dict(result.last_state)`` brings them back.

    Examples
    --------
    >>> from nnbook.regularisation import EarlyStopped
    >>> from nnbook.train import History
    >>> EarlyStopped(History(metric=[0.5, 0.25, 0.3]), 2, 0.25, {}).stopped_at
    3
    """

    history: History
    best_epoch: int
    best_metric: float
    last_state: dict

    @property
    def stopped_at(self) -> int:
        """The number of epochs run (fewer than asked for if ``patience`` ran out)."""
        return len(self.history.metric)


def fit_early_stopping(
    model,
    loss_fn: Callable,
    optimizer,
    X,
    y,
    epochs: int,
    validation: tuple,
    metric: Callable | None = None,
    patience: int | None = None,
    higher_is_better: bool = False,
    batch_size: int | None = None,
    rng=None,
) -> EarlyStopped:
    """Fit as `nnbook.train.fit` does, and keep the weights of the epoch with the best held-out metric.

    After every epoch the model is evaluated on ``validation`` with ``metric`` (by
    default ``loss_fn``); a snapshot of the weights is taken whenever that number is the
    best so far (ties keep the earlier epoch). The fit runs for ``epochs`` epochs, or
    stops once ``patience`` epochs in a row have not improved on the best. At the end
    the model holds the best epoch's weights. With the same ``rng``, the epochs run
    are exactly those of ``fit(..., epochs=epochs, rng=rng, validation=validation)``.

    Parameters
    ----------
    model, loss_fn, optimizer, X, y, batch_size, rng
        As for `nnbook.train.fit`.
    epochs : int
        The most epochs to run.
    validation : (X_val, y_val)
        Held-out data, never used for the steps.
    metric : callable, optional
        ``metric(output, y_val)`` → a number; ``loss_fn`` if not given.
    patience : int, optional
        Stop after this many epochs without a new best; run every epoch if None.
    higher_is_better : bool
        True for a metric such as accuracy; by default lower is better, as for a loss.

    Returns
    -------
    EarlyStopped

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn, optim
    >>> from nnbook.data import make_curve
    >>> from nnbook.regularisation import fit_early_stopping
    >>> x, y = make_curve(10, noise=0.3, rng=0)
    >>> x_val, y_val = make_curve(10, noise=0.3, rng=1)
    >>> model = nn.Sequential(nn.Linear(1, 30, rng=0), nn.Tanh(), nn.Linear(30, 1, rng=1))
    >>> result = fit_early_stopping(model, F.squared_loss, optim.Adam(model.parameters(), lr=0.01),
    ...                             x, y, epochs=300, validation=(x_val, y_val))
    >>> best = result.best_epoch
    >>> print(result.stopped_at, best < 300, result.best_metric == min(result.history.metric))
    300 True True
    >>> from nnbook.train import evaluate
    >>> print(round(evaluate(model, x_val, y_val, F.squared_loss), 10) == round(result.best_metric, 10))
    True
    """
    epochs = positive_int(epochs, "epochs", "fit_early_stopping")
    if patience is not None:
        patience = positive_int(patience, "patience", "fit_early_stopping")
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError("fit_early_stopping: validation must be a pair (X_val, y_val)")
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise TypeError(f"fit_early_stopping: higher_is_better must be True or False, got {higher_is_better!r}")
    gen = get_rng(rng)  # one stream for every epoch, as fit would draw it
    history = History()
    best_epoch, best_metric, best_state, since_best = 0, math.nan, model.state_dict(), 0
    for epoch in range(1, epochs + 1):
        one = fit(model, loss_fn, optimizer, X, y, epochs=1, batch_size=batch_size, rng=gen,
                  validation=validation, metric=metric)
        history.loss += one.loss
        history.step_loss += one.step_loss
        history.metric += one.metric
        history.seconds += one.seconds
        value = one.metric[0]
        better = value > best_metric if higher_is_better else value < best_metric
        if best_epoch == 0 or better:
            best_epoch, best_metric, best_state, since_best = epoch, value, model.state_dict(), 0
        else:
            since_best += 1
            if patience is not None and since_best >= patience:
                break
    last_state = model.state_dict()
    model.load_state_dict(best_state)
    return EarlyStopped(history, best_epoch, float(best_metric), last_state)


class Gap(NamedTuple):
    """A model's score on its training data and on held-out data, and their difference.

    Attributes
    ----------
    train, test : float
        ``fn`` on the training set and on the held-out set.
    gap : float
        ``test - train``: for a loss, how much worse the model does on data it has not
        seen.

    Examples
    --------
    >>> from nnbook.regularisation import Gap
    >>> print(Gap(0.01, 0.08, 0.07))
    train 0.010, test 0.080, gap 0.070
    """

    train: float
    test: float
    gap: float

    def __str__(self) -> str:
        return f"train {self.train:.3f}, test {self.test:.3f}, gap {self.gap:.3f}"


def generalisation_gap(model, fn: Callable, train: tuple, test: tuple) -> Gap:
    """``fn`` of the model on ``train = (X, y)`` and on ``test = (X, y)``, in evaluation mode.

    Both are computed with `nnbook.train.evaluate`: no dropout, no input noise, no
    graph. ``fn`` is a loss without any penalty (the penalty is not part of how well
    the model fits) or a metric such as `nnbook.train.accuracy`.

    Returns
    -------
    Gap

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import functional as F, nn
    >>> from nnbook.regularisation import generalisation_gap
    >>> model = nn.Linear(1, 1)
    >>> _ = model.load_state_dict({"weight": [[2.0]], "bias": [0.0]})
    >>> x = np.array([[0.0], [1.0]])
    >>> print(generalisation_gap(model, F.squared_loss, (x, 2 * x), (x, 2 * x + 1)))
    train 0.000, test 1.000, gap 1.000
    """
    for name, pair in (("train", train), ("test", test)):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"generalisation_gap: {name} must be a pair (X, y)")
    on_train = evaluate(model, *train, fn)
    on_test = evaluate(model, *test, fn)
    return Gap(on_train, on_test, on_test - on_train)


def soft_threshold(w, threshold: float) -> np.ndarray:
    r"""The proximal operator of $t\lvert w\rvert$: $\operatorname{sign}(w)\max(\lvert w\rvert - t, 0)$, entry by entry.

    It solves $\min_u \tfrac12 (u - w)^2 + t\lvert u \rvert$: every entry moves $t$
    towards zero, and an entry within $t$ of zero becomes exactly zero.

    Parameters
    ----------
    w : array_like or Tensor
        Any shape.
    threshold : float
        $t \ge 0$.

    Returns
    -------
    ndarray
        The shape of ``w``, float.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.regularisation import soft_threshold
    >>> print(soft_threshold(np.array([-1.5, -0.2, 0.0, 0.3, 2.0]), 0.5))
    [-1.   0.   0.   0.   1.5]
    """
    threshold = _non_negative(threshold, "threshold", "soft_threshold")
    w = w.data if isinstance(w, Tensor) else np.asarray(w)
    if w.dtype.kind != "f":
        w = w.astype(np.float64)
    # "+ 0" turns the -0.0 of a negative entry set to zero into 0.0.
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0) + 0


class ProximalL1:
    r"""An optimiser whose every step is followed by soft-thresholding some parameters by ``lr · lam``.

    For plain gradient descent (``optim.SGD`` without momentum or weight decay) on the
    loss $\mathcal{L}$, this is the proximal gradient method for
    $\mathcal{L} + \lambda \lVert w \rVert_1$ (ISTA):
    $w \leftarrow S_{\eta\lambda}\bigl(w - \eta\, \nabla \mathcal{L}\bigr)$, with
    $S$ = `soft_threshold`. Weights whose data gradient cannot hold them away from
    zero land on exactly zero and stay there. The penalty must *not* also be in the
    loss. After another optimiser (momentum, Adam) the same step is a heuristic, not
    the proximal method.

    It has what `nnbook.train.fit` uses of an optimiser: ``params``, ``lr``,
    `step`, `zero_grad`.

    Parameters
    ----------
    optimizer : optim.Optimizer
        The optimiser making the gradient step.
    lam : float
        $\lambda \ge 0$, the weight of the L1 penalty.
    params : iterable of Tensor
        The parameters the penalty is on (some of ``optimizer.params``, e.g. the weights
        and not the biases).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import optim
    >>> from nnbook.regularisation import ProximalL1
    >>> w = nb.tensor([1.0, 0.05], requires_grad=True)
    >>> opt = ProximalL1(optim.SGD([w], lr=0.1), lam=1.0, params=[w])
    >>> (0.0 * w).sum().backward()                  # no pull from the data
    >>> opt.step()
    >>> print(w.data)                               # each entry 0.1 nearer zero, or zero
    [0.9 0. ]
    """

    def __init__(self, optimizer, lam: float, params):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ProximalL1: optimizer must be an nnbook Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.lam = _non_negative(lam, "lam", "ProximalL1")
        if isinstance(params, Tensor):
            raise TypeError("ProximalL1: params must be an iterable of tensors; put a single one in a list")
        self.penalised = list(params)
        owned = {id(p) for p in optimizer.params}
        stray = [i for i, p in enumerate(self.penalised) if id(p) not in owned]
        if stray:
            raise ValueError(
                f"ProximalL1: penalised parameter {stray[0]} is not moved by the optimiser; "
                f"give parameters of the optimiser's list"
            )

    @property
    def params(self) -> list:
        """The optimiser's parameters."""
        return self.optimizer.params

    @property
    def lr(self) -> float:
        """The optimiser's learning rate $\\eta$."""
        return self.optimizer.lr

    def zero_grad(self) -> None:
        """Clear the gradients, as the optimiser does."""
        self.optimizer.zero_grad()

    def step(self) -> None:
        """The optimiser's step, then ``soft_threshold`` by ``lr · lam`` on the penalised parameters."""
        self.optimizer.step()
        threshold = self.optimizer.lr * self.lam
        for p in self.penalised:
            p.data[...] = soft_threshold(p.data, threshold)

    def __repr__(self) -> str:
        return f"ProximalL1({self.optimizer!r}, lam={self.lam})"
