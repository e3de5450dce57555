"""Loss functions and penalties, written in terms of the model's output ``f``.

The two classification losses are primitives of their own, each with the VJP its
chapter derives (σ(f) − y, and softmax minus the one-hot label), so that a loss is one
node of the graph, not ten; the others are compositions of primitives. The numerically
delicate parts (``ln(1 + e^f)``, log-sum-exp) go through `nnbook.numerics`.

Conventions: targets that are not a Tensor requiring grad (labels, lists, integer
arrays) are taken in the dtype of ``f``, so a float32 model gets a float32 loss;
``reduction`` is ``"sum"`` (the book's default, as in its formulas), ``"mean"`` or
``"none"`` (one loss per example).
"""

from __future__ import annotations

import numpy as np

from nnbook import numerics
from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.registry import primitive

__all__ = [
    "REDUCTIONS", "reduce", "targets_like", "logistic_loss", "squared_loss", "cross_entropy",
    "l1_penalty", "l2_penalty",
]

#: The values every loss's ``reduction`` takes.
REDUCTIONS = ("sum", "mean", "none")


def reduce(losses: Tensor, reduction: str, caller: str) -> Tensor:
    """Per-example ``losses`` summed, averaged or left as they are, as ``reduction`` says.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.functional.losses import reduce
    >>> print(reduce(nb.tensor([1.0, 3.0]), "mean", "my_loss"))
    tensor(2.)
    """
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        return losses.mean()
    if reduction == "none":
        return losses
    raise ValueError(f"{caller}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def targets_like(f: Tensor, y, caller: str) -> Tensor:
    """The targets ``y`` as a tensor of ``f``'s shape and dtype, or a ValueError naming both shapes.

    A target that is already a Tensor of ``f``'s dtype, or one that requires grad (it is
    being fitted too), is kept as it is, so it stays a node of the loss's graph.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.functional.losses import targets_like
    >>> print(targets_like(nb.tensor([0.5], dtype="float32"), [1], "my_loss").dtype)
    float32
    """
    if not (isinstance(y, Tensor) and (y.requires_grad or y.dtype == f.dtype)):
        y = Tensor(np.asarray(y.data if isinstance(y, Tensor) else y, dtype=f.dtype))
    if f.shape != y.shape:
        raise ValueError(
            f"{caller}: the outputs f have shape {f.shape} but the targets y have shape "
            f"{y.shape}; they must match (reshape one of them, e.g. f.reshape(-1))"
        )
    return y


@primitive
def logistic_loss(f, y, reduction: str = "sum") -> Tensor:
    r"""The negative log-likelihood of labels ``y`` ∈ {0, 1} under ``p(y=1) = σ(f)``.

    $$\mathcal{L} = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n})$$

    Each term is a softplus, so no exponential overflows, whatever ``f``. One primitive
    (not a composition of softplus nodes): VJP $\bar f_n = \bar{\mathcal L}\,(\sigma(f_n) - y_n)$,
    the derivative of the logistic-regression chapter, times $1/N$ for ``"mean"``.

    Parameters
    ----------
    f : Tensor, any shape, e.g. (N,)
        The model's outputs (log-odds).
    y : array_like, the shape of ``f``
        Labels, 0 or 1 (values in between are allowed: soft labels).
    reduction : {"sum", "mean", "none"}
        Sum over examples (as in the notes), average, or the per-example losses.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> f = nb.tensor([0.0, 1e4, -1e4])
    >>> print(F.logistic_loss(f, [1, 1, 1], reduction="none"))
    tensor([6.93147181e-01, 0.00000000e+00, 1.00000000e+04])
    """
    f = as_tensor(f)
    y = targets_like(f, y, "logistic_loss")
    _check_reduction(reduction, "logistic_loss")
    below, above = numerics.softplus(-f.data), numerics.softplus(f.data)
    out, spread = _reduced(y.data * below + (1 - y.data) * above, reduction, f.dtype)

    def vjp(g):
        g = spread(g)
        gy = g * (below - above) if y.requires_grad else None  # d/dy is -f
        return g * (numerics.sigmoid(f.data) - y.data), gy

    return Tensor.from_op(out, (f, y), vjp, "logistic_loss")


def squared_loss(f, y, reduction: str = "sum") -> Tensor:
    r"""Half the squared error, ``½ Σ_n (y_n − f_n)²``, as in the notes.

    With ``reduction="mean"`` it is ``½ mean (y_n − f_n)²``. The ½ makes the
    derivative clean: ∂L/∂f_n = −(y_n − f_n).

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> F.squared_loss(nb.tensor([1.0, 2.0]), [0.0, 4.0]).item()
    2.5
    """
    f = as_tensor(f)
    y = targets_like(f, y, "squared_loss")
    diff = y - f
    return reduce(0.5 * diff * diff, reduction, "squared_loss")


@primitive
def cross_entropy(logits, labels, reduction: str = "mean") -> Tensor:
    r"""Softmax cross-entropy of integer class labels, as ``torch.nn.functional.cross_entropy``.

    The loss of example $n$ is $\ln \sum_c e^{z_{nc}} - z_{n,y_n}$. One primitive (as in
    PyTorch): VJP $\bar z_n = \bar{\mathcal L}_n\,(\operatorname{softmax}(z_n) - e_{y_n})$.

    Parameters
    ----------
    logits : Tensor, shape (N, C)
        Unnormalised class scores.
    labels : array_like of int, shape (N,)
        Class indices in ``0 … C-1``.
    reduction : {"mean", "sum", "none"}

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> round(F.cross_entropy(nb.tensor([[0.0, 0.0]]), [1]).item(), 4)
    0.6931
    """
    logits = as_tensor(logits)
    raw = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    if raw.shape != (logits.shape[0],):
        raise ValueError(
            f"cross_entropy: labels must have shape ({logits.shape[0]},) to match logits "
            f"{logits.shape}, got {raw.shape}"
        )
    if raw.size and not np.all(np.equal(np.mod(raw, 1), 0)):
        raise ValueError("cross_entropy: labels must be integer class indices")
    index = raw.astype(np.int64)
    classes = logits.shape[1]
    if index.size and (index.min() < 0 or index.max() >= classes):
        raise ValueError(
            f"cross_entropy: labels must lie in 0..{classes - 1} for {classes} classes, "
            f"got values from {index.min()} to {index.max()}"
        )
    _check_reduction(reduction, "cross_entropy")
    rows = np.arange(len(index))
    z = logits.data - logits.data.max(axis=1, keepdims=True)
    log_total = numerics.logsumexp(z, axis=1)
    out, spread = _reduced(log_total - z[rows, index], reduction, logits.dtype)

    def vjp(g):  # softmax minus the one-hot label, row by row
        weight = spread(g)
        grad = np.exp(z - log_total[:, None])
        grad[rows, index] -= 1
        return (grad * (weight[:, None] if np.ndim(weight) == 1 else weight),)

    return Tensor.from_op(out, (logits,), vjp, "cross_entropy")


def _check_reduction(reduction: str, caller: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{caller}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduced(values: np.ndarray, reduction: str, dtype):
    """The reduced per-example losses, and the map from the output's gradient to theirs."""
    values = values.astype(dtype, copy=False)
    if reduction == "none":
        return values, lambda g: g
    if reduction == "sum":
        return np.asarray(values.sum(), dtype=dtype), lambda g: g
    count = values.size
    return np.asarray(values.mean(), dtype=dtype), lambda g: g / count


def _total(terms: list) -> Tensor:
    """The sum of scalar tensors, in their dtype; 0.0 for none (no parameters, no penalty)."""
    if not terms:
        return Tensor(0.0)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def l1_penalty(params) -> Tensor:
    """``Σ |w|`` over all the given parameters (the L1 or lasso penalty).

    Its (sub)gradient is ``sign(w)``, taken as 0 at 0.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> w = nb.tensor([1.5, -2.0], requires_grad=True)
    >>> penalty = F.l1_penalty([w, nb.tensor([[0.5]])])
    >>> penalty.backward()
    >>> print(penalty.item(), w.grad)
    4.0 [ 1. -1.]
    """
    terms = [as_tensor(p).abs().sum() for p in params]
    return _total(terms)


def l2_penalty(params) -> Tensor:
    """``½ Σ w²`` over all the given parameters; its gradient is ``w`` itself.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> w = nb.tensor([1.5, -2.0], requires_grad=True)
    >>> penalty = F.l2_penalty([w])
    >>> penalty.backward()
    >>> print(penalty.item(), w.grad)
    3.125 [ 1.5 -2. ]
    """
    terms = [(p * p).sum() for p in map(as_tensor, params)]
    return 0.5 * _total(terms)
