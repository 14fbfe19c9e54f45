"""The iptables platform: iptables-save/ip6tables-save dumps and iptables shell scripts."""

from __future__ import annotations

import gc
import re
import shlex
from dataclasses import dataclass, field

from exaudit import addresses
from exaudit.errors import InputError
from exaudit.intervals import IntervalSet
from exaudit.model import (
    PROTOCOLS as ALL_PROTOCOLS,
)
from exaudit.model import (
    STATES,
    Chain,
    Issue,
    Match,
    Note,
    Origin,
    Rule,
    Ruleset,
    Stage,
    Target,
    Verb,
)
from exaudit.platforms import FixRequest
from exaudit.platforms import iptables_values as values
from exaudit.platforms.iptables_ext import TARGET_EXTS
from exaudit.platforms.iptables_names import (
    REJECT_WITH,
    BUILTIN_CHAINS,
    INCOMING_CHAINS,
    OUTGOING_CHAINS,
    POLICIES,
    STANDARD_TARGETS,
    TARGETS,
)
from exaudit.platforms.iptables_rule import (
    Command,
    Quoted,
    RuleError,
    parse_command,
    restore_tokens,
)
from exaudit.platforms.iptables_build import (
    Recipe,
    address_list,
    combine,
    contribution,
    conventions,
    interfaces,
    make_match,
    make_origin,
    make_recipe,
    make_rule,
)
from exaudit.platforms.iptables_build import proto_set as b_proto_set
from exaudit.platforms.iptables_shell import Script

# The canonical iptables-save words the fast reader knows, numbered for its dispatch.
_FAST_OPS = {"-s": 0, "-d": 1, "-i": 2, "-o": 3, "-p": 4, "-m": 5, "--dport": 6,
             "--sport": 6, "--dports": 7, "--sports": 7, "--state": 8, "--ctstate": 8,
             "--comment": 9, "--icmp-type": 10, "--icmpv6-type": 10, "--tcp-flags": 11,
             "-j": 12, "--syn": 13}
# fast-path modules and the protocol (tag) each needs from -p
_FAST_MODULES = {"tcp": "p:tcp", "udp": "p:udp", "multiport": "p:ports", "icmp": "p:icmp",
                 "icmp6": "p:icmp6", "state": None, "conntrack": None, "comment": None}
_PROTO_TAGS = {6: frozenset({"p:tcp", "p:ports"}), 17: frozenset({"p:udp", "p:ports"}),
               132: frozenset({"p:ports"}), 33: frozenset({"p:ports"}),
               136: frozenset({"p:ports"}), 1: frozenset({"p:icmp"}),
               58: frozenset({"p:icmp6"})}
_MODULE_NEEDS = frozenset({"multiport", "state", "conntrack", "comment", "icmp", "icmp6"})
_FAST_PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "icmpv6": 58, "all": 0,
                "6": 6, "17": 17, "1": 1, "58": 58, "0": 0, "esp": 50, "ah": 51,
                "gre": 47, "sctp": 132, "igmp": 2, "vrrp": 112, "ospf": 89, "47": 47,
                "50": 50, "51": 51, "41": 41, "ipv6": 41}
_NO_MODULES: frozenset[str] = frozenset()
_ANY_IFACE = object()
_LOG_FLAGS = frozenset({"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options",
                        "--log-uid", "--log-macdecode"})
_LOG_LEVELS = frozenset({"0", "1", "2", "3", "4", "5", "6", "7", "alert", "crit", "debug",
                         "emerg", "error", "info", "notice", "panic", "warning"})
_TARGET_NEEDS_OPTIONS = frozenset(name for name, spec in TARGET_EXTS.items()
                                  if any(o.mandatory for o in spec.options.values())
                                  or spec.need or spec.one)
_NO_REJECT = frozenset({"PREROUTING", "POSTROUTING"})
TCP_SET = IntervalSet.point(6)
V6_MAX = addresses.V6_MAX


def _port_range(text: str) -> IntervalSet | None:
    try:
        return values.port_range(text)
    except values.BadValue:
        return None


def _port_list(text: str) -> IntervalSet | None:
    try:
        return values.port_list(text)
    except values.BadValue:
        return None


def _states(text: str, ctstate: bool) -> IntervalSet | None:
    try:
        got, nat = values.states(text, ctstate)
    except values.BadValue:
        return None
    return None if nat else got


_ICMP_PLAIN: dict[tuple[str, int], tuple | None] = {}


def _icmp_plain(text: str, family: int) -> tuple | None:
    """(type set, code set) of a non-negated ICMP type (None, None for "any")."""
    key = (text, family)
    if key in _ICMP_PLAIN:
        return _ICMP_PLAIN[key]
    try:
        kind, lo, hi = values.icmp_type(text, family)
    except values.BadValue:
        got = None
    else:
        if kind == 255 and family == 4:
            got = (None, None)
        else:
            got = (IntervalSet.point(kind),
                   None if (lo, hi) == (0, 255) else IntervalSet.span(lo, hi))
    _ICMP_PLAIN[key] = got
    return got


_VERBS = {"accept": Verb.ACCEPT, "drop": Verb.DROP, "reject": Verb.REJECT,
          "return": Verb.RETURN, "continue": Verb.CONTINUE,
          # nat targets end the nat chain; exaudit never evaluates the nat table
          "nat": Verb.ACCEPT,
          # user space decides: a DROP here, plus an ACCEPT twin (see Recipe assembly)
          "unknown": Verb.DROP}
# target name -> (model target, why its verdict is unknown or None, tables it may be used in)
_TARGET_INFO: dict[str, tuple[Target, str | None, frozenset[str] | None]] = {}
for _name, (_kind, _tables) in list(TARGETS.items()) + [
        (n, (k, None)) for n, k in STANDARD_TARGETS.items()]:
    _TARGET_INFO[_name] = (Target(_VERBS[_kind], name=_name),
                           f"target {_name}: the verdict is decided outside the ruleset"
                           if _kind == "unknown" else None, _tables)
_CONTINUE = Target(Verb.CONTINUE, name="")
_CONTINUE_INFO = (_CONTINUE, None, None)

NAME = "iptables"

# A rule may expand into this many model rules (comma lists times alternatives) at most.
MAX_EXPANSION = 4096


class _Structural(Exception):
    """A command the kernel refuses for structural reasons (chains, tables, loops)."""


# --- the tables being built ------------------------------------------------------------------


@dataclass
class _Chain:
    name: str
    builtin: bool
    entries: list[tuple[Rule, ...]] = field(default_factory=list)  # one per kernel rule
    policy: str = "ACCEPT"
    policy_origin: Origin | None = None
    declared: int = 0


@dataclass
class _Table:
    name: str
    family: int
    chains: dict[str, _Chain] = field(default_factory=dict)
    opened: int = 0

    @classmethod
    def fresh(cls, name: str, family: int, line: int = 0) -> _Table:
        table = cls(name, family, opened=line)
        for chain in BUILTIN_CHAINS[name]:
            table.chains[chain] = _Chain(chain, True)
        return table


# --- reading -----------------------------------------------------------------------------


class _Reader:
    """State shared by the iptables-save and the script readers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.notes: list[Note] = []
        self.tables: dict[int, dict[str, _Table]] = {4: {}, 6: {}}
        self.families_used: set[int] = set()
        self.restrict_family: int | None = None
        self._target_cache: dict[tuple[str | None, bool], Target] = {}
        self._old_negation_noted = False

    # -- tables and chains
    def table(self, family: int, name: str, line: int) -> _Table:
        tables = self.tables[family]
        table = tables.get(name)
        if table is None:
            if name not in BUILTIN_CHAINS:
                raise _Structural(f"table {name!r} does not exist")
            table = tables[name] = _Table.fresh(name, family, line)
        return table

    def chain(self, table: _Table, name: str | None, what: str) -> _Chain:
        chain = table.chains.get(name or "")
        if chain is None:
            raise _Structural(f"{what}: chain {name!r} does not exist in table "
                              f"{table.name!r}")
        return chain

    # -- rules
    def target(self, name: str | None, goto: bool, table: _Table, errors: list[str],
               line: int = 0) -> tuple[Target, str | None]:
        """The model target and, for targets whose verdict exaudit cannot know, why."""
        if name is None:
            return _CONTINUE, None
        info = _TARGET_INFO.get(name)
        if info is not None:
            target, why, allowed = info
            if goto:
                errors.append(f"-g needs a user chain, not {name}")
            if allowed is not None and table.name not in allowed:
                errors.append(f"target {name} cannot be used in the {table.name} table")
            return target, why
        if name in BUILTIN_CHAINS.get(table.name, ()):
            raise _Structural(f"cannot jump to the built-in chain {name}")
        if name not in table.chains:
            if not self.deferred:
                raise _Structural(f"-{'g' if goto else 'j'} {name}: no such chain or "
                                  f"target in table {table.name!r}")
            # iptables-restore resolves jumps at COMMIT: the chain may be declared later
            table.chains[name] = _Chain(name, False, declared=-line)
        key = (name, goto)
        hit = self._target_cache.get(key)
        if hit is None:
            hit = self._target_cache[key] = Target(Verb.GOTO if goto else Verb.JUMP,
                                                   chain=name, name=name)
        return hit, None

    def build(self, cmd: Command, table: _Table, origin: Origin) -> list[tuple[Rule, ...]]:
        """The kernel rules (each as its model rules) that a rule command describes."""
        recipe = make_recipe(cmd, table.family)
        return self.assemble(recipe, (), table, origin, cmd.src, cmd.src_neg, cmd.dst,
                             cmd.dst_neg, cmd.iif, cmd.iif_neg, cmd.oif, cmd.oif_neg,
                             cmd.old_negation)

    def assemble(self, recipe: Recipe, tokens: tuple[str, ...] | list[str], table: _Table,
                 origin: Origin, src: str | None, src_neg: bool, dst: str | None,
                 dst_neg: bool, iif: str | None, iif_neg: bool, oif: str | None,
                 oif_neg: bool, old_negation: bool = False) -> list[tuple[Rule, ...]]:
        family = table.family
        if old_negation and not self._old_negation_noted:
            self._old_negation_noted = True
            self.notes.append(Note(origin, "this file uses the old `-s ! address` negation "
                                   "syntax, which iptables 1.6 and later refuse; exaudit reads "
                                   "it as `! -s address`"))
        base, alternatives = recipe.base, recipe.alternatives
        unknown, errors = list(recipe.unknown), list(recipe.errors)
        target, target_unknown = self.target(recipe.target, recipe.goto, table, errors,
                                             origin.line)
        iface_in, iface_out = (None, None) if iif is None and oif is None else \
            interfaces(iif, iif_neg, oif, oif_neg, errors)
        srcs = address_list(src, src_neg, family, "source", errors, unknown) \
            if src is not None else _NO_ADDRESS
        dsts = address_list(dst, dst_neg, family, "destination", errors, unknown) \
            if dst is not None else _NO_ADDRESS
        if "src" in base or "dst" in base:  # -m iprange narrows the addresses
            ranges = base.get("src")
            if ranges is not None:
                srcs = [ranges if x is None else x & ranges for x in srcs]
            ranges = base.get("dst")
            if ranges is not None:
                dsts = [ranges if x is None else x & ranges for x in dsts]
        if target_unknown:
            unknown.append(target_unknown)
        if errors:
            unknown = ["iptables refuses this rule: " + "; ".join(errors)] + list(unknown)
            self.issues.append(Issue("EXA001", origin, "iptables would refuse this rule ("
                                     + "; ".join(errors) + "); exaudit keeps it as "
                                     "undetermined"))
        elif unknown:
            self.issues.append(Issue("EXA002", origin, "not modeled: " + "; ".join(unknown)))
        if self.restrict_family is not None:
            fam = addresses.ALL_V4 if self.restrict_family == 4 else addresses.ALL_V6
            srcs = [fam if s is None else s & fam for s in srcs]
        unknown_t = tuple(unknown)
        if not alternatives and len(srcs) == 1 and len(dsts) == 1 and not target_unknown:
            # the common case: one kernel rule, one model rule
            if "sport" in base or "dport" in base or "flags" in base:
                base, _ = conventions(base, alternatives)
            g = base.get
            match = make_match(g("proto"), srcs[0], dsts[0], g("sport"), g("dport"),
                               g("flags"), g("state"), iface_in, iface_out)
            return [(make_rule(origin, match, target, unknown_t),)]
        base, alternatives = conventions(base, alternatives)
        targets = [target]
        if target_unknown:
            # What user space decides is unknown: explore both a permit and a deny.
            targets = [Target(Verb.ACCEPT, name=target.name), target]
        boxes = combine(base, alternatives)
        count = len(srcs) * len(dsts) * len(boxes) * len(targets)
        if count > MAX_EXPANSION:
            raise _Structural(f"this rule expands to {count} rules; exaudit stops at "
                              f"{MAX_EXPANSION}")
        out = []
        for s_ in srcs:
            for d in dsts:
                rules = []
                for box in boxes:
                    g = box.get
                    match = make_match(g("proto"), s_, d, g("sport"), g("dport"),
                                       g("flags"), g("state"), iface_in, iface_out)
                    for t in targets:
                        rules.append(make_rule(origin, match, t, unknown_t))
                out.append(tuple(rules))
        return out


_NO_ADDRESS: list = [None]


# --- commands --------------------------------------------------------------------------------


class _Executor(_Reader):
    """Applies commands to the tables, as the kernel would."""

    def __init__(self, path: str, deferred_jumps: bool) -> None:
        super().__init__(path)
        # iptables-restore resolves jumps when the table is committed; a script's command
        # is checked when it runs
        self.deferred = deferred_jumps


    def run(self, cmd: Command, table: _Table, origin: Origin) -> None:
        letter = cmd.command
        if letter in "AIR":
            chain = self.chain(table, cmd.chain, f"-{letter}")
            kernel_rules = self.build(cmd, table, origin)
            if letter == "A":
                chain.entries.extend(kernel_rules)
            elif letter == "I":
                pos = (cmd.rulenum or 1) - 1
                if pos > len(chain.entries):
                    raise _Structural(f"-I {chain.name} {cmd.rulenum}: index of insertion "
                                      f"too big (the chain has {len(chain.entries)} rules)")
                chain.entries[pos:pos] = kernel_rules
            else:
                pos = (cmd.rulenum or 1) - 1
                if pos >= len(chain.entries) or len(kernel_rules) != 1:
                    self._refused(origin, f"-R {chain.name} {cmd.rulenum}: no such rule or "
                                  "not a single rule")
                    return
                chain.entries[pos] = kernel_rules[0]
            if cmd.target in table.chains and not self.deferred:
                self.check_loops(table, origin)
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
            table.chains[cmd.chain or ""] = _Chain(cmd.chain or "", False, declared=origin.line)
        elif letter == "X":
            names = [cmd.chain] if cmd.chain else [c for c in table.chains
                                                   if not table.chains[c].builtin]
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
            chains = [self.chain(table, cmd.chain, "-F")] if cmd.chain else \
                list(table.chains.values())
            for chain in chains:
                chain.entries = []
        elif letter == "P":
            chain = self.chain(table, cmd.chain, "-P")
            if not chain.builtin:
                raise _Structural(f"-P {chain.name}: only built-in chains have a policy")
            if cmd.policy not in POLICIES:
                raise _Structural(f"-P {chain.name} {cmd.policy}: bad policy name "
                                  "(ACCEPT or DROP)")
            if cmd.errors:  # DROP in nat
                raise _Structural("; ".join(cmd.errors))
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

    def fast_append(self, table: _Table, tokens: list[str], number: int, line: str) -> bool:
        """``-A CHAIN ...`` in iptables-save's canonical form, read in one pass.

        Handles the options iptables-save writes for the common matches (addresses,
        interfaces, -p, tcp/udp ports and flags, multiport, state/conntrack states,
        comments, ICMP types) and the ACCEPT/DROP/REJECT/RETURN/LOG/jump targets, with the
        same value converters as the full reader. Anything else, and anything iptables
        would refuse, returns False: the full reader then takes the line (and reports).
        """
        chain = table.chains.get(tokens[1])
        if chain is None:
            return False
        family = table.family
        n = len(tokens)
        i = 2
        src = dst = iif = oif = None
        proto = sport = dport = flags = state = None
        module = None  # the current -m module
        used = _NO_MODULES  # modules loaded so far, and the protocol tags of -p
        needs = False  # the current module still needs its option
        neg = False
        target = _CONTINUE
        ops = _FAST_OPS
        address = values.address
        while i < n:
            word = tokens[i]
            op = ops.get(word)
            if op is None:
                if word == "!" and not neg and type(word) is str:
                    neg = True
                    i += 1
                    continue
                return False
            if op == 13:  # --syn, the only flag option
                if module != "tcp" or flags is not None:
                    return False
                flags = values.flags_set(0x17, 0x02, neg)
                neg = False
                i += 1
                continue
            i += 1
            if i >= n:
                return False
            value = tokens[i]
            if value == "!" or not value:
                return False
            i += 1
            if op <= 1:  # -s, -d
                try:
                    got = address(value, family)
                except ValueError:
                    return False
                if neg:
                    got = values.complement(got, V6_MAX)
                    neg = False
                if op == 0:
                    if src is not None:
                        return False
                    src = got
                else:
                    if dst is not None:
                        return False
                    dst = got
            elif op == 4:  # -p
                if proto is not None or module is not None:
                    return False
                number_ = _FAST_PROTOS.get(value)
                if number_ is None or (neg and number_ == 0):
                    return False
                if number_:
                    proto = b_proto_set(number_, neg)
                    if not neg:  # match modules that need a protocol need a plain -p
                        used = _PROTO_TAGS.get(number_, _NO_MODULES)
                neg = False
            elif op == 5:  # -m
                if neg or needs or value in used:
                    return False
                required = _FAST_MODULES.get(value, 0)
                if required == 0 or required is not None and required not in used:
                    return False
                module = value
                used = used | {value}
                needs = value in _MODULE_NEEDS
            elif op == 6:  # --dport, --sport
                if module != "tcp" and module != "udp":
                    return False
                got = _port_range(value)
                if got is None:
                    return False
                if neg:
                    got = values.not_ports(got)
                    neg = False
                if word == "--dport":
                    if dport is not None:
                        return False
                    dport = got
                else:
                    if sport is not None:
                        return False
                    sport = got
            elif op == 12:  # -j
                if neg or needs:
                    return False
                got = self._fast_target(value, tokens[i:], table, chain, proto)
                if got is None:
                    return False
                target = got
                break
            elif op == 8:  # --state, --ctstate
                if not needs or module != ("conntrack" if word == "--ctstate" else "state"):
                    return False
                got = _states(value, word == "--ctstate")
                if got is None:
                    return False
                if neg:
                    got = values.complement(got, 6)
                    neg = False
                state = got if state is None else state & got
                needs = False
            elif op == 7:  # --dports, --sports
                if module != "multiport" or not needs:
                    return False
                got = _port_list(value)
                if got is None:
                    return False
                if neg:
                    got = values.not_ports(got)
                    neg = False
                if word == "--dports":
                    dport = got
                else:
                    sport = got
                needs = False
            elif op == 2 or op == 3:  # -i, -o
                if op == 2:
                    if iif is not None or chain.name in OUTGOING_CHAINS:
                        return False
                else:
                    if oif is not None or chain.name in INCOMING_CHAINS:
                        return False
                if len(value) > 15:
                    return False
                got = values.interface(value, neg) or _ANY_IFACE
                neg = False
                if op == 2:
                    iif = got
                else:
                    oif = got
            elif op == 9:  # --comment
                if module != "comment" or neg or not needs or len(value) > 255:
                    return False
                needs = False
            elif op == 10:  # --icmp-type, --icmpv6-type
                if not needs or neg or (module != "icmp" and module != "icmp6"):
                    return False
                got = _icmp_plain(value, family)
                if got is None:
                    return False
                dport, sport = got
                needs = False
            else:  # --tcp-flags MASK COMP
                if module != "tcp" or flags is not None or i >= n:
                    return False
                comp = tokens[i]
                if comp[:1] in ("-", "!"):
                    return False
                try:
                    flags = values.tcp_flags(value, comp, neg)
                except ValueError:
                    return False
                neg = False
                i += 1
        if neg or needs:
            return False
        if iif is _ANY_IFACE:
            iif = None
        if oif is _ANY_IFACE:
            oif = None
        chain.entries.append((make_rule(make_origin(self.path, number, line), make_match(
            proto, src, dst, sport, dport, flags, state, iif, oif), target, ()),))
        return True

    def _fast_target(self, name: str, rest: list[str], table: _Table, chain: _Chain,
                     proto: IntervalSet | None) -> Target | None:
        info = _TARGET_INFO.get(name)
        if info is None:
            if name not in table.chains or name in BUILTIN_CHAINS[table.name] or rest:
                return None
            target = self._target_cache.get((name, False))
            if target is None:
                target = self._target_cache[(name, False)] = Target(Verb.JUMP, chain=name,
                                                                    name=name)
            return target
        target, why, allowed = info
        if why is not None or (allowed is not None and table.name not in allowed):
            return None
        if not rest:
            return target if name not in _TARGET_NEEDS_OPTIONS else None
        if name == "LOG":
            k = 0
            while k < len(rest):
                opt = rest[k]
                if opt in _LOG_FLAGS:
                    k += 1
                elif opt == "--log-prefix" and k + 1 < len(rest) and len(rest[k + 1]) <= 29:
                    k += 2
                elif opt == "--log-level" and k + 1 < len(rest) and \
                        rest[k + 1] in _LOG_LEVELS:
                    k += 2
                else:
                    return None
            return target
        if name == "REJECT" and len(rest) == 2 and rest[0] == "--reject-with" and \
                chain.name not in _NO_REJECT:
            how = rest[1]
            if how not in REJECT_WITH[table.family]:
                return None
            if how in ("tcp-reset", "tcp-rst") and proto != TCP_SET:
                return None
            return target
        return None

    def _refused(self, origin: Origin, message: str) -> None:
        self.issues.append(Issue("EXA001", origin, f"iptables refuses this command ({message});"
                                 " it has no effect"))

    def _referenced(self, table: _Table, name: str) -> bool:
        return any(r.target.chain == name for c in table.chains.values()
                   for e in c.entries for r in e)

    def _rename(self, table: _Table, chain: _Chain, new: str) -> None:
        old = chain.name
        chains: dict[str, _Chain] = {}
        for name, c in table.chains.items():
            for i, entry in enumerate(c.entries):
                if any(r.target.chain == old for r in entry):
                    c.entries[i] = tuple(_retarget(r, new) for r in entry)
            chains[new if name == old else name] = c
        chain.name = new
        table.chains = chains

    def check_loops(self, table: _Table, origin: Origin | None) -> None:
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
                    cycle = path[path.index(nxt):] + [nxt]
                    if len(cycle) > 8:
                        cycle = cycle[:4] + ["..."] + cycle[-3:]
                    raise _LoopError(origin or where, "jump loop " + " -> ".join(cycle) +
                                     f" (closed by line {where.line}); the kernel refuses "
                                     "a table whose built-in chains reach a loop")
                if nxt not in done:
                    path.append(nxt)
                    on_path.add(nxt)
                    stack.append(iter(edges.get(nxt, {}).items()))


class _LineError(_Structural):
    """A structural error found later than the line it belongs to (at COMMIT)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _LoopError(_Structural):
    def __init__(self, origin: Origin, message: str) -> None:
        super().__init__(message)
        self.origin = origin


def _key(entry: tuple[Rule, ...]) -> tuple:
    return tuple((r.match, r.target, r.unknown) for r in entry)


def _retarget(rule: Rule, new: str) -> Rule:
    t = rule.target
    return Rule(rule.origin, rule.match, Target(t.verb, new, new), rule.unknown, rule.stateful)


# --- the two input forms -------------------------------------------------------------------

_SAVE_TABLE = re.compile(r"^\*[A-Za-z0-9_]+\s*$", re.M)
_SAVE_CHAIN = re.compile(r"^:\S+\s+(ACCEPT|DROP|-)\b", re.M)
_SAVE_RULE = re.compile(r"^(\[\d+:\d+\]\s*)?(-A|--append|-P|--policy|-N|--new-chain)\s+\S+",
                        re.M)
_LISTING = re.compile(r"^Chain \S+ \((policy \S+|\d+ references)", re.M)
_COMMAND = re.compile(r"^\s*(sudo\s+)?(\S*/)?ip6?tables(-legacy|-nft)?(-restore)?\s", re.M)
_VAR_COMMAND = re.compile(r"^\s*\$\{?[A-Za-z_]\w*\}?\s+-", re.M)
_V6_HINT = re.compile(r"(?:^|\s)(?:-[sd]|--source|--destination|--src|--dst)\s+(?:!\s*)?"
                      r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*[/\s,]|ipv6-icmp|icmpv6|icmp6-", re.M)


def _family_of(text: str) -> int:
    """6 for an ip6tables-save dump (its header says so, or its addresses do)."""
    head = text[:4096]
    if re.search(r"^#.*ip6tables-save", head, re.M):
        return 6
    if re.search(r"^#.*iptables-save", head, re.M):
        return 4
    return 6 if _V6_HINT.search(text, 0, _HEAD_BYTES) else 4


def _split_quoted(line: str) -> list[str]:
    """Tokens of a line with double quotes: a fast split when every quoted part is a whole
    word without backslashes (what iptables-save writes), else the full tokenizer."""
    parts = line.split('"')
    if len(parts) % 2 == 1 and "\\" not in line:
        out: list[str] = []
        for k, part in enumerate(parts):
            if k % 2:
                before, after = parts[k - 1], parts[k + 1]
                if (before and not before[-1].isspace()) or (after and not after[0].isspace()):
                    return restore_tokens(line)
                if part:
                    out.append(Quoted(part))
            else:
                out.extend(part.split())
        return out
    return restore_tokens(line)


def _read_save(text: str, path: str, lines: list[str], listing_s: bool) -> tuple[_Executor, int]:
    """iptables-save / iptables-restore input (``listing_s``: ``iptables -S`` output,
    which has no ``*table`` blocks and means the filter table)."""
    family = _family_of(text)
    ex = _Executor(path, deferred_jumps=True)
    ex.families_used.add(family)
    table: _Table | None = None
    if listing_s:
        table = ex.table(family, "filter", 1)
    declared: set[str] = set()
    total = 0
    fast = ex.fast_append
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        total += 1
        first = line[0]
        try:
            if first == "-" or first == "[":
                if table is None:
                    raise InputError(path, number, "rule outside a *table block (missing "
                                     "*filter line?)")
                tokens = line.split() if '"' not in line else _split_quoted(line)
                if first == "[":
                    if not re.fullmatch(r"\[\d+:\d+\]", tokens[0]):
                        raise RuleError(f"bad counters {tokens[0]!r}")
                    tokens = tokens[1:]
                    if not tokens:
                        raise RuleError("counters without a rule")
                if tokens[0] == "-A" and len(tokens) > 2 and fast(table, tokens, number,
                                                                  line):
                    continue
                cmd = parse_command(tokens, family=family, restore=True, table=table.name)
                if cmd.ignored:
                    continue
                ex.run(cmd, table, make_origin(path, number, line))
            elif first == "*":
                if table is not None and not listing_s:
                    raise InputError(path, number, f"table {line[1:]!r} starts before the "
                                     f"COMMIT of table {table.name!r}")
                name = line[1:].strip()
                if name not in BUILTIN_CHAINS:
                    raise InputError(path, number, f"table {name!r} does not exist")
                table = _Table.fresh(name, family, number)
                ex.tables[family][name] = table  # a second block replaces the first
                declared = set()
            elif first == ":":
                if table is None:
                    raise InputError(path, number, "chain declared outside a *table block")
                _declare(ex, table, line, number, declared)
            elif line == "COMMIT":
                if table is None or listing_s:
                    raise InputError(path, number, "COMMIT without a *table block")
                _commit(ex, table)
                table = None
            else:
                ex.issues.append(Issue("EXA001", make_origin(path, number, line),
                                       "not an iptables-save line"))
        except RuleError as exc:
            ex.issues.append(Issue("EXA001", make_origin(path, number, line),
                                   f"iptables-restore refuses this line ({exc}); exaudit "
                                   "skips it"))
        except _LoopError as exc:
            raise InputError(path, exc.origin.line, str(exc)) from None
        except _LineError as exc:
            raise InputError(path, exc.line, str(exc)) from None
        except _Structural as exc:
            raise InputError(path, number, str(exc)) from None
    if table is not None:
        if listing_s:
            try:
                _commit(ex, table)
            except _LoopError as exc:
                raise InputError(path, exc.origin.line, str(exc)) from None
            except _LineError as exc:
                raise InputError(path, exc.line, str(exc)) from None
            except _Structural as exc:
                raise InputError(path, None, str(exc)) from None
        else:
            raise InputError(path, table.opened, f"table {table.name!r} has no COMMIT "
                             "(truncated file?)")
    return ex, total


def _declare(ex: _Executor, table: _Table, line: str, number: int,
             declared: set[str]) -> None:
    parts = line[1:].split()
    if not parts:
        raise _Structural("chain declaration without a name")
    name = parts[0]
    policy = parts[1] if len(parts) > 1 else None
    if policy is None:
        raise _Structural(f"chain {name!r} declared without a policy (use '-')")
    if name in declared:
        raise _Structural(f"chain {name!r} is declared twice")
    declared.add(name)
    origin = Origin(ex.path, number, line)
    chain = table.chains.get(name)
    if chain is not None and chain.builtin:
        if policy == "-":
            ex.notes.append(Note(origin, f"{name} keeps the policy it already had in the "
                                 "kernel; exaudit assumes ACCEPT, the kernel's default"))
            return
        if policy not in POLICIES:
            raise _Structural(f"bad policy {policy!r} for {name} (ACCEPT or DROP)")
        if table.name == "nat" and policy == "DROP":
            raise _Structural("the nat table refuses a DROP policy")
        chain.policy = policy
        chain.policy_origin = origin
        return
    if len(name) > 28 or name in TARGETS or name in STANDARD_TARGETS:
        raise _Structural(f"invalid chain name {name!r}")
    if chain is not None and chain.declared >= 0:
        raise _Structural(f"chain {name!r} is declared twice")
    if chain is None:
        table.chains[name] = _Chain(name, False, declared=number)
    else:  # a rule already jumped to it: now it is declared
        chain.declared = number


def _commit(ex: _Executor, table: _Table) -> None:
    for chain in table.chains.values():
        if chain.declared < 0:
            raise _LineError(-chain.declared, f"-j {chain.name}: no such chain in table "
                             f"{table.name!r}")
    ex.check_loops(table, None)


def _read_script(text: str, path: str) -> _Executor:
    script = Script(text)
    events = script.events()
    ex = _Executor(path, deferred_jumps=False)
    families = {e.family for e in events if e.kind == "iptables"}
    mixed = len(families) > 1
    for ev in events:
        origin = Origin(path, ev.line, ev.text)
        if ev.kind == "issue":
            ex.issues.append(Issue("EXA001", origin, ev.message))
            continue
        if ev.kind != "iptables" or ev.words is None:
            continue
        try:
            cmd = parse_command(ev.words, family=ev.family, restore=False)
        except RuleError as exc:
            ex.issues.append(Issue("EXA001", origin, f"iptables refuses this command ({exc});"
                                   " it has no effect"))
            continue
        if cmd.command in ("L", "S", "Z", "C", "h", "V"):
            continue
        ex.families_used.add(ev.family)
        ex.restrict_family = ev.family if mixed else None
        try:
            table = ex.table(ev.family, cmd.table or "filter", ev.line)
            ex.run(cmd, table, origin)
        except _LoopError as exc:
            raise InputError(path, exc.origin.line, str(exc)) from None
        except _Structural as exc:
            raise InputError(path, ev.line, str(exc)) from None
    if not ex.families_used:
        ex.families_used.add(4)
    return ex


# --- the ruleset --------------------------------------------------------------------------------


def _policy_target(policy: str) -> Target:
    return Target(Verb.ACCEPT if policy == "ACCEPT" else Verb.DROP, name=policy)


def _model_chains(table: _Table, extra: dict) -> dict[str, Chain]:
    chains: dict[str, Chain] = {}
    sizes: dict[str, list[int]] = {}
    for name, c in table.chains.items():
        entries = c.entries
        if all(len(e) == 1 for e in entries):
            rules = [e[0] for e in entries]
        else:
            rules = [r for e in entries for r in e]
            sizes[name] = [len(e) for e in entries]
        if c.builtin:
            chains[name] = Chain(name, rules, _policy_target(c.policy), c.policy_origin)
        else:
            chains[name] = Chain(name, rules)
    if sizes:
        extra.setdefault("kernel_rule_sizes", {}).update(sizes)
    return chains


def _merged_chains(ex: _Executor, path: str, extra: dict) -> dict[str, Chain]:
    """Both families in one chain set: rules of each family are disjoint by address, and
    each built-in chain ends with one rule per family standing for that family's policy."""
    tables = {fam: ex.tables[fam].get("filter") or _Table.fresh("filter", fam)
              for fam in (4, 6)}
    per_family = {fam: _model_chains(t, {}) for fam, t in tables.items()}
    chains: dict[str, Chain] = {}
    for fam in (4, 6):
        for name, chain in per_family[fam].items():
            rules = list(chain.rules)
            if chain.default is not None:
                policy = chain.default
                rules = [Rule(r.origin, r.match, policy, r.unknown)
                         if r.target.verb is Verb.RETURN else r for r in rules]
                origin = chain.default_origin or Origin(
                    path, 0, f"(IPv{fam} {name} policy {policy.name}: never set, the "
                    "kernel default)")
                space = addresses.ALL_V4 if fam == 4 else addresses.ALL_V6
                rules.append(Rule(origin, Match(src=space), policy))
            have = chains.get(name)
            if have is None:
                chains[name] = Chain(name, rules, chain.default, chain.default_origin)
            else:
                have.rules.extend(rules)
    return chains


def _finish(ex: _Executor, path: str, total: int) -> Ruleset:
    rs = Ruleset(NAME, path, lines_total=total)
    rs.issues = ex.issues
    rs.notes = ex.notes
    families = sorted(ex.families_used) or [4]
    if len(families) == 1:
        fam = families[0]
        table = ex.tables[fam].get("filter") or _Table.fresh("filter", fam)
        rs.chains = _model_chains(table, rs.extra)
        for name, chain in table.chains.items():
            if chain.builtin and chain.policy_origin is None \
                    and not any(n.origin and n.origin.text.startswith(":" + name)
                                for n in ex.notes):
                rs.notes.append(Note(None, f"the policy of {name} is never set: exaudit "
                                     "assumes ACCEPT, the kernel's default"))
    else:
        rs.chains = _merged_chains(ex, path, rs.extra)
        rs.notes.append(Note(None, "this script configures IPv4 and IPv6: exaudit keeps "
                             "their rules apart by address family"))
    rs.extra["families"] = set(families)
    others: dict[str, dict[str, int]] = {}
    for fam in families:
        for name, table in ex.tables[fam].items():
            if name == "filter":
                continue
            others[name] = {"chains": len(table.chains),
                            "rules": sum(len(c.entries) for c in table.chains.values())}
            _note_other_table(rs, table)
    rs.extra["other_tables"] = others
    return rs


def _note_other_table(rs: Ruleset, table: _Table) -> None:
    seen: set[Origin] = set()
    for chain in table.chains.values():
        if chain.builtin and chain.policy == "DROP":
            rs.notes.append(Note(chain.policy_origin, f"the {table.name} table's "
                                 f"{chain.name} chain drops by policy before or after the "
                                 "filter table; exaudit evaluates only the filter table"))
        for entry in chain.entries:
            rule = entry[0]
            if rule.origin in seen:
                continue
            name = rule.target.name
            if table.name in ("raw", "mangle") and rule.target.verb in (Verb.DROP,
                                                                          Verb.REJECT):
                seen.add(rule.origin)
                rs.notes.append(Note(rule.origin, f"{name} in the {table.name} table: these "
                                     "packets never reach the filter table, which is all "
                                     "exaudit evaluates; answers may be incomplete"))
            elif table.name == "nat" and name in ("DNAT", "REDIRECT", "NETMAP"):
                seen.add(rule.origin)
                rs.notes.append(Note(rule.origin, f"{name} in the nat table rewrites "
                                     "destinations before the filter table sees the packets"))


# --- the platform functions ----------------------------------------------------------------------


_BINARY = re.compile("[\x01-\x08\x0e-\x1f\x7f\ufffd]")


def _check_usable(text: str, path: str) -> list[str]:
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(path, text.count("\n", 0, nul) + 1, "binary data (NUL byte), not "
                         "an iptables ruleset")
    head = text[:_HEAD_BYTES]  # binary junk shows at the start: no need to scan it all
    if _BINARY.search(head) and len(_BINARY.findall(head)) * 20 > len(head):
        raise InputError(path, None, "binary or undecodable data, not an iptables ruleset")
    return text.splitlines()


def parse(text: str, path: str) -> Ruleset:
    """An iptables-save/ip6tables-save dump or an iptables shell script, as chains."""
    # Reading creates hundreds of thousands of small objects and no cycles; the cyclic
    # collector would rescan them all again and again (half the time at 100k rules).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, path)
    except InputError:
        raise
    except RecursionError:
        raise InputError(path, None, "too deeply nested to read") from None
    except Exception as exc:  # pragma: no cover - a bug; the user still gets one line
        raise InputError(path, None, f"internal error while reading this file "
                         f"({type(exc).__name__}: {exc}); please report it") from None
    finally:
        if collecting:
            gc.enable()


_HEAD_BYTES = 65536  # form detection looks at the start of the file only


def _parse(text: str, path: str) -> Ruleset:
    lines = _check_usable(text, path)
    head = text[:_HEAD_BYTES]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        raise InputError(path, None, "empty: no iptables rules or commands")
    if head.lstrip().startswith("<") and "<iptables-rules" in head:
        raise InputError(path, 1, "this is iptables-xml output; give exaudit the "
                         "iptables-save file it was made from")
    m = _LISTING.search(head)
    if m and not _SAVE_TABLE.search(head):
        raise InputError(path, head.count("\n", 0, m.start()) + 1,
                         "this is an `iptables -L` listing, which leaves out parts of the "
                         "rules; give exaudit the output of iptables-save")
    is_script = _COMMAND.search(head) or _VAR_COMMAND.search(head) or text.startswith("#!")
    if is_script:  # (a script may carry iptables-save text in a here-document)
        ex = _read_script(text, path)
        total = sum(1 for line in lines if line.strip() and
                    not line.lstrip().startswith("#"))
    elif _SAVE_TABLE.search(head):
        ex, total = _read_save(text, path, lines, listing_s=False)
    elif _SAVE_RULE.search(head):
        ex, total = _read_save(text, path, lines, listing_s=True)
    else:
        first = next(i for i, line in enumerate(lines, 1)
                     if line.strip() and not line.lstrip().startswith("#"))
        raise InputError(path, first, "neither iptables-save output nor a script of "
                         "iptables commands")
    return _finish(ex, path, total)


def parse_rule_line(rule: str, *, chain: str = "INPUT", table: str = "filter",
                    family: int = 4, path: str = "<rule>") -> tuple[list[Rule], list[Issue]]:
    """One rule specification as ``iptables -t TABLE -A CHAIN RULE`` would take it.

    Returns the model rules and the issues; raises ``InputError`` when iptables would
    refuse the command outright.
    """
    try:
        tokens = shlex.split(rule)
    except ValueError as exc:
        raise InputError(path, 1, str(exc)) from None
    try:
        cmd = parse_command(["-t", table, "-A", chain] + tokens, family=family,
                            restore=False)
    except RuleError as exc:
        raise InputError(path, 1, str(exc)) from None
    ex = _Executor(path, deferred_jumps=False)
    try:
        tbl = ex.table(family, table, 1)
        if chain not in tbl.chains:
            tbl.chains[chain] = _Chain(chain, False, declared=1)
        ex.run(cmd, tbl, Origin(path, 1, rule.strip()))
    except _Structural as exc:
        raise InputError(path, 1, str(exc)) from None
    rules = [r for e in tbl.chains[chain].entries for r in e]
    return rules, ex.issues


def stages(ruleset: Ruleset, *, in_iface: str | None, out_iface: str | None,
           chain: str | None = None, local: str | None = None) -> list[Stage]:
    """The one chain a packet meets: ``chain``, else INPUT/OUTPUT for a host's own
    traffic, else FORWARD when it leaves by an interface, else INPUT.

    Only built-in chains can be asked for: a user chain has no verdict of its own
    (packets falling off its end go back to whichever chain jumped there).
    """
    if chain is None:
        if local == "input":
            chain = "INPUT"
        elif local == "output":
            chain = "OUTPUT"
        else:
            chain = "FORWARD" if out_iface else "INPUT"
    found = ruleset.chains.get(chain)
    if found is None:
        raise InputError(ruleset.file, None, f"no chain {chain!r} in the filter table "
                         f"(chains: {', '.join(ruleset.chains)})")
    if found.default is None:
        raise InputError(ruleset.file, None, f"{chain!r} is a user-defined chain: it has no "
                         "verdict of its own (packets falling off its end return to the "
                         "chain that jumped there); ask for INPUT, FORWARD or OUTPUT")
    # A packet in INPUT has no output interface and one in OUTPUT no input interface:
    # the kernel compares an empty name, so those conditions are decided in advance.
    empty = {"INPUT": "oif", "OUTPUT": "iif"}.get(chain)
    chains = ruleset.chains if empty is None else _view_without(ruleset, empty)
    return [Stage(chain, chains, chain)]


def _view_without(ruleset: Ruleset, dim: str) -> dict[str, Chain]:
    """The chains as seen by packets whose ``dim`` interface has an empty name."""
    views = ruleset.extra.setdefault("stage_views", {})
    assert isinstance(views, dict)
    hit = views.get(dim)
    if hit is not None:
        return hit
    chains = ruleset.chains
    if any(getattr(r.match, dim) is not None for c in chains.values() for r in c.rules):
        view = {}
        for name, c in chains.items():
            rules = []
            for rule in c.rules:
                cond = getattr(rule.match, dim)
                if cond is None:
                    rules.append(rule)
                    continue
                # "+" matches every name, the empty one too; any other pattern misses it
                matches_empty = "+" in cond.patterns
                if matches_empty != cond.negated:
                    rules.append(Rule(rule.origin, rule.match._replace(**{dim: None}),
                                      rule.target, rule.unknown, rule.stateful))
            view[name] = Chain(name, rules, c.default, c.default_origin)
        chains = view
    views[dim] = chains
    return chains


def looks_like(text: str) -> float:
    sample = text[:65536]
    if _SAVE_TABLE.search(sample) and ("COMMIT" in sample or _SAVE_CHAIN.search(sample)):
        return 1.0
    if _SAVE_CHAIN.search(sample) or _SAVE_RULE.search(sample):
        return 0.8
    commands = len(_COMMAND.findall(sample))
    if commands:
        return min(1.0, 0.6 + 0.1 * commands)
    if _LISTING.search(sample) or "<iptables-rules" in sample:
        return 0.6
    if _VAR_COMMAND.search(sample) and re.search(r"ip6?tables", sample):
        return 0.6
    return 0.0


# --- fix -------------------------------------------------------------------------------------


def _port_args(ports: IntervalSet) -> list[str]:
    spans = list(ports.spans)
    if len(spans) == 1:
        lo, hi = spans[0]
        return ["--dport", str(lo) if lo == hi else f"{lo}:{hi}"]
    items = [str(lo) if lo == hi else f"{lo}:{hi}" for lo, hi in spans]
    return ["-m", "multiport", "--dports", ",".join(items)]


def _multiport_chunks(ports: IntervalSet) -> list[IntervalSet]:
    """Split a port set into multiport-sized pieces (15 slots, a range takes two)."""
    if len(ports.spans) <= 1:
        return [ports]
    chunks, current, used = [], [], 0
    for lo, hi in ports.spans:
        cost = 1 if lo == hi else 2
        if used + cost > 15:
            chunks.append(IntervalSet(current))
            current, used = [], 0
        current.append((lo, hi))
        used += cost
    if current:
        chunks.append(IntervalSet(current))
    return chunks


def _position(ruleset: Ruleset, origin: Origin) -> tuple[str, int] | None:
    """The chain holding the rule of ``origin`` and its 1-based kernel position."""
    sizes = ruleset.extra.get("kernel_rule_sizes", {})
    for name, chain in ruleset.chains.items():
        chain_sizes = sizes.get(name) if isinstance(sizes, dict) else None
        if chain_sizes is None:
            for i, rule in enumerate(chain.rules):
                if rule.origin == origin:
                    return name, i + 1
            continue
        i = 0
        for pos, size in enumerate(chain_sizes, 1):
            if chain.rules[i].origin == origin:
                return name, pos
            i += size
    return None


def _fell_off(ruleset: Ruleset, request: FixRequest, chain: str) -> str:
    """The chain at whose end a policy-denied request's packets leave the rules."""
    if not any(r.target.verb is Verb.GOTO for c in ruleset.chains.values() for r in c.rules):
        return chain
    from exaudit.engine import Evaluator, Question

    try:
        src = IntervalSet()
        for text in request.sources:
            src = src | addresses.parse(text)
        question = Question(proto=IntervalSet.point(6 if request.proto == "tcp" else 17),
                            src=src, dst=addresses.parse(request.destination),
                            dport=request.ports, in_iface=request.in_iface,
                            out_iface=request.out_iface)
        stages_ = stages(ruleset, in_iface=request.in_iface, out_iface=request.out_iface,
                         chain=chain)
        parts = Evaluator().evaluate(stages_, question).parts
    except (InputError, addresses.AddressError):
        return chain
    for part in parts:
        if part.verdict != "deny" or part.decided_by != ruleset.chains[chain].default_origin:
            continue
        where = [chain]
        for step in part.path:
            if step.verdict.startswith("jump "):
                where.append(step.verdict[5:])
            elif step.verdict.startswith("goto "):
                where[-1] = step.verdict[5:]
            elif step.verdict == "return" and len(where) > 1:
                where.pop()
        return where[-1]
    return chain


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """iptables commands (iptables-save syntax) that permit the request where it is denied."""
    if request.stage in ruleset.chains:
        chain = request.stage
    elif request.local == "input":
        chain = "INPUT"
    elif request.local == "output":
        chain = "OUTPUT"
    else:
        chain = "FORWARD" if request.out_iface else "INPUT"
    where = f"-A {chain}"
    found = _position(ruleset, request.before) if request.before is not None else None
    if found is not None:
        where = f"-I {found[0]} {found[1]}"
        chain = found[0]
    elif chain in ruleset.chains:
        # denied by the policy: usually at the end of the chain, unless the packets fell
        # off a chain that a goto led them to (they never come back to the end then)
        chain = _fell_off(ruleset, request, chain)
        where = f"-A {chain}"
    words = [where]
    if request.in_iface and chain not in ("OUTPUT", "POSTROUTING"):
        words += ["-i", request.in_iface]
    if request.out_iface and chain not in ("INPUT", "PREROUTING"):
        words += ["-o", request.out_iface]
    if request.sources:
        words += ["-s", ",".join(request.sources)]
    words += ["-d", request.destination, "-p", request.proto]
    lines = [" ".join(words + _port_args(chunk) + ["-j", "ACCEPT"])
             for chunk in _multiport_chunks(request.ports)]
    return "\n".join(lines)
