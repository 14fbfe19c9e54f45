"""nftables: each syntax feature, match and statement, and the base-chain semantics."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from exaudit import platforms
from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ACK, FLAGS, SYN, IssueKind, State
from exaudit.engine.evaluate import Evaluator, Question
from exaudit.platforms import nftables
from exaudit.platforms.api import FixRequest
from exaudit.review.suppress import scan_text

PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}


def ask(
    text: str,
    *,
    src: str = "192.0.2.1",
    dst: str = "10.1.0.10",
    dport: int = 25,
    sport: int = 40000,
    proto: str = "tcp",
    state: State = State.NEW,
    flags: IntervalSet = SYN,
    iif: str | None = "eth0",
    oif: str | None = None,
    local: str | None = None,
    path: str = "test.nft",
) -> str:
    """The one verdict of one packet (``permit``, ``deny`` or ``undetermined``)."""
    ruleset = nftables.parse(text, path)
    question = Question(
        proto=IntervalSet.point(PROTO[proto]),
        src=addresses.host(src),
        dst=addresses.host(dst),
        sport=IntervalSet.point(sport),
        dport=IntervalSet.point(dport),
        flags=flags if proto == "tcp" else FLAGS,
        state=IntervalSet.point(int(state)),
        in_iface=iif,
        out_iface=oif,
    )
    stages = nftables.stages(ruleset, in_iface=iif, out_iface=oif, local=local)
    verdicts = Evaluator().evaluate(stages, question).verdicts
    assert len(verdicts) == 1, verdicts
    return verdicts.pop()


def chain(body: str, *, hook: str = "input", policy: str = "drop", family: str = "inet") -> str:
    return (
        f"table {family} t {{\n  chain c {{\n    type filter hook {hook} priority 0; "
        f"policy {policy};\n{body}\n  }}\n}}\n"
    )


# --- matches: (rule body, packet, verdict) ------------------------------------------------

MATCHES = [
    ("ip saddr 192.0.2.0/24 accept", {}, "permit"),
    ("ip saddr 198.51.100.0/24 accept", {}, "deny"),
    ("ip saddr 192.0.2.0-192.0.2.9 accept", {}, "permit"),
    ("ip saddr != 192.0.2.0/24 accept", {}, "deny"),
    ("ip saddr != 198.51.100.1 accept", {}, "permit"),
    ("ip saddr { 198.51.100.1, 192.0.2.1 } accept", {}, "permit"),
    ("ip saddr != { 198.51.100.1, 192.0.2.1 } accept", {}, "deny"),
    ("ip daddr 10.1.0.10 accept", {}, "permit"),
    ("ip6 saddr 2001:db8::/32 accept", {"src": "2001:db8::1", "dst": "2001:db8:1::10"}, "permit"),
    ("ip6 saddr 2001:db8::/32 accept", {}, "deny"),  # an IPv4 packet has no ip6 saddr
    ("ip saddr != 198.51.100.1 accept", {"src": "2001:db8::1", "dst": "2001:db8::2"}, "deny"),
    ("tcp dport 25 accept", {}, "permit"),
    ("tcp dport smtp accept", {}, "permit"),
    ("tcp dport 20-30 accept", {}, "permit"),
    ("tcp dport { 22, 80-90 } accept", {}, "deny"),
    ("tcp dport != 22 accept", {}, "permit"),
    ("tcp dport != { 25, 26 } accept", {}, "deny"),
    ("tcp dport < 1024 accept", {}, "permit"),
    ("tcp dport >= 1024 accept", {}, "deny"),
    ("udp dport 25 accept", {}, "deny"),
    ("tcp sport 40000 accept", {}, "permit"),
    ("meta l4proto { tcp, udp } th dport 25 accept", {"proto": "udp"}, "permit"),
    ("meta l4proto tcp accept", {}, "permit"),
    ("meta l4proto { udp, icmp } accept", {}, "deny"),
    ("meta l4proto != udp accept", {}, "permit"),
    ("ip protocol tcp accept", {}, "permit"),
    ("ip protocol tcp accept", {"src": "2001:db8::1", "dst": "2001:db8::2"}, "deny"),
    ("ip6 nexthdr tcp accept", {"src": "2001:db8::1", "dst": "2001:db8::2"}, "permit"),
    ("meta nfproto ipv4 accept", {}, "permit"),
    ("meta nfproto ipv6 accept", {}, "deny"),
    ('iifname "eth0" accept', {}, "permit"),
    ('iifname "eth*" accept', {"iif": "eth7"}, "permit"),
    ('iifname "eth*" accept', {"iif": "ppp0"}, "deny"),
    ('iifname != "eth*" accept', {"iif": "ppp0"}, "permit"),
    ('iifname { "ppp0", "wlan*" } accept', {"iif": "wlan3"}, "permit"),
    ('iifname != "eth1" iifname != "eth2" accept', {"iif": "eth0"}, "permit"),
    ("iif eth0 accept", {}, "permit"),
    ('oifname "eth1" accept', {"oif": "eth1", "local": None}, "permit"),
    ("ct state new accept", {}, "permit"),
    ("ct state established,related accept", {}, "deny"),
    ("ct state established,related accept", {"state": State.ESTABLISHED}, "permit"),
    ("ct state { new, untracked } accept", {}, "permit"),
    ("ct state != new accept", {}, "deny"),
    ("ct state vmap { new : accept, established : drop }", {}, "permit"),
    ("tcp flags syn accept", {}, "permit"),
    ("tcp flags syn accept", {"flags": ACK}, "deny"),
    ("tcp flags & (syn|ack) == syn accept", {}, "permit"),
    ("tcp flags & (syn|ack) == syn accept", {"flags": IntervalSet.point(18)}, "deny"),
    ("tcp flags syn / syn,ack accept", {}, "permit"),
    ("tcp flags != syn accept", {}, "deny"),
    ("tcp flags == syn accept", {}, "permit"),
    ("icmp type echo-request accept", {"proto": "icmp", "dport": 8}, "permit"),
    ("icmp type echo-request accept", {"proto": "icmp", "dport": 0}, "deny"),
    (
        "icmpv6 type nd-neighbor-solicit accept",
        {"proto": "icmpv6", "dport": 135, "src": "fe80::1", "dst": "fe80::2"},
        "permit",
    ),
    ("tcp dport vmap { 22 : drop, 25 : accept }", {}, "permit"),
    ("tcp dport vmap { 22 : accept, 25 : drop }\n    accept", {}, "deny"),
    ("tcp dport vmap { 22:accept }\n    accept", {}, "permit"),  # falls through
    ("ip daddr . tcp dport { 10.1.0.10 . 25 } accept", {}, "permit"),
    ("ip daddr . tcp dport { 10.1.0.10 . 26, 10.1.0.11 . 25 } accept", {}, "deny"),
    ('counter log prefix "x " accept', {}, "permit"),
    ("tcp dport 25 counter packets 10 bytes 600 continue\n    accept", {}, "permit"),
    ("meta mark set 0x1 accept", {}, "permit"),
]


@pytest.mark.parametrize(("body", "packet", "verdict"), MATCHES)
def test_match(body: str, packet: dict, verdict: str) -> None:
    local = packet.pop("local", "input")
    hook = "forward" if local is None else "input"
    text = chain("    " + body, hook=hook)
    assert not nftables.parse(text, "t.nft").issues
    if hook == "forward":
        packet.setdefault("oif", "eth1")
    assert ask(text, local=local, **packet) == verdict


# --- named sets ------------------------------------------------------------------------

SETS = """table inet t {
  set blocked {
    type ipv4_addr; flags interval; elements = { 192.0.2.0/28, 198.51.100.1-198.51.100.9 }
  }
  set web { type inet_service; elements = { 80, 443 } }
  set pairs {
    type ipv4_addr . inet_service
    elements = { 10.1.0.10 . 25,
                 10.1.0.11 . 110 }
  }
  map ports { type inet_service : verdict; elements = { 25 : accept, 110 : drop } }
  chain c {
    type filter hook input priority 0; policy drop;
    ip saddr @blocked drop
    tcp dport @web accept
    ip daddr . tcp dport @pairs accept
    tcp dport vmap @ports
  }
}
"""


@pytest.mark.parametrize(
    ("packet", "verdict"),
    [
        ({"src": "192.0.2.5"}, "deny"),
        ({"src": "198.51.100.5", "dport": 80}, "deny"),
        ({"src": "203.0.113.1", "dport": 443}, "permit"),
        ({"src": "203.0.113.1", "dport": 25}, "permit"),
        ({"src": "203.0.113.1", "dst": "10.1.0.11", "dport": 110}, "permit"),
        ({"src": "203.0.113.1", "dst": "10.1.0.12", "dport": 110}, "deny"),
        ({"src": "203.0.113.1", "dst": "10.1.0.12", "dport": 25}, "permit"),
    ],
)
def test_named_sets_and_maps(packet: dict, verdict: str) -> None:
    assert ask(SETS, local="input", **packet) == verdict


def test_a_set_rules_fill_is_not_known() -> None:
    text = """table inet t {
  set seen { type ipv4_addr; size 100; }
  chain c {
    type filter hook input priority 0; policy accept;
    add @seen { ip saddr }
    ip saddr @seen drop
  }
}
"""
    ruleset = nftables.parse(text, "t.nft")
    assert [(i.origin.line, i.kind) for i in ruleset.issues] == [(6, IssueKind.UNSUPPORTED)]
    assert ask(text, local="input") == "undetermined"


# --- unmodelled: the rule stays and its verdicts are undetermined, naming the line ----


@pytest.mark.parametrize(
    "body",
    [
        "meta mark 0x1 accept",
        "limit rate 10/second accept",
        "ip dscp cs1 accept",
        "queue num 1",
        "tcp dport 25 notrack",
        "meta skuid 1000 accept",
        "ct mark 0x3 accept",
        "@th,0,16 25 accept",
    ],
)
def test_unmodelled_is_undetermined_at_its_line(body: str) -> None:
    text = chain("    " + body)
    ruleset = nftables.parse(text, "t.nft")
    assert [(i.origin.line, i.kind) for i in ruleset.issues] == [(4, IssueKind.UNSUPPORTED)]
    assert ask(text, local="input") == "undetermined"


# --- base chains: priority order across tables, accept goes on, drop is final ----------


def _two(first: str, second: str, *, p1: str = "0", p2: str = "10") -> str:
    return (
        "table inet a {\n  chain one {\n    type filter hook input priority "
        f"{p1}; policy accept;\n    {first}\n  }}\n}}\n"
        "table ip b {\n  chain two {\n    type filter hook input priority "
        f"{p2}; policy accept;\n    {second}\n  }}\n}}\n"
    )


@pytest.mark.parametrize(
    ("text", "packet", "verdict"),
    [
        (_two("accept", "drop"), {}, "deny"),  # accept ends one base chain only
        (_two("drop", "accept"), {}, "deny"),  # drop is final
        (_two("accept", "accept"), {}, "permit"),
        (_two("drop", "accept", p1="filter + 20", p2="filter + 10"), {}, "deny"),
        (_two("counter", "drop", p1="mangle", p2="security"), {}, "deny"),
        # an ip table does not see IPv6: only the inet chain decides those
        (_two("accept", "drop"), {"src": "2001:db8::1", "dst": "2001:db8::2"}, "permit"),
        (_two("return", "accept"), {}, "permit"),  # return in a base chain: the policy
        (
            "table inet a {\n  chain one {\n    type filter hook input priority 0; policy drop;\n"
            "  }\n}\n",
            {},
            "deny",
        ),
    ],
)
def test_base_chains(text: str, packet: dict, verdict: str) -> None:
    assert ask(text, local="input", **packet) == verdict


def test_the_family_guard_of_an_ip_table_is_no_rule_of_the_ruleset() -> None:
    ruleset = nftables.parse(chain("    tcp dport 22 accept", family="ip"), "t.nft")
    assert ruleset.rule_count == 1 and len(ruleset.chains["ip t c"].rules) == 2


def test_priority_order_is_by_number_not_by_table() -> None:
    ruleset = nftables.parse(_two("accept", "accept", p1="filter + 10", p2="mangle - 5"), "t.nft")
    assert [(b.key, b.priority) for b in ruleset.base_chains] == [
        ("ip b two", -155),
        ("inet a one", 10),
    ]
    stages = nftables.stages(ruleset, in_iface="eth0", out_iface=None)
    assert [s.label for s in stages] == ["ip b two", "inet a one"]


def test_at_one_priority_the_chain_made_last_runs_first() -> None:
    # checked against the kernel: with a (reject) made before b (drop), a packet is dropped
    made_first = (
        "table inet a {\n  chain i {\n    type filter hook input priority 0; policy accept;\n"
        "    reject\n  }\n}\n"
    )
    made_last = (
        "table ip b {\n  chain i {\n    type filter hook input priority 0; policy accept;\n"
        "    drop\n  }\n}\n"
    )
    for text, first in ((made_first + made_last, "ip b i"), (made_last + made_first, "inet a i")):
        ruleset = nftables.parse(text, "t.nft")
        assert ruleset.base_chains[0].key == first
        assert any("share hook input and priority 0" in n.message for n in ruleset.notes)


def test_a_forwarded_packet_meets_prerouting_forward_and_postrouting() -> None:
    text = (
        "table inet t {\n"
        "  chain pre { type filter hook prerouting priority -150; policy accept; }\n"
        "  chain fwd { type filter hook forward priority 0; policy accept; }\n"
        "  chain post { type filter hook postrouting priority 0; policy accept; }\n"
        "  chain inp { type filter hook input priority 0; policy accept; }\n"
        "  chain out { type filter hook output priority 0; policy accept; }\n"
        "}\n"
    )
    ruleset = nftables.parse(text, "t.nft")
    labels = [s.label for s in nftables.stages(ruleset, in_iface="a", out_iface="b")]
    assert labels == ["inet t pre", "inet t fwd", "inet t post"]
    labels = [s.label for s in nftables.stages(ruleset, in_iface="a", out_iface=None)]
    assert labels == ["inet t pre", "inet t inp"]
    local = nftables.stages(ruleset, in_iface=None, out_iface=None, local="output")
    assert [s.label for s in local] == ["inet t out", "inet t post"]
    only = nftables.stages(ruleset, in_iface="a", out_iface=None, chain="inp")
    assert [s.label for s in only] == ["inet t inp"]


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("jump sub\n    accept", "permit"),  # falls off sub: back after the jump
        ("goto sub\n    accept", "deny"),  # falls off a goto: the base chain's policy
        ("jump ret\n    drop", "deny"),
        ("jump acc\n    drop", "permit"),
    ],
)
def test_jump_goto_return(body: str, verdict: str) -> None:
    text = (
        "table inet t {\n  chain sub { tcp dport 80 accept; }\n"
        "  chain ret { return; accept; }\n  chain acc { accept; }\n"
        "  chain c {\n    type filter hook input priority 0; policy drop;\n"
        f"    {body}\n  }}\n}}\n"
    )
    assert ask(text, local="input") == verdict


def test_ct_state_before_conntrack_reads_invalid() -> None:
    text = (
        "table inet t {\n  chain raw {\n    type filter hook prerouting priority raw; "
        "policy accept;\n    ct state invalid drop\n  }\n}\n"
    )
    assert ask(text, local="input") == "deny"  # no conntrack entry yet: every packet


def test_th_ports_are_exact_where_a_protocol_has_ports() -> None:
    text = chain("    th dport 25 accept")
    ruleset = nftables.parse(text, "t.nft")
    assert [i.origin.line for i in ruleset.issues] == [4]
    assert ask(text, local="input", proto="udp") == "permit"
    assert ask(text, local="input", proto="udp", dport=26) == "deny"
    # ICMP has no ports: what th reads there (type, code, checksum) is not modelled
    assert ask(text, local="input", proto="icmp", dport=8) == "undetermined"


def test_reject_with_tcp_reset_matches_only_tcp() -> None:
    text = chain("    reject with tcp reset\n    accept", policy="accept")
    assert ask(text, local="input") == "deny"
    assert ask(text, local="input", proto="udp") == "permit"


# --- the script forms ------------------------------------------------------------------


SCRIPT = """#!/usr/sbin/nft -f
# a script as nft -f runs it
define LAN = 10.10.0.0/16
define WEB = { 80, 443 }
define PORTS = { $WEB, 25 }
table inet old { chain x { type filter hook input priority 0; policy drop; }; }
flush ruleset
add table inet filter
add chain inet filter input { type filter hook input priority 0; policy drop; }
add rule inet filter input ip saddr $LAN tcp dport $PORTS accept
insert rule inet filter input tcp dport 25 drop ; add rule inet filter input tcp dport 22 accept
table inet filter {
  chain input {
    udp dport "53" accept  # quoted values are values
  }
}
"""


@pytest.mark.parametrize(
    ("packet", "verdict"),
    [
        ({"src": "10.10.1.1", "dport": 443}, "permit"),
        ({"src": "10.10.1.1", "dport": 25}, "deny"),  # the inserted rule is first
        ({"src": "192.0.2.1", "dport": 22}, "permit"),
        ({"src": "192.0.2.1", "dport": 53, "proto": "udp"}, "permit"),
        ({"src": "192.0.2.1", "dport": 80}, "deny"),
    ],
)
def test_script_forms(packet: dict, verdict: str) -> None:
    assert ask(SCRIPT, local="input", **packet) == verdict


def test_flush_ruleset_removes_what_came_before() -> None:
    ruleset = nftables.parse(SCRIPT, "t.nft")
    assert ruleset.tables == ("inet filter",)


def test_include_is_relative_to_the_including_file(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "rules.nft").write_text("add rule inet f c tcp dport 25 accept\n")
    main = tmp_path / "main.nft"
    main.write_text(
        "table inet f { chain c { type filter hook input priority 0; policy drop; } }\n"
        'include "conf.d/*.nft"\n'
    )
    ruleset = nftables.parse(main.read_text(), str(main))
    assert ask(main.read_text(), local="input", path=str(main)) == "permit"
    assert str(tmp_path / "conf.d" / "rules.nft") in ruleset.sources
    assert ruleset.rules()[0].origin.file == str(tmp_path / "conf.d" / "rules.nft")


def test_an_include_outside_the_configs_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.nft").write_text("table inet x {}\n")
    sub = tmp_path / "cfg"
    sub.mkdir()
    main = sub / "main.nft"
    main.write_text('include "../secret.nft"\n')
    with pytest.raises(InputError) as err:
        nftables.parse(main.read_text(), str(main))
    assert err.value.line == 1 and "outside" in err.value.message


# --- input nft refuses is an error with its line ---------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (chain("    ip saddr @nothere accept"), 4, "not defined"),
        (chain("    ip saddr $NOPE accept"), 4, "not defined"),
        (chain("    jump nowhere"), 4, "no chain"),
        (
            "table inet t {\n  chain a { jump b; }\n  chain b { jump a; }\n}\n",
            3,
            "loop",
        ),
        ("table inet t {\n  chain a {\n", 3, "missing"),
        ("frobnicate everything\n", 1, "unknown command"),
        ("add rule inet t c accept\n", 1, "no table"),
        (
            "table inet t { chain c { type filter hook input priority 0; } }\n"
            "add rule inet t c position 4 accept\n",
            2,
            "handle",
        ),
        ("define X = $X\ntable inet t { chain c { ip saddr $X; } }\n", 1, "not defined"),
        (chain('    iifname "*" accept'), 4, "wildcard"),
        (chain("    reject", hook="postrouting"), 4, "postrouting"),
        ("table inet t { chain c { type filter hook input priority dstnat; } }\n", 1, "prerouting"),
        ('table inet t { chain c { comment "open\n', 1, "unterminated"),
    ],
)
def test_refused_input(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as err:
        nftables.parse(text, "bad.nft")
    assert err.value.file == "bad.nft" and err.value.line == line
    assert words in err.value.message


@pytest.mark.parametrize("text", ["", "   \n", "\x00\x01binary"])
def test_empty_or_binary_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        nftables.parse(text, "bad.nft")


# --- families and tables exaudit does not evaluate -------------------------------------


def test_other_families_and_nat_chains_are_noted_not_dropped() -> None:
    text = (
        "table bridge br { chain f { type filter hook forward priority 0; drop; } }\n"
        "table arp a { chain i { type filter hook input priority 0; } }\n"
        "table ip nat { chain pre { type nat hook prerouting priority dstnat; "
        "tcp dport 8080 dnat to 10.1.0.10:80; } }\n"
        "table inet f { chain i { type filter hook input priority 0; policy accept; } }\n"
    )
    ruleset = nftables.parse(text, "t.nft")
    notes = " | ".join(n.message for n in ruleset.notes)
    assert "bridge family is read but not evaluated" in notes
    assert "arp family" in notes
    assert "nat chain (dnat rewrite" in notes
    assert [b.key for b in ruleset.base_chains] == ["inet f i"]


# --- detection -------------------------------------------------------------------------

IPTABLES = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"
PF = "set skip on lo\nblock all\npass in on em0 proto tcp to port 22\ntable <bad> { 10.0.0.1 }\n"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (SCRIPT, "nftables"),
        (SETS, "nftables"),
        ('{"nftables": [{"metainfo": {"version": "1.0.6"}}]}', "nftables"),
        ("add table inet f\nadd chain inet f c\nadd rule inet f c accept\n", "nftables"),
        (IPTABLES, "iptables"),
        (PF, "pf"),
        ("#!/bin/sh\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n", "iptables"),
    ],
)
def test_detection(text: str, name: str) -> None:
    assert platforms.detect(text, "x") == name


@pytest.mark.parametrize("text", [IPTABLES, PF])
def test_nftables_does_not_claim_the_others(text: str) -> None:
    assert nftables.looks_like(text) < 0.3


# --- suppressions and fixes ------------------------------------------------------------


def test_a_comment_on_the_rule_suppresses() -> None:
    text = chain('    tcp dport 25 accept comment "exaudit: ignore[EXA201] relay"')
    found = scan_text(text, "t.nft", nftables.PLATFORM.comments)
    assert [(s.line, s.target, s.selectors) for s in found] == [(4, 4, ("EXA201",))]
    assert not nftables.parse(text, "t.nft").issues


def _request(before: object, chains: tuple[str, ...]) -> FixRequest:
    return FixRequest(
        "tcp",
        ("192.0.2.0/24",),
        "10.1.0.10",
        IntervalSet.of([110, 143]),
        "eth0",
        "eth1",
        None,
        "inet t c",
        before,  # type: ignore[arg-type]  # an Origin or None
        chains,
    )


def test_fix_before_the_deciding_rule_or_at_the_end() -> None:
    text = chain("    tcp dport 110 drop", hook="forward")
    ruleset = nftables.parse(text, "t.nft")
    rule = ruleset.chains["inet t c"].rules[0]
    assert nftables.fix(ruleset, _request(rule.origin, ("inet t c",))) == (
        'iifname "eth0" oifname "eth1" ip saddr 192.0.2.0/24 ip daddr 10.1.0.10 '
        "tcp dport { 110, 143 } accept  # in chain inet t c, before line 4"
    )
    policy = ruleset.chains["inet t c"].default_origin
    assert nftables.fix(ruleset, _request(policy, ("inet t c",))) == (
        'nft add rule inet t c iifname "eth0" oifname "eth1" ip saddr 192.0.2.0/24 '
        "ip daddr 10.1.0.10 tcp dport { 110, 143 } accept"
    )


# --- the JSON form gives the same model ------------------------------------------------

NFT = shutil.which("nft")


@pytest.mark.skipif(NFT is None or shutil.which("unshare") is None, reason="needs nft")
@pytest.mark.parametrize("text", [SETS, SCRIPT, chain("\n".join("    " + m[0] for m in MATCHES))])
def test_json_form_gives_the_same_rules(text: str) -> None:
    done = subprocess.run(
        [
            "unshare",
            "--net",
            "sh",
            "-c",
            "ip tuntap add eth0 mode tun; nft -f - && nft -j list ruleset",
        ],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode:
        pytest.skip(f"nft cannot run here: {done.stderr[:200]}")
    from_text = nftables.parse(text, "t.nft")
    from_json = nftables.parse(done.stdout, "t.json")
    assert not from_json.issues

    def groups(ruleset: object) -> list[list[str]]:
        """Per line, its model rules; a map's elements are disjoint, so in any order."""
        out: list[list[str]] = []
        last = None
        for r in ruleset.rules():  # type: ignore[attr-defined]  # an NftRuleset
            if r.origin is not last:  # the model rules of one nft rule share its origin
                out.append([])
                last = r.origin
            out[-1].append(repr((r.match, r.target.verb)))
        return [sorted(g) for g in out]

    assert groups(from_json) == groups(from_text)
