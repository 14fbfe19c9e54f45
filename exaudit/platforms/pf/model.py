"""What pf adds to the model: the device data its stages and fixes read."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import Origin, Ruleset


@dataclass(frozen=True)
class TableContents:
    """A ``table <name>`` as read: how many entries, and why its contents are unknown."""

    entries: int
    unknown: tuple[str, ...] = ()


@dataclass
class PfRuleset(Ruleset):
    """A pf.conf with its includes and anchors, as ``in`` and ``out`` chains."""

    statements: int = 0
    not_understood: int = 0
    block_policy: str = "drop"
    skips: tuple[Origin, ...] = ()  # ``set skip on`` lines
    # (file, line) of every ``block ... quick``: a fix must go before such a line
    quick_blocks: frozenset[tuple[str, int]] = frozenset()
    anchors: tuple[str, ...] = ()
    tables: dict[str, TableContents] = field(default_factory=dict)
