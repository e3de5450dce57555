"""Loss functions and penalties, written in terms of the model's output ``f``.

Each is a composition of primitives, so its gradient comes from the primitives' VJPs;
the numerically delicate parts (``ln(1 + e^f)``) go through the stable `softplus`.
"""

from __future__ import annotations

import numpy as np

from nnbook.autodiff import Tensor, as_tensor
from nnbook.functional.primitives import getitem, log_softmax, mean, softplus, sum

__all__ = [
    "log_sigmoid", "logistic_loss", "squared_loss", "cross_entropy", "l1_penalty", "l2_penalty",
]

_REDUCTIONS = ("sum", "mean", "none")


def _reduce(losses: Tensor, reduction: str, name: str) -> Tensor:
    if reduction == "sum":
        return sum(losses)
    if reduction == "mean":
        return mean(losses)
    if reduction == "none":
        return losses
    raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _same_shape(name: str, f: Tensor, y: Tensor) -> None:
    if f.shape != y.shape:
        raise ValueError(
            f"{name}: the outputs f have shape {f.shape} but the targets y have shape "
            f"{y.shape}; they must match (reshape one of them, e.g. f.reshape(-1))"
        )


def log_sigmoid(x) -> Tensor:
    """``ln σ(x) = -ln(1 + e**-x)``, computed without overflow.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook import functional as F
    >>> print(F.log_sigmoid(nb.tensor([-1e4, 0.0, 5.0])))
    tensor([-1.00000000e+04, -6.93147181e-01, -6.71534849e-03])
    """
    return -softplus(-as_tensor(x))


def logistic_loss(f, y, reduction: str = "sum") -> Tensor:
    r"""The negative log-likelihood of labels ``y`` ∈ {0, 1} under ``p(y=1) = σ(f)``.

    $$\mathcal{L} = \sum_n y_n \ln(1 + e^{-f_n}) + (1 - y_n) \ln(1 + e^{f_n})$$

    Each term is a `softplus`, so no exponential overflows, whatever ``f``.

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
    f, y = as_tensor(f), as_tensor(y)
    _same_shape("logistic_loss", f, y)
    return _reduce(y * softplus(-f) + (1 - y) * softplus(f), reduction, "logistic_loss")


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
    f, y = as_tensor(f), as_tensor(y)
    _same_shape("squared_loss", f, y)
    diff = y - f
    return _reduce(0.5 * diff * diff, reduction, "squared_loss")


def cross_entropy(logits, labels, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of integer class labels, as ``torch.nn.functional.cross_entropy``.

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
    picked = getitem(log_softmax(logits, axis=1), (np.arange(len(index)), index))
    return _reduce(-picked, reduction, "cross_entropy")


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
    params = [as_tensor(p) for p in params]
    total = sum(params[0].abs())
    for p in params[1:]:
        total = total + sum(p.abs())
    return total


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
    params = [as_tensor(p) for p in params]
    total = sum(params[0] * params[0])
    for p in params[1:]:
        total = total + sum(p * p)
    return 0.5 * total
