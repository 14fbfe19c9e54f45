"""Progress on standard error while long work runs: only on a terminal, never in a report."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR = 24
EVERY = 0.1  # seconds between redraws: drawing must not cost what it measures


class Progress:
    """``exaudit: auditing firewalls  3/10 [#######.................]``, drawn in place."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.shown = False
        self._last = 0.0

    @classmethod
    def wanted(cls, quiet: bool, stream: TextIO | None = None) -> bool:
        stream = stream or sys.stderr
        return not quiet and hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < EVERY and self.shown:
            return
        self._last = now
        filled = BAR * done // total if total else BAR
        line = f"exaudit: {what} {done}/{total} [{'#' * filled}{'.' * (BAR - filled)}]"
        self.stream.write("\r" + line)
        self.stream.flush()
        self.shown = True
        if done >= total:
            self.clear()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
