"""Garbage collection tuned for exaudit's work: many objects, no cycles worth chasing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a command runs.

    An audit keeps hundreds of thousands of rule objects alive while it makes millions of
    short-lived boxes; every full collection walks all of the former, and the model makes
    no reference cycles worth chasing. Raising the threshold took 44% off the benchmark.
    """
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
