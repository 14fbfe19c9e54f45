"""How a report is rendered: colour and width for a terminal, and what a person asked for."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.reporters.style import PLAIN, Style

DEFAULT_WIDTH = 100
MIN_WIDTH = 60


@dataclass(frozen=True)
class RenderOptions:
    style: Style = PLAIN
    width: int = DEFAULT_WIDTH  # of the text formats: the terminal's, or COLUMNS
    quiet: bool = False  # text: the findings only, no summary
    statistics: bool = False  # text: counts per check and firewall instead of findings


DEFAULT = RenderOptions()
