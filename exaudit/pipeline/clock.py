"""How long each phase of a run took, for ``--verbose``."""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.laps[phase] = self.laps.get(phase, 0.0) + now - self._last
        self._last = now


def laps_text(laps: dict[str, float]) -> str:
    return ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in laps.items())
