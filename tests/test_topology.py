"""The topology loader: the partition of names, flows, and every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.exchange.flows import crossings, derive_flows
from exaudit.exchange.topology import load_topology

RULES = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"

BASE = """\
version: 1
exchange: "5.5"
networks:
  internet: [0.0.0.0/0]
  hq-lan: [10.10.0.0/16]
  branch-lan: [10.20.0.0/16, 10.21.0.1-10.21.0.99]
  special: [10.10.5.0/24]
servers:
  ex-hq-1:
    address: 10.1.0.10
    site: HQ
    rpc_ports: {directory: 5001, information_store: 5002, mta: 5003}
  ex-hq-2: {address: 10.1.0.11, site: HQ}
  ex-br-1: {address: 10.2.0.10, site: BRANCH}
clients:
  - from: hq-lan
    to: [ex-hq-1]
    protocols: [pop3, mapi]
    ssl: [pop3]
connectors:
  - between: [HQ, BRANCH]
    type: rpc
    servers: [ex-hq-1, ex-br-1]
firewalls:
  edge:
    platform: iptables
    config: fw.rules
    interfaces:
      eth0: [internet]
      eth1: [hq-lan]
      eth2: [10.1.0.0/24]
      eth3: [10.2.0.0/24, branch-lan]
  host:
    platform: iptables
    config: fw.rules
    host: ex-hq-1
"""


def write(tmp_path: Path, text: str) -> str:
    (tmp_path / "fw.rules").write_text(RULES)
    path = tmp_path / "topology.yaml"
    path.write_text(text)
    return str(path)


def test_most_specific_name_owns_an_address(tmp_path: Path) -> None:
    topo = load_topology(write(tmp_path, BASE))
    hq = topo.networks["hq-lan"].addresses
    assert addresses.to_cidrs(hq)[:2] == ["10.10.0.0/22", "10.10.4.0/24"]
    assert not hq.intersects(addresses.parse("10.10.5.0/24"))
    internet = topo.networks["internet"].addresses
    assert not internet.intersects(addresses.parse("10.1.0.10"))  # servers are names too
    assert internet.intersects(addresses.parse("10.1.0.12"))
    branch = topo.networks["branch-lan"].addresses
    assert addresses.parse("10.21.0.99").min() in branch
    assert addresses.parse("10.21.0.100").min() not in branch


def test_flows_from_clients_sites_and_connectors(tmp_path: Path) -> None:
    topo = load_topology(write(tmp_path, BASE))
    flows = derive_flows(topo)
    ids = sorted({(f.id, f.src_label, f.dst.name, f.port_label) for f in flows})
    assert ("pop3-ssl", "hq-lan", "ex-hq-1", "995") in ids
    assert ("pop3", "hq-lan", "ex-hq-1", "110") not in ids  # the client uses SSL
    assert ("pop3-smtp", "hq-lan", "ex-hq-1", "25") in ids
    assert ("mapi-directory", "hq-lan", "ex-hq-1", "5001") in ids
    # intrasite both ways; ex-hq-2 has no static ports: the whole ephemeral range
    assert ("intrasite-mta", "ex-hq-1", "ex-hq-2", "1024-65535") in ids
    assert ("intrasite-mta", "ex-hq-2", "ex-hq-1", "5003") in ids
    # site connector both ways, 135 + MTA only
    assert ("site-connector-mta", "ex-br-1", "ex-hq-1", "5003") in ids
    assert ("site-connector-epm", "ex-hq-1", "ex-br-1", "135") in ids
    assert not any(f[0].startswith("intrasite") and "ex-br-1" in f[1:3] for f in ids)


def test_sources_split_across_interfaces(tmp_path: Path) -> None:
    text = BASE.replace("from: hq-lan", "from: [10.10.0.0/16, 10.20.0.0/15]")
    topo = load_topology(write(tmp_path, text))
    edge = topo.firewalls["edge"]
    got = {
        (c.flow.src_label, c.in_iface): c.src
        for c in crossings(topo, derive_flows(topo), edge)
        if c.flow.id == "pop3-ssl"
    }
    behind_eth3 = addresses.parse("10.20.0.0/16") | addresses.parse("10.21.0.1-10.21.0.99")
    assert got == {
        ("10.10.0.0/16", "eth1"): addresses.parse("10.10.0.0/16"),
        ("10.20.0.0/15", "eth3"): behind_eth3,
        ("10.20.0.0/15", "eth0"): addresses.parse("10.20.0.0/15") - behind_eth3,
    }


def test_a_name_listed_under_an_interface_enters_there(tmp_path: Path) -> None:
    topo = load_topology(write(tmp_path, BASE))
    got = {
        (c.flow.id, c.in_iface, c.out_iface)
        for c in crossings(topo, derive_flows(topo), topo.firewalls["edge"])
    }
    assert ("pop3-ssl", "eth1", "eth2") in got
    assert ("site-connector-mta", "eth3", "eth2") in got
    assert ("site-connector-mta", "eth2", "eth3") in got
    # intrasite HQ stays behind eth2: it does not cross the edge
    assert not any(i.startswith("intrasite") for i, _, _ in got)


def test_host_firewall_sees_inbound_and_outbound(tmp_path: Path) -> None:
    topo = load_topology(write(tmp_path, BASE))
    got = {
        (c.flow.id, c.flow.dst.name, c.local)
        for c in crossings(topo, derive_flows(topo), topo.firewalls["host"])
    }
    assert ("pop3-ssl", "ex-hq-1", "input") in got
    assert ("intrasite-mta", "ex-hq-2", "output") in got
    assert ("intrasite-mta", "ex-hq-1", "input") in got


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("version: 1", "version: 2", 1, "unsupported topology version 2 (this is 1)"),
        ('exchange: "5.5"', 'exchange: "2007"', 2, "no port catalogue for Exchange '2007'"),
        (
            "  hq-lan: [10.10.0.0/16]",
            "  hq-lan: [10.10.0.300/16]",
            5,
            "network 'hq-lan': bad address or network '10.10.0.300/16'",
        ),
        (
            "    site: HQ\n    rpc",
            "    site: HQ\n    colour: red\n    rpc",
            12,
            "unknown key 'colour' in server 'ex-hq-1'",
        ),
        ("    to: [ex-hq-1]", "    to: [ex-hq-9]", 17, "unknown server 'ex-hq-9' in clients.to"),
        ("  - from: hq-lan", "  - from: hq-lna", 16, "unknown name 'hq-lna' in clients.from"),
        ("protocols: [pop3, mapi]", "protocols: [pop3, gopher]", 18, "unknown protocol 'gopher'"),
        ("directory: 5001", "directory: 70000", 12, "rpc_ports.directory 70000 is out of range"),
        (
            "platform: iptables\n    config: fw.rules\n    interfaces",
            "platform: junos\n    config: fw.rules\n    interfaces",
            26,
            "unknown platform 'junos'",
        ),
        ("config: fw.rules\n    host", "config: missing.rules\n    host", 35, "config file"),
        ("type: rpc", "type: smoke", 22, "unknown connector type 'smoke'"),
        ("between: [HQ, BRANCH]", "between: [HQ, MOON]", 21, "unknown site 'MOON'"),
        ("  ex-hq-2: {address", "  hq-lan: {address", 13, "duplicate name 'hq-lan'"),
        (
            "  special: [10.10.5.0/24]",
            "  special: [10.10.0.0/16]",
            5,
            "list the same addresses equally specifically",
        ),
        ("ssl: [pop3]", "ssl: [mapi]", 19, "protocol 'mapi' has no SSL variant"),
        (
            "  ex-hq-2: {address: 10.1.0.11,",
            "  ex-hq-2: {address: 10.1.0.0/24,",
            13,
            "must be one address",
        ),
        (
            "    host: ex-hq-1",
            "    host: ex-hq-1\n    interfaces: {eth0: [internet]}",
            33,
            "needs exactly one of 'interfaces' or 'host'",
        ),
        ("clients:\n", "clients:\n  - from: [\n", 17, "YAML syntax"),
    ],
)
def test_errors_name_file_line_and_what(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_topology(path)
    assert info.value.file == path
    assert info.value.line == line, str(info.value)
    assert message in info.value.message


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "the topology must be a mapping"),
        ("networks: {}\n", "missing 'version: 1'"),
        ("version: 1\n!!python/object:os.system {}\n", "YAML"),
    ],
)
def test_whole_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_topology(str(path))
    assert message in info.value.message


@pytest.mark.parametrize(
    "text, line, words",
    [
        (
            "version: 1\nservers:\n  ex1: {address: 10.0.0.1, site: HQ\n",
            3,
            "the '{' opened on line 3 is never closed",
        ),
        ("version: 1\nservers:\n\tex1: x\n", 3, "a tab character"),
        ("version: 1\nservers: a: b\n", 2, "a ':' where no key can start"),
        ("version: 1\n- a\n", 2, "a list item ('- ...') where a key was expected"),
        ('version: 1\nx: "open\n', 2, "the quote opened on line 2 is never closed"),
    ],
)
def test_yaml_mistakes_in_plain_words(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_topology(str(path))
    assert caught.value.line == line and words in caught.value.message
    assert "YAML" in caught.value.message
