"""Random aerleon policies, their IOS/ASA/iptables/pf renderings and reference verdicts.

Test helper for tests/test_aerleon_cross.py. One aerleon policy (generated with a seed,
or read from the corpus) is rendered by aerleon's own generators; exaudit parses each
rendering; and every packet's verdict is compared with the others, with aerleon's
``AclCheck`` and with a small reference interpreter written here from the policy's terms.

The reference has *dialects*: the renderings are not all meant to be equivalent, and each
known, legitimate difference is one named quirk below, with the reason, never a silent
tolerance. Packets are new connection initiations (TCP SYN, UDP, ICMP, other protocols,
all in state NEW), where stateless ACLs and stateful filters are meant to agree.
"""

from __future__ import annotations

import copy
import ipaddress
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from absl import logging as absl_logging
from aerleon.lib import (
    aclcheck,
    aclgenerator,
    cisco,
    ciscoasa,
    iptables,
    naming,
    packetfilter,
    policy,
    policy_builder,
    speedway,
)

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    FLAGS,
    ICMP,
    ICMPV6,
    PROTOCOLS,
    SYN,
    TCP,
    TCP_FLAG_BITS,
    UDP,
    Chain,
    Match,
    Origin,
    Rule,
    Stage,
    State,
    Target,
    Verb,
    states,
)
from exaudit.engine.evaluate import Question

absl_logging.set_verbosity(absl_logging.ERROR)  # aerleon warns about every skipped term

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FILTER = "acl_x"  # the filter name every random policy uses on every target

# --- the known, legitimate differences between renderings ----------------------------

# aerleon's ciscoasa generator writes `option:: tcp-established` as a plain TCP permit
# (the ASA is stateful, replies pass anyway), so on the ASA that term also matches the
# SYN of a new connection, which IOS `established`, iptables `--state ESTABLISHED` and pf
# `flags A/A` do not match.
ESTABLISHED_IS_PLAIN_PERMIT = "tcp-established rendered as a plain permit"
# aerleon's packetfilter generator writes `source-address:: A` + `source-exclude:: X` as
# the pf list `{ !<X>, <A> }`; pfctl expands a list into one rule per item, so the rule
# matches A *or* not-X (pf.conf(5) / the PF FAQ "negated lists" warning), not A minus X.
EXCLUDE_IS_UNION = "source/destination-exclude rendered as a pf list: A or not X"

# aerleon's iptables generator with `nochainedterms` writes a term's exclusion, when it
# chooses "bailout" rules over subtracting addresses, as `-A INPUT -s X -j RETURN`: in a
# chained rendering RETURN leaves the term's chain (skip the term), but in INPUT itself it
# ends the walk with the chain policy, so every later term is skipped too.
RETURN_TO_POLICY = "exclusion as -j RETURN in INPUT itself: the chain policy decides"

# What a packet no term matches meets: pf passes it (pf.conf(5): the default is pass);
# IOS IPv6 lists end with implicit `permit icmp any any nd-na`, `... nd-ns`, then the
# implicit deny (Cisco IPv6 ACL references); IPv4 ACLs deny; iptables applies the chain
# policy aerleon's header sets (Reference.default).
DEFAULT_PASS = "pf passes what no rule matches"
IMPLICIT_ND = "IOS IPv6 lists implicitly permit nd-na and nd-ns"

DIALECTS: dict[str, frozenset[str]] = {
    "stateless": frozenset(),  # iptables, and the policy as meant
    "ios": frozenset({IMPLICIT_ND}),
    "asa": frozenset({ESTABLISHED_IS_PLAIN_PERMIT}),
    "pf": frozenset({EXCLUDE_IS_UNION, DEFAULT_PASS}),
    "iptables-flat": frozenset({RETURN_TO_POLICY}),
}
ND_TYPES = (135, 136)  # ICMPv6 neighbor solicitation, neighbor advertisement

PROTO_NUMBERS = {
    "tcp": TCP,
    "udp": UDP,
    "icmp": ICMP,
    "icmpv6": ICMPV6,
    "igmp": 2,
    "gre": 47,
    "esp": 50,
    "ah": 51,
}
PROTO_NAMES = {number: name for name, number in PROTO_NUMBERS.items()}
OTHER_PROTO = 47  # a protocol with neither ports nor ICMP types
ICMP_OF = {4: ICMP, 6: ICMPV6}
ALL_OF = {4: addresses.ALL_V4, 6: addresses.ALL_V6}
NEW = states(State.NEW)
BYTE = IntervalSet.span(0, 255)  # ICMP type and code


# --- the reference: a policy's terms read directly ------------------------------------


@dataclass(frozen=True)
class RefTerm:
    """One aerleon term, reduced to what decides a NEW packet's fate."""

    name: str
    permit: bool
    protocols: frozenset[int] | None  # None: any protocol
    src: tuple[Network, ...] | None  # None: any address
    src_exclude: tuple[Network, ...]
    dst: tuple[Network, ...] | None
    dst_exclude: tuple[Network, ...]
    sports: tuple[tuple[int, int], ...] | None
    dports: tuple[tuple[int, int], ...] | None
    icmp_types: frozenset[int] | None  # for the ICMP of the term's protocol
    established: bool  # option tcp-established
    src_exclude_names: frozenset[str] = frozenset()  # the naming objects excluded
    dst_exclude_names: frozenset[str] = frozenset()

    @property
    def unsupported_by_aclcheck(self) -> bool:
        """AclCheck does not look at icmp-type nor at excludes."""
        return bool(self.icmp_types is not None or self.src_exclude or self.dst_exclude)


def _nets(values: Iterable[object]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(str(v), strict=False) for v in values)


def ref_terms(terms: Sequence[policy.Term]) -> list[RefTerm]:
    out = []
    for t in terms:
        protos = frozenset(PROTO_NUMBERS[p] for p in t.protocol) if t.protocol else None
        icmp_types = None
        if t.icmp_type:
            family = 6 if t.protocol == ["icmpv6"] else 4
            icmp_types = frozenset(policy.Term.ICMP_TYPE[family][n] for n in t.icmp_type)
        options = {str(o) for o in t.option}
        if options - {"tcp-established"} or t.protocol_except or t.icmp_code:
            raise ValueError(f"term {t.name}: the reference does not model {options}")
        out.append(
            RefTerm(
                name=t.name,
                permit=str(t.action[0]) == "accept",
                protocols=protos,
                src=_nets(t.source_address) if t.source_address else None,
                src_exclude=_nets(t.source_address_exclude),
                dst=_nets(t.destination_address) if t.destination_address else None,
                dst_exclude=_nets(t.destination_address_exclude),
                sports=tuple(t.source_port) or None,
                dports=tuple(t.destination_port) or None,
                icmp_types=icmp_types,
                established="tcp-established" in options,
                src_exclude_names=frozenset(a.parent_token for a in t.source_address_exclude),
                dst_exclude_names=frozenset(a.parent_token for a in t.destination_address_exclude),
            )
        )
    return out


def undefined_pf_tables(terms: Sequence[RefTerm], pf_text: str) -> frozenset[str]:
    """Excluded objects aerleon's pf output names as ``!<X>`` but never defines.

    aerleon writes a ``table <X>`` only for objects some term uses as a source or
    destination address, not for excluded ones; pf then loads an empty table that can be
    filled at run time, and exaudit rightly calls its contents unknown (EXA002).
    """
    names = {n for t in terms for n in t.src_exclude_names | t.dst_exclude_names}
    return frozenset(n for n in names if f"table <{n[:31]}>" not in pf_text)


def _in(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: Iterable[Network]) -> bool:
    return any(ip.version == n.version and ip in n for n in nets)


def _ports_match(port: int, ranges: tuple[tuple[int, int], ...] | None) -> bool:
    return ranges is None or any(lo <= port <= hi for lo, hi in ranges)


@dataclass(frozen=True)
class Packet:
    """A new connection's first packet; for ICMP, ``dport`` is the type, ``sport`` the code."""

    proto: int
    src: str
    dst: str
    sport: int = 0
    dport: int = 0

    @property
    def family(self) -> int:
        return ipaddress.ip_address(self.src).version

    def question(self) -> Question:
        return Question(
            proto=IntervalSet.point(self.proto),
            src=addresses.host(self.src),
            dst=addresses.host(self.dst),
            sport=IntervalSet.point(self.sport),
            dport=IntervalSet.point(self.dport),
            flags=SYN if self.proto == TCP else FLAGS,
            state=NEW,
        )

    def __str__(self) -> str:
        name = PROTO_NAMES.get(self.proto, str(self.proto))
        if self.proto in (TCP, UDP):
            return f"{name} {self.src}:{self.sport} > {self.dst}:{self.dport}"
        if self.proto in (ICMP, ICMPV6):
            return f"{name} {self.src} > {self.dst} type {self.dport} code {self.sport}"
        return f"{name} {self.src} > {self.dst}"


MAYBE = None  # a term that matches only if an undefined pf table says so


@dataclass(frozen=True)
class Reference:
    """What a rendering in one dialect should answer, read off the policy's terms.

    ``unknown_tables``: excluded objects whose pf table is undefined (pf dialect only);
    a ``!<X>`` on them may or may not match, as exaudit's engine explores both worlds.
    """

    terms: tuple[RefTerm, ...]
    dialect: str = "stateless"
    unknown_tables: frozenset[str] = frozenset()
    default: str = "deny"  # for a packet no term matches, unless a quirk says otherwise
    dropped: frozenset[str] = frozenset()  # quirks switched off, to explain a difference
    bailouts: frozenset[tuple[int, str]] = frozenset()  # (family, term) with RETURN lines

    @property
    def quirks(self) -> frozenset[str]:
        return DIALECTS[self.dialect] - self.dropped

    def _side(
        self,
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
        nets: tuple[Network, ...] | None,
        exclude: tuple[Network, ...],
        names: frozenset[str],
    ) -> bool | None:
        inside = nets is None or _in(ip, nets)
        if exclude and EXCLUDE_IS_UNION in self.quirks:
            if inside:
                return True
            return MAYBE if names & self.unknown_tables else not _in(ip, exclude)
        return inside and not _in(ip, exclude)

    def matches(self, term: RefTerm, pkt: Packet) -> bool | None:
        if term.protocols is not None and pkt.proto not in term.protocols:
            return False
        if pkt.proto in (TCP, UDP):
            if not (_ports_match(pkt.sport, term.sports) and _ports_match(pkt.dport, term.dports)):
                return False
        elif term.sports or term.dports:
            return False
        if term.icmp_types is not None and (
            pkt.proto not in (ICMP, ICMPV6) or pkt.dport not in term.icmp_types
        ):
            return False
        if term.established and ESTABLISHED_IS_PLAIN_PERMIT not in self.quirks:
            return False  # a SYN is never part of an established connection
        src = self._side(
            ipaddress.ip_address(pkt.src), term.src, term.src_exclude, term.src_exclude_names
        )
        dst = self._side(
            ipaddress.ip_address(pkt.dst), term.dst, term.dst_exclude, term.dst_exclude_names
        )
        if src is False or dst is False:
            return False
        return True if (src and dst) else MAYBE

    def verdict(self, pkt: Packet) -> tuple[str, str]:
        """(verdict, deciding term): the first term that matches, else the fall-through."""
        maybes: set[str] = set()
        for term in self.terms:
            if self._bails_out(term, pkt):
                return (
                    "undetermined" if maybes - {self.default} else self.default
                ), f"{term.name} RETURN"
            hit = self.matches(term, pkt)
            if hit is False:
                continue
            verdict = "permit" if term.permit else "deny"
            if hit is MAYBE:
                maybes.add(verdict)
                continue
            return ("undetermined" if maybes - {verdict} else verdict), term.name
        verdict, why = self.fallthrough(pkt)
        return ("undetermined" if maybes - {verdict} else verdict), why

    def _bails_out(self, term: RefTerm, pkt: Packet) -> bool:
        if RETURN_TO_POLICY not in self.quirks or (pkt.family, term.name) not in self.bailouts:
            return False
        return _in(ipaddress.ip_address(pkt.src), term.src_exclude) or _in(
            ipaddress.ip_address(pkt.dst), term.dst_exclude
        )

    def fallthrough(self, pkt: Packet) -> tuple[str, str]:
        if DEFAULT_PASS in self.quirks:
            return "permit", "pf default pass"
        if IMPLICIT_ND in self.quirks and pkt.proto == ICMPV6 and pkt.dport in ND_TYPES:
            return "permit", "implicit nd permit"
        return self.default, "default"

    def stages(self) -> list[Stage]:
        """The reference as one exaudit chain, for exact comparison over packet sets.

        Exact only on questions of TCP SYN packets in state NEW (and non-TCP packets): a
        tcp-established term is written to match ACK/RST segments, which IOS, iptables
        and pf all refuse a lone SYN, though they differ on other segments.
        """
        rules = []
        policy_verb = Verb.ACCEPT if self.default == "permit" else Verb.DROP
        for number, t in enumerate(self.terms, 1):
            origin = Origin("reference", number, t.name)
            if RETURN_TO_POLICY in self.quirks:
                for family in (4, 6):
                    if (family, t.name) not in self.bailouts:
                        continue
                    for side, nets in (("src", t.src_exclude), ("dst", t.dst_exclude)):
                        bail = _set(n for n in nets if n.version == family)
                        if bail:
                            rules.append(Rule(origin, Match(**{side: bail}), Target(policy_verb)))
            rules += self._rules(origin, t)
        end = Origin("reference", len(self.terms) + 1, "fall-through")
        if IMPLICIT_ND in self.quirks:
            nd = Match(
                proto=IntervalSet.point(ICMPV6),
                src=addresses.ALL_V6,
                dst=addresses.ALL_V6,
                dport=IntervalSet.of(ND_TYPES),
            )
            rules.append(Rule(end, nd, Target(Verb.ACCEPT)))
        permit = DEFAULT_PASS in self.quirks or self.default == "permit"
        chain = Chain("reference", rules, Target(Verb.ACCEPT if permit else Verb.DROP), end)
        return [Stage("reference", {"reference": chain}, "reference")]

    def _rules(self, origin: Origin, t: RefTerm) -> list[Rule]:
        protos = None if t.protocols is None else IntervalSet.of(sorted(t.protocols))
        flags = None
        if t.established and ESTABLISHED_IS_PLAIN_PERMIT not in self.quirks:
            flags = IntervalSet.of(
                b for b in range(256) if b & (TCP_FLAG_BITS["ACK"] | TCP_FLAG_BITS["RST"])
            )
            protos = IntervalSet.point(TCP)
        dport = _ranges(t.dports)
        if t.icmp_types is not None:
            dport = IntervalSet.of(sorted(t.icmp_types))
        target = Target(Verb.ACCEPT if t.permit else Verb.DROP)
        out = []
        # one rule per combination of a sure and a maybe part of source and destination
        for src, src_unknown in self._address_parts(t.src, t.src_exclude, t.src_exclude_names):
            for dst, dst_unknown in self._address_parts(t.dst, t.dst_exclude, t.dst_exclude_names):
                match = Match(
                    proto=protos,
                    src=src,
                    dst=dst,
                    sport=_ranges(t.sports),
                    dport=dport,
                    flags=flags,
                )
                unknown = tuple(sorted(set(src_unknown + dst_unknown)))
                out.append(Rule(origin, match, target, unknown=unknown))
        return out

    def _address_parts(
        self, nets: tuple[Network, ...] | None, exclude: tuple[Network, ...], names: frozenset[str]
    ) -> list[tuple[IntervalSet, tuple[str, ...]]]:
        inside = _set(nets) if nets is not None else addresses.ALL
        if not exclude:
            return [(inside, ())]
        excluded = _set(exclude)
        if EXCLUDE_IS_UNION not in self.quirks:
            return [(inside - excluded, ())]
        unknown = names & self.unknown_tables
        if unknown:  # `!<X>` of an undefined table: anything, maybe
            return [(inside, ()), (addresses.ALL, tuple(f"table <{n}>" for n in unknown))]
        return [(inside | (addresses.ALL - excluded), ())]


CHAIN_POLICY = "iptables chain policy"


def explain(a: Reference, b: Reference, pkt: Packet) -> list[str]:
    """The smallest sets of quirks that make ``a`` and ``b`` differ on ``pkt``: switched
    off on their side (the chain policy: made equal), the two agree. Each set is given
    as its quirks joined by ' + '; none when nothing explains the difference."""
    own = [(q, 0) for q in sorted(a.quirks - b.quirks)]
    own += [(q, 1) for q in sorted(b.quirks - a.quirks)]
    if a.default != b.default:
        own.append((CHAIN_POLICY, 0))
    for size in range(1, len(own) + 1):
        found = []
        for chosen in itertools.combinations(own, size):
            left, right = a, b
            for quirk, side in chosen:
                if quirk == CHAIN_POLICY:
                    left = replace(left, default=b.default)
                elif side == 0:
                    left = replace(left, dropped=left.dropped | {quirk})
                else:
                    right = replace(right, dropped=right.dropped | {quirk})
            if left.verdict(pkt)[0] == right.verdict(pkt)[0]:
                found.append(" + ".join(q for q, _ in chosen))
        if found:
            return found
    return []


def _set(nets: Iterable[Network]) -> IntervalSet:
    out = IntervalSet()
    for n in nets:
        out = out | addresses.network(n)
    return out


def _ranges(ranges: tuple[tuple[int, int], ...] | None) -> IntervalSet | None:
    if ranges is None:
        return None
    out = IntervalSet()
    for lo, hi in ranges:
        out = out | IntervalSet.span(lo, hi)
    return out


def questions(family: int) -> list[tuple[str, Question]]:
    """Every NEW packet of one family, split by protocol class."""
    everything = ALL_OF[family]
    icmp = ICMP_OF[family]
    rest = PROTOCOLS - IntervalSet.of([TCP, UDP, ICMP, ICMPV6])
    return [
        (
            "tcp-syn",
            Question(
                proto=IntervalSet.point(TCP), src=everything, dst=everything, flags=SYN, state=NEW
            ),
        ),
        ("udp", Question(proto=IntervalSet.point(UDP), src=everything, dst=everything, state=NEW)),
        (
            "icmp",
            Question(
                proto=IntervalSet.point(icmp),
                src=everything,
                dst=everything,
                sport=BYTE,
                dport=BYTE,
                state=NEW,
            ),
        ),
        ("other", Question(proto=rest, src=everything, dst=everything, state=NEW)),
    ]


# --- aerleon's own opinion ---------------------------------------------------------------


def aclcheck_verdict(
    pol: policy.Policy, terms: Sequence[RefTerm], filter_name: str, pkt: Packet
) -> str | None:
    """AclCheck's verdict for ``pkt`` in one filter, or None where its semantics differ.

    AclCheck ignores icmp-type and address excludes; a packet that meets such a term
    before the deciding one gets no opinion. A 'tcp-est' possible match does not match
    a SYN, which is AclCheck's own reading of its possibles.
    """
    ports = pkt.proto in (TCP, UDP)
    check = aclcheck.AclCheck(
        pol,
        pkt.src,
        pkt.dst,
        pkt.sport if ports else "any",
        pkt.dport if ports else "any",
        PROTO_NAMES[pkt.proto],
    )
    by_name = {t.name: t for t in terms}
    for m in check.Matches():
        if m.filter != filter_name:
            continue
        if by_name[m.term].unsupported_by_aclcheck:
            return None
        if m.possibles == ["tcp-est"]:
            continue
        if m.possibles:
            return None
        return "permit" if m.action == "accept" else "deny"
    return None


# --- random policies ---------------------------------------------------------------------

V4_POOL = [
    "10.0.0.0/16",
    "10.0.0.0/20",
    "10.0.1.0/24",
    "10.0.1.128/25",
    "10.0.2.7/32",
    "10.0.3.0/24",
    "10.0.8.0/22",
    "192.0.2.0/24",
    "192.0.2.64/26",
    "198.51.100.9/32",
    "203.0.113.0/25",
]
V6_POOL = [
    "2001:db8::/32",
    "2001:db8:1::/48",
    "2001:db8:1:80::/57",
    "2001:db8:2::7/128",
    "2001:db8:ff00::/40",
    "fd00:1::/64",
]
PORT_POOL = [
    "22",
    "25",
    "53",
    "80",
    "443",
    "1000-2000",
    "1024-65535",
    "1500-1600",
    "5000-5010",
    "8080",
    "1-1023",
]
ICMP_NAMES = {
    "icmp": ["echo-request", "echo-reply", "unreachable", "time-exceeded"],
    "icmpv6": ["echo-request", "echo-reply", "destination-unreachable", "packet-too-big"],
}
PROTOCOL_CHOICES = [["tcp"], ["tcp"], ["udp"], ["udp"], ["tcp", "udp"], ["icmp"], [], ["icmpv6"]]


@dataclass
class RandomPolicy:
    """A policy drawn from a seed: network and service definitions plus terms."""

    seed: int
    networks: dict[str, list[str]] = field(default_factory=dict)
    services: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    terms: list[dict[str, str]] = field(default_factory=list)
    redraws: int = 0
    chain_policy: str = "DROP"  # iptables/speedway INPUT policy
    pf_options: str = ""  # packetfilter: "in" (rules `pass in`), "nostate" (`no state`)

    def definitions(self) -> naming.Naming:
        defs = naming.Naming()
        defs.ParseDefinitionsObject(
            {
                "networks": {
                    name: {"values": [{"address": a} for a in values]}
                    for name, values in self.networks.items()
                },
                "services": {
                    name: [{"port": p, "protocol": proto} for p, proto in values]
                    for name, values in self.services.items()
                },
            },
            "",
        )
        return defs

    def policy(self, targets: dict[str, str]) -> policy.Policy:
        data = {
            "filename": f"random_{self.seed}",
            "filters": [{"header": {"targets": targets}, "terms": self.terms}],
        }
        return policy.FromBuilder(policy_builder.PolicyBuilder(data, self.definitions()))

    def describe(self) -> str:
        return "\n".join(
            [
                f"seed {self.seed}, INPUT {self.chain_policy}, pf "
                f"{self.pf_options or '(no options)'}",
                f"networks {self.networks}",
                f"services {self.services}",
            ]
            + [str(t) for t in self.terms]
        )

    def target_sets(self) -> dict[str, dict[str, str]]:
        """aerleon targets per policy object: a header names each generator once, and
        speedway and iptables write one address family per filter."""
        chain = f"INPUT {self.chain_policy}"
        return {
            "main": {
                "cisco": f"{FILTER} mixed",
                "ciscoasa": FILTER,
                "speedway": chain,
                "iptables": chain,
                "packetfilter": f"{FILTER} mixed {self.pf_options}".strip(),
            },
            "v6": {"speedway": f"{chain} inet6", "iptables": f"{chain} inet6"},
            # variants: non-contiguous wildcards (IOS), no conntrack (`--tcp-flags` for
            # tcp-established), every rule in INPUT itself, IOS object-groups
            "alt": {
                "cisco": f"{FILTER} extended enable_dsmo",
                "speedway": f"{chain} nostate",
                "iptables": f"{chain} nochainedterms",
            },
            "alt6": {
                "speedway": f"{chain} nostate inet6",
                "iptables": f"{chain} nochainedterms inet6",
            },
            "og": {"cisco": f"{FILTER} object-group"},
        }


def return_bailouts(rp: RandomPolicy) -> frozenset[tuple[int, str]]:
    """(family, term) pairs that aerleon's iptables generator writes with `-j RETURN`
    bailout lines for their excludes, asked of aerleon itself: it decides per term (from
    address counts), so a policy of that one term shows the choice."""
    found = set()
    for term in rp.terms:
        if not any(k.endswith("-exclude") for k in term):
            continue
        one = replace(rp, terms=[term])
        for family, option in ((4, ""), (6, " inet6")):
            targets = {"iptables": f"INPUT ACCEPT nochainedterms{option}"}
            text = str(iptables.Iptables(one.policy(targets), 2))
            if " -j RETURN" in text:
                found.add((family, term["name"]))
    return frozenset(found)


def _leaves_some(values: list[str], exclude: list[str]) -> bool:
    """Whether excluding ``exclude`` leaves an address. An exclude that covers the whole
    address list is never drawn: aerleon's iptables and speedway generators then drop the
    exclusion (``nacaddr.ExcludeAddrs`` returns ``[]``, which ``_CalculateAddresses``
    reads as "nothing to exclude") and render the bare address list, an aerleon bug that
    says nothing about exaudit."""
    inside = IntervalSet()
    for v in values:
        inside = inside | addresses.parse(v)
    for v in exclude:
        inside = inside - addresses.parse(v)
    return bool(inside)


def _draw(seed: int, rng: random.Random) -> RandomPolicy:
    rp = RandomPolicy(seed)
    for i in range(rng.randint(2, 5)):
        pools = rng.choice([[V4_POOL], [V4_POOL], [V4_POOL, V6_POOL], [V6_POOL]])
        rp.networks[f"NET_{i}"] = sorted(
            {rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 3))}
        )
    for i in range(rng.randint(2, 4)):
        rp.services[f"SVC_{i}"] = sorted(
            {(rng.choice(PORT_POOL), rng.choice(["tcp", "udp"])) for _ in range(rng.randint(1, 3))}
        )
    nets = list(rp.networks)
    for i in range(rng.randint(2, 6)):
        term: dict[str, str] = {"name": f"t{i}"}
        protocols = rng.choice(PROTOCOL_CHOICES)
        if protocols:
            term["protocol"] = " ".join(protocols)
        for side in ("source", "destination"):
            if rng.random() < 0.55:
                term[f"{side}-address"] = rng.choice(nets)
                chosen = rp.networks[term[f"{side}-address"]]
                excludable = [n for n in nets if _leaves_some(chosen, rp.networks[n])]
                if excludable and rng.random() < 0.2:
                    term[f"{side}-exclude"] = rng.choice(excludable)
        if protocols and set(protocols) <= {"tcp", "udp"}:
            usable = [
                name
                for name, entries in rp.services.items()
                if any(proto in protocols for _, proto in entries)
            ]
            if usable and rng.random() < 0.65:
                term["destination-port"] = rng.choice(usable)
            if usable and rng.random() < 0.15:
                term["source-port"] = rng.choice(usable)
            if protocols == ["tcp"] and rng.random() < 0.3:
                term["option"] = "tcp-established"
        if protocols in (["icmp"], ["icmpv6"]) and rng.random() < 0.6:
            names = ICMP_NAMES[protocols[0]]
            term["icmp-type"] = " ".join(sorted(set(rng.sample(names, rng.randint(1, 2)))))
        if rng.random() < 0.15:  # LOG rules before the verdict on iptables, `log` elsewhere
            term["logging"] = "true"
        if rng.random() < 0.15:  # `-m comment` rules on iptables, remarks on Cisco
            term["comment"] = f"term {i} of seed {seed}"
        term["action"] = rng.choice(["accept", "accept", "deny", "reject"])
        rp.terms.append(term)
    rp.chain_policy = rng.choice(["ACCEPT", "DROP"])
    rp.pf_options = " ".join(o for o, p in (("in", 0.3), ("nostate", 0.3)) if rng.random() < p)
    if rng.random() < 0.75:
        rp.terms.append({"name": "final", "action": rng.choice(["accept", "deny"])})
    else:
        # no catch-all: packets fall through to each platform's own default. One term
        # without addresses keeps every list non-empty in both families (an IOS list
        # without entries permits everything; aerleon leaves one empty when no term has
        # addresses of its family).
        rp.terms.insert(
            rng.randrange(len(rp.terms) + 1),
            {
                "name": "anchor",
                "protocol": rng.choice(["tcp", "udp"]),
                "action": rng.choice(["accept", "deny"]),
            },
        )
    return rp


GENERATORS: dict[str, tuple[Callable[..., object], str]] = {
    # rendering name: (aerleon generator, target set of RandomPolicy.target_sets)
    "ios": (cisco.Cisco, "main"),
    "asa": (ciscoasa.CiscoASA, "main"),
    "speedway": (speedway.Speedway, "main"),
    "speedway6": (speedway.Speedway, "v6"),
    "iptables": (iptables.Iptables, "main"),
    "iptables6": (iptables.Iptables, "v6"),
    "pf": (packetfilter.PacketFilter, "main"),
    "ios_dsmo": (cisco.Cisco, "alt"),
    "speedway_nostate": (speedway.Speedway, "alt"),
    "speedway6_nostate": (speedway.Speedway, "alt6"),
    "iptables_flat": (iptables.Iptables, "alt"),
    "iptables6_flat": (iptables.Iptables, "alt6"),
    "ios_og": (cisco.Cisco, "og"),
}


@dataclass
class Rendered:
    """A random policy, its aerleon policy object and every rendering's text."""

    source: RandomPolicy
    pol: policy.Policy
    terms: list[RefTerm]
    texts: dict[str, str]
    bailouts: frozenset[tuple[int, str]] = frozenset()  # see return_bailouts


def render(policies: dict[str, policy.Policy]) -> dict[str, str]:
    """Every rendering whose target set is among ``policies``."""
    return {
        name: str(generator(copy.deepcopy(policies[tset]), 2))
        for name, (generator, tset) in GENERATORS.items()
        if tset in policies
    }


def random_policy(seed: int) -> Rendered:
    """The policy for ``seed``, redrawn (deterministically) until aerleon accepts it."""
    rng = random.Random(seed)
    for attempt in range(50):
        rp = _draw(seed, rng)
        rp.redraws = attempt
        try:
            policies = {name: rp.policy(t) for name, t in rp.target_sets().items()}
            texts = render(policies)
        except (policy.Error, naming.Error, aclgenerator.Error):  # aerleon refused it
            continue
        pol = policies["main"]
        return Rendered(rp, pol, ref_terms(pol.filters[0][1]), texts, return_bailouts(rp))
    raise AssertionError(f"seed {seed}: aerleon refused 50 draws")


# --- random packets ----------------------------------------------------------------------


def _edges(nets: Iterable[Network]) -> list[int]:
    out = []
    for n in nets:
        lo, hi = int(n.network_address), int(n.broadcast_address)
        out += [lo, hi, lo - 1, hi + 1]
    return out


def random_packets(
    rng: random.Random, terms: Sequence[RefTerm], count: int, families: Sequence[int] = (4, 4, 6)
) -> list[Packet]:
    """Packets aimed at the terms' address edges and ports, with some strangers."""
    nets = [
        n
        for t in terms
        for group in (t.src, t.dst, t.src_exclude, t.dst_exclude)
        for n in (group or ())
    ]
    ports = [
        p
        for t in terms
        for r in (t.sports or ()) + (t.dports or ())
        for p in (r[0], r[1], r[0] - 1, r[1] + 1)
    ]
    ports = [p for p in ports if 0 < p < 65536] + [53, 80, 443, 8080]
    icmp_types = {4: [0, 3, 8, 11], 6: [1, 2, 128, 129, *ND_TYPES]}
    out = []
    for _ in range(count):
        family = rng.choice(list(families))
        fam_nets = [n for n in nets if n.version == family]
        size = 32 if family == 4 else 128

        def address(fam_nets: list = fam_nets, size: int = size, family: int = family) -> str:
            roll = rng.random()
            if fam_nets and roll < 0.45:
                n = rng.choice(fam_nets)
                value = int(n.network_address) + rng.randrange(n.num_addresses)
            elif fam_nets and roll < 0.8:
                value = rng.choice(_edges(fam_nets))
            else:
                value = rng.randrange(1 << size)
            value %= 1 << size
            cls = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
            return str(cls(value))

        proto = rng.choice([TCP, TCP, TCP, UDP, UDP, ICMP_OF[family], OTHER_PROTO])
        src, dst = address(), address()
        if proto in (TCP, UDP):
            sport = rng.choice(ports) if rng.random() < 0.3 else rng.randint(1024, 65535)
            dport = rng.choice(ports) if rng.random() < 0.8 else rng.randint(1, 65535)
            out.append(Packet(proto, src, dst, sport, dport))
        elif proto == ICMP_OF[family]:
            kind = rng.choice(icmp_types[family]) if rng.random() < 0.8 else rng.randrange(256)
            out.append(Packet(proto, src, dst, rng.randrange(4), kind))
        else:
            out.append(Packet(proto, src, dst))
    return out
