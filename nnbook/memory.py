r"""Freed memory kept for reuse: glibc's ``malloc`` set up for a training loop.

A training step allocates the same large arrays every time — activations and their
gradients, the im2col columns of a convolution, the gates of every step of a recurrent
layer — and frees them all when the step ends. With glibc's defaults, an allocation
larger than 128 KiB (after a few frees, up to 32 MiB) is mapped from the kernel on its
own, and freed memory at the top of the heap is given back to the kernel once more than
twice that is free. The next step then gets fresh pages, and each page costs a page
fault — the kernel stops the program and zeroes 4 KiB — the first time it is written:
thousands a step for the book's CNN and its float64 MLP, a quarter to a half of their
time (`python -m benchmarks` measures it).

When nnbook is imported on a system with glibc, `retain_freed_memory` raises both
thresholds (``mallopt``, the same as the ``MALLOC_MMAP_THRESHOLD_`` and
``MALLOC_TRIM_THRESHOLD_`` environment variables), so that a step reuses the memory
the step before freed. The price is that the process keeps up to ``trim_threshold``
of freed memory instead of returning it. PyTorch's CPU performance guides make the
same point by recommending jemalloc or tcmalloc in place of glibc's allocator. Set
the environment variable ``NNBOOK_RETAIN_MEMORY=0`` before importing nnbook to leave
``malloc`` as it is; on other systems nothing is changed.
"""

from __future__ import annotations

import ctypes
import os
import platform

__all__ = ["retain_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
MiB = 1 << 20


def retain_freed_memory(mmap_threshold: int = 32 * MiB, trim_threshold: int = 256 * MiB) -> bool:
    """Keep freed memory in the process for reuse; True if glibc took both settings.

    Parameters
    ----------
    mmap_threshold : int
        Allocations up to this many bytes come from the heap, where freed memory can be
        reused, instead of a mapping of their own (glibc allows at most 32 MiB).
    trim_threshold : int
        Free memory at the top of the heap is returned to the kernel only above this.

    Examples
    --------
    >>> from nnbook import memory
    >>> memory.retain_freed_memory() in (True, False)   # False where there is no glibc
    True
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # glibc's mallopt returns 1 on success
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) & bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold))


if os.environ.get("NNBOOK_RETAIN_MEMORY", "1") != "0":
    retain_freed_memory()
