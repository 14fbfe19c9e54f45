"""Terminal colour for the text reports: when to use it, and the codes."""

from __future__ import annotations

import os
from typing import TextIO

_COLOURS = {
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "permit": "\033[32m",
    "deny": "\033[31m",
    "undetermined": "\033[33m",
    "bold": "\033[1m",
    "dim": "\033[2m",
}
_RESET = "\033[0m"
MODES = ("auto", "always", "never")


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO, mode: str = "auto") -> Style:
        """Colour as ``--color`` says; ``auto``: on a terminal, unless the environment
        says otherwise (``NO_COLOR`` turns it off, ``FORCE_COLOR`` on, ``TERM=dumb`` off)."""
        if mode == "always":
            return cls(True)
        if mode == "never" or os.environ.get("NO_COLOR"):
            return cls(False)
        if os.environ.get("FORCE_COLOR"):
            return cls(True)
        tty = hasattr(stream, "isatty") and stream.isatty()
        return cls(tty and os.environ.get("TERM") != "dumb")

    def __call__(self, text: str, kind: str) -> str:
        if not self.enabled or kind not in _COLOURS:
            return text
        return f"{_COLOURS[kind]}{text}{_RESET}"


PLAIN = Style(False)
