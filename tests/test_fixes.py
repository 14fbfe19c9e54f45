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
    "nftables": (
        "table inet f {\n  chain fwd {\n    type filter hook forward priority 0; policy drop;\n"
        "    ct state established,related accept\n  }\n}\n",
        ("eth0", "eth1", "eth2"),
    ),
    "ios": (
        "interface GigabitEthernet0/0\n ip access-group IN in\n"
        "interface GigabitEthernet0/1\n ip access-group IN in\ninterface GigabitEthernet0/2\n"
        "ip access-list extended IN\n deny ip any any\n",
        ("GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2"),
    ),
    "asa": (
        "interface GigabitEthernet0/0\n nameif outside\n security-level 0\n"
        "interface GigabitEthernet0/1\n nameif inside\n security-level 100\n"
        "interface GigabitEthernet0/2\n nameif dmz\n security-level 50\n"
        "access-list OUT extended deny ip any any\naccess-group OUT in interface outside\n"
        "access-list IN extended deny ip any any\naccess-group IN in interface inside\n",
        ("outside", "inside", "dmz"),
    ),
}

EXPECTED = {
    "iptables": "-A FORWARD -i eth0 -o eth2 -d 10.1.0.10 -p tcp --dport 25 -j ACCEPT",
    "pf": "pass in quick on em0 inet proto tcp from any to 10.1.0.10 port 25",
    "nftables": 'nft add rule inet f fwd iifname "eth0" oifname "eth2" ip daddr 10.1.0.10 '
    "tcp dport 25 accept",
    "ios": "ip access-list extended IN\n 5 permit tcp any host 10.1.0.10 eq 25",
    "asa": "access-list OUT line 1 extended permit tcp any host 10.1.0.10 eq 25",
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
    assert "10.10.0.0/16" in fix or "10.10.0.0 0.0.255.255" in fix or "10.10.0.0 255.255.0.0" in fix
