"""The book's derivations by hand, in plain numpy: no `Tensor`, no autodiff.

Each function here is a formula from the book, written out so that it can be set
beside the autodiff result and finite differences and seen to agree:

* `nnbook.manual.logistic` — the logistic-regression loss in terms of ``f``, its
  derivative ``∂L/∂f_n = σ(f_n) − y_n`` and the chain rule to ``w``;
* `nnbook.manual.backprop` — the two-layer network ``x →W¹→ φ →w→ f`` and its loss
  ``½ Σ_n (y_n − f_n)²``, the ``J × JD`` Jacobian of ``φ`` with respect to the
  flattened ``W¹``, and the forward and backward passes of an L-layer network
  (`deep_forward`, `deep_backward`).

Every name is importable from `nnbook.manual` itself.

Examples
--------
>>> import numpy as np
>>> from nnbook.manual import deep_backward, deep_forward, half_squared_error_grad, init_params
>>> params = init_params([3, 4, 1], rng=0)
>>> f, cache = deep_forward(params, np.ones((2, 3)))
>>> [dW.shape for dW, db in deep_backward(cache, half_squared_error_grad(f, np.zeros((2, 1))))]
[(4, 3), (1, 4)]
"""

from nnbook.manual import backprop, logistic
from nnbook.manual.backprop import *  # noqa: F401,F403
from nnbook.manual.logistic import *  # noqa: F401,F403

__all__ = [*logistic.__all__, *backprop.__all__]
