"""Figures of the chapter "Why now: data, hardware, software": where a step's time goes.

The network measured is the chapter's: 64 inputs, two hidden ReLU layers of width M, 10
outputs, the cross-entropy, plain SGD, float64; one step is the forward pass with the
loss, the backward pass, and the update with ``zero_grad``.

* ``why-now-step-time``: the time of one step against the batch size N, for three
  widths, and against the width for one batch size, with the four-term cost model of
  the chapter (a fixed cost per step, a cost per parameter, per unit of the batch's
  activations and per FLOP of the matrix products) fitted to the run.
* ``why-now-forward-backward``: left, the model's four terms as shares of a step
  against the batch size, for one width; right, the step split into its three phases
  for every width, with the measured ratio of backward to forward time above each bar
  beside the exact ratio of their matrix-product FLOPs.

The times are measured when the site is built, in a child process whose BLAS uses one
thread, as processor time of that thread (`time.thread_time`): on a busy machine, wall
time also counts the moments the process waited for a core, and a step of a few
milliseconds is rarely left alone for its whole length. Every time is the best of six
steps made in three sweeps, so that a disturbance has to strike the same size in every
sweep.
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

D, K = 64, 10  # the digits: 64 pixels, 10 classes
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
BATCH_WIDTHS = (16, 128, 512)  # one line each against the batch size
WIDTHS = (16, 32, 64, 128, 256, 512, 1024)
WIDTH_BATCH = 128  # the batch size of the sweep over widths
SHARE_WIDTH = 128  # the width whose cost shares are drawn against the batch size
ROUNDS = 3  # sweeps over every size; each time kept is the best of all of them
RUNS = 2  # steps per size and sweep
PHASES = ("forward", "backward", "update")


def sizes(width: int) -> list[int]:
    """Layer sizes of the measured network: D, M, M, K."""
    return [D, width, width, K]


def matmul_flops(layer_sizes, batch: int) -> tuple[int, int]:
    """FLOPs (two per multiply-add) of a dense step's matrix products: (forward, backward).

    Forward, one product per layer, ``Φ Wᵀ`` (``Φ`` the batch of the layer's inputs);
    backward, ``Z̄ᵀ Φ`` for the weight gradient of every layer and ``Z̄ W`` for the input
    gradient of every layer but the first, whose input (the data) needs none. The same
    count as the chapter's ``dense_flops``.
    """
    forward = backward = 0
    for l, (m_in, m_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        product = 2 * batch * m_in * m_out  # (N × in) @ (in × out); batch may be a float here
        forward += product
        backward += product if l == 1 else 2 * product
    return forward, backward


def _network(width: int, batch: int):
    """The measured network, its optimiser and a seeded batch: one step per call of the result."""
    import nnbook as nb
    from nnbook import functional as F, nn, optim

    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(D, width, rng=0), nn.ReLU(), nn.Linear(width, width, rng=1),
                          nn.ReLU(), nn.Linear(width, K, rng=2))
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    x = nb.tensor(rng.random((batch, D)))
    y = rng.integers(0, K, size=batch)

    def step() -> tuple[float, float, float]:
        """Processor seconds of the forward pass (and loss), the backward pass, the update."""
        t0 = time.thread_time()
        loss = F.cross_entropy(model(x), y)
        t1 = time.thread_time()
        loss.backward()
        t2 = time.thread_time()
        optimizer.step()
        optimizer.zero_grad()
        t3 = time.thread_time()
        return t1 - t0, t2 - t1, t3 - t2

    return step


def measure_here(points, rounds: int = ROUNDS, runs: int = RUNS) -> list[dict]:
    """Best seconds of each phase, and of the whole step, at each (width, batch) of ``points``.

    The sweep is made ``rounds`` times, ``runs`` steps per point each time, and every
    time kept is the best over all of them: a disturbance by other work on the machine
    has to strike the same point in every round to show.
    """
    steps = {point: _network(*point) for point in points}
    for step in steps.values():
        step()  # the first step pays for allocating what later steps reuse
    best = {point: dict.fromkeys(PHASES + ("step",), float("inf")) for point in points}
    for _ in range(rounds):
        for point, step in steps.items():
            for _ in range(runs):
                times = step()
                for name, seconds in zip(PHASES + ("step",), times + (sum(times),)):
                    best[point][name] = min(best[point][name], seconds)
    return [best[point] for point in points]


def batch_points() -> list[tuple[int, int]]:
    """(width, batch) of the sweeps over the batch size, one per line of the left plot."""
    return [(w, n) for w in BATCH_WIDTHS for n in BATCHES]


def width_points() -> list[tuple[int, int]]:
    """(width, batch) of the sweep over the width."""
    return [(w, WIDTH_BATCH) for w in WIDTHS]


@lru_cache(maxsize=None)
def measure() -> dict:
    """The measurements, made once per build in a child process with one BLAS thread.

    Cached, so that the light and the dark figures show the same run.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    run = subprocess.run([sys.executable, __file__, "--measure"], env=env,
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"why_now: the timing run failed:\n{run.stderr}")
    return json.loads(run.stdout)


# -- the cost model -----------------------------------------------------------------------

TERMS = ("fixed", "parameters", "activations", "FLOPs")


def counts(width: int, batch: int) -> np.ndarray:
    """What each term of the model counts, for one step: 1, P, N·(units), FLOPs."""
    layers = sizes(width)
    params = sum(m_in * m_out + m_out for m_in, m_out in zip(layers[:-1], layers[1:]))
    units = batch * sum(layers[1:])  # every unit of every example, pre-activations included
    return np.array([1.0, params, units, sum(matmul_flops(layers, batch))], dtype=float)


@lru_cache(maxsize=None)
def fitted_costs() -> tuple[float, ...]:
    """Seconds per count of each term: ``time ≈ c + a·P + b·N·units + FLOPs / R``.

    Least squares on the relative error, so that the steps of a tenth of a millisecond
    count as much as the long ones (each point's equation is divided by its own time),
    with no cost below zero: a term whose fitted cost is negative is dropped and the
    rest fitted again.
    """
    data = measure()
    points = batch_points() + width_points()
    times = [best["step"] for w in BATCH_WIDTHS for best in data["by_batch"][str(w)]]
    times += [best["step"] for best in data["by_width"]]
    A = np.array([counts(w, n) for w, n in points])
    t = np.array(times)
    keep = list(range(len(TERMS)))
    while True:
        solution, *_ = np.linalg.lstsq(A[:, keep] / t[:, None], np.ones_like(t), rcond=None)
        if (solution >= 0).all():
            break
        keep.pop(int(np.argmin(solution)))
    costs = np.zeros(len(TERMS))
    costs[keep] = solution
    return tuple(float(c) for c in costs)


def predicted(width: int, batch: float) -> float:
    """The model's seconds for one step."""
    return float(np.dot(fitted_costs(), counts(width, batch)))


MARKERS = "osD^v"


def _log_axes(ax, xlabel):
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.grid(True, which="major", alpha=0.3)


def step_time(theme: str) -> Figure:
    """Time per step against the batch size (left) and the width (right), with the model."""
    data = measure()
    c, a, b, per_flop = fitted_costs()
    fig = Figure(figsize=(8.0, 4.9), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    muted = rcParams["axes.edgecolor"]
    dense = np.geomspace(BATCHES[0], BATCHES[-1], 60)
    for i, w in enumerate(BATCH_WIDTHS):
        ms = [1e3 * best["step"] for best in data["by_batch"][str(w)]]
        line, = left.plot(BATCHES, ms, marker=MARKERS[i], linestyle="none", label=f"M = {w}")
        left.plot(dense, [1e3 * predicted(w, n) for n in dense], color=line.get_color(),
                  linewidth=1.2, alpha=0.8)
    left.set_title("against the batch size", fontsize=11)
    left.legend(fontsize=9, loc="upper left", title="measured; lines: the model",
                title_fontsize=9)
    _log_axes(left, "batch size N")

    ms = [1e3 * best["step"] for best in data["by_width"]]
    right.plot(WIDTHS, ms, marker="o", linestyle="none", label=f"measured, N = {WIDTH_BATCH}")
    dense = np.geomspace(WIDTHS[0], WIDTHS[-1], 60)
    right.plot(dense, [1e3 * predicted(w, WIDTH_BATCH) for w in dense], linewidth=1.2,
               alpha=0.8, label="the model")
    right.set_title("against the width", fontsize=11)
    right.legend(fontsize=9, loc="upper left")
    _log_axes(right, "hidden width M")
    left.set_ylabel("milliseconds per step (processor time)")
    rate = f"{1e-9 / per_flop:.0f} GFLOP/s" if per_flop > 0 else "(dropped)"
    fig.text(0.5, 0.0, "model fitted to this run: step ≈ "
             f"{1e6 * c:.0f} µs + {1e9 * a:.2f} ns × parameters + {1e9 * b:.2f} ns × N × units"
             f" + FLOPs at {rate}", ha="center", va="bottom", fontsize=9, color=muted)
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    return fig


def forward_backward(theme: str) -> Figure:
    """Left: the model's terms as shares against N. Right: the three phases per width."""
    data = measure()
    fig = Figure(figsize=(8.0, 4.6), layout="constrained")
    shares_ax, phases_ax = fig.subplots(1, 2, width_ratios=(1, 1.3))

    batches = np.geomspace(BATCHES[0], BATCHES[-1], 60)
    width = SHARE_WIDTH
    parts = np.array([np.array(fitted_costs()) * counts(width, n) for n in batches])
    shares = 100 * parts / parts.sum(axis=1, keepdims=True)
    labels = {"fixed": "fixed per step", "parameters": "per parameter",
              "activations": "per unit × example", "FLOPs": "per FLOP (matrix products)"}
    shares_ax.stackplot(batches, shares.T, labels=[labels[t] for t in TERMS], alpha=0.85)
    shares_ax.set_xscale("log", base=2)
    shares_ax.set_xlim(batches[0], batches[-1])
    shares_ax.set_ylim(0, 100)
    shares_ax.set_xlabel("batch size N")
    shares_ax.set_ylabel("share of the step's time (%)")
    shares_ax.set_title(f"the model's terms, M = {width}", fontsize=11)
    shares_ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2,
                     frameon=False)

    positions = np.arange(len(WIDTHS))
    seconds = {phase: np.array([best[phase] for best in data["by_width"]]) for phase in PHASES}
    total = sum(seconds.values())
    bottom = np.zeros(len(WIDTHS))
    names = {"forward": "forward and loss", "backward": "backward",
             "update": "update, zero_grad"}
    for phase in PHASES:
        share = 100 * seconds[phase] / total
        phases_ax.bar(positions, share, bottom=bottom, width=0.7, label=names[phase])
        bottom += share
    for i, w in enumerate(WIDTHS):
        fwd, bwd = matmul_flops(sizes(w), WIDTH_BATCH)
        measured = seconds["backward"][i] / seconds["forward"][i]
        phases_ax.annotate(f"{measured:.2f}\n({bwd / fwd:.2f})", (i, 100), xytext=(0, 3),
                           textcoords="offset points", ha="center", va="bottom", fontsize=8)
    phases_ax.set_ylim(0, 100)
    phases_ax.set_xticks(positions, [str(w) for w in WIDTHS])
    phases_ax.set_xlabel(f"hidden width M (N = {WIDTH_BATCH})")
    phases_ax.set_title("backward ÷ forward: time (FLOPs)", fontsize=11, pad=28)
    phases_ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3,
                     frameon=False)
    return fig


FIGURES = {
    "why-now-step-time": step_time,
    "why-now-forward-backward": forward_backward,
}


if __name__ == "__main__" and sys.argv[1:] == ["--measure"]:
    batches = measure_here(batch_points())
    by_batch = {str(w): batches[i * len(BATCHES):(i + 1) * len(BATCHES)]
                for i, w in enumerate(BATCH_WIDTHS)}
    print(json.dumps({"by_batch": by_batch, "by_width": measure_here(width_points())}))
