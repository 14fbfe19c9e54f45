"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit tool (try-repo)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT


def _tool() -> str:
    found = shutil.which("pre-commit")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pre-commit is missing in CI (it is in the [test] extra)")
        pytest.skip("pre-commit is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: try-repo needs one")
    return found


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=exaudit", "-c", "user.email=exaudit@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("user-repo")
    shutil.copytree(FIXTURES / "cases" / "topology-checks", repo / "net")
    shutil.copy(FIXTURES / "example" / "configs" / "hq-edge.rules", repo / "edge.rules")
    (repo / "70-net.rules").write_text('SUBSYSTEM=="net", ACTION=="add", NAME="eth0"\n')
    (repo / "broken.rules").write_text("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --bogus\nCOMMIT\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    return repo


def try_repo(repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PYTHONPATH", None)  # the hook runs the exaudit pre-commit installed
    return subprocess.run(
        [_tool(), "try-repo", str(ROOT), hook, "--verbose", "--files", *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_lint_hook_fails_on_a_refused_line_and_skips_what_is_no_firewall(repo: Path) -> None:
    proc = try_repo(repo, "exaudit-lint", "edge.rules", "70-net.rules", "broken.rules")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "70-net.rules: not a firewall configuration" in out and "skipped" in out
    assert "broken.rules:3  EXA004" in out and "edge.rules: iptables, 20 rules" in out


def test_audit_hook_audits_the_topology(repo: Path) -> None:
    (repo / "exaudit.toml").write_text("topology = 'net/topology.yaml'\n")
    git(repo, "add", "-A")
    proc = try_repo(repo, "exaudit", "net/topology.yaml")
    assert proc.returncode == 1 and "EXA401" in proc.stdout, proc.stdout + proc.stderr
