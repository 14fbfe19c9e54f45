"""How a run does its work: how many processes, which cache, where messages go."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from exaudit.pipeline.cache import Cache
from exaudit.pipeline.pool import run_all

T = TypeVar("T")
R = TypeVar("R")
Notify = Callable[[str], None]
Progress = Callable[[str, int, int], None]  # (what, done, total)


def _quiet(message: str) -> None:
    """Say nothing (the default where no one listens)."""


def _still(what: str, done: int, total: int) -> None:
    """Show no progress."""


@dataclass(frozen=True)
class Runner:
    jobs: int = 1
    cache: Cache | None = None
    notify: Notify = _quiet  # what a person should know (a platform guessed, a baseline)
    detail: Notify = _quiet  # what --verbose shows: what was read, how long each part took
    progress: Progress = _still

    def map(self, func: Callable[[T], R], items: Sequence[T], what: str) -> list[R]:
        """``func`` over ``items`` (in ``jobs`` processes), showing progress as ``what``."""
        count = [0]

        def done(_: int, __: R) -> None:
            count[0] += 1
            self.progress(what, count[0], len(items))

        if items:
            self.progress(what, 0, len(items))
        return run_all(func, items, self.jobs, done)


SERIAL = Runner()
