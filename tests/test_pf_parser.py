"""The pf parser, feature by feature: the normalized rules and the engine's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PORTS, TCP_FLAG_BITS, IfaceMatch, Verb
from exaudit.engine.evaluate import Evaluator, Question
from exaudit.platforms import pf
from exaudit.platforms.api import FixRequest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pf"
PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58, "esp": 50}
SYN = TCP_FLAG_BITS["SYN"]
ACK = TCP_FLAG_BITS["ACK"]


def ruleset(text: str, path: str = "t.conf"):
    return pf.parse(text, path)


def decide(
    rs,
    *,
    proto: str = "tcp",
    src: str = "10.10.1.1",
    dst: str = "10.1.0.10",
    dport: int | None = 80,
    sport: int | None = 40000,
    flags: int | None = SYN,
    icmp: tuple[int, int] | None = None,
    in_iface: str | None = "em1",
    out_iface: str | None = None,
    local: str | None = None,
):
    """The verdict and deciding line for one packet (or one packet set)."""
    if isinstance(rs, str):
        rs = ruleset(rs)
    if local is None and out_iface is None:
        local = "input"
    stages = pf.stages(rs, in_iface=in_iface, out_iface=out_iface, local=local)
    point = IntervalSet.point
    if icmp is not None:
        dport, sport = icmp
    question = Question(
        proto=point(PROTO[proto]),
        src=addresses.parse(src),
        dst=addresses.parse(dst),
        dport=point(dport) if dport is not None else PORTS,
        sport=point(sport) if sport is not None else PORTS,
        flags=point(flags) if flags is not None else IntervalSet.span(0, 255),
        in_iface=in_iface,
        out_iface=out_iface,
    )
    result = Evaluator().evaluate(stages, question)
    assert len(result.verdicts) == 1, [(p.verdict, p.decided_by) for p in result.parts]
    part = result.parts[0]
    return part.verdict, (part.decided_by.line if part.decided_by else None)


def filter_rules(rs, chain: str = "in"):
    return [r for r in rs.chains[chain].rules if r.target.name != "set skip"]


# --- last match, quick, default ---------------------------------------------------------

LAST_MATCH = [
    ("default pass", "set skip on lo\n", {}, ("permit", None)),
    ("last match wins", "block all\npass in proto tcp to port 80\n", {}, ("permit", 2)),
    ("later block overrides", "pass all\nblock in proto tcp to port 80\n", {}, ("deny", 2)),
    ("not matching the later rule", "pass all\nblock in proto tcp to port 81\n", {}, ("permit", 1)),
    ("quick ends evaluation", "pass in quick proto tcp to port 80\nblock all\n", {}, ("permit", 1)),
    (
        "first quick wins",
        "block in quick proto tcp to port 80\npass in quick proto tcp to port 80\n",
        {},
        ("deny", 1),
    ),
    (
        "quick beats any later rule",
        "block in quick proto tcp from 10.10.0.0/16\npass all\npass in proto tcp to port 80\n",
        {},
        ("deny", 1),
    ),
    ("out rules do not apply in", "block out all\n", {}, ("permit", None)),
    (
        "both directions without in/out",
        "block all\n",
        {"local": "output", "in_iface": None, "out_iface": "em0"},
        ("deny", 1),
    ),
    (
        "match never decides",
        "block all\nmatch in proto tcp to port 80 scrub (no-df)\n",
        {},
        ("deny", 1),
    ),
]


@pytest.mark.parametrize("name,text,packet,expected", LAST_MATCH, ids=[c[0] for c in LAST_MATCH])
def test_last_match_semantics(name, text, packet, expected):
    rs = ruleset(text)
    assert not [i for i in rs.issues if i.code == "EXA001"]
    assert decide(rs, **packet) == expected


def test_chain_order_is_quick_then_reverse():
    rs = ruleset(
        "block all\npass in quick proto udp\npass in proto tcp to port 80\n"
        "block in quick proto tcp to port 23\n"
    )
    lines = [r.origin.line for r in rs.chains["in"].rules]
    assert lines == [2, 4, 3, 1]  # quick in file order, then the rest reversed
    assert rs.chains["in"].default.verb is Verb.ACCEPT
    assert rs.chains["in"].default.name == "default pass"
    assert rs.chains["in"].default_origin is None


# --- anchors ----------------------------------------------------------------------------

ANCHORS = [
    (
        "inline anchor rule is evaluated in place",
        'block all\nanchor "a" in {\n  pass proto tcp to port 80\n}\n',
        {},
        ("permit", 3),
    ),
    (
        "a later rule still overrides an anchor's rule",
        'anchor "a" {\n  pass proto tcp to port 80\n}\nblock all\n',
        {},
        ("deny", 4),
    ),
    (
        "quick anchor ends evaluation when one of its rules matched",
        'anchor "a" quick {\n  pass proto tcp to port 80\n}\nblock all\n',
        {},
        ("permit", 2),
    ),
    (
        "quick anchor: packets no rule of it matched go on",
        'anchor "a" quick {\n  pass proto tcp to port 80\n}\nblock all\n',
        {"dport": 81},
        ("deny", 4),
    ),
    (
        "quick anchor: last match among its own rules",
        "anchor quick {\n  pass proto tcp\n  block proto tcp to port 80\n}\npass all\n",
        {},
        ("deny", 3),
    ),
    (
        "quick rule inside an anchor is final for the whole ruleset",
        "anchor {\n  pass quick proto tcp to port 80\n}\nblock all\n",
        {},
        ("permit", 2),
    ),
    (
        "anchor conditions restrict its rules (other interface)",
        "block all\nanchor on em2 {\n  pass proto tcp to port 80\n}\n",
        {},
        ("deny", 1),
    ),
    (
        "anchor conditions restrict its rules (its interface)",
        "block all\nanchor on em1 {\n  pass proto tcp to port 80\n}\n",
        {},
        ("permit", 3),
    ),
    ("anchor direction", "block all\nanchor out {\n  pass\n}\n", {}, ("deny", 1)),
    (
        "nested anchors",
        'block all\nanchor "x" {\n  anchor "y" in {\n    pass quick proto tcp\n  }\n}\n',
        {},
        ("permit", 4),
    ),
]


@pytest.mark.parametrize("name,text,packet,expected", ANCHORS, ids=[c[0] for c in ANCHORS])
def test_anchor_semantics(name, text, packet, expected):
    rs = ruleset(text)
    assert not rs.issues
    assert decide(rs, **packet) == expected


def test_anchor_without_rules_is_undetermined():
    rs = ruleset('block all\nanchor "ftp-proxy/*"\npass in proto tcp to port 80\n')
    assert [(i.code, i.origin.line) for i in rs.issues] == [("EXA002", 2)]
    stages = pf.stages(rs, in_iface="em1", out_iface=None, local="input")
    q = Question(
        IntervalSet.point(6),
        addresses.parse("10.10.1.1"),
        addresses.parse("10.1.0.10"),
        IntervalSet.point(80),
        flags=IntervalSet.point(SYN),
        in_iface="em1",
    )
    result = Evaluator().evaluate(stages, q)
    assert result.verdicts == {"undetermined"}
    assert result.parts[0].decided_by.line == 2


def test_loaded_anchor_file(tmp_path):
    path = FIXTURES / "anchors.conf"
    rs = pf.parse(path.read_text(), str(path))
    assert decide(rs, dport=443) == ("undetermined", 5)  # anchor "runtime/*" has no rules
    web = [r for r in rs.rules() if r.origin.file.endswith("pf.anchors/web")]
    assert {r.origin.line for r in web} == {1, 2}
    codes = [(i.code, i.origin.line) for i in rs.issues]
    assert codes == [("EXA002", 5)]


def test_missing_anchor_file_is_flagged(tmp_path):
    conf = tmp_path / "pf.conf"
    conf.write_text('block all\nanchor "web"\nload anchor "web" from "/etc/missing"\n')
    rs = pf.parse(conf.read_text(), str(conf))
    assert ("EXA002", 3) in [(i.code, i.origin.line) for i in rs.issues]
    assert decide(rs)[0] == "undetermined"


# --- addresses, lists, tables -----------------------------------------------------------

ADDRESSES = [
    ("cidr", "block in from 10.10.0.0/16", "10.10.1.1", "deny"),
    ("cidr other", "block in from 10.10.0.0/16", "10.11.1.1", "permit"),
    ("short form", "block in from 10/8", "10.200.1.1", "deny"),
    ("short form host bits", "block in from 10.1/8", "10.200.1.1", "deny"),
    ("range", "block in from 10.10.1.1 - 10.10.1.5", "10.10.1.5", "deny"),
    ("range outside", "block in from 10.10.1.1 - 10.10.1.5", "10.10.1.6", "permit"),
    ("negated", "block in from ! 10.10.0.0/16", "10.10.1.1", "permit"),
    ("negated other", "block in from ! 10.10.0.0/16", "192.0.2.1", "deny"),
    ("negated is per family", "block in from ! 10.10.0.0/16", "2001:db8::1", "permit"),
    ("list", "block in from { 10.9.0.0/16 10.10.0.0/16 }", "10.10.1.1", "deny"),
    (
        "list with negated item: the item's complement",
        "block in from { ! 10.0.0.0/8, 10.10.1.1 }",
        "10.10.1.1",
        "deny",
    ),
    (
        "list with negated item: the rest of 10/8",
        "block in from { ! 10.0.0.0/8, 10.10.1.1 }",
        "10.10.1.2",
        "permit",
    ),
    (
        "list with negated item: outside 10/8",
        "block in from { ! 10.0.0.0/8, 10.10.1.1 }",
        "11.0.0.1",
        "deny",
    ),
    ("any", "block in from any", "2001:db8::1", "deny"),
    ("ipv6", "block in from 2001:db8::/32", "2001:db8::1", "deny"),
    ("ipv6 scope", "block in from fe80::1%em1", "fe80::1", "deny"),
    ("localhost", "block in from localhost", "127.0.0.1", "deny"),
    ("table", "table <t> { 10.10.0.0/16 }\nblock in from <t>", "10.10.1.1", "deny"),
    ("negated table", "table <t> { 10.10.0.0/16 }\nblock in from ! <t>", "10.10.1.1", "permit"),
    (
        "table: most specific entry decides",
        "table <t> { 10/8 !10.10/16 10.10.1.0/24 }\nblock in from <t>",
        "10.10.1.1",
        "deny",
    ),
    (
        "table: negated entry excludes",
        "table <t> { 10/8 !10.10/16 10.10.1.0/24 }\nblock in from <t>",
        "10.10.2.1",
        "permit",
    ),
    (
        "table: the broad entry",
        "table <t> { 10/8 !10.10/16 10.10.1.0/24 }\nblock in from <t>",
        "10.11.0.1",
        "deny",
    ),
    (
        "multi-line table",
        "table <t> const {\n 10.9.0.0/16\n 10.10.0.0/16\n}\nblock in from <t>",
        "10.10.1.1",
        "deny",
    ),
    ("inet restricts", "block in inet", "2001:db8::1", "permit"),
    ("inet6 restricts", "block in inet6", "2001:db8::1", "deny"),
    ("empty table", "table <t> persist\nblock in from <t>", "10.10.1.1", "permit"),
]


@pytest.mark.parametrize("name,text,src,verdict", ADDRESSES, ids=[c[0] for c in ADDRESSES])
def test_addresses(name, text, src, verdict):
    rs = ruleset(text + "\n")
    assert not rs.issues
    dst = "2001:db8::10" if ":" in src else "10.1.0.10"
    assert decide(rs, src=src, dst=dst)[0] == verdict


def test_negated_list_item_rules():
    rs = ruleset('extern = "{ ! 10.0.0.0/8, 10.1.2.3 }"\nblock out on em0 from $extern\n')
    rules = filter_rules(rs, "out")
    assert len(rules) == 1
    src = rules[0].match.src
    assert src == (addresses.ALL_V4 - addresses.parse("10.0.0.0/8")) | addresses.parse("10.1.2.3")
    assert rules[0].match.dst == addresses.ALL_V4  # the family restricts the other side too
    assert rules[0].match.oif == IfaceMatch(("em0",))
    assert rs.chains["in"].rules == []


UNKNOWN = [
    ("self", "block in from self"),
    ("interface address", "block in from em0"),
    ("dynamic interface address", "block in from (em0)"),
    ("interface network", "block in from em0:network"),
    ("interface group", "block in on egress"),
    ("no-route", "block in from no-route"),
    ("urpf-failed", "block in from urpf-failed"),
    ("undefined table", "block in from <nowhere>"),
    ("dns name", "block in from mail.example.com"),
    ("user", "block in proto tcp user root"),
    ("group", "block in proto tcp group wheel"),
    ("tagged", "block in tagged foo"),
    ("not tagged", "block in ! tagged foo"),
    ("os", 'block in proto tcp from any os "Windows"'),
    ("tos", "block in tos 0x10"),
    ("probability", "block in probability 50%"),
    ("rdomain", "block in on rdomain 1"),
    ("rtable", "block in rtable 1"),
]


@pytest.mark.parametrize("name,text", UNKNOWN, ids=[c[0] for c in UNKNOWN])
def test_values_exaudit_cannot_know_are_flagged(name, text):
    rs = ruleset(text + "\n")
    assert [i.code for i in rs.issues] == ["EXA002"]
    assert any(r.unknown for r in filter_rules(rs))
    assert decide(rs)[0] == "undetermined"


def test_known_part_of_a_table_stays_certain():
    rs = ruleset("table <t> { 10.10.0.0/16 self }\nblock in from <t>\n")
    assert decide(rs, src="10.10.1.1") == ("deny", 2)
    assert decide(rs, src="10.99.1.1")[0] == "undetermined"


def test_loopback_addresses_are_known():
    rs = ruleset("antispoof quick for lo0\n")
    assert not rs.issues
    assert decide(rs, src="127.0.0.5", in_iface="em1") == ("deny", 1)
    assert decide(rs, src="10.10.1.1", in_iface="em1") == ("permit", None)
    assert decide(rs, src="127.0.0.5", in_iface="lo0") == ("permit", None)


def test_antispoof_of_an_interface_is_unknown():
    rs = ruleset("antispoof for em1 inet\n")
    rules = filter_rules(rs)
    assert {r.match.iif for r in rules} == {IfaceMatch(("em1",), negated=True), None}
    assert all(r.unknown for r in rules)


# --- protocols, ports, icmp, flags ------------------------------------------------------

PORT_CASES = [
    ("number", "port 80", 80, True),
    ("name", "port www", 80, True),
    ("equal", "port = 80", 80, True),
    ("not equal", "port != 80", 80, False),
    ("not equal other", "port != 80", 81, True),
    ("less", "port < 80", 79, True),
    ("less edge", "port < 80", 80, False),
    ("less or equal", "port <= 80", 80, True),
    ("greater", "port > 80", 80, False),
    ("greater or equal", "port >= 80", 80, True),
    ("range", "port 80:90", 90, True),
    ("range outside", "port 80:90", 91, False),
    ("exclusive range", "port 80 >< 90", 80, False),
    ("exclusive range inside", "port 80 >< 90", 85, True),
    ("outside range", "port 80 <> 90", 90, False),
    ("outside range out", "port 80 <> 90", 91, True),
    ("list", "port { 25, 80 }", 80, True),
    ("list miss", "port { 25, 80 }", 81, False),
    ("list with operators", "port { 25, > 1023 }", 8080, True),
    ("hex", "port 0x50", 80, True),
    ("service from the embedded table", "port pop3s", 995, True),
]


@pytest.mark.parametrize("name,spec,port,blocked", PORT_CASES, ids=[c[0] for c in PORT_CASES])
def test_destination_ports(name, spec, port, blocked):
    rs = ruleset(f"block in proto tcp to {spec}\n")
    assert not rs.issues
    assert decide(rs, dport=port) == (("deny", 1) if blocked else ("permit", None))


def test_source_ports_and_udp():
    rs = ruleset("block in proto { tcp udp } from port 53\n")
    rules = filter_rules(rs)
    assert rules[0].match.proto == IntervalSet.of([6, 17])
    assert rules[0].match.sport == IntervalSet.point(53)
    assert decide(rs, proto="udp", sport=53, flags=None) == ("deny", 1)
    assert decide(rs, proto="udp", sport=54, flags=None) == ("permit", None)


@pytest.mark.parametrize(
    "text,packet",
    [
        ("block in to port 80", {}),  # pfctl: port only applies to tcp/udp/sctp
        ("block in proto icmp to port 80", {"proto": "icmp", "icmp": (8, 0), "flags": None}),
        ("block in proto tcp icmp-type echoreq", {}),
        ("block in inet6 from 10.0.0.0/8", {"src": "2001:db8::1", "dst": "2001:db8::2"}),
    ],
)
def test_rules_pfctl_refuses(text, packet):
    rs = ruleset(text + "\n")
    assert [i.code for i in rs.issues] == ["EXA001"]
    assert decide(rs, **packet)[0] == "undetermined"
    assert decide(rs, proto="esp", dport=None, sport=None, flags=None)[0] != "deny"


def test_unknown_service_name_keeps_an_outer_bound():
    rs = ruleset("block in proto tcp to port no-such-service\n")
    assert [i.code for i in rs.issues] == ["EXA001"]
    (rule,) = filter_rules(rs)
    assert rule.match.proto == IntervalSet.point(6) and rule.match.dport is None
    assert rule.unknown
    assert decide(rs, proto="udp", flags=None) == ("permit", None)
    assert decide(rs)[0] == "undetermined"


ICMP = [
    ("type", "icmp-type echoreq", (8, 0), True),
    ("other type", "icmp-type echoreq", (0, 0), False),
    ("number", "icmp-type 3", (3, 13), True),
    ("type and code", "icmp-type unreach code needfrag", (3, 4), True),
    ("other code", "icmp-type unreach code needfrag", (3, 3), False),
    ("list", "icmp-type { echoreq, unreach code port-unr }", (3, 3), True),
    ("list miss", "icmp-type { echoreq, unreach code port-unr }", (3, 1), False),
]


@pytest.mark.parametrize("name,spec,typecode,blocked", ICMP, ids=[c[0] for c in ICMP])
def test_icmp_types(name, spec, typecode, blocked):
    rs = ruleset(f"block in inet proto icmp {spec}\n")
    assert not rs.issues
    got = decide(rs, proto="icmp", icmp=typecode, flags=None)
    assert got == (("deny", 1) if blocked else ("permit", None))
    assert all(r.match.proto == IntervalSet.point(1) for r in filter_rules(rs))


def test_icmp6_types():
    rs = ruleset("block in inet6 proto icmp6 icmp6-type { neighbrsol, 128 }\n")
    rule = filter_rules(rs)[0]
    assert rule.match.dport == IntervalSet.of([128, 135]) and rule.match.sport is None
    assert decide(rs, proto="icmp6", src="fe80::1", dst="fe80::2", icmp=(135, 0), flags=None) == (
        "deny",
        1,
    )


FLAGS = [
    ("default S/SA: the opening SYN", "pass in proto tcp", SYN, "permit"),
    ("default S/SA: not an ACK", "pass in proto tcp", ACK, "deny"),
    ("default S/SA: not a SYN+ACK", "pass in proto tcp", SYN | ACK, "deny"),
    ("flags any", "pass in proto tcp flags any", ACK, "permit"),
    ("no state: no default flags", "pass in proto tcp no state", ACK, "permit"),
    ("explicit", "pass in proto tcp flags A/A", ACK | SYN, "permit"),
    ("explicit miss", "pass in proto tcp flags A/A", SYN, "deny"),
    ("empty set", "pass in proto tcp flags /SA", 0, "permit"),
    ("empty set miss", "pass in proto tcp flags /SA", ACK, "deny"),
]


@pytest.mark.parametrize("name,rule,flags,verdict", FLAGS, ids=[c[0] for c in FLAGS])
def test_tcp_flags(name, rule, flags, verdict):
    rs = ruleset(f"block all\n{rule}\n")
    assert decide(rs, flags=flags)[0] == verdict


def test_default_flags_apply_only_to_tcp():
    rs = ruleset("block all\npass in all\n")
    rules = filter_rules(rs)
    assert rules[0].match.proto == IntervalSet.span(0, 255) - IntervalSet.point(6)
    assert rules[0].match.flags is None
    assert rules[1].match.proto == IntervalSet.point(6)
    assert rules[1].match.flags == IntervalSet.of(f for f in range(256) if f & 18 == 2)
    assert decide(rs, proto="udp", flags=None) == ("permit", 2)
    assert all(r.stateful for r in rules[:2])


def test_protocol_names_and_numbers():
    rs = ruleset("block in proto { esp 47 ipv6-icmp }\n")
    assert filter_rules(rs)[0].match.proto == IntervalSet.of([47, 50, 58])


# --- actions, state, interfaces ---------------------------------------------------------

ACTIONS = [
    ("block", "block in", Verb.DROP),
    ("block drop", "block drop in", Verb.DROP),
    ("block return", "block return in", Verb.REJECT),
    ("block return-rst", "block return-rst in proto tcp", Verb.REJECT),
    ("block return-icmp", "block return-icmp(port-unr) in proto udp", Verb.REJECT),
    ("block-policy return", "set block-policy return\nblock in", Verb.REJECT),
    ("block-policy only for later rules", "block in\nset block-policy return", Verb.DROP),
    ("pass", "pass in", Verb.ACCEPT),
]


@pytest.mark.parametrize("name,text,verb", ACTIONS, ids=[c[0] for c in ACTIONS])
def test_actions(name, text, verb):
    rs = ruleset(text + "\n")
    assert {r.target.verb for r in filter_rules(rs)} == {verb}


@pytest.mark.parametrize(
    "text,stateful",
    [
        ("pass in proto tcp", True),
        ("pass in proto tcp keep state", True),
        ("pass in proto tcp modulate state", True),
        ("pass in proto tcp synproxy state", True),
        ("pass in proto tcp no state", False),
        ("block in proto tcp", False),
    ],
)
def test_state(text, stateful):
    rs = ruleset(text + "\n")
    assert {r.stateful for r in filter_rules(rs)} == {stateful}


def test_stateful_permit_is_recorded_on_the_path():
    rs = ruleset("block all\npass in proto tcp to port 80\n")
    stages = pf.stages(rs, in_iface="em1", out_iface=None, local="input")
    q = Question(
        IntervalSet.point(6),
        addresses.parse("10.10.1.1"),
        addresses.parse("10.1.0.10"),
        IntervalSet.point(80),
        flags=IntervalSet.point(SYN),
        in_iface="em1",
    )
    (part,) = Evaluator().evaluate(stages, q).parts
    assert part.path[-1].stateful


INTERFACES = [
    ("on", "block in on em1", "em1", "deny"),
    ("on other", "block in on em1", "em2", "permit"),
    ("on negated", "block in on ! em1", "em2", "deny"),
    ("on list", "block in on { em1, em2 }", "em2", "deny"),
    ("driver group", "block in on em", "em7", "deny"),
    ("driver group other", "block in on em", "vio0", "permit"),
]


@pytest.mark.parametrize("name,text,iface,verdict", INTERFACES, ids=[c[0] for c in INTERFACES])
def test_interfaces(name, text, iface, verdict):
    rs = ruleset(text + "\n")
    assert decide(rs, in_iface=iface)[0] == verdict


def test_set_skip_passes_unfiltered():
    rs = ruleset("set skip on { lo0 em3 }\nblock all\n")
    assert decide(rs, in_iface="em3") == ("permit", 1)
    assert decide(rs, in_iface="lo0") == ("permit", 1)
    assert decide(rs, in_iface="em1") == ("deny", 2)


def test_unspecified_interface_is_not_the_bsd_loopback():
    rs = ruleset("set skip on lo\nblock all\n")
    assert decide(rs, in_iface=None, local="input") == ("deny", 2)


def test_forwarded_packet_meets_in_then_out():
    rs = ruleset(
        "block all\npass in on em1 proto tcp to port 80\n"
        "pass out on em2 proto tcp to 10.1.0.10 port 80\n"
    )
    assert decide(rs, in_iface="em1", out_iface="em2") == ("permit", 3)
    assert decide(rs, in_iface="em1", out_iface="em0") == ("deny", 1)
    assert decide(rs, in_iface="em0", out_iface="em2") == ("deny", 1)
    labels = [s.label for s in pf.stages(rs, in_iface="em1", out_iface="em2")]
    assert labels == ["in on em1", "out on em2"]


# --- lexical features -------------------------------------------------------------------

LEXICAL = [
    ("comment", "block in proto tcp to port 80 # no web\n"),
    ("continuation", "block in \\\n  proto tcp \\\n  to port 80\n"),
    ("macro", 'web = "80"\nblock in proto tcp to port $web\n'),
    ("list macro", 'web = "{ 80 443 }"\nblock in proto tcp to port $web\n'),
    ("nested macro", 'a = "80"\nb = $a "443"\nblock in proto tcp to port { $b }\n'),
    ("macro runs on", 'w = "8"\nblock in proto tcp to port $w:90\n'),
    ("quoted macro list", 'all_ports = "{" 79 80 "}"\nblock in proto tcp to port $all_ports\n'),
    ("whole rule in a macro", 'r = "block in proto tcp"\n$r to port 80\n'),
    ("line with CRLF", "block in proto tcp to port 80\r\n"),
    ("macro ending in a blank", 'r = "block in proto tcp "\n$r to port 80\n'),
    ("blanks and a comment at the end of the file", "block in proto tcp to port 80\n  # x"),
    ("single quotes", "a = '80'\nblock in proto tcp to port $a\n"),
    ("list across lines", "block in proto tcp to port {\n 79\n 80\n}\n"),
]


@pytest.mark.parametrize("name,text", LEXICAL, ids=[c[0] for c in LEXICAL])
def test_lexical(name, text):
    rs = ruleset(text)
    assert not rs.issues, rs.issues
    (rule,) = [r for r in filter_rules(rs) if r.match.dport is not None]
    assert 80 in rule.match.dport
    assert decide(rs)[0] == "deny"


def test_origin_is_the_first_line_and_the_logical_text():
    rs = ruleset("# head\nblock in \\\n  proto tcp \\\n  to port 80\n")
    (rule,) = filter_rules(rs)
    assert rule.origin.line == 2
    assert rule.origin.text == "block in proto tcp to port 80"
    assert rs.lines_total == 4


def test_comment_with_continuation_swallows_the_next_line():
    rs = ruleset("block all\n# pass in \\\npass in proto tcp to port 80\n")
    assert decide(rs) == ("deny", 1)


def test_macro_origin_keeps_the_written_text():
    rs = ruleset('body = "block in proto tcp"\n$body to port 80\n')
    assert filter_rules(rs)[0].origin.text == "$body to port 80"


# --- includes, tables from files, options, other statements -----------------------------


def test_include():
    path = FIXTURES / "include-main.conf"
    rs = pf.parse(path.read_text(), str(path))
    assert not rs.issues
    assert decide(rs, dport=80) == ("permit", 1)
    assert decide(rs, dport=80, src="10.9.1.1")[0] == "deny"
    part = [r for r in rs.rules() if r.origin.file.endswith("include-part.conf")]
    assert {r.origin.line for r in part} == {1, 2}
    assert decide(rs, dport=22) == ("permit", 4)


def test_missing_include_is_flagged():
    path = FIXTURES / "include-missing.conf"
    rs = pf.parse(path.read_text(), str(path))
    assert ("EXA001", 2) in [(i.code, i.origin.line) for i in rs.issues]
    # the missing file may hold quick rules: nothing after it is certain either
    assert decide(rs, dport=80) == ("undetermined", 2)


def test_table_from_file():
    path = FIXTURES / "tables.conf"
    rs = pf.parse(path.read_text(), str(path))
    assert decide(rs, src="203.0.113.5") == ("deny", 4)
    assert decide(rs, src="203.0.113.200") == ("permit", 6)
    assert decide(rs, src="2001:db8::5", dst="2001:db8:1::1") == ("deny", 4)
    assert decide(rs, src="192.0.2.1", dport=25)[0] == "undetermined"  # its file is missing
    assert [(i.code, i.origin.line) for i in rs.issues] == [("EXA002", 5)]


@pytest.mark.parametrize(
    "text",
    [
        "set timeout { tcp.first 10, tcp.opening 10 }",
        "set limit states 1000",
        "set optimization aggressive",
        "set loginterface em0",
        "set state-policy if-bound",
        "scrub in all no-df",
        "altq on em0 cbq bandwidth 10Mb queue { std }",
        "queue std bandwidth 10% cbq(default)",
        "queue up on em0 bandwidth 12M default",
        "nat on em0 from 10.0.0.0/8 -> (em0)",
        "rdr on em0 proto tcp to port 80 -> 10.1.0.5",
        "binat on em0 from 10.1.0.5 to any -> 192.0.2.5",
        "no rdr on em1 from any to any",
        'nat-anchor "ftp-proxy/*"',
        "match out on em0 inet nat-to (em0)",
        "match in all scrub (no-df random-id max-mss 1440)",
        'pass in on em0 proto tcp to port 80 rdr-to 10.1.0.5 port 8080 label "web" '
        "tag web queue (std, ack) set prio (3, 5) keep state (max 10, source-track rule)",
        "pass out on em0 route-to (em1 192.0.2.1) divert-to 127.0.0.1 port 8021",
        "pass log (all, to pflog1) quick allow-opts max-mss 1400 once",
    ],
)
def test_recognised_statements(text):
    rs = ruleset(text + "\n")
    assert not [i for i in rs.issues if i.code == "EXA001"], rs.issues


def test_rdr_pass_bypasses_the_filter():
    rs = ruleset("block all\nrdr pass on em1 proto tcp to port 80 -> 10.1.0.10\n")
    assert [(i.code, i.origin.line) for i in rs.issues] == [("EXA002", 2)]
    assert decide(rs)[0] == "undetermined"
    assert decide(rs, dport=81) == ("deny", 1)


def test_not_understood_line_is_reported_and_skipped():
    rs = ruleset("block all\nfrobnicate the firewall\npass in proto tcp to port 80\n")
    assert [(i.code, i.origin.line, i.origin.text) for i in rs.issues] == [
        ("EXA001", 2, "frobnicate the firewall")
    ]
    assert decide(rs) == ("permit", 3)


def test_rule_cut_short_keeps_what_was_read_as_a_bound():
    rs = ruleset("block all\npass in on em1 proto tcp to port 80 frobnicate\n")
    assert [i.code for i in rs.issues] == ["EXA001"]
    assert decide(rs)[0] == "undetermined"
    assert decide(rs, in_iface="em2") == ("deny", 1)


# --- unusable input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("", None, "empty"),
        ("   \n\n", None, "empty"),
        ("pass in\x00\x01 all\n", 1, "binary"),
        ('anchor "a" {\n  pass\n', 3, "never closed"),
        ("pass all\n}\n", 2, "without a matching"),
        ("pass in on $nope\n", 1, "macro 'nope' is not defined"),
        ('pass in label "open\n', 1, "unterminated"),
    ],
)
def test_unusable_input(text, line, message):
    with pytest.raises(InputError) as err:
        pf.parse(text, "bad.conf")
    assert err.value.file == "bad.conf"
    assert err.value.line == line
    assert message in err.value.message


def test_only_comments_is_an_empty_ruleset():
    rs = ruleset("# nothing here\n")
    assert rs.rule_count == 0 and not rs.issues
    assert decide(rs) == ("permit", None)


# --- the golden fixture -----------------------------------------------------------------

EDGE = [
    # (in, out, src, dst, port, expected)
    ("em1", "em2", "10.10.3.3", "10.1.0.10", 995, ("permit", 22)),
    ("em1", "em2", "10.20.3.3", "10.1.0.10", 993, ("permit", 22)),
    ("em1", "em2", "10.10.3.3", "10.1.0.10", 1601, ("permit", 22)),
    ("em1", "em2", "10.20.3.3", "10.1.0.10", 1601, ("deny", 16)),
    ("em1", "em2", "10.10.3.3", "10.1.0.10", 110, ("deny", 24)),
    ("em0", "em2", "203.0.113.9", "10.1.0.10", 25, ("permit", 28)),
    ("em0", "em2", "192.0.2.9", "10.1.0.10", 25, ("deny", 17)),
    ("em0", "em2", "203.0.113.9", "10.1.0.10", 995, ("deny", 16)),
    ("lo0", "lo0", "127.0.0.1", "127.0.0.1", 25, ("permit", 13)),
]


@pytest.mark.parametrize("iin,iout,src,dst,port,expected", EDGE)
def test_golden_exchange_edge(iin, iout, src, dst, port, expected):
    path = FIXTURES / "exchange-edge.conf"
    rs = pf.parse(path.read_text(), str(path))
    assert not rs.issues
    assert decide(rs, src=src, dst=dst, dport=port, in_iface=iin, out_iface=iout) == expected


def test_reject_is_deny_with_block_return():
    path = FIXTURES / "exchange-edge.conf"
    rs = pf.parse(path.read_text(), str(path))
    pop3 = [r for r in filter_rules(rs) if r.origin.line == 24]
    assert {r.target.verb for r in pop3} == {Verb.REJECT}


# --- fix and looks_like -----------------------------------------------------------------


def _request(before, stage="in on em1", **kw):
    base = dict(
        proto="tcp",
        sources=("10.10.0.0/16",),
        destination="10.1.0.10",
        ports=IntervalSet.point(995),
        in_iface="em1",
        out_iface="em2",
        local=None,
        stage=stage,
        before=before,
    )
    base.update(kw)
    return FixRequest(**base)


def test_fix_after_a_non_quick_block():
    rs = ruleset("block all\n")
    before = filter_rules(rs)[0].origin
    fix = pf.fix(rs, _request(before))
    assert fix == "pass in quick on em1 inet proto tcp from 10.10.0.0/16 to 10.1.0.10 port 995"
    rs2 = ruleset("block all\n" + fix + "\n")
    assert decide(rs2, dport=995, src="10.10.9.9") == ("permit", 2)


def test_fix_before_a_quick_block():
    rs = ruleset("block in quick on em1 proto tcp to port 990:999\nblock all\n")
    before = filter_rules(rs)[0].origin
    fix = pf.fix(rs, _request(before))
    assert fix.endswith("# insert before line 1 (a quick block there decides first)")


def test_fix_out_stage_and_port_lists():
    rs = ruleset("block all\n")
    fix = pf.fix(
        rs,
        _request(
            None,
            stage="out on em2",
            ports=IntervalSet.of([135]) | IntervalSet.span(1600, 1602),
            sources=("10.10.0.0/16", "10.20.0.0/16"),
        ),
    )
    assert fix == (
        "pass out quick on em2 inet proto tcp from { 10.10.0.0/16, 10.20.0.0/16 } "
        "to 10.1.0.10 port { 135, 1600:1602 }"
    )


@pytest.mark.parametrize(
    "text,likely",
    [
        ("set skip on lo\nblock all\npass out quick inet\n", True),
        ('ext_if = "em0"\ntable <x> { 10/8 }\npass in on $ext_if proto tcp to port 22\n', True),
        ("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n", False),
        ("access-list 101 permit tcp any host 10.1.0.10 eq 25\n", False),
        ("hello world\n", False),
    ],
)
def test_looks_like(text, likely):
    assert (pf.looks_like(text) >= 0.5) is likely


def test_wildcard_anchor_evaluates_its_loaded_children_by_name(tmp_path):
    (tmp_path / "b").write_text("pass in proto tcp to port 80\n")
    (tmp_path / "a").write_text("block in proto tcp to port 80\n")
    conf = tmp_path / "pf.conf"
    conf.write_text(
        'block all\nanchor "f/*"\nload anchor "f/b" from "b"\nload anchor "f/a" from "a"\n'
    )
    rs = pf.parse(conf.read_text(), str(conf))
    assert not rs.issues
    # f/a is evaluated before f/b: the pass in f/b is the last match
    rule = [r for r in rs.rules() if r.target.verb is Verb.ACCEPT][0]
    assert rule.origin.file.endswith("/b")
    assert decide(rs)[0] == "permit"


def test_include_loop_is_refused(tmp_path):
    conf = tmp_path / "pf.conf"
    conf.write_text('include "pf.conf"\npass\n')
    with pytest.raises(InputError) as err:
        pf.parse(conf.read_text(), str(conf))
    assert "too deeply" in err.value.message


@pytest.mark.parametrize(
    "text,kind",
    [
        ("nat pass on em0 from 10.0.0.0/8 -> (em0)", "out"),
        ("binat pass on em0 from 10.1.0.5 to any -> 192.0.2.5", None),
    ],
)
def test_translation_with_pass_is_uncertain_before_the_filter(text, kind):
    rs = ruleset("block all\n" + text + "\n")
    for direction in ("in", "out"):
        head = [r for r in rs.chains[direction].rules if r.origin.line == 2]
        assert bool(head) == (kind in (None, direction))
        assert all(r.unknown and r.target.verb is Verb.ACCEPT for r in head)


@pytest.mark.parametrize(
    "text, verdict",
    [
        ("pass all\nblock in fragment\n", "permit"),  # a fragment rule never meets them
        ("block all\npass in fragment\n", "deny"),
        ("block all\npass in proto tcp from any to any fragment\n", "deny"),
    ],
)
def test_fragment_rules_never_meet_whole_packets(text: str, verdict: str) -> None:
    """The questions are about whole packets (first packets and replies), never fragments."""
    rs = ruleset(text)
    assert rs.issues == []
    assert decide(rs)[0] == verdict
