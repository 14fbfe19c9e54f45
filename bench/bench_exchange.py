"""Benchmark: the Exchange 2000/2003 and 2013+ checks as the topology doubles.

Generates (deterministically) an organisation of N Exchange 2016 mailbox servers, N/10
domain controllers and N/2 Exchange 2003 back-ends (with MAPI clients, half of them
unpinned) in N/10 sites, behind one iptables router with ten permits per /24 of servers
(or per server, `--rules-per-server`), then with N doubled. Times each new check
(EXA105, EXA403, EXA404, EXA601, EXA602, EXA603) on the evaluated audit and prints the
ratio of the doubled run to the base one: doubling the input should cost no more than
about twice. Figures under a millisecond are mostly noise. Prints figures; asserts
nothing.

    python bench/bench_exchange.py [--servers 100] [--repeat 3] [--rules-per-server]
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def topology(n: int) -> str:
    sites = max(1, n // 10)
    lines = [
        "version: 1",
        'exchange: "2016"',
        "networks:",
        "  internet: [0.0.0.0/0]",
        "  lan: [10.200.0.0/16]",
        "servers:",
    ]
    for i in range(n):
        lines.append(f"  mbx{i}: {{address: 10.1.{i // 200}.{10 + i % 200}, site: S{i % sites}}}")
    for i in range(n // 2):
        pinned = ", rpc_ports: {information_store: 5100, rfr: 5101}" if i % 2 else ""
        lines.append(
            f"  be{i}: {{address: 10.3.{i // 200}.{10 + i % 200}, site: S{i % sites}, "
            f'exchange: "2003"{pinned}}}'
        )
    lines.append("domain_controllers:")
    for i in range(max(1, n // 10)):
        lines.append(f"  dc{i}: {{address: 10.2.{i // 200}.{10 + i % 200}, site: S{i % sites}}}")
    lines += ["clients:"]
    lines += ["  - from: internet", f"    to: [{', '.join(f'mbx{i}' for i in range(n))}]"]
    lines += ["    protocols: [https, smtp]"]
    lines += ["  - from: lan", f"    to: [{', '.join(f'mbx{i}' for i in range(n))}]"]
    lines += ["    protocols: [https, mapi, submission]"]
    lines += ["  - from: lan", f"    to: [{', '.join(f'be{i}' for i in range(n // 2))}]"]
    lines += ["    protocols: [mapi]"]
    lines += [
        "firewalls:",
        "  core:",
        "    platform: iptables",
        "    config: core.rules",
        "    interfaces:",
        "      eth0: [internet]",
        "      eth1: [lan]",
        "      eth2: [10.1.0.0/16]",
        "      eth3: [10.2.0.0/16, 10.3.0.0/16]",
    ]
    return "\n".join(lines) + "\n"


PORTS = (25, 443, 465, 587, 2525, 135, 5100, 5101, 88, 389)


def ruleset(n: int, per_server: bool) -> str:
    """Ten permits per server, or per /24 of servers (the ruleset then stays small)."""
    out = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    out.append("-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT")
    if per_server:
        targets = [f"10.1.{i // 200}.{10 + i % 200}" for i in range(n)]
    else:
        targets = [f"10.1.{k}.0/24" for k in range((n + 199) // 200)]
    for dst in targets:
        for port in PORTS:
            out.append(f"-A FORWARD -d {dst} -p tcp --dport {port} -j ACCEPT")
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def _best(repeat: int, work: Callable[[], object]) -> float:
    # CPU time of this process (the machine is shared, wall time swings with its load),
    # with the collector off as timeit does: a full collection walks every live object,
    # so its share grows with the heap the bigger topology keeps alive, not with the check
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.process_time()
            work()
            best = min(best, time.process_time() - t0)
    finally:
        gc.enable()
    return best


def measure(n: int, repeat: int, per_server: bool) -> tuple[dict[str, float], int, int]:
    from exaudit import checks, platforms
    from exaudit.analysis.context import AuditContext, firewall_audit
    from exaudit.analysis.crossings import evaluate_crossings
    from exaudit.exchange.flows import derive_flows
    from exaudit.exchange.topology import load_topology

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "topology.yaml").write_text(topology(n))
        (root / "core.rules").write_text(ruleset(n, per_server))
        topo = load_topology(str(root / "topology.yaml"))
        flows = derive_flows(topo)
        fw = topo.firewalls["core"]
        platform = platforms.get(fw.platform)
        ruleset_ = platform.parse((root / "core.rules").read_text(), fw.config)
        fa = firewall_audit(fw, platform, ruleset_)
        evaluate_crossings(topo, flows, fa)
        times: dict[str, float] = {}
        for code in ("EXA105", "EXA403", "EXA404", "EXA601", "EXA602", "EXA603"):
            check = checks.BY_CODE[code]

            def run(check: object = check) -> int:
                fa.memo.clear()  # each timing asks its own questions
                ctx = AuditContext(topo, flows, [fa])
                return len(list(check.run(ctx)))  # type: ignore[attr-defined]

            times[code] = _best(repeat, run)

        def floor() -> int:
            # a plainly linear walk of the same objects: the machine's own ratio for O(n)
            return sum(len(s.name) + len(s.rpc_ports) for f in flows for s in (f.dst,))

        times["floor"] = _best(repeat, floor)
        return times, len(flows), len(ruleset_.chains["FORWARD"].rules)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3, help="best of K timings")
    ap.add_argument(
        "--rules-per-server",
        action="store_true",
        help="ten permits per server: the ruleset doubles too, and the engine's walk of "
        "per-host rules (not the checks) then grows faster than linearly",
    )
    args = ap.parse_args()
    base, flows1, rules1 = measure(args.servers, args.repeat, args.rules_per_server)
    double, flows2, rules2 = measure(2 * args.servers, args.repeat, args.rules_per_server)
    print(
        f"base: {args.servers} mailbox servers, {flows1} flows, {rules1} rules; "
        f"doubled: {2 * args.servers} servers, {flows2} flows, {rules2} rules"
    )
    for code in base:
        ratio = double[code] / base[code] if base[code] else float("nan")
        target = "(a linear walk of the flows, for scale)" if code == "floor" else "(target <= 2.2)"
        print(
            f"{code}: {base[code] * 1000:8.1f} ms -> {double[code] * 1000:8.1f} ms, "
            f"ratio {ratio:.2f} {target}"
        )


if __name__ == "__main__":
    main()
