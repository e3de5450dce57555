"""Differentiable functions on tensors: primitives, activations and losses.

``from nnbook import functional as F`` gives the names a PyTorch reader expects
(``F.sigmoid``, ``F.relu``, ``F.softmax``, ``F.cross_entropy`` …) along with the
notes' own losses (``F.logistic_loss``, ``F.squared_loss``).
"""

from nnbook.functional.losses import (
    cross_entropy,
    l1_penalty,
    l2_penalty,
    log_sigmoid,
    logistic_loss,
    squared_loss,
)
from nnbook.functional.links import LINKS, binary_nll, inv_cloglog, log_inv_cloglog, log_ndtr, ndtr
from nnbook.functional.primitives import (
    PRIMITIVES,
    abs,
    add,
    concatenate,
    div,
    exp,
    getitem,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    minimum,
    mul,
    neg,
    pad,
    power,
    relu,
    reshape,
    sigmoid,
    softmax,
    softplus,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    where,
)

__all__ = [
    "LINKS", "binary_nll", "inv_cloglog", "log_inv_cloglog", "log_ndtr", "ndtr",
    "PRIMITIVES", "abs", "add", "concatenate", "cross_entropy", "div", "exp", "getitem",
    "l1_penalty", "l2_penalty", "log", "log_sigmoid", "log_softmax", "logistic_loss",
    "logsumexp", "matmul", "max", "maximum", "mean", "minimum", "mul", "neg", "pad", "power", "relu",
    "reshape", "sigmoid", "softmax", "softplus", "squared_loss", "stack", "sub", "sum",
    "tanh", "transpose", "where",
]
