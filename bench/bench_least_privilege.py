"""Benchmark: the cost of EXA203, EXA204, EXA701 and EXA703 when their input doubles.

Generates (deterministically) a topology of N Exchange servers behind one iptables
firewall and one pf firewall, N/2 client networks (a quarter of them behind no
interface, some written with host bits), and per server a required permit, an RDP and a
UDP permit (EXA204) and a wide permit masked by an earlier deny (EXA203). Each check runs
alone on an audit context built beforehand (parse and crossings are not timed), at N and
at 2N. Printed: the ratio of Python function calls (the work, exact whatever the load of
the machine: it must not much more than double), and of the best of three times, with
the garbage collector as the command line runs it and without (a full collection walks
every live object, whose number doubles with the input, for every check alike).

    python bench/bench_least_privilege.py [--servers 200]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import tempfile
import time
from pathlib import Path

from exaudit import platforms
from exaudit.analysis.context import AuditContext, firewall_audit
from exaudit.analysis.crossings import evaluate_crossings
from exaudit.checks import get
from exaudit.core.gc import fewer_collections
from exaudit.core.textfile import read_text
from exaudit.exchange.flows import derive_flows
from exaudit.exchange.topology import load_topology


def server(k: int) -> str:
    return f"10.1.{k // 200}.{10 + k % 200}"


def write_site(where: Path, n: int) -> Path:
    nets = max(2, n // 2)
    lines = ["version: 1", 'exchange: "5.5"', "networks:", "  internet: [0.0.0.0/0]"]
    for c in range(nets):
        # the networks behind eth1 are contiguous /24s (one span, as a real LAN plan is),
        # a quarter sits behind no interface (10.200/16 and up); some have host bits set
        host_bits = ".5" if c % 7 == 3 else ".0"
        k, base = (c - c // 4 - 1, 100) if c % 4 else (c // 4, 200)
        lines.append(f"  lan-{c}: [10.{base + k // 256}.{k % 256}{host_bits}/24]")
    lines.append(f"  servers: [10.1.0.0/{16 if n > 200 else 24}]")
    lines.append("servers:")
    for k in range(n):
        ports = f"{{directory: {5001}, information_store: {5002}, mta: {5003}}}"
        lines.append(f"  ex-{k}: {{address: {server(k)}, site: S{k}, rpc_ports: {ports}}}")
    lines.append("clients:")
    for c in range(nets):
        lines += [f"  - from: lan-{c}", f"    to: [ex-{c % n}, ex-{(c + 1) % n}]"]
        lines += ["    protocols: [pop3, imap4]", "    ssl: [pop3, imap4]"]
    lines.append("firewalls:")
    placed = ", ".join(f"lan-{c}" for c in range(nets) if c % 4)  # a quarter unplaced
    for name, platform, config, ifs in (
        ("edge-ipt", "iptables", "fw.rules", ("eth0", "eth1", "eth2")),
        ("edge-pf", "pf", "pf.conf", ("em0", "em1", "em2")),
    ):
        lines += [f"  {name}:", f"    platform: {platform}", f"    config: {config}"]
        lines += ["    interfaces:", f"      {ifs[1]}: [{placed}]"]
        lines.append(f"      {ifs[2]}: [servers]")
    (where / "topology.yaml").write_text("\n".join(lines) + "\n")
    rules = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    rules.append("-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT")
    pf = ["block all"]
    for k in range(n):
        a = server(k)
        rules += [
            f"-A FORWARD -i eth1 -o eth2 -d {a} -p tcp -m multiport --dports 25,993,995 -j ACCEPT",
            f"-A FORWARD -i eth1 -o eth2 -d {a} -p tcp --dport 3389 -j ACCEPT",
            f"-A FORWARD -i eth1 -o eth2 -d {a} -p udp -j ACCEPT",
            f"-A FORWARD -d {a} -p tcp --dport 1024:65535 -j DROP",
            f"-A FORWARD -i eth1 -o eth2 -d {a} -p tcp -j ACCEPT",
        ]
        pf += [
            f"pass in on em1 proto tcp to {a} port {{ 25 993 995 }}",
            f"pass out on em2 proto tcp to {a} port {{ 25 993 995 }}",
            f"pass out on em2 proto tcp to {a} port 1024:65535",
        ]
    (where / "fw.rules").write_text("\n".join(rules + ["COMMIT"]) + "\n")
    (where / "pf.conf").write_text("\n".join(pf) + "\n")
    return where / "topology.yaml"


def context(path: Path) -> AuditContext:
    topo = load_topology(str(path))
    flows = derive_flows(topo)
    audits = []
    for fw in topo.firewalls.values():
        platform = platforms.get(fw.platform)
        fa = firewall_audit(fw, platform, platform.parse(read_text(fw.config), fw.config))
        evaluate_crossings(topo, flows, fa)
        audits.append(fa)
    return AuditContext(topo, flows, audits)


def timed(code: str, path: Path, collect: bool, repeat: int = 3) -> tuple[float, int]:
    """The best of ``repeat`` runs (the machine is shared: the minimum is the cost), with
    the garbage collector as the command line runs it, or off."""
    check = get(code)
    assert check is not None
    best, found = float("inf"), 0
    for _ in range(repeat):
        ctx = context(path)  # fresh: no answer is shared between runs
        gc.collect()
        with fewer_collections():  # as the command line runs
            if not collect:
                gc.disable()
            start = time.perf_counter()
            found = len(list(check.run(ctx)))
            best = min(best, time.perf_counter() - start)
            gc.enable()
    return best, found


def calls(code: str, path: Path) -> int:
    """Python function calls the check makes: the work, whatever the machine's load."""
    check = get(code)
    assert check is not None
    ctx = context(path)
    profile = cProfile.Profile()
    profile.enable()
    list(check.run(ctx))
    profile.disable()
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, default=200)
    n = parser.parse_args().servers
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "small"), Path(tmp, "large")
        small.mkdir()
        large.mkdir()
        paths = (write_site(small, n), write_site(large, 2 * n))
        print(f"servers {n} -> {2 * n} (rules and networks double with them)")
        for code in ("EXA203", "EXA204", "EXA701", "EXA703"):
            (t1, f1), (t2, f2) = (timed(code, p, collect=True) for p in paths)
            (g1, _), (g2, _) = (timed(code, p, collect=False) for p in paths)
            c1, c2 = (calls(code, p) for p in paths)
            work = c2 / c1
            verdict = "ok" if work <= 2.2 else "SUPERLINEAR"
            print(
                f"{code}: {f1} -> {f2} findings; function calls x{work:.2f} ({verdict}); "
                f"time {t1:.3f} -> {t2:.3f} s x{t2 / max(t1, 1e-9):.2f} "
                f"(without the garbage collector x{g2 / max(g1, 1e-9):.2f})"
            )


if __name__ == "__main__":
    main()
