"""The tables being built, chain by chain, and the ways the kernel refuses a command."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import (
    Origin,
    Rule,
)
from exaudit.platforms.iptables.names import BUILTIN_CHAINS

# A rule may expand into this many model rules (comma lists times alternatives) at most.
MAX_EXPANSION = 4096


class Structural(Exception):
    """A command the kernel refuses for structural reasons (chains, tables, loops)."""


class TooBig(Exception):
    """A rule past what exaudit expands (not the kernel's refusal: the input is unusable)."""


# --- the tables being built ------------------------------------------------------------------


@dataclass
class ChainState:
    name: str
    builtin: bool
    entries: list[tuple[Rule, ...]] = field(default_factory=list)  # one per kernel rule
    policy: str = "ACCEPT"
    policy_origin: Origin | None = None
    declared: int = 0


@dataclass
class TableState:
    name: str
    family: int
    chains: dict[str, ChainState] = field(default_factory=dict)
    opened: int = 0

    @classmethod
    def fresh(cls, name: str, family: int, line: int = 0) -> TableState:
        table = cls(name, family, opened=line)
        for chain in BUILTIN_CHAINS[name]:
            table.chains[chain] = ChainState(chain, True)
        return table


class LineError(Structural):
    """A structural error found later than the line it belongs to (at COMMIT)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class LoopError(Structural):
    def __init__(self, origin: Origin, message: str) -> None:
        super().__init__(message)
        self.origin = origin
