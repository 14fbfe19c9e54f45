"""EXA203 latent permits, EXA204 and policy.allow, EXA701/EXA703 topology mistakes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from exaudit.cli import main
from exaudit.core.errors import InputError
from exaudit.exchange.topology import load_topology

HEAD = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
EST = "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
NEED = "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp -m multiport --dports 25,995 -j ACCEPT\n"

TOPOLOGY = """\
version: 1
exchange: "5.5"
policy:
{policy}
networks:
  internet: [0.0.0.0/0]
  lan: [10.10.0.0/16]
  admin: [10.30.0.0/24]
  servers: [10.1.0.0/24]
servers:
  ex1:
    address: 10.1.0.10
    site: HQ
    rpc_ports: {{directory: 5001, information_store: 5002, mta: 5003}}
clients:
  - from: lan
    to: [ex1]
    protocols: [pop3]
    ssl: [pop3]
firewalls:
  fw:
    platform: {platform}
    config: {config}
    interfaces:
      {outside}: [internet]
      {inside}: [lan, admin]
      {servers}: [servers]
"""


def site(
    tmp_path: Path, rules: str, policy: str = "  require_ssl: false", platform: str = "iptables"
) -> Path:
    names = ("eth0", "eth1", "eth2") if platform == "iptables" else ("em0", "em1", "em2")
    config = "fw.rules" if platform == "iptables" else "pf.conf"
    (tmp_path / config).write_text(rules)
    (tmp_path / "topology.yaml").write_text(
        TOPOLOGY.format(
            policy=policy,
            platform=platform,
            config=config,
            outside=names[0],
            inside=names[1],
            servers=names[2],
        )
    )
    return tmp_path


def audit(where: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    old = os.getcwd()
    os.chdir(where)
    try:
        main(["audit", "topology.yaml", "--format", "json", "--isolated", "--no-cache", *args])
    finally:
        os.chdir(old)
    return list(json.loads(capsys.readouterr().out)["findings"])


def of(findings: list[dict[str, Any]], check: str) -> list[tuple[int | None, str]]:
    return [
        (f["location"]["line"] if f["location"] else None, f["message"])
        for f in findings
        if f["check"] == check
    ]


# --- EXA203 latent-over-broad-permit ----------------------------------------------------------


@pytest.mark.parametrize(
    "rules, line, masks",
    [
        # an earlier deny in the same chain catches the whole ephemeral range
        (
            "-A FORWARD -p tcp --dport 1024:65535 -j DROP\n"
            "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -j ACCEPT\n",
            8,
            "masked by line 7 (FORWARD)",
        ),
        # a deny of all but 10 ephemeral ports: 10 <= 16 today, 64512 on its own
        (
            "-A FORWARD -p tcp -m multiport ! --dports 0:1023,2000:2009 -j DROP\n"
            "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp -j ACCEPT\n",
            8,
            "today it permits 10 (2000-2009)",
        ),
        # a user chain: the deny sits in the chain the permit's chain jumps from
        (
            ":SRV - [0:0]\n"
            "-A FORWARD -i eth1 -p tcp --dport 1024:65535 -j DROP\n"
            "-A FORWARD -i eth1 -o eth2 -j SRV\n"
            "-A SRV -d 10.1.0.10 -p tcp --dport 1024:65535 -j ACCEPT\n",
            10,
            "masked by line 8 (FORWARD)",
        ),
    ],
)
def test_latent_permit_masked_by_an_earlier_deny(
    tmp_path: Path, rules: str, line: int, masks: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = audit(site(tmp_path, HEAD + EST + NEED + rules + "COMMIT\n"), capsys)
    latent = of(found, "EXA203")
    assert [at for at, _ in latent] == [line], found
    assert masks in latent[0][1]
    assert not of(found, "EXA201")  # nothing over the limit today


@pytest.mark.parametrize(
    "rules",
    [
        # over-broad today: EXA201's, not a latent one as well
        "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 1024:65535 -j ACCEPT\n",
        # a deny that masks only part of the sources: the rest is exposed today
        "-A FORWARD -s 10.10.0.0/17 -j DROP\n-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -j ACCEPT\n",
    ],
)
def test_exposed_today_is_exa201_only(
    tmp_path: Path, rules: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = audit(site(tmp_path, HEAD + EST + NEED + rules + "COMMIT\n"), capsys)
    assert of(found, "EXA201") and not of(found, "EXA203")


@pytest.mark.parametrize("width, latent", [(16, False), (17, True)])
def test_latent_width_is_measured_against_the_limit(
    tmp_path: Path, width: int, latent: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = (
        "-A FORWARD -p tcp --dport 1024:65535 -j DROP\n"
        f"-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 2000:{1999 + width} -j ACCEPT\n"
    )
    found = audit(site(tmp_path, HEAD + EST + NEED + rules + "COMMIT\n"), capsys)
    assert bool(of(found, "EXA203")) is latent


def test_pf_pass_out_masked_by_the_in_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = (
        "block all\n"
        "pass in on em1 proto tcp from 10.10.0.0/16 to 10.1.0.10 port { 25 995 }\n"
        "pass out on em2 proto tcp to 10.1.0.10 port { 25 995 }\n"
        "pass out on em2 proto tcp to 10.1.0.10 port 1024:65535\n"
    )
    found = audit(site(tmp_path, conf, platform="pf"), capsys)
    ((line, message),) = of(found, "EXA203")
    assert line == 4
    assert "(out on em2)" in message and "masked by line 1 (in on em0, in on em1)" in message
    # the in rules are the mask: loosen them and the width is exposed (EXA201)
    (tmp_path / "pf.conf").write_text(conf.replace("port { 25 995 }\npass out", "\npass out", 1))
    found = audit(tmp_path, capsys)
    assert of(found, "EXA201") and not of(found, "EXA203")


# --- EXA204 open-port-not-required and policy.allow ------------------------------------------


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 3389 -j ACCEPT", "tcp/3389"),
        ("-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 445 -j ACCEPT", "tcp/445"),
        ("-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p udp -j ACCEPT", "udp (every port)"),
        ("-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p icmp -j ACCEPT", "icmp from"),
        ("-A FORWARD -i eth0 -o eth2 -p tcp --dport 25 -j ACCEPT", "tcp/25 from eth0 (internet)"),
        # exactly what is required: nothing to say
        ("-A FORWARD -i eth1 -o eth2 -s 10.10.0.0/16 -p tcp --dport 995 -j ACCEPT", None),
    ],
)
def test_open_but_not_required(
    tmp_path: Path, rule: str, expected: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = HEAD + EST + rule + "\n" + NEED.replace("-d 10.1.0.10", "-s 10.10.0.0/16 -d 10.1.0.10")
    found = of(audit(site(tmp_path, rules + "COMMIT\n"), capsys), "EXA204")
    if expected is None:
        assert found == []
    else:
        ((line, message),) = found
        assert line == 6 and expected in message


def test_required_part_is_cut_out_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = HEAD + EST + "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 0:1023 -j ACCEPT\n"
    found = of(audit(site(tmp_path, rules + "COMMIT\n"), capsys), "EXA204")
    ((_, message),) = found
    # lan needs 25 and 995; admin (behind the same interface) needs nothing
    assert "tcp/0-24,26-994,996-1023 from lan via eth1 (lan, admin)" in message
    assert "tcp/0-1023 from admin via eth1 (lan, admin)" in message


ALLOW = """\
  allow:
    - {proto: tcp, ports: [3389, 5900-5901], from: admin, to: ex1, reason: server team}
    - proto: udp
      reason: monitoring
"""


def test_policy_allow_accepts_what_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = (
        HEAD
        + EST
        + NEED.replace("-d 10.1.0.10", "-s 10.10.0.0/16 -d 10.1.0.10")
        + "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp -m multiport "
        + "--dports 3389,5900 -j ACCEPT\n"
        + "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p udp --dport 161 -j ACCEPT\n"
        + "COMMIT\n"
    )
    found = of(audit(site(tmp_path, rules, policy=ALLOW), capsys), "EXA204")
    # from lan, RDP and VNC stay unaccepted; from admin they are; udp/161 from anywhere is
    ((line, message),) = found
    assert line == 7
    assert message.endswith("does not accept: tcp/3389,5900 from lan via eth1 (lan, admin)")


def test_requirements_shows_open_but_not_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = (
        HEAD
        + EST
        + NEED
        + "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 3389 -j ACCEPT\n"
    )
    site(tmp_path, rules + "COMMIT\n", policy=ALLOW)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["requirements", "topology.yaml", "--format", "json", "--isolated"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert main(["requirements", "topology.yaml", "--isolated"]) == 0
        text = capsys.readouterr().out
    finally:
        os.chdir(old)
    rows = data["firewalls"][0]["open_not_required"]
    got = {(r["service"], r["src"], r["allowed"]["reason"] if r["allowed"] else None) for r in rows}
    assert got == {
        ("tcp/25,995", "admin", None),  # line 6 opens them to all of eth1, admin too
        ("tcp/3389", "lan", None),
        ("tcp/3389", "admin", "server team"),
    }
    assert {r["location"]["line"] for r in rows if r["service"] == "tcp/3389"} == {7}
    assert "open but not required" in text and "yes (line 5: server team)" in text


@pytest.mark.parametrize(
    "entry, line, words",
    [
        ("    - {proto: tcp, ports: 3389}", 5, "has no 'reason'"),
        ("    - {proto: tcp, reason: '  '}", 5, "has no 'reason'"),
        ("    - {ports: 3389, reason: x}", 5, "has no 'proto'"),
        ("    - {proto: tpc, reason: x}", 5, "unknown protocol 'tpc'"),
        ("    - {proto: tcp, ports: 70000, reason: x}", 5, "out of range"),
        ("    - {proto: tcp, ports: 9-3, reason: x}", 5, "not within 0-65535, low to high"),
        ("    - {proto: tcp, ports: http, reason: x}", 5, "must be a number or a range"),
        ("    - {proto: tcp, to: ex9, reason: x}", 5, "unknown server 'ex9'"),
        ("    - {proto: tcp, from: nowhere, reason: x}", 5, "unknown name 'nowhere'"),
        ("    - {proto: tcp, port: 25, reason: x}", 5, "unknown key 'port'"),
        ("    - tcp/3389", 5, "must be a mapping"),
    ],
)
def test_policy_allow_mistakes_name_their_line(
    tmp_path: Path, entry: str, line: int, words: str
) -> None:
    site(tmp_path, HEAD + "COMMIT\n", policy="  allow:\n" + entry)
    with pytest.raises(InputError) as err:
        load_topology(str(tmp_path / "topology.yaml"))
    assert err.value.line == line and words in err.value.message, err.value


def test_policy_allow_must_be_a_list(tmp_path: Path) -> None:
    site(tmp_path, HEAD + "COMMIT\n", policy="  allow: {proto: tcp}")
    with pytest.raises(InputError) as err:
        load_topology(str(tmp_path / "topology.yaml"))
    assert err.value.line == 4 and "policy.allow must be a list" in err.value.message


# --- EXA701 flow-crosses-no-firewall, EXA703 address-host-bits, interfaces ------------------


@pytest.mark.parametrize(
    "interfaces, expected",
    [
        # the LAN behind no interface: its flows cross nothing
        (
            "eth0: [10.99.0.0/16]\n      eth2: [servers]",
            "its sources sit behind no interface of fw",
        ),
        # the server behind no interface (internet: [0.0.0.0/0] would take it in)
        ("eth1: [lan]", "ex1 sits behind no interface of any firewall"),
        # everything placed: nothing to say
        ("eth0: [internet]\n      eth1: [lan]\n      eth2: [servers]", None),
        # the LAN on the server's own side: its traffic does not cross the firewall
        ("eth0: [internet]\n      eth2: [servers, lan]", None),
    ],
)
def test_flows_that_cross_no_firewall(
    tmp_path: Path, interfaces: str, expected: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    site(tmp_path, HEAD + EST + NEED + "COMMIT\n")
    topo = tmp_path / "topology.yaml"
    text = topo.read_text()
    head, _, _ = text.partition("    interfaces:\n")
    topo.write_text(head + "    interfaces:\n      " + interfaces + "\n")
    found = of(audit(tmp_path, capsys), "EXA701")
    if expected is None:
        assert found == []
    else:
        ((line, message),) = found
        assert line == 16 and expected in message  # the client entry's line
        assert "SMTP from a POP3 client (tcp/25)" in message


@pytest.mark.parametrize(
    "address, expected",
    [
        ("10.30.0.5/24", "stands for 10.30.0.0/24 (256 addresses)"),
        ("10.30.0.5/255.255.255.0", "stands for 10.30.0.0/24"),
        ("2001:db8::1/64", "stands for 2001:db8::/64"),
        ("10.30.0.0/24", None),
        ("10.30.0.5", None),
        ("10.30.0.1-10.30.0.9", None),
    ],
)
def test_host_bits(
    tmp_path: Path, address: str, expected: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    site(tmp_path, HEAD + EST + NEED + "COMMIT\n")
    topo = tmp_path / "topology.yaml"
    topo.write_text(topo.read_text().replace("admin: [10.30.0.0/24]", f"admin: ['{address}']"))
    found = of(audit(tmp_path, capsys), "EXA703")
    if expected is None:
        assert found == []
    else:
        ((line, message),) = found
        assert line == 8 and expected in message


def test_cisco_interface_missing_from_the_config_is_an_error_at_the_topology_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r1.cfg").write_text(
        "interface Gi0/0\n!\ninterface Gi0/1\n!\ninterface Gi0/2\n!\nend\n"
    )
    site(tmp_path, HEAD + "COMMIT\n")
    topo = tmp_path / "topology.yaml"
    text = topo.read_text().replace("platform: iptables", "platform: ios")
    text = text.replace("config: fw.rules", "config: r1.cfg").replace("eth0:", "Gi0/0:")
    topo.write_text(text.replace("eth1:", "Gi0/1:").replace("eth2:", "Gi0/7:"))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        for command in ("audit", "requirements"):
            assert main([command, "topology.yaml", "--isolated"]) == 2
            err = capsys.readouterr().err.strip()
            assert err.startswith(
                "exaudit: error: topology.yaml:27: firewall 'fw': interface Gi0/7"
            )
    finally:
        os.chdir(old)


@pytest.mark.parametrize(
    "stated, name, reported",
    [
        ("10.9.0.0/24", "eth2", True),  # the server's 10.1.0.10 is outside
        ("10.1.0.0/24", "eth2", False),
        ("10.9.0.0/24", "ETH2", True),  # names compared without case when not exact
        ("10.9.0.0/24", "eth1", False),  # the server is not behind eth1
    ],
)
def test_server_outside_the_interface_range(
    tmp_path: Path, stated: str, name: str, reported: bool
) -> None:
    """Platforms that state interface addresses fill ``Ruleset.interface_networks``."""
    from exaudit import platforms
    from exaudit.analysis.context import AuditContext, firewall_audit
    from exaudit.checks import get
    from exaudit.core import addresses
    from exaudit.core.model import InterfaceNetwork, Origin
    from exaudit.exchange.flows import derive_flows

    site(tmp_path, HEAD + EST + NEED + "COMMIT\n")
    topo = load_topology(str(tmp_path / "topology.yaml"))
    fw = topo.firewalls["fw"]
    platform = platforms.get("iptables")
    ruleset = platform.parse((tmp_path / "fw.rules").read_text(), "fw.rules")
    origin = Origin("fw.rules", 2, "ip address ...")
    ruleset.interface_networks = {name: [InterfaceNetwork(addresses.parse(stated), origin)]}
    ctx = AuditContext(topo, derive_flows(topo), [firewall_audit(fw, platform, ruleset)])
    check = get("EXA702")
    assert check is not None
    found = list(check.run(ctx))
    if not reported:
        assert found == []
        return
    (f,) = found
    assert f.location is not None
    assert (f.location.file, f.location.line) == (str(tmp_path / "topology.yaml"), 27)
    assert "ex1 (10.1.0.10) is listed behind eth2" in f.message
    assert f"{stated} at fw.rules:2" in f.message
