"""The benchmark runs: one short measurement of every workload, in every library installed.

Not a timed test: it asserts only that each workload runs in nnbook and the hand-written
numpy step (and in PyTorch, if installed), that they start from the same loss, and that
nnbook keeps float32 float32. `python -m benchmarks` measures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.workloads import HAND_WRITTEN, WORKLOADS, nnbook_step, numpy_step

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("key", HAND_WRITTEN)
def test_hand_written_steps_compute_what_nnbook_computes(key):
    ours, model = nnbook_step(key)
    theirs, params = numpy_step(key)
    for _ in range(3):  # the losses, and so the updates, agree step after step
        a, b = ours(), theirs()
        assert a == pytest.approx(b, rel=1e-4 if WORKLOADS[key].dtype == "float32" else 1e-10)
    for name, p in model.named_parameters():  # pytest.approx's test, on whole arrays at once
        assert p.data.shape == params[name].shape, name
        off = np.abs(p.data - params[name]) > np.maximum(1e-3 * np.abs(params[name]), 1e-6)
        assert not off.any(), f"{name}: {off.sum()} of {off.size} entries differ"


@pytest.mark.slow
def test_smoke_run_of_every_workload():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| W")]
    assert {row.split("|")[1].strip() for row in rows} == set(WORKLOADS)
    assert "losses differ" not in proc.stdout and "changed dtype" not in proc.stdout
