"""The tables besides filter: raw, mangle and security as exact stages, nat rewrites
undetermined, and the query, the audit's stages and the fixer agreeing (issue 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_iptables_parser import decided_line, parse, verdict

from exaudit.core.intervals import IntervalSet
from exaudit.platforms import iptables
from exaudit.platforms.api import FixRequest


def dump(tables: dict[str, list[str]], forward: str = "ACCEPT", filter_rules=()) -> str:
    """An iptables-save text: ``tables`` maps a table to its lines (policies and rules)."""
    chains = {
        "raw": ("PREROUTING", "OUTPUT"),
        "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
        "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
        "security": ("INPUT", "FORWARD", "OUTPUT"),
    }
    out = []
    for name, body in tables.items():
        out.append(f"*{name}")
        declared = {line.split()[0][1:] for line in body if line.startswith(":")}
        out += [f":{c} ACCEPT [0:0]" for c in chains[name] if c not in declared]
        out += body + ["COMMIT"]
    out += ["*filter", ":INPUT ACCEPT [0:0]", f":FORWARD {forward} [0:0]"]
    out += [":OUTPUT ACCEPT [0:0]", *filter_rules, "COMMIT", ""]
    return "\n".join(out)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


FWD = {"iif": "eth0", "oif": "eth1"}
DROP_CASES = [
    # (table, rule, packet kwargs, chain, expected) -- a DROP/REJECT a stage before (or
    # after) filter decides; the filter table alone would permit every one of them
    (
        "raw",
        "-A PREROUTING -s 10.9.9.9/32 -j DROP",
        {"src": "10.9.9.9", "iif": "eth0"},
        None,
        "deny",
    ),
    ("raw", "-A PREROUTING -s 10.9.9.9/32 -j DROP", {"src": "10.9.9.9", **FWD}, None, "deny"),
    ("raw", "-A PREROUTING -s 10.9.9.9/32 -j DROP", {"src": "10.9.9.8", **FWD}, None, "permit"),
    # the kernel refuses REJECT outside filter (a load fails): kept as undetermined
    ("raw", "-A OUTPUT -p tcp --dport 25 -j REJECT", {"dport": 25}, "OUTPUT", "undetermined"),
    (
        "mangle",
        "-A INPUT -p tcp --dport 25 -j REJECT",
        {"dport": 25, "iif": "eth0"},
        None,
        "undetermined",
    ),
    (
        "security",
        "-A INPUT -p tcp --dport 25 -j REJECT",
        {"dport": 25, "iif": "eth0"},
        None,
        "undetermined",
    ),
    ("raw", "-A OUTPUT -p tcp --dport 25 -j DROP", {"dport": 25}, "OUTPUT", "deny"),
    ("raw", "-A OUTPUT -p tcp --dport 25 -j DROP", {"dport": 25, **FWD}, None, "permit"),
    ("mangle", "-A PREROUTING -p udp -j DROP", {"proto": "udp", **FWD}, None, "deny"),
    ("mangle", "-A FORWARD -p udp -j DROP", {"proto": "udp", **FWD}, None, "deny"),
    ("mangle", "-A FORWARD -p udp -j DROP", {"proto": "udp", "iif": "eth0"}, None, "permit"),
    ("mangle", "-A INPUT -p udp -j DROP", {"proto": "udp", "iif": "eth0"}, None, "deny"),
    ("mangle", "-A POSTROUTING -o eth1 -j DROP", FWD, None, "deny"),
    ("mangle", "-A POSTROUTING -o eth1 -j DROP", {"oif": "eth1"}, "OUTPUT", "deny"),
    ("mangle", "-A POSTROUTING -o eth1 -j DROP", {"iif": "eth0"}, None, "permit"),
    ("mangle", ":FORWARD DROP [0:0]", FWD, None, "deny"),
    ("security", "-A FORWARD -d 198.51.100.1/32 -j DROP", FWD, None, "deny"),
    # raw runs before connection tracking: state and conntrack see every packet INVALID
    ("raw", "-A PREROUTING -m state --state NEW -j DROP", {"state": "NEW", **FWD}, None, "permit"),
    ("raw", "-A PREROUTING -m conntrack --ctstate INVALID -j DROP", FWD, None, "deny"),
    ("raw", "-A PREROUTING -m conntrack ! --ctstate NEW -j DROP", FWD, None, "deny"),
    # mangle runs after it: the state is known
    ("mangle", "-A PREROUTING -m state --state NEW -j DROP", {"state": "NEW", **FWD}, None, "deny"),
    (
        "mangle",
        "-A PREROUTING -m state --state NEW -j DROP",
        {"state": "ESTABLISHED", **FWD},
        None,
        "permit",
    ),
    # a user chain reached from the hook
    ("mangle", ":c1 - [0:0]\n-A PREROUTING -j c1\n-A c1 -p tcp -j DROP", FWD, None, "deny"),
]


@pytest.mark.parametrize("table, rule, kw, chain, expected", DROP_CASES)
def test_drops_in_other_tables_decide(
    table: str, rule: str, kw: dict, chain, expected: str
) -> None:
    text = dump({table: rule.split("\n")})
    rs = parse(text)
    assert verdict(rs, chain=chain, **kw) == expected
    if expected == "deny":
        last = rule.split("\n")[-1]
        assert decided_line(rs, chain=chain, **kw) == line_of(text, last)


def test_tables_that_cannot_change_a_verdict_add_no_stage() -> None:
    rs = parse(dump({"mangle": ["-A PREROUTING -p tcp -j MARK --set-mark 1"], "raw": []}))
    stages = iptables.stages(rs, in_iface="eth0", out_iface="eth1")
    assert [s.label for s in stages] == ["FORWARD"]


DNAT = "-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.9.9.9:8080"


@pytest.mark.parametrize(
    "rule, kw, chain, expected",
    [
        # the filter table sees 10.9.9.9:8080, which FORWARD accepts: the rewrite is not
        # followed, so exaudit answers undetermined naming the DNAT line (it said deny)
        (DNAT, {"dport": 80, **FWD}, None, "undetermined"),
        (DNAT, {"dport": 81, **FWD}, None, "deny"),
        (DNAT, {"dport": 80, "iif": "eth0"}, None, "undetermined"),
        (
            "-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080",
            {"dport": 80, **FWD},
            None,
            "undetermined",
        ),
        (
            "-A PREROUTING -d 198.51.100.0/24 -j NETMAP --to 10.9.9.0/24",
            {"dport": 22, **FWD},
            None,
            "undetermined",
        ),
        (
            "-A OUTPUT -p tcp --dport 80 -j DNAT --to-destination 10.9.9.9",
            {"dport": 80, "oif": "eth1"},
            "OUTPUT",
            "undetermined",
        ),
        # the nat table's POSTROUTING only rewrites sources, after the verdict
        ("-A POSTROUTING -o eth1 -j MASQUERADE", {"dport": 80, **FWD}, None, "deny"),
    ],
)
def test_destination_rewrites_make_their_packets_undetermined(rule, kw, chain, expected) -> None:
    text = dump(
        {"nat": [rule]}, forward="DROP", filter_rules=["-A FORWARD -p tcp --dport 8080 -j ACCEPT"]
    )
    rs = parse(text)
    assert verdict(rs, chain=chain, **kw) == expected
    if expected == "undetermined":
        q = iptables.stages(rs, in_iface=kw.get("iif"), out_iface=kw.get("oif"), chain=chain)
        assert any(s.label.startswith("nat ") for s in q)


@pytest.mark.parametrize(
    "state_rule, expected",
    [
        ("-A FORWARD -m state --state NEW -j DROP", "undetermined"),
        ("-A FORWARD -p udp -j DROP", "permit"),
    ],
)
def test_notrack_is_undetermined_only_where_a_state_is_asked(
    state_rule: str, expected: str
) -> None:
    # NOTRACK makes the packets UNTRACKED for the later tables: `--state NEW` no longer
    # matches them (the kernel accepts what exaudit would have called a deny)
    text = dump({"raw": ["-A PREROUTING -p tcp -j NOTRACK"]}, filter_rules=[state_rule])
    assert verdict(parse(text), state="NEW", **FWD) == expected


def _query(text: str, tmp_path: Path, *args: str) -> dict:
    path = tmp_path / "fw.rules"
    path.write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "exaudit", "query", str(path), "--format", "json", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_query_answers_the_raw_drop_and_the_dnat(tmp_path: Path) -> None:
    text = dump(
        {"nat": [DNAT], "raw": ["-A PREROUTING -s 10.9.9.9/32 -j DROP"]},
        forward="DROP",
        filter_rules=["-A FORWARD -p tcp --dport 8080 -j ACCEPT"],
    )
    got = _query(
        text, tmp_path, "--src", "10.9.9.9", "--dst", "10.1.1.1", "--dport", "22", "--in", "eth0"
    )
    assert got["verdict"] == "deny" and got["decided_by"]["line"] == line_of(
        text, "10.9.9.9/32 -j DROP"
    )
    got = _query(
        text,
        tmp_path,
        "--src",
        "10.1.1.1",
        "--dst",
        "10.9.9.9",
        "--dport",
        "80",
        "--in",
        "eth0",
        "--out",
        "eth1",
    )
    assert got["verdict"] == "undetermined"
    assert got["decided_by"]["line"] == line_of(text, "DNAT")


def test_fix_for_a_raw_drop_goes_into_the_raw_table() -> None:
    text = dump({"raw": ["-A PREROUTING -p tcp --dport 25 -j DROP"]})
    rs = parse(text)
    deny = rs.tables["raw"]["PREROUTING"].rules[0].origin
    request = FixRequest(
        "tcp",
        ("192.0.2.0/24",),
        "198.51.100.1",
        IntervalSet.point(25),
        "eth0",
        "eth1",
        None,
        "raw PREROUTING",
        deny,
    )
    assert iptables.fix(rs, request) == (
        "-t raw -I PREROUTING 1 -i eth0 -s 192.0.2.0/24 -d 198.51.100.1 -p tcp --dport 25 -j ACCEPT"
    )


# --- rules iptables refuses ---------------------------------------------------------------


def test_script_command_iptables_refuses_changes_nothing() -> None:
    # `-i` in OUTPUT: the command fails when the script runs; the rest goes on
    script = "iptables -A OUTPUT -i eth0 -j DROP\niptables -A OUTPUT -p udp -j DROP\n"
    rs = parse(script, "fw.sh")
    assert [(i.code, i.origin.line) for i in rs.issues] == [("EXA004", 1)]
    assert "fails when run" in rs.issues[0].message
    assert [r.origin.line for r in rs.chains["OUTPUT"].rules] == [2]
    assert verdict(rs, chain="OUTPUT", proto="tcp", oif="eth1") == "permit"
    assert verdict(rs, chain="OUTPUT", proto="udp", oif="eth1") == "deny"
