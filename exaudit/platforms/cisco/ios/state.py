"""What the IOS parser holds while it reads a configuration."""

from __future__ import annotations

from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.ios.model import Acl, Interface, IosRuleset
from exaudit.platforms.cisco.ios.tables import NAME


class State:
    """The file, its blocks, and the lists, groups and interfaces read so far."""

    def __init__(self, text: str, path: str) -> None:
        lines = cc.split_lines(text, path)
        self.ruleset = IosRuleset(NAME, path, lines_total=len(lines), lines=lines)
        self.ctx = cc.Context(path, lines, self.ruleset)
        self.conf = cc.load_blocks(lines, path, "ios")
        self.groups = cc.Groups(self.ctx)
        self.masks = cc.MaskBudget()  # what non-contiguous masks may still expand to
        self.acls: dict[tuple[int, str], Acl] = {}
        self.interfaces: dict[str, Interface] = {}
        self._numbers: dict[str, list[str]] = {}  # interface numbering -> names configured
