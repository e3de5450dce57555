"""Figures of the chapter "The vector chain rule: gradients, Jacobians and their shapes".

* ``vector-chain-rule-shapes``: the chain ∇ᵤf · J_v[u] · Jₓ[v] of the chapter's
  two-layer example, each factor drawn as a grid of its real entries, and the two ways
  of grouping it (reverse order, forward order) with their multiply-add counts.
* ``vector-chain-rule-timing``: wall-clock time against width for an L-layer tanh
  chain, drawn, run and differentiated by the functions of `nnbook.chain`: the
  forward- and reverse-order products of its Jacobians alone (with guides ∝ M³ and
  ∝ M², and each curve's slope fitted to the run), and four complete ways to the
  gradient. The times are measured in a child process whose BLAS uses one thread.

Everything plotted is computed here, with nnbook, when the site is built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from functools import lru_cache

import numpy as np
from matplotlib import rcParams
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import nnbook as nb
from nnbook.chain import (chain_forward, chain_jacobians, chain_loss, chain_product, chain_vjp,
                          tanh_chain)

WIDTHS = (8, 16, 32, 64, 128, 256, 512)
DEPTH = 4
REPEATS = 3  # at least; a fast call is repeated until it has run for BUDGET seconds
BUDGET = 0.01


# -- the two-layer example of the chapter ------------------------------------------


def two_layer_example():
    """The chapter's factors ∇ᵤf (K,), J_v[u] (K, J), Jₓ[v] (J, D), from nnbook."""
    rng = np.random.default_rng(0)
    D, J, K = 3, 4, 2
    W = rng.standard_normal((J, D))
    rng.standard_normal(J)  # the chapter's `a`, drawn here to keep the same numbers
    A = rng.standard_normal((K, J))
    x = np.array([0.5, -0.3, 0.2])
    t = np.array([0.3, -0.2])
    v = np.tanh(W @ x)
    u = np.tanh(A @ v)
    grad_u = nb.jacobian(lambda u: 0.5 * ((t - u) ** 2).sum(), u)
    Jv_u = nb.jacobian(lambda v: (A @ v).tanh(), v)
    Jx_v = nb.jacobian(lambda x: (W @ x).tanh(), x)
    return grad_u, Jv_u, Jx_v


def _grid(ax, left, top, values, colour, label):
    """Draw ``values`` (1-D: one row) as a grid of cells whose top-left is (left, top)."""
    values = np.atleast_2d(values)
    rows, cols = values.shape
    edge = rcParams["text.color"]
    for i in range(rows):
        for j in range(cols):
            ax.add_patch(Rectangle((left + j, top - i - 1), 1, 1, facecolor=colour,
                                   alpha=0.35, edgecolor=edge, linewidth=0.8))
            ax.text(left + j + 0.5, top - i - 0.5, f"{values[i, j]:.2f}",
                    ha="center", va="center", fontsize=8)
    ax.text(left + cols / 2, top - rows - 0.3, label, ha="center", va="top", fontsize=10,
            linespacing=1.4)
    return left + cols


def shapes(theme: str) -> Figure:
    """The chain of shapes, and what each grouping computes on the way."""
    grad_u, Jv_u, Jx_v = two_layer_example()
    grad_x, cost_reverse = chain_product([grad_u, Jv_u, Jx_v], "reverse")
    _, cost_forward = chain_product([grad_u, Jv_u, Jx_v], "forward")
    grad_v = grad_u @ Jv_u  # what reverse order holds after its first step
    Jx_u = Jv_u @ Jx_v  # what forward order holds after its first step
    colours = [c["color"] for c in rcParams["axes.prop_cycle"]]

    def shape_of(a):
        """Rows × columns as in the chain rule; a 1-D gradient is one row."""
        rows, cols = np.atleast_2d(a).shape
        return f"{rows} × {cols}"

    # 0.4 inch per cell; the limits below hug the drawing, so that the page shows it at
    # nearly its natural size instead of shrinking empty margins with it.
    width, height = 16.2, 21.4
    fig = Figure(figsize=(0.4 * width, 0.4 * height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    rows = [
        (r"the chain: $\nabla_x f = \nabla_u f\; J_v[u]\; J_x[v]$", 0.0, [
            (grad_u, 0, r"$\nabla_u f$"), "dot", (Jv_u, 1, r"$J_v[u]$"), "dot",
            (Jx_v, 2, r"$J_x[v]$")]),
        (r"reverse order: $(\nabla_u f\; J_v[u])\; J_x[v]$, "
         f"{cost_reverse} multiply-adds (every step a row times a matrix)", -7.5, [
            (grad_v, 4, r"$\nabla_v f$"), "dot", (Jx_v, 2, r"$J_x[v]$"), "eq",
            (grad_x, 3, r"$\nabla_x f$")]),
        (r"forward order: $\nabla_u f\; (J_v[u]\; J_x[v])$, "
         f"{cost_forward} multiply-adds (first a matrix times a matrix)", -15.5, [
            (grad_u, 0, r"$\nabla_u f$"), "dot", (Jx_u, 5, r"$J_x[u]$"), "eq",
            (grad_x, 3, r"$\nabla_x f$")]),
    ]
    for title, top, items in rows:
        ax.text(0, top + 0.7, title, fontsize=11, va="bottom")
        left = 0.0
        for item in items:
            if item in ("dot", "eq"):
                ax.text(left + 0.75, top - 0.5, r"$\cdot$" if item == "dot" else "=",
                        ha="center", va="center", fontsize=16)
                left += 1.5
                continue
            values, colour, label = item
            left = _grid(ax, left, top, values, colours[colour % len(colours)],
                         f"{label}\n{shape_of(values)}")
    ax.set_xlim(-0.2, width - 0.2)
    ax.set_ylim(1.8 - height, 1.8)
    ax.set_aspect("equal")
    return fig


# -- timing the chain ---------------------------------------------------------------


def _best_time(fn, repeats: int, budget: float) -> float:
    """The fastest of at least ``repeats`` runs: the run least disturbed by other work."""
    times: list[float] = []
    while len(times) < repeats or (sum(times) < budget and len(times) < 1000):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@lru_cache(maxsize=None)
def measure() -> dict:
    """Seconds and multiply-adds of each way, measured in a single-threaded process.

    A multithreaded BLAS on a busy machine makes the times of matrix products jump by
    orders of magnitude from one run to the next; with one thread, time follows the
    arithmetic. Cached, so that the light and the dark figure show the same run.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    run = subprocess.run([sys.executable, __file__, "--measure"], env=env,
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"vector_chain_rule: the timing run failed:\n{run.stderr}")
    return json.loads(run.stdout)


# What is timed: the products alone (the Jacobians already formed), forming the
# Jacobians, and four complete ways from ∇ℒ to ∇ₓℒ.
PRODUCTS = ("forward-order product", "reverse-order product", "forming the Jacobians")
GRADIENTS = ("Jacobians + forward order", "Jacobians + reverse order", "VJPs (numpy)",
             "Tensor.backward")


def measure_here(widths=WIDTHS, depth=DEPTH, repeats=REPEATS, budget=BUDGET) -> dict:
    """Best-of-``repeats`` seconds of each way, and the products' multiply-adds, per width."""
    seconds = {name: [] for name in PRODUCTS + GRADIENTS}
    counts = {"forward": [], "reverse": []}
    for M in widths:
        Ws, x, t = tanh_chain(M, depth, rng=0)
        phis = chain_forward(Ws, x)
        g_L = phis[-1] - t

        def jacobians():
            return chain_jacobians(Ws, phis)

        def vjps():
            return chain_vjp(Ws, phis, g_L)

        leaf = nb.tensor(x, requires_grad=True)
        loss = chain_loss(Ws, leaf, t)
        factors = [g_L] + jacobians()

        ways = {
            "forward-order product": lambda: chain_product(factors, "forward")[0],
            "reverse-order product": lambda: chain_product(factors, "reverse")[0],
            "forming the Jacobians": jacobians,
            "Jacobians + forward order": lambda: chain_product([g_L] + jacobians(), "forward")[0],
            "Jacobians + reverse order": lambda: chain_product([g_L] + jacobians(), "reverse")[0],
            "VJPs (numpy)": vjps,
            "Tensor.backward": loss.backward,
        }
        # Every way must give the gradient before its time means anything.
        loss.backward()
        reference = leaf.grad.copy()
        for name, way in ways.items():
            if name in ("forming the Jacobians", "Tensor.backward"):
                continue
            if not np.allclose(way(), reference):
                raise AssertionError(f"vector_chain_rule: {name} disagrees at width {M}")

        for name, way in ways.items():
            seconds[name].append(_best_time(way, repeats, budget))
        counts["forward"].append(chain_product(factors, "forward")[1])
        counts["reverse"].append(chain_product(factors, "reverse")[1])
    return {"widths": list(widths), "depth": depth, "seconds": seconds, "counts": counts}


MARKERS = "osv^DP"
SLOPE_POINTS = 3  # the largest widths, where the arithmetic has most of the time


def fitted_slope(widths, seconds, points: int = SLOPE_POINTS) -> float:
    """The slope of log(time) against log(width) over the last ``points`` widths.

    A time that grows like ``M**p`` has slope ``p``: this is the number to set beside
    the 3 and 2 of the multiply-add counts, computed from the run that is drawn.
    """
    w = np.log(np.asarray(widths, dtype=float)[-points:])
    t = np.log(np.asarray(seconds, dtype=float)[-points:])
    return float(np.polyfit(w, t, 1)[0])


def timing(theme: str) -> Figure:
    """Measured time against width: the two orders of the product, and four whole ways."""
    data = measure()
    widths = np.array(data["widths"], dtype=float)
    ms = {name: np.array(secs) * 1e3 for name, secs in data["seconds"].items()}
    fig = Figure(figsize=(8.0, 4.8), layout="constrained")
    products, gradients = fig.subplots(1, 2, sharey=True)

    for i, name in enumerate(PRODUCTS):
        slope = fitted_slope(widths, ms[name])
        products.plot(widths, ms[name], marker=MARKERS[i], label=f"{name}, slope {slope:.1f}",
                      linestyle=":" if name == "forming the Jacobians" else "-")
    # Guides through the last point of each product: how M³ and M² grow from there.
    muted = rcParams["axes.edgecolor"]
    for name, power in (("forward-order product", 3), ("reverse-order product", 2)):
        span = widths[-4:]
        guide = ms[name][-1] * (span / span[-1]) ** power
        products.plot(span, guide, color=muted, linewidth=0.8, linestyle="--")
        # Above and to the left of where the guide starts, clear of the measured curve.
        products.annotate(f"$\\propto M^{power}$", (span[0], guide[0]), xytext=(-3, 6),
                          textcoords="offset points", fontsize=10, color=muted,
                          ha="right", va="bottom")
    M, fwd, rev = data["widths"][-1], data["counts"]["forward"][-1], data["counts"]["reverse"][-1]
    products.set_title(f"the product alone ({data['depth']} layers)", fontsize=11)
    products.text(0.03, 0.97, f"multiply-adds at M = {M}:\nforward {fwd:,}\nreverse {rev:,}",
                  transform=products.transAxes, va="top", fontsize=9)
    first = int(widths[-SLOPE_POINTS])
    products.legend(title=f"slopes fitted over M = {first} to {M}", title_fontsize=9,
                    fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=1,
                    frameon=False)

    for i, name in enumerate(GRADIENTS):
        gradients.plot(widths, ms[name], marker=MARKERS[i], label=name)
    gradients.set_title("the whole gradient", fontsize=11)

    products.set_ylabel("milliseconds (best run, one thread)")
    gradients.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=1,
                     frameon=False)
    for ax in (products, gradients):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("layer width M")
        ax.grid(True, which="major", alpha=0.3)
    return fig


FIGURES = {
    "vector-chain-rule-shapes": shapes,
    "vector-chain-rule-timing": timing,
}


if __name__ == "__main__" and sys.argv[1:] == ["--measure"]:
    print(json.dumps(measure_here()))
