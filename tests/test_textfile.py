"""Reading input files: a UTF-8 byte-order mark is not part of any platform's text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exaudit.core.textfile import read_text
from exaudit.exchange.topology import load_topology

ROOT = Path(__file__).resolve().parents[1]
BOM = b"\xef\xbb\xbf"

# Each config denies tcp/25 on its first statement (at the line given) and permits
# everything after it: with the mark glued to the first word, that statement vanished (or,
# for iptables-save, the file was refused with a misleading error).
FIRST_LINE_DENIES = {
    "ios": (
        "access-list 101 deny tcp any any eq 25\naccess-list 101 permit ip any any\n"
        "interface GigabitEthernet0/0\n ip access-group 101 in\n",
        ["--in", "GigabitEthernet0/0"],
        1,
    ),
    "asa": (
        "access-list OUT extended deny tcp any any eq 25\n"
        "access-list OUT extended permit ip any any\n"
        "interface GigabitEthernet0/0\n nameif outside\n security-level 0\n"
        "interface GigabitEthernet0/1\n nameif inside\n security-level 100\n"
        "access-group OUT in interface outside\n",
        ["--in", "outside", "--out", "inside"],
        1,
    ),
    "iptables": (
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 25 -j DROP\nCOMMIT\n",
        [],
        3,
    ),
    "pf": ("block in quick proto tcp to port 25\npass in all\n", ["--in", "em0"], 1),
}


def _query(path: Path, platform: str, extra: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "exaudit",
            "query",
            str(path),
            "--platform",
            platform,
            "--src",
            "192.0.2.1",
            "--dst",
            "198.51.100.1",
            "--dport",
            "25",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize("platform", sorted(FIRST_LINE_DENIES))
def test_a_byte_order_mark_does_not_hide_the_first_line(tmp_path: Path, platform: str) -> None:
    text, extra, line = FIRST_LINE_DENIES[platform]
    path = tmp_path / "fw.conf"
    path.write_bytes(BOM + text.encode())
    proc = _query(path, platform, extra)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("deny"), proc.stdout
    assert f"{path}:{line}:" in proc.stdout


def test_read_text_drops_only_a_leading_mark(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(BOM + b"one\n" + BOM + b"two\n")
    assert read_text(str(path)) == "one\n\ufefftwo\n"


def test_pf_include_with_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "part.conf").write_bytes(BOM + b"block in quick proto tcp to port 25\n")
    main = tmp_path / "pf.conf"
    main.write_text('include "part.conf"\npass in all\n')
    proc = _query(main, "pf", ["--in", "em0"])
    assert proc.stdout.startswith("deny"), proc.stdout + proc.stderr
    assert "part.conf:1:" in proc.stdout


def test_topology_with_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_bytes(
        BOM + b"version: 1\nservers:\n  ex1: {address: 10.0.0.1, site: HQ}\n"
    )
    topo = load_topology(str(tmp_path / "t.yaml"))
    assert list(topo.servers) == ["ex1"]
