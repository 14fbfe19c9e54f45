"""Cisco IOS parser: each syntax feature parsed, and the verdicts the engine gives for it."""

from __future__ import annotations

import contextlib

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.mutations import mutate

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import TCP_FLAG_BITS, Ruleset, Verb
from exaudit.engine.evaluate import Evaluator, Question, Result
from exaudit.platforms.api import FixRequest
from exaudit.platforms.cisco import ios

PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "gre": 47, "esp": 50, "ahp": 51, "ospf": 89, "icmp6": 58}
FLAG = TCP_FLAG_BITS


def question(
    proto: str | int = "tcp",
    src: str = "10.0.0.1",
    dst: str = "10.0.0.2",
    dport: int | None = None,
    sport: int | None = None,
    flags: int | None = None,
    in_iface: str | None = None,
    out_iface: str | None = None,
) -> Question:
    number = PROTO[proto] if isinstance(proto, str) else proto
    kwargs: dict = {}
    if dport is not None:
        kwargs["dport"] = IntervalSet.point(dport)
    if sport is not None:
        kwargs["sport"] = IntervalSet.point(sport)
    if flags is not None:
        kwargs["flags"] = IntervalSet.point(flags)
    return Question(
        proto=IntervalSet.point(number),
        src=addresses.parse(src),
        dst=addresses.parse(dst),
        in_iface=in_iface,
        out_iface=out_iface,
        **kwargs,
    )


def evaluate(rs: Ruleset, q: Question, **where) -> Result:
    return Evaluator().evaluate(ios.stages(rs, **where), q)


def verdict_of(rs: Ruleset, q: Question, **where) -> tuple[str, int | None]:
    """The single verdict of a one-packet question and the line that decided it."""
    where.setdefault("in_iface", q.in_iface)
    where.setdefault("out_iface", q.out_iface)
    result = evaluate(rs, q, **where)
    verdicts = result.verdicts
    assert len(verdicts) == 1, [(p.verdict, p.decided_by) for p in result.parts]
    part = result.parts[0]
    return part.verdict, part.decided_by.line if part.decided_by else None


def parse(text: str) -> Ruleset:
    return ios.parse(text, "test.cfg")


def line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


# --- ACE features, evaluated on the ACL alone (chain=NAME) --------------------------------

# (config, acl, packet, expected verdict, fragment of the deciding line or None=implicit)
ACE_CASES = [
    # numbered standard lists (1-99, 1300-1999): source address only
    (
        "access-list 10 permit 10.1.1.0 0.0.0.255",
        "10",
        dict(proto="udp", src="10.1.1.77", dst="8.8.8.8", dport=53),
        "permit",
        "permit 10.1.1.0",
    ),
    ("access-list 10 permit 10.1.1.0 0.0.0.255", "10", dict(src="10.1.2.77"), "deny", None),
    (
        "access-list 11 deny host 10.1.1.5\naccess-list 11 permit any",
        "11",
        dict(src="10.1.1.5"),
        "deny",
        "deny host",
    ),
    (
        "access-list 11 deny host 10.1.1.5\naccess-list 11 permit any",
        "11",
        dict(src="10.1.1.6"),
        "permit",
        "permit any",
    ),
    ("access-list 12 permit 10.1.1.7", "12", dict(src="10.1.1.7"), "permit", "permit 10.1"),
    ("access-list 12 permit 10.1.1.7", "12", dict(src="10.1.1.8"), "deny", None),
    ("access-list 1300 permit any", "1300", dict(src="192.0.2.1"), "permit", "permit any"),
    # numbered extended lists (100-199, 2000-2699)
    (
        "access-list 2001 permit tcp any host 10.0.0.2 eq 25",
        "2001",
        dict(dport=25),
        "permit",
        "2001 permit",
    ),
    ("access-list 101 permit 47 any any", "101", dict(proto="gre"), "permit", "permit 47"),
    ("access-list 101 permit gre any any", "101", dict(proto="gre"), "permit", "permit gre"),
    ("access-list 101 permit ahp any any", "101", dict(proto="ahp"), "permit", "ahp"),
    ("access-list 101 permit esp any any", "101", dict(proto="ahp"), "deny", None),
    ("access-list 101 permit ip any any", "101", dict(proto="ospf"), "permit", "permit ip"),
    # remark, log and log-input change nothing
    (
        "access-list 102 remark mail\naccess-list 102 permit tcp any any eq smtp log",
        "102",
        dict(dport=25),
        "permit",
        "eq smtp log",
    ),
    (
        "ip access-list extended X\n deny tcp any any eq 23 log-input\n permit ip any any",
        "X",
        dict(dport=23),
        "deny",
        "log-input",
    ),
    (
        "ip access-list extended X\n deny tcp any any log LOGCOOKIE\n permit ip any any",
        "X",
        dict(dport=80),
        "deny",
        "LOGCOOKIE",
    ),
    # named lists with and without sequence numbers; sequence numbers decide the order
    (
        "ip access-list extended X\n 20 deny tcp any any\n 10 permit tcp any any eq 80",
        "X",
        dict(dport=80),
        "permit",
        "10 permit",
    ),
    (
        "ip access-list extended X\n 20 deny tcp any any\n 10 permit tcp any any eq 80",
        "X",
        dict(dport=81),
        "deny",
        "20 deny",
    ),
    (
        "ip access-list extended X\n permit tcp any any eq 80\n 5 deny ip any any",
        "X",
        dict(dport=80),
        "deny",
        "5 deny",
    ),
    (
        "ip access-list extended X\n 10 permit tcp any any\n no 10\n 20 permit udp any any",
        "X",
        dict(dport=80),
        "deny",
        None,
    ),
    (
        "ip access-list standard S\n remark x\n permit 10.0.0.0 0.0.0.255",
        "S",
        dict(src="10.0.0.9"),
        "permit",
        "permit 10.0.0.0",
    ),
    # addresses: host, any, wildcard (non-contiguous is exact)
    (
        "access-list 110 permit ip 10.0.0.0 0.255.0.255 any",
        "110",
        dict(src="10.77.0.9"),
        "permit",
        "0.255.0.255",
    ),
    (
        "access-list 110 permit ip 10.0.0.0 0.255.0.255 any",
        "110",
        dict(src="10.77.1.9"),
        "deny",
        None,
    ),
    (
        "access-list 110 permit ip any host 10.0.0.2",
        "110",
        dict(dst="10.0.0.2"),
        "permit",
        "host 10.0.0.2",
    ),
    ("access-list 110 permit ip any host 10.0.0.2", "110", dict(dst="10.0.0.3"), "deny", None),
    # port operators with numbers and IOS names
    (
        "access-list 120 permit tcp any any eq pop3 smtp 119",
        "120",
        dict(dport=110),
        "permit",
        "eq pop3",
    ),
    (
        "access-list 120 permit tcp any any eq pop3 smtp 119",
        "120",
        dict(dport=119),
        "permit",
        "eq pop3",
    ),
    ("access-list 120 permit tcp any any eq pop3 smtp 119", "120", dict(dport=143), "deny", None),
    ("access-list 120 permit tcp any any eq nntp", "120", dict(dport=119), "permit", "nntp"),
    ("access-list 120 permit tcp any any eq www", "120", dict(dport=80), "permit", "www"),
    (
        "access-list 120 permit udp any any neq domain",
        "120",
        dict(proto="udp", dport=53),
        "deny",
        None,
    ),
    (
        "access-list 120 permit udp any any neq domain",
        "120",
        dict(proto="udp", dport=54),
        "permit",
        "neq",
    ),
    ("access-list 120 permit tcp any any lt 1024", "120", dict(dport=1023), "permit", "lt"),
    ("access-list 120 permit tcp any any lt 1024", "120", dict(dport=1024), "deny", None),
    ("access-list 120 permit tcp any any gt 1023", "120", dict(dport=1024), "permit", "gt"),
    ("access-list 120 permit tcp any any gt 1023", "120", dict(dport=1023), "deny", None),
    (
        "access-list 120 permit tcp any any range ftp-data telnet",
        "120",
        dict(dport=22),
        "permit",
        "range",
    ),
    (
        "access-list 120 permit tcp any any range ftp-data telnet",
        "120",
        dict(dport=24),
        "deny",
        None,
    ),
    (
        "access-list 120 permit tcp any eq 1600 any",
        "120",
        dict(sport=1600, dport=9),
        "permit",
        "eq 1600",
    ),
    ("access-list 120 permit tcp any eq 1600 any", "120", dict(sport=1601, dport=9), "deny", None),
    (
        "access-list 120 permit udp any any eq snmp",
        "120",
        dict(proto="tcp", dport=161),
        "deny",
        None,
    ),
    # established: TCP with ACK or RST set
    (
        "access-list 130 permit tcp any any established",
        "130",
        dict(flags=FLAG["ACK"]),
        "permit",
        "established",
    ),
    (
        "access-list 130 permit tcp any any established",
        "130",
        dict(flags=FLAG["RST"]),
        "permit",
        "established",
    ),
    (
        "access-list 130 permit tcp any any established",
        "130",
        dict(flags=FLAG["SYN"]),
        "deny",
        None,
    ),
    (
        "access-list 130 permit tcp any any syn",
        "130",
        dict(flags=FLAG["SYN"] | FLAG["ACK"]),
        "permit",
        "syn",
    ),
    (
        "ip access-list extended F\n permit tcp any any match-all +syn -ack",
        "F",
        dict(flags=FLAG["SYN"] | FLAG["ACK"]),
        "deny",
        None,
    ),
    (
        "ip access-list extended F\n permit tcp any any match-all +syn -ack",
        "F",
        dict(flags=FLAG["SYN"]),
        "permit",
        "match-all",
    ),
    # ICMP messages by name and number (type in dport, code in sport)
    (
        "access-list 140 permit icmp any any echo",
        "140",
        dict(proto="icmp", dport=8),
        "permit",
        "echo",
    ),
    ("access-list 140 permit icmp any any echo", "140", dict(proto="icmp", dport=0), "deny", None),
    (
        "access-list 140 permit icmp any any port-unreachable",
        "140",
        dict(proto="icmp", dport=3, sport=3),
        "permit",
        "port-unreachable",
    ),
    (
        "access-list 140 permit icmp any any port-unreachable",
        "140",
        dict(proto="icmp", dport=3, sport=1),
        "deny",
        None,
    ),
    (
        "access-list 140 permit icmp any any 3 4",
        "140",
        dict(proto="icmp", dport=3, sport=4),
        "permit",
        "3 4",
    ),
    # object-groups: network (host, netmask, range, nested) and service (protocol position)
    (
        "object-group network N\n host 10.9.9.9\n 10.8.0.0 255.255.0.0\n range 10.7.0.1 10.7.0.5"
        "\n group-object M\nobject-group network M\n host 10.6.6.6\n"
        "ip access-list extended X\n permit ip object-group N any",
        "X",
        dict(src="10.7.0.5"),
        "permit",
        "object-group N",
    ),
    (
        "object-group network N\n host 10.9.9.9\n 10.8.0.0 255.255.0.0\n range 10.7.0.1 10.7.0.5"
        "\n group-object M\nobject-group network M\n host 10.6.6.6\n"
        "ip access-list extended X\n permit ip object-group N any",
        "X",
        dict(src="10.6.6.6"),
        "permit",
        "object-group N",
    ),
    (
        "object-group network N\n host 10.9.9.9\n 10.8.0.0 255.255.0.0\n range 10.7.0.1 10.7.0.5"
        "\n group-object M\nobject-group network M\n host 10.6.6.6\n"
        "ip access-list extended X\n permit ip object-group N any",
        "X",
        dict(src="10.7.0.6"),
        "deny",
        None,
    ),
    (
        "object-group network N\n 10.8.0.0 255.255.0.0\n"
        "ip access-list extended X\n permit ip any object-group N",
        "X",
        dict(dst="10.8.200.1"),
        "permit",
        "object-group N",
    ),
    (
        "object-group service S\n tcp eq smtp\n udp range 5000 5010\n icmp echo\n"
        "ip access-list extended X\n permit object-group S any any",
        "X",
        dict(dport=25),
        "permit",
        "object-group S",
    ),
    (
        "object-group service S\n tcp eq smtp\n udp range 5000 5010\n icmp echo\n"
        "ip access-list extended X\n permit object-group S any any",
        "X",
        dict(proto="udp", dport=5010),
        "permit",
        "object-group S",
    ),
    (
        "object-group service S\n tcp eq smtp\n udp range 5000 5010\n icmp echo\n"
        "ip access-list extended X\n permit object-group S any any",
        "X",
        dict(proto="icmp", dport=8),
        "permit",
        "object-group S",
    ),
    (
        "object-group service S\n tcp eq smtp\n udp range 5000 5010\n icmp echo\n"
        "ip access-list extended X\n permit object-group S any any",
        "X",
        dict(proto="udp", dport=25),
        "deny",
        None,
    ),
    (
        "object-group ip port P\n eq 80\n range 8000 8080\n"
        "ip access-list extended X\n permit tcp any any portgroup P",
        "X",
        dict(dport=8001),
        "permit",
        "portgroup",
    ),
]


@pytest.mark.parametrize("config,acl,packet,expected,decider", ACE_CASES)
def test_ace_features(
    config: str, acl: str, packet: dict, expected: str, decider: str | None
) -> None:
    rs = parse(config)
    assert not [i for i in rs.issues if i.code == "EXA001"], rs.issues
    verdict, line = verdict_of(rs, question(**packet), chain=acl)
    assert verdict == expected
    if decider is None:
        assert line is None  # the implicit deny, which no line states
    else:
        assert line == line_of(config, decider)


def test_rule_carries_origin_and_exact_match() -> None:
    text = (
        "!\nip access-list extended FROM-BRANCH\n 10 permit tcp 10.20.0.0 0.0.255.255 "
        "host 10.1.0.10 eq 135 1600\n"
    )
    rs = parse(text)
    chain = rs.chains["FROM-BRANCH"]
    assert chain.default is not None and chain.default.verb is Verb.DROP
    assert chain.default_origin is None
    (rule,) = chain.rules
    assert rule.origin.line == 3
    assert rule.origin.text == "10 permit tcp 10.20.0.0 0.0.255.255 host 10.1.0.10 eq 135 1600"
    assert rule.match.proto == IntervalSet.point(6)
    assert rule.match.src == addresses.parse("10.20.0.0/16")
    assert rule.match.dst == addresses.host("10.1.0.10")
    assert rule.match.dport == IntervalSet.of([135, 1600])
    assert rule.match.sport is None and not rule.stateful


def test_standard_any_is_ipv4_only_and_ports_imply_protocols() -> None:
    rs = parse("access-list 5 permit any\naccess-list 150 permit udp any any eq 53")
    (std,) = rs.chains["5"].rules
    assert std.match.src == addresses.ALL_V4
    (ext,) = rs.chains["150"].rules
    assert ext.match.proto == IntervalSet.point(17)


# --- things exaudit does not model or understand ------------------------------------------


@pytest.mark.parametrize(
    "entry,code",
    [
        ("permit tcp any any eq 80 time-range WORKHOURS", "EXA002"),
        ("permit ip any any dscp ef", "EXA002"),
        ("permit igmp any any host-report", "EXA002"),
        ("permit tcp any any ttl eq 10", "EXA002"),
        ("permit tcp any any eq 80 frobnicate", "EXA001"),
        ("permit tcp 10.0.0.0 0.251.252.252 any", "EXA002"),
    ],
)
def test_unmodelled_conditions_make_verdicts_undetermined(entry: str, code: str) -> None:
    text = f"ip access-list extended X\n {entry}\n deny ip any any\n"
    rs = parse(text)
    assert {i.code for i in rs.issues} == {code}
    assert all(i.origin.line == 2 for i in rs.issues)
    proto = "igmp" if "igmp" in entry else "tcp"
    q = question(proto=2 if proto == "igmp" else "tcp", src="10.0.0.1", dport=80)
    result = evaluate(rs, q, in_iface=None, out_iface=None, chain="X")
    assert "undetermined" in result.verdicts
    undetermined = result.by_verdict("undetermined")[0]
    assert undetermined.decided_by is not None and undetermined.decided_by.line == 2


@pytest.mark.parametrize(
    "entry",
    [
        "permit tcp any host",
        "permit tcp any any eq",
        "permit tcp any any eq 70000",
        "permit bogus any any",
        "frobnicate ip any any",
        "permit tcp 10.0.0.300 0.0.0.255 any",
    ],
)
def test_lines_not_understood_are_reported_and_undetermined(entry: str) -> None:
    text = f"ip access-list extended X\n {entry}\n permit ip any any\n"
    rs = parse(text)
    issues = [i for i in rs.issues if i.code == "EXA001"]
    assert [i.origin.line for i in issues] == [2]
    assert issues[0].origin.text == entry
    result = evaluate(rs, question(dport=80), in_iface=None, out_iface=None, chain="X")
    if entry.startswith("permit"):
        # a permit whose conditions are unknown, before a permit: the answer is still sure
        assert result.verdicts == {"permit"}
    else:
        assert result.verdicts == {"undetermined"}


def test_reflexive_evaluate_is_undetermined() -> None:
    text = (
        "ip access-list extended IN\n permit tcp any host 10.0.0.2 eq 80\n"
        " evaluate returntcp\n deny ip any any\n"
        "ip access-list extended OUT\n permit tcp any any reflect returntcp\n"
    )
    rs = parse(text)
    assert {(i.code, i.origin.line) for i in rs.issues} == {("EXA002", 3), ("EXA002", 6)}
    assert verdict_of(rs, question(dport=80), chain="IN") == ("permit", 2)
    assert verdict_of(rs, question(dport=81), chain="IN")[0] == "undetermined"
    assert verdict_of(rs, question(dport=81), chain="OUT") == ("permit", 6)


# --- interfaces and stages --------------------------------------------------------------

HQ = FIXTURES / "ios" / "hq-wan.cfg"


@pytest.fixture(scope="module")
def hq() -> Ruleset:
    return ios.parse(HQ.read_text(), str(HQ))


def hq_line(fragment: str) -> int:
    return line_of(HQ.read_text(), fragment)


def test_fixture_parses_cleanly(hq: Ruleset) -> None:
    assert [i for i in hq.issues if i.code == "EXA001"] == []
    assert ios.coverage(hq)["not_understood"] == 0
    notes = [n.message for n in hq.notes]
    assert any("MISSING" in m and "permits all" in m for m in notes)


def test_stage_labels_and_order(hq: Ruleset) -> None:
    labels = [s.label for s in ios.stages(hq, in_iface="Gi0/0", out_iface="Gi0/1")]
    assert labels == ["in Gi0/0 FROM-BRANCH", "out Gi0/1 110"]
    full = [
        s.label
        for s in ios.stages(hq, in_iface="GigabitEthernet0/0", out_iface="gigabitethernet0/2")
    ]
    assert full == ["in GigabitEthernet0/0 FROM-BRANCH", "out gigabitethernet0/2 ipv6 V6-SERVERS"]
    assert ios.stages(hq, in_iface="Gi0/2", out_iface=None) == []


def test_in_then_out_acl_decide(hq: Ruleset) -> None:
    q = question(src="10.20.7.7", dst="10.1.0.10", dport=1601, in_iface="Gi0/0", out_iface="Gi0/1")
    result = evaluate(hq, q, in_iface="Gi0/0", out_iface="Gi0/1")
    (part,) = result.parts
    assert part.verdict == "deny"
    assert part.decided_by is not None
    assert part.decided_by.line == hq_line("access-list 110 deny")
    assert [(s.stage, s.verdict) for s in part.path] == [
        ("in Gi0/0 FROM-BRANCH", "permit"),
        ("out Gi0/1 110", "deny"),
    ]
    other = question(src="10.20.8.7", dst="10.1.0.10", dport=1601)
    assert verdict_of(hq, other, in_iface="Gi0/0", out_iface="Gi0/1") == (
        "permit",
        hq_line("access-list 110 permit tcp 10.20.0.0"),
    )


def test_service_group_and_nested_network_group(hq: Ruleset) -> None:
    # 10.9.0.10 is in EXCHANGE through the nested group EXCHANGE-DR
    q = question(src="10.20.0.5", dst="10.9.0.10", dport=993, sport=40000)
    assert verdict_of(hq, q, in_iface="Gi0/0", out_iface="Gi0/3") == (
        "permit",
        hq_line("40 permit object-group MAIL"),
    )
    q = question(src="10.20.0.5", dst="10.9.0.10", dport=993, sport=1000)
    assert verdict_of(hq, q, in_iface="Gi0/0", out_iface="Gi0/3")[1] != hq_line(
        "40 permit object-group MAIL"
    )


def test_unfiltered_and_undefined_acl_pass(hq: Ruleset) -> None:
    q = question(src="198.51.100.9", dst="10.20.0.1", dport=22)
    assert verdict_of(hq, q, in_iface="Gi0/2", out_iface="Gi0/0") == ("permit", None)
    # an ACL applied but not defined permits all; the access-group line says so
    assert verdict_of(hq, q, in_iface="Gi0/3", out_iface="Gi0/0") == (
        "permit",
        hq_line("ip access-group MISSING in"),
    )


def test_empty_acl_permits_all() -> None:
    rs = parse(
        "interface Ethernet0\n ip access-group E in\nip access-list extended E\n"
        " remark nothing yet\n"
    )
    assert verdict_of(rs, question(), in_iface="Et0", out_iface=None) == ("permit", 2)
    assert any("no entries" in n.message for n in rs.notes)


def test_each_family_meets_its_own_list(hq: Ruleset) -> None:
    v6 = question(src="2001:db8:20::5", dst="2001:db8:1::10", dport=443)
    assert verdict_of(hq, v6, in_iface=None, out_iface="Gi0/2") == (
        "permit",
        hq_line("permit tcp 2001:db8:20::/48"),
    )
    v6_other = question(src="2001:db8:99::5", dst="2001:db8:1::10", dport=443)
    assert verdict_of(hq, v6_other, in_iface=None, out_iface="Gi0/2") == (
        "deny",
        hq_line("sequence 20 deny ipv6"),
    )
    # IPv6 is not filtered by ip access-group, nor IPv4 by ipv6 traffic-filter
    assert verdict_of(hq, v6_other, in_iface=None, out_iface="Gi0/1") == (
        "permit",
        hq_line("ip access-group 110 out"),
    )
    v4 = question(src="10.20.0.5", dst="10.1.0.10", dport=25)
    assert verdict_of(hq, v4, in_iface=None, out_iface="Gi0/2") == (
        "permit",
        hq_line("ipv6 traffic-filter V6-SERVERS out"),
    )


def test_both_families_on_one_interface_share_a_stage() -> None:
    text = (
        "interface Ethernet1\n ip access-group A out\n ipv6 traffic-filter A out\n"
        "ip access-list extended A\n permit tcp any any eq 80\n"
        "ipv6 access-list A\n permit tcp any any eq 443\n"
    )
    rs = parse(text)
    (stage,) = ios.stages(rs, in_iface=None, out_iface="Ethernet1")
    assert stage.label == "out Ethernet1 A + ipv6 A"
    assert verdict_of(rs, question(dport=80), out_iface="Ethernet1") == ("permit", 5)
    assert verdict_of(rs, question(dport=443), out_iface="Ethernet1") == ("deny", None)
    v6 = question(src="2001:db8::1", dst="2001:db8::2", dport=443)
    assert verdict_of(rs, v6, out_iface="Ethernet1") == ("permit", 7)
    assert verdict_of(
        rs, question(src="2001:db8::1", dst="2001:db8::2", dport=80), out_iface="Ethernet1"
    ) == ("deny", None)


@pytest.mark.parametrize(
    "where,message",
    [
        (dict(in_iface="Gi0/9", out_iface=None), "not defined"),
        (dict(in_iface=None, out_iface="Serial0/0"), "not defined"),
        (dict(in_iface=None, out_iface=None, chain="NOPE"), "not defined"),
        (dict(in_iface="Gi0/0", out_iface=None, local="input"), "local"),
    ],
)
def test_stage_errors(hq: Ruleset, where: dict, message: str) -> None:
    with pytest.raises(InputError) as err:
        ios.stages(hq, **where)
    assert message in str(err.value)


def test_ambiguous_abbreviation() -> None:
    rs = parse("interface TenGigabitEthernet1/1\ninterface Tunnel1/1\n")
    with pytest.raises(InputError, match="ambiguous"):
        ios.stages(rs, in_iface="T1/1", out_iface=None)
    assert ios.stages(rs, in_iface="Te1/1", out_iface=None) == []


def test_zone_member_is_undetermined() -> None:
    rs = parse("interface Ethernet0\n zone-member security inside\ninterface Ethernet1\n")
    assert [i.code for i in rs.issues] == ["EXA002"]
    result = evaluate(rs, question(), in_iface="Ethernet0", out_iface="Ethernet1")
    assert result.verdicts == {"undetermined"}


# --- unusable input and robustness ------------------------------------------------------


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("  \n\n", "empty"),
        ("abc\x00def", "binary"),
        ("\x01\x02\x03\x04\x05\x06 x", "binary"),
    ],
)
def test_unusable_input(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("acdeghilnoprstxy 0123456789./-\n!^#")), max_size=400))
def test_random_text_never_crashes(text: str) -> None:
    try:
        rs = parse(text)
    except InputError:
        return
    assert isinstance(rs, Ruleset)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_fixture_never_crashes(data: st.DataObject) -> None:
    text = mutate(HQ.read_text().split("\n"), data)
    try:
        rs = parse(text)
    except InputError:
        return
    for iface in rs.interfaces:
        for out in (None, "Gi0/2"):
            try:
                stages = ios.stages(rs, in_iface=iface, out_iface=out)
            except InputError:
                continue
            Evaluator().evaluate(stages, question())


@given(st.binary(max_size=300))
@settings(max_examples=100, deadline=None)
def test_random_bytes_never_crash(blob: bytes) -> None:
    with contextlib.suppress(InputError):
        parse(blob.decode("latin-1"))


# --- fixes ------------------------------------------------------------------------------


def request(
    stage: str,
    before_line: int | None,
    rs: Ruleset,
    ports=(1601, 1601),
    sources=("10.20.7.0/24",),
    dest="10.1.0.10",
) -> FixRequest:
    before = None
    if before_line is not None:
        before = next(r.origin for r in rs.rules() if r.origin.line == before_line)
    return FixRequest(
        "tcp", sources, dest, IntervalSet.span(*ports), "Gi0/0", "Gi0/1", None, stage, before
    )


def test_fix_numbered_acl_above_the_deny(hq: Ruleset) -> None:
    deny = hq_line("access-list 110 deny")
    text = ios.fix(hq, request("out Gi0/1 110", deny, hq))
    assert text is not None
    lines = text.split("\n")
    assert lines[0].startswith("! access-list 110 is numbered")
    assert lines[1:] == [
        "ip access-list extended 110",
        " 15 permit tcp 10.20.7.0 0.0.0.255 host 10.1.0.10 eq 1601",
    ]


def test_fix_named_acl_implicit_deny_and_ranges(hq: Ruleset) -> None:
    text = ios.fix(
        hq,
        request(
            "in Gi0/0 FROM-BRANCH",
            None,
            hq,
            ports=(6000, 6010),
            sources=("10.20.1.1", "10.30.0.0/23"),
        ),
    )
    assert text == (
        "ip access-list extended FROM-BRANCH\n"
        " 80 permit tcp host 10.20.1.1 host 10.1.0.10 range 6000 6010\n"
        " 90 permit tcp 10.30.0.0 0.0.1.255 host 10.1.0.10 range 6000 6010"
    )


def test_fix_resequences_when_no_number_is_free() -> None:
    text = "ip access-list extended X\n 10 permit udp any any\n 11 deny tcp any any\n"
    rs = parse(text)
    fixed = ios.fix(rs, request("acl X", 3, rs))
    assert fixed == (
        "ip access-list resequence X 10 10\nip access-list extended X\n"
        " 15 permit tcp 10.20.7.0 0.0.0.255 host 10.1.0.10 eq 1601"
    )


def test_fix_then_reparse_permits() -> None:
    base = "ip access-list extended X\n 10 permit udp any any\n 20 deny tcp any any\n"
    rs = parse(base)
    fixed = ios.fix(rs, request("acl X", 3, rs))
    assert fixed is not None
    rs2 = parse(base + "\n".join(fixed.split("\n")[1:]).replace("\n 15", "\n 15") + "\n")
    assert (
        verdict_of(rs2, question(src="10.20.7.9", dst="10.1.0.10", dport=1601), chain="X")[0]
        == "permit"
    )


# --- platform detection -----------------------------------------------------------------


def test_looks_like(hq: Ruleset) -> None:
    assert ios.looks_like(HQ.read_text()) >= 0.8
    asa_text = (
        "ASA Version 9.8(2)\ninterface GigabitEthernet0/0\n nameif outside\n"
        "access-list OUT extended permit tcp any any eq www\n"
    )
    assert ios.looks_like(asa_text) < 0.3
    assert ios.looks_like("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n") == 0.0


def test_looks_like_an_ios_config_without_acls() -> None:
    text = (
        "version 15.2\nservice timestamps debug datetime msec\nhostname r1\n"
        "boot-start-marker\nboot-end-marker\ninterface GigabitEthernet0/0\n"
        " ip address 10.0.0.1 255.255.255.0\nline vty 0 4\n login\nend\n"
    )
    assert ios.looks_like(text) >= 0.3


def test_ipv6_lists_end_with_implicit_neighbor_discovery_permits() -> None:
    text = "ipv6 access-list V6\n permit tcp any any eq 443\n"
    rs = parse(text)
    ns = question(proto="icmp6", src="fe80::1", dst="ff02::1:ff00:1", dport=135)
    assert verdict_of(rs, ns, chain="V6") == ("permit", 1)
    echo = question(proto="icmp6", src="fe80::1", dst="fe80::2", dport=128)
    assert verdict_of(rs, echo, chain="V6") == ("deny", None)
    explicit = parse(text + " deny ipv6 any any\n")
    assert verdict_of(explicit, ns, chain="V6") == ("deny", 3)


# --- lines that undo or replace earlier ones (issue 9) ------------------------------------


def exa001_lines(rs: Ruleset) -> list[int]:
    return sorted({i.origin.line for i in rs.issues if i.code == "EXA001"})


def test_no_access_list_deletes_the_numbered_list() -> None:
    text = (
        "interface GigabitEthernet0/0\n ip access-group 120 in\n"
        "access-list 120 permit tcp any any eq 25\nno access-list 120\n"
        "access-list 120 deny ip any any\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert verdict_of(rs, question(dport=25), in_iface="Gi0/0") == ("deny", 5)


def test_no_access_list_with_an_entry_is_undetermined() -> None:
    # old releases delete the whole list, later ones maybe one entry: not documented
    text = (
        "interface GigabitEthernet0/0\n ip access-group 120 in\n"
        "access-list 120 permit tcp any any eq 25\n"
        "access-list 120 deny tcp any any eq 26\n"
        "no access-list 120 deny tcp any any eq 26\n"
        "access-list 120 deny ip any any\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [5]
    assert verdict_of(rs, question(dport=25), in_iface="Gi0/0")[0] == "undetermined"
    assert verdict_of(rs, question(dport=26), in_iface="Gi0/0")[0] == "deny"


def test_no_access_list_with_an_entry_alone_may_empty_the_list() -> None:
    # if it deleted the whole list, the list is empty and permits all
    text = (
        "interface Ethernet0\n ip access-group 5 in\naccess-list 5 deny host 10.0.0.1\n"
        "no access-list 5 deny host 10.0.0.1\n"
    )
    rs = parse(text)
    assert verdict_of(rs, question(src="10.0.0.1"), in_iface="Et0")[0] == "undetermined"
    assert verdict_of(rs, question(src="10.0.0.9"), in_iface="Et0")[0] == "undetermined"


@pytest.mark.parametrize(
    "attach,detach,packet",
    [
        (" ip access-group BLOCK in", " no ip access-group BLOCK in", dict()),
        (
            " ipv6 traffic-filter BLOCK6 in",
            " no ipv6 traffic-filter BLOCK6 in",
            dict(src="2001:db8::1", dst="2001:db8::2"),
        ),
    ],
)
def test_no_access_group_detaches_the_list(attach: str, detach: str, packet: dict) -> None:
    text = (
        f"interface GigabitEthernet0/0\n{attach}\n{detach}\n"
        "ip access-list extended BLOCK\n deny ip any any\n"
        "ipv6 access-list BLOCK6\n deny ipv6 any any\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert ios.stages(rs, in_iface="Gi0/0", out_iface=None) == []
    assert verdict_of(rs, question(dport=80, **packet), in_iface="Gi0/0") == ("permit", None)


def test_no_access_group_naming_another_list_is_undetermined() -> None:
    text = (
        "interface GigabitEthernet0/0\n ip access-group A in\n no ip access-group B in\n"
        "ip access-list extended A\n permit tcp any any eq 80\n"
        "ip access-list extended B\n permit ip any any\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [3]
    # A permits tcp/80, and so does no list at all: sure either way
    assert verdict_of(rs, question(dport=80), in_iface="Gi0/0") == ("permit", 5)
    # A denies tcp/25; without it nothing filters
    assert verdict_of(rs, question(dport=25), in_iface="Gi0/0")[0] == "undetermined"
    # IPv6 is not filtered by either
    v6 = question(src="2001:db8::1", dst="2001:db8::2", dport=25)
    assert verdict_of(rs, v6, in_iface="Gi0/0")[0] == "permit"


def test_a_second_access_group_replaces_the_first() -> None:
    # one list per interface, protocol and direction (already modelled before issue 9)
    text = (
        "interface GigabitEthernet0/0\n ip access-group A in\n ip access-group B in\n"
        "ip access-list extended A\n deny ip any any\n"
        "ip access-list extended B\n permit ip any any\n"
    )
    rs = parse(text)
    assert verdict_of(rs, question(), in_iface="Gi0/0") == ("permit", 7)


def test_access_group_without_a_direction_is_undetermined() -> None:
    # the old command reference reads a missing direction as out
    text = (
        "interface Ethernet0\n ip access-group A\nip access-list extended A\n"
        " permit tcp any any eq 80\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [2]
    assert verdict_of(rs, question(dport=80), out_iface="Et0")[0] == "permit"
    assert verdict_of(rs, question(dport=25), out_iface="Et0")[0] == "undetermined"
    assert ios.stages(rs, in_iface="Et0", out_iface=None) == []


@pytest.mark.parametrize("undo", [" no 20", " no deny tcp any any eq 25"])
def test_named_list_entries_are_removed(undo: str) -> None:
    text = (
        "ip access-list extended X\n 10 permit tcp any any eq 80\n"
        " 20 deny tcp any any eq 25\n permit ip any any\n"
        f"ip access-list extended X\n{undo}\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert verdict_of(rs, question(dport=25), chain="X") == ("permit", 4)


def test_ipv6_entries_are_removed_by_sequence() -> None:
    text = (
        "ipv6 access-list V6\n sequence 10 deny tcp any any eq 25\n"
        " permit ipv6 any any sequence 20\n no sequence 10\n"
    )
    rs = parse(text)
    assert rs.issues == []
    v6 = question(src="2001:db8::1", dst="2001:db8::2", dport=25)
    assert verdict_of(rs, v6, chain="V6") == ("permit", 3)


def test_no_entry_written_differently_is_undetermined() -> None:
    # IOS may store ``eq 25`` as ``eq smtp``: whether they are equal to it is not modelled
    text = (
        "ip access-list extended X\n deny tcp any any eq 25\n permit ip any any\n"
        " no deny tcp any any eq smtp\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [4]
    assert verdict_of(rs, question(dport=25), chain="X")[0] == "undetermined"
    assert verdict_of(rs, question(dport=80), chain="X") == ("permit", 3)


def test_no_entry_not_understood_makes_the_list_undetermined() -> None:
    text = (
        "ip access-list extended X\n deny tcp any any eq 25\n permit ip any any\n no frobnicate 7\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [4]
    assert verdict_of(rs, question(dport=25), chain="X")[0] == "undetermined"


def test_an_entry_repeated_makes_no_change() -> None:
    # "If the user enters an entry that matches an already existing entry (except for the
    # sequence number), then no changes are made."
    text = (
        "ip access-list extended X\n 10 deny tcp any any eq 25\n 20 permit ip any any\n"
        " 5 permit ip any any\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert verdict_of(rs, question(dport=25), chain="X") == ("deny", 2)
    assert any("same entry as line 3" in n.message for n in rs.notes)


def test_an_entry_repeated_written_differently_is_undetermined_where_it_matters() -> None:
    text = (
        "ip access-list extended X\n 10 deny tcp host 10.0.0.1 any\n"
        " 20 permit tcp any any eq 80\n 5 permit tcp any any eq www\n"
    )
    rs = parse(text)
    assert verdict_of(rs, question(src="10.0.0.1", dport=80), chain="X")[0] == "undetermined"
    assert verdict_of(rs, question(src="10.0.0.9", dport=80), chain="X")[0] == "permit"
    # appended after its twin it never decides anything: nothing is reported
    rs = parse("ip access-list extended Y\n permit tcp any any eq 80\n permit tcp any any eq www\n")
    assert rs.issues == []


def test_resequence_renumbers_before_later_insertions() -> None:
    text = (
        "ip access-list extended X\n 10 deny tcp any any eq 25\n 20 permit ip any any\n"
        "ip access-list resequence X 100 100\n"
        "ip access-list extended X\n 150 permit tcp any any eq 25\n"
    )
    rs = parse(text)
    assert rs.issues == []
    # 150 now comes after the deny (100) and before the permit (200)
    assert verdict_of(rs, question(dport=25), chain="X") == ("deny", 2)
    text = text.replace("150 permit", "50 permit")
    assert verdict_of(parse(text), question(dport=25), chain="X") == ("permit", 6)


def test_insertion_after_a_possible_list_deletion_is_undetermined() -> None:
    text = (
        "access-list 120 deny tcp any any eq 25\naccess-list 120 permit ip any any\n"
        "no access-list 120 permit ip any any\n"
        "ip access-list extended 120\n 15 permit tcp any any eq 25\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [3, 5]
    assert verdict_of(rs, question(dport=25), chain="120")[0] == "undetermined"


def test_no_ip_access_list_deletes_the_named_list() -> None:
    # already modelled before issue 9: the attachment stays, the list is rebuilt
    text = (
        "interface Ethernet0\n ip access-group X in\nip access-list extended X\n"
        " permit ip any any\nno ip access-list extended X\n"
        "ip access-list extended X\n deny tcp any any eq 25\n"
        "no ip access-list logging interval 10\n"
    )
    rs = parse(text)
    assert verdict_of(rs, question(dport=80), in_iface="Et0") == ("deny", None)


@pytest.mark.parametrize(
    "undo", ["no object-group network SRV", "object-group network SRV\n no host 10.1.0.10"]
)
def test_removing_from_object_groups_is_undetermined(undo: str) -> None:
    text = (
        "object-group network SRV\n host 10.1.0.10\n"
        "ip access-list extended X\n permit tcp any object-group SRV eq 25\n"
        f"{undo}\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, undo.split("\n")[-1])]
    assert verdict_of(rs, question(dst="10.1.0.10", dport=25), chain="X")[0] == "undetermined"


def test_no_object_group_before_its_definition_changes_nothing() -> None:
    text = (
        "no object-group network SRV\nobject-group network SRV\n host 10.1.0.10\n"
        "ip access-list extended X\n permit tcp any object-group SRV eq 25\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert verdict_of(rs, question(dst="10.1.0.10", dport=25), chain="X") == ("permit", 5)


def test_object_group_redefined_as_another_kind_is_undetermined() -> None:
    text = (
        "object-group network SRV\n host 10.1.0.10\nobject-group service SRV\n"
        " tcp eq 80\nip access-list extended X\n permit tcp any object-group SRV eq 25\n"
    )
    rs = parse(text)
    assert 3 in exa001_lines(rs)
    assert verdict_of(rs, question(dst="10.1.0.10", dport=25), chain="X")[0] == "undetermined"


def test_default_interface_removes_its_lists() -> None:
    text = (
        "interface GigabitEthernet0/0\n ip access-group A in\n zone-member security Z\n"
        "default interface GigabitEthernet0/0\nip access-list extended A\n"
        " deny ip any any\n"
    )
    rs = parse(text)
    assert ios.stages(rs, in_iface="Gi0/0", out_iface=None) == []


def test_no_interface_deletes_a_subinterface() -> None:
    text = (
        "interface GigabitEthernet0/0.10\n ip access-group A in\n"
        "no interface GigabitEthernet0/0.10\nip access-list extended A\n deny ip any any\n"
    )
    with pytest.raises(InputError, match="not defined"):
        ios.stages(parse(text), in_iface="Gi0/0.10", out_iface=None)


def test_no_interface_on_a_physical_one_is_undetermined() -> None:
    text = (
        "interface GigabitEthernet0/0\n ip access-group A in\n"
        "no interface GigabitEthernet0/0\nip access-list extended A\n deny ip any any\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [3]
    assert verdict_of(rs, question(), in_iface="Gi0/0")[0] == "undetermined"


def test_blocks_of_one_interface_spelt_differently_are_merged() -> None:
    text = (
        "interface GigabitEthernet0/0\n ip access-group A in\n"
        "interface Gi0/0\n no ip access-group A in\n ip access-group B out\n"
        "ip access-list extended A\n deny ip any any\n"
        "ip access-list extended B\n deny tcp any any eq 25\n"
    )
    rs = parse(text)
    assert list(rs.interfaces) == ["GigabitEthernet0/0"]
    assert ios.stages(rs, in_iface="GigabitEthernet0/0", out_iface=None) == []
    assert verdict_of(rs, question(dport=25), out_iface="Gi0/0") == ("deny", 9)


def test_no_zone_member_takes_the_interface_out_of_its_zone() -> None:
    rs = parse(
        "interface Ethernet0\n zone-member security inside\n no zone-member security\n"
        "interface Ethernet1\n"
    )
    assert evaluate(rs, question(), in_iface="Ethernet0", out_iface="Ethernet1").verdicts == {
        "permit"
    }


def test_interface_range_configures_each_interface() -> None:
    text = (
        "interface GigabitEthernet0/1\n ip access-group A in\n"
        "interface GigabitEthernet0/3\n ip access-group A in\n"
        "interface range GigabitEthernet0/1 - 2 , GigabitEthernet0/4\n"
        " no ip access-group A in\n ip access-group B out\n"
        "ip access-list extended A\n deny ip any any\n"
        "ip access-list extended B\n deny tcp any any eq 25\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert sorted(rs.interfaces) == [f"GigabitEthernet0/{n}" for n in (1, 2, 3, 4)]
    assert ios.stages(rs, in_iface="Gi0/1", out_iface=None) == []
    assert verdict_of(rs, question(), in_iface="Gi0/3") == ("deny", 9)
    for n in (1, 2, 4):
        assert verdict_of(rs, question(dport=25), out_iface=f"Gi0/{n}") == ("deny", 11)
    rs = parse(text + "default interface range GigabitEthernet0/3 - 4\n")
    assert ios.stages(rs, in_iface="Gi0/3", out_iface="Gi0/4") == []


def test_interface_range_not_understood_makes_every_list_undetermined() -> None:
    text = (
        "interface GigabitEthernet0/1\n ip access-group A in\n"
        "interface range macro EDGE\n no ip access-group A in\n"
        "ip access-list extended A\n deny ip any any\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [3]
    assert verdict_of(rs, question(), in_iface="Gi0/1")[0] == "undetermined"
