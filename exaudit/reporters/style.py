"""Terminal colour for the text reports, only when writing to a terminal."""

from __future__ import annotations

import os
import sys
from typing import TextIO

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m",
            "permit": "\033[32m", "deny": "\033[31m", "undetermined": "\033[33m",
            "bold": "\033[1m"}
_RESET = "\033[0m"


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        enabled = (hasattr(stream, "isatty") and stream.isatty()
                   and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb")
        return cls(enabled)

    def __call__(self, text: str, kind: str) -> str:
        if not self.enabled or kind not in _COLOURS:
            return text
        return f"{_COLOURS[kind]}{text}{_RESET}"


PLAIN = Style(False)


def stdout_style() -> Style:
    return Style.for_stream(sys.stdout)
