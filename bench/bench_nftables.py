"""Benchmark: parse a generated 100,000-rule nftables script, next to iptables on the same rules.

One random rule list is written twice, as an ``nft -f`` script and as iptables-save, so the
two parsers read the same rules. Prints for each the read-and-split floor, the parse time
and their ratio, then nftables over iptables; and the scaling check: the same generator at
N and 2N rules, parse and a batch of questions, whose cost must not more than double (and
a bit). Times are CPU seconds of this process (the machine may be shared), best of K.
Run: ``python bench/bench_nftables.py`` (``--rules N``, ``--repeat K``).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exaudit.platforms import iptables, nftables

SEED = 20240501
USER_CHAINS = ["lan_in", "dmz_in", "wan_in", "services", "logdrop", "mail", "web", "vpn"]
IFACES = ["eth0", "eth1", "eth2", "bond0", "vlan10", "vlan20", "ppp*", "tun*"]
PORTS = [22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 1194, 3306, 5432, 8080]
BASE = {"INPUT": "input", "FORWARD": "forward", "OUTPUT": "output"}


def _net(rng: random.Random) -> str:
    length = rng.choice([8, 16, 24, 24, 24, 32, 32, 32])
    addr = rng.getrandbits(32) & (((1 << length) - 1) << (32 - length))
    return ".".join(str(addr >> s & 255) for s in (24, 16, 8, 0)) + f"/{length}"


def _rule(rng: random.Random, chain: str) -> tuple[str, str]:
    """One rule as (iptables-save, nft) text."""
    ipt, nft = [f"-A {chain.upper() if chain in BASE.values() else chain}"], []
    if rng.random() < 0.6:
        net = _net(rng)
        ipt.append(f"-s {net}")
        nft.append(f"ip saddr {net}")
    if rng.random() < 0.5:
        net = _net(rng)
        ipt.append(f"-d {net}")
        nft.append(f"ip daddr {net}")
    if chain != "output" and rng.random() < 0.4:
        iface = rng.choice(IFACES)
        ipt.append(f"-i {iface.replace('*', '+')}")
        nft.append(f'iifname "{iface}"')
    kind = rng.random()
    if kind < 0.45:
        proto, port = rng.choice(["tcp", "udp"]), rng.choice(PORTS)
        ipt.append(f"-p {proto} -m {proto} --dport {port}")
        nft.append(f"{proto} dport {port}")
    elif kind < 0.6:
        lo = rng.randrange(1024, 60000)
        hi = lo + rng.randrange(1, 500)
        ipt.append(f"-p tcp -m tcp --sport {lo}:{hi}")
        nft.append(f"tcp sport {lo}-{hi}")
    elif kind < 0.75:
        ports = sorted(rng.sample(PORTS, rng.randrange(2, 6)))
        ipt.append(f"-p tcp -m multiport --dports {','.join(map(str, ports))}")
        nft.append("tcp dport { " + ", ".join(map(str, ports)) + " }")
    elif kind < 0.8:
        ipt.append("-p icmp -m icmp --icmp-type 8")
        nft.append("icmp type echo-request")
    if rng.random() < 0.3:
        state = rng.choice(["NEW", "ESTABLISHED,RELATED", "INVALID"])
        ipt.append(f"-m conntrack --ctstate {state}")
        nft.append(f"ct state {state.lower()}")
    target = rng.random()
    if target < 0.1 and chain in BASE.values():
        callee = rng.choice(USER_CHAINS)
        ipt.append(f"-j {callee}")
        nft.append(f"jump {callee}")
    elif target < 0.15:
        ipt.append('-j LOG --log-prefix "drop: "')
        nft.append('log prefix "drop: "')
    else:
        verbs = ["accept", "accept", "drop", "reject"] + (
            [] if chain in BASE.values() else ["return"]
        )
        verb = rng.choice(verbs)
        ipt.append(f"-j {verb.upper()}")
        nft.append(verb)
    return " ".join(ipt), " ".join(nft)


def generate(folder: Path, rules: int) -> tuple[Path, Path]:
    """The same rules as ``rules.nft`` and ``rules.save``."""
    rng = random.Random(SEED)
    chains = list(BASE.values()) + USER_CHAINS
    by_chain: dict[str, list[tuple[str, str]]] = {c: [] for c in chains}
    for _ in range(rules):
        chain = rng.choice(chains)
        by_chain[chain].append(_rule(rng, chain))
    save = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    save += [f":{c} - [0:0]" for c in USER_CHAINS]
    nft = ["flush ruleset", "table ip filter {"]
    for chain in chains:
        nft.append(f"  chain {chain} {{")
        if chain in BASE.values():
            policy = "accept" if chain == "output" else "drop"
            nft.append(f"    type filter hook {chain} priority filter; policy {policy};")
        for ipt_text, nft_text in by_chain[chain]:
            save.append(ipt_text)
            nft.append("    " + nft_text)
        nft.append("  }")
    nft.append("}")
    save.append("COMMIT")
    nft_path, save_path = folder / "rules.nft", folder / "rules.save"
    nft_path.write_text("\n".join(nft) + "\n")
    save_path.write_text("\n".join(save) + "\n")
    return nft_path, save_path


def floor(path: Path) -> float:
    """Seconds to read the file and split every line."""
    start = time.process_time()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line.split()
    return time.process_time() - start


def parse_time(module: object, path: Path) -> tuple[float, int]:
    gc.collect()
    start = time.process_time()
    ruleset = module.parse(path.read_text(encoding="utf-8"), str(path))  # type: ignore[attr-defined]  # a platform module
    return time.process_time() - start, ruleset.rule_count


def questions(path: Path, count: int) -> float:
    """Seconds for ``count`` one-packet questions through the parsed, compiled ruleset."""
    from exaudit.core import addresses
    from exaudit.core.intervals import IntervalSet
    from exaudit.core.model import SYN, State, states
    from exaudit.engine.evaluate import Evaluator, Question, patterns_of

    rng = random.Random(SEED + 1)
    ruleset = nftables.parse(path.read_text(encoding="utf-8"), str(path))
    evaluator = Evaluator(patterns_of(ruleset.chains.values()))

    def one() -> Question:
        return Question(
            proto=IntervalSet.point(6),
            src=addresses.host(".".join(str(rng.randrange(256)) for _ in range(4))),
            dst=addresses.host(".".join(str(rng.randrange(256)) for _ in range(4))),
            dport=IntervalSet.point(rng.choice(PORTS)),
            flags=SYN,
            state=states(State.NEW),
            in_iface="eth0",
            out_iface="eth1",
        )

    stages = nftables.stages(ruleset, in_iface="eth0", out_iface="eth1")
    evaluator.evaluate(stages, one())  # compiles the chains: not part of the questions
    asked = [one() for _ in range(count)]
    start = time.process_time()
    for q in asked:
        evaluator.evaluate(nftables.stages(ruleset, in_iface="eth0", out_iface="eth1"), q)
    return time.process_time() - start


def best(repeat: int, run: object) -> float:
    return min(run() for _ in range(repeat))  # type: ignore[operator]  # a callable


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nft_path, save_path = generate(Path(tmp), args.rules)
        nft_floor = best(args.repeat, lambda: floor(nft_path))
        ipt_floor = best(args.repeat, lambda: floor(save_path))
        nft_parse = best(args.repeat, lambda: parse_time(nftables, nft_path)[0])
        ipt_parse = best(args.repeat, lambda: parse_time(iptables, save_path)[0])
        nft_rules = parse_time(nftables, nft_path)[1]
        ipt_rules = parse_time(iptables, save_path)[1]
        print(f"{args.rules} rules (model rules: nftables {nft_rules}, iptables {ipt_rules})")
        timings = (("nftables", nft_floor, nft_parse), ("iptables", ipt_floor, ipt_parse))
        for name, low, took in timings:
            print(f"{name}: floor {low:.3f}s, parse {took:.3f}s, ratio {took / low:.1f}")
        print(f"nftables parse / iptables parse on the same rules: {nft_parse / ipt_parse:.2f}")
        half = args.rules // 2
        small_dir, big_dir = Path(tmp) / "n", Path(tmp) / "2n"
        small_dir.mkdir()
        big_dir.mkdir()
        small, _ = generate(small_dir, half)
        big, _ = generate(big_dir, 2 * half)
        t_small = best(args.repeat, lambda: parse_time(nftables, small)[0])
        t_big = best(args.repeat, lambda: parse_time(nftables, big)[0])
        q_small = best(args.repeat, lambda: questions(small, args.questions))
        q_big = best(args.repeat, lambda: questions(big, args.questions))
        print(f"scaling, parse {half} -> {2 * half} rules: x{t_big / t_small:.2f} (limit 2.2)")
        print(f"scaling, {args.questions} questions: x{q_big / q_small:.2f} (limit 2.2)")
        ok = t_big / t_small <= 2.2 and q_big / q_small <= 2.2
        print("scaling: ok" if ok else "scaling: TOO SLOW")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
