"""``policy.allow``: services a team accepts open to its Exchange servers, each with a reason.

policy:
  allow:
    - proto: tcp            # tcp, udp, icmp, icmpv6, any, or a protocol number
      ports: [3389, 5900-5901]   # omitted: every port (for ICMP: the types)
      from: [admin-lan]     # names or addresses; omitted: anywhere
      to: [ex-hq-1]         # servers; omitted: every server
      reason: remote administration by the server team
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from exaudit.core import protocols
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PORTS, PROTOCOLS
from exaudit.exchange.node import Node

ALLOW_KEYS = ("proto", "ports", "from", "to", "reason", "description")


@dataclass(frozen=True)
class Allowance:
    """An accepted extra service: protocol, ports, from where, to which servers, and why."""

    proto: IntervalSet
    ports: IntervalSet
    src: IntervalSet | None  # None: from anywhere
    servers: frozenset[str] | None  # None: every server
    reason: str
    line: int

    def covers(self, server: str) -> bool:
        return self.servers is None or server in self.servers

    def box(self, sources: IntervalSet) -> tuple[IntervalSet, IntervalSet, IntervalSet]:
        """(sources, protocols, ports) this allowance accepts, within ``sources``."""
        src = sources if self.src is None else sources & self.src
        return (src, self.proto, self.ports)


def _proto(node: Node) -> IntervalSet:
    text = node.text("policy.allow proto")
    if text.strip().lower() in ("any", "all"):
        return PROTOCOLS
    try:
        return IntervalSet.point(protocols.number(text))
    except ValueError:
        raise node.error(
            f"unknown protocol {text!r} in policy.allow (tcp, udp, icmp, icmpv6, any or 0-255)"
        ) from None


def _port_item(node: Node) -> IntervalSet:
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool):
        return IntervalSet.point(node.integer("policy.allow port", 0, 65535))
    text = node.text("policy.allow port").strip()
    first, dash, last = text.partition("-")
    try:
        lo, hi = int(first), int(last) if dash else int(first)
    except ValueError:
        raise node.error(f"policy.allow port {text!r} must be a number or a range a-b") from None
    if not (0 <= lo <= hi <= 65535):
        raise node.error(f"policy.allow port range {text!r} is not within 0-65535, low to high")
    return IntervalSet.span(lo, hi)


def _ports(node: Node) -> IntervalSet:
    out = IntervalSet()
    for item in node.items("policy.allow ports"):
        out = out | _port_item(item)
    if not out:
        raise node.error("policy.allow ports lists no port")
    return out


def _allowance(
    node: Node, servers: Collection[str], resolve: Callable[[Node, str], IntervalSet]
) -> Allowance:
    keys = node.mapping("a policy.allow entry")
    for key, value in keys.items():
        if key not in ALLOW_KEYS:
            raise value.error(
                f"unknown key {key!r} in a policy.allow entry (allowed: {', '.join(ALLOW_KEYS)})"
            )
    if "proto" not in keys:
        raise node.error("policy.allow entry has no 'proto' (tcp, udp, icmp, any ...)")
    if "reason" not in keys or not keys["reason"].text("policy.allow reason").strip():
        raise node.error("policy.allow entry has no 'reason': say why the service stays open")
    src = None
    if "from" in keys:
        src = IntervalSet()
        for item in keys["from"].items("policy.allow from"):
            src = src | resolve(item, "policy.allow from")
    to = None
    if "to" in keys:
        names = set()
        for item in keys["to"].items("policy.allow to"):
            name = item.text("policy.allow to")
            if name not in servers:
                raise item.error(f"unknown server {name!r} in policy.allow to")
            names.add(name)
        to = frozenset(names)
    ports = _ports(keys["ports"]) if "ports" in keys else PORTS
    reason = " ".join(keys["reason"].text("policy.allow reason").split())
    return Allowance(_proto(keys["proto"]), ports, src, to, reason, node.line)


def parse_allow(
    node: Node, servers: Collection[str], resolve: Callable[[Node, str], IntervalSet]
) -> list[Allowance]:
    """Every entry of ``policy.allow``; each mistake is an ``InputError`` at its line."""
    return [_allowance(item, servers, resolve) for item in node.sequence("policy.allow")]
