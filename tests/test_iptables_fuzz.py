"""Property tests: whatever the input, the iptables parser answers or raises InputError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, corpus_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exaudit.core.errors import InputError
from exaudit.platforms import iptables

SETTINGS = settings(
    max_examples=int(os.environ.get("EXAUDIT_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=not os.environ.get("EXAUDIT_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words that make up iptables lines, so random lines get deep into the parser.
VOCABULARY = [
    "-A",
    "-I",
    "-D",
    "-R",
    "-N",
    "-X",
    "-F",
    "-P",
    "-E",
    "-L",
    "-Z",
    "-t",
    "INPUT",
    "FORWARD",
    "OUTPUT",
    "PREROUTING",
    "MYCHAIN",
    "nat",
    "filter",
    "mangle",
    "raw",
    "!",
    "-p",
    "tcp",
    "udp",
    "icmp",
    "ipv6-icmp",
    "all",
    "0",
    "6",
    "300",
    "-s",
    "-d",
    "10.0.0.0/8",
    "1.2.3.4",
    "0/0",
    "::1",
    "2001:db8::/32",
    "10.1",
    "1.2.3.4,5.6.7.8",
    "-i",
    "-o",
    "eth0",
    "eth+",
    "+",
    "-m",
    "tcp",
    "multiport",
    "state",
    "conntrack",
    "comment",
    "iprange",
    "limit",
    "recent",
    "mac",
    "set",
    "--dport",
    "--sport",
    "--dports",
    "--ports",
    "22",
    "1024:",
    ":80",
    "5:3",
    "65536",
    "ssh",
    "22,80,443",
    "--state",
    "--ctstate",
    "NEW,ESTABLISHED",
    "DNAT",
    "BOGUS",
    "--comment",
    '"a b"',
    "--tcp-flags",
    "SYN,ACK",
    "SYN",
    "ALL",
    "NONE",
    "--syn",
    "--icmp-type",
    "8",
    "echo-request",
    "3/4",
    "any",
    "--src-range",
    "10.0.0.1-10.0.0.9",
    "-j",
    "-g",
    "ACCEPT",
    "DROP",
    "REJECT",
    "RETURN",
    "LOG",
    "NFQUEUE",
    "MARK",
    "--log-prefix",
    "--reject-with",
    "tcp-reset",
    "--set-mark",
    "0x1",
    "-f",
    "-c",
    "1",
    "2",
    "[0:0]",
    "COMMIT",
    "*filter",
    ":INPUT",
    "ACCEPT",
    "[0:0]",
    "-",
    "--",
    "--append",
    "-w",
    "-4",
    "-6",
    "$IPT",
    "${X}",
    "$(which",
    "iptables)",
    "if",
    "then",
    "fi",
    "iptables",
]


def _check(text: str, path: str = "fuzz.rules") -> None:
    try:
        rs = iptables.parse(text, path)
    except InputError as exc:
        assert "internal error" not in exc.message, exc
        assert exc.file == path
        return
    lines = len(text.splitlines())
    for rule in rs.rules():
        assert 0 <= rule.origin.line <= lines
    for issue in rs.issues:
        assert 1 <= issue.origin.line <= lines
    assert rs.families <= {4, 6}


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _check(data.decode("utf-8", errors="replace"))
    _check(data.decode("latin-1"))


@SETTINGS
@given(
    st.lists(st.lists(st.sampled_from(VOCABULARY), max_size=14), max_size=30),
    st.sampled_from(["save", "script", "bare"]),
)
def test_random_lines_of_iptables_words(lines: list[list[str]], form: str) -> None:
    body = [" ".join(words) for words in lines]
    if form == "save":
        text = (
            "*filter\n:INPUT ACCEPT [0:0]\n:MYCHAIN - [0:0]\n"
            + "\n".join("-A " + line for line in body)
            + "\nCOMMIT\n"
        )
    elif form == "script":
        text = "#!/bin/sh\nIPT=iptables\n" + "\n".join("iptables " + line for line in body)
    else:
        text = "\n".join(body)
    _check(text)


def _sources() -> list[Path]:
    files = sorted((FIXTURES / "iptables").glob("*"))
    try:
        root = corpus_dir("iptables")
    except pytest.skip.Exception:
        return files
    return files + sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.stat().st_size < 30_000 and "netfilter-extensions-t" not in p.parts
    )


SOURCES = _sources()
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "swap", "replace", "truncate", "join"]),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
)


def _mutate(text: str, ops: list[tuple[str, int, int]]) -> str:
    lines = text.splitlines()
    for op, a, b in ops:
        if not lines:
            break
        i, j = a % len(lines), b % len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        elif op == "join":
            lines[i] = lines[i] + " " + lines[j]
        elif op == "truncate":
            lines[i] = lines[i][: b % (len(lines[i]) + 1)]
        else:
            words = lines[i].split()
            if len(words) > 1:
                x, y = a % len(words), b % len(words)
                if op == "swap":
                    words[x], words[y] = words[y], words[x]
                else:
                    words[x] = VOCABULARY[b % len(VOCABULARY)]
                lines[i] = " ".join(words)
    return "\n".join(lines) + "\n"


@SETTINGS
@given(st.sampled_from(SOURCES), MUTATIONS)
def test_mutated_real_files(path: Path, ops: list[tuple[str, int, int]]) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    _check(_mutate(text, ops), str(path))


# --- the fast reader of canonical lines agrees with the full reader, line by line ------------

FAST_WORDS = st.sampled_from(
    [
        ["-s", "10.0.0.0/8"],
        ["!", "-s", "10.1.2.3"],
        ["-d", "192.0.2.0/24"],
        ["-d", "2001:db8::1"],
        ["-s", "10.0.0.1,10.0.0.2"],
        ["-s", "host.example"],
        ["-i", "eth0"],
        ["!", "-i", "eth+"],
        ["-o", "ppp0"],
        ["-i", "+"],
        ["-p", "tcp"],
        ["-p", "udp"],
        ["!", "-p", "tcp"],
        ["-p", "icmp"],
        ["-p", "all"],
        ["-p", "gre"],
        ["-m", "tcp"],
        ["-m", "udp"],
        ["--dport", "22"],
        ["!", "--dport", "80"],
        ["--sport", "1024:"],
        ["--dport", "5:3"],
        ["--syn"],
        ["!", "--syn"],
        ["--tcp-flags", "SYN,ACK", "SYN"],
        ["-m", "multiport"],
        ["--dports", "25,80:90"],
        ["!", "--sports", "53"],
        ["--dports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"],
        ["-m", "state"],
        ["--state", "NEW"],
        ["-m", "conntrack"],
        ["--ctstate", "ESTABLISHED,RELATED"],
        ["!", "--ctstate", "INVALID"],
        ["--ctstate", "DNAT"],
        ["-m", "comment"],
        ["--comment", "x"],
        ["-m", "icmp"],
        ["--icmp-type", "8"],
        ["--icmp-type", "3/1"],
        ["--icmp-type", "any"],
        ["-j", "ACCEPT"],
        ["-j", "DROP"],
        ["-j", "REJECT"],
        ["-j", "RETURN"],
        ["-j", "LOG"],
        ["-j", "LOG", "--log-prefix", "in:"],
        ["-j", "REJECT", "--reject-with", "tcp-reset"],
        ["-j", "SVC"],
        ["-j", "NFQUEUE"],
        ["-m", "limit", "--limit", "3/min"],
        ["!"],
    ]
)


def _both_readers(text: str) -> tuple[object, object]:
    from unittest import mock

    def read() -> object:
        try:
            rs = iptables.parse(text, "eq.rules")
        except InputError as exc:
            return ("error", exc.line, exc.message)
        return (
            {
                n: [(r.origin.line, r.match, r.target, r.unknown) for r in c.rules]
                for n, c in rs.chains.items()
            },
            [(i.code, i.origin.line) for i in rs.issues],
        )

    fast = read()
    with mock.patch.object(iptables.Executor, "fast_append", lambda *a, **k: False):
        slow = read()
    return fast, slow


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["INPUT", "FORWARD", "OUTPUT", "SVC"]), st.lists(FAST_WORDS, max_size=8)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_fast_reader_agrees_with_the_full_reader(rules: list) -> None:
    lines = [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":SVC - [0:0]",
    ]
    lines += [
        " ".join(["-A", chain] + [w for group in groups for w in group]) for chain, groups in rules
    ]
    fast, slow = _both_readers("\n".join(lines + ["COMMIT", ""]))
    assert fast == slow
