"""Figures of the chapter "Backpropagation by hand", computed with `nnbook.manual`.

* ``backprop-by-hand-jacobian-sparsity``: the J × JD Jacobian of the hidden units with
  respect to the flattened W¹, for both flattening orders;
* ``backprop-by-hand-cache-memory``: bytes held by the forward pass's cache against
  depth, for several batch sizes, beside the parameters' bytes.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from nnbook.manual import cache_nbytes, deep_forward, init_params, phi_jacobian_wrt_W1

J, D = 4, 3
DEPTHS = 2 ** np.arange(1, 7)  # 2 … 64 layers
BATCHES = (1, 16, 256)
WIDTH, INPUTS = 128, 64


def jacobian_sparsity(theme: str):
    """Heat maps of phi_jacobian_wrt_W1 in row-major and column-major order; zeros left blank."""
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(J, D)), rng.normal(size=J)
    x = rng.uniform(0.5, 1.5, size=D) * np.array([1, -1, 1])  # no zero inputs
    # One above the other, so that each map gets the page's whole width.
    fig = Figure(figsize=(6.4, 5.2), layout="constrained")
    axes = fig.subplots(2, 1)
    titles = {
        "C": "row-major (C): column $k = jD + d$",
        "F": "column-major (F): column $k = dJ + j$",
    }
    for ax, order in zip(axes, ("C", "F")):
        jac = phi_jacobian_wrt_W1(W1, b1, x, order=order)
        limit = np.abs(jac).max()
        image = ax.imshow(
            np.ma.masked_equal(jac, 0.0),
            cmap="coolwarm",
            norm=TwoSlopeNorm(0.0, -limit, limit),
            aspect="equal",
        )
        ax.set_xticks(np.arange(J * D))
        ax.set_yticks(np.arange(J))
        ax.set_xticks(np.arange(-0.5, J * D), minor=True)
        ax.set_yticks(np.arange(-0.5, J), minor=True)
        ax.grid(which="minor", linewidth=0.4, alpha=0.5)
        ax.tick_params(which="minor", length=0)
        ax.tick_params(labelsize=9)
        if order == "C":
            for edge in np.arange(D, J * D, D) - 0.5:
                ax.axvline(edge, linewidth=1.2, alpha=0.8)
        ax.set_title(titles[order], fontsize=11)
        # Ticks count from 0, as numpy does and as the titles' k = jD + d assumes.
        ax.set_xlabel(r"column $k$ of $\partial\phi/\partial\tilde W^1$ (from 0)", fontsize=10)
        ax.set_ylabel(r"hidden unit $j$ (from 0)", fontsize=10)
    fig.colorbar(image, ax=axes, shrink=0.9, aspect=30, label=r"$\sigma'(z_j)\,x_d$")
    return fig


@lru_cache(maxsize=1)
def _memory() -> tuple[dict, list]:
    """Cache bytes per batch size and depth, and parameter bytes per depth (once a build)."""
    cache_bytes, param_bytes = {}, []
    for batch in BATCHES:
        cache_bytes[batch] = []
        for depth in DEPTHS:
            params = init_params([INPUTS] + [WIDTH] * (depth - 1) + [1], rng=0)
            _, cache = deep_forward(params, np.zeros((batch, INPUTS)))
            cache_bytes[batch].append(cache_nbytes(cache))
            if batch == BATCHES[0]:
                param_bytes.append(sum(W.nbytes + b.nbytes for W, b in params))
    return cache_bytes, param_bytes


def cache_memory(theme: str):
    """Cache bytes (cache_nbytes) against depth, one line per batch size; parameter bytes."""
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    cache_bytes, param_bytes = _memory()
    for batch, sizes in cache_bytes.items():
        ax.plot(DEPTHS, np.array(sizes) / 2**20, marker="o", markersize=3,
                label=f"cache, batch N = {batch}")
    ax.plot(DEPTHS, np.array(param_bytes) / 2**20, linestyle="--", marker="s", markersize=3,
            label="parameters (any N)")
    # On log–log axes memory proportional to depth is a line of slope one.
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(DEPTHS, [str(d) for d in DEPTHS])
    ax.minorticks_off()
    ax.set_xlabel("layers L")
    ax.set_ylabel("MiB (float64)")
    ax.set_title(f"Memory held for the backward pass (width {WIDTH}, {INPUTS} inputs)",
                 fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    return fig


FIGURES = {
    "backprop-by-hand-jacobian-sparsity": jacobian_sparsity,
    "backprop-by-hand-cache-memory": cache_memory,
}
