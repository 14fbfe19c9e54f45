"""The command line's contract: exit codes and one-line errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from exaudit.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary data"),
        (bytes(range(1, 9)) * 100, "binary data"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input"
    if content is not None:
        path.write_bytes(content)
    for args in (
        ["audit", str(path)],
        ["lint", "--platform", "iptables", str(path)],
        ["requirements", str(path)],
    ):
        code, out, err = run(args, capsys)
        assert code == 2
        assert err.startswith(f"exaudit: error: {path}") and message in err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_directory_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["audit", str(tmp_path)], capsys)
    assert code == 2 and "is a directory" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["lint", "--platform", "junos", "x"])
    assert info.value.code == 2
    code, _, err = run(["query", "x.rules", "--dport", "25"], capsys)
    assert code == 2 and "needs --src and --dst" in err
    code, _, err = run(["explain", "EXA999"], capsys)
    assert code == 2 and "unknown check 'EXA999'" in err


def test_explain_prints_the_docstring(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "over-broad-ephemeral-range"], capsys)
    assert code == 0
    assert out.startswith("EXA201 over-broad-ephemeral-range (warning)")
    assert "## Why is this bad?" in out


def test_topology_errors_exit_2_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topo = tmp_path / "t.yaml"
    topo.write_text("version: 1\nservers:\n  ex1: {address: 10.1.0.300, site: A}\n")
    code, _, err = run(["audit", str(topo)], capsys)
    assert code == 2
    assert err == (
        f"exaudit: error: {topo}:3: server 'ex1' address: bad address or network '10.1.0.300'\n"
    )


@pytest.mark.parametrize("fail_on, code", [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(fail_on: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    topo = FIXTURES / "cases" / "topology-checks" / "topology.yaml"
    got, out, _ = run(["audit", str(topo), "--format", "json", "--fail-on", fail_on], capsys)
    assert got == code
    assert json.loads(out)["schema"] == "exaudit.report/1"


def test_console_script_runs_as_a_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "exaudit", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.startswith("exaudit ")


def test_an_internal_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import exaudit.cli as cli

    def broken(args: object) -> int:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(cli.COMMANDS, "explain", broken)
    code, _, err = run(["explain", "EXA101"], capsys)
    assert code == 2
    assert err == (
        "exaudit: error: internal error (ZeroDivisionError: boom); please report "
        "it (EXAUDIT_DEBUG=1 shows where)\n"
    )
    monkeypatch.setenv("EXAUDIT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["explain", "EXA101"])


def test_the_start_up_path_keeps_its_tables_in_step() -> None:
    """The CLI lists --fail-on levels itself (importing findings costs start-up time)."""
    from exaudit.cli.options import FAIL_ON_LEVELS
    from exaudit.core.findings import FAIL_ON

    assert tuple(FAIL_ON) == FAIL_ON_LEVELS


def test_version_imports_no_parser_no_model_and_no_typing() -> None:
    """Start-up is a feature of a CLI: ``--version`` and ``--help`` load only the CLI."""
    code = (
        "import sys; from exaudit.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m in ('typing', 'tabulate', 'yaml',"
        " 'ciscoconfparse') or m.startswith(('exaudit.core.model', 'exaudit.engine',"
        " 'exaudit.platforms.'))]\n"
        "print('heavy:' + ','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "heavy:"


def test_a_udev_rules_file_is_not_a_firewall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    udev = tmp_path / "70-net.rules"
    udev.write_text(
        'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="00:11:22:33:44:55", '
        'NAME="eth0"\nKERNEL=="sd*", MODE="0660"\n'
    )
    assert main(["lint", str(udev), "--isolated", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "not a firewall configuration" in err and err.count("\n") == 1
    fw = tmp_path / "fw.rules"
    fw.write_text("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")
    code = main(
        [
            "lint",
            str(udev),
            str(fw),
            "--skip-unknown",
            "--isolated",
            "--no-cache",
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and [f["file"] for f in json.loads(out)["files"]] == [str(fw)]
    assert "70-net.rules: not a firewall configuration" in err and "skipped" in err


def test_an_error_without_a_file_has_one_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "EXA999"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("exaudit: error: unknown check 'EXA999'")
        and "exaudit: exaudit" not in err
        and err.count("exaudit:") == 1
    )
