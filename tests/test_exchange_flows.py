"""Flows of Exchange 2000 and later: roles, domain controllers, Windows ranges, coexistence."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_topology import write
from test_topology_versions import NEW

from exaudit.exchange.flows import Flow, derive_flows
from exaudit.exchange.flows_more import undetermined_pairs, unrestricted_pairs
from exaudit.exchange.topology import load_topology

FE_BE = """\
version: 1
exchange: "2003"
networks:
  internet: [0.0.0.0/0]
servers:
  fe1: {address: 192.168.5.10, site: HQ, role: front-end}
  be1: {address: 10.1.0.20, site: HQ, rpc_ports: {information_store: 5100, rfr: 5101}}
  be2: {address: 10.1.0.21, site: BR, os: "2008"}
domain_controllers:
  dc1: {address: 10.1.0.5, site: HQ, rpc_ports: {ntds: 5200}}
  dc2: {address: 10.2.0.5, site: ELSEWHERE}
clients:
  - from: internet
    to: [fe1]
    protocols: PROTOCOLS
  - from: 10.10.0.0/16
    to: [be1, be2]
    protocols: [mapi]
"""


def flows_of(tmp_path: Path, text: str) -> list[Flow]:
    return derive_flows(load_topology(write(tmp_path, text)))


def table(flows: list[Flow]) -> set[tuple[str, str, str, str]]:
    return {(f.id, f.src_label, f.dst.name, f.port_label) for f in flows}


@pytest.mark.parametrize(
    "protocols, present, absent",
    [
        ("[https]", {("fe-be-http", "80")}, {"fe-be-pop3", "rpc-proxy-store"}),
        ("[pop3]", {("fe-be-pop3", "110")}, {"fe-be-http", "fe-be-imap4"}),
        ("[imap4, smtp]", {("fe-be-imap4", "143"), ("fe-be-smtp", "25")}, {"fe-be-pop3"}),
        (
            "[rpc-over-http]",
            {
                ("rpc-proxy-store", "6001"),
                ("rpc-proxy-referral", "6002"),
                ("rpc-proxy-nspi", "6004"),
            },
            {"fe-be-http"},
        ),
    ],
)
def test_front_end_to_back_end_per_enabled_protocol(
    tmp_path: Path, protocols: str, present: set[tuple[str, str]], absent: set[str]
) -> None:
    got = table(flows_of(tmp_path, FE_BE.replace("PROTOCOLS", protocols)))
    fe_be = {(i, port) for i, src, dst, port in got if src == "fe1" and dst in ("be1", "be2")}
    assert present <= fe_be
    assert not {i for i, _ in fe_be} & absent
    # organisation scope: the front-end relays to every back-end, in any site
    assert {dst for i, src, dst, _ in got if src == "fe1" and i.startswith(("fe-be", "rpc-"))} == {
        "be1",
        "be2",
    }


def test_domain_controller_flows_and_pinned_ports(tmp_path: Path) -> None:
    got = table(flows_of(tmp_path, FE_BE.replace("PROTOCOLS", "[https]")))
    to_dc1 = {(i, port) for i, src, dst, port in got if src == "fe1" and dst == "dc1"}
    assert to_dc1 == {
        ("dc-dns", "53"),
        ("dc-kerberos", "88"),
        ("dc-epm", "135"),
        ("dc-ldap", "389"),
        ("dc-smb", "445"),
        ("dc-gc", "3268"),
        ("dc-logon", "5200"),  # KB 270836: pinned on the DC
    }
    # be2's site has no DC: it uses every DC; dc2's logon port is dynamic, 1024-65535
    # under the 2003 catalogue's default Windows
    assert ("dc-logon", "be2", "dc2", "1024-65535") in got
    assert ("dc-logon", "be2", "dc1", "5200") in got
    assert not any(dst == "dc2" and src in ("fe1", "be1") for _, src, dst, _ in got)


def test_mapi_on_2003_goes_to_the_back_end_and_its_global_catalog(tmp_path: Path) -> None:
    got = table(flows_of(tmp_path, FE_BE.replace("PROTOCOLS", "[https]")))
    mapi = {(i, dst, port) for i, src, dst, port in got if src == "10.10.0.0/16"}
    assert ("mapi-epm", "be1", "135") in mapi
    assert ("mapi-store", "be1", "5100") in mapi
    assert ("mapi-rfr", "be1", "5101") in mapi
    assert ("mapi-nspi", "be1", "1024-65535") in mapi  # unpinned, Windows 2003
    assert ("mapi-nspi", "be2", "49152-65535") in mapi  # unpinned, os: "2008" (KB 929851)
    assert ("mapi-gc-nspi", "dc1", "1024-65535") in mapi
    assert ("mapi-gc-epm", "dc1", "135") in mapi


def test_2016_flows(tmp_path: Path) -> None:
    text = NEW.replace(
        "    to: [mbx1]\n    protocols: [https, mapi]",
        "    to: [mbx1]\n    protocols: [https, mapi, submission, pop3, imap4]\n    ssl: [imap4]",
    )
    text = text.replace(
        "clients:", "clients:\n  - {from: 0.0.0.0/0, to: [edge1], protocols: [smtp]}"
    )
    got = table(flows_of(tmp_path, text))
    mbx = {(i, port) for i, src, dst, port in got if src == "lan" and dst == "mbx1"}
    assert mbx == {
        ("https", "443"),
        ("mapi-https", "443"),  # Outlook cannot use RPC over TCP against 2013+
        ("submission", "587"),
        ("pop3", "110"),
        ("imap4-ssl", "993"),
    }
    assert ("smtp", "0.0.0.0/0", "edge1", "25") in got
    assert ("edge-inbound", "edge1", "mbx1", "25") in got
    assert ("edge-outbound", "mbx1", "edge1", "25") in got
    assert ("edgesync", "mbx1", "edge1", "50636") in got
    # no computed ports between internal 2016 servers or to DCs: unrestricted instead
    assert not any(src == "mbx1" and dst == "dc1" for _, src, dst, _ in got)


def test_unrestricted_paths_are_2016_mailbox_servers_and_their_dcs(tmp_path: Path) -> None:
    text = NEW.replace(
        "  edge1: {address: 172.16.0.10, site: HQ, role: edge}",
        "  edge1: {address: 172.16.0.10, site: HQ, role: edge}\n"
        "  mbx2: {address: 10.1.0.11, site: BR}",
    )
    topo = load_topology(write(tmp_path, text))
    pairs = {(a.name, b.name) for a, b in unrestricted_pairs(topo)}
    assert pairs == {
        ("mbx1", "mbx2"),
        ("mbx2", "mbx1"),
        ("mbx1", "dc1"),
        ("dc1", "mbx1"),
        ("mbx2", "dc1"),
        ("dc1", "mbx2"),
    }


def test_mixed_versions_use_older_rules_or_are_undetermined(tmp_path: Path) -> None:
    text = NEW.replace(
        '  fe1: {address: 10.1.0.21, site: OLD, exchange: "2003", role: front-end}',
        '  ex55: {address: 10.1.0.21, site: OLD, exchange: "5.5"}\n'
        '  ex03: {address: 10.1.0.22, site: HQ, exchange: "2003"}',
    )
    topo = load_topology(write(tmp_path, text))
    got = table(derive_flows(topo))
    # 2003 with 5.5 in one site: the 5.5 intrasite rules (mixed mode), both ways
    for a, b in (("be1", "ex55"), ("ex55", "be1")):
        assert {i for i, s, d, _ in got if (s, d) == (a, b)} == {
            "intrasite-epm",
            "intrasite-directory",
            "intrasite-mta",
        }
    # 2003 with 2016 in one site: no rules, reported by EXA105
    groups = [
        ({s.name for s in u.a}, {s.name for s in u.b}, u.why, u.where)
        for u in undetermined_pairs(topo)
    ]
    assert groups == [({"mbx1", "edge1"}, {"ex03"}, "intrasite", "HQ")]
    assert not any(s == "ex03" and d in ("mbx1", "edge1") for _, s, d, _ in got)


@pytest.mark.parametrize(
    "os_line, port, flagged",
    [
        ("", 4000, True),
        ("", 5100, False),
        (', os: "2008"', 4000, False),
        (', os: "2008"', 50000, True),
    ],
)
def test_risky_static_port_follows_the_windows_generation(
    tmp_path: Path, os_line: str, port: int, flagged: bool
) -> None:
    from exaudit.analysis.context import AuditContext
    from exaudit.checks import BY_CODE

    text = FE_BE.replace("PROTOCOLS", "[https]").replace(
        "rpc_ports: {information_store: 5100, rfr: 5101}}",
        f"rpc_ports: {{information_store: {port}, rfr: 5101}}{os_line}}}",
    )
    topo = load_topology(write(tmp_path, text))
    found = list(BY_CODE["EXA402"].run(AuditContext(topo, derive_flows(topo), [])))
    assert bool(found) == flagged, found
