"""How a run does its work: how many processes, which cache, where progress goes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from exaudit.pipeline.cache import Cache
from exaudit.pipeline.pool import run_all

T = TypeVar("T")
R = TypeVar("R")
Notify = Callable[[str], None]


def _quiet(message: str) -> None:
    """Say nothing (the default where no one listens)."""


@dataclass(frozen=True)
class Runner:
    jobs: int = 1
    cache: Cache | None = None
    notify: Notify = _quiet

    def map(self, func: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return run_all(func, items, self.jobs)


SERIAL = Runner()
