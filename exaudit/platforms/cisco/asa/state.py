"""What the ASA parser holds while it reads a configuration."""

from __future__ import annotations

from exaudit.core.intervals import IntervalSet
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.model import Acl, AsaRuleset, Binding, Interface
from exaudit.platforms.cisco.asa.tables import NAME


class State:
    """The file, its blocks, and the names, objects, lists, interfaces and bindings read so far."""

    def __init__(self, text: str, path: str) -> None:
        lines = cc.split_lines(text, path)
        self.ruleset = AsaRuleset(NAME, path, lines_total=len(lines), lines=lines)
        self.ctx = cc.Context(path, lines, self.ruleset)
        self.conf = cc.load_blocks(lines, path, "asa")
        self.names: dict[str, IntervalSet] = {}
        self.name_lines: dict[str, int] = {}  # name -> line that defined it first
        self.name_doubt: dict[str, str] = {}  # names a later line may have removed
        self.objects = cc.Groups(self.ctx)
        self.groups = cc.Groups(self.ctx)
        self.masks = cc.MaskBudget()  # what non-contiguous masks may still expand to
        self.interfaces: dict[str, Interface] = {}
        self._numbers: dict[str, list[str]] = {}  # interface numbering -> names configured
        self.nameifs_gone: list[tuple[str, int, Interface]] = []  # (old nameif, line, iface)
        self.acls: dict[str, Acl] = {}
        self.bindings: dict[tuple[str, str], Binding] = {}  # (nameif or "", in|out|global)
        self.same_security: dict[str, int] = {}  # inter-interface / intra-interface -> line
