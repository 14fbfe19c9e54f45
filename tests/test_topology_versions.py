"""Topology keys for Exchange 2000 and later: versions per server, roles, os, DCs, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_topology import BASE, write

from exaudit.core.errors import InputError
from exaudit.exchange.topology import load_topology

NEW = """\
version: 1
exchange: "2016"
networks:
  lan: [10.10.0.0/16]
servers:
  mbx1: {address: 10.1.0.10, site: HQ}
  edge1: {address: 172.16.0.10, site: HQ, role: edge}
  be1: {address: 10.1.0.20, site: OLD, exchange: "2003", role: back-end}
  fe1: {address: 10.1.0.21, site: OLD, exchange: "2003", role: front-end}
domain_controllers:
  dc1: {address: 10.1.0.5, site: HQ}
clients:
  - from: lan
    to: [mbx1]
    protocols: [https, mapi]
  - from: lan
    to: [be1]
    protocols: [mapi]
firewalls:
  fw:
    platform: iptables
    config: fw.rules
    interfaces:
      eth0: [lan]
      eth1: [10.1.0.0/24, 172.16.0.0/24]
"""

MBX1 = "  mbx1: {address: 10.1.0.10, site: HQ}"


def test_versions_roles_and_windows_defaults(tmp_path: Path) -> None:
    topo = load_topology(write(tmp_path, NEW))
    s = topo.servers
    assert (s["mbx1"].exchange, s["mbx1"].role) == ("2016", "mailbox")
    assert (s["edge1"].exchange, s["edge1"].role) == ("2016", "edge")
    assert (s["be1"].exchange, s["be1"].role) == ("2003", "back-end")
    assert s["mbx1"].ephemeral == (49152, 65535)  # KB 929851: Windows Server 2008 and later
    assert s["be1"].ephemeral == (1024, 65535)  # Windows 2003, as for 5.5
    assert s["be1"].os == "2003" and s["mbx1"].os == "2012R2"
    assert list(topo.domain_controllers) == ["dc1"] and topo.host("dc1").domain_controller


@pytest.mark.parametrize(
    "version, file", [("2013", "2016"), ("2016", "2016"), ("2019", "2016"), ("SE", "2016")]
)
def test_every_2013_plus_version_selects_the_2016_catalogue(
    tmp_path: Path, version: str, file: str
) -> None:
    topo = load_topology(write(tmp_path, NEW.replace('exchange: "2016"', f"exchange: {version!r}")))
    assert topo.servers["mbx1"].catalogue.path.endswith(f"exchange-{file}.yaml")
    assert topo.servers["mbx1"].exchange == version


def test_os_chooses_the_dynamic_range(tmp_path: Path) -> None:
    text = NEW.replace(
        'exchange: "2003", role: back-end}', 'exchange: "2003", role: back-end, os: "2008"}'
    )
    assert load_topology(write(tmp_path, text)).servers["be1"].ephemeral == (49152, 65535)


def test_version_1_topologies_are_unchanged(tmp_path: Path) -> None:
    topo = load_topology(write(tmp_path, BASE))
    for server in topo.servers.values():
        assert server.exchange == "5.5" and server.role is None and server.os is None
        assert server.ephemeral == (1024, 65535)


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        (
            "site: HQ, role: edge}",
            "site: HQ, role: front-end}",
            7,
            "unknown role 'front-end' for Exchange 2016 (roles: mailbox, edge)",
        ),
        (
            MBX1,
            '  mbx1: {address: 10.1.0.10, site: HQ, exchange: "5.5", role: mailbox}',
            6,
            "Exchange 5.5 has no server roles (server 'mbx1')",
        ),
        (
            'exchange: "2003", role: back-end}',
            'exchange: "2007", role: back-end}',
            8,
            "no port catalogue for Exchange '2007'",
        ),
        (MBX1, '  mbx1: {address: 10.1.0.10, site: HQ, os: "NT4"}', 6, "unknown os 'NT4'"),
        (
            MBX1,
            '  mbx1: {address: 10.1.0.10, site: HQ, exchange: "5.5", os: "2003"}',
            6,
            "Exchange 5.5 has no Windows generations to choose from",
        ),
        (
            MBX1,
            "  mbx1: {address: 10.1.0.10, site: HQ, rpc_ports: {directory: 5000}}",
            6,
            "Exchange 2016 has no per-server ports to pin",
        ),
        (
            MBX1,
            "  mbx1: {address: 10.1.0.10, site: HQ, rfc1006_port: 102}",
            6,
            "Exchange 2016 has no X.400 MTA",
        ),
        (
            "role: back-end}",
            "role: back-end, rpc_ports: {bogus: 1}}",
            8,
            "unknown key 'bogus' in server 'be1' rpc_ports",
        ),
        (
            "    to: [be1]",
            "    to: [fe1]",
            18,
            "protocol 'mapi' is not served by the front-end role of Exchange 2003",
        ),
        (
            "    to: [mbx1]\n    protocols: [https, mapi]",
            "    to: [edge1]\n    protocols: [https, mapi]",
            15,
            "protocol 'https' is not served by the edge role of Exchange 2016",
        ),
        (
            "protocols: [https, mapi]",
            "protocols: [https, nntp]",
            15,
            "protocol 'nntp' does not exist in Exchange 2016 (server 'mbx1'",
        ),
        (
            "protocols: [https, mapi]",
            "protocols: [https, mapi]\n    ssl: [https]",
            16,
            "protocol 'https' has no SSL variant in Exchange 2016",
        ),
        (
            "  dc1: {address: 10.1.0.5, site: HQ}",
            "  dc1: {address: 10.1.0.5, site: HQ, colour: red}",
            11,
            "unknown key 'colour' in domain controller 'dc1'",
        ),
        ("  dc1: {address: 10.1.0.5, site: HQ}", "  dc1: {site: HQ}", 11, "has no address"),
        (
            "  dc1: {address: 10.1.0.5, site: HQ}",
            '  dc1: {address: 10.1.0.5, site: HQ, os: "2001"}',
            11,
            "unknown os '2001' for domain controller 'dc1'",
        ),
        (
            "  dc1: {address: 10.1.0.5, site: HQ}",
            "  dc1: {address: 10.1.0.5, site: HQ, rpc_ports: {mta: 5000}}",
            11,
            "unknown key 'mta' in domain controller 'dc1' rpc_ports (allowed: nspi, ntds)",
        ),
        (
            "  dc1: {address: 10.1.0.5, site: HQ}",
            "  mbx1: {address: 10.1.0.5, site: HQ}",
            11,
            "duplicate name 'mbx1'",
        ),
        (
            "clients:",
            "internal: [lan, nowhere]\nclients:",
            12,
            "unknown name 'nowhere' in internal",
        ),
    ],
)
def test_errors_name_file_line_and_version(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in NEW
    path = write(tmp_path, NEW.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_topology(path)
    assert info.value.file == path
    assert info.value.line == line, str(info.value)
    assert message in info.value.message, info.value.message


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        (
            "protocols: [pop3, mapi]",
            "protocols: [pop3, https]",
            18,
            "protocol 'https' does not exist in Exchange 5.5 (server 'ex-hq-1'",
        ),
        (
            "clients:",
            "domain_controllers:\n  dc1: {address: 10.1.0.5, site: HQ}\nclients:",
            16,
            "Exchange 5.5 works with no domain controllers",
        ),
        (
            "  ex-hq-2: {address: 10.1.0.11, site: HQ}",
            "  ex-hq-2: {address: 10.1.0.11, site: HQ, role: mailbox}",
            13,
            "Exchange 5.5 has no server roles",
        ),
    ],
)
def test_a_version_without_the_feature_names_the_version(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_topology(path)
    assert info.value.line == line, str(info.value)
    assert message in info.value.message, info.value.message


@pytest.mark.parametrize("ctype", ["x400", "rpc", "smtp"])
def test_connectors_on_2016_are_input_errors(tmp_path: Path, ctype: str) -> None:
    text = NEW.replace(
        '  fe1: {address: 10.1.0.21, site: OLD, exchange: "2003", role: front-end}',
        "  mbx2: {address: 10.1.0.21, site: BR}",
    )
    text = text.replace(
        "clients:", f"connectors:\n  - {{between: [HQ, BR], type: {ctype}}}\nclients:"
    )
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_topology(path)
    assert info.value.line == 13
    assert (
        f"connector type {ctype!r} does not exist in Exchange 2016 (servers 'mbx1' and 'mbx2'; "
        "types: none)" in info.value.message
    )


def test_a_2003_and_a_55_site_use_the_55_connector_rules(tmp_path: Path) -> None:
    text = NEW.replace(
        '  fe1: {address: 10.1.0.21, site: OLD, exchange: "2003", role: front-end}',
        '  ex55: {address: 10.1.0.21, site: LEGACY, exchange: "5.5"}',
    )
    text = text.replace(
        "clients:", "connectors:\n  - {between: [OLD, LEGACY], type: rpc}\nclients:"
    )
    topo = load_topology(write(tmp_path, text))  # rpc is a 5.5 connector type: accepted
    assert topo.connectors[0].type == "rpc"
