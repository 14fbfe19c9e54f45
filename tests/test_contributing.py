"""CONTRIBUTING.md stays true: every path it names exists, and each addition is described."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")

# a path in backticks under one of the project's folders; placeholders (<name>, NNN) skipped
PATH = re.compile(r"`((?:exaudit|tests|rules|bench|fixtures|docs|\.ci)/[^`\s]*)`")


def _named_paths() -> list[str]:
    found = [m.group(1) for m in PATH.finditer(TEXT)]
    return sorted({p for p in found if "<" not in p and "NNN" not in p and "*" not in p})


@pytest.mark.parametrize("path", _named_paths())
def test_every_path_named_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"CONTRIBUTING.md names {path}, which does not exist"


def test_it_names_paths_at_all() -> None:
    assert len(_named_paths()) >= 10


@pytest.mark.parametrize(
    "heading",
    [
        "How to add a platform",
        "How to add a check",
        "How to add a report format",
        "How to add an Exchange catalogue",
    ],
)
def test_each_kind_of_addition_is_described(heading: str) -> None:
    assert f"## {heading}" in TEXT


def test_the_registries_it_names_hold_what_they_say() -> None:
    """The one line a newcomer adds goes where CONTRIBUTING.md says it goes."""
    from exaudit import checks, platforms, reporters

    assert "_MODULES" in TEXT and platforms.NAMES
    assert set(platforms.NAMES) <= set(platforms._MODULES)
    assert "MODULES" in TEXT and len(checks.ALL) == len(checks.MODULES)
    assert "FORMATS" in TEXT and reporters.FORMATS
