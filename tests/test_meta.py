"""The check registry is complete and every check documents itself the same way."""

from __future__ import annotations

import pkgutil
import re

import pytest

import exaudit.checks as checks
from exaudit.checks.api import Check, Scope
from exaudit.core.findings import Severity

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]


def test_every_check_module_is_registered() -> None:
    found = {m.name for m in pkgutil.iter_modules(checks.__path__) if m.name.startswith("exa")}
    assert found == set(checks.MODULES)


@pytest.mark.parametrize("index", range(len(checks.ALL)), ids=lambda i: checks.ALL[i].code)
def test_check_contract(index: int) -> None:
    check = checks.ALL[index]
    assert isinstance(check, Check)
    assert re.fullmatch(r"EXA\d{3}", check.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check.name)
    assert isinstance(check.severity, Severity)
    assert isinstance(check.scope, Scope)
    assert check.tags and set(check.tags) <= {"maintainability", "reliability", "security"}
    doc = check.doc
    assert doc.splitlines()[0] == f"{check.code} {check.name}"
    positions = [doc.find(s) for s in SECTIONS]
    assert all(p > 0 for p in positions), f"{check.code} lacks a section"
    assert positions == sorted(positions)
    assert checks.MODULES[index] == f"{check.code.lower()}_{check.name.replace('-', '_')}"


def test_codes_and_names_are_unique() -> None:
    assert len(checks.BY_CODE) == len(checks.ALL) == len(checks.BY_NAME)
