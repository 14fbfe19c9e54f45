"""Work spread over processes (``--jobs``), with results in the order of the work."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
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


def run_all(
    func: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    done: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, over up to ``jobs`` processes.

    ``done(i, result)`` is called as each result arrives (in any order, for progress);
    the list returned is in the order of ``items``, and when several items fail, the
    error raised is the first item's, as it would be one after the other.
    """
    results: dict[int, R] = {}
    if jobs <= 1 or len(items) <= 1:
        for i, item in enumerate(items):
            results[i] = _call((func, item))
            if done is not None:
                done(i, results[i])
        return [results[i] for i in range(len(items))]
    # fork shares what the parent has loaded; elsewhere the default start method
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    errors: dict[int, BaseException] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
        futures = {pool.submit(_call, (func, item)): i for i, item in enumerate(items)}
        for future in as_completed(futures):
            i = futures[future]
            failure = future.exception()
            if failure is not None:
                errors[i] = failure
                continue
            results[i] = future.result()
            if done is not None:
                done(i, results[i])
    if errors:
        raise errors[min(errors)]
    return [results[i] for i in range(len(items))]
