"""Run every benchmark under ``bench/`` and print one table of its ratios against targets.

Each benchmark runs as its own process and prints its figures; this script keeps the
lines that state a ratio, an exponent or a limit (``... (target ...)``) and prints them
as one table, with the benchmark they came from. ``--quick`` passes smaller sizes (the
ratios then describe the smaller inputs, which each line names). Asserts nothing.

    python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# each benchmark with the arguments of a full run and of a quick one
BENCHES: list[tuple[str, list[str], list[str]]] = [
    ("bench_shadow.py", [], ["--rules", "10000", "--clean", "1000"]),
    ("bench_first.py", [], ["--rules", "20000", "--repeat", "1"]),
    ("bench_iptables.py", [], ["--rules", "20000", "--repeat", "1", "--queries", "200"]),
    ("bench_pf.py", [], ["--rules", "2000", "--table", "10000"]),
    ("bench_audit.py", [], ["--rules", "1000", "--firewalls", "4", "--repeat", "1"]),
    ("bench_startup.py", [], ["--rules", "20000", "--repeat", "3", "--no-memory"]),
    ("bench_cisco.py", [], ["--entries", "10000", "--repeat", "1"]),
    ("bench_nftables.py", [], ["--rules", "20000", "--repeat", "1", "--questions", "200"]),
    ("bench_exchange.py", [], ["--servers", "50", "--repeat", "1"]),
    ("bench_least_privilege.py", [], ["--servers", "50"]),
]
_FIGURE = re.compile(r"\(target [^)]*\)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    args = ap.parse_args()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    rows: list[tuple[str, str]] = []
    for script, full, quick in BENCHES:
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(HERE / script), *(quick if args.quick else full)],
            capture_output=True,
            text=True,
            env=env,
        )
        took = time.perf_counter() - t0
        print(f"--- {script} ({took:.0f} s)\n{done.stdout}{done.stderr}", flush=True)
        found = [line.strip() for line in done.stdout.splitlines() if _FIGURE.search(line)]
        if done.returncode:
            found.append(f"FAILED (exit {done.returncode})")
        rows += [(script, line) for line in found]
    width = max(len(s) for s, _ in rows)
    print("=" * 100)
    for script, line in rows:
        print(f"{script:<{width}}  {line}")


if __name__ == "__main__":
    main()
