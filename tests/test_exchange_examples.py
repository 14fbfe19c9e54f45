"""The example topology of each Exchange generation audits to its expected report.

`fixtures/example` is Exchange 5.5 (run by test_golden); `fixtures/example-2003` and
`fixtures/example-2019` are the 2000/2003 and 2013+ generations, compared the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from test_golden import test_case as golden_case

from exaudit.cli import main

EXAMPLES = [FIXTURES / "example-2003", FIXTURES / "example-2019"]


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda p: p.name)
def test_example(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden_case(case, capsys)


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda p: p.name)
def test_example_requirements_cite_every_flow(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import os

    old = os.getcwd()
    os.chdir(case)
    try:
        assert main(["requirements", "topology.yaml", "--format", "json"]) == 0
    finally:
        os.chdir(old)
    report = json.loads(capsys.readouterr().out)
    assert report["flows"]
    for flow in report["flows"]:
        assert flow["source_id"] and flow["confidence"] in ("verified", "partial")
    for fw in report["firewalls"]:
        assert all(row["source_id"] for row in fw["flows"])
