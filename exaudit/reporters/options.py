"""How a report is rendered: colour for a terminal, and what a person asked to see."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.reporters.style import PLAIN, Style


@dataclass(frozen=True)
class RenderOptions:
    style: Style = PLAIN


DEFAULT = RenderOptions()
