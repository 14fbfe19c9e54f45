"""Suggested fixes are the smallest exact rule: "from anywhere" names no source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exaudit.cli import main

TOPOLOGY = """\
version: 1
exchange: "5.5"
networks:
  internet: [0.0.0.0/0]
  lan: [10.10.0.0/16]
  servers: [10.1.0.0/24]
servers:
  ex1: {{address: 10.1.0.10, site: HQ}}
clients:
  - from: {source}
    to: [ex1]
    protocols: [smtp]
firewalls:
  edge:
    platform: {platform}
    config: edge.conf
    interfaces: {{{outside}: [internet], {inside}: [lan], {dmz}: [servers]}}
"""

# a config denying everything new, per platform, with its interface names
CONFIGS = {
    "iptables": (
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n",
        ("eth0", "eth1", "eth2"),
    ),
    "pf": ("block all\n", ("em0", "em1", "em2")),
}

EXPECTED = {
    "iptables": "-A FORWARD -i eth0 -o eth2 -d 10.1.0.10 -p tcp --dport 25 -j ACCEPT",
    "pf": "pass in quick on em0 inet proto tcp from any to 10.1.0.10 port 25",
}


def _fixes(
    tmp_path: Path, platform: str, source: str, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    config, (outside, inside, dmz) = CONFIGS[platform]
    (tmp_path / "edge.conf").write_text(config)
    (tmp_path / "topology.yaml").write_text(
        TOPOLOGY.format(platform=platform, source=source, outside=outside, inside=inside, dmz=dmz)
    )
    main(["audit", str(tmp_path / "topology.yaml"), "--isolated", "--format", "json", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    return [f["fix"] for f in report["findings"] if f["check"] == "EXA101"]


@pytest.mark.parametrize("platform", sorted(CONFIGS))
def test_from_anywhere_is_the_interface_alone(
    tmp_path: Path, platform: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _fixes(tmp_path, platform, "internet", capsys) == [EXPECTED[platform]]


@pytest.mark.parametrize("platform", sorted(CONFIGS))
def test_a_named_network_keeps_its_sources(
    tmp_path: Path, platform: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The LAN is not all that may arrive inside: its sources stay in the rule."""
    (fix,) = _fixes(tmp_path, platform, "lan", capsys)
    assert "10.10.0.0/16" in fix
