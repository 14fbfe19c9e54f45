"""Rule commands into model rules: targets, addresses, interfaces and every combination."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.model import (
    Issue,
    IssueKind,
    Note,
    Origin,
    Rule,
    Target,
    Verb,
)
from exaudit.platforms.iptables.build import (
    FRAGMENTS,
    Recipe,
    address_list,
    combine,
    conventions,
    interfaces,
    make_match,
    make_recipe,
    make_rule,
)
from exaudit.platforms.iptables.names import BUILTIN_CHAINS, STANDARD_TARGETS, TARGETS
from exaudit.platforms.iptables.stages import REFUSED
from exaudit.platforms.iptables.state import (
    MAX_EXPANSION,
    ChainState,
    Structural,
    TableState,
    TooBig,
)
from exaudit.platforms.iptables.words import Command

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
        self._fragments_noted = False
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

    def _refused(self, origin: Origin, message: str) -> None:
        self.issues.append(
            Issue(
                IssueKind.REFUSED,
                origin,
                f"iptables refuses this command ({message}): it fails when run, "
                "and changes nothing",
            )
        )

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
                    IssueKind.REFUSED,
                    origin,
                    "iptables would refuse this rule ("
                    + "; ".join(errors)
                    + "); exaudit keeps it as "
                    "undetermined",
                )
            )
        elif any(u not in FRAGMENTS for u in unknown):
            shown = [u for u in unknown if u not in FRAGMENTS]
            self.issues.append(
                Issue(IssueKind.UNSUPPORTED, origin, "not modeled: " + "; ".join(shown))
            )
        if not errors and any(u in FRAGMENTS for u in unknown) and not self._fragments_noted:
            self._fragments_noted = True
            self.notes.append(
                Note(
                    origin,
                    "-f matches only second and further fragments, which carry no ports: "
                    "exaudit's questions (a connection's packets, with their ports) are "
                    "never such fragments, so a -f rule never applies to them and ! -f "
                    "always holds",
                )
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
