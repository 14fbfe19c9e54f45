"""The baseline: written from an audit, matched by fingerprint across shifted lines."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from exaudit import platforms
from exaudit.cli import main


def iptables_ready() -> bool:
    try:
        return hasattr(platforms.get("iptables"), "parse")
    except Exception:
        return False


@pytest.fixture
def site(tmp_path: Path) -> Path:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    shutil.copytree(FIXTURES / "example", tmp_path / "site")
    return tmp_path / "site"


def audit(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    old = os.getcwd()
    os.chdir(site)
    try:
        code = main(["audit", "topology.yaml", "--isolated", "--format", "json", *args])
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def edit(path: Path, before: str, new_lines: list[str]) -> None:
    """Insert ``new_lines`` before the first line that starts with ``before``."""
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(before))
    path.write_text("\n".join(lines[:at] + new_lines + lines[at:]) + "\n")


def test_write_then_use_the_baseline(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, first, _ = audit(site, capsys)
    assert code == 1 and first["findings"]
    code, report, err = audit(site, capsys, "--write-baseline", "exaudit-baseline.json")
    assert code == 0 and report["findings"] == []
    assert f"wrote {len(first['findings'])} finding(s)" in err
    data = json.loads((site / "exaudit-baseline.json").read_text())
    assert data["schema"] == "exaudit.baseline/1"
    assert [e["fingerprint"] for e in data["findings"]] == [
        f["fingerprint"] for f in first["findings"]
    ]
    lines = (site / "exaudit-baseline.json").read_text().splitlines()
    assert len(lines) == len(first["findings"]) + 2  # one entry per line

    code, report, _ = audit(
        site, capsys, "--baseline", "exaudit-baseline.json", "--fail-on", "info"
    )
    assert code == 0 and report["findings"] == []
    assert report["summary"]["suppressed"] == len(first["findings"])
    assert {s["suppression"]["kind"] for s in report["suppressed"]} == {"baseline"}


def test_baseline_survives_shifted_lines_and_catches_new_findings(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit(site, capsys, "--write-baseline", "base.json")
    config = site / "configs" / "hq-edge.rules"
    edit(config, "*filter", ["# reviewed 2024-05", "# owner: network team", ""])
    edit(
        config,
        "-A HQ-CLIENTS -p tcp --dport 993 -j ACCEPT",
        ["-A HQ-CLIENTS -d 10.1.0.10/32 -p tcp --dport 993 -j DROP"],
    )
    code, report, _ = audit(site, capsys, "--baseline", "base.json")
    assert code == 1
    assert [(f["check"], f["flow"]["dst"], f["location"]["line"]) for f in report["findings"]] == [
        ("EXA101", "ex-hq-1", 24)
    ]
    moved = [
        s
        for s in report["suppressed"]
        if s["location"] and s["location"]["file"].endswith("hq-edge.rules")
    ]
    assert moved and all(s["suppression"]["kind"] == "baseline" for s in moved)


def test_stale_baseline_entries_are_reported(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit(site, capsys, "--write-baseline", "base.json")
    config = site / "configs" / "hq-edge.rules"
    wide = "-A HQ-CLIENTS -d 10.1.0.11/32 -p tcp --dport 1024:65535 -j ACCEPT"
    config.write_text(config.read_text().replace(wide + "\n", ""))
    code, report, _ = audit(site, capsys, "--baseline", "base.json", "--fail-on", "warning")
    assert code == 1
    stale = [f for f in report["findings"] if f["check"] == "EXA003"]
    assert len(stale) == 1
    assert stale[0]["location"]["file"] == "base.json"
    entry_line = stale[0]["location"]["line"]
    entry = json.loads((site / "base.json").read_text().splitlines()[entry_line - 1].rstrip(","))
    assert entry["check"] == "EXA201" and entry["line"] == 25
    assert "EXA201" in stale[0]["message"]
    code, report, _ = audit(
        site, capsys, "--baseline", "base.json", "--ignore", "EXA201", "--fail-on", "warning"
    )
    assert not [f for f in report["findings"] if f["check"] == "EXA003"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not a baseline (bad JSON"),
        ('{"schema": "other"}', "not an exaudit baseline"),
        (
            '{"schema": "exaudit.baseline/1", "fingerprint": "v0", "findings": []}',
            "rewrite it with --write-baseline",
        ),
        (
            '{"schema": "exaudit.baseline/1", "fingerprint": "v1", "findings": [{}]}',
            "lacks 'fingerprint'",
        ),
    ],
)
def test_bad_baseline_is_an_input_error(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "base.json"
    path.write_text(content)
    topology = FIXTURES / "cases" / "topology-checks" / "topology.yaml"
    code = main(["audit", str(topology), "--isolated", "--baseline", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"exaudit: error: {path}") and message in err
    assert err.count("\n") == 1


def test_baseline_without_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Topology findings have fingerprints too: they can be baselined."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "cases" / "topology-checks", site)
    code, report, _ = audit(site, capsys, "--write-baseline", "b.json")
    # EXA701 (no firewall declared), EXA402, EXA202, EXA401
    assert code == 0 and report["summary"]["suppressed"] == 4
    topo = site / "topology.yaml"
    topo.write_text("# moved down by a comment\n" + topo.read_text())
    code, report, _ = audit(site, capsys, "--baseline", "b.json", "--fail-on", "info")
    assert code == 0 and report["findings"] == []
    assert [s["location"]["line"] for s in report["suppressed"]] == [1, 10, 11, 23]
