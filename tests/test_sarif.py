"""SARIF 2.1.0: valid against the official schema, rules from the checks, stable results.

The schema is OASIS's and is not copied into the repository: it is read from
``EXAUDIT_SARIF_SCHEMA`` or ``<corpus>/../schemas/sarif-schema-2.1.0.json``; the
validation is required in CI and skipped elsewhere when the file is absent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, FIXTURES, ROOT

from exaudit import checks, platforms
from exaudit.cli import main
from exaudit.core.findings import Finding, Location, Severity
from exaudit.report.model import AuditReport, Entry, FirewallSummary, LintReport, Suppression
from exaudit.reporters import sarif
from exaudit.reporters.options import DEFAULT
from exaudit.review.fingerprint import SARIF_KEY


def schema() -> dict[str, Any]:
    path = Path(
        os.environ.get(
            "EXAUDIT_SARIF_SCHEMA", CORPUS.parent / "schemas" / "sarif-schema-2.1.0.json"
        )
    )
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the SARIF schema {path} is missing in CI (set EXAUDIT_SARIF_SCHEMA)")
        pytest.skip(f"the SARIF schema {path} is absent (set EXAUDIT_SARIF_SCHEMA)")
    return json.loads(path.read_text(encoding="utf-8"))


def validate(doc: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft4Validator(schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def iptables_ready() -> bool:
    try:
        return hasattr(platforms.get("iptables"), "parse")
    except Exception:
        return False


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], cwd: Path | None = None
) -> tuple[int, dict[str, Any]]:
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        code = main([*args, "--isolated", "--format", "sarif"])
    finally:
        os.chdir(old)
    return code, json.loads(capsys.readouterr().out)


def results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["runs"][0]["results"]


def test_topology_checks_sarif_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run(["audit", "topology.yaml"], capsys, FIXTURES / "cases" / "topology-checks")
    assert code == 1
    validate(doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    assert [r["ruleId"] for r in results(doc)] == ["EXA701", "EXA402", "EXA202", "EXA401"]


def test_rules_describe_every_check() -> None:
    doc = json.loads(sarif.render(LintReport((), (), ()), DEFAULT))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [m.code for m in checks.ALL]
    for rule, module in zip(rules, checks.ALL, strict=True):
        assert rule["name"] == module.name
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == sarif.LEVEL[module.severity.value]
        # security-severity only where GitHub should rank it as a security alert
        if "security" in module.tags:
            assert float(rule["properties"]["security-severity"]) > 0
        else:
            assert "security-severity" not in rule["properties"]
        assert rule["helpUri"].endswith(f"docs/checks.md#{module.anchor}")
    assert doc["runs"][0]["tool"]["driver"]["informationUri"].startswith("https://")
    exa201 = next(r for r in rules if r["id"] == "EXA201")
    assert exa201["shortDescription"]["text"].startswith("Reports a permit that lets new")
    assert (
        "    -A FORWARD -d 10.1.0.10 -p tcp --dport 1024:65535 -j ACCEPT"
        in exa201["help"]["markdown"]
    )


def test_result_shape_and_fallback_location() -> None:
    implicit = Finding(
        "EXA101",
        "required-port-blocked",
        Severity.ERROR,
        "edge",
        None,
        "implicit deny",
        flow={"id": "pop3-ssl"},
    )
    wide = Finding(
        "EXA201",
        "over-broad-ephemeral-range",
        Severity.WARNING,
        "edge",
        Location("site/edge.rules", 7),
        "wide",
        fix="x",
        text="-A FORWARD -j ACCEPT",
    )
    known = Finding(
        "EXA002", "unsupported-match", Severity.INFO, "edge", Location("site/edge.rules", 9), "m"
    )
    report = AuditReport(
        "site/topology.yaml",
        0,
        0,
        (FirewallSummary("edge", "iptables", "site/edge.rules", 0, 0, 0, 40),),
        (Entry(implicit, "f" * 32), Entry(wide, "e" * 32)),
        (Entry(known, "d" * 32, Suppression("inline", "known", "site/edge.rules", 8)),),
    )
    doc = json.loads(sarif.render(report, DEFAULT))
    validate(doc)
    first, second, third = results(doc)
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("site/topology.yaml")
    assert loc["region"] == {"startLine": 40}
    assert first["partialFingerprints"] == {SARIF_KEY: "f" * 32}
    assert first["level"] == "error" and first["properties"]["flow"] == {"id": "pop3-ssl"}
    assert second["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7,
        "snippet": {"text": "-A FORWARD -j ACCEPT"},
    }
    assert second["message"]["text"] == "wide\nfix: x"
    assert third["level"] == "note"
    assert third["suppressions"][0]["kind"] == "inSource"
    assert third["suppressions"][0]["justification"] == "known"


def test_paths_are_relative_to_the_repository_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From any working directory: relative to the git top-level holding the file."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "cases" / "topology-checks", repo / "net")
    (repo / ".git").mkdir()
    _, doc = run(["audit", "net/topology.yaml"], capsys, repo)
    _, doc2 = run(["audit", str(repo / "net" / "topology.yaml")], capsys, ROOT)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for d in (doc, doc2)
        for r in results(d)
    }
    assert uris == {"net/topology.yaml"}


def test_fingerprints_survive_shifted_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "example", site)
    _, before = run(["audit", "topology.yaml"], capsys, site)
    config = site / "configs" / "hq-edge.rules"
    lines = config.read_text().splitlines(keepends=True)
    config.write_text(lines[0] + "# a new comment\n# and another\n" + "".join(lines[1:]))
    _, after = run(["audit", "topology.yaml"], capsys, site)
    validate(after)

    def prints(doc: dict[str, Any]) -> dict[str, tuple[str, str, int]]:
        out = {}
        for r in results(doc):
            loc = r["locations"][0]["physicalLocation"]
            out[r["partialFingerprints"][SARIF_KEY]] = (
                r["ruleId"],
                loc["artifactLocation"]["uri"],
                loc["region"]["startLine"],
            )
        return out

    old, new = prints(before), prints(after)
    assert set(old) == set(new) and len(old) == len(results(before))
    for fp, (rule, uri, line) in old.items():
        shift = 2 if uri.endswith("hq-edge.rules") and line > 1 else 0
        assert new[fp] == (rule, uri, line + shift)
    assert any(uri.endswith("hq-edge.rules") for _, uri, _ in old.values())


def test_example_sarif_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    code, doc = run(["audit", "topology.yaml"], capsys, FIXTURES / "example")
    assert code == 1
    validate(doc)
    by_rule = {r["ruleId"] for r in results(doc)}
    assert {"EXA101", "EXA201", "EXA401"} <= by_rule
    for r in results(doc):
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("fixtures/example/")
    prints = [r["partialFingerprints"][SARIF_KEY] for r in results(doc)]
    assert len(set(prints)) == len(prints)


CORPUS_PLATFORMS = {"iptables": "iptables", "cisco-ios": "ios", "cisco-asa": "asa", "pf": "pf"}


@pytest.mark.corpus
@pytest.mark.parametrize("folder", CORPUS_PLATFORMS)
def test_corpus_lint_sarif_is_valid(folder: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Real configs: lint's SARIF validates, with every result at a line of its file."""
    from conftest import corpus_dir

    platform = CORPUS_PLATFORMS[folder]
    try:
        platforms.get(platform).parse  # noqa: B018 - is the parser in the tree yet?
    except (ImportError, AttributeError):
        pytest.skip(f"the {platform} parser is not in the tree yet")
    files = sorted(p for p in corpus_dir(folder).rglob("*") if p.is_file())[:8]
    checked = 0
    for path in files:
        code = main(["lint", str(path), "--platform", platform, "--isolated", "--format", "sarif"])
        out = capsys.readouterr().out
        if code == 2:
            continue
        doc = json.loads(out)
        validate(doc)
        lines = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        for r in results(doc):
            region = r["locations"][0]["physicalLocation"]["region"]
            assert 1 <= region["startLine"] <= lines
        checked += 1
    print(f"{folder}: {checked} of {len(files)} files gave valid SARIF")
    assert checked
