"""Benchmark: the first packet question on a large ruleset (compile + index) against its parse.

Parses the generated iptables-save of ``bench_iptables`` (100,000 rules by default) and
asks one single-packet question with a new evaluator, as ``exaudit query`` does: the
rules' boxes are compiled and the chains it walks made ready. Both are timed in CPU
seconds under the garbage-collection settings of a CLI run; prints the ratio (issue 11:
<= 0.5x parse), then the cost of the next questions. Asserts nothing.

    python bench/bench_first.py [--rules 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_iptables import generate

from exaudit.core.gc import fewer_collections
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import SYN, Ruleset, State, states
from exaudit.engine.evaluate import Evaluator, Question, patterns_of
from exaudit.platforms import iptables

QUESTION = Question(
    proto=IntervalSet.point(6),
    src=IntervalSet.point(0x0A0A0305),
    dst=IntervalSet.point(0xC0A80A0A),
    dport=IntervalSet.point(25),
    flags=SYN,
    state=states(State.NEW),
    in_iface="eth0",
    out_iface="eth1",
)


def first_question(ruleset: Ruleset) -> tuple[float, Evaluator]:
    t0 = time.process_time()
    evaluator = Evaluator(patterns_of(ruleset.chains.values()))
    stages = iptables.stages(ruleset, in_iface="eth0", out_iface="eth1")
    evaluator.evaluate(stages, QUESTION)
    return time.process_time() - t0, evaluator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--more", type=int, default=200, help="questions after the first")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.rules"
        generate(path, args.rules)
        text = path.read_text(encoding="utf-8")
    parse = first = float("inf")
    with fewer_collections():
        for _ in range(args.repeat):
            t0 = time.process_time()
            ruleset = iptables.parse(text, "bench.rules")
            parse = min(parse, time.process_time() - t0)
            took, evaluator = first_question(ruleset)
            first = min(first, took)
        stages = iptables.stages(ruleset, in_iface="eth0", out_iface="eth1")
        t0 = time.process_time()
        for k in range(args.more):
            q = Question(
                proto=IntervalSet.point(6),
                src=IntervalSet.point(0x0A000000 + 7919 * k),
                dst=IntervalSet.point(0xC0A80000 + 104729 * k % 65536),
                dport=IntervalSet.point(25 + k % 1000),
                flags=SYN,
                state=states(State.NEW),
                in_iface="eth0",
                out_iface="eth1",
            )
            evaluator.evaluate(stages, q)
        more = (time.process_time() - t0) / args.more
    print(f"iptables-save of {args.rules} rules: parse {parse:.2f} s CPU (best of {args.repeat})")
    print(f"  first question (new evaluator: compile + index): {first:.2f} s CPU")
    print(f"  each of the next {args.more} questions: {more * 1000:.1f} ms CPU")
    print(f"ratio first question/parse: {first / parse:.2f} (target <= 0.5)")


if __name__ == "__main__":
    main()
