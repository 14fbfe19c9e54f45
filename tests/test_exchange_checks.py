"""The checks of Exchange 2000 and later, each on small variants of one topology."""

from __future__ import annotations

from pathlib import Path

import pytest

from exaudit.checks.selection import enabled_checks
from exaudit.pipeline.audit import evaluate

TOPOLOGY = """\
version: 1
exchange: "2019"
networks:
  internet: [0.0.0.0/0]
  lan: [10.10.0.0/16]
servers:
  mbx1: {address: 10.1.0.10, site: HQ}
  mbx2: {address: 10.2.0.10, site: BR}
domain_controllers:
  dc1: {address: 10.2.0.5, site: BR}
clients:
  - {from: lan, to: [mbx1, mbx2], protocols: [https]}
EXTRA
firewalls:
  fw:
    platform: iptables
    config: fw.rules
    interfaces:
      eth0: [internet]
      eth1: [lan, mbx1]
      eth2: [mbx2, dc1]
"""

HEAD = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
STATE = "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
HTTPS = "-A FORWARD -s 10.10.0.0/16 -p tcp --dport 443 -j ACCEPT\n"


def audit(tmp_path: Path, rules: str, extra: str = "") -> list[tuple[str, int | None, str]]:
    (tmp_path / "fw.rules").write_text(HEAD + STATE + HTTPS + rules + "COMMIT\n")
    (tmp_path / "topology.yaml").write_text(TOPOLOGY.replace("EXTRA\n", extra))
    run = evaluate(str(tmp_path / "topology.yaml"), enabled_checks([], []))
    return [
        (f.check, f.location.line if f.location else None, f.message)
        for f in run.findings
        if f.check in ("EXA601", "EXA602", "EXA201")
    ]


@pytest.mark.parametrize(
    "rules, expected",
    [
        # everything permitted both ways between the servers and to the DC: fine
        (
            "-A FORWARD -s 10.1.0.10 -d 10.2.0.0/24 -j ACCEPT\n"
            "-A FORWARD -s 10.2.0.10 -d 10.1.0.10 -j ACCEPT\n"
            "-A FORWARD -s 10.2.0.5 -d 10.1.0.10 -j ACCEPT\n",
            [],
        ),
        # UDP missing one way: the deciding line is the policy (line 3)
        (
            "-A FORWARD -s 10.1.0.10 -d 10.2.0.0/24 -p tcp -j ACCEPT\n"
            "-A FORWARD -s 10.2.0.10 -d 10.1.0.10 -j ACCEPT\n"
            "-A FORWARD -s 10.2.0.5 -d 10.1.0.10 -j ACCEPT\n",
            [
                ("EXA601", 3, "line 3 denies udp from mbx1 to dc1 (in eth1, out eth2)"),
                ("EXA601", 3, "line 3 denies udp from mbx1 to mbx2 (in eth1, out eth2)"),
            ],
        ),
        # an explicit drop of SMB to the DC, before the permit
        (
            "-A FORWARD -d 10.2.0.5 -p tcp --dport 445 -j DROP\n"
            "-A FORWARD -s 10.1.0.10 -d 10.2.0.0/24 -j ACCEPT\n"
            "-A FORWARD -s 10.2.0.10 -d 10.1.0.10 -j ACCEPT\n"
            "-A FORWARD -s 10.2.0.5 -d 10.1.0.10 -j ACCEPT\n",
            [("EXA601", 7, "line 7 denies tcp from mbx1 to dc1 (in eth1, out eth2)")],
        ),
    ],
)
def test_unsupported_internal_filtering(
    tmp_path: Path, rules: str, expected: list[tuple[str, int, str]]
) -> None:
    got = [(c, line, m.split(";")[0]) for c, line, m in audit(tmp_path, rules)]
    assert sorted(g for g in got if g[0] == "EXA601") == expected
    assert not [g for g in got if g[0] == "EXA201"]  # any-port permits between peers are due


@pytest.mark.parametrize(
    "rules, extra, warned",
    [
        ("-A FORWARD -d 10.2.0.10 -p tcp --dport 465 -j ACCEPT\n", "", True),  # from anywhere
        ("-A FORWARD -s 10.10.0.0/16 -d 10.2.0.10 -p tcp --dport 2525 -j ACCEPT\n", "", False),
        (
            "-A FORWARD -s 10.10.0.0/16 -d 10.2.0.10 -p tcp --dport 2525 -j ACCEPT\n",
            "internal: [mbx1]\n",  # lan declared outside the organisation
            True,
        ),
        ("-A FORWARD -d 10.2.0.10 -p tcp --dport 587 -j ACCEPT\n", "", False),
    ],
)
def test_internal_port_exposed(tmp_path: Path, rules: str, extra: str, warned: bool) -> None:
    got = [g for g in audit(tmp_path, rules, extra) if g[0] == "EXA602"]
    assert bool(got) == warned, got
    if warned:
        assert got[0][1] == 7 and "outside the organisation" in got[0][2]
