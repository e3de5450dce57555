"""How fast is nnbook? Its training steps timed beside plain numpy's and PyTorch's.

``python -m benchmarks`` runs the workloads W1–W7 (see `benchmarks.workloads`) in each
library, one process per library and thread setting, and writes the table of
``docs/speed.md`` to ``benchmarks/results.md``. ``python -m benchmarks --smoke`` takes
one short measurement of every workload (the test suite runs it).
"""
