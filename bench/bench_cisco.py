"""Benchmark: Cisco IOS and ASA, one large ACL bound on four interfaces.

Prints ratios measured in this run (not a test):

* ``exaudit lint`` of a generated IOS config with one 50,000-entry ACL on 4 interfaces,
  against ciscoconfparse's bare load of the same file (target <= 3x, moonshot 1x);
* the doubling ratio: lint of twice the entries against lint of the first size, for
  IOS and ASA (target <= ~2.2: nothing grows faster than n log n).

Every figure is CPU seconds of a fresh interpreter (``exaudit lint`` counts its start-up
too; ciscoconfparse's figure is its load alone, after its import).

    python bench/bench_cisco.py [--entries 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTERFACES = 4

_CCP_LOAD = """
import sys, time
from loguru import logger
logger.remove()
from ciscoconfparse import CiscoConfParse
start = time.process_time()
CiscoConfParse(sys.argv[1], syntax=sys.argv[2])
print(time.process_time() - start)
"""


def generate_ios(entries: int) -> str:
    out = ["hostname r1", "!"]
    for i in range(INTERFACES):
        out += [
            f"interface GigabitEthernet0/{i}",
            f" ip address 10.{i}.0.1 255.255.255.0",
            " ip access-group BIG in",
            "!",
        ]
    out.append("ip access-list extended BIG")
    for i in range(entries):
        a, b = divmod(i, 250)
        out.append(
            f" permit tcp 10.{a % 250}.{b}.0 0.0.0.255 host 192.168.{a % 250}.{b} "
            f"eq {1 + i % 60000}"
        )
    out += [" deny ip any any", "end"]
    return "\n".join(out) + "\n"


def generate_asa(entries: int) -> str:
    out = [": Saved", "ASA Version 9.8(2)", "hostname fw"]
    names = ["outside", "inside", "dmz", "mgmt"][:INTERFACES]
    for i, name in enumerate(names):
        out += [
            f"interface GigabitEthernet0/{i}",
            f" nameif {name}",
            f" security-level {i * 30}",
            f" ip address 10.{i}.0.1 255.255.255.0",
            "!",
        ]
    for i in range(entries):
        a, b = divmod(i, 250)
        out.append(
            f"access-list BIG extended permit tcp 10.{a % 250}.{b}.0 255.255.255.0 "
            f"host 192.168.{a % 250}.{b} eq {1 + i % 60000}"
        )
    out.append("access-list BIG extended deny ip any any")
    out += [f"access-group BIG in interface {name}" for name in names]
    return "\n".join(out) + "\n"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def lint_cpu(path: Path, platform: str) -> float:
    """The CPU time of one ``exaudit lint`` of ``path`` (start-up included)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = _child_cpu()
    cmd = [sys.executable, "-m", "exaudit", "lint", "--no-cache", "--jobs", "1"]
    subprocess.run(
        [*cmd, "--platform", platform, str(path)], env=env, check=False, stdout=subprocess.DEVNULL
    )
    return _child_cpu() - before


def ccp_load_cpu(path: Path, syntax: str) -> float:
    """The CPU time of ciscoconfparse loading ``path`` once (its import not counted)."""
    done = subprocess.run(
        [sys.executable, "-c", _CCP_LOAD, str(path), syntax],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (the least counts)")
    args = ap.parse_args()
    n, repeat = args.entries, args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for platform, generate in (("ios", generate_ios), ("asa", generate_asa)):
            for size in (n, 2 * n):
                path = Path(tmp) / f"{platform}-{size}.cfg"
                path.write_text(generate(size))
                files[platform, size] = path
        # interleaved, the least of ``repeat`` runs each: a busy machine slows all alike
        ccp = float("inf")
        lint = dict.fromkeys(files, float("inf"))
        for _ in range(repeat):
            ccp = min(ccp, ccp_load_cpu(files["ios", n], "ios"))
            for key, path in files.items():
                lint[key] = min(lint[key], lint_cpu(path, key[0]))
    print(f"IOS, one {n}-entry ACL on {INTERFACES} interfaces (CPU seconds):")
    print(f"  ciscoconfparse bare load  {ccp:7.2f}")
    print(f"  exaudit lint              {lint['ios', n]:7.2f}")
    print(f"  lint / load               {lint['ios', n] / ccp:7.2f}x   (target <= 3x, moonshot 1x)")
    for platform in ("ios", "asa"):
        small, large = lint[platform, n], lint[platform, 2 * n]
        print(
            f"{platform.upper()} doubling: lint {n} entries {small:.2f} s, {2 * n} entries "
            f"{large:.2f} s, ratio {large / small:.2f}   (target <= 2.2)"
        )


if __name__ == "__main__":
    main()
