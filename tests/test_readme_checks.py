"""The README's checks table, docs/checks.md and the CI packaging stay in sync with the code.

After adding or changing a check, regenerate with
``EXAUDIT_UPDATE_DOCS=1 pytest tests/test_readme_checks.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT

from exaudit import checks
from exaudit.cli import main
from exaudit.cli.commands import checks_markdown

README = ROOT / "README.md"
DOCS = ROOT / "docs" / "checks.md"
START, END = "<!-- checks:start -->", "<!-- checks:end -->"
UPDATE = bool(os.environ.get("EXAUDIT_UPDATE_DOCS"))


def anchor(check: Any) -> str:
    """GitHub's anchor for the heading ``## EXA201 over-broad-ephemeral-range``."""
    return f"{check.code} {check.name}".lower().replace(" ", "-")


def table() -> str:
    rows = ["| check | name | severity | what it does |", "|---|---|---|---|"]
    for m in checks.ALL:
        what = " ".join(m.sections()["What it does"].split("\n\n")[0].split())
        rows.append(
            f"| [{m.code}](docs/checks.md#{anchor(m)}) | `{m.name}` | "
            f"{m.severity.value} | {what.replace('|', '&#124;')} |"
        )
    return "\n".join(rows)


def test_readme_table_lists_every_check() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    head, rest = text.split(START)
    _, tail = rest.split(END)
    expected = f"{head}{START}\n{table()}\n{END}{tail}"
    if UPDATE:
        README.write_text(expected, encoding="utf-8")
    assert text == expected, "README checks table is stale: EXAUDIT_UPDATE_DOCS=1 pytest"


def test_docs_are_generated_from_the_docstrings() -> None:
    if UPDATE:
        DOCS.parent.mkdir(exist_ok=True)
        DOCS.write_text(checks_markdown(), encoding="utf-8")
    assert DOCS.read_text(encoding="utf-8") == checks_markdown()


def test_every_table_link_has_its_heading() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    headings = {h.lower().replace(" ", "-") for h in re.findall(r"^## (.+)$", docs, re.M)}
    links = re.findall(r"\(docs/checks\.md#([^)]+)\)", README.read_text(encoding="utf-8"))
    assert sorted(links) == sorted(anchor(m) for m in checks.ALL)
    assert set(links) <= headings


def test_explain_all_prints_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--all"]) == 0
    assert capsys.readouterr().out == DOCS.read_text(encoding="utf-8")


def test_readme_keeps_its_first_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[:6] == [
        "# exaudit",
        "",
        "```sh",
        "pip install . && exaudit audit fixtures/example/topology.yaml",
        "pip install '.[test]' && pytest",
        "```",
    ]


# --- pre-commit ---------------------------------------------------------------------------


def hooks() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {h["id"]: h for h in data}


def precommit_files(hook: dict[str, Any], changed: list[str]) -> list[str]:
    """The file names pre-commit passes: ``files`` and ``exclude`` are searched regexes."""
    if not hook.get("pass_filenames", True):
        return []
    keep = re.compile(hook.get("files", ""))
    drop = re.compile(hook.get("exclude", "^$"))
    return [f for f in changed if keep.search(f) and not drop.search(f)]


def run_hook(
    hook: dict[str, Any], repo: Path, changed: list[str], user_args: list[str]
) -> subprocess.CompletedProcess[str] | None:
    """Run a hook as pre-commit would, or None when no changed file matches it."""
    keep = re.compile(hook.get("files", ""))
    if not any(keep.search(f) for f in changed) and not hook.get("always_run"):
        return None
    entry = shlex.split(hook["entry"])
    assert entry[0] == "exaudit"  # the console script; run it as ``python -m exaudit``
    argv = [
        sys.executable,
        "-m",
        "exaudit",
        *entry[1:],
        *hook.get("args", []),
        *user_args,
        *precommit_files(hook, changed),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRE_COMMIT": "1"}
    return subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=env, check=False)


def test_hook_definitions() -> None:
    defined = hooks()
    assert set(defined) == {"exaudit", "exaudit-lint"}
    for hook in defined.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
    audit = defined["exaudit"]
    assert audit["pass_filenames"] is False and audit["require_serial"] is True
    wanted = [
        "net/topology.yaml",
        "configs/hq-edge.rules",
        "pf.conf",
        "fw/iptables-save",
        "cisco/hq-wan.cfg",
        "exaudit.toml",
    ]
    assert [f for f in wanted if re.search(audit["files"], f)] == wanted
    assert not re.search(audit["files"], "src/app.py")
    lint = defined["exaudit-lint"]
    # Cisco configs are .cfg and pf's .conf: the hook takes them all, and lint skips (with a
    # note) the ones that read as no firewall syntax
    assert precommit_files(
        lint, ["a.rules", "README.md", "etc/pf.conf", "setup.cfg", "edge.nft", "net/topology.yaml"]
    ) == ["a.rules", "etc/pf.conf", "setup.cfg", "edge.nft"]
    assert "--skip-unknown" in lint["entry"]


def test_audit_hook_runs_as_precommit_would(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "cases" / "topology-checks", repo / "net")
    (repo / ".git").mkdir()
    hook = hooks()["exaudit"]
    assert run_hook(hook, repo, ["README.md"], []) is None  # nothing relevant changed
    proc = run_hook(hook, repo, ["net/topology.yaml"], ["net/topology.yaml"])
    assert proc is not None and proc.returncode == 1, proc.stderr
    assert "EXA401" in proc.stdout
    (repo / "exaudit.toml").write_text("topology = 'net/topology.yaml'\nignore = ['EXA401']\n")
    proc = run_hook(hook, repo, ["net/topology.yaml"], [])
    assert proc is not None and proc.returncode == 0, proc.stdout + proc.stderr
    assert "EXA402" in proc.stdout and "EXA401" not in proc.stdout


def test_lint_hook_runs_as_precommit_would(tmp_path: Path) -> None:
    from exaudit import platforms

    try:
        ready = hasattr(platforms.get("iptables"), "parse")
    except ImportError:
        ready = False
    if not ready:
        pytest.skip("the iptables parser is not in the tree yet")
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "example" / "configs", repo / "configs")
    (repo / ".git").mkdir()
    proc = run_hook(
        hooks()["exaudit-lint"],
        repo,
        ["configs/hq-edge.rules", "configs/ex-hq-1.rules", "notes.txt"],
        [],
    )
    assert proc is not None and proc.returncode == 0, proc.stderr
    assert "configs/hq-edge.rules: iptables" in proc.stdout
    assert "configs/ex-hq-1.rules: iptables" in proc.stdout


# --- the GitHub Action --------------------------------------------------------------------


def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_definition() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    steps = data["runs"]["steps"]
    upload = next(
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "always()" in upload["if"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach scripts through env"
    for name, spec in data["inputs"].items():
        assert name == name.lower() and spec["description"]


def test_action_audit_step_runs(tmp_path: Path) -> None:
    """The audit step's script, run by bash with the action's inputs as environment."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "audit")
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "exaudit").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m exaudit "$@"\n')
    (shim / "exaudit").chmod(0o755)
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "cases" / "topology-checks", work / "net")
    (work / ".git").mkdir()
    output = tmp_path / "github_output"
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GITHUB_OUTPUT": str(output),
        "EXAUDIT_TOPOLOGY": "net/topology.yaml",
        "EXAUDIT_FAIL_ON": "error",
        "EXAUDIT_ARGS": "--ignore EXA202",
        "EXAUDIT_SARIF": "exaudit.sarif",
        "EXAUDIT_ANNOTATIONS": "true",
    }
    proc = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert output.read_text() == "exit-code=1\n"
    assert "::error file=net/topology.yaml,line=22,title=EXA401" in proc.stdout
    assert "EXA202" not in proc.stdout
    assert '"ruleId": "EXA401"' in (work / "exaudit.sarif").read_text()


def test_readme_workflow_uses_the_action_inputs() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.github/workflows/.*?)```", text, re.S)
    assert len(blocks) == 1
    workflow = yaml.safe_load(blocks[0])
    steps = workflow["jobs"]["exaudit"]["steps"]
    step = next(s for s in steps if "/exaudit@" in str(s.get("uses", "")))
    assert set(step["with"]) <= set(action()["inputs"])
    assert workflow["permissions"]["security-events"] == "write"
