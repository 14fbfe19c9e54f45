"""Chains and tables of an iptables ruleset, changed command by command as the kernel does."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    Issue,
    IssueKind,
    Note,
    Origin,
    Rule,
    Target,
    Verb,
)
from exaudit.platforms import iptables_values as values
from exaudit.platforms.iptables_build import (
    Recipe,
    address_list,
    combine,
    conventions,
    interfaces,
    make_match,
    make_origin,
    make_recipe,
    make_rule,
)
from exaudit.platforms.iptables_build import proto_set as b_proto_set
from exaudit.platforms.iptables_ext import TARGET_EXTS
from exaudit.platforms.iptables_names import (
    BUILTIN_CHAINS,
    INCOMING_CHAINS,
    OUTGOING_CHAINS,
    POLICIES,
    REJECT_WITH,
    STANDARD_TARGETS,
    TARGETS,
)
from exaudit.platforms.iptables_rule import (
    Command,
)
from exaudit.platforms.iptables_stages import REFUSED

# The canonical iptables-save words the fast reader knows, numbered for its dispatch.
_FAST_OPS = {
    "-s": 0,
    "-d": 1,
    "-i": 2,
    "-o": 3,
    "-p": 4,
    "-m": 5,
    "--dport": 6,
    "--sport": 6,
    "--dports": 7,
    "--sports": 7,
    "--state": 8,
    "--ctstate": 8,
    "--comment": 9,
    "--icmp-type": 10,
    "--icmpv6-type": 10,
    "--tcp-flags": 11,
    "-j": 12,
    "--syn": 13,
}
# fast-path modules and the protocol (tag) each needs from -p
_FAST_MODULES = {
    "tcp": "p:tcp",
    "udp": "p:udp",
    "multiport": "p:ports",
    "icmp": "p:icmp",
    "icmp6": "p:icmp6",
    "state": None,
    "conntrack": None,
    "comment": None,
}
_PROTO_TAGS = {
    6: frozenset({"p:tcp", "p:ports"}),
    17: frozenset({"p:udp", "p:ports"}),
    132: frozenset({"p:ports"}),
    33: frozenset({"p:ports"}),
    136: frozenset({"p:ports"}),
    1: frozenset({"p:icmp"}),
    58: frozenset({"p:icmp6"}),
}
_MODULE_NEEDS = frozenset({"multiport", "state", "conntrack", "comment", "icmp", "icmp6"})
_FAST_PROTOS = {
    "tcp": 6,
    "udp": 17,
    "icmp": 1,
    "ipv6-icmp": 58,
    "icmpv6": 58,
    "all": 0,
    "6": 6,
    "17": 17,
    "1": 1,
    "58": 58,
    "0": 0,
    "esp": 50,
    "ah": 51,
    "gre": 47,
    "sctp": 132,
    "igmp": 2,
    "vrrp": 112,
    "ospf": 89,
    "47": 47,
    "50": 50,
    "51": 51,
    "41": 41,
    "ipv6": 41,
}
_NO_MODULES: frozenset[str] = frozenset()
_ANY_IFACE = object()
_LOG_FLAGS = frozenset(
    {"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode"}
)
_LOG_LEVELS = frozenset(
    {
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "alert",
        "crit",
        "debug",
        "emerg",
        "error",
        "info",
        "notice",
        "panic",
        "warning",
    }
)
_TARGET_NEEDS_OPTIONS = frozenset(
    name
    for name, spec in TARGET_EXTS.items()
    if any(o.mandatory for o in spec.options.values()) or spec.need or spec.one
)
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
            got = (
                IntervalSet.point(kind),
                None if (lo, hi) == (0, 255) else IntervalSet.span(lo, hi),
            )
    _ICMP_PLAIN[key] = got
    return got


_VERBS = {
    "accept": Verb.ACCEPT,
    "drop": Verb.DROP,
    "reject": Verb.REJECT,
    "return": Verb.RETURN,
    "continue": Verb.CONTINUE,
    # nat targets end the nat chain; exaudit never evaluates the nat table
    "nat": Verb.ACCEPT,
    # user space decides: a DROP here, plus an ACCEPT twin (see Recipe assembly)
    "unknown": Verb.DROP,
}
# target name -> (model target, why its verdict is unknown or None, tables it may be used in)
_TARGET_INFO: dict[str, tuple[Target, str | None, frozenset[str] | None]] = {}
for _name, (_kind, _tables) in list(TARGETS.items()) + [
    (n, (k, None)) for n, k in STANDARD_TARGETS.items()
]:
    _TARGET_INFO[_name] = (
        Target(_VERBS[_kind], name=_name),
        f"target {_name}: the verdict is decided outside the ruleset"
        if _kind == "unknown"
        else None,
        _tables,
    )
_CONTINUE = Target(Verb.CONTINUE, name="")
_CONTINUE_INFO = (_CONTINUE, None, None)


# A rule may expand into this many model rules (comma lists times alternatives) at most.
MAX_EXPANSION = 4096


class Structural(Exception):
    """A command the kernel refuses for structural reasons (chains, tables, loops)."""


class TooBig(Exception):
    """A rule past what exaudit expands (not the kernel's refusal: the input is unusable)."""


# --- the tables being built ------------------------------------------------------------------


@dataclass
class ChainState:
    name: str
    builtin: bool
    entries: list[tuple[Rule, ...]] = field(default_factory=list)  # one per kernel rule
    policy: str = "ACCEPT"
    policy_origin: Origin | None = None
    declared: int = 0


@dataclass
class TableState:
    name: str
    family: int
    chains: dict[str, ChainState] = field(default_factory=dict)
    opened: int = 0

    @classmethod
    def fresh(cls, name: str, family: int, line: int = 0) -> TableState:
        table = cls(name, family, opened=line)
        for chain in BUILTIN_CHAINS[name]:
            table.chains[chain] = ChainState(chain, True)
        return table


# --- reading -----------------------------------------------------------------------------


class Reader:
    """State shared by the iptables-save and the script readers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.notes: list[Note] = []
        self.tables: dict[int, dict[str, TableState]] = {4: {}, 6: {}}
        self.families_used: set[int] = set()
        self.restrict_family: int | None = None
        self._target_cache: dict[tuple[str | None, bool], Target] = {}
        self._old_negation_noted = False
        # a refused command fails and changes nothing (a script); else (iptables-restore
        # input, which would load nothing) the rule is kept as undetermined
        self.commands_fail = False
        self.deferred = False

    # -- tables and chains
    def table(self, family: int, name: str, line: int) -> TableState:
        tables = self.tables[family]
        table = tables.get(name)
        if table is None:
            if name not in BUILTIN_CHAINS:
                raise Structural(f"table {name!r} does not exist")
            table = tables[name] = TableState.fresh(name, family, line)
        return table

    def chain(self, table: TableState, name: str | None, what: str) -> ChainState:
        chain = table.chains.get(name or "")
        if chain is None:
            raise Structural(f"{what}: chain {name!r} does not exist in table {table.name!r}")
        return chain

    # -- rules
    def target(
        self, name: str | None, goto: bool, table: TableState, errors: list[str], line: int = 0
    ) -> tuple[Target, str | None]:
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
            raise Structural(f"cannot jump to the built-in chain {name}")
        if name not in table.chains:
            if not self.deferred:
                raise Structural(
                    f"-{'g' if goto else 'j'} {name}: no such chain or "
                    f"target in table {table.name!r}"
                )
            # iptables-restore resolves jumps at COMMIT: the chain may be declared later
            table.chains[name] = ChainState(name, False, declared=-line)
        key = (name, goto)
        hit = self._target_cache.get(key)
        if hit is None:
            hit = self._target_cache[key] = Target(
                Verb.GOTO if goto else Verb.JUMP, chain=name, name=name
            )
        return hit, None

    def build(self, cmd: Command, table: TableState, origin: Origin) -> list[tuple[Rule, ...]]:
        """The kernel rules (each as its model rules) that a rule command describes."""
        recipe = make_recipe(cmd, table.family)
        return self.assemble(
            recipe,
            (),
            table,
            origin,
            cmd.src,
            cmd.src_neg,
            cmd.dst,
            cmd.dst_neg,
            cmd.iif,
            cmd.iif_neg,
            cmd.oif,
            cmd.oif_neg,
            cmd.old_negation,
        )

    def assemble(
        self,
        recipe: Recipe,
        tokens: tuple[str, ...] | list[str],
        table: TableState,
        origin: Origin,
        src: str | None,
        src_neg: bool,
        dst: str | None,
        dst_neg: bool,
        iif: str | None,
        iif_neg: bool,
        oif: str | None,
        oif_neg: bool,
        old_negation: bool = False,
    ) -> list[tuple[Rule, ...]]:
        family = table.family
        if old_negation and not self._old_negation_noted:
            self._old_negation_noted = True
            self.notes.append(
                Note(
                    origin,
                    "this file uses the old `-s ! address` negation "
                    "syntax, which iptables 1.6 and later refuse; exaudit reads "
                    "it as `! -s address`",
                )
            )
        base, alternatives = recipe.base, recipe.alternatives
        unknown, errors = list(recipe.unknown), list(recipe.errors)
        target, target_unknown = self.target(recipe.target, recipe.goto, table, errors, origin.line)
        iface_in, iface_out = (
            (None, None)
            if iif is None and oif is None
            else interfaces(iif, iif_neg, oif, oif_neg, errors)
        )
        srcs = (
            address_list(src, src_neg, family, "source", errors, unknown)
            if src is not None
            else _NO_ADDRESS
        )
        dsts = (
            address_list(dst, dst_neg, family, "destination", errors, unknown)
            if dst is not None
            else _NO_ADDRESS
        )
        if "src" in base or "dst" in base:  # -m iprange narrows the addresses
            ranges = base.get("src")
            if ranges is not None:
                srcs = [ranges if x is None else x & ranges for x in srcs]
            ranges = base.get("dst")
            if ranges is not None:
                dsts = [ranges if x is None else x & ranges for x in dsts]
        if target_unknown:
            unknown.append(target_unknown)
        if errors and self.commands_fail:
            # a script's command that iptables refuses fails; the script goes on
            self._refused(origin, "; ".join(errors))
            return []
        if errors:
            unknown = [REFUSED + "; ".join(errors)] + list(unknown)
            self.issues.append(
                Issue(
                    IssueKind.UNPARSED,
                    origin,
                    "iptables would refuse this rule ("
                    + "; ".join(errors)
                    + "); exaudit keeps it as "
                    "undetermined",
                )
            )
        elif unknown:
            self.issues.append(
                Issue(IssueKind.UNSUPPORTED, origin, "not modeled: " + "; ".join(unknown))
            )
        if self.restrict_family is not None:
            fam = addresses.ALL_V4 if self.restrict_family == 4 else addresses.ALL_V6
            srcs = [fam if s is None else s & fam for s in srcs]
        unknown_t = tuple(unknown)
        if not alternatives and len(srcs) == 1 and len(dsts) == 1 and not target_unknown:
            # the common case: one kernel rule, one model rule
            if "sport" in base or "dport" in base or "flags" in base:
                base, _ = conventions(base, alternatives)
            g = base.get
            match = make_match(
                g("proto"),
                srcs[0],
                dsts[0],
                g("sport"),
                g("dport"),
                g("flags"),
                g("state"),
                iface_in,
                iface_out,
            )
            return [(make_rule(origin, match, target, unknown_t),)]
        base, alternatives = conventions(base, alternatives)
        targets = [target]
        if target_unknown:
            # What user space decides is unknown: explore both a permit and a deny.
            targets = [Target(Verb.ACCEPT, name=target.name), target]
        boxes = combine(base, alternatives)
        count = len(srcs) * len(dsts) * len(boxes) * len(targets)
        if count > MAX_EXPANSION:
            raise TooBig(f"this rule expands to {count} rules; exaudit stops at {MAX_EXPANSION}")
        out = []
        for s_ in srcs:
            for d in dsts:
                rules = []
                for box in boxes:
                    g = box.get
                    match = make_match(
                        g("proto"),
                        s_,
                        d,
                        g("sport"),
                        g("dport"),
                        g("flags"),
                        g("state"),
                        iface_in,
                        iface_out,
                    )
                    for t in targets:
                        rules.append(make_rule(origin, match, t, unknown_t))
                out.append(tuple(rules))
        return out


_NO_ADDRESS: list = [None]


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
        have_proto = False
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
                if have_proto or module is not None:
                    return False
                have_proto = True
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
                if required == 0 or (required is not None and required not in used):
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
                # several port matches in one rule must all hold
                if word == "--dports":
                    dport = got if dport is None else dport & got
                else:
                    sport = got if sport is None else sport & got
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
                if module != "comment" or neg or not needs:
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
        chain.entries.append(
            (
                make_rule(
                    make_origin(self.path, number, line),
                    make_match(proto, src, dst, sport, dport, flags, state, iif, oif),
                    target,
                    (),
                ),
            )
        )
        return True

    def _fast_target(
        self,
        name: str,
        rest: list[str],
        table: TableState,
        chain: ChainState,
        proto: IntervalSet | None,
    ) -> Target | None:
        info = _TARGET_INFO.get(name)
        if info is None:
            if name not in table.chains or name in BUILTIN_CHAINS[table.name] or rest:
                return None
            target = self._target_cache.get((name, False))
            if target is None:
                target = self._target_cache[(name, False)] = Target(
                    Verb.JUMP, chain=name, name=name
                )
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
                elif (
                    opt == "--log-prefix"
                    and k + 1 < len(rest)
                    or opt == "--log-level"
                    and k + 1 < len(rest)
                    and rest[k + 1] in _LOG_LEVELS
                ):
                    k += 2
                else:
                    return None
            return target
        if (
            name == "REJECT"
            and len(rest) == 2
            and rest[0] == "--reject-with"
            and chain.name not in _NO_REJECT
        ):
            how = rest[1]
            if how not in REJECT_WITH[table.family]:
                return None
            if how in ("tcp-reset", "tcp-rst") and proto != TCP_SET:
                return None
            return target
        return None

    def _refused(self, origin: Origin, message: str) -> None:
        self.issues.append(
            Issue(
                IssueKind.UNPARSED,
                origin,
                f"iptables refuses this command ({message}): it fails when run, "
                "and changes nothing",
            )
        )

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


class LineError(Structural):
    """A structural error found later than the line it belongs to (at COMMIT)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class LoopError(Structural):
    def __init__(self, origin: Origin, message: str) -> None:
        super().__init__(message)
        self.origin = origin


def _key(entry: tuple[Rule, ...]) -> tuple:
    return tuple((r.match, r.target, r.unknown) for r in entry)


def _retarget(rule: Rule, new: str) -> Rule:
    t = rule.target
    return Rule(rule.origin, rule.match, Target(t.verb, new, new), rule.unknown, rule.stateful)
