"""Benchmark: fixed costs of a run, as ratios measured in this run (asserts nothing).

* CPU of ``exaudit --version`` and ``--help`` against ``python -c pass`` (target <= 3x);
* CPU of ``exaudit lint`` of a three-line IOS config (ciscoconfparse loaded) against
  ``exaudit --version`` (target <= 2x: what the issue calls the IOS start);
* the peak memory (max RSS) of ``exaudit lint`` of the 100,000-rule iptables-save of
  ``bench_iptables`` (target < 500 MB);
* interpreter shutdown after a 100,000-rule parse: a normal exit (the model freed object
  by object) against the CLI's ``os._exit`` after flushing (target ~0).

    python bench/bench_startup.py [--rules 100000] [--repeat 5] [--no-memory]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_iptables import generate

ROOT = Path(__file__).resolve().parents[1]
IOS = "interface Gi0/1\n ip access-group IN in\n!\nip access-list extended IN\n permit ip any any\n"
# a child that parses, says when it is done, then leaves as asked
SHUTDOWN = """
import os, sys, time
from exaudit.platforms import iptables
ruleset = iptables.parse(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1])
sys.stdout.write(repr(time.time())); sys.stdout.flush()
if sys.argv[2] == "exit":
    os._exit(0)
sys.exit(0)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def child(argv: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and max RSS (MB) of one child process."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT
    )
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(argv: list[str], repeat: int) -> float:
    return min(child(argv)[0] for _ in range(repeat))


def shutdown(path: Path, how: str) -> float:
    """Seconds from the child's last word to its end."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SHUTDOWN, str(path), how],
        stdout=subprocess.PIPE,
        env=_env(),
        cwd=ROOT,
    )
    assert proc.stdout is not None
    said = float(proc.stdout.read().decode() or "nan")
    proc.wait()
    return time.time() - said


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-memory", action="store_true", help="skip the 100k-rule lint")
    args = ap.parse_args()
    py = sys.executable
    bare = best([py, "-c", "pass"], args.repeat)
    version = best([py, "-m", "exaudit", "--version"], args.repeat)
    helps = best([py, "-m", "exaudit", "--help"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        ios = Path(tmp) / "router.cfg"
        ios.write_text(IOS)
        ios_lint = best([py, "-m", "exaudit", "lint", "--platform", "ios", str(ios)], args.repeat)
        big = Path(tmp) / "big.rules"
        generate(big, args.rules)
        normal = min(shutdown(big, "normal") for _ in range(2))
        fast = min(shutdown(big, "exit") for _ in range(2))
        rss = None
        if not args.no_memory:
            _, rss = child([py, "-m", "exaudit", "lint", "--platform", "iptables", str(big)])
    print(f"python -c pass: {bare * 1000:.0f} ms CPU (best of {args.repeat})")
    print(f"ratio exaudit --version / python -c pass: {version / bare:.2f} (target <= 3)")
    print(f"ratio exaudit --help / python -c pass: {helps / bare:.2f} (target <= 3)")
    ios_ratio = ios_lint / version
    print(f"ratio exaudit lint (3-line IOS) / exaudit --version: {ios_ratio:.2f} (target <= 2)")
    if rss is not None:
        print(f"max RSS of exaudit lint, {args.rules} iptables rules: {rss:.0f} MB (target < 500)")
    print(
        f"shutdown after parsing {args.rules} rules: normal exit {normal:.2f} s, "
        f"os._exit after flushing (the CLI's way) {fast:.2f} s (target ~0)"
    )


if __name__ == "__main__":
    main()
