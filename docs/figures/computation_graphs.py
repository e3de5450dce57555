"""Figures of the chapter "Computation graphs and reverse-mode autodiff".

Each picture is drawn by `nnbook.graph.to_svg` from the graph that nnbook's `Tensor`
recorded while computing the value (traced with the engine's own walk, laid out by
`nnbook.graph.layout`), so it shows exactly what ``backward`` walks:

* ``computation-graphs-network``: the loss of the two-layer network of the chapter
  "Backpropagation by hand", x →W¹→ σ → w → f with the squared loss, for N = 4, D = 2,
  J = 3, drawn from the same draws as the chapter's snippets;
* ``computation-graphs-used-twice``: f = x·x + x, where x is used three times.
"""

from __future__ import annotations

import numpy as np

import nnbook as nb
from nnbook import functional as F
from nnbook.graph import to_svg


def network(theme: str) -> str:
    """The graph of ½ Σ (y − f)² with f = σ(x W¹ᵀ + w¹) w, named as in the chapter."""
    rng = np.random.default_rng(0)
    N, D, J = 4, 2, 3
    x, y = nb.tensor(rng.normal(size=(N, D))), nb.tensor(rng.normal(size=N))
    W1 = nb.tensor(rng.normal(size=(J, D)), requires_grad=True)
    b1 = nb.tensor(rng.normal(size=J), requires_grad=True)
    w = nb.tensor(rng.normal(size=J), requires_grad=True)
    phi = F.sigmoid(x @ W1.T + b1)
    f = phi @ w
    diff = y - f
    loss = (0.5 * diff * diff).sum()  # F.squared_loss(f, y), spelled out as in the chapter
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
