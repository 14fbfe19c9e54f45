"""Benchmark: a whole audit against parsing the same configs alone (issue 3's target: 2x).

Generates (deterministically) a topology of 50 Exchange servers in 5 sites, 20 client
networks using every protocol, RPC and X.400 connectors, and 10 iptables firewalls of
10,000 rules each, then times parsing the ten configs and the full audit. Prints figures;
asserts nothing.

    python bench/bench_audit.py [--rules 10000] [--firewalls 10]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SITES = 5
SERVERS_PER_SITE = 10
CLIENT_NETS = 20


def server_addr(site: int, k: int) -> str:
    return f"10.{site}.0.{10 + k}"


def topology(firewalls: int) -> str:
    lines = ["version: 1", 'exchange: "5.5"', "networks:", "  internet: [0.0.0.0/0]"]
    for c in range(CLIENT_NETS):
        lines.append(f"  clients-{c}: [10.{100 + c}.0.0/16]")
    for s in range(SITES):
        lines.append(f"  site-{s}-servers: [10.{s}.0.0/24]")
    lines.append("servers:")
    for s in range(SITES):
        for k in range(SERVERS_PER_SITE):
            base = 5000 + 10 * k
            rpc = (
                (
                    f", rpc_ports: {{directory: {base}, information_store: {base + 1}, "
                    f"mta: {base + 2}}}"
                )
                if k % 5
                else ""
            )
            lines.append(f"  ex-{s}-{k}: {{address: {server_addr(s, k)}, site: S{s}{rpc}}}")
    lines.append("clients:")
    for c in range(CLIENT_NETS):
        site = c % SITES
        targets = ", ".join(f"ex-{site}-{k}" for k in range(SERVERS_PER_SITE))
        lines += [
            f"  - from: clients-{c}",
            f"    to: [{targets}]",
            "    protocols: [mapi, pop3, imap4, ldap, nntp, smtp]",
            "    ssl: [pop3, imap4]" if c % 2 else "    ssl: [ldap]",
        ]
    lines += ["  - from: internet", "    to: [ex-0-0, ex-1-0]", "    protocols: [smtp]"]
    lines.append("connectors:")
    for s in range(SITES - 1):
        kind = "rpc" if s % 2 else "x400"
        lines.append(
            f"  - {{between: [S{s}, S{s + 1}], type: {kind}, servers: [ex-{s}-1, ex-{s + 1}-1]}}"
        )
    lines.append("firewalls:")
    for f in range(firewalls):
        lines += [
            f"  fw-{f}:",
            "    platform: iptables",
            f"    config: fw-{f}.rules",
            "    interfaces:",
            "      eth0: [internet]",
            "      eth1: [" + ", ".join(f"clients-{c}" for c in range(CLIENT_NETS)) + "]",
        ]
        for s in range(SITES):
            lines.append(f"      eth{2 + s}: [site-{s}-servers]")
    return "\n".join(lines) + "\n"


def ruleset(seed: int, count: int) -> str:
    rng = random.Random(seed)
    out = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    chains = [f"U{i}" for i in range(8)]
    out += [f":{c} - [0:0]" for c in chains]
    out.append("-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT")
    body: dict[str, list[str]] = {"FORWARD": [], **{c: [] for c in chains}}
    for _n in range(count - 1):
        chain = rng.choice(list(body))
        s = rng.randrange(SITES)
        dst = (
            server_addr(s, rng.randrange(SERVERS_PER_SITE))
            if rng.random() < 0.5
            else f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        )
        src = f"10.{100 + rng.randrange(CLIENT_NETS)}.{rng.randrange(256)}.0/24"
        port = rng.choice(
            [
                "25",
                "110",
                "143",
                "389",
                "993",
                "995",
                "135",
                "5001",
                str(rng.randrange(1, 65535)),
                "1024:65535",
            ]
        )
        target = rng.choice(["ACCEPT", "DROP", "ACCEPT", "LOG --log-prefix x"])
        if chain == "FORWARD" and rng.random() < 0.05:
            target = rng.choice(chains)
        body[chain].append(
            f"-A {chain} -i eth1 -o eth{2 + s} -s {src} -d {dst} -p tcp -m tcp "
            f"--dport {port} -j {target}"
        )
    for rules in body.values():
        out += rules
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def _best(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--firewalls", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3, help="best of K timings")
    args = ap.parse_args()
    from exaudit.checks.selection import enabled_checks
    from exaudit.cli import main
    from exaudit.pipeline.audit import evaluate
    from exaudit.platforms import iptables

    enabled = enabled_checks([], [])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        topo = str(root / "topology.yaml")
        (root / "topology.yaml").write_text(topology(args.firewalls))
        for f in range(args.firewalls):
            (root / f"fw-{f}.rules").write_text(ruleset(f, args.rules))

        def parse_all() -> None:
            for f in range(args.firewalls):
                path = root / f"fw-{f}.rules"
                iptables.parse(path.read_text(), str(path))

        def whole(*options: str) -> None:
            main(
                ["audit", topo, "--isolated", "--format", "json", "--output", os.devnull, *options]
            )

        parse = _best(args.repeat, parse_all)
        one = _best(args.repeat, lambda: whole("--jobs", "1", "--no-cache"))
        two = _best(args.repeat, lambda: whole("--jobs", "2", "--no-cache"))
        cold = warm = float("inf")
        for k in range(args.repeat):
            cache = ("--jobs", "1", "--cache-dir", str(root / f"cache-{k}"))
            cold = min(cold, _best(1, lambda: whole(*cache)))  # noqa: B023
            changed = root / "fw-0.rules"
            changed.write_text(changed.read_text() + f"# edit {k}\n")
            warm = min(warm, _best(1, lambda: whole(*cache)))  # noqa: B023
        run = evaluate(topo, enabled)
    crossings = sum(o.summary.crossings for o in run.outcomes)
    print(
        f"firewalls: {args.firewalls} x {args.rules} rules; flows: {len(run.flows)}; "
        f"crossings evaluated: {crossings}; findings: {len(run.findings)}"
    )
    print(
        f"parse alone: {parse:.2f} s; whole audit (JSON report): {one:.2f} s "
        f"(best of {args.repeat})"
    )
    print(f"ratio audit/parse: {one / parse:.2f} (target <= 2)")
    print(f"--jobs 2 against --jobs 1: {one / two:.2f}x faster (target >= 1.7)")
    print(
        f"warm cache, 1 of {args.firewalls} firewalls changed, against a cold run: "
        f"{warm / cold:.2f} (target <= 0.2)"
    )


if __name__ == "__main__":
    main()
