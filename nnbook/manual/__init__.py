"""The notes' derivations by hand, in plain numpy: no `Tensor`, no autodiff.

Each function here is a formula from the book, written out so that it can be set
beside the autodiff result and finite differences and seen to agree:

* `nnbook.manual.logistic` — the logistic-regression loss in terms of ``f``, its
  derivative ``∂L/∂f_n = σ(f_n) − y_n`` and the chain rule to ``w``;
* `nnbook.manual.backprop` — the two-layer network ``x →W¹→ φ →w→ f``, the ``J × JD``
  Jacobian of ``φ`` with respect to the flattened ``W¹``, and the forward/backward
  passes of an L-layer network.
"""

from nnbook.manual import backprop, logistic
from nnbook.manual.backprop import *  # noqa: F401,F403
from nnbook.manual.logistic import *  # noqa: F401,F403

__all__ = [*logistic.__all__, *backprop.__all__]
