"""Paths named inside inputs stay inside the repository, and refusals give the real reason."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exaudit.cli import main
from exaudit.core import confine

RULES = (FIXTURES / "example" / "configs").resolve()


def _topology(tmp: Path, config: str) -> Path:
    """A one-firewall topology in a fresh git work tree ``tmp/repo`` naming ``config``."""
    repo = tmp / "repo"
    (repo / ".git").mkdir(parents=True, exist_ok=True)
    (repo / "fw.rules").write_text(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
    )
    topo = repo / "net" / "topology.yaml"
    topo.parent.mkdir(exist_ok=True)
    topo.write_text(
        "version: 1\nexchange: '5.5'\nnetworks:\n  lan: [10.0.0.0/8]\n"
        "servers:\n  ex1: {address: 10.1.0.10, site: HQ}\n"
        "clients:\n  - {from: lan, to: [ex1], protocols: [mapi]}\n"
        "firewalls:\n  fw:\n    platform: iptables\n"
        f"    config: {config!r}\n    interfaces: {{eth0: [lan], eth1: [ex1]}}\n"
    )
    return topo


def _audit(topo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["audit", str(topo), "--isolated", "--format", "json", *extra])
    return code, capsys.readouterr().err


@pytest.fixture(autouse=True)
def _no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(confine.ALLOW_OUTSIDE_ENV, raising=False)


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("/etc/passwd", "is outside the repository"),
        ("../../../../../../../../etc/passwd", "is outside the repository"),
        ("/proc/self/environ", "is not a regular file (a kernel pseudo-file)"),
        ("/dev/zero", "is not a regular file"),
        ("..", "is a directory"),
        ("nothing-here.rules", "is missing"),
    ],
)
def test_config_paths_are_refused_with_their_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, words: str
) -> None:
    topo = _topology(tmp_path, config)
    code, err = _audit(topo, capsys)
    assert code == 2
    assert err.startswith(f"exaudit: error: {topo}:") and words in err, err
    assert err.count("\n") == 1


def test_a_symlink_loop_and_a_link_leaving_the_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topo = _topology(tmp_path, "../loop.rules")
    loop = tmp_path / "repo" / "loop.rules"
    loop.symlink_to(loop)
    assert "is a symlink loop" in _audit(topo, capsys)[1]
    loop.unlink()
    outside = tmp_path / "outside.rules"
    outside.write_text((tmp_path / "repo" / "fw.rules").read_text())
    loop.symlink_to(outside)  # the link is inside; what it reads is not
    assert "is outside the repository" in _audit(topo, capsys)[1]


def test_allow_outside_paths_lifts_the_tree_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside.rules"
    outside.write_text((_topology(tmp_path, "x").parent.parent / "fw.rules").read_text())
    topo = _topology(tmp_path, str(outside))
    assert _audit(topo, capsys)[0] == 2
    code, err = _audit(topo, capsys, "--allow-outside-paths")
    assert code in (0, 1), err
    monkeypatch.setenv(confine.ALLOW_OUTSIDE_ENV, "1")
    assert "not a regular file" in _audit(_topology(tmp_path, "/dev/zero"), capsys)[1]


def test_the_git_top_level_is_the_tree_when_higher(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topo = _topology(tmp_path, "../fw.rules")  # topology in repo/net, config in repo
    code, err = _audit(topo, capsys)
    assert code in (0, 1), err


def test_a_pf_include_outside_the_tree_is_not_read(tmp_path: Path) -> None:
    from exaudit.platforms import pf

    (tmp_path / "secret.conf").write_text("pass all\n")
    inner = tmp_path / "repo"
    (inner / ".git").mkdir(parents=True)
    conf = inner / "pf.conf"
    conf.write_text('include "../secret.conf"\nblock all\n')
    ruleset = pf.parse(conf.read_text(), str(conf))
    said = " ".join(i.message for i in ruleset.issues)
    assert "is outside the repository" in said, said
    assert str(tmp_path / "secret.conf") not in ruleset.sources


_PATH_CHARS = string.ascii_letters + "./-_~ "


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(_PATH_CHARS, min_size=1, max_size=40))
def test_random_config_paths_never_read_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    """A sentinel beside the repository is never read, whatever the path says."""
    sentinel = tmp_path / "sentinel.rules"
    sentinel.write_text("*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n")
    topo = _topology(tmp_path, path.strip() or ".")
    code, err = _audit(topo, capsys)
    assert code in (0, 1, 2)
    if code == 2:
        assert err.startswith("exaudit: error: ") and err.count("\n") == 1, err
    real = os.path.realpath(os.path.join(topo.parent, path.strip() or "."))
    assert code == 2 or real.startswith(str((tmp_path / "repo").resolve()))
