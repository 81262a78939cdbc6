"""Memory the Rasa server freed while loading its model, handed back to the system.

Loading the model (unpacking it, reading the NLU components, building TensorFlow's prediction
graphs) allocates and frees a few hundred MB of temporary objects. glibc's allocator keeps
freed memory for reuse instead of returning it, so the Rasa server kept about 140 MB more
resident than it used (measured 2026-12-08 on this project's model: 1,588 MB after loading,
1,446 MB after ``malloc_trim(0)``). ``trim`` asks glibc to return what is free; the REST
channel (channels/guard.py) runs it once the server has started, which is after Rasa has
loaded the model. On a C library without ``malloc_trim`` (musl, macOS) it does nothing.

``scripts/serve.sh`` also starts Rasa with ``MALLOC_ARENA_MAX=2``: TensorFlow's threads would
otherwise each get their own allocation arena, which hold freed memory apart.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

logger = logging.getLogger(__name__)


def _process_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def trim() -> bool:
    """Collect garbage and return free heap memory to the system. True when glibc did it."""
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        malloc_trim = getattr(libc, "malloc_trim", None)
    except OSError:
        malloc_trim = None
    if malloc_trim is None:
        return False
    before = _process_rss_mb()
    malloc_trim(0)
    logger.info("returned free memory after start-up: resident %.0f MB -> %.0f MB",
                before, _process_rss_mb())
    return True


async def trim_after_start(app, loop) -> None:  # a Sanic listener (after_server_start)
    trim()
