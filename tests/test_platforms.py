"""Conformance: every registered platform keeps the platform contract the same way."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from exaudit import platforms
from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import SYN, TCP, Ruleset, Stage, State, states
from exaudit.engine.evaluate import Evaluator, Question, patterns_of
from exaudit.platforms.api import CommentSyntax, FixRequest, Platform
from exaudit.review.suppress import scan_text


@dataclass(frozen=True)
class Sample:
    """A tiny config that permits tcp/25 to 10.1.0.10 from in to out and denies the rest."""

    text: str
    in_iface: str
    out_iface: str
    directive_line: int  # the line of its ``exaudit: ignore[EXA201]`` directive
    rule_line: int  # the rule the directive applies to


SAMPLES = {
    "iptables": Sample(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n# exaudit: ignore[EXA201] test\n"
        "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10/32 -p tcp -m tcp --dport 25 "
        "-j ACCEPT\nCOMMIT\n",
        "eth1",
        "eth2",
        5,
        6,
    ),
    "pf": Sample(
        "block all\n# exaudit: ignore[EXA201] test\n"
        "pass in on em1 proto tcp to 10.1.0.10 port 25\n"
        "pass out on em2 proto tcp to 10.1.0.10 port 25\n",
        "em1",
        "em2",
        2,
        3,
    ),
    "ios": Sample(
        "interface GigabitEthernet0/1\n ip access-group 101 in\n"
        "interface GigabitEthernet0/2\n"
        "access-list 101 remark exaudit: ignore[EXA201] test\n"
        "access-list 101 permit tcp any host 10.1.0.10 eq 25\n",
        "GigabitEthernet0/1",
        "GigabitEthernet0/2",
        4,
        5,
    ),
    "nftables": Sample(
        "table inet filter {\n  chain forward {\n"
        "    type filter hook forward priority filter; policy drop;\n"
        "    # exaudit: ignore[EXA201] test\n"
        '    iifname "eth1" oifname "eth2" ip daddr 10.1.0.10 tcp dport 25 accept\n'
        "  }\n}\n",
        "eth1",
        "eth2",
        4,
        5,
    ),
    "asa": Sample(
        "interface GigabitEthernet0/0\n nameif outside\n security-level 0\n"
        "interface GigabitEthernet0/1\n nameif inside\n security-level 100\n"
        "access-list OUT remark exaudit: ignore[EXA201] test\n"
        "access-list OUT extended permit tcp any host 10.1.0.10 eq 25\n"
        "access-group OUT in interface outside\n",
        "outside",
        "inside",
        7,
        8,
    ),
}


def test_every_registered_platform_has_a_sample() -> None:
    assert set(SAMPLES) == set(platforms.NAMES)


def _question(sample: Sample, port: int) -> Question:
    return Question(
        proto=IntervalSet.point(TCP),
        src=addresses.parse("192.0.2.0/24"),
        dst=addresses.parse("10.1.0.10"),
        dport=IntervalSet.point(port),
        flags=SYN,
        state=states(State.NEW),
        in_iface=sample.in_iface,
        out_iface=sample.out_iface,
    )


def _verdicts(platform: Platform, ruleset: Ruleset, sample: Sample, port: int) -> set[str]:
    stages = platform.stages(ruleset, in_iface=sample.in_iface, out_iface=sample.out_iface)
    assert stages and all(isinstance(s, Stage) for s in stages)
    names = patterns_of(c for s in stages for c in s.chains.values())
    return Evaluator(names).evaluate(stages, _question(sample, port)).verdicts


@pytest.mark.parametrize("name", platforms.NAMES)
def test_platform_contract(name: str) -> None:
    platform = platforms.get(name)
    sample = SAMPLES[name]
    assert isinstance(platform, Platform) and platform.name == name and platform.title
    assert isinstance(platform.comments, CommentSyntax)
    # detection: the sample is recognised as its own syntax, and only as it
    assert 0.0 <= platform.looks_like(sample.text) <= 1.0
    assert platforms.detect(sample.text, "sample") == name
    ruleset = platform.parse(sample.text, "sample")
    assert isinstance(ruleset, Ruleset) and ruleset.platform == name
    assert not ruleset.issues
    assert _verdicts(platform, ruleset, sample, 25) == {"permit"}
    assert _verdicts(platform, ruleset, sample, 110) == {"deny"}
    request = FixRequest(
        "tcp",
        ("192.0.2.0/24",),
        "10.1.0.10",
        IntervalSet.point(110),
        sample.in_iface,
        sample.out_iface,
        None,
        "",
        None,
    )
    fix = platform.fix(ruleset, request)
    assert fix is None or (isinstance(fix, str) and "110" in fix)
    # suppressions are written in the platform's own comment syntax
    found = scan_text(sample.text, "sample", platform.comments)
    assert [(s.line, s.target, s.selectors) for s in found] == [
        (sample.directive_line, sample.rule_line, ("EXA201",))
    ]
