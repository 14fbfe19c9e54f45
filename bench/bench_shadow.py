"""Benchmark: EXA501 (dead rules) against parsing alone, and its scaling on a clean ruleset.

Two measurements in one run, printed as ratios (asserts nothing):

* ``lint`` of a generated iptables-save (the random rules of ``bench_iptables``, in which
  an early catch-all makes about 99 % of the rules dead) against parsing it alone
  (issue 11: lint <= 2x parse, moonshot 1.3x);
* EXA501 on a clean pf ruleset (no dead rule) of n, 2n and 4n rules, and the exponent of
  its growth (target <= 1.2).

    python bench/bench_shadow.py [--rules 100000] [--clean 3000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_iptables import generate

from exaudit.checks.runner import lint_checks
from exaudit.core.model import Ruleset
from exaudit.engine.shadow import dead_lines
from exaudit.platforms import iptables, pf


def clean_pf(rules: int) -> str:
    """A pf.conf of ``rules`` rules none of which is dead: each has its own host and port."""
    out = ["block all"]
    for i in range(rules - 1):
        net = f"10.{i % 250}.{(i // 250) % 250}.0/24"
        host = f"172.{16 + (i // 62500) % 16}.{(i // 250) % 250}.{i % 250 + 1}"
        kind = i % 5
        if kind == 4:  # wild on port and destination: a candidate for every rule
            out.append(f"pass in quick inet proto icmp from {net} to any")
        elif kind == 2:
            out.append(f"block in quick on em0 inet proto tcp from any to {host} port {1024 + i}")
        else:
            out.append(
                f"pass in on em1 inet proto {{ tcp, udp }} from {net} to {host} port {1024 + i}"
            )
    return "\n".join(out) + "\n"


def best(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """The least CPU time of ``repeat`` runs, and the last result."""
    least, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        value = work()
        least = min(least, time.process_time() - t0)
    return least, value


def dead_share(ruleset: Ruleset) -> float:
    return len(dead_lines(ruleset)) / max(1, len({r.origin for r in ruleset.rules()}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=100_000)
    ap.add_argument("--clean", type=int, default=3_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dead.rules"
        generate(path, args.rules)
        text = path.read_text(encoding="utf-8")
    t_parse, ruleset = best(args.repeat, lambda: iptables.parse(text, "dead.rules"))
    assert isinstance(ruleset, Ruleset)

    def lint() -> list:
        return lint_checks(iptables.parse(text, "dead.rules"), None)

    t_lint, findings = best(args.repeat, lint)
    assert isinstance(findings, list)
    shadowed = sum(1 for f in findings if f.check == "EXA501")
    print(
        f"iptables-save of {args.rules} rules: {shadowed} EXA501 findings "
        f"({dead_share(ruleset):.0%} of lines dead)"
    )
    print(f"  parse {t_parse:.2f} s CPU; lint (parse + every check) {t_lint:.2f} s CPU")
    print(f"ratio lint/parse: {t_lint / t_parse:.2f} (target <= 2, moonshot <= 1.3)")

    sizes = [args.clean, 2 * args.clean, 4 * args.clean]
    times = []
    for n in sizes:
        clean = pf.parse(clean_pf(n), "clean.pf.conf")
        t, dead = best(args.repeat, lambda clean=clean: dead_lines(clean))
        assert isinstance(dead, list)
        times.append(t)
        print(f"  clean pf, {n} rules: EXA501 {t:.2f} s CPU, {len(dead)} dead lines")
    exponent = math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])
    print(
        f"scaling exponent of EXA501 on a clean pf ruleset, {sizes[0]} -> {sizes[-1]} rules: "
        f"{exponent:.2f} (target <= 1.2)"
    )


if __name__ == "__main__":
    main()
