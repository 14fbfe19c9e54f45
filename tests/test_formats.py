"""Every report format, golden files, exit-code control and check selection.

Golden files live under fixtures/formats/<case>/; regenerate them after a deliberate
change with ``EXAUDIT_UPDATE_GOLDEN=1 pytest tests/test_formats.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES

from exaudit import __version__, platforms
from exaudit.cli import main
from exaudit.core.findings import Finding, Severity
from exaudit.report.model import Entry, FirewallSummary
from exaudit.reporters import github
from exaudit.reporters.anchor import anchor

GOLDEN = FIXTURES / "formats"
FORMATS = {
    "text": "audit.txt",
    "json": "audit.json",
    "sarif": "audit.sarif",
    "github": "audit.github",
    "junit": "audit.junit.xml",
    "gitlab": "audit.gitlab.json",
}
CASES = {"topology-checks": FIXTURES / "cases" / "topology-checks", "example": FIXTURES / "example"}


def iptables_ready() -> bool:
    try:
        return hasattr(platforms.get("iptables"), "parse")
    except Exception:
        return False


def audit(case: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(case)
    try:
        code = main(["audit", "topology.yaml", "--isolated", *args])
    finally:
        os.chdir(old)
    return code, capsys.readouterr().out


def normalized(text: str) -> str:
    return text.replace(f'"{__version__}"', '"VERSION"')


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_golden_report(case: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    if case == "example" and not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    code, out = audit(CASES[case], capsys, "--format", fmt)
    assert code == 1
    golden = GOLDEN / case / FORMATS[fmt]
    if os.environ.get("EXAUDIT_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(normalized(out))
    assert normalized(out) == golden.read_text()


def test_one_report_model_for_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    """Each format shows the same findings at the same repository-relative places."""
    case = CASES["topology-checks"]
    _, out = audit(case, capsys, "--format", "json")
    report = json.loads(out)
    expected = [(f["check"], f["location"]["line"]) for f in report["findings"]]
    # EXA701: the case declares no firewall, so no required flow is audited
    assert expected == [("EXA701", 1), ("EXA402", 9), ("EXA202", 10), ("EXA401", 22)]
    path = "fixtures/cases/topology-checks/topology.yaml"
    _, out = audit(case, capsys, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results
    ] == expected
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        path
    }
    _, out = audit(case, capsys, "--format", "gitlab")
    issues = json.loads(out)
    assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in issues] == expected
    assert [i["fingerprint"] for i in issues] == [f["fingerprint"] for f in report["findings"]]
    assert [i["severity"] for i in issues] == ["minor", "minor", "minor", "major"]
    _, out = audit(case, capsys, "--format", "github")
    lines = out.splitlines()  # errors first: GitHub shows only a few of each kind
    assert lines[0].startswith(
        f"::error file={path},line=22,title=EXA401 rfc1006-port-mismatch::the X.400 connector"
    )
    assert lines[1].startswith(f"::warning file={path},line=1,title=EXA701 ")
    assert lines[2].startswith(f"::warning file={path},line=9,title=EXA402 ")
    assert lines[-1] == "exaudit: 1 error, 3 warning, 0 info"


@pytest.mark.parametrize(
    "text, data, prop",
    [
        ("plain", "plain", "plain"),
        ("50% a:b, c", "50%25 a:b, c", "50%25 a%3Ab%2C c"),
        ("two\nlines\r", "two%0Alines%0D", "two%0Alines%0D"),
    ],
)
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert github._data(text) == data
    assert github._property(text) == prop


def test_github_annotation_of_an_implicit_deny_points_at_the_topology() -> None:
    firewalls = (FirewallSummary("edge", "iptables", "edge.rules", 0, 0, 0, 31),)
    finding = Finding(
        "EXA101", "required-port-blocked", Severity.ERROR, "edge", None, "denied, 100%"
    )
    line = github.annotation(
        anchor("site/topology.yaml", firewalls, finding), Entry(finding, "f" * 32)
    )
    assert line == (
        "::error file=site/topology.yaml,line=31,title=EXA101 "
        "required-port-blocked::edge: denied, 100%25"
    )


def test_junit_has_a_case_per_flow_per_firewall(capsys: pytest.CaptureFixture[str]) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    _, out = audit(CASES["example"], capsys, "--format", "json")
    report = json.loads(out)
    _, xml = audit(CASES["example"], capsys, "--format", "junit")
    root = ET.fromstring(xml)
    for fw in report["firewalls"]:
        suite = root.find(f"testsuite[@name='{fw['name']}']")
        assert suite is not None
        flows = {(f["id"], f["src"], f["dst"]) for f in fw["flows"]}
        names = {c.get("name") for c in suite.findall("testcase")}
        for flow in flows:
            assert any(
                n.startswith(f"{flow[0]} ") and f" {flow[1]} -> {flow[2]}" in n for n in names
            ), flow
        # a flow the firewall blocks fails with the check's code
        blocked = [
            f
            for f in report["findings"]
            if f["firewall"] == fw["name"] and f["check"] in ("EXA101", "EXA102", "EXA103")
        ]
        for f in blocked:
            flow = f["flow"]
            case = next(
                c
                for c in suite.findall("testcase")
                if c.get("name", "").startswith(f"{flow['id']} ")
                and f" {flow['src']} -> {flow['dst']}" in c.get("name", "")
            )
            failure = case.find("failure")
            assert failure is not None and f["check"] in failure.get("type", "")
    assert int(root.get("failures", "0")) >= 1
    assert int(root.get("tests", "0")) == sum(
        int(s.get("tests", "0")) for s in root.findall("testsuite")
    )


@pytest.mark.parametrize(
    "args, code, checks",
    [
        ([], 1, ["EXA701", "EXA402", "EXA202", "EXA401"]),
        (["--exit-zero"], 0, ["EXA701", "EXA402", "EXA202", "EXA401"]),
        (["--select", "EXA4"], 1, ["EXA402", "EXA401"]),
        (["--select", "EXA2,EXA402"], 0, ["EXA402", "EXA202"]),
        (["--ignore", "EXA401"], 0, ["EXA701", "EXA402", "EXA202"]),
        (
            ["--ignore", "rfc1006-port-mismatch", "--fail-on", "warning"],
            1,
            ["EXA701", "EXA402", "EXA202"],
        ),
        (["--select", "ALL", "--ignore", "EXA2", "--ignore", "EXA4"], 0, ["EXA701"]),
        (["--fail-on", "never"], 0, ["EXA701", "EXA402", "EXA202", "EXA401"]),
    ],
)
def test_exit_code_and_selection(
    args: list[str], code: int, checks: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    got, out = audit(CASES["topology-checks"], capsys, "--format", "json", *args)
    assert got == code
    assert [f["check"] for f in json.loads(out)["findings"]] == checks


def test_unknown_selector_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    topology = str(CASES["topology-checks"] / "topology.yaml")
    assert main(["audit", topology, "--isolated", "--select", "EXA9"]) == 2
    assert "select 'EXA9' matches no check" in capsys.readouterr().err


def test_lint_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    config = tmp_path / "fw.rules"
    config.write_text(
        "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp --dport 25 "
        "-m recent --name x --rcheck -j ACCEPT\nCOMMIT\n"
    )
    code = main(
        [
            "lint",
            str(config),
            "--platform",
            "iptables",
            "--isolated",
            "--format",
            "sarif",
            "--fail-on",
            "info",
        ]
    )
    sarif = json.loads(capsys.readouterr().out)
    assert code == 1
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "EXA002"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    code = main(["lint", str(config), "--platform", "iptables", "--isolated", "--format", "junit"])
    root = ET.fromstring(capsys.readouterr().out)
    assert code == 0 and root.get("tests") == "1"
    code = main(
        [
            "lint",
            str(config),
            "--platform",
            "iptables",
            "--isolated",
            "--format",
            "github",
            "--ignore",
            "EXA002",
        ]
    )
    assert code == 0 and capsys.readouterr().out == "exaudit: 0 error, 0 warning, 0 info\n"


def test_explain_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--explain", "EXA201"]) == 0
    assert capsys.readouterr().out.startswith("EXA201 over-broad-ephemeral-range (warning)")


def test_junit_of_lint_has_no_empty_testsuite(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted((FIXTURES / "example" / "configs").iterdir())]
    assert (
        main(
            ["lint", *files, "--format", "junit", "--isolated", "--no-cache", "--fail-on", "never"]
        )
        == 0
    )
    root = ET.fromstring(capsys.readouterr().out)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == files
    assert all(len(s.findall("testcase")) >= 1 for s in suites)
