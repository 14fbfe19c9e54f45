"""The iptables ruleset: the filter table as chains, the other tables as typed attachments."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import Chain, Origin, Ruleset


@dataclass(frozen=True)
class TableCount:
    """How big a table other than filter is (for notes and the model's summary)."""

    chains: int
    rules: int


@dataclass
class IptablesRuleset(Ruleset):
    """An iptables ruleset: ``chains`` is the filter table; ``tables`` holds raw, mangle,
    nat and security as model chains, which the stages put before and after filter."""

    # every table but filter, model chains by name (both families merged as for filter)
    tables: dict[str, dict[str, Chain]] = field(default_factory=dict)
    counts: dict[str, TableCount] = field(default_factory=dict)
    # per table and chain, how many model rules each kernel rule became, where not one each
    rule_sizes: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # caches the stage builder and the fixer fill (the same ruleset is asked many times)
    views: dict[tuple[str, str], dict[str, Chain]] = field(default_factory=dict, repr=False)
    positions: dict[Origin, tuple[str, str, int]] | None = field(default=None, repr=False)
    has_goto: bool | None = field(default=None, repr=False)
