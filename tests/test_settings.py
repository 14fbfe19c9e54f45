"""Configuration discovery and precedence: command line > nearest file > defaults."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from exaudit.cli import main
from exaudit.cli.settings import discover, resolve
from exaudit.core.errors import InputError


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "cases" / "topology-checks", root / "net")
    (root / "sub" / "deeper").mkdir(parents=True)
    return root


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "files, start, expected",
    [
        ({"exaudit.toml": "format = 'json'\n"}, "sub/deeper", "exaudit.toml"),
        ({"exaudit.toml": "", "pyproject.toml": "[tool.exaudit]\n"}, ".", "exaudit.toml"),
        ({"pyproject.toml": "[tool.exaudit]\nformat = 'json'\n"}, "sub", "pyproject.toml"),
        (
            {"sub/pyproject.toml": "[project]\nname = 'x'\n", "exaudit.toml": ""},
            "sub",
            "exaudit.toml",
        ),
        (
            {"sub/pyproject.toml": "[tool.exaudit.x]\n", "exaudit.toml": ""},
            "sub/deeper",
            "sub/pyproject.toml",
        ),
        ({"sub/exaudit.toml": "", "exaudit.toml": ""}, "sub/deeper", "sub/exaudit.toml"),
        ({}, "sub", None),
    ],
)
def test_discovery(repo: Path, files: dict[str, str], start: str, expected: str | None) -> None:
    for name, text in files.items():
        write(repo / name, text)
    found = discover(str(repo / start))
    assert found == (str(repo / expected) if expected else None)


def test_discovery_stops_at_the_repository_root(repo: Path) -> None:
    write(repo.parent / "exaudit.toml", "format = 'json'\n")
    assert discover(str(repo / "sub")) is None
    outside = repo.parent / "plain" / "dir"
    outside.mkdir(parents=True)
    assert discover(str(outside)) == str(repo.parent / "exaudit.toml")


def test_precedence_and_sources(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(
        repo / "pyproject.toml",
        "[project]\nname = 'x'\n\n[tool.exaudit]\n"
        "format = 'sarif'\nfail_on = 'warning'\nselect = ['EXA2', 'EXA4']\n"
        "topology = 'net/topology.yaml'\n\n[tool.other]\nignore = 1\n",
    )
    monkeypatch.chdir(repo / "sub")
    s = resolve({"format": "json", "select": None, "ignore": ["EXA202"]})
    assert s.file == str(config)
    assert s.values == {
        "topology": "../net/topology.yaml",
        "format": "json",
        "fail-on": "warning",
        "exit-zero": False,
        "select": ["EXA2", "EXA4"],
        "ignore": ["EXA202"],
        "baseline": None,
        "allow-outside-paths": False,
    }
    assert s.sources == {
        "topology": str(config),
        "format": "command line",
        "fail-on": str(config),
        "exit-zero": "default",
        "select": str(config),
        "ignore": "command line",
        "baseline": "default",
        "allow-outside-paths": "default",
    }
    assert resolve({}, isolated=True).sources["format"] == "default"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("[tool.exaudit]\nformat = 'json'\ncolour = true\n", 3, "unknown key 'colour'"),
        ("[tool.exaudit]\n\nformat = 'pdf'\n", 3, "format must be one of text, json, sarif"),
        ("[tool.exaudit]\nselect = [1]\n", 2, "select must be a list of strings"),
        ("[tool.exaudit]\nexit-zero = 'yes'\n", 2, "exit-zero must be true or false"),
        ("[tool.exaudit]\nformat = \n", 2, "bad TOML"),
    ],
)
def test_bad_configuration_names_file_and_line(
    repo: Path,
    text: str,
    line: int,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write(repo / "pyproject.toml", text)
    monkeypatch.chdir(repo)
    with pytest.raises(InputError) as info:
        resolve({})
    assert (info.value.file, info.value.line) == (str(config), line)
    assert message in info.value.message
    assert main(["audit", "net/topology.yaml"]) == 2
    assert capsys.readouterr().err.startswith(f"exaudit: error: {config}:{line}: ")


def test_audit_takes_its_defaults_from_the_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        repo / "exaudit.toml",
        "topology = 'net/topology.yaml'\nformat = 'json'\nignore = 'EXA401'\n",
    )
    monkeypatch.chdir(repo / "sub" / "deeper")
    assert main(["audit"]) == 0  # EXA401, the only error, is ignored
    report = json.loads(capsys.readouterr().out)
    assert [f["check"] for f in report["findings"]] == ["EXA701", "EXA402", "EXA202"]
    assert main(["audit", "--format", "github", "--ignore", "EXA4", "--fail-on", "warning"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("::warning file=net/topology.yaml,line=1,title=EXA701")  # no firewall
    assert "\n::warning file=net/topology.yaml,line=10,title=EXA202" in out
    assert main(["audit", "--isolated"]) == 2
    assert "no topology given" in capsys.readouterr().err
    assert (
        main(
            [
                "audit",
                "--config",
                str(repo / "exaudit.toml"),
                "--exit-zero",
                "--select",
                "EXA401",
                "--ignore",
                "EXA9",
            ]
        )
        == 2
    )
    assert "ignore 'EXA9' matches no check" in capsys.readouterr().err


def test_exit_zero_from_the_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "exaudit.toml", "[tool.exaudit]\nexit-zero = true\n")
    monkeypatch.chdir(repo)
    assert main(["audit", "net/topology.yaml"]) == 0
    capsys.readouterr()


def test_config_command(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(repo / "exaudit.toml", "fail-on = 'warning'\nbaseline = 'b.json'\n")
    monkeypatch.chdir(repo / "sub")
    assert main(["config"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"# configuration file: {config}"
    rows = {line.split("=")[0].strip(): line for line in out[1:]}
    assert rows["fail-on"].split("#")[1].strip() == str(config)
    assert '"warning"' in rows["fail-on"]
    assert '"../b.json"' in rows["baseline"]
    assert rows["format"].endswith("# default") and '"text"' in rows["format"]
    assert main(["config", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["settings"]["fail-on"] == {"value": "warning", "source": str(config)}
    assert main(["config", "--isolated"]) == 0
    assert capsys.readouterr().out.startswith("# configuration file: none found")


def test_requirements_uses_the_configured_topology(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / "exaudit.toml", "topology = 'net/topology.yaml'\nformat = 'sarif'\n")
    monkeypatch.chdir(repo / "sub")
    assert main(["requirements", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["topology"] == "../net/topology.yaml" and report["flows"]
