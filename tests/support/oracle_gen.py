"""Random iptables-save rulesets and probe packets for the kernel oracle test.

Everything is drawn from small pools (a few interfaces, addresses and ports) so that rules
overlap each other and the packets, which is where first-match, jump and negation bugs
show. Only features exaudit claims to model are generated, always in a form that
``iptables-restore`` accepts: the kernel must load every ruleset made here.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field

from support.kernel_oracle import Packet, Topology

IFACES = ("eth0", "eth1", "eth10", "ppp0", "wlan0")
LOCAL = {name: f"10.9.0.{i + 1}" for i, name in enumerate(IFACES)}
# Remote hosts: every packet's source, and the destinations routed out of a tun.
REMOTE = (
    [f"10.1.0.{i}" for i in range(16)]
    + [f"10.2.0.{i}" for i in range(1, 8)]
    + [f"172.16.0.{i}" for i in range(1, 8)]
    + ["192.168.7.7", "192.168.7.200"]
)
# Interface words a rule may use: the real names, prefixes that match several of them
# (eth1+ matches eth1 and eth10), and names that match none.
IFACE_WORDS = IFACES + ("eth+", "eth1+", "e+", "ppp+", "wlan+", "+", "eth9", "tun+", "wlan0+")
PORTS = (1, 21, 22, 25, 53, 80, 110, 135, 143, 443, 993, 1023, 1024, 1025, 3389, 8080, 40000, 65535)
PACKET_SPORTS = (22, 53, 1023, 1024, 1025, 5000, 40000, 40001, 65535)
PACKET_DPORTS = PORTS + (23, 81, 444, 1600, 8081)
REJECT_WITH = (
    "icmp-net-unreachable",
    "icmp-host-unreachable",
    "icmp-port-unreachable",
    "icmp-proto-unreachable",
    "icmp-net-prohibited",
    "icmp-host-prohibited",
    "icmp-admin-prohibited",
)
# Not SNAT/DNAT: they are facts about NAT beside the state (a packet can be NEW and
# DNAT), which exaudit's one state dimension does not model and reports as such.
CTSTATES = (
    "NEW",
    "NEW",
    "ESTABLISHED,RELATED",
    "RELATED,ESTABLISHED",
    "INVALID",
    "NEW,ESTABLISHED",
    "ESTABLISHED",
    "UNTRACKED",
    "NEW,UNTRACKED",
    "INVALID,NEW",
)
LOG_OPTIONS = (
    "",
    ' --log-prefix "oracle: "',
    " --log-level 4",
    ' --log-prefix "x" --log-level debug',
    " --log-tcp-options",
)


@dataclass
class Generated:
    """One ruleset with the probes to send through it."""

    seed: str
    text: str
    topology: Topology
    packets: list[Packet]
    # (chain, 0-based kernel rule index) -> 1-based line (``-s a,b`` makes two kernel
    # rules of one line); chain -> the policy's line; line -> the rule's target kind
    rule_lines: dict[tuple[str, int], int] = field(default_factory=dict)
    policy_lines: dict[str, int] = field(default_factory=dict)
    targets: dict[int, str] = field(default_factory=dict)


# Other spellings iptables accepts for the same option, drawn now and then.
LONG = {
    "-s": "--source",
    "-d": "--destination",
    "-i": "--in-interface",
    "-o": "--out-interface",
    "-p": "--protocol",
    "-m": "--match",
    "-j": "--jump",
    "-g": "--goto",
    "--dport": "--destination-port",
    "--sport": "--source-port",
    "--dports": "--destination-ports",
    "--sports": "--source-ports",
}
PROTO_SPELLING = {
    "tcp": ("tcp", "TCP", "6"),
    "udp": ("udp", "Udp", "17"),
    "all": ("all", "0"),
    "icmp": ("icmp", "1"),
}
# Service names /etc/services (netbase, which iptables depends on) gives these ports.
# -p udp --dport takes a tcp-only name, multiport looks names up for its protocol only.
SERVICES = {
    22: "ssh",
    25: "smtp",
    53: "domain",
    80: "http",
    110: "pop3",
    143: "imap",
    443: "https",
    993: "imaps",
    3389: "ms-wbt-server",
    8080: "http-alt",
}
UDP_SERVICES = {53: "domain", 443: "https"}
# Dotted masks iptables accepts, contiguous or not (within exaudit's budget of 2**16
# separate blocks: 0.0.0.255 alone would be 2**24)
MASKS = (
    "255.255.0.255",
    "255.0.255.255",
    "255.255.255.3",
    "255.255.255.12",
    "255.255.254.255",
    "255.0.0.255",
    "255.255.255.250",
    "0.255.255.255",
)
TCP_FLAGS = (
    "SYN,ACK,FIN,RST SYN",
    "ALL ALL",
    "ALL NONE",
    "SYN,FIN SYN",
    "URG,PSH,ACK ACK",
    "FIN,RST NONE",
    "SYN,RST,ACK,FIN,URG SYN",
    "SYN,ACK SYN",
    "ALL SYN",
    "FIN,SYN,RST,ACK SYN",
    "SYN,RST SYN",
    "SYN NONE",
    "ACK ACK",
    "ACK NONE",
    "FIN,SYN FIN,SYN",
    "NONE NONE",
)
# iptables-restore knows double quotes only
COMMENTS = ('"allow web"', "oracle", '"a -j DROP in a comment"', '"say \\"hi\\""')


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def neg(self, p: float = 0.2) -> str:
        return "! " if self.chance(p) else ""

    def opt(self, name: str) -> str:
        return LONG[name] if name in LONG and self.chance(0.12) else name

    # --- values -----------------------------------------------------------------------

    def address(self) -> str:
        """A host, a network around a pool address, sometimes with host bits or a mask."""
        base = self.rng.choice(REMOTE + list(LOCAL.values()) * 2)
        kind = self.rng.random()
        if kind < 0.3:
            return base if self.chance(0.7) else base + "/32"
        if kind < 0.35:
            return "0.0.0.0/0"
        length = self.rng.choice((8, 12, 16, 24, 26, 28, 29, 30, 31))
        net = ipaddress.IPv4Network(f"{base}/{length}", strict=False)
        if self.chance(0.1):
            return f"{base}/{length}"  # host bits set: iptables masks them
        if self.chance(0.1):
            return f"{net.network_address}/{net.netmask}"
        if self.chance(0.12):
            return f"{base}/{self.rng.choice(MASKS)}"  # non-contiguous, host bits set
        return str(net)

    def ip_range(self) -> str:
        a, b = sorted(
            self.rng.sample(REMOTE + list(LOCAL.values()), 2),
            key=lambda x: int(ipaddress.IPv4Address(x)),
        )
        return f"{a}-{b}" if self.chance(0.9) else f"{a}-{a}"

    def port(self, names: dict[int, str]) -> str:
        value = self.rng.choice(PORTS)
        return names[value] if value in names and self.chance(0.15) else str(value)

    def port_range(self, names: dict[int, str] = SERVICES) -> str:
        kind = self.rng.random()
        if kind < 0.45:
            return self.port(names)
        if kind < 0.55:
            return f":{self.rng.choice(PORTS)}"
        if kind < 0.62:
            return f"{self.rng.choice(PORTS)}:"
        lo, hi = sorted(self.rng.sample(PORTS, 2))
        return f"{lo}:{hi}"

    def port_list(self, proto: str) -> str:
        names = SERVICES if proto == "tcp" else UDP_SERVICES
        items = [self.port_range(names) for _ in range(self.rng.randint(1, 4))]
        # multiport wants both ends of a range, the first below the second, and at most
        # 15 ports (a range counts 2)
        fixed = []
        for item in items:
            if item.startswith(":"):
                item = "0" + item
            elif item.endswith(":"):
                item = item + "65535" if item != "65535:" else "65535"
            fixed.append(item)
        return ",".join(fixed)

    # --- rules --------------------------------------------------------------------------

    def matches(self, may_out: bool) -> tuple[str, int, str | None]:
        """A rule's conditions, how many kernel rules iptables makes of them (``-s a,b
        -d c,d`` is four), and the protocol (``!tcp`` when negated)."""
        head: list[str] = []
        rules = 1
        # An address list makes one kernel rule per address; iptables then refuses any
        # negated address in the rule.
        lists = self.chance(0.1)
        for flag in ("-s", "-d"):
            if self.chance(0.35):
                if lists and self.chance(0.6):
                    values = [self.address() for _ in range(2)]
                    rules *= len(values)
                    head.append(f"{self.opt(flag)} {','.join(values)}")
                    continue
                value = self.address()
                # iptables-nft refuses "! -s 0.0.0.0/0" (a zero-length negated compare)
                bang = "" if value == "0.0.0.0/0" or lists else self.neg()
                head.append(f"{bang}{self.opt(flag)} {value}")
        if self.chance(0.3):
            head.append(f"{self.neg(0.25)}{self.opt('-i')} {self.rng.choice(IFACE_WORDS)}")
        if may_out and self.chance(0.3):
            head.append(f"{self.neg(0.25)}{self.opt('-o')} {self.rng.choice(IFACE_WORDS)}")
        if self.chance(0.08):  # the probes are first packets: never non-first fragments
            head.append(f"{self.neg(0.5)}{'-f' if self.chance(0.8) else '--fragment'}")
        self.rng.shuffle(head)
        proto = None
        if self.chance(0.6):
            proto = self.rng.choices(
                ["tcp", "udp", "all", "!tcp", "!udp", "icmp"], [35, 35, 8, 8, 7, 7]
            )[0]
        tail: list[str] = []
        m = self.opt("-m")
        if proto is not None:
            name = proto.lstrip("!")
            spelled = self.rng.choice(PROTO_SPELLING[name]) if self.chance(0.2) else name
            tail.append(f"{'! ' if proto.startswith('!') else ''}{self.opt('-p')} {spelled}")
        if proto in ("tcp", "udp"):
            if self.chance(0.2):
                tail.append(f"{m} {proto}")
            negated_single = False
            for flag, p in (("--dport", 0.45), ("--sport", 0.3)):
                if self.chance(p):
                    value, bang = self.port_range(), self.neg(0.3)
                    single = ":" not in value or value in (":0", "65535:")
                    if bang and single and negated_single:
                        # ! --dport A ! --sport B (single ports): iptables-nft matches
                        # unless both are equal, legacy when neither is (exaudit: EXA002)
                        bang = ""
                    negated_single = negated_single or bool(bang and single)
                    if bang and value == f":{PORTS[-1]}":
                        # iptables-nft drops "! --sport 0:65535" (the whole range) from
                        # the rule, negation and all, so it matches every packet, while
                        # iptables-legacy keeps it and matches none: backends disagree
                        bang = ""
                    tail.append(f"{bang}{self.opt(flag)} {value}")
            if proto == "tcp" and self.chance(0.2):
                tail.append(f"{self.neg(0.25)}--syn")
            elif proto == "tcp" and self.chance(0.1):
                flags = self.rng.choice(TCP_FLAGS)
                # an empty mask always matches, and iptables-nft then drops the match
                # with its "!" (legacy keeps it: never matches), as with ports above
                bang = "" if flags.startswith("NONE") else self.neg()
                tail.append(f"{bang}--tcp-flags {flags}")
            if self.chance(0.3):
                which = self.opt("--dports" if self.chance(0.7) else "--sports")
                tail.append(f"{m} multiport {self.neg()}{which} {self.port_list(proto)}")
        if self.chance(0.15):
            tail.append(f"{m} iprange {self.neg()}--src-range {self.ip_range()}")
        if self.chance(0.1):
            tail.append(f"{m} iprange {self.neg()}--dst-range {self.ip_range()}")
        if self.chance(0.2):
            tail.append(f"{m} conntrack {self.neg()}--ctstate {self.rng.choice(CTSTATES)}")
        elif self.chance(0.05):
            tail.append(f"{m} state {self.neg(0.1)}--state {self.rng.choice(CTSTATES[:6])}")
        if self.chance(0.05):
            tail.append(f"{m} comment --comment {self.rng.choice(COMMENTS)}")
        parts = head + tail if self.chance(0.5) else tail + head  # either order is fine
        return " ".join(parts), rules, proto

    def target(self, proto_tcp: bool, callees: list[str], in_user: bool) -> tuple[str, str]:
        """The target text and its kind (ACCEPT, DROP, REJECT, LOG, RETURN, JUMP, GOTO)."""
        weights = {
            "ACCEPT": 30,
            "DROP": 18,
            "REJECT": 14,
            "LOG": 10,
            "RETURN": 10 if in_user else 3,
        }
        if callees:
            weights["JUMP"] = 12
            weights["GOTO"] = 6
        verb = self.rng.choices(list(weights), list(weights.values()))[0]
        j = self.opt("-j")
        if verb == "REJECT":
            options = list(REJECT_WITH) + (["tcp-reset"] * 3 if proto_tcp else [])
            return j + " REJECT" + (
                f" --reject-with {self.rng.choice(options)}" if self.chance(0.7) else ""
            ), verb
        if verb == "LOG":
            return j + " LOG" + self.rng.choice(LOG_OPTIONS), verb
        if verb in ("JUMP", "GOTO"):
            flag = j if verb == "JUMP" else self.opt("-g")
            return f"{flag} {self.rng.choice(callees)}", verb
        return f"{j} {verb}", verb


def _reachable(start: str, calls: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for callee in calls.get(todo.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return seen


def ruleset(rng: random.Random, seed: str = "") -> Generated:
    """A random filter table and its topology (routes), without packets yet."""
    g = _Gen(rng)
    user = [
        f"{rng.choice(['chk', 'web', 'mail', 'LAN', 'x_y'])}-{i}"
        for i in range(rng.choice((0, 1, 2, 2, 3, 3, 4)))
    ]
    # Who may call whom: chains only call later chains, so there is never a loop.
    order = ["INPUT", "FORWARD"] + user
    calls: dict[str, set[str]] = {name: set() for name in order}
    for i, name in enumerate(user):
        callers = rng.sample(order[: i + 2], rng.randint(1, min(2, i + 2)))
        for caller in callers:
            calls[caller].add(name)
    lines = [
        "# generated by tests/support/oracle_gen.py" + (f" (seed {seed})" if seed else ""),
        "*filter",
    ]
    gen = Generated(seed, "", Topology(IFACES, dict(LOCAL)), [])
    for name in ("INPUT", "FORWARD", "OUTPUT"):
        policy = "ACCEPT" if name == "OUTPUT" else rng.choice(("ACCEPT", "DROP"))
        lines.append(f":{name} {policy} [0:0]")
        gen.policy_lines[name] = len(lines)
    for name in user:
        lines.append(f":{name} - [0:0]")
    for name in order:
        callees = sorted(calls[name])
        # iptables refuses -o in INPUT; in a user chain INPUT reaches, it meets the empty
        # name (an INPUT packet has no out-interface)
        may_out = name != "INPUT"
        count = rng.randint(1, 9) if name in ("INPUT", "FORWARD") else rng.randint(1, 6)
        rules: list[tuple[tuple[str, int, str | None], tuple[str, str]]] = []
        for _ in range(count):
            match = g.matches(may_out)
            rules.append((match, g.target(match[2] == "tcp", callees, name in user)))
        for callee in callees:  # every call edge is used at least once
            if not any(t[0].split()[-1] == callee for _, t in rules):
                kind = "GOTO" if rng.random() < 0.25 else "JUMP"
                rules.insert(
                    rng.randint(0, len(rules)),
                    (g.matches(may_out), (f"{'-g' if kind == 'GOTO' else '-j'} {callee}", kind)),
                )
        index = 0
        for (match, expansions, _), (target, kind) in rules:
            lines.append(" ".join(w for w in ("-A", name, match, target) if w))
            gen.targets[len(lines)] = kind
            for _ in range(expansions):
                gen.rule_lines[(name, index)] = len(lines)
                index += 1
    lines.append("COMMIT")
    gen.text = "\n".join(lines) + "\n"
    routes = {address: rng.choice(IFACES) for address in REMOTE}
    gen.topology = Topology(IFACES, dict(LOCAL), routes)
    return gen


def packets(rng: random.Random, topology: Topology, count: int) -> list[Packet]:
    """``count`` probes, no two of one connection: TCP SYNs and UDP, to INPUT and FORWARD."""
    out: list[Packet] = []
    keys: set[tuple] = set()
    while len(out) < count:
        proto = "tcp" if rng.random() < 0.55 else "udp"
        src = rng.choice(REMOTE)
        in_iface = rng.choice(IFACES)
        if rng.random() < 0.4:
            dst, out_iface = rng.choice(list(topology.local.values())), None
        else:
            dst = rng.choice([a for a in REMOTE if a != src])
            out_iface = topology.routes[dst]
        p = Packet(
            proto,
            src,
            dst,
            rng.choice(PACKET_SPORTS),
            rng.choice(PACKET_DPORTS),
            in_iface,
            out_iface,
        )
        # conntrack would take a packet whose 5-tuple is an earlier one's, or its
        # reverse (a reply), as part of that connection, not as NEW
        reverse = (p.key[0], p.key[2], p.key[1], p.key[4], p.key[3])
        if p.key not in keys and reverse not in keys:
            keys.update((p.key, reverse))
            out.append(p)
    return out


def batch(seed: str, count: int) -> Generated:
    rng = random.Random(seed)
    gen = ruleset(rng, seed)
    gen.packets = packets(rng, gen.topology, count)
    return gen
