"""Work spread over processes (``--jobs``), with results in the order of the work."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from exaudit.core.gc import fewer_collections

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _call(work: tuple[Callable[[T], R], T]) -> R:
    func, item = work
    with fewer_collections():
        return func(item)


def run_all(func: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[func(item) for item in items]``, over up to ``jobs`` processes."""
    if jobs <= 1 or len(items) <= 1:
        return [_call((func, item)) for item in items]
    # fork shares what the parent has loaded; elsewhere the default start method
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
        return list(pool.map(_call, [(func, item) for item in items]))
