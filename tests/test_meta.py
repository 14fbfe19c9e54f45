"""The check registry is complete and every check documents itself the same way."""

from __future__ import annotations

import pkgutil
import re

import pytest

import exaudit.checks as checks
from exaudit.core.findings import Severity

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]


def test_every_check_module_is_registered() -> None:
    found = {m.name for m in pkgutil.iter_modules(checks.__path__) if m.name.startswith("exa")}
    registered = {m.__name__.rsplit(".", 1)[1] for m in checks.ALL}
    assert found == registered


@pytest.mark.parametrize("module", checks.ALL, ids=lambda m: m.CODE)
def test_check_contract(module: object) -> None:
    assert re.fullmatch(r"EXA\d{3}", module.CODE)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", module.NAME)
    assert isinstance(module.SEVERITY, Severity)
    assert module.SCOPE in ("ruleset", "audit", "lint")
    doc = module.__doc__
    assert doc.splitlines()[0] == f"{module.CODE} {module.NAME}"
    positions = [doc.find(s) for s in SECTIONS]
    assert all(p > 0 for p in positions), f"{module.CODE} lacks a section"
    assert positions == sorted(positions)
    file_name = module.__name__.rsplit(".", 1)[1]
    assert file_name == f"{module.CODE.lower()}_{module.NAME.replace('-', '_')}"


def test_codes_and_names_are_unique() -> None:
    assert len(checks.BY_CODE) == len(checks.ALL) == len(checks.BY_NAME)
