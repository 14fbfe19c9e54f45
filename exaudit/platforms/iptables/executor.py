"""Applies commands to the tables, as the kernel would."""

from __future__ import annotations

from exaudit.core.model import (
    Origin,
    Rule,
    Target,
)
from exaudit.platforms.iptables import fast
from exaudit.platforms.iptables.names import POLICIES
from exaudit.platforms.iptables.reader import Reader
from exaudit.platforms.iptables.state import ChainState, LoopError, Structural, TableState
from exaudit.platforms.iptables.words import Command

# --- commands --------------------------------------------------------------------------------


class Executor(Reader):
    """Applies commands to the tables, as the kernel would."""

    def __init__(self, path: str, deferred_jumps: bool) -> None:
        super().__init__(path)
        # iptables-restore resolves jumps when the table is committed; a script's command
        # is checked when it runs
        self.deferred = deferred_jumps

    def run(self, cmd: Command, table: TableState, origin: Origin) -> None:
        letter = cmd.command
        if letter in "AIR":
            chain = self.chain(table, cmd.chain, f"-{letter}")
            kernel_rules = self.build(cmd, table, origin)
            if not kernel_rules:  # refused (reported): the command fails
                return
            if letter == "A":
                chain.entries.extend(kernel_rules)
            elif letter == "I":
                pos = (cmd.rulenum or 1) - 1
                if pos > len(chain.entries):
                    raise Structural(
                        f"-I {chain.name} {cmd.rulenum}: index of insertion "
                        f"too big (the chain has {len(chain.entries)} rules)"
                    )
                chain.entries[pos:pos] = kernel_rules
            else:
                pos = (cmd.rulenum or 1) - 1
                if pos >= len(chain.entries) or len(kernel_rules) != 1:
                    self._refused(
                        origin, f"-R {chain.name} {cmd.rulenum}: no such rule or not a single rule"
                    )
                    return
                replaced = chain.entries[pos]
                chain.entries[pos] = kernel_rules[0]
            if cmd.target in table.chains and not self.deferred:
                try:
                    self.check_loops(table, origin)
                except LoopError:
                    # the kernel refuses the command that closes a loop: nothing changed
                    if letter == "A":
                        del chain.entries[len(chain.entries) - len(kernel_rules) :]
                    elif letter == "I":
                        del chain.entries[pos : pos + len(kernel_rules)]
                    else:
                        chain.entries[pos] = replaced
                    raise
        elif letter == "D":
            chain = self.chain(table, cmd.chain, "-D")
            if cmd.rulenum is not None:
                if cmd.rulenum > len(chain.entries):
                    self._refused(origin, f"-D {chain.name} {cmd.rulenum}: no such rule")
                else:
                    del chain.entries[cmd.rulenum - 1]
                return
            wanted = self.build(cmd, table, origin)
            for entry in wanted:
                key = _key(entry)
                hit = next((i for i, e in enumerate(chain.entries) if _key(e) == key), None)
                if hit is None:
                    self._refused(origin, "-D: no matching rule in chain " + chain.name)
                    return
                del chain.entries[hit]
        elif letter == "N":
            if cmd.chain in table.chains:
                self._refused(origin, f"-N {cmd.chain}: chain already exists")
                return
            table.chains[cmd.chain or ""] = ChainState(cmd.chain or "", False, declared=origin.line)
        elif letter == "X":
            names = (
                [cmd.chain]
                if cmd.chain
                else [c for c in table.chains if not table.chains[c].builtin]
            )
            for name in names:
                chain = self.chain(table, name, "-X")
                if chain.builtin:
                    self._refused(origin, f"-X {name}: cannot delete a built-in chain")
                    continue
                if chain.entries:
                    self._refused(origin, f"-X {name}: chain is not empty")
                    continue
                if self._referenced(table, name):
                    self._refused(origin, f"-X {name}: chain is still referenced")
                    continue
                del table.chains[name]
        elif letter == "F":
            chains = (
                [self.chain(table, cmd.chain, "-F")] if cmd.chain else list(table.chains.values())
            )
            for chain in chains:
                chain.entries = []
        elif letter == "P":
            chain = self.chain(table, cmd.chain, "-P")
            if not chain.builtin:
                raise Structural(f"-P {chain.name}: only built-in chains have a policy")
            if cmd.policy not in POLICIES:
                raise Structural(f"-P {chain.name} {cmd.policy}: bad policy name (ACCEPT or DROP)")
            if cmd.errors:  # DROP in nat
                raise Structural("; ".join(cmd.errors))
            chain.policy = cmd.policy or "ACCEPT"
            chain.policy_origin = origin
        elif letter == "E":
            chain = self.chain(table, cmd.chain, "-E")
            new = cmd.newname or ""
            if chain.builtin or new in table.chains or not new:
                self._refused(origin, f"-E {cmd.chain} {new}: cannot rename")
                return
            self._rename(table, chain, new)
        # L S Z C h V: listing, counters, checks: no effect on the rules

    def fast_append(self, table: TableState, tokens: list[str], number: int, line: str) -> bool:
        """``-A CHAIN ...`` in iptables-save's canonical form, read in one pass (or False)."""
        return fast.fast_append(self, table, tokens, number, line)

    def _referenced(self, table: TableState, name: str) -> bool:
        return any(
            r.target.chain == name for c in table.chains.values() for e in c.entries for r in e
        )

    def _rename(self, table: TableState, chain: ChainState, new: str) -> None:
        old = chain.name
        chains: dict[str, ChainState] = {}
        for name, c in table.chains.items():
            for i, entry in enumerate(c.entries):
                if any(r.target.chain == old for r in entry):
                    c.entries[i] = tuple(_retarget(r, new) for r in entry)
            chains[new if name == old else name] = c
        chain.name = new
        table.chains = chains

    def check_loops(self, table: TableState, origin: Origin | None) -> None:
        """The kernel refuses a table where a built-in chain can reach a jump cycle."""
        edges: dict[str, dict[str, Origin]] = {}
        for name, chain in table.chains.items():
            out: dict[str, Origin] = {}
            for entry in chain.entries:
                r = entry[0]
                if r.target.chain is not None and r.target.chain not in out:
                    out[r.target.chain] = r.origin
            edges[name] = out
        # iterative depth-first search (long jump sequences would overflow recursion)
        done: set[str] = set()
        for root, chain in table.chains.items():
            if not chain.builtin or root in done:
                continue
            path = [root]
            on_path = {root}
            stack = [iter(edges.get(root, {}).items())]
            while stack:
                step = next(stack[-1], None)
                if step is None:
                    stack.pop()
                    node = path.pop()
                    on_path.discard(node)
                    done.add(node)
                    continue
                nxt, where = step
                if nxt in on_path:
                    cycle = path[path.index(nxt) :] + [nxt]
                    if len(cycle) > 8:
                        cycle = cycle[:4] + ["..."] + cycle[-3:]
                    raise LoopError(
                        origin or where,
                        "jump loop "
                        + " -> ".join(cycle)
                        + f" (closed by line {where.line}); the kernel refuses "
                        "a table whose built-in chains reach a loop",
                    )
                if nxt not in done:
                    path.append(nxt)
                    on_path.add(nxt)
                    stack.append(iter(edges.get(nxt, {}).items()))


def _key(entry: tuple[Rule, ...]) -> tuple:
    return tuple((r.match, r.target, r.unknown) for r in entry)


def _retarget(rule: Rule, new: str) -> Rule:
    t = rule.target
    return Rule(rule.origin, rule.match, Target(t.verb, new, new), rule.unknown, rule.stateful)
