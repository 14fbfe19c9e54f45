"""What nftables adds to the model: tables, chains and sets as read, and the device data."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import Chain, Origin, Rule, Ruleset
from exaudit.platforms.nftables.lexer import Token

# the families whose chains see IP packets, and which IP versions each sees
IP_FAMILIES = {"ip": (4,), "ip6": (6,), "inet": (4, 6)}
FAMILIES = ("ip", "ip6", "inet", "arp", "bridge", "netdev")
# the target name of the rule that lets the other IP version pass an ip or ip6 base chain
GUARD = "(IPv{other} packets do not meet table {table})"
HOOKS = ("prerouting", "input", "forward", "output", "postrouting", "ingress", "egress")


@dataclass
class RuleText:
    """One rule as written: its tokens (no line ends) and where it came from."""

    tokens: list[Token]
    origin: Origin


@dataclass
class ChainDef:
    """A chain as declared: base chain (hook, priority, policy) or regular chain."""

    name: str
    origin: Origin
    type: str | None = None  # filter, nat, route
    hook: str | None = None
    priority: int = 0
    policy: str = "accept"
    policy_origin: Origin | None = None
    rules: list[RuleText] = field(default_factory=list)
    created: int = 0  # the order chains were made in: ties of priority depend on it

    @property
    def base(self) -> bool:
        return self.hook is not None


@dataclass
class SetDef:
    """A named set or map: its element tokens (each a token list) and how it is used."""

    name: str
    origin: Origin
    is_map: bool = False
    type_words: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    elements: list[list[Token]] = field(default_factory=list)
    # why its contents are not known when the ruleset runs (a rule adds elements, ...)
    dynamic: str = ""


@dataclass
class TableDef:
    """A table as read: its family, chains and sets."""

    family: str
    name: str
    origin: Origin
    chains: dict[str, ChainDef] = field(default_factory=dict)
    sets: dict[str, SetDef] = field(default_factory=dict)
    dormant: bool = False

    @property
    def key(self) -> str:
        return f"{self.family} {self.name}"


def chain_key(family: str, table: str, chain: str) -> str:
    """The name a chain has in the model: unique across tables, as nft lists it."""
    return f"{family} {table} {chain}"


@dataclass(frozen=True)
class BaseChain:
    """A base chain a packet meets at its hook, in priority order."""

    key: str  # chain_key(...)
    family: str
    hook: str
    priority: int
    origin: Origin
    created: int = 0
    before_conntrack: bool = False  # its ct state matches see every packet as invalid


@dataclass
class NftRuleset(Ruleset):
    """An nftables ruleset: every IP chain by ``family table chain``, base chains by hook."""

    base_chains: list[BaseChain] = field(default_factory=list)
    # ``family table chain`` of every chain, to tell a fix where a line lives
    where: dict[Origin, str] = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    # the chains as packets with no name on the given interfaces see them, made once
    stage_views: dict[tuple[str, ...], dict[str, Chain]] = field(default_factory=dict)

    def rules(self) -> list[Rule]:
        """The ruleset's own rules: not the rules exaudit adds for an ip/ip6 table's family."""
        return [r for r in super().rules() if not _is_guard(r)]

    @property
    def rule_count(self) -> int:
        return len(self.rules())


def _is_guard(rule: Rule) -> bool:
    return rule.target.name.startswith("(IPv") and rule.target.name.endswith(")")
