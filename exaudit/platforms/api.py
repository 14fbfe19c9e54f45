"""The platform contract: what every firewall syntax provides to the rest of exaudit."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin, Ruleset, Stage


@dataclass(frozen=True)
class CommentSyntax:
    """How a config language writes an ``exaudit: ignore[...]`` suppression.

    ``before`` patterns stand alone on a line and apply to the next statement, ``same``
    patterns sit on a statement's own line, and ``skip`` matches the lines (comments,
    blanks) that may stand between a directive and its statement.
    """

    before: tuple[re.Pattern[str], ...]
    same: tuple[re.Pattern[str], ...]
    skip: re.Pattern[str]


@dataclass(frozen=True)
class FixRequest:
    """What a suggested rule must permit, and where it must go."""

    proto: str  # "tcp" or "udp"
    sources: tuple[str, ...]  # CIDRs or addresses; () for any source (the interface says)
    destination: str  # an address
    ports: IntervalSet  # destination ports
    in_iface: str | None
    out_iface: str | None
    local: str | None  # "input"/"output" for a host firewall, else None
    stage: str  # the stage label where the deny happened
    before: Origin | None  # the deciding deny line (None: implicit deny or policy)
    # the chains the denied packets were in when they were denied, outermost first, as
    # the evaluation's path shows (jumps push, returns pop, a goto replaces the top)
    chains: tuple[str, ...] = ()


class StageBuilder(Protocol):
    def __call__(
        self,
        ruleset: Ruleset,
        *,
        in_iface: str | None,
        out_iface: str | None,
        chain: str | None = None,
        local: str | None = None,
    ) -> list[Stage]:
        """Which parts of ``ruleset`` a packet meets, in order.

        ``in_iface``/``out_iface`` ``None`` mean any non-loopback interface; ``chain``
        names where a query starts (platforms with named chains); ``local`` is
        ``"input"`` or ``"output"`` for a host firewall's own traffic.
        """
        ...


@dataclass(frozen=True)
class Platform:
    """One firewall syntax: how to read it, what a packet meets, how to suggest a fix."""

    name: str  # in topologies and on the command line
    title: str  # for people ("Cisco IOS")
    parse: Callable[[str, str], Ruleset]  # (text, path); InputError for unusable input
    looks_like: Callable[[str], float]  # how sure (0..1) that the text is this syntax
    stages: StageBuilder
    fix: Callable[[Ruleset, FixRequest], str | None]  # a rule in the platform's syntax
    comments: CommentSyntax  # for inline suppressions
    # every permitted connection's replies pass by state whatever the rules say (ASA);
    # otherwise statefulness is per rule (``Rule.stateful``)
    stateful: bool = False
