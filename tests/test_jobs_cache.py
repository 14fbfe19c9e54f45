"""--jobs gives the output of --jobs 1; the cache gives the output of a fresh run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from exaudit.checks.selection import enabled_checks
from exaudit.cli import main
from exaudit.pipeline.audit import evaluate
from exaudit.pipeline.cache import Cache
from exaudit.pipeline.runner import Runner

ALL = enabled_checks([], [])


def run(where: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(where)
    try:
        code = main([*args, "--isolated"])
    finally:
        os.chdir(old)
    return code, capsys.readouterr().out


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "example", tmp_path / "site")
    return tmp_path / "site"


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_jobs_give_the_same_audit(site: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    one = run(site, capsys, "audit", "topology.yaml", "--format", fmt, "--jobs", "1", "--no-cache")
    two = run(site, capsys, "audit", "topology.yaml", "--format", fmt, "--jobs", "2", "--no-cache")
    assert one == two and one[0] == 1


def test_jobs_give_the_same_lint(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in (FIXTURES / "iptables").iterdir()) + [
        str(FIXTURES / "pf" / "anchors.conf"),
        str(FIXTURES / "ios" / "hq-wan.cfg"),
    ]
    one = run(FIXTURES, capsys, "lint", *files, "--format", "json", "--jobs", "1", "--no-cache")
    two = run(FIXTURES, capsys, "lint", *files, "--format", "json", "--jobs", "3", "--no-cache")
    assert one == two


def test_a_warm_cache_gives_the_fresh_answer(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    fresh = run(site, capsys, "audit", "topology.yaml", "--format", "json", "--no-cache")
    cold = run(
        site, capsys, "audit", "topology.yaml", "--format", "json", "--cache-dir", str(cache)
    )
    warm = run(
        site, capsys, "audit", "topology.yaml", "--format", "json", "--cache-dir", str(cache)
    )
    assert fresh == cold == warm
    assert list(cache.rglob("*.json"))
    runner = Runner(1, Cache(str(cache)))
    monkeypatch.chdir(site)  # the paths findings show are part of the key
    evaluate("topology.yaml", ALL, runner)
    assert (runner.cache.hits, runner.cache.misses) == (2, 0)  # both firewalls


def test_only_the_changed_firewall_is_evaluated_again(site: Path, tmp_path: Path) -> None:
    cache = Cache(str(tmp_path / "cache"))
    evaluate(str(site / "topology.yaml"), ALL, Runner(1, cache))
    config = site / "configs" / "hq-edge.rules"
    config.write_text(config.read_text().replace("COMMIT", "# a comment\nCOMMIT", 1))
    again = Cache(cache.directory)
    run_ = evaluate(str(site / "topology.yaml"), ALL, Runner(1, again))
    assert (again.hits, again.misses) == (1, 1)
    assert run_.findings == evaluate(str(site / "topology.yaml"), ALL).findings


def test_a_changed_include_file_invalidates_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "part.conf").write_text("frobnicate\n")
    (tmp_path / "pf.conf").write_text('block all\ninclude "part.conf"\n')
    args = (
        "lint",
        "pf.conf",
        "--platform",
        "pf",
        "--format",
        "json",
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    first = run(tmp_path, capsys, *args)
    assert '"EXA001"' in first[1]
    (tmp_path / "part.conf").write_text("pass all\n")
    second = run(tmp_path, capsys, *args)
    assert second == run(tmp_path, capsys, *args[:-2], "--no-cache")
    assert '"EXA001"' not in second[1]


def test_a_broken_cache_entry_is_a_miss(site: Path, tmp_path: Path) -> None:
    cache = Cache(str(tmp_path / "cache"))
    expected = evaluate(str(site / "topology.yaml"), ALL, Runner(1, cache)).findings
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_text('{"deps": "not a list"')
    again = Cache(cache.directory)
    assert evaluate(str(site / "topology.yaml"), ALL, Runner(1, again)).findings == expected
    assert again.hits == 0


def test_no_cache_writes_nothing(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        site, capsys, "audit", "topology.yaml", "--no-cache", "--cache-dir", str(tmp_path / "cache")
    )
    assert not (tmp_path / "cache").exists()


def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["lint", "x", "--jobs", "0"])
    assert exit_.value.code == 2
    assert "--jobs needs at least 1" in capsys.readouterr().err


def test_a_changed_pf_table_file_invalidates_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad").write_text("10.1.0.10\n")
    (tmp_path / "pf.conf").write_text(
        'table <bad> file "bad"\nblock all\npass in quick from <bad>\n'
    )
    lint = (
        "lint",
        "pf.conf",
        "--platform",
        "pf",
        "--format",
        "json",
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    first = run(tmp_path, capsys, *lint)
    (tmp_path / "bad").write_text("10.1.0.10\n# now a comment\n10.9.0.0/16\n")
    entries = list((tmp_path / "cache").rglob("*.json"))
    assert entries and "/bad" in entries[0].read_text()  # the table file is a dependency
    second = run(tmp_path, capsys, *lint)
    assert second == run(tmp_path, capsys, *lint[:-2], "--no-cache")
    assert first[0] == second[0]


def test_two_builds_of_one_version_do_not_share_entries(tmp_path: Path) -> None:
    """pre-commit pins commits: the key changes with exaudit's code, not only its version."""
    from exaudit.pipeline.cache import tree_fingerprint

    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "m.py"
    module.write_text("A = 1\n")
    first = tree_fingerprint(str(tmp_path))
    assert tree_fingerprint(str(tmp_path)) == first
    module.write_text("A = 22\n")
    second = tree_fingerprint(str(tmp_path))
    assert second != first
    (tmp_path / "pkg" / "__pycache__").mkdir()  # compiled files are not the code
    (tmp_path / "pkg" / "__pycache__" / "m.py").write_text("compiled")
    assert tree_fingerprint(str(tmp_path)) == second
