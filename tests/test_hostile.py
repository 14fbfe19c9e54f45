"""Inputs written by whoever opens a pull request: each is refused or handled in bounded
time and memory (asserted by the process's own CPU and memory limits, not by a clock)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

MEGABYTE = 1024 * 1024


def limited(
    args: list[str], cwd: Path, cpu_seconds: int, memory_mb: int = 1024
) -> subprocess.CompletedProcess[str]:
    """``python -m exaudit ARGS`` that the kernel stops past its CPU or memory budget."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MEGABYTE, memory_mb * MEGABYTE))

    return subprocess.run(
        [sys.executable, "-m", "exaudit", *args, "--isolated"],
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        preexec_fn=limits,
        check=False,
        timeout=120,
    )


def one_error(proc: subprocess.CompletedProcess[str], words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    assert proc.stderr.count("\n") == 1 and words in proc.stderr, proc.stderr[-500:]


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ["version: 1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "t.yaml").write_text("\n".join(lines) + "\n")
    one_error(limited(["requirements", "t.yaml"], tmp_path, cpu_seconds=5), "too many aliases")


def test_a_50_mb_topology_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("version: 1\nx: '" + "a" * 50 * MEGABYTE + "'\n")
    one_error(
        limited(["requirements", "t.yaml"], tmp_path, cpu_seconds=5), "larger than 10,485,760 bytes"
    )


def test_an_8_mb_line_in_text_output(tmp_path: Path) -> None:
    (tmp_path / "fw.rules").write_text(
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 "
        + "-m comment --comment "
        + "x" * 8 * MEGABYTE
        + " --bogus -j ACCEPT\nCOMMIT\n"
    )
    proc = limited(["lint", "fw.rules", "--no-cache"], tmp_path, cpu_seconds=20)
    assert proc.returncode == 1, proc.stderr[-500:]
    assert "EXA001" in proc.stdout and max(map(len, proc.stdout.splitlines())) < 1000


def test_no_finding_echoes_more_than_a_slice_of_a_line(tmp_path: Path) -> None:
    import json

    secret = "s3cr3t" * 200_000
    (tmp_path / "fw.rules").write_text(
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --bogus " + secret + "\nCOMMIT\n"
    )
    proc = limited(["lint", "fw.rules", "--no-cache", "--format", "json"], tmp_path, cpu_seconds=20)
    findings = json.loads(proc.stdout)["findings"]
    assert findings and all(len(json.dumps(f)) < 5000 for f in findings)


def _many_hosts(tmp_path: Path, count: int, one_name: bool) -> None:
    hosts = [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32" for i in range(count)]
    if one_name:
        networks = f"  hosts: [{', '.join(hosts)}]\n"
    else:
        networks = "".join(f"  h{i}: [{h}]\n" for i, h in enumerate(hosts))
    (tmp_path / "t.yaml").write_text(
        "version: 1\nexchange: '5.5'\nnetworks:\n  lan: [10.0.0.0/8]\n"
        + networks
        + "servers:\n  ex1: {address: 10.200.0.10, site: HQ}\n"
        "clients:\n  - {from: lan, to: [ex1], protocols: [mapi]}\n"
    )


@pytest.mark.parametrize("one_name", [True, False], ids=["one network", "a name each"])
def test_100k_host_addresses_in_a_topology(tmp_path: Path, one_name: bool) -> None:
    """The name partition is n log n: 100,000 /32s (was 56 s for 10,000)."""
    _many_hosts(tmp_path, 100_000, one_name)
    proc = limited(["requirements", "t.yaml"], tmp_path, cpu_seconds=30, memory_mb=2048)
    assert proc.returncode == 0, proc.stderr[-500:]
