"""The published JSON Schemas (docs/schema/) describe what exaudit really writes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from jsonschema import Draft202012Validator

from exaudit.cli import main

SCHEMAS = ROOT / "docs" / "schema"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"exaudit.{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def output(args: list[str], capsys: pytest.CaptureFixture[str], where: Path) -> Any:
    old = os.getcwd()
    os.chdir(where)
    try:
        main(
            [*args, "--format", "json", "--isolated"]
            + (["--no-cache"] if args[0] in ("audit", "lint", "diff") else [])
        )
    finally:
        os.chdir(old)
    return json.loads(capsys.readouterr().out)


def errors(kind: str, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator(kind).iter_errors(data)]


@pytest.mark.parametrize(
    "case", ["example", "cases/topology-checks", "cases/exa102-required-port-partly-blocked"]
)
def test_audit_and_requirements(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    where = FIXTURES / case
    assert errors("audit", output(["audit", "topology.yaml"], capsys, where)) == []
    assert errors("requirements", output(["requirements", "topology.yaml"], capsys, where)) == []


def test_lint(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted((FIXTURES / "iptables").iterdir())]
    files += [str(FIXTURES / "pf" / "anchors.conf"), str(FIXTURES / "asa" / "edge.cfg")]
    assert errors("lint", output(["lint", *files], capsys, ROOT)) == []


def test_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "example", site)
    old = tmp_path / "old"
    shutil.copytree(site, old)
    rules = site / "configs" / "hq-edge.rules"
    rules.write_text(rules.read_text().replace("--dport 995 -j ACCEPT", "--dport 995 -j DROP"))
    data = output(["diff", "topology.yaml", "--before", str(old)], capsys, site)
    assert data["flows"] or data["introduced"]
    assert errors("diff", data) == []


def test_a_schema_rejects_what_it_should(capsys: pytest.CaptureFixture[str]) -> None:
    data = output(["audit", "topology.yaml"], capsys, FIXTURES / "cases" / "topology-checks")
    data["findings"][0]["severity"] = "fatal"
    del data["summary"]["flows"]
    assert len(errors("audit", data)) == 2
