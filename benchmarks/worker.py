"""One library's measurements, in a process of its own: ``python -m benchmarks.worker LIBRARY KEY...``.

The parent (`benchmarks.__main__`) sets the thread count in the environment before this
process starts, since BLAS reads it once, at load. Prints one JSON object per workload.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
import tracemalloc

from benchmarks.workloads import HAND_WRITTEN, IMPLEMENTATIONS, WORKLOADS


def _busy_jiffies() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def measure(step, min_time: float, repeats: int, warmup: int = 3) -> dict:
    """Median ms per step over ``repeats`` runs of at least ``min_time`` seconds each, after a warm-up."""
    for _ in range(warmup):
        step()
    before_cpu, before_machine = time.process_time(), _busy_jiffies()
    before_faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    per_step, wall, total_steps = [], 0.0, 0
    for _ in range(repeats):
        steps, start = 0, time.perf_counter()
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        per_step.append(1000 * elapsed / steps)
        wall += elapsed
        total_steps += steps
    # minor page faults: first writes to memory fresh from the kernel, which zeroes each page
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before_faults
    result = {"ms": statistics.median(per_step), "runs": per_step, "faults_per_step": faults / total_steps}
    after_machine = _busy_jiffies()
    if before_machine and after_machine:
        ticks = os.sysconf("SC_CLK_TCK")
        machine_busy = (after_machine[0] - before_machine[0]) / ticks
        ours = time.process_time() - before_cpu
        # CPU seconds that other processes used while we measured
        result["others_cpu_s"] = max(machine_busy - ours, 0.0)
        result["wall_s"] = wall
    return result


def gemm_peak(dtype: str, min_time: float) -> float:
    """GFLOP/s of numpy's matrix product at the size of W3's largest product."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.random((256, 784)).astype(dtype)
    b = rng.random((784, 512)).astype(dtype)
    r = measure(lambda: a @ b, min_time, 3, warmup=1)
    return 2 * 256 * 784 * 512 / (r["ms"] / 1000) / 1e9


def peak_memory(step) -> int:
    step()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv: list[str]) -> None:
    library, *keys = argv
    engine = "nnbook" if library.startswith("nnbook") else library  # nnbook-unretained: the same code
    min_time = float(os.environ.get("NNBOOK_BENCH_MIN_TIME", "1.0"))
    repeats = int(os.environ.get("NNBOOK_BENCH_REPEATS", "5"))
    warmup = int(os.environ.get("NNBOOK_BENCH_WARMUP", "3"))
    info = {"library": library, "threads": os.environ.get("OMP_NUM_THREADS", "default")}
    if library == "torch":
        import torch

        if "OMP_NUM_THREADS" in os.environ:
            torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        info |= {"version": torch.__version__, "torch_threads": torch.get_num_threads()}
    else:
        import numpy as np

        info["version"] = np.__version__
        if engine == "nnbook":
            import nnbook

            info["nnbook"] = nnbook.__version__
            info["retained_memory"] = os.environ.get("NNBOOK_RETAIN_MEMORY", "1") != "0"
        try:
            from threadpoolctl import threadpool_info

            info["blas"] = [{k: d.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
                            for d in threadpool_info()]
        except ImportError:
            pass
        for dtype in ("float32", "float64"):
            info[f"gemm_gflops_{dtype}"] = gemm_peak(dtype, min(min_time, 0.5))
    print(json.dumps({"info": info}), flush=True)
    for key in keys:
        if library == "numpy" and key not in HAND_WRITTEN:
            continue
        step, model = IMPLEMENTATIONS[engine](key)
        first = step()
        record = {"workload": key, "first_loss": first, **measure(step, min_time, repeats, warmup)}
        if engine == "nnbook":  # float32 stays float32 through forward, backward and update
            want = WORKLOADS[key].dtype
            record["dtype_kept"] = all(p.data.dtype == want and p.grad.dtype == want
                                       for p in model.parameters())
        if key.startswith("W3") and library in ("nnbook", "numpy"):
            record["peak_bytes"] = peak_memory(IMPLEMENTATIONS[library](key)[0])
        gemm = WORKLOADS[key].gemm_flops
        if gemm:
            record["gflops"] = gemm / (record["ms"] / 1000) / 1e9
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
