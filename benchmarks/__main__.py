"""``python -m benchmarks``: time every workload in nnbook, plain numpy and PyTorch; write the table.

Options: ``--smoke`` (one short run each, nothing written: what the test suite runs),
``--workloads W1,W3-f32`` (a subset), ``--min-time S`` (seconds per repeat, default 1),
``--repeats K`` (default 5), ``--out PATH`` (default benchmarks/results.md).

Each library runs in a process of its own, once with one thread (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to 1) and once with the default.
A ratio is only printed when both libraries' first losses agree (to 1e-4 relative:
float32 sums differ in their last bits), so it never compares different computations.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from benchmarks.workloads import HAND_WRITTEN, WORKLOADS

ROOT = Path(__file__).resolve().parents[1]
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
BUSY_WARNING = 0.10  # other processes' CPU time above this share of ours: a warning


def run_worker(library: str, keys: list[str], threads: str, min_time: float, repeats: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS + ("NNBOOK_RETAIN_MEMORY",)}
    if library == "nnbook-unretained":  # nnbook with glibc's malloc left as it is (nnbook.memory)
        env["NNBOOK_RETAIN_MEMORY"] = "0"
    if threads == "1":
        env |= {k: "1" for k in THREAD_VARS}
    env |= {"NNBOOK_BENCH_MIN_TIME": str(min_time), "NNBOOK_BENCH_REPEATS": str(repeats),
            "NNBOOK_BENCH_WARMUP": "0" if repeats == 1 and min_time < 0.1 else "3",
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.worker", library, *keys],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmarks: the {library} worker failed:\n{proc.stderr}")
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {"info": lines[0]["info"], "results": {r["workload"]: r for r in lines[1:]}}


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def agree(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(abs(a), abs(b), 1e-12)


def table(runs: dict, keys: list[str]) -> list[str]:
    """Markdown rows: one per workload and thread setting."""
    rows = ["| workload | threads | nnbook ms/step | numpy by hand | PyTorch | nnbook ÷ PyTorch | "
            "nnbook ÷ numpy | GFLOP/s (share of GEMM peak) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in keys:
        for threads in ("1", "default"):
            if ("nnbook", threads) not in runs:
                continue
            ours = runs[("nnbook", threads)]["results"].get(key)
            if ours is None:
                continue
            hand = runs.get(("numpy", threads), {}).get("results", {}).get(key)
            theirs = runs.get(("torch", threads), {}).get("results", {}).get(key)
            cells = [key, threads, f"{ours['ms']:.2f}"]
            cells.append(f"{hand['ms']:.2f}" if hand else "—")
            cells.append(f"{theirs['ms']:.2f}" if theirs else "—")
            if theirs:
                cells.append(f"{ours['ms'] / theirs['ms']:.2f}" if agree(ours["first_loss"], theirs["first_loss"])
                             else "losses differ")
            else:
                cells.append("—")
            cells.append(f"{ours['ms'] / hand['ms']:.2f}" if hand else "—")
            if "gflops" in ours:
                peak = runs[("nnbook", threads)]["info"][f"gemm_gflops_{WORKLOADS[key].dtype}"]
                cells.append(f"{ours['gflops']:.1f} ({100 * ours['gflops'] / peak:.0f} %)")
            else:
                cells.append("—")
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def memory_table(runs: dict, keys: list[str]) -> list[str]:
    """What keeping freed memory buys (one thread): nnbook with and without, page faults per step."""
    kept, unkept = runs.get(("nnbook", "1")), runs.get(("nnbook-unretained", "1"))
    if not kept or not unkept:
        return []
    theirs = runs.get(("torch", "1"), {}).get("results", {})
    rows = ["| workload | nnbook ms/step | faults/step | with malloc's defaults: ms/step | faults/step | "
            "PyTorch faults/step |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for key in keys:
        a, b, t = kept["results"].get(key), unkept["results"].get(key), theirs.get(key)
        if a and b:
            torch_faults = f"{t['faults_per_step']:.0f}" if t else "—"
            rows.append(f"| {key} | {a['ms']:.2f} | {a['faults_per_step']:.0f} | {b['ms']:.2f} | "
                        f"{b['faults_per_step']:.0f} | {torch_faults} |")
    return rows


def warnings_of(runs: dict) -> list[str]:
    notes = []
    for (library, threads), run in runs.items():
        for key, r in run["results"].items():
            if r.get("others_cpu_s", 0) > BUSY_WARNING * r.get("wall_s", 1e9):
                notes.append(f"{library} {key} ({threads} thread(s)): other processes used "
                             f"{r['others_cpu_s']:.1f} CPU-s during {r['wall_s']:.1f} s of measuring")
            if r.get("dtype_kept") is False:
                notes.append(f"nnbook {key}: a parameter or gradient changed dtype")
    return notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--min-time", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    args = parser.parse_args(argv)
    keys = args.workloads.split(",")
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workloads {unknown}; known: {', '.join(WORKLOADS)}")
    if args.smoke:
        args.min_time, args.repeats = 0.01, 1
    libraries = ["nnbook", "numpy"] + (["torch"] if torch_available() else [])
    thread_settings = ["default"] if args.smoke else ["1", "default"]
    runs = {}
    for threads in thread_settings:
        for library in libraries:
            runs[(library, threads)] = run_worker(library, keys, threads, args.min_time, args.repeats)
    # nnbook once more, with glibc's malloc as it comes: what nnbook.memory's setting buys
    unretained_threads = thread_settings[0]
    runs[("nnbook-unretained", unretained_threads)] = run_worker(
        "nnbook-unretained", keys, unretained_threads, args.min_time, args.repeats)

    # Same computation, or no comparison: the first losses must agree.
    problems = []
    for threads in thread_settings:
        ours = runs[("nnbook", threads)]["results"]
        for library in libraries[1:] + (["nnbook-unretained"] if threads == unretained_threads else []):
            for key, r in runs[(library, threads)]["results"].items():
                if not agree(ours[key]["first_loss"], r["first_loss"]):
                    problems.append(f"{key}: nnbook's first loss {ours[key]['first_loss']:.8g}, "
                                    f"{library}'s {r['first_loss']:.8g}")
    rows = table(runs, keys)
    notes = warnings_of(runs)
    print("\n".join(rows))
    for line in problems + notes:
        print("warning:", line)
    if args.smoke:
        return 1 if problems else 0

    info = runs[("nnbook", "default")]["info"]
    memory = ""
    ours, hand = runs[("nnbook", "default")]["results"], runs[("numpy", "default")]["results"]
    for key in ("W3-f32", "W3-f64"):
        if key in ours and key in hand and "peak_bytes" in ours[key]:
            memory += (f"- Peak memory of one {key} step (tracemalloc): nnbook "
                       f"{ours[key]['peak_bytes'] / 2**20:.1f} MiB, by hand {hand[key]['peak_bytes'] / 2**20:.1f} MiB "
                       f"({ours[key]['peak_bytes'] / hand[key]['peak_bytes']:.2f}×).\n")
    torch_info = runs.get(("torch", "default"), {}).get("info", {})
    blas = ", ".join(f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')}, "
                     f"{b.get('num_threads')} threads)" for b in info.get("blas", []))
    header = [
        f"Measured on {datetime.date.today().isoformat()} with `python -m benchmarks`: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {info['version']} ({blas}), "
        + (f"PyTorch {torch_info['version']}" if torch_info else "PyTorch not installed") + ". "
        f"Each time is the median of {args.repeats} runs of at least {args.min_time:g} s, "
        f"after a warm-up; one training step = zero the gradients, forward, loss, backward, "
        f"SGD update.",
        "",
        f"numpy's GEMM peak in the same run: {info['gemm_gflops_float32']:.1f} GFLOP/s (float32), "
        f"{info['gemm_gflops_float64']:.1f} GFLOP/s (float64), default threads; with one thread "
        f"{runs[('nnbook', '1')]['info']['gemm_gflops_float32']:.1f} and "
        f"{runs[('nnbook', '1')]['info']['gemm_gflops_float64']:.1f}.",
        "",
    ]
    kept = memory_table(runs, keys)
    if kept:
        kept = ["", "Memory kept for reuse, one thread: nnbook as it runs (freed memory kept by glibc's "
                "`malloc` for the next step, `nnbook.memory`) and again with `NNBOOK_RETAIN_MEMORY=0`, "
                "with the minor page faults of a step (first writes to memory fresh from the kernel).",
                ""] + kept
    footer = kept + [""] + ([memory] if memory else []) + [f"- warning: {n}" for n in problems + notes]
    Path(args.out).write_text("\n".join(header + rows + footer).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
