"""The topology-free lint checks: shadowed rules (EXA501) and any-any permits (EXA502)."""

from __future__ import annotations

import pytest

from exaudit.checks.runner import lint_checks
from exaudit.platforms import get

HEAD = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"


def found(platform: str, text: str, codes: tuple[str, ...] = ("EXA501", "EXA502")) -> list:
    ruleset = get(platform).parse(text, "t")
    return sorted(
        (f.check, f.location.line) for f in lint_checks(ruleset, None) if f.check in codes
    )


@pytest.mark.parametrize(
    "rules, expected",
    [
        # an earlier deny of the whole port swallows the permit
        (
            "-A FORWARD -p tcp -m tcp --dport 993 -j DROP\n"
            "-A FORWARD -s 10.10.0.0/16 -d 10.1.0.10/32 -p tcp -m tcp --dport 993 -j ACCEPT\n",
            [("EXA501", 6)],
        ),
        # partly covered is not dead
        (
            "-A FORWARD -s 10.10.0.0/17 -p tcp -m tcp --dport 993 -j DROP\n"
            "-A FORWARD -s 10.10.0.0/16 -p tcp -m tcp --dport 993 -j ACCEPT\n",
            [],
        ),
        # covered by two rules together
        (
            "-A FORWARD -s 10.10.0.0/17 -j DROP\n-A FORWARD -s 10.10.128.0/17 -j ACCEPT\n"
            "-A FORWARD -s 10.10.0.0/16 -p udp -j LOG\n",
            [("EXA501", 7)],
        ),
        # a jump may come back: it does not cover what follows
        ("-A FORWARD -j LOGGING\n-A FORWARD -p tcp -j ACCEPT\n-A LOGGING -j LOG\n", []),
        # an unmodelled condition never covers another rule
        ("-A FORWARD -p tcp -m recent --rcheck -j DROP\n-A FORWARD -p tcp -j ACCEPT\n", []),
        # any-any permits, not when limited to an interface or to established connections
        (
            "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
            "-A FORWARD -i eth0 -j ACCEPT\n-A FORWARD -j ACCEPT\n",
            [("EXA502", 7)],
        ),
    ],
)
def test_iptables(rules: str, expected: list) -> None:
    text = (
        HEAD.replace(":OUTPUT ACCEPT [0:0]\n", ":OUTPUT ACCEPT [0:0]\n:LOGGING - [0:0]\n")
        if "LOGGING" in rules
        else HEAD
    )
    shift = 1 if "LOGGING" in rules else 0
    assert found("iptables", text + rules + "COMMIT\n") == [(c, n + shift) for c, n in expected]


def test_pf_last_match_makes_an_earlier_rule_dead() -> None:
    # the later identical rule always wins, so line 2 never decides a packet
    text = (
        "block in all\npass in proto tcp to 10.1.0.10 port 993\n"
        "pass in proto tcp to 10.1.0.10 port 993\n"
    )
    assert found("pf", text, ("EXA501",)) == [("EXA501", 2)]


def test_ios_acl_entry_after_a_broader_deny() -> None:
    text = (
        "interface GigabitEthernet0/1\n ip access-group IN in\n!\n"
        "ip access-list extended IN\n deny tcp any any eq 993\n"
        " permit tcp 10.10.0.0 0.0.255.255 host 10.1.0.10 eq 993\n permit ip any any\n"
    )
    assert found("ios", text) == [("EXA501", 6), ("EXA502", 7)]
