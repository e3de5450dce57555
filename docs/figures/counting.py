"""Figures of the chapter "The concept exercise: counting parameters", computed with `nnbook.counting`.

* ``counting-growth``: the parameter counts of the three networks against the side of a
  square image, on log–log axes, for fixed architecture hyper-parameters;
* ``counting-breakdown``: where each network's parameters sit (the layer that reads the
  image, the layers between, the output head, the biases), for 28 × 28 and 256 × 256
  images, read off the named parameters of the models themselves.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from nnbook.counting import (
    conv_network, conv_params, count_params, fc_network, fc_params, rnn_network, rnn_params,
)

FC = {"L": 2, "M": 100}
CONV = {"P": 3, "L": 2, "channels": 16, "pool": 2}
H = 128
SIDES = np.unique(np.round(np.geomspace(16, 1024, 25)).astype(int))
ROLES = ("reads the image", "between layers", "output head", "biases")


@lru_cache(maxsize=1)
def _growth() -> dict[str, list[int]]:
    """The counts for each square side, from the library's formulas (checked against models in the tests)."""
    counts = {"fc": [], "conv": [], "conv_kernels": [], "rnn": [], "lstm": []}
    C, P, L = CONV["channels"], CONV["P"], CONV["L"]
    kernels = C * P * P + (L - 1) * C * C * P * P + L * C   # the convolutions, biases included
    for s in SIDES:
        s = int(s)
        counts["fc"].append(fc_params(s, s, **FC))
        counts["conv"].append(conv_params(s, s, **CONV))
        counts["conv_kernels"].append(kernels)
        counts["rnn"].append(rnn_params(s, H))
        counts["lstm"].append(rnn_params(s, H, "lstm"))
    return counts


def growth(theme: str):
    """Counts against the side s of an s × s image, log–log."""
    counts = _growth()
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(SIDES, counts["fc"], marker="o", markersize=3,
            label=f"fully connected (L = {FC['L']}, M = {FC['M']})")
    ax.plot(SIDES, counts["conv"], marker="s", markersize=3,
            label=f"conv (P = {CONV['P']}, L = {CONV['L']}, C = {CONV['channels']}, pool {CONV['pool']})")
    ax.plot(SIDES, counts["conv_kernels"], linestyle=":", linewidth=1.5, color="C1",
            label="conv: its convolutions alone")
    ax.plot(SIDES, counts["rnn"], marker="^", markersize=3, label=f"RNN, one row a step (H = {H})")
    ax.plot(SIDES, counts["lstm"], linestyle="--", linewidth=1.5, color="C2",
            label=f"LSTM, one row a step (H = {H})")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = [16, 32, 64, 128, 256, 512, 1024]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("side of the square image, D = N (pixels)")
    ax.set_ylabel("parameters")
    ax.set_title("Parameters against image size", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    # Slopes on log–log axes: 2 for the pixel count DN, 1 for the row width N. Each guide
    # runs in the free band below its curve.
    def at(key, side):
        return counts[key][int(np.searchsorted(SIDES, side))]

    x0, x1 = 128, 1024
    y0 = at("fc", x0) / 6
    ax.plot([x0, x1], [y0, y0 * (x1 / x0) ** 2], color="0.5", linewidth=1)
    ax.text(1000, y0 * (1000 / x0) ** 2 / 3, "slope 2: ∝ DN", fontsize=9, color="0.5",
            ha="right", va="top")
    x0, x1 = 256, 1024
    y0 = at("rnn", x0) / 2.5
    ax.plot([x0, x1], [y0, y0 * (x1 / x0)], color="0.5", linewidth=1)
    ax.text(400, y0 * (400 / x0) / 1.6, "slope 1: ∝ N", fontsize=9, color="0.5",
            ha="left", va="top")
    ax.legend(fontsize=8.5, loc="upper left")
    return fig


def _roles(model) -> dict[str, int]:
    """Split a model's count by role, from its named parameters (PyTorch-style names)."""
    named = list(model.named_parameters())
    weights = [(name, p) for name, p in named if "weight" in name]
    parts = dict.fromkeys(ROLES, 0)
    for name, p in named:
        if "bias" in name:
            role = "biases"
        elif name == weights[0][0] or name.endswith("weight_ih"):
            role = "reads the image"
        elif name == weights[-1][0]:
            role = "output head"
        else:
            role = "between layers"
        parts[role] += int(p.data.size)
    assert sum(parts.values()) == count_params(model)
    return parts


@lru_cache(maxsize=1)
def _breakdown() -> list[tuple[str, dict[str, int]]]:
    """The role split of each network, built at 28 × 28 and 256 × 256 (once a build)."""
    rows = []
    for side in (28, 256):
        rows.append((f"fully connected, {side}×{side}", _roles(fc_network(side, side, **FC, rng=0))))
        rows.append((f"conv, {side}×{side}", _roles(conv_network(side, side, **CONV, rng=0))))
        rows.append((f"RNN, {side}×{side}", _roles(rnn_network(side, H, rng=0))))
    return rows


def breakdown(theme: str):
    """Horizontal stacked bars: each network's share of parameters by role, with its total."""
    rows = _breakdown()
    fig = Figure(figsize=(6.4, 3.9), layout="constrained")
    ax = fig.subplots()
    labels = [label for label, _ in rows][::-1]
    shares = np.array([[parts[r] for r in ROLES] for _, parts in rows][::-1], dtype=float)
    totals = shares.sum(axis=1)
    shares = 100 * shares / totals[:, None]
    left = np.zeros(len(rows))
    for k, role in enumerate(ROLES):
        ax.barh(labels, shares[:, k], left=left, label=role, color=f"C{k}", height=0.6)
        left += shares[:, k]
    for i, total in enumerate(totals):
        ax.text(101.5, i, f"{int(total):,}", va="center", fontsize=9)
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("share of the parameters (%); total on the right")
    fig.suptitle("Where the parameters sit", fontsize=11)
    ax.tick_params(axis="y", labelsize=9)
    ax.legend(fontsize=8.5, ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.07),
              frameon=False, handlelength=1.2, columnspacing=1.0)
    return fig


FIGURES = {
    "counting-growth": growth,
    "counting-breakdown": breakdown,
}
