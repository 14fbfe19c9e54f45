"""What the ASA adds to the model: lists, entries, interfaces, bindings."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Rule, Ruleset
from exaudit.platforms.cisco.common.model import CiscoRuleset


@dataclass(eq=False)
class Entry:
    index: int  # 0-based line
    rules: list[Rule]
    remark: bool = False
    inactive: bool = False
    text: str = ""  # the entry as written after the list's name (``line N`` left out)
    doubt_at: int | None = None  # a line that may have removed it


@dataclass
class Acl:
    name: str
    index: int
    entries: list[Entry] = field(default_factory=list)
    doubts: int = 0  # entries that may be gone (then ``line N`` positions are not sure)

    def rules(self) -> list[Rule]:
        return [r for e in self.entries for r in e.rules]


@dataclass
class Interface:
    name: str  # hardware name, GigabitEthernet0/0
    index: int
    nameif: str | None = None
    nameif_index: int | None = None
    level: int | None = None
    level_index: int | None = None
    addresses: IntervalSet = field(default_factory=IntervalSet)
    management_only: int | None = None  # the ``management-only`` line
    # a line after which the level is 0 or 100, which one not documented (``no
    # security-level`` on inside; an inside interface with no level set, renamed)
    level_doubt: int | None = None
    # (line, why) when what filters through this interface is undetermined
    doubt: tuple[int, str] | None = None

    def security_level(self) -> int:
        # an interface named "inside" defaults to 100, every other to 0
        if self.level is not None:
            return self.level
        return 100 if (self.nameif or "").lower() == "inside" else 0

    def security_levels(self) -> tuple[int, ...]:
        """Every level the interface may have."""
        return (0, 100) if self.level_doubt is not None else (self.security_level(),)


@dataclass
class Binding:
    acl: str
    index: int  # the access-group line
    doubt: str | None = None  # why it may no longer be in effect


@dataclass
class AsaRuleset(CiscoRuleset):
    """An ASA configuration: its lists as chains, interfaces, bindings and level rules."""

    interfaces: dict[str, Interface] = field(default_factory=dict)  # by hardware name
    acls: dict[str, Acl] = field(default_factory=dict)
    bindings: dict[tuple[str, str], Binding] = field(default_factory=dict)  # (nameif, dir)
    same_security: dict[str, int] = field(default_factory=dict)  # inter-/intra-interface


def asa_ruleset(ruleset: Ruleset) -> AsaRuleset:
    """``ruleset`` as the ASA parser made it (the platform contract passes it as a Ruleset)."""
    assert isinstance(ruleset, AsaRuleset), ruleset.platform
    return ruleset
