"""Golden end-to-end cases: each directory under fixtures/cases/ is one audit scenario.

A case holds `topology.yaml`, its configs, and `expected.json`: the exit code, the
summary counts and the findings, each compared on the fields it states (check,
firewall, location, flow...), so rewording a message does not break a case while a
wrong line, a missing finding or an extra one does. The expected findings are written
from the KB and the configs by reasoning, not copied from the tool's output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from exaudit.cli import main

CASES = sorted(
    p
    for p in [*(FIXTURES / "cases").iterdir(), FIXTURES / "example"]
    if (p / "expected.json").is_file()
)


def run(case: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(case)
    try:
        code = main(["audit", "topology.yaml", *args])
    finally:
        os.chdir(old)
    return code, capsys.readouterr().out


def project(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in expected.items():
        got = actual.get(key)
        out[key] = project(got, value) if isinstance(value, dict) and isinstance(got, dict) else got
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads((case / "expected.json").read_text())
    code, out = run(case, "--format", "json", capsys=capsys)
    report = json.loads(out)
    assert code == expected["exit"]
    assert project(report["summary"], expected["summary"]) == expected["summary"]
    got = [project(f, e) for f, e in zip(report["findings"], expected["findings"], strict=False)]
    assert got == expected["findings"], json.dumps(report["findings"], indent=1)
    assert len(report["findings"]) == len(expected["findings"]), json.dumps(
        report["findings"][len(expected["findings"]) :], indent=1
    )
    if (case / "expected.txt").is_file():
        code, text = run(case, capsys=capsys)
        assert text == (case / "expected.txt").read_text()
