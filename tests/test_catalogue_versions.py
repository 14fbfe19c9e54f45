"""The Exchange 2000/2003 and 2013+ catalogues load and say what the research says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from exaudit.core.errors import InputError
from exaudit.exchange.catalogue import (
    VERIFIED,
    available,
    load_catalogue,
    parse_catalogue,
    rules_dir,
)


def ports(reqs: tuple) -> list:
    return [r.port for r in reqs]


def test_every_version_is_available() -> None:
    assert {"5.5", "2000", "2003", "2013", "2016", "2019", "SE"} <= set(available())
    assert load_catalogue("2000") is load_catalogue("2003")
    assert load_catalogue("SE") is load_catalogue("2016")


def test_2003_facts() -> None:
    cat = load_catalogue("2003")
    cp = cat.client_protocols
    assert cat.roles == ("front-end", "back-end") and cat.default_role == "back-end"
    assert ports(cp["mapi"].needs(False)) == [
        135,
        "rpc.information_store",
        "rpc.rfr",
        "rpc.nspi",
        135,
        "dc.nspi",
    ]
    assert ports(cp["rpc-over-http"].needs(False)) == [443]
    assert {
        (rf.requirement.port, rf.when) for rf in cat.role_flows if rf.when == ("rpc-over-http",)
    } == {
        (6001, ("rpc-over-http",)),
        (6002, ("rpc-over-http",)),
        (6004, ("rpc-over-http",)),
    }
    assert ports(cat.dc_flows) == [53, 88, 135, 389, 445, 3268, "dc.ntds"]
    assert ports(cat.intrasite) == [691]
    assert ports(cat.connectors["x400"]) == ["rfc1006"]
    assert {(p.plaintext, p.ssl) for p in cat.ssl_pairs} == {
        (110, 995),
        (143, 993),
        (389, 636),
        (3268, 3269),
        (80, 443),
    }
    assert cat.coexists_with == {"5.5": "E2K3_PORTS"}
    assert cat.distinct_ports == "KB270836"
    assert cat.windows is not None and cat.windows.dynamic["2003"] == (1024, 65535)
    assert cat.windows.dynamic["2008"] == (49152, 65535)


def test_2016_facts() -> None:
    cat = load_catalogue("2019")
    cp = cat.client_protocols
    assert cat.roles == ("mailbox", "edge") and cat.default_role == "mailbox"
    assert {p: ports(cp[p].needs(False)) for p in ("https", "http", "submission", "smtp")} == {
        "https": [443],
        "http": [80],
        "submission": [587],
        "smtp": [25],
    }
    assert ports(cp["mapi"].needs(False)) == [443] and "RPC over TCP" in cp["mapi"].note
    assert ports(cp["pop3"].needs(True)) == [995] and ports(cp["imap4"].needs(True)) == [993]
    pairs = {(p.plaintext, p.ssl) for p in cat.ssl_pairs}
    assert (80, 443) in pairs and (3268, 3269) in pairs
    assert not any(p.plaintext == 25 or p.ssl == 465 for p in cat.ssl_pairs)  # EX_RECV
    assert not cat.intrasite and not cat.connectors and not cat.dc_flows
    assert cat.unrestricted is not None and cat.unrestricted.source == "EXNP_2016"
    assert [p.port for p in cat.internal_ports] == [465, 2525, 717, 475, 50389]
    assert {rf.requirement.port for rf in cat.role_flows} == {25, 50636}
    assert cat.version_confidence == {"2013": "partial", "SE": "inferred"}
    assert cat.ephemeral == (49152, 65535)


@pytest.mark.parametrize("version", ["5.5", "2003", "2016"])
def test_every_entry_cites_a_known_source(version: str) -> None:
    cat = load_catalogue(version)
    for req in cat.requirements():
        assert req.source in cat.sources, req.id
        assert req.confidence in ("verified", "partial", "inferred", "unverified")
    for kind in cat.port_kinds.values():
        assert kind.source in cat.sources


def test_marked_entries_are_the_researchs() -> None:
    marked = {
        (v, r.id, r.confidence)
        for v in ("2003", "2016")
        for r in load_catalogue(v).requirements()
        if r.confidence != VERIFIED
    }
    assert marked == {
        ("2003", "pop3-ssl", "partial"),
        ("2003", "nntp", "partial"),
        ("2003", "mapi-gc-epm", "partial"),
        ("2003", "mapi-gc-nspi", "partial"),
        ("2003", "fe-be-pop3", "partial"),
        ("2003", "fe-be-imap4", "partial"),
        ("2003", "fe-be-smtp", "partial"),
        ("2003", "dc-logon", "partial"),
    }


def test_readme_lists_every_marked_entry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for v in ("2003", "2016"):
        cat = load_catalogue(v)
        for r in cat.requirements():
            if r.confidence != VERIFIED:
                assert f"`{r.id}` ({r.confidence}, {r.source})" in readme, r.id
        for version, level in cat.version_confidence.items():
            assert f"Exchange {version}: {level}" in readme


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "owner: server, field: rpc_ports.rfr",
            "owner: client, field: rpc_ports.rfr",
            "'owner' is one of",
        ),
        ("port: rpc.rfr,", "port: rpc.bogus,", "unknown port name 'rpc.bogus'"),
        ("confidence: partial}", "confidence: maybe}", "unknown confidence 'maybe'"),
        ("default_role: back-end", "default_role: middle", "default_role 'middle' is not a role"),
        (
            "from_role: front-end, to_role: back-end, port: 80",
            "from_role: front-end, to_role: hub, port: 80",
            "unknown role 'hub'",
        ),
        ('  default: "2003"', '  default: "1995"', "windows.default '1995'"),
    ],
)
def test_catalogue_errors_name_the_line(old: str, new: str, message: str) -> None:
    text = (rules_dir() / "exchange-2003.yaml").read_text()
    assert old in text
    with pytest.raises(InputError, match=message) as info:
        parse_catalogue(text.replace(old, new, 1), "x.yaml")
    assert info.value.file == "x.yaml" and info.value.line


def test_catalogues_load_the_same_from_an_installed_layout(tmp_path: Path) -> None:
    """The wheel force-includes rules/ as exaudit/rules: versions resolve the same there."""
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "exaudit", site / "exaudit", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "rules", site / "exaudit" / "rules")
    code = (
        "from exaudit.exchange.catalogue import load_catalogue, rules_dir\n"
        "print(rules_dir())\n"
        "print(sorted({v: load_catalogue(v).exchange for v in "
        "['5.5', '2000', '2003', '2013', '2016', '2019', 'SE']}.items()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == str(site / "exaudit" / "rules")
    assert out[1] == str(
        sorted(
            {
                "5.5": "5.5",
                "2000": "2003",
                "2003": "2003",
                "2013": "2016",
                "2016": "2016",
                "2019": "2016",
                "SE": "2016",
            }.items()
        )
    )
