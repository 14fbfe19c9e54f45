"""exaudit never writes over its inputs, whatever path names them."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from exaudit.cli import main


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "example", tmp_path / "site")
    (tmp_path / "site" / "link.rules").symlink_to("configs/hq-edge.rules")
    return tmp_path / "site"


def digests(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize(
    "args, option",
    [
        (["--output", "topology.yaml"], "--output"),
        (["--output", "configs/../topology.yaml"], "--output"),
        (["--output", "link.rules"], "--output"),
        (["--format", "sarif:configs/hq-edge.rules", "--format", "text"], "--format"),
        (["--write-baseline", "configs/ex-hq-1.rules"], "--write-baseline"),
    ],
)
def test_an_output_naming_an_input_is_refused(
    site: Path, args: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digests(site)
    old = os.getcwd()
    os.chdir(site)
    try:
        code = main(["audit", "topology.yaml", "--isolated", "--no-cache", *args])
    finally:
        os.chdir(old)
    err = capsys.readouterr().err
    assert code == 2 and f"exaudit: error: {option} would overwrite an input (" in err
    assert err.count("\n") == 1
    assert digests(site) == before


def test_lint_output_naming_its_config_is_refused(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = site / "configs" / "hq-edge.rules"
    before = digests(site)
    code = main(["lint", str(config), "--output", str(config), "--isolated", "--no-cache"])
    assert code == 2 and "--output would overwrite an input" in capsys.readouterr().err
    assert digests(site) == before


def test_writing_the_baseline_it_replaces_is_allowed(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.getcwd()
    os.chdir(site)
    try:
        assert (
            main(
                ["audit", "topology.yaml", "--isolated", "--no-cache", "--write-baseline", "b.json"]
            )
            == 0
        )
        assert (
            main(
                [
                    "audit",
                    "topology.yaml",
                    "--isolated",
                    "--no-cache",
                    "--baseline",
                    "b.json",
                    "--write-baseline",
                    "b.json",
                ]
            )
            == 0
        )
    finally:
        os.chdir(old)
