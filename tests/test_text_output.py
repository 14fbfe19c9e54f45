"""Text output a person can read at any size: width, groups, statistics, options."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from exaudit.cli import main

EXAMPLE = FIXTURES / "example"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], where: Path = EXAMPLE
) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(where)
    try:
        code = main([*args, "--isolated", "--no-cache"])
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("columns", [60, 80, 132])
def test_text_fits_the_terminal(
    columns: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    _, out, _ = run(["audit", "topology.yaml"], capsys)
    # the rule's own text and fix lines are shown whole (pasted as they are)
    long = [
        line
        for line in out.splitlines()
        if len(line) > columns and not line.lstrip().startswith(("fix:",))
    ]
    assert long == []


def test_findings_of_one_check_at_one_line_are_one_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(["audit", "topology.yaml"], capsys)
    _, data, _ = run(["audit", "topology.yaml", "--format", "json"], capsys)
    findings = json.loads(data)["findings"]
    at_line = [
        f
        for f in findings
        if f["check"] == "EXA103"
        and f["location"]["file"].endswith("ex-hq-1.rules")
        and f["location"]["line"] == 3
    ]
    assert len(at_line) == 4
    heads = [
        line
        for line in out.splitlines()
        if line.endswith("reply-traffic-blocked") and "ex-hq-1.rules:3 " in line
    ]
    assert len(heads) == 1
    assert "+ 3 more findings of this check at this line" in out


def test_each_check_says_once_how_to_learn_more(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["audit", "topology.yaml"], capsys)
    hints = re.findall(r"more: exaudit explain (EXA\d+)", out)
    assert hints and len(hints) == len(set(hints))


def test_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["audit", "topology.yaml", "--statistics"], capsys)
    _, data, _ = run(["audit", "topology.yaml", "--format", "json"], capsys)
    findings = json.loads(data)["findings"]
    expected = sum(1 for f in findings if f["check"] == "EXA101" and f["firewall"] == "hq-edge")
    row = next(line for line in out.splitlines() if "EXA101" in line and "hq-edge" in line)
    assert row.split()[0] == str(expected)
    assert "more: exaudit explain" not in out  # statistics, not the findings


def test_quiet_shows_the_findings_only(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run(["lint", "configs/hq-edge.rules", "-q"], capsys)
    assert out.startswith("== configs/hq-edge.rules ==")
    assert "fully understood" not in out and err == ""


def test_verbose_says_what_was_read_and_how_long(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(["audit", "topology.yaml", "-v", "--jobs", "1"], capsys)
    assert re.search(
        r"hq-edge: configs/hq-edge.rules \(iptables, 20 rules, \d+ crossings\): "
        r"parse [\d.]+ s, evaluate [\d.]+ s, checks [\d.]+ s",
        err,
    )


@pytest.mark.parametrize(
    "env, option, coloured",
    [
        ({}, "always", True),
        ({"FORCE_COLOR": "1"}, "auto", True),
        ({}, "auto", False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "auto", False),
        ({"FORCE_COLOR": "1"}, "never", False),
    ],
)
def test_colour(
    env: dict[str, str],
    option: str,
    coloured: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _, out, _ = run(["audit", "topology.yaml", "--color", option], capsys)
    assert bool(ANSI.search(out)) == coloured


def test_several_formats_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif = tmp_path / "x.sarif"
    code, out, _ = run(
        ["audit", "topology.yaml", "--format", f"sarif:{sarif}", "--format", "json"], capsys
    )
    assert code == 1
    assert json.loads(out)["schema"] == "exaudit.report/1"
    assert json.loads(sarif.read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "json", "--format", "text"], "only one --format can go to standard output"),
        (["--format", "json", "--format", "text", "--output", "x"], "--output names the file"),
        (["--format", "yaml"], "'yaml' is not a format of audit"),
        (["--format", "json:"], "no file after ':'"),
    ],
)
def test_format_mistakes(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["audit", "topology.yaml", *args], capsys)
    assert code == 2 and message in err and err.count("\n") == 1


def test_lint_reads_standard_input() -> None:
    text = (EXAMPLE / "configs" / "hq-edge.rules").read_text()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "exaudit",
            "lint",
            "-",
            "--format",
            "json",
            "--isolated",
            "--no-cache",
        ],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    report = json.loads(proc.stdout)
    assert report["files"][0]["file"] == "<stdin>" and report["files"][0]["rules"] == 20
    assert "<stdin>: platform guessed from content: iptables" in proc.stderr


def test_lint_fails_on_warnings_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "fw.rules"
    bad.write_text("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --bogus -j ACCEPT\nCOMMIT\n")
    code, out, _ = run(["lint", str(bad)], capsys)
    assert code == 1 and "EXA001" in out
    code, _, _ = run(["lint", str(bad), "--fail-on", "error"], capsys)
    assert code == 0


def test_a_huge_line_is_cut_in_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "fw.rules"
    big.write_text(
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment x"
        + "y" * 200_000
        + " --bogus\nCOMMIT\n"
    )
    _, out, _ = run(["lint", str(big)], capsys)
    assert max(len(line) for line in out.splitlines()) < 1000
    assert "--comment ..." in out


def test_no_checks_run_claims_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """`--ignore ALL` finds nothing, and must not say every flow is permitted."""
    topology = str(FIXTURES / "example" / "topology.yaml")
    assert main(["audit", topology, "--ignore", "ALL", "--isolated"]) == 0
    out = capsys.readouterr().out
    assert "checks run (--select/--ignore): none (0 of" in out
    assert "every required flow is permitted" not in out
    assert "No findings from the checks that ran." in out
