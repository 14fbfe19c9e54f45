"""Random nftables rulesets for the kernel oracle: several base chains per hook, sets, maps.

Drawn from small pools (the iptables generator's interfaces, addresses and ports) so that
rules overlap each other and the packets. Every ruleset mixes an ``inet`` and an ``ip``
table (and sometimes an ``ip6`` one that IPv4 packets must never meet), base chains on one
hook at different priorities and policies, regular chains reached by jump and goto,
named and anonymous sets, interval sets, verdict maps, concatenations, ``!=``, interface
wildcards and ct state. Only features exaudit claims to model are generated, in forms
``nft -f`` accepts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from support.kernel_oracle import Packet, Topology
from support.oracle_gen import IFACES, LOCAL, PACKET_DPORTS, REMOTE, packets

PORTS = (21, 22, 25, 53, 80, 110, 443, 1023, 1024, 1025, 8080, 40000, 65535)
ADDRS = REMOTE + list(LOCAL.values())
PREFIXES = (
    "10.1.0.0/28",
    "10.1.0.8/29",
    "10.2.0.0/29",
    "172.16.0.0/24",
    "10.9.0.0/29",
    "10.0.0.0/8",
)
NAME_WORDS = (
    '"eth0"',
    '"eth1"',
    '"eth10"',
    '"ppp0"',
    '"wlan0"',
    '"eth*"',
    '"eth1*"',
    '"e*"',
    '"ppp*"',
    '"eth9"',
    '"tun*"',
)
PRIORITIES = (
    "filter",
    "filter + 5",
    "filter - 3",
    "-10",
    "10",
    "mangle",
    "security",
    "raw",
    "dstnat + 7",
    "-250",
    "40",
)
STATES = (
    "new",
    "established,related",
    "{ new, untracked }",
    "!= established",
    "invalid",
    "new,invalid",
)
REJECTS = (
    "reject",
    "reject with icmp type host-unreachable",
    "reject with icmp type admin-prohibited",
    "reject with icmpx type port-unreachable",
)


@dataclass
class NftGenerated:
    """One ruleset with the probes to send through it; line -> what its verdict is."""

    seed: str
    text: str
    topology: Topology
    packets: list[Packet]
    kinds: dict[int, str] = field(default_factory=dict)


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def neg(self) -> str:
        return "!= " if self.chance(0.2) else ""

    def addr(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(ADDRS)
        if r < 0.75:
            return self.rng.choice(PREFIXES)
        a, b = sorted(self.rng.sample(range(0, 16), 2))
        return f"10.1.0.{a}-10.1.0.{b}"

    def addr_match(self, sets: list[str]) -> str:
        field_ = self.rng.choice(("saddr", "daddr"))
        if sets and self.chance(0.25):
            return f"ip {field_} {self.neg()}@{self.rng.choice(sets)}"
        if self.chance(0.25):
            items = ", ".join(dict.fromkeys(self._disjoint_addrs()))
            return f"ip {field_} {self.neg()}{{ {items} }}"
        return f"ip {field_} {self.neg()}{self.addr()}"

    def _disjoint_addrs(self) -> list[str]:
        # hosts only: nft refuses overlapping intervals in an anonymous set
        return self.rng.sample(ADDRS, self.rng.randint(1, 4))

    def port(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return str(self.rng.choice(PORTS))
        if r < 0.8:
            a, b = sorted(self.rng.sample(PACKET_DPORTS, 2))
            return f"{a}-{b}"
        return "{ " + ", ".join(str(p) for p in sorted(self.rng.sample(PORTS, 3))) + " }"

    def port_match(self, proto: str | None) -> tuple[str, str | None]:
        which = self.rng.choice(("dport", "dport", "sport"))
        if proto is None:
            proto = self.rng.choice(("tcp", "udp", "th"))
        if self.chance(0.15):
            op = self.rng.choice(("<", ">=", ">"))
            return f"{proto} {which} {op} {self.rng.choice((1024, 1025, 80))}", proto
        return f"{proto} {which} {self.neg()}{self.port()}", proto

    def iface(self, dim: str) -> str:
        if self.chance(0.2):
            names = ", ".join(self.rng.sample(NAME_WORDS, 2))
            return f"{dim}name {self.neg()}{{ {names} }}"
        if self.chance(0.15):
            return f'{dim} {self.neg()}"{self.rng.choice(IFACES)}"'
        return f"{dim}name {self.neg()}{self.rng.choice(NAME_WORDS)}"

    def matches(self, sets: list[str]) -> tuple[list[str], str | None]:
        """Up to three conditions, and the layer-4 protocol they pin (for tcp reset)."""
        out: list[str] = []
        proto: str | None = None
        for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3))):
            r = self.rng.random()
            if self.chance(0.03):  # unmodelled: exaudit must say undetermined where it matters
                out.append(
                    self.rng.choice(
                        ("meta mark 0x00000001", "meta mark != 0x2", "limit rate 5/second")
                    )
                )
                continue
            if r < 0.25:
                out.append(self.addr_match(sets))
            elif r < 0.45:
                if proto == "set":
                    continue
                text, got = self.port_match(proto if proto in ("tcp", "udp") else None)
                if got in ("tcp", "udp"):
                    if proto not in (None, got):
                        continue
                    proto = got
                out.append(text)
            elif r < 0.55 and proto is None:
                proto = self.rng.choice(("tcp", "udp"))
                out.append(self.rng.choice((f"meta l4proto {proto}", f"ip protocol {proto}")))
            elif r < 0.62 and proto is None:
                proto = "set"  # nft then refuses a tcp or udp match after it
                out.append(f"meta l4proto {self.neg()}{{ tcp, udp }}")
            elif r < 0.75:
                dim = self.rng.choice(("iif", "oif"))
                text = self.iface(dim)
                # two conditions on one interface exaudit reads only when both are !=
                # (else the rule is undetermined, and the kind of deny not comparable)
                if not any(c.startswith(dim) for c in out) or (
                    "!=" in text and all("!=" in c for c in out if c.startswith(dim))
                ):
                    out.append(text)
            elif r < 0.87:
                out.append(f"ct state {self.rng.choice(STATES)}")
            elif proto in (None, "tcp"):
                proto = "tcp"
                out.append(
                    self.rng.choice(
                        (
                            "tcp flags syn",
                            "tcp flags & (syn|ack) == syn",
                            "tcp flags != syn",
                            "tcp flags syn / syn,ack",
                            "tcp flags & (fin|rst) != 0",
                        )
                    )
                )
        return out, proto

    def verdict(
        self, proto: str | None, callees: list[str], late: bool, family: str
    ) -> tuple[str, str]:
        r = self.rng.random()
        if late and 0.55 <= r < 0.65:  # no reject where postrouting reaches: refused
            r = 0.5
        if callees and r < 0.2:
            return f"{self.rng.choice(('jump', 'jump', 'goto'))} {self.rng.choice(callees)}", "call"
        if r < 0.4:
            return "accept", "accept"
        if r < 0.55:
            return "drop", "drop"
        if r < 0.65:
            if proto == "tcp" and self.chance(0.4):
                return "reject with tcp reset", "reject"
            kinds = REJECTS if family == "inet" else [r for r in REJECTS if "icmpx" not in r]
            if family == "ip6":
                kinds = ["reject", "reject with icmpv6 type admin-prohibited"]
            return self.rng.choice(kinds), "reject"
        if r < 0.72:
            return "return", "return"
        if r < 0.78:
            return "continue", "continue"
        if r < 0.85:
            return self.rng.choice(
                ("counter", 'log prefix "oracle "', "counter packets 0 bytes 0")
            ), "none"
        return self.vmap(callees, proto), "map"

    def vmap(self, callees: list[str], proto: str | None) -> str:
        verdicts = ["accept", "drop", "return", "continue"] + [f"jump {c}" for c in callees]
        if self.chance(0.3) or proto not in (None, "tcp", "udp"):
            states = self.rng.sample(("new", "established", "related", "invalid"), 2)
            return (
                "ct state vmap { "
                + ", ".join(f"{s} : {self.rng.choice(verdicts)}" for s in states)
                + " }"
            )
        ports = sorted(self.rng.sample(PORTS, self.rng.randint(1, 3)))
        proto = proto or self.rng.choice(("tcp", "udp"))
        items = ", ".join(f"{p} : {self.rng.choice(verdicts)}" for p in ports)
        return f"{proto} dport vmap {{ {items} }}"


def ruleset(rng: random.Random, seed: str = "") -> NftGenerated:
    g = _Gen(rng)
    lines = [f"# generated by tests/support/nft_oracle_gen.py (seed {seed})", "flush ruleset"]
    gen = NftGenerated(seed, "", Topology(IFACES, dict(LOCAL)), [])
    used: set[tuple[str, str]] = set()  # (hook, priority) taken, for ties now and then
    tables = [("inet", "f"), ("ip", "g")] + ([("ip6", "h")] if g.chance(0.3) else [])
    rng.shuffle(tables)
    for family, name in tables:
        lines.append(f"table {family} {name} {{")
        sets: list[str] = []
        if family != "ip6" and g.chance(0.6):
            elems = rng.sample(
                ["10.1.0.0/29", "10.2.0.1-10.2.0.5", "172.16.0.3", "10.9.0.2", "192.168.7.7"], 3
            )
            lines.append(
                f"  set s{name} {{ type ipv4_addr; flags interval; "
                f"elements = {{ {', '.join(elems)} }} }}"
            )
            sets.append(f"s{name}")
        if family != "ip6" and g.chance(0.4):
            pairs = [f"{rng.choice(ADDRS)} . {rng.choice(PORTS)}" for _ in range(4)]
            lines.append(
                f"  set c{name} {{ type ipv4_addr . inet_service; "
                f"elements = {{ {', '.join(dict.fromkeys(pairs))} }} }}"
            )
        regular = [f"r{name}{i}" for i in range(rng.choice((0, 1, 2, 3)))]
        bases = []
        for hook in rng.sample(
            ("input", "forward", "prerouting", "postrouting"), rng.randint(1, 3)
        ):
            free = [
                p
                for p in PRIORITIES
                if (hook, p) not in used
                and (p not in ("raw", "-250", "dstnat + 7") or hook == "prerouting")
            ]
            ties = [p for h, p in used if h == hook]
            # now and then a priority another table's chain has on this hook: the kernel
            # then runs the chain made last first
            prio = rng.choice(ties) if ties and g.chance(0.2) else rng.choice(free)
            used.add((hook, prio))
            bases.append((f"b{name}_{hook}", hook, prio))
        order = [b[0] for b in bases] + regular
        calls: dict[str, list[str]] = {c: [] for c in order}
        for i, chain in enumerate(regular):
            for caller in rng.sample(
                order[: len(bases) + i], rng.randint(1, min(2, len(bases) + i))
            ):
                calls[caller].append(chain)
        late = {b[0] for b in bases if b[1] == "postrouting"}
        for chain in order:  # callers come first: ``late`` is complete when a chain is met
            if chain in late:
                late.update(calls[chain])
        for chain in order:
            base = next((b for b in bases if b[0] == chain), None)
            lines.append(f"  chain {chain} {{")
            if base is not None:
                policy = "drop" if g.chance(0.3) else "accept"
                lines.append(f"    type filter hook {base[1]} priority {base[2]}; policy {policy};")
                gen.kinds[len(lines)] = policy
                if base[1] == "postrouting":
                    # a reject's answer leaves through postrouting: let it out, or the
                    # kernel's reject would look like a drop (probes never match these)
                    lines.append("    meta l4proto icmp accept")
                    lines.append("    tcp flags & rst == rst accept")
            for _ in range(rng.randint(1, 6)):
                conds, proto = g.matches(sets)
                if family == "ip6":
                    conds = [c for c in conds if not c.startswith("ip ")]
                if family != "ip6" and g.chance(0.1) and f"set c{name} " in "".join(lines):
                    conds, proto = [f"ip daddr . tcp dport @c{name}"], "tcp"
                verdict, kind = g.verdict(proto, calls[chain], chain in late, family)
                lines.append("    " + " ".join(conds + [verdict]))
                gen.kinds[len(lines)] = kind
            for callee in calls[chain]:
                if not any(ln.strip().endswith(f" {callee}") for ln in lines[-8:]):
                    conds, _ = g.matches(sets)
                    if family == "ip6":
                        conds = [c for c in conds if not c.startswith("ip ")]
                    lines.append("    " + " ".join(conds + [f"jump {callee}"]))
                    gen.kinds[len(lines)] = "call"
            lines.append("  }")
        lines.append("}")
    gen.text = "\n".join(lines) + "\n"
    routes = {address: rng.choice(IFACES) for address in REMOTE}
    gen.topology = Topology(IFACES, dict(LOCAL), routes)
    return gen


def batch(seed: str, count: int) -> NftGenerated:
    rng = random.Random(seed)
    gen = ruleset(rng, seed)
    gen.packets = packets(rng, gen.topology, count)
    return gen
