"""The figure script of "Why now": its FLOP count and its cost model, without timing anything.

The timings themselves depend on the machine; what can be pinned is that the FLOPs
drawn beside them are the products nnbook's graph really makes, and that the fit of
the cost model recovers known costs and never reports a negative one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nnbook import functional as F, nn
from nnbook.graph import trace

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "figures" / "why_now.py"


@pytest.fixture()
def why_now():
    spec = importlib.util.spec_from_file_location("why_now_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _graph_flops(loss):
    """FLOPs of the `linear` nodes of a graph: one product forward, one or two backward."""
    nodes, edges = trace(loss)
    parents = [[] for _ in nodes]
    for parent, child in edges:
        parents[child].append(nodes[parent])
    forward = backward = 0
    for node in nodes:
        if node.op == "linear":
            x, W = parents[node.index][:2]
            product = 2 * int(np.prod(x.shape)) * W.shape[0]
            forward += product
            backward += product if x.kind == "constant" else 2 * product
    return forward, backward


@pytest.mark.parametrize("width,batch", [(16, 1), (128, 32), (100, 7)])
def test_flops_are_those_of_the_recorded_graph(why_now, width, batch):
    layers = why_now.sizes(width)
    model = nn.Sequential(nn.Linear(layers[0], width, rng=0), nn.ReLU(), nn.Linear(width, width, rng=1),
                          nn.ReLU(), nn.Linear(width, layers[-1], rng=2))
    x = np.random.default_rng(0).random((batch, layers[0]))
    loss = F.cross_entropy(model(x), np.zeros(batch, dtype=int))
    assert why_now.matmul_flops(layers, batch) == _graph_flops(loss)


def test_the_first_layer_makes_no_input_gradient(why_now):
    forward, backward = why_now.matmul_flops([64, 512, 512, 10], 128)
    first = 2 * 128 * 64 * 512
    assert backward == 2 * forward - first


def _fake_measurements(why_now, costs):
    def best(width, batch):
        seconds = float(np.dot(costs, why_now.counts(width, batch)))
        return {"forward": seconds / 3, "backward": 2 * seconds / 3 * 0.9, "update": seconds / 30,
                "step": seconds}

    by_batch = {str(w): [best(w, n) for n in why_now.BATCHES] for w in why_now.BATCH_WIDTHS}
    return {"by_batch": by_batch, "by_width": [best(w, why_now.WIDTH_BATCH) for w in why_now.WIDTHS]}


def test_the_fit_recovers_known_costs(why_now, monkeypatch):
    costs = np.array([1e-4, 3e-9, 2e-9, 1 / 40e9])
    monkeypatch.setattr(why_now, "measure", lambda: _fake_measurements(why_now, costs))
    assert np.allclose(why_now.fitted_costs(), costs, rtol=1e-6)


def test_a_negative_cost_is_dropped_not_reported(why_now, monkeypatch):
    costs = np.array([1e-4, 0.0, 0.0, 1 / 40e9])
    data = _fake_measurements(why_now, costs)
    for best in data["by_width"][:3]:  # slow small steps pull the per-parameter cost below zero
        best["step"] *= 1.5
    monkeypatch.setattr(why_now, "measure", lambda: data)
    fitted = why_now.fitted_costs()
    assert min(fitted) >= 0 and fitted[0] > 0 and fitted[3] > 0


def test_the_figures_draw_from_measurements(why_now, monkeypatch):
    costs = np.array([1e-4, 3e-9, 2e-9, 1 / 40e9])
    monkeypatch.setattr(why_now, "measure", lambda: _fake_measurements(why_now, costs))
    for name, draw in why_now.FIGURES.items():
        assert name.startswith("why-now-")
        assert draw("light").axes
