"""Inline suppressions in each config syntax, and EXA003 for those that match nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from exaudit import platforms
from exaudit.checks.selection import checks_for, enabled_checks
from exaudit.cli import main
from exaudit.core.findings import Finding, Location, Severity
from exaudit.platforms.api import CommentSyntax
from exaudit.platforms.comments import HASH
from exaudit.review.suppress import scan_text, triage

CASE = FIXTURES / "cases" / "exa201-over-broad-ephemeral-range"
WIDE = "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 1024:65535 -j ACCEPT"


def iptables_ready() -> bool:
    try:
        return hasattr(platforms.get("iptables"), "parse")
    except Exception:
        return False


# (platform, config text, [(directive line, target line, selectors, reason)])
SCAN_CASES = [
    (
        "iptables",
        "# exaudit: ignore[EXA201] legacy RPC range\n-A FORWARD -j ACCEPT\n",
        [(1, 2, ("EXA201",), "legacy RPC range")],
    ),
    (
        "iptables",
        "# exaudit: ignore[EXA201]\n# another comment\n\n-A FORWARD -j ACCEPT\n",
        [(1, 4, ("EXA201",), "")],
    ),
    (
        "iptables",
        "-A FORWARD -j ACCEPT  # exaudit: ignore[EXA201, EXA3] shell script\n",
        [(1, 1, ("EXA201", "EXA3"), "shell script")],
    ),
    (
        "iptables",
        '-A FORWARD -m comment --comment "exaudit: ignore[EXA201] kept by '
        'iptables-save" -j ACCEPT\n',
        [(1, 1, ("EXA201",), "kept by iptables-save")],
    ),
    (
        "iptables",
        "-A FORWARD -m comment --comment exaudit:ignore[EXA201] -j ACCEPT\n",
        [(1, 1, ("EXA201",), "")],
    ),
    ("iptables", "# see exaudit: the docs\n-A FORWARD -j ACCEPT\n", []),
    (
        "iptables",
        "-A FORWARD -j ACCEPT\n# exaudit: ignore[EXA201] dangling\n",
        [(2, None, ("EXA201",), "dangling")],
    ),
    (
        "pf",
        "pass in quick proto tcp to 10.1.0.10 port 1024:65535 "
        "# exaudit: ignore[over-broad-ephemeral-range] ok\n",
        [(1, 1, ("over-broad-ephemeral-range",), "ok")],
    ),
    (
        "pf",
        "# exaudit: ignore[EXA201] ok\npass in proto tcp to any port 1024:65535\n",
        [(1, 2, ("EXA201",), "ok")],
    ),
    (
        "ios",
        "access-list 101 remark exaudit: ignore[EXA101] branch moves to SSL\n"
        "access-list 101 deny tcp any host 10.1.0.10 eq 110\n",
        [(1, 2, ("EXA101",), "branch moves to SSL")],
    ),
    (
        "ios",
        "ip access-list extended FROM-LAN\n remark exaudit: ignore[EXA201] ticket 7\n"
        " remark permit the RPC range\n permit tcp any host 10.1.0.10 gt 1023\n",
        [(2, 4, ("EXA201",), "ticket 7")],
    ),
    (
        "ios",
        "! exaudit: ignore[EXA101] known\n!\ninterface Gi0/1\n",
        [(1, 3, ("EXA101",), "known")],
    ),
    (
        "asa",
        "access-list OUTSIDE line 3 remark exaudit: ignore[EXA201] vendor app\n"
        "access-list OUTSIDE extended permit tcp any host 10.1.0.10 range 1024 65535\n",
        [(1, 2, ("EXA201",), "vendor app")],
    ),
    (
        "asa",
        "access-list OUTSIDE extended permit tcp any any # exaudit: ignore[EXA201]\n",
        [],
    ),  # Cisco has no trailing comments
    (
        "topology",
        "servers:\n  ex1:\n    # exaudit: ignore[EXA402] moving in Q3\n"
        "    rpc_ports: {directory: 1600}\n",
        [(3, 4, ("EXA402",), "moving in Q3")],
    ),
    (
        "topology",
        "    rpc_ports: {directory: 1600}  # exaudit: ignore[EXA402] later\n",
        [(1, 1, ("EXA402",), "later")],
    ),
]


def _syntax(platform: str) -> CommentSyntax:
    return HASH if platform == "topology" else platforms.get(platform).comments


@pytest.mark.parametrize(
    "platform, text, expected", SCAN_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(SCAN_CASES)]
)
def test_scan(
    platform: str, text: str, expected: list[tuple[int, int | None, tuple[str, ...], str]]
) -> None:
    got = [
        (s.line, s.target, s.selectors, s.reason)
        for s in scan_text(text, "fw.cfg", _syntax(platform))
    ]
    assert got == expected


@pytest.mark.parametrize(
    "selector, codes",
    [
        ("EXA201", {"EXA201"}),
        ("exa201", {"EXA201"}),
        ("over-broad-ephemeral-range", {"EXA201"}),
        ("EXA20", {"EXA201", "EXA202", "EXA203", "EXA204"}),
        ("EXA4", {"EXA401", "EXA402", "EXA403", "EXA404"}),
        ("EXA9", None),
        ("bogus", None),
    ],
)
def test_selectors(selector: str, codes: set[str] | None) -> None:
    assert checks_for(selector) == codes


def finding(check: str, line: int | None, file: str = "fw.rules") -> Finding:
    return Finding(
        check,
        "x",
        Severity.WARNING,
        "fw",
        Location(file, line) if line else None,
        f"{check} at {line}",
        text=f"rule {line}",
    )


def test_triage_suppresses_reports_unused_and_keeps_fingerprints() -> None:
    text = (
        "# exaudit: ignore[EXA201] wide on purpose\nrule 2\n"
        "# exaudit: ignore[EXA301,EXA999] nothing here\nrule 4\n"
        "# exaudit: ignore[EXA101] not selected\nrule 6\n"
    )
    findings = [finding("EXA201", 2), finding("EXA201", 4), finding("EXA101", None)]
    enabled = enabled_checks([], ["EXA101"])
    before = triage(findings, enabled_checks([], []), [])
    result = triage(
        findings, enabled, scan_text(text, "fw.rules", platforms.get("iptables").comments, "fw")
    )
    assert [
        (s.finding.location.line, s.kind, s.justification, s.where.line) for s in result.suppressed
    ] == [(2, "inline", "wide on purpose", 1)]
    active = [
        (f.check, f.location.line if f.location else None, f.message) for f in result.findings
    ]
    assert active == [
        ("EXA003", 3, "suppression names 'EXA999', which is no known check"),
        ("EXA003", 3, "suppression of EXA301 matches no finding on line 4"),
        ("EXA201", 4, "EXA201 at 4"),
    ]  # EXA101 is not selected, so its suppression is not judged
    assert all(f.firewall == "fw" for f in result.findings)
    kept = {f.message: fp for f, fp in result.active}
    assert kept["EXA201 at 4"] == {f.message: fp for f, fp in before.active}["EXA201 at 4"]


def test_unused_suppressions_are_not_reported_when_exa003_is_ignored() -> None:
    text = "# exaudit: ignore[EXA301]\nrule 2\n"
    result = triage(
        [],
        enabled_checks([], ["unused-suppression"]),
        scan_text(text, "fw.rules", platforms.get("iptables").comments),
    )
    assert result.findings == []


def run_case(
    site: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, Any]]:
    old = os.getcwd()
    os.chdir(site)
    try:
        code = main(["audit", "topology.yaml", "--isolated", "--format", "json", *args])
    finally:
        os.chdir(old)
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    shutil.copytree(CASE, tmp_path / "site")
    return tmp_path / "site"


def rules(site: Path, *lines: str) -> None:
    head = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    body = (
        "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
        "-A FORWARD -i eth1 -o eth2 -p tcp -m multiport --dports 25,995 -j ACCEPT\n"
    )
    (site / "fw.rules").write_text(head + body + "".join(x + "\n" for x in lines) + "COMMIT\n")


@pytest.mark.parametrize(
    "lines",
    [
        ("# exaudit: ignore[EXA201] legacy client needs it", WIDE),
        ("# exaudit: ignore[over-broad-ephemeral-range] legacy client needs it", "# why", WIDE),
        (
            WIDE.replace(
                " -j ACCEPT",
                ' -m comment --comment "exaudit: ignore[EXA2] legacy client needs it" -j ACCEPT',
            ),
        ),
    ],
)
def test_inline_suppression_end_to_end(
    site: Path, lines: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    rules(site, *lines)
    code, report = run_case(site, capsys, "--fail-on", "warning")
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["suppressed"] == 1
    (item,) = report["suppressed"]
    assert item["check"] == "EXA201" and item["location"]["line"] == 6 + len(lines)
    assert item["suppression"]["kind"] == "inline"
    assert item["suppression"]["justification"] == "legacy client needs it"


def test_unused_suppression_end_to_end(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules(
        site,
        "# exaudit: ignore[EXA201] was wide once",
        "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 135 -j ACCEPT",
    )
    # tcp/135 is required by no flow of the case: EXA204 would report it; not the point here
    code, report = run_case(site, capsys, "--fail-on", "warning", "--ignore", "EXA204")
    assert code == 1
    (f,) = report["findings"]
    assert f["check"] == "EXA003" and f["name"] == "unused-suppression"
    assert f["firewall"] == "fw"
    assert f["location"] == {"file": "fw.rules", "line": 7}
    assert f["message"] == "suppression of EXA201 matches no finding on line 8"
    code, report = run_case(
        site, capsys, "--fail-on", "warning", "--ignore", "EXA201", "--ignore", "EXA204"
    )
    assert code == 0 and report["findings"] == []


def test_topology_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "cases" / "topology-checks", site)
    topo = site / "topology.yaml"
    lines = topo.read_text().splitlines()
    assert lines[8].strip().startswith("rpc_ports")
    lines[8] += "  # exaudit: ignore[EXA402] renumbered next quarter"
    topo.write_text("\n".join(lines) + "\n")
    code, report = run_case(site, capsys)
    # EXA701: the case declares no firewall
    assert [f["check"] for f in report["findings"]] == ["EXA701", "EXA202", "EXA401"]
    assert report["suppressed"][0]["check"] == "EXA402"
    assert code == 1


def test_suppressions_in_a_pf_include_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Suppressions are read from every file the parser read, not only the main one."""
    (tmp_path / "part.conf").write_text(
        "# exaudit: ignore[EXA001] a vendor extension\nfrobnicate the packets\n"
    )
    main_file = tmp_path / "pf.conf"
    main_file.write_text('block all\ninclude "part.conf"\n')
    code = main(["lint", str(main_file), "--platform", "pf", "--format", "json", "--isolated"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(f["check"], f["location"]["line"]) for f in report["suppressed"]] == [("EXA001", 2)]
    assert report["suppressed"][0]["location"]["file"].endswith("part.conf")
    assert not [f for f in report["findings"] if f["check"] in ("EXA001", "EXA003")]
