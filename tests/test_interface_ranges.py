"""EXA702 reads the addresses IOS and ASA configs give their interfaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exaudit.cli import main

TOPOLOGY = """\
version: 1
exchange: "5.5"
networks:
  lan: [10.10.0.0/16]
servers:
  ex1: {{address: {server}, site: HQ}}
clients:
  - {{from: lan, to: [ex1], protocols: [smtp]}}
firewalls:
  edge:
    platform: {platform}
    config: edge.cfg
    interfaces:
      {inside}: [lan]
      {dmz}: [ex1]
"""

CONFIGS = {
    # the topology may abbreviate an IOS interface name, as IOS itself accepts
    "ios": (
        "interface GigabitEthernet0/1\n ip address 10.10.0.1 255.255.0.0\n"
        "interface GigabitEthernet0/2\n ip address 10.1.0.1 255.255.255.0\n"
        " ip address 10.3.0.1 255.255.255.0 secondary\n",
        ("Gi0/1", "Gi0/2"),
        4,
    ),
    "asa": (
        "interface GigabitEthernet0/1\n nameif inside\n security-level 100\n"
        " ip address 10.10.0.1 255.255.0.0\n"
        "interface GigabitEthernet0/2\n nameif dmz\n security-level 50\n"
        " ip address 10.1.0.1 255.255.255.0\n",
        ("inside", "dmz"),
        8,
    ),
}


def _exa702(tmp_path: Path, platform: str, server: str, capsys: pytest.CaptureFixture[str]):
    config, (inside, dmz), _ = CONFIGS[platform]
    (tmp_path / "edge.cfg").write_text(config)
    (tmp_path / "topology.yaml").write_text(
        TOPOLOGY.format(platform=platform, server=server, inside=inside, dmz=dmz)
    )
    main(["audit", str(tmp_path / "topology.yaml"), "--isolated", "--format", "json", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    return [f for f in report["findings"] if f["check"] == "EXA702"]


@pytest.mark.parametrize("platform", sorted(CONFIGS))
def test_a_server_outside_its_interface_range_is_said(
    tmp_path: Path, platform: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (found,) = _exa702(tmp_path, platform, "10.2.0.10", capsys)
    assert found["location"]["line"] == 15  # the topology's line for the interface
    assert (
        "10.1.0.0/24 at " in found["message"]
        and f"edge.cfg:{CONFIGS[platform][2]}" in found["message"]
    )


@pytest.mark.parametrize(
    "platform, server", [("ios", "10.1.0.10"), ("ios", "10.3.0.10"), ("asa", "10.1.0.10")]
)
def test_a_server_inside_its_interface_range_is_not(
    tmp_path: Path, platform: str, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exa702(tmp_path, platform, server, capsys) == []
