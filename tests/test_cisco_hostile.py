"""Hostile Cisco inputs: a million comment lines is read in bounded time and memory
(asserted by the process's own CPU and memory limits, as in test_hostile.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hostile import limited

MILLION = 1_000_000
IOS_TAIL = (
    "ip access-list extended A\n permit tcp any host 10.0.0.1 eq 25\n"
    "interface Gi0/0\n ip access-group A in\n"
)
CONFIGS = {
    # only indentation matters: the library is not asked at all
    "ios bangs": ("ios", "hostname r1\n" + "!\n" * MILLION + IOS_TAIL),
    "ios distinct comments": (
        "ios",
        "hostname r1\n" + "".join(f"! note {i}\n" for i in range(MILLION)) + IOS_TAIL,
    ),
    "ios indented bangs": ("ios", "hostname r1\n" + " !\n!\n" * (MILLION // 2) + IOS_TAIL),
    # a banner needs the library: the run of comments is folded before it reads
    "ios bangs after a banner": (
        "ios",
        "hostname r1\nbanner motd ^C\nhello\n^C\n" + "!\n" * MILLION + IOS_TAIL,
    ),
    "asa bangs": (
        "asa",
        ": Saved\nASA Version 9.8(2)\n" + "!\n" * MILLION + "interface Gi0/0\n nameif inside\n"
        "access-list A extended permit tcp any host 10.0.0.1 eq 25\n"
        "access-group A in interface inside\n",
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_million_comment_lines(tmp_path: Path, name: str) -> None:
    platform, text = CONFIGS[name]
    (tmp_path / "fw.cfg").write_text(text)
    proc = limited(
        ["lint", "fw.cfg", "--no-cache", "--platform", platform], tmp_path, cpu_seconds=10
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-500:])
    # the entry after the comments is read: one rule, understood
    assert f"fw.cfg: {platform}, 1 rule, 1 fully understood" in proc.stdout, proc.stdout[-500:]
