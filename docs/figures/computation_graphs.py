"""Figures of the chapter "Computation graphs and reverse-mode autodiff".

Each picture is drawn by `nnbook.graph.to_svg` from the graph that nnbook's `Tensor`
recorded while computing the value, so it shows exactly what ``backward`` walks:

* ``computation-graphs-network``: the loss of the notes' two-layer network
  x →W¹→ σ → w → f with the squared loss, for N = 4, D = 2, J = 3;
* ``computation-graphs-used-twice``: f = x·x + x, where x is used three times.
"""

from __future__ import annotations

import numpy as np

import nnbook as nb
from nnbook import functional as F
from nnbook.graph import to_svg


def network(theme: str) -> str:
    """The graph of ½ Σ (y − f)² with f = w·σ(x W¹ᵀ + w¹), named as in the notes."""
    rng = np.random.default_rng(0)
    N, D, J = 4, 2, 3
    x, y = nb.tensor(rng.normal(size=(N, D))), nb.tensor(rng.normal(size=N))
    W1 = nb.tensor(rng.normal(size=(J, D)), requires_grad=True)
    b1 = nb.tensor(rng.normal(size=J), requires_grad=True)
    w = nb.tensor(rng.normal(size=J), requires_grad=True)
    phi = F.sigmoid(x @ W1.T + b1)
    f = phi @ w
    loss = F.squared_loss(f, y)
    names = {"x": x, "y": y, "W¹": W1, "w¹": b1, "w": w, "φ": phi, "f": f, "ℒ": loss}
    return to_svg(loss, names=names, theme=theme, scale=1.15,
                  title="Computation graph of the two-layer network's squared loss")


def used_twice(theme: str) -> str:
    """The graph of x·x + x: two edges from x into mul, one into add."""
    x = nb.tensor(3.0, requires_grad=True)
    return to_svg(x * x + x, names={"x": x}, theme=theme, legend=False, scale=1.5,
                  title="Computation graph of x*x + x")


FIGURES = {
    "computation-graphs-network": network,
    "computation-graphs-used-twice": used_twice,
}
