"""``exaudit diff``: what a change does, against a git revision or a directory of old files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from exaudit import platforms
from exaudit.cli import main

CASE = FIXTURES / "cases" / "exa201-over-broad-ephemeral-range"
HEAD = (
    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    "# replies\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
)
MAIL = "-A FORWARD -i eth1 -o eth2 -p tcp -m multiport --dports 25,995 -j ACCEPT\n"
WIDE = "-A FORWARD -i eth1 -o eth2 -d 10.1.0.10 -p tcp --dport 1024:65535 -j ACCEPT\n"
BLOCK = "-A FORWARD -i eth1 -o eth2 -p tcp --dport 995 -j DROP\n"


def iptables_ready() -> bool:
    try:
        return hasattr(platforms.get("iptables"), "parse")
    except Exception:
        return False


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=exaudit",
            "-c",
            "user.email=exaudit@example.org",
            "-c",
            "commit.gpgsign=false",
            "-C",
            str(repo),
            *args,
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "net").mkdir(parents=True)
    shutil.copy(CASE / "topology.yaml", root / "net" / "topology.yaml")
    (root / "net" / "fw.rules").write_text(HEAD + "# mail for the LAN\n" + MAIL + "COMMIT\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "firewall as deployed")
    return root


def rules(repo: Path, body: str) -> None:
    (repo / "net" / "fw.rules").write_text(HEAD + body + "COMMIT\n")


def diff(
    repo: Path, capsys: pytest.CaptureFixture[str], *args: str, fmt: str = "json"
) -> tuple[int, Any]:
    old = os.getcwd()
    os.chdir(repo)
    try:
        code = main(["diff", "net/topology.yaml", "--isolated", "--format", fmt, *args])
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    return code, json.loads(out) if fmt in ("json", "sarif") else out


def test_blocking_pop3_ssl(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules(repo, "# mail for the LAN\n" + BLOCK + MAIL)
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 1
    (flow,) = data["flows"]
    assert flow["firewall"] == "fw" and flow["change"] == "newly blocked"
    assert (flow["flow"]["id"], flow["flow"]["port"]) == ("pop3-ssl", 995)
    assert flow["before"] == {"status": "permit", "lines": [6, 8]}
    assert flow["after"] == {"status": "deny", "lines": [8]}
    (finding,) = data["introduced"]
    assert finding["check"] == "EXA101" and finding["location"]["line"] == 8
    assert finding["line_before"] is None  # the DROP line is new
    assert data["resolved"] == []
    by_text = {r["text"]: r for r in data["rules"]}
    drop = by_text[BLOCK.strip()]
    assert (drop["before_line"], drop["after_line"]) == (None, 8)
    assert drop["after"] == ["deny pop3-ssl lan -> ex1 (eth1 -> eth2)"]
    permit = by_text[MAIL.strip()]
    assert (permit["before_line"], permit["after_line"]) == (8, 9)
    assert permit["before"] == ["permit pop3-ssl lan -> ex1 (eth1 -> eth2)"]
    assert permit["after"] == []
    replies = by_text["-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"]
    assert replies["before"] == ["permit replies of pop3-ssl lan -> ex1 (eth1 -> eth2)"]
    assert len(data["rules"]) == 3


def test_opening_the_ephemeral_range(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules(repo, "# mail for the LAN\n" + MAIL + "# legacy RPC\n" + WIDE)
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 0  # a warning does not fail at the default --fail-on error
    assert data["flows"] == [] and data["rules"] == [] and data["resolved"] == []
    (finding,) = data["introduced"]
    assert finding["check"] == "EXA201" and finding["location"]["line"] == 10
    assert data["summary"]["introduced"] == {"error": 0, "warning": 1, "info": 0}
    code, _ = diff(repo, capsys, "--before", "HEAD", "--fail-on", "warning")
    assert code == 1
    code, doc = diff(repo, capsys, "--before", "HEAD", fmt="sarif")
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "EXA201" and result["baselineState"] == "new"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "net/fw.rules"
    assert loc["region"]["startLine"] == 10
    # the change committed, compared with the commit before
    git(repo, "commit", "-q", "-am", "open the RPC range")
    code, data = diff(repo, capsys, "--before", "HEAD~1", "--fail-on", "warning")
    assert code == 1 and [f["check"] for f in data["introduced"]] == ["EXA201"]
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 0 and data["introduced"] == []


def test_reordering_comments_reports_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "net" / "fw.rules").write_text(
        "# fw: reviewed\n\n"
        + HEAD.replace("# replies\n", "")
        + MAIL
        + "# replies are accepted above\n# mail for the LAN\nCOMMIT\n"
    )
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 0
    assert (data["flows"], data["introduced"], data["resolved"], data["rules"]) == ([], [], [], [])
    code, text = diff(repo, capsys, "--before", "HEAD", fmt="text")
    assert code == 0 and "No change" in text


def test_resolving_a_finding_with_both_lines(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules(repo, "# mail for the LAN\n" + MAIL + WIDE)
    git(repo, "commit", "-q", "-am", "wide")
    rules(repo, "# tidy\n# mail for the LAN\n" + MAIL)
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 0
    (gone,) = data["resolved"]
    assert gone["check"] == "EXA201" and gone["location"] == {"file": "net/fw.rules", "line": 9}
    assert gone["line_after"] is None
    code, text = diff(repo, capsys, "--before", "HEAD", fmt="text")
    assert "Findings resolved:" in text and "net/fw.rules:9" in text


def test_before_as_a_directory(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(repo / "net" / "fw.rules", old / "fw.rules")  # no topology: the same one
    rules(repo, "# mail for the LAN\n" + BLOCK + MAIL)
    code, data = diff(repo, capsys, "--before", str(old))
    assert code == 1 and [f["change"] for f in data["flows"]] == ["newly blocked"]
    code, text = diff(repo, capsys, "--before", str(old), fmt="text")
    assert code == 1
    assert (
        "fw  pop3-ssl tcp/995 lan -> ex1 (eth1 -> eth2): newly blocked: "
        "permit (lines 6, 8) -> deny (lines 8)" in text
    )
    assert "  fw  line - -> 8: " + BLOCK.strip() in text


@pytest.mark.parametrize(
    "before, message",
    [
        ("no-such-rev", "is neither a directory nor a revision"),
    ],
)
def test_bad_before(
    repo: Path, before: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", str(repo / "net" / "topology.yaml"), "--isolated", "--before", before])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_old_errors_name_the_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "net" / "fw.rules").rename(repo / "net" / "edge.rules")
    topo = repo / "net" / "topology.yaml"
    topo.write_text(topo.read_text().replace("config: fw.rules", "config: edge.rules"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "rename")
    code, data = diff(repo, capsys, "--before", "HEAD~1")
    assert code == 0 and data["introduced"] == [] and data["flows"] == []
    (repo / "net" / "other.yaml").write_text("version: 1\n")
    code = main(["diff", str(repo / "net" / "other.yaml"), "--isolated", "--before", "HEAD"])
    err = capsys.readouterr().err
    assert code == 2 and "HEAD:net/other.yaml" in err and "does not exist" in err


def test_config_in_a_sibling_directory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Old files keep the paths their new versions have, wherever they sit in the repo."""
    (repo / "rules").mkdir()
    (repo / "net" / "fw.rules").rename(repo / "rules" / "fw.rules")
    topo = repo / "net" / "topology.yaml"
    topo.write_text(topo.read_text().replace("config: fw.rules", "config: ../rules/fw.rules"))
    (repo / "rules" / "fw.rules").write_text(HEAD + MAIL + WIDE + "COMMIT\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "move the rules")
    (repo / "rules" / "fw.rules").write_text(HEAD + MAIL + "COMMIT\n")
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 0
    (gone,) = data["resolved"]
    assert gone["location"] == {"file": "rules/fw.rules", "line": 8}
    assert data["introduced"] == []


def test_a_denied_part_that_moves_is_a_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same status before and after ("partly denied") but other sources denied."""
    deny = "-A FORWARD -i eth1 -s {} -p tcp --dport 995 -j DROP\n"
    rules(repo, "# mail for the LAN\n" + deny.format("10.10.66.0/24") + MAIL)
    git(repo, "commit", "-qam", "one subnet without POP3S")
    rules(repo, "# mail for the LAN\n" + deny.format("10.10.77.0/24") + MAIL)
    code, data = diff(repo, capsys, "--before", "HEAD")
    (flow,) = [f for f in data["flows"] if f["flow"]["id"] == "pop3-ssl"]
    assert flow["change"] == "denied for other sources"
    assert flow["before"]["status"] == flow["after"]["status"] == "partly denied"
    assert flow["before"]["denied"] == ["10.10.66.0/24"]
    assert flow["after"]["denied"] == ["10.10.77.0/24"]
    code, text = diff(repo, capsys, "--before", "HEAD", fmt="text")
    assert (
        "denied for other sources: partly denied (lines 6, 8, 9) for 10.10.66.0/24 -> "
        "partly denied (lines 6, 8, 9) for 10.10.77.0/24" in text
    )


def test_editing_a_rule_changes_its_findings_not_introduce_them(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules(repo, "# mail for the LAN\n" + MAIL + WIDE)
    git(repo, "commit", "-qam", "the whole ephemeral range")
    edited = WIDE.replace("-j ACCEPT", '-m comment --comment "RPC, ticket 7" -j ACCEPT')
    rules(repo, "# mail for the LAN\n" + MAIL + edited)
    code, data = diff(repo, capsys, "--before", "HEAD")
    assert code == 0
    assert data["introduced"] == [] and data["resolved"] == []
    (pair,) = data["changed"]
    assert pair["before"]["check"] == pair["after"]["check"] == "EXA201"
    assert "ticket 7" in pair["after"]["text"] and "ticket 7" not in pair["before"]["text"]
    assert data["summary"]["changed"] == 1
