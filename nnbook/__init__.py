"""nnbook: the library of the book *How neural networks are fitted*.

Everything a chapter explains is implemented here, in numpy alone.

Examples
--------
>>> import nnbook as nb
>>> from nnbook import functional as F
>>> w = nb.tensor([0.5, -0.25], requires_grad=True)
>>> loss = F.logistic_loss(nb.tensor([[1.0, 2.0], [3.0, -1.0]]) @ w, [1.0, 0.0])
>>> loss.backward()
>>> print(w.grad.round(6))
[ 2.055858 -1.851953]
>>> nb.gradcheck(lambda w: F.logistic_loss(nb.tensor([[1.0, 2.0]]) @ w, [1.0]), w)
True
"""

from nnbook import memory  # keeps freed memory for the next step (glibc; see nnbook.memory)
from nnbook.autodiff import (
    Tensor, as_tensor, is_grad_enabled, no_grad, tensor, topological_order, unbroadcast,
)
from nnbook import functional, numerics
from nnbook import init, nn, optim, train
from nnbook import counting
from nnbook.counting import count_params
from nnbook import data  # data sets; scikit-learn only when asked for
from nnbook import graph  # draws a Tensor's computation graph
from nnbook.derivatives import gradcheck, jacobian, numerical_gradient, numerical_jacobian
from nnbook.rng import get_rng, seed

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "as_tensor", "no_grad", "is_grad_enabled", "unbroadcast",
    "topological_order", "functional", "numerics", "gradcheck", "jacobian",
    "numerical_gradient", "numerical_jacobian", "seed", "get_rng", "data", "graph",
    "nn", "optim", "init", "train", "counting", "count_params", "memory",
]
