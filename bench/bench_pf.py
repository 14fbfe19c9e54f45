"""Benchmark: parse and evaluate a generated pf.conf of 10,000 rules and a 100,000-entry table.

Prints figures (not a test). Compares with the iptables parser on a ruleset of the same
size when ``exaudit.platforms.iptables`` is available.

    python bench/bench_pf.py [--rules 10000] [--table 100000]
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.engine.evaluate import Evaluator, Question
from exaudit.platforms import pf


def generate_pf(rules: int, table: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    out = [
        'ext_if = "em0"',
        'int_if = "em1"',
        'dmz_if = "em2"',
        'web_ports = "{ http, https, 8080:8090 }"',
        'mail_ports = "{ smtp, submission, imaps, pop3s }"',
        'lan = "{ 10.10.0.0/16, 10.20.0.0/16, !10.20.5.0/24 }"',
        "set skip on lo",
        "set block-policy return",
        "table <blocklist> persist {",
    ]
    for _ in range(table // 10):
        out.append(
            "  "
            + " ".join(
                f"{rnd.randrange(1, 224)}.{rnd.randrange(256)}.{rnd.randrange(256)}.0/24"
                for _ in range(10)
            )
        )
    out += [
        "}",
        "table <servers> const { 10.1.0.0/24, 10.2.0.0/24 }",
        "block log all",
        "block in quick on $ext_if from <blocklist>",
    ]
    for i in range(rules - 2):
        net = f"10.{i % 250}.{(i // 250) % 250}.0/24"
        host = f"10.1.{(i // 250) % 250}.{i % 250}"
        quick = " quick" if i % 7 == 0 else ""
        kind = i % 5
        if kind == 0:
            out.append(
                f"pass in{quick} on $int_if inet proto tcp from {net} to {host} port $web_ports"
            )
        elif kind == 1:
            out.append(
                f"pass in{quick} on {{ $int_if, $dmz_if }} proto {{ tcp, udp }} "
                f"from $lan to {host} port {{ 53, {1000 + i % 50000} }}"
            )
        elif kind == 2:
            out.append(
                f"block in{quick} on $ext_if inet proto tcp from any to {host} "
                f"port {1024 + i % 60000}"
            )
        elif kind == 3:
            out.append(
                f"pass out{quick} on $ext_if inet proto tcp from <servers> to {net} "
                "port $mail_ports keep state"
            )
        else:
            out.append(
                f"pass in{quick} inet proto icmp from {net} to any icmp-type {{ echoreq, unreach }}"
            )
    return "\n".join(out) + "\n"


def generate_pf_simple(rules: int) -> str:
    """The iptables benchmark's rules written for pf (one address, one port each)."""
    out = ["block all"]
    for i in range(rules):
        net = f"10.{i % 250}.{(i // 250) % 250}.0/24"
        host = f"10.1.{(i // 250) % 250}.{i % 250}"
        verb = "block" if i % 5 == 2 else "pass"
        out.append(
            f"{verb} in quick on em1 inet proto tcp from {net} to {host} port {1024 + i % 60000}"
        )
    return "\n".join(out) + "\n"


def generate_iptables(rules: int, seed: int = 1) -> str:
    out = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    for i in range(rules):
        net = f"10.{i % 250}.{(i // 250) % 250}.0/24"
        host = f"10.1.{(i // 250) % 250}.{i % 250}"
        verb = "DROP" if i % 5 == 2 else "ACCEPT"
        out.append(
            f"-A FORWARD -i em1 -o em2 -s {net} -d {host} -p tcp -m tcp "
            f"--dport {1024 + i % 60000} -j {verb}"
        )
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def generate_iptables_like_pf(rules: int) -> str:
    """``generate_pf(rules, 0)`` written for iptables: each pf rule as the iptables lines its
    macros and lists stand for (interfaces, protocols, sources, ICMP types one line each;
    port lists as multiport), in the same order (pf's quick rules are first-match too)."""
    out = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    lan = ["10.10.0.0/16", "10.20.0.0/16"]
    for i in range(rules - 2):
        net = f"10.{i % 250}.{(i // 250) % 250}.0/24"
        host = f"10.1.{(i // 250) % 250}.{i % 250}"
        kind = i % 5
        if kind == 0:
            out.append(
                f"-A FORWARD -i em1 -s {net} -d {host} -p tcp -m multiport "
                "--dports 80,443,8080:8090 -j ACCEPT"
            )
        elif kind == 1:
            for iface in ("em1", "em2"):
                for proto in ("tcp", "udp"):
                    for src in lan:
                        out.append(
                            f"-A FORWARD -i {iface} -s {src} -d {host} -p {proto} -m multiport "
                            f"--dports 53,{1000 + i % 50000} -j ACCEPT"
                        )
        elif kind == 2:
            out.append(
                f"-A FORWARD -i em0 -d {host} -p tcp -m tcp --dport {1024 + i % 60000} -j DROP"
            )
        elif kind == 3:
            out.append(
                f"-A OUTPUT -o em0 -s 10.1.0.0/24,10.2.0.0/24 -d {net} -p tcp -m multiport "
                "--dports 25,587,993,995 -j ACCEPT"
            )
        else:
            for icmp in ("8", "3"):
                out.append(f"-A FORWARD -s {net} -p icmp -m icmp --icmp-type {icmp} -j ACCEPT")
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def best_cpu(label: str, fn, repeat: int = 3):
    """The least CPU time of ``repeat`` runs (the machine may be shared), and the value."""
    least, value = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        value = fn()
        least = min(least, time.process_time() - start)
    print(f"{label:<48} {least:8.3f} s CPU (best of {repeat})")
    return value, least


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed:8.3f} s")
    return value, elapsed


def main() -> None:
    from exaudit.core.gc import fewer_collections

    with fewer_collections():  # as a CLI run collects garbage
        _main()


def _main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--table", type=int, default=100_000)
    args = ap.parse_args()

    text = generate_pf(args.rules, args.table)
    print(
        f"pf.conf: {len(text.splitlines())} lines, {len(text) / 1e6:.1f} MB, "
        f"{args.rules} rules, table of {args.table} entries"
    )
    ruleset, t_pf = timed(
        "pf: parse (incl. table and chain building)", lambda: pf.parse(text, "bench.pf.conf")
    )
    print(f"  normalized rules: {ruleset.rule_count}, issues: {len(ruleset.issues)}")
    syn = IntervalSet.point(2)  # pass rules keep state: the opening SYN is what they see
    tcp = IntervalSet.point(6)
    cases = [
        (
            "forward em1->em0, one packet",
            "em1",
            "em0",
            Question(
                tcp,
                addresses.parse("10.10.3.4"),
                addresses.parse("10.1.3.7"),
                IntervalSet.point(8080),
                flags=syn,
                in_iface="em1",
                out_iface="em0",
            ),
        ),
        (
            "forward em1->em0, a /16 to a host, all ports",
            "em1",
            "em0",
            Question(
                tcp,
                addresses.parse("10.10.0.0/16"),
                addresses.parse("10.1.0.10"),
                flags=syn,
                in_iface="em1",
                out_iface="em0",
            ),
        ),
        (
            "local input em0, any source, tcp/22",
            "em0",
            None,
            Question(
                tcp,
                addresses.ALL_V4,
                addresses.parse("10.1.0.0/16"),
                IntervalSet.point(22),
                flags=syn,
                in_iface="em0",
            ),
        ),
        (
            "forward em0->em1, any v4 to a /24, all tcp",
            "em0",
            "em1",
            Question(
                tcp,
                addresses.ALL_V4,
                addresses.parse("10.1.0.0/24"),
                flags=syn,
                in_iface="em0",
                out_iface="em1",
            ),
        ),
    ]
    evaluator = Evaluator()
    for label, iif, oif, q in cases:
        stages = pf.stages(ruleset, in_iface=iif, out_iface=oif, local=None if oif else "input")
        result, _ = timed(
            f"evaluate {label}", lambda q=q, stages=stages: evaluator.evaluate(stages, q)
        )
        print(f"  parts: {len(result.parts)}, verdicts: {sorted(result.verdicts)}")

    try:
        ipt = importlib.import_module("exaudit.platforms.iptables")
    except ImportError:
        print("iptables parser not available yet: pf figures only")
        return
    ipt_text = generate_iptables(args.rules)
    _, t_ipt = best_cpu(f"iptables: parse {args.rules} rules", lambda: ipt.parse(ipt_text, "b.v4"))
    pf_simple = generate_pf_simple(args.rules)
    _, t_simple = best_cpu(
        f"pf: parse the same {args.rules} rules", lambda: pf.parse(pf_simple, "bench2.pf.conf")
    )
    pf_plain = generate_pf(args.rules, 0)
    _, t_plain = best_cpu(
        f"pf: parse {args.rules} rules with macros and lists, no table",
        lambda: pf.parse(pf_plain, "bench3.pf.conf"),
    )
    ipt_like = generate_iptables_like_pf(args.rules)
    ipt_rules, t_like = best_cpu(
        "iptables: parse the same rules, lists written out",
        lambda: ipt.parse(ipt_like, "b2.v4"),
    )
    print(f"  normalized rules: iptables {ipt_rules.rule_count}")
    if t_ipt > 0:
        print(f"ratio pf/iptables, same simple rules: {t_simple / t_ipt:.1f}")
        print(
            f"ratio pf/iptables, {args.rules} rules with macros and lists against the same "
            f"rules in iptables: {t_plain / t_like:.1f} (target <= 3)"
        )


if __name__ == "__main__":
    main()
