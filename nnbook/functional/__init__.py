"""Differentiable functions on tensors: primitives, activations, losses and links.

``from nnbook import functional as F`` gives the names a PyTorch reader expects
(``F.sigmoid``, ``F.relu``, ``F.softmax``, ``F.cross_entropy`` …) along with the
book's own losses (``F.logistic_loss``, ``F.squared_loss``). One concept to a file:

* `nnbook.functional.registry` — `PRIMITIVES`, the table of primitives, and the
  helpers each primitive uses;
* `nnbook.functional.arithmetic` — elementwise arithmetic and functions, `matmul`;
* `nnbook.functional.reductions` — `sum`, `mean`, `max`, `logsumexp`;
* `nnbook.functional.shape` — reshaping, transposing, indexing, joining, padding;
* `nnbook.functional.activations` — sigmoid, tanh, ReLU, softplus, softmax;
* `nnbook.functional.losses` — losses in terms of the model's output, and penalties;
* `nnbook.functional.links` — inverse link functions for a binary label;
* `nnbook.functional.conv` — convolution and max-pooling of images;
* `nnbook.functional.recurrent` — the gates of one LSTM or GRU step;
* `nnbook.functional.noise` — dropout and Gaussian input noise.

Examples
--------
>>> import nnbook as nb
>>> from nnbook import functional as F
>>> x = nb.tensor([-1.0, 0.0, 2.0], requires_grad=True)
>>> F.relu(x).sum().backward()
>>> print(x.grad)
[0. 0. 1.]
"""

from nnbook.functional.registry import PRIMITIVES
from nnbook.functional.arithmetic import (
    abs, add, div, exp, linear, log, matmul, maximum, minimum, mul, neg, power, sub, where,
)
from nnbook.functional.reductions import logsumexp, max, mean, sum
from nnbook.functional.shape import concatenate, getitem, pad, reshape, stack, transpose
from nnbook.functional.activations import (
    log_sigmoid, log_softmax, relu, sigmoid, softmax, softplus, tanh,
)
from nnbook.functional.losses import (
    cross_entropy, l1_penalty, l2_penalty, logistic_loss, squared_loss,
)
from nnbook.functional.conv import conv2d, max_pool2d
from nnbook.functional.recurrent import gru_cell, gru_sequence, lstm_cell, lstm_sequence
from nnbook.functional.noise import dropout, gaussian_noise
from nnbook.functional.links import LINKS, binary_nll, inv_cloglog, log_inv_cloglog, log_ndtr, ndtr

__all__ = [
    "PRIMITIVES",
    # arithmetic
    "add", "sub", "mul", "div", "neg", "power", "matmul", "linear", "exp", "log", "abs",
    "maximum", "minimum", "where",
    # reductions
    "sum", "mean", "max", "logsumexp",
    # shape
    "reshape", "transpose", "getitem", "concatenate", "stack", "pad",
    # activations
    "sigmoid", "tanh", "relu", "softplus", "log_sigmoid", "softmax", "log_softmax",
    # losses and penalties
    "logistic_loss", "squared_loss", "cross_entropy", "l1_penalty", "l2_penalty",
    # images
    "conv2d", "max_pool2d",
    # recurrent gates
    "lstm_cell", "gru_cell", "lstm_sequence", "gru_sequence",
    # noise for regularisation
    "dropout", "gaussian_noise",
    # links
    "LINKS", "ndtr", "log_ndtr", "inv_cloglog", "log_inv_cloglog", "binary_nll",
]
