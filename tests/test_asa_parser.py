"""Cisco ASA parser: each syntax feature parsed, and the verdicts the engine gives for it."""

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
from exaudit.core.model import Ruleset, Verb
from exaudit.engine.evaluate import Evaluator, Question, Result
from exaudit.platforms.api import FixRequest
from exaudit.platforms.cisco import asa

PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58, "esp": 50, "ah": 51, "gre": 47}


def question(
    proto: str | int = "tcp",
    src: str = "10.0.0.1",
    dst: str = "10.0.0.2",
    dport: int | None = None,
    sport: int | None = None,
) -> Question:
    number = PROTO[proto] if isinstance(proto, str) else proto
    kwargs: dict = {}
    if dport is not None:
        kwargs["dport"] = IntervalSet.point(dport)
    if sport is not None:
        kwargs["sport"] = IntervalSet.point(sport)
    return Question(
        proto=IntervalSet.point(number),
        src=addresses.parse(src),
        dst=addresses.parse(dst),
        **kwargs,
    )


def evaluate(rs: Ruleset, q: Question, **where) -> Result:
    where.setdefault("in_iface", None)
    where.setdefault("out_iface", None)
    return Evaluator().evaluate(asa.stages(rs, **where), q)


def verdict_of(rs: Ruleset, q: Question, **where) -> tuple[str, int | None]:
    result = evaluate(rs, q, **where)
    assert len(result.verdicts) == 1, [(p.verdict, p.decided_by) for p in result.parts]
    part = result.parts[0]
    return part.verdict, part.decided_by.line if part.decided_by else None


def parse(text: str) -> Ruleset:
    return asa.parse(text, "test.cfg")


def line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


# --- ACE features, evaluated on the ACL alone (chain=NAME) --------------------------------

OBJECTS = """\
name 10.1.0.10 EX1
object network H
 host 10.5.0.1
object network S
 subnet 10.6.0.0 255.255.255.0
object network R
 range 10.7.0.1 10.7.0.9
object network V6
 subnet 2001:db8:5::/48
object service SUB
 service tcp source range 1024 65535 destination eq 587
object-group network G
 network-object object H
 network-object host EX1
 network-object 10.8.0.0 255.255.0.0
 group-object G2
object-group network G2
 network-object object R
 network-object 2001:db8:9::/64
object-group service P tcp-udp
 port-object eq domain
 port-object range 30000 31000
object-group service SV
 service-object tcp destination eq imap4
 service-object udp eq ntp
 service-object tcp-udp destination eq kerberos
 service-object object SUB
 service-object icmp echo
 service-object gre
object-group protocol PR
 protocol-object esp
 protocol-object 51
object-group icmp-type IT
 icmp-object echo
 icmp-object unreachable
"""

# (ACL lines, packet, expected verdict, fragment of the deciding line or None=implicit)
ACE_CASES = [
    ("permit tcp any host 10.0.0.2 eq smtp", dict(dport=25), "permit", "eq smtp"),
    ("permit tcp any host 10.0.0.2 eq smtp", dict(dport=26), "deny", None),
    ("permit tcp any4 any4 eq imap4", dict(dport=143), "permit", "imap4"),
    (
        "permit tcp any4 any4 eq imap4",
        dict(src="2001:db8::1", dst="2001:db8::2", dport=143),
        "deny",
        None,
    ),
    (
        "permit tcp any6 any6 eq pop3",
        dict(src="2001:db8::1", dst="2001:db8::2", dport=110),
        "permit",
        "pop3",
    ),
    ("permit tcp any any eq ldap", dict(dport=389), "permit", "ldap"),
    ("permit tcp any any eq ldaps", dict(dport=636), "permit", "ldaps"),
    ("permit udp any any eq kerberos", dict(proto="udp", dport=750), "permit", "kerberos"),
    ("permit tcp any any eq https", dict(dport=443), "permit", "https"),
    ("permit tcp any any neq www", dict(dport=80), "deny", None),
    ("permit tcp any any neq www", dict(dport=81), "permit", "neq"),
    ("permit tcp any any lt 1024", dict(dport=1023), "permit", "lt"),
    ("permit tcp any any gt 1023", dict(dport=1023), "deny", None),
    ("permit tcp any any range 1600 1602", dict(dport=1602), "permit", "range"),
    ("permit tcp any eq 20 any", dict(sport=20, dport=5000), "permit", "eq 20"),
    ("permit tcp 10.0.0.0 255.255.255.0 any", dict(src="10.0.0.200"), "permit", "255.255.255.0"),
    ("permit tcp 10.0.0.0 255.255.255.0 any", dict(src="10.0.1.1"), "deny", None),
    ("permit tcp host EX1 any", dict(src="10.1.0.10"), "permit", "host EX1"),
    (
        "permit ip 2001:db8::/32 any",
        dict(src="2001:db8:1::1", dst="2001:db8::2"),
        "permit",
        "2001:db8::/32",
    ),
    ("permit 47 any any", dict(proto="gre"), "permit", "permit 47"),
    ("permit ip any any", dict(proto="esp"), "permit", "permit ip"),
    # objects and object-groups
    ("permit ip object H any", dict(src="10.5.0.1"), "permit", "object H"),
    ("permit ip object S any", dict(src="10.6.0.77"), "permit", "object S"),
    ("permit ip object R any", dict(src="10.7.0.10"), "deny", None),
    ("permit ip object-group G any", dict(src="10.1.0.10"), "permit", "object-group G"),
    ("permit ip object-group G any", dict(src="10.7.0.3"), "permit", "object-group G"),
    (
        "permit ip object-group G any",
        dict(src="2001:db8:9::1", dst="2001:db8::2"),
        "permit",
        "object-group G",
    ),
    ("permit ip object-group G any", dict(src="10.9.0.1"), "deny", None),
    (
        "permit udp any any object-group P",
        dict(proto="udp", dport=30500),
        "permit",
        "object-group P",
    ),
    ("permit tcp any any object-group P", dict(dport=53), "permit", "object-group P"),
    ("permit tcp any object-group P any", dict(sport=53, dport=9), "permit", "object-group P"),
    ("permit object-group SV any any", dict(dport=143), "permit", "object-group SV"),
    ("permit object-group SV any any", dict(proto="udp", dport=123), "permit", "object-group"),
    ("permit object-group SV any any", dict(proto="udp", dport=750), "permit", "object-group"),
    ("permit object-group SV any any", dict(dport=587, sport=2000), "permit", "object-group"),
    ("permit object-group SV any any", dict(dport=587, sport=1000), "deny", None),
    ("permit object-group SV any any", dict(proto="icmp", dport=8), "permit", "object-group"),
    ("permit object-group SV any any", dict(proto="gre"), "permit", "object-group"),
    ("permit object SUB any any", dict(dport=587, sport=5000), "permit", "object SUB"),
    ("permit object-group PR any any", dict(proto="ah"), "permit", "object-group PR"),
    ("permit object-group PR any any", dict(proto="gre"), "deny", None),
    # ICMP: type in dport, code in sport; names per ICMP version
    ("permit icmp any any echo-reply", dict(proto="icmp", dport=0), "permit", "echo-reply"),
    ("permit icmp any any object-group IT", dict(proto="icmp", dport=3), "permit", "IT"),
    ("permit icmp any any object-group IT", dict(proto="icmp", dport=0), "deny", None),
    (
        "permit icmp6 any any echo",
        dict(proto="icmp6", src="2001:db8::1", dst="2001:db8::2", dport=128),
        "permit",
        "icmp6",
    ),
    ("permit icmp any any 3 4", dict(proto="icmp", dport=3, sport=4), "permit", "3 4"),
    # log options, inactive entries, remarks
    (
        "remark hello\npermit tcp any any eq 80 log 6 interval 300",
        dict(dport=80),
        "permit",
        "interval",
    ),
    ("permit tcp any any eq 80 log disable", dict(dport=80), "permit", "disable"),
    (
        "deny tcp any any eq 80 inactive\npermit tcp any any",
        dict(dport=80),
        "permit",
        "permit tcp any any",
    ),
]


@pytest.mark.parametrize("lines,packet,expected,decider", ACE_CASES)
def test_ace_features(lines: str, packet: dict, expected: str, decider: str | None) -> None:
    acl = "\n".join(
        f"access-list A {'extended ' if not line.startswith('remark') else ''}{line}"
        for line in lines.split("\n")
    )
    config = OBJECTS + acl + "\n"
    rs = parse(config)
    assert list(rs.issues) == [], rs.issues
    verdict, line = verdict_of(rs, question(**packet), chain="A")
    assert verdict == expected
    if decider is None:
        assert line is None
    else:
        assert line == _acl_line(config, decider)


def _acl_line(config: str, fragment: str) -> int:
    for number, line in enumerate(config.split("\n"), 1):
        if line.startswith("access-list") and fragment in line:
            return number
    raise AssertionError(fragment)


def test_permits_are_stateful_and_denies_are_not() -> None:
    rs = parse(
        "access-list A extended permit tcp any any eq 25\naccess-list A extended deny tcp any any\n"
    )
    permit, deny = rs.chains["A"].rules
    assert permit.stateful and not deny.stateful
    assert permit.target.verb is Verb.ACCEPT
    assert permit.match.proto == IntervalSet.point(6)
    assert permit.match.src is None and permit.match.dst is None  # any = both families
    result = evaluate(rs, question(dport=25), chain="A")
    assert result.parts[0].path[-1].stateful


def test_line_insertion_and_show_access_list_format() -> None:
    rs = parse(
        "access-list A extended permit tcp any any eq 80\n"
        "access-list A line 1 extended deny tcp any any eq 80\n"
        "access-list B line 1 extended permit ip host 192.0.2.2 any (hitcnt=0) "
        "0x831d897d\n"
    )
    assert verdict_of(rs, question(dport=80), chain="A") == ("deny", 2)
    assert verdict_of(rs, question(src="192.0.2.2"), chain="B") == ("permit", 3)


def test_standard_list_names_destinations() -> None:
    rs = parse("access-list ST standard permit host 10.0.0.1\n")
    assert verdict_of(rs, question(src="10.9.9.9", dst="10.0.0.1"), chain="ST")[0] == "permit"
    assert verdict_of(rs, question(src="10.0.0.1", dst="10.9.9.9"), chain="ST")[0] == "deny"


@pytest.mark.parametrize(
    "line,code,fragment",
    [
        ("permit tcp any any eq 25 time-range NIGHTS", "EXA002", "time-range"),
        ("permit ip any object FQ", "EXA002", "fqdn"),
        ("permit ip any object-group NOPE", "EXA002", "not defined"),
        ("permit ip user LOCAL\\bob any any", "EXA002", "identity"),
        ("permit tcp any any eq 25 frobnicate", "EXA001", "unknown option"),
        ("permit tcp any any eq bogusport", "EXA001", "unknown port"),
        ("permit tcp host nosuchname any", "EXA001", "not an address or a name"),
    ],
)
def test_not_modelled_or_not_understood(line: str, code: str, fragment: str) -> None:
    config = (
        f"object network FQ\n fqdn v4 www.example.com\naccess-list A extended {line}\n"
        "access-list A extended deny ip any any\n"
    )
    rs = parse(config)
    issues = [i for i in rs.issues if i.origin.line == 3]
    assert issues and {i.code for i in issues} == {code}
    assert any(fragment in i.message for i in issues)
    result = evaluate(rs, question(dport=25), chain="A")
    assert "undetermined" in result.verdicts
    assert result.by_verdict("undetermined")[0].decided_by.line == 3


# --- the fixture: interfaces, access-groups, global list, security levels -----------------

EDGE = FIXTURES / "asa" / "edge.cfg"


@pytest.fixture(scope="module")
def edge() -> Ruleset:
    return asa.parse(EDGE.read_text(), str(EDGE))


def edge_line(fragment: str) -> int:
    return line_of(EDGE.read_text(), fragment)


def test_fixture_issues_are_the_expected_ones(edge: Ruleset) -> None:
    assert [(i.code, i.origin.line) for i in edge.issues if i.code == "EXA001"] == []
    assert {i.origin.line for i in edge.issues} == {
        edge_line("fqdn v4 mail.example.com"),
        edge_line("object CLOUD host EX-HQ-1"),
        edge_line("time-range NIGHTS"),
    }
    assert any("inactive" in n.message for n in edge.notes)
    assert asa.coverage(edge) == {
        "ace_lines": 16,
        "understood": 16,
        "partial": 2,
        "not_understood": 0,
    }


def test_outside_to_inside(edge: Ruleset) -> None:
    q = question(src="192.0.2.5", dst="10.1.0.10", dport=993)
    result = evaluate(edge, q, in_iface="outside", out_iface="inside")
    (part,) = result.parts
    assert part.verdict == "permit"
    assert [(s.stage, s.verdict, s.origin.line if s.origin else None) for s in part.path] == [
        (
            "in outside OUTSIDE-IN + global GLOBAL",
            "jump OUTSIDE-IN",
            edge_line("access-group OUTSIDE-IN"),
        ),
        (
            "in outside OUTSIDE-IN + global GLOBAL",
            "permit",
            edge_line("object-group MAIL-PEERS object-group EXCHANGE"),
        ),
        ("out inside INSIDE-OUT", "permit", edge_line("INSIDE-OUT extended permit ip")),
    ]
    assert part.path[1].stateful


@pytest.mark.parametrize(
    "packet,where,expected,decider",
    [
        # the interface list's explicit deny wins before the global list is reached
        (
            dict(proto="udp", src="198.51.100.1", dst="10.1.0.10", dport=123),
            ("outside", "inside"),
            "deny",
            "OUTSIDE-IN extended deny ip any any",
        ),
        # an inactive entry is ignored
        (
            dict(src="198.51.100.1", dst="10.1.0.10", dport=443),
            ("outside", "inside"),
            "deny",
            "OUTSIDE-IN extended deny ip any any",
        ),
        (
            dict(src="198.51.100.15", dst="10.1.0.11", dport=25),
            ("outside", "inside"),
            "permit",
            "INSIDE-OUT extended permit ip",
        ),
        (
            dict(src="198.51.100.15", dst="10.1.0.11", dport=135),
            ("outside", "inside"),
            "deny",
            "OUTSIDE-IN extended deny ip any any",
        ),
        (
            dict(proto="esp", src="198.51.100.1", dst="203.0.113.2"),
            ("outside", None),
            "permit",
            "object-group VPN-PROTO any interface outside",
        ),
        (
            dict(proto="esp", src="198.51.100.1", dst="203.0.113.3"),
            ("outside", None),
            "deny",
            "OUTSIDE-IN extended deny ip any any",
        ),
        (
            dict(proto="icmp", src="198.51.100.1", dst="172.16.1.5", dport=8),
            ("outside", "dmz"),
            "permit",
            "icmp any any object-group PINGS",
        ),
        (
            dict(src="198.51.100.1", dst="172.16.1.5", dport=25),
            ("outside", "dmz"),
            "permit",
            "object DMZ-RELAY eq smtp",
        ),
        # a nameif without its own list meets the global one, then the implicit deny
        (
            dict(proto="udp", src="172.16.1.5", dst="198.51.100.1", dport=123),
            ("dmz", "outside"),
            "permit",
            "GLOBAL extended permit udp",
        ),
        (dict(src="172.16.1.5", dst="198.51.100.1", dport=80), ("dmz", "outside"), "deny", None),
        (
            dict(src="198.51.100.66", dst="198.51.100.1", dport=80),
            ("inside", "outside"),
            "deny",
            "GLOBAL extended deny ip host",
        ),
        # branch: CLIENT-SVC, the deny and the permit range
        (
            dict(src="10.20.7.5", dst="10.1.0.10", dport=1601),
            ("branch", "inside"),
            "deny",
            "BRANCH-IN extended deny",
        ),
        (
            dict(src="10.20.8.5", dst="10.1.0.10", dport=1601),
            ("branch", "inside"),
            "permit",
            "INSIDE-OUT extended permit ip",
        ),
        (dict(src="10.20.8.5", dst="10.1.0.11", dport=135), ("branch", "inside"), "deny", None),
        (
            dict(src="10.20.8.5", dst="10.1.0.11", dport=1601),
            ("branch", "inside"),
            "deny",
            "INSIDE-OUT extended deny tcp any object EX-HQ-2 eq 1601",
        ),
        (dict(src="10.20.8.5", dst="10.1.0.11", dport=135), ("branch", "outside"), "deny", None),
        (
            dict(src="10.20.8.5", dst="10.1.0.11", dport=636),
            ("branch", "lab"),
            "permit",
            "BRANCH-IN extended permit object-group CLIENT-SVC",
        ),
        # management-only interfaces pass no traffic; equal levels need same-security-traffic
        (
            dict(src="10.20.8.5", dst="192.168.99.5", dport=22),
            ("branch", "mgmt"),
            "deny",
            "management-only",
        ),
        (
            dict(src="172.16.1.5", dst="172.16.9.5", dport=22),
            ("dmz", "lab"),
            "deny",
            "security-level 50",
        ),
    ],
)
def test_edge_paths(
    edge: Ruleset, packet: dict, where: tuple, expected: str, decider: str | None
) -> None:
    verdict, line = verdict_of(edge, question(**packet), in_iface=where[0], out_iface=where[1])
    assert verdict == expected
    assert line == (edge_line(decider) if decider else None)


def test_fqdn_and_time_range_are_undetermined(edge: Ruleset) -> None:
    q = question(src="198.51.100.99", dst="10.1.0.10", dport=25)
    result = evaluate(edge, q, in_iface="outside", out_iface="inside")
    assert result.verdicts == {"undetermined"}
    assert result.parts[0].decided_by.line == edge_line("object CLOUD host EX-HQ-1")
    q = question(src="198.51.100.99", dst="10.1.0.10", dport=3389)
    result = evaluate(edge, q, in_iface="outside", out_iface="inside")
    assert result.parts[0].decided_by.line == edge_line("time-range NIGHTS")


def test_interface_names(edge: Ruleset) -> None:
    by_nameif = [s.label for s in asa.stages(edge, in_iface="branch", out_iface="inside")]
    assert by_nameif == ["in branch BRANCH-IN + global GLOBAL", "out inside INSIDE-OUT"]
    by_hardware = [s.label for s in asa.stages(edge, in_iface="Gi0/3", out_iface=None)]
    assert by_hardware == ["in Gi0/3 BRANCH-IN + global GLOBAL"]
    assert [s.label for s in asa.stages(edge, in_iface="dmz", out_iface=None)] == [
        "in dmz global GLOBAL"
    ]
    assert [s.label for s in asa.stages(edge, in_iface=None, out_iface=None, chain="GLOBAL")] == [
        "acl GLOBAL"
    ]


@pytest.mark.parametrize(
    "where,message",
    [
        (dict(in_iface="nowhere", out_iface=None), "not defined"),
        (dict(in_iface="outside", out_iface="Gi0/9"), "not defined"),
        (dict(in_iface=None, out_iface=None, chain="NOPE"), "not defined"),
        (dict(in_iface="outside", out_iface=None, local="input"), "local"),
    ],
)
def test_stage_errors(edge: Ruleset, where: dict, message: str) -> None:
    with pytest.raises(InputError) as err:
        asa.stages(edge, **where)
    assert message in str(err.value)


LEVELS = """\
interface GigabitEthernet0/0
 nameif outside
 security-level 0
interface GigabitEthernet0/1
 nameif inside
interface GigabitEthernet0/2
 nameif dmz
 security-level 50
interface GigabitEthernet0/3
 nameif dmz2
 security-level 50
interface GigabitEthernet0/4
 no nameif
"""


@pytest.mark.parametrize(
    "extra,where,expected,label",
    [
        (
            "",
            ("outside", "inside"),
            "deny",
            "in outside (no access-group): security level 0 -> 100 denied",
        ),
        (
            "",
            ("inside", "outside"),
            "permit",
            "in inside (no access-group): security level 100 -> 0 permitted",
        ),
        (
            "",
            ("dmz", "outside"),
            "permit",
            "in dmz (no access-group): security level 50 -> 0 permitted",
        ),
        (
            "",
            ("dmz", "dmz2"),
            "deny",
            "same-security dmz -> dmz2: level 50 on both, no same-security-traffic permit "
            "inter-interface",
        ),
        (
            "same-security-traffic permit inter-interface\n",
            ("dmz", "dmz2"),
            "permit",
            "in dmz (no access-group): security level 50 -> 50 permitted",
        ),
        (
            "",
            ("dmz", "dmz"),
            "deny",
            "same-security dmz -> dmz: no same-security-traffic permit intra-interface",
        ),
        ("", ("outside", None), "deny", "in outside (no access-group): security level 0 -> any"),
        ("", ("inside", None), "permit", "in inside (no access-group): security level 100 -> any"),
        ("", ("dmz", None), "undetermined", "in dmz (no access-group): security level 50 -> any"),
        # an access-group replaces the security-level permit
        (
            "access-list IN extended permit tcp any any eq 25\n"
            "access-group IN in interface inside\n",
            ("inside", "outside"),
            "deny",
            "in inside IN",
        ),
    ],
)
def test_security_levels(extra: str, where: tuple, expected: str, label: str) -> None:
    rs = parse(LEVELS + extra)
    stages = asa.stages(rs, in_iface=where[0], out_iface=where[1])
    assert stages[0].label == label
    result = evaluate(rs, question(dport=80), in_iface=where[0], out_iface=where[1])
    assert result.verdicts == {expected}
    if expected == "deny" and "security level" in label:
        assert result.parts[0].decided_by.line == line_of(LEVELS, "security-level 0")


def test_interface_without_nameif_is_an_error() -> None:
    rs = parse(LEVELS)
    with pytest.raises(InputError, match="no nameif"):
        asa.stages(rs, in_iface="GigabitEthernet0/4", out_iface=None)


# --- fixes ------------------------------------------------------------------------------


def request(
    stage: str,
    before: int | None,
    rs: Ruleset,
    in_iface: str,
    out_iface: str,
    ports=(1601, 1601),
    sources=("10.20.7.0/24",),
    dest="10.1.0.10",
) -> FixRequest:
    origin = None
    if before is not None:
        origin = next(r.origin for r in rs.rules() if r.origin.line == before)
    return FixRequest(
        "tcp", sources, dest, IntervalSet.span(*ports), in_iface, out_iface, None, stage, origin
    )


def test_fix_inserts_above_the_deny_counting_remarks(edge: Ruleset) -> None:
    fix = asa.fix(
        edge,
        request(
            "in branch BRANCH-IN + global GLOBAL",
            edge_line("BRANCH-IN extended deny"),
            edge,
            "branch",
            "inside",
        ),
    )
    assert fix == (
        "access-list BRANCH-IN line 2 extended permit tcp 10.20.7.0 "
        "255.255.255.0 host 10.1.0.10 eq 1601"
    )
    fix = asa.fix(
        edge,
        request(
            "in outside OUTSIDE-IN + global GLOBAL",
            edge_line("OUTSIDE-IN extended deny ip any any"),
            edge,
            "outside",
            "inside",
            ports=(135, 136),
            sources=("198.51.100.7", "2001:db8::/32"),
        ),
    )
    assert fix == (
        "access-list OUTSIDE-IN line 10 extended permit tcp host 198.51.100.7 "
        "host 10.1.0.10 range 135 136\n"
        "access-list OUTSIDE-IN line 11 extended permit tcp 2001:db8::/32 "
        "host 10.1.0.10 range 135 136"
    )


def test_fix_implicit_deny_appends(edge: Ruleset) -> None:
    fix = asa.fix(
        edge,
        request(
            "in dmz global GLOBAL",
            None,
            edge,
            "dmz",
            "outside",
            sources=("172.16.1.0/24",),
            dest="198.51.100.1",
        ),
    )
    assert fix == (
        "access-list GLOBAL extended permit tcp 172.16.1.0 255.255.255.0 host 198.51.100.1 eq 1601"
    )


def test_fix_security_level_deny_creates_an_access_group() -> None:
    rs = parse(LEVELS)
    fix = asa.fix(
        rs,
        request(
            "in outside (no access-group): security level 0 -> 100 denied",
            None,
            rs,
            "outside",
            "inside",
            sources=("0.0.0.0/0",),
        ),
    )
    assert fix == (
        "access-list outside_access_in extended permit tcp any4 host 10.1.0.10 "
        "eq 1601\naccess-group outside_access_in in interface outside"
    )
    fix = asa.fix(
        rs,
        request(
            "in dmz (no access-group): security level 50 -> 100 denied", None, rs, "dmz", "inside"
        ),
    )
    assert fix is not None
    assert fix.split("\n")[0].startswith(
        "access-list dmz_access_in remark exaudit: an "
        "access-group replaces the security-level permit"
    )
    fix = asa.fix(
        rs,
        request(
            "same-security dmz -> dmz2: level 50 on both, no "
            "same-security-traffic permit inter-interface",
            None,
            rs,
            "dmz",
            "dmz2",
        ),
    )
    assert fix == "same-security-traffic permit inter-interface"


def test_fix_then_reparse_permits(edge: Ruleset) -> None:
    deny = edge_line("BRANCH-IN extended deny")
    fix = asa.fix(
        edge, request("in branch BRANCH-IN + global GLOBAL", deny, edge, "branch", "inside")
    )
    assert fix is not None
    rs = parse(EDGE.read_text() + fix + "\n")
    q = question(src="10.20.7.5", dst="10.1.0.10", dport=1601)
    assert verdict_of(rs, q, in_iface="branch", out_iface="inside")[0] == "permit"


# --- robustness and detection -------------------------------------------------------------


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("\n \n", "empty"),
        ("x\x00y", "binary"),
    ],
)
def test_unusable_input(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_fixture_never_crashes(data: st.DataObject) -> None:
    text = mutate(EDGE.read_text().split("\n"), data)
    try:
        rs = parse(text)
    except InputError:
        return
    for src in ("outside", "branch", "dmz", "Gi0/3"):
        for dst in (None, "inside", "lab"):
            try:
                stages = asa.stages(rs, in_iface=src, out_iface=dst)
            except InputError:
                continue
            Evaluator().evaluate(stages, question(dport=25))


@given(st.binary(max_size=300))
@settings(max_examples=100, deadline=None)
def test_random_bytes_never_crash(blob: bytes) -> None:
    with contextlib.suppress(InputError):
        parse(blob.decode("latin-1"))


def test_looks_like() -> None:
    assert asa.looks_like(EDGE.read_text()) >= 0.8
    ios_text = (FIXTURES / "ios" / "hq-wan.cfg").read_text()
    assert asa.looks_like(ios_text) < 0.3
    from exaudit.platforms.cisco import ios

    assert asa.looks_like(EDGE.read_text()) > ios.looks_like(EDGE.read_text())
    assert ios.looks_like(ios_text) > asa.looks_like(ios_text)


@pytest.mark.parametrize(
    "line",
    [
        "conduit permit tcp host 10.0.0.2 eq 25 any",
        "ipv6 access-list V6 permit tcp any any eq 25",
    ],
)
def test_legacy_filtering_commands_are_flagged(line: str) -> None:
    rs = parse(f"interface Ethernet0\n nameif outside\n{line}\n")
    assert [(i.code, i.origin.line) for i in rs.issues] == [("EXA001", 3)]
    assert asa.coverage(rs)["not_understood"] == 1


def test_groups_may_name_objects_defined_later() -> None:
    rs = parse(
        "object-group network G\n network-object object LATER\n"
        "access-list A extended permit ip object-group G any\n"
        "object network LATER\n host 10.9.9.9\n"
    )
    assert rs.issues == []
    assert verdict_of(rs, question(src="10.9.9.9"), chain="A") == ("permit", 3)


# --- lines that undo or replace earlier ones (issue 9) ------------------------------------

TWO = """\
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 198.51.100.1 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.0.0.1 255.255.255.0
"""


def exa001_lines(rs: Ruleset) -> list[int]:
    return sorted({i.origin.line for i in rs.issues if i.code == "EXA001"})


def crossing(
    rs: Ruleset,
    dport: int = 80,
    src: str = "10.0.0.5",
    dst: str = "203.0.113.5",
    where: tuple[str, str] = ("inside", "outside"),
) -> tuple[str, int | None]:
    return verdict_of(
        rs, question(src=src, dst=dst, dport=dport), in_iface=where[0], out_iface=where[1]
    )


def test_no_access_group_unbinds_both_directions() -> None:
    text = TWO + (
        "access-list IN extended deny ip any any\n"
        "access-list OUT extended deny ip any any\n"
        "access-group IN in interface inside\naccess-group OUT out interface outside\n"
        "no access-group IN in interface inside\n"
        "no access-group OUT out interface outside\n"
    )
    rs = parse(text)
    assert rs.issues == []
    # the security levels decide again: inside (100) -> outside (0) is permitted
    assert crossing(rs) == ("permit", line_of(text, "security-level 100"))


def test_no_access_group_global_unbinds() -> None:
    text = TWO + (
        "access-list G extended deny ip any any\naccess-group G global\nno access-group G global\n"
    )
    assert crossing(parse(text))[0] == "permit"


def test_no_access_group_naming_another_list_is_undetermined() -> None:
    text = TWO + (
        "access-list IN extended deny tcp any any eq 25\n"
        "access-list IN extended permit ip any any\n"
        "access-group IN in interface inside\n"
        "no access-group OTHER in interface inside\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, "no access-group")]
    assert crossing(rs, dport=80) == ("permit", line_of(text, "permit ip any any"))
    assert crossing(rs, dport=25)[0] == "undetermined"
    # outside -> inside: IN does not apply there, the levels deny either way
    assert crossing(rs, where=("outside", "inside"))[0] == "deny"


def test_a_second_access_group_replaces_the_first() -> None:
    # one list per interface and direction (already modelled before issue 9)
    text = TWO + (
        "access-list A extended deny ip any any\n"
        "access-list B extended permit ip any any\n"
        "access-group A in interface inside\naccess-group B in interface inside\n"
    )
    assert crossing(parse(text)) == ("permit", line_of(text, "B extended permit"))


@pytest.mark.parametrize(
    "undo",
    [
        "no access-list IN extended deny tcp any any eq www",
        "no access-list IN line 1 extended deny tcp any any eq www",
    ],
)
def test_no_access_list_deletes_the_entry_written_the_same_way(undo: str) -> None:
    text = TWO + (
        "access-list IN extended deny tcp any any eq www\n"
        "access-list IN extended permit ip any any\n"
        f"access-group IN in interface inside\n{undo}\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert crossing(rs) == ("permit", line_of(text, "permit ip any any"))


@pytest.mark.parametrize(
    "undo",
    [
        "no access-list IN extended deny tcp any any eq 80",  # the ASA may store it as www
        "no access-list IN line 2 extended deny tcp any any eq www",  # not at line 2
        "no access-list IN extended frobnicate",
        "no access-list IN",
    ],
)
def test_no_access_list_that_may_delete_an_entry_is_undetermined(undo: str) -> None:
    text = TWO + (
        "access-list IN extended deny tcp any any eq www\n"
        "access-list IN extended permit ip any any\n"
        f"access-group IN in interface inside\n{undo}\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, undo)]
    assert crossing(rs)[0] == "undetermined"


def test_no_access_list_deleting_the_last_entry_makes_the_binding_undetermined() -> None:
    text = TWO + (
        "access-list IN extended deny ip any any\n"
        "access-group IN in interface inside\n"
        "no access-list IN extended deny ip any any\n"
        "access-list IN extended deny tcp any any eq 25\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, "no access-list")]
    # with the binding: IN denies all; without: the levels permit
    assert crossing(rs, dport=80)[0] == "undetermined"


def test_clear_configure_access_list_empties_the_list() -> None:
    text = TWO + (
        "access-list IN extended permit tcp any any eq www\n"
        "clear configure access-list IN\n"
        "access-list IN extended deny ip any any\n"
        "access-group IN in interface inside\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert crossing(rs) == ("deny", line_of(text, "deny ip any any"))


def test_clear_configure_access_list_of_a_bound_list_is_undetermined() -> None:
    text = TWO + (
        "access-list IN extended deny ip any any\n"
        "access-group IN in interface inside\n"
        "clear configure access-list\n"
        "access-list IN extended deny tcp any any eq 25\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, "clear configure")]
    # with the binding IN decides; without it the levels permit inside -> outside
    assert crossing(rs, dport=80)[0] == "undetermined"
    assert crossing(rs, dport=25)[0] == "undetermined"
    # outside -> inside: IN is not bound there, the levels deny
    assert crossing(rs, where=("outside", "inside"))[0] == "deny"


def test_clear_configure_access_group_unbinds_everything() -> None:
    text = TWO + (
        "access-list IN extended deny ip any any\n"
        "access-group IN in interface inside\nclear configure access-group\n"
    )
    assert crossing(parse(text))[0] == "permit"


def test_clear_configure_all_starts_again() -> None:
    text = (
        "access-list IN extended deny ip any any\naccess-group IN in interface inside\n"
        "same-security-traffic permit inter-interface\nclear configure all\n" + TWO
    )
    rs = parse(text)
    assert crossing(rs)[0] == "permit"
    assert rs.chains == {}


def test_no_same_security_traffic() -> None:
    text = TWO.replace("security-level 0", "security-level 100") + (
        "same-security-traffic permit inter-interface\n"
        "no same-security-traffic permit inter-interface\n"
    )
    rs = parse(text)
    assert crossing(rs)[0] == "deny"
    assert asa.stages(rs, in_iface="inside", out_iface="outside")[0].label.startswith(
        "same-security"
    )


@pytest.mark.parametrize(
    "undo",
    [
        "no object-group network SRV",
        "clear configure object-group",
        "object-group network SRV\n no network-object host 203.0.113.5",
        "no object network H",
        "clear configure object network",
        "object network H\n no host 203.0.113.5",
        "object network H\n host 203.0.113.9",  # an object holds one value
    ],
)
def test_removing_objects_and_group_members_is_undetermined(undo: str) -> None:
    text = TWO + (
        "object network H\n host 203.0.113.5\n"
        "object-group network SRV\n network-object object H\n"
        "access-list IN extended deny tcp any object-group SRV eq www\n"
        "access-list IN extended permit ip any any\n"
        f"access-group IN in interface inside\n{undo}\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, undo.split("\n")[-1])]
    assert crossing(rs)[0] == "undetermined"


def test_an_object_given_the_same_value_again_is_unchanged() -> None:
    text = TWO + (
        "object network H\n host 203.0.113.5\nobject network H\n host 203.0.113.5\n"
        "access-list IN extended deny tcp any object H eq www\n"
        "access-group IN in interface inside\n"
    )
    rs = parse(text)
    assert rs.issues == []
    assert crossing(rs)[0] == "deny"


@pytest.mark.parametrize(
    "undo", ["no name 203.0.113.5 WEB", "clear configure names", "name 203.0.113.9 WEB"]
)
def test_names_removed_or_redefined_are_undetermined(undo: str) -> None:
    text = TWO + (
        "name 203.0.113.5 WEB\n"
        "access-list IN extended deny tcp any host WEB eq www\n"
        "access-list IN extended permit ip any any\n"
        f"access-group IN in interface inside\n{undo}\n"
    )
    rs = parse(text)
    assert line_of(text, undo) in exa001_lines(rs)
    assert crossing(rs)[0] == "undetermined"


def test_renaming_a_bound_interface_is_undetermined() -> None:
    text = TWO + (
        "access-list IN extended deny ip any any\n"
        "access-group IN in interface inside\n"
        "interface GigabitEthernet0/1\n nameif lan\n"
    )
    rs = parse(text)
    assert line_of(text, "nameif lan") in exa001_lines(rs)
    assert crossing(rs, where=("lan", "outside"))[0] == "undetermined"


def test_no_security_level_returns_to_the_default() -> None:
    text = TWO + (
        "interface GigabitEthernet0/2\n nameif dmz\n security-level 50\n no security-level\n"
    )
    rs = parse(text)
    assert rs.issues == []
    # dmz is back at 0, like outside: same level, no same-security-traffic permit
    assert crossing(rs, where=("dmz", "outside"))[0] == "deny"


def test_no_security_level_on_inside_is_undetermined() -> None:
    text = TWO.replace(" security-level 100\n", " security-level 100\n no security-level\n")
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, "no security-level")]
    assert crossing(rs)[0] == "undetermined"  # 100 -> 0 permitted, 0 -> 0 denied


def test_no_management_only() -> None:
    text = TWO.replace(
        " nameif inside\n", " nameif inside\n management-only\n no management-only\n"
    )
    assert crossing(parse(text))[0] == "permit"


def test_interface_address_is_replaced() -> None:
    # one IPv4 address per interface: the second replaces the first
    text = TWO + (
        "interface GigabitEthernet0/0\n ip address 198.51.100.7 255.255.255.0\n"
        "access-list IN extended deny tcp any interface outside eq www\n"
        "access-list IN extended permit ip any any\n"
        "access-group IN in interface inside\n"
    )
    rs = parse(text)
    assert crossing(rs, dst="198.51.100.7")[0] == "deny"
    assert crossing(rs, dst="198.51.100.1")[0] == "permit"


def test_blocks_of_one_interface_spelt_differently_are_merged() -> None:
    text = TWO + "interface Gi0/1\n nameif lan\n security-level 100\n"
    rs = parse(text)
    assert [i.nameif for i in rs.interfaces.values()] == ["outside", "lan"]
    assert crossing(rs, where=("lan", "outside"))[0] == "permit"


def test_insertion_after_an_entry_that_may_be_gone_is_undetermined() -> None:
    text = TWO + (
        "access-list IN extended deny tcp any any eq 25\n"
        "access-list IN extended deny tcp any any eq 26\n"
        "access-list IN extended permit ip any any\n"
        "access-group IN in interface inside\n"
        "no access-list IN extended deny tcp any any eq smtp\n"
        "access-list IN line 2 extended permit tcp any any eq 26\n"
    )
    rs = parse(text)
    assert exa001_lines(rs) == [line_of(text, "no access-list"), line_of(text, "line 2")]
    assert crossing(rs, dport=26)[0] == "undetermined"
