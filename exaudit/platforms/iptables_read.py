"""Reading iptables input: iptables-save dumps and shell scripts, into a Ruleset."""

from __future__ import annotations

import re

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.model import (
    Chain,
    Issue,
    IssueKind,
    Match,
    Note,
    Origin,
    Rule,
    Target,
    Verb,
)
from exaudit.platforms.iptables_build import (
    make_origin,
)
from exaudit.platforms.iptables_names import (
    BUILTIN_CHAINS,
    POLICIES,
    STANDARD_TARGETS,
    TARGETS,
)
from exaudit.platforms.iptables_rule import (
    Quoted,
    RuleError,
    parse_command,
    restore_tokens,
)
from exaudit.platforms.iptables_ruleset import IptablesRuleset, TableCount
from exaudit.platforms.iptables_shell import Script
from exaudit.platforms.iptables_stages import REWRITES_DESTINATION, UNTRACKS
from exaudit.platforms.iptables_tables import (
    ChainState,
    Executor,
    LineError,
    LoopError,
    Structural,
    TableState,
    TooBig,
)

# --- the two input forms -------------------------------------------------------------------

SAVE_TABLE = re.compile(r"^\*[A-Za-z0-9_]+\s*$", re.M)
SAVE_CHAIN = re.compile(r"^:\S+\s+(ACCEPT|DROP|-)\b", re.M)
SAVE_RULE = re.compile(r"^(\[\d+:\d+\]\s*)?(-A|--append|-P|--policy|-N|--new-chain)\s+\S+", re.M)
LISTING = re.compile(r"^Chain \S+ \((policy \S+|\d+ references)", re.M)
COMMAND = re.compile(r"^\s*(sudo\s+)?(\S*/)?ip6?tables(-legacy|-nft)?(-restore)?\s", re.M)
VAR_COMMAND = re.compile(r"^\s*\$\{?[A-Za-z_]\w*\}?\s+-", re.M)
_V6_HINT = re.compile(
    r"(?:^|\s)(?:-[sd]|--source|--destination|--src|--dst)\s+(?:!\s*)?"
    r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*[/\s,]|ipv6-icmp|icmpv6|icmp6-",
    re.M,
)


HEAD_BYTES = 65536  # form detection looks at the start of the file only


def _family_of(text: str) -> int:
    """6 for an ip6tables-save dump (its header says so, or its addresses do)."""
    head = text[:4096]
    if re.search(r"^#.*ip6tables-save", head, re.M):
        return 6
    if re.search(r"^#.*iptables-save", head, re.M):
        return 4
    return 6 if _V6_HINT.search(text, 0, HEAD_BYTES) else 4


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


def read_save(text: str, path: str, lines: list[str], listing_s: bool) -> tuple[Executor, int]:
    """iptables-save / iptables-restore input (``listing_s``: ``iptables -S`` output,
    which has no ``*table`` blocks and means the filter table)."""
    family = _family_of(text)
    ex = Executor(path, deferred_jumps=True)
    ex.families_used.add(family)
    table: TableState | None = None
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
                    raise InputError(
                        path, number, "rule outside a *table block (missing *filter line?)"
                    )
                tokens = line.split() if '"' not in line else _split_quoted(line)
                if first == "[":
                    if not re.fullmatch(r"\[\d+:\d+\]", tokens[0]):
                        raise RuleError(f"bad counters {tokens[0]!r}")
                    tokens = tokens[1:]
                    if not tokens:
                        raise RuleError("counters without a rule")
                if tokens[0] == "-A" and len(tokens) > 2 and fast(table, tokens, number, line):
                    continue
                cmd = parse_command(tokens, family=family, restore=True, table=table.name)
                if cmd.ignored:
                    continue
                ex.run(cmd, table, make_origin(path, number, line))
            elif first == "*":
                if table is not None and not listing_s:
                    raise InputError(
                        path,
                        number,
                        f"table {line[1:]!r} starts before the COMMIT of table {table.name!r}",
                    )
                name = line[1:].strip()
                if name not in BUILTIN_CHAINS:
                    raise InputError(path, number, f"table {name!r} does not exist")
                table = TableState.fresh(name, family, number)
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
            elif listing_s:
                # `iptables -S` lines are read one by one (aerleon puts ipset commands
                # among them): another line changes no rule
                ex.issues.append(
                    Issue(
                        IssueKind.UNPARSED,
                        make_origin(path, number, line),
                        "not an iptables line; exaudit skips it",
                    )
                )
            else:
                # it stands in no chain, so no verdict can be kept undetermined for it:
                # refused, as iptables-restore refuses the whole file
                raise InputError(
                    path, number, "not an iptables-save line (iptables-restore refuses the file)"
                )
        except RuleError as exc:
            if table is None or not _keep_unreadable(
                ex, table, line, make_origin(path, number, line)
            ):
                raise InputError(
                    path, number, f"iptables-restore refuses this line ({exc})"
                ) from None
            ex.issues.append(
                Issue(
                    IssueKind.UNPARSED,
                    make_origin(path, number, line),
                    f"iptables-restore refuses this line ({exc}), and with it the whole "
                    "file; exaudit keeps the line as undetermined where it stands",
                )
            )
        except LoopError as exc:
            raise InputError(path, exc.origin.line, str(exc)) from None
        except LineError as exc:
            raise InputError(path, exc.line, str(exc)) from None
        except (Structural, TooBig) as exc:
            raise InputError(path, number, str(exc)) from None
    if table is not None:
        if listing_s:
            try:
                _commit(ex, table)
            except LoopError as exc:
                raise InputError(path, exc.origin.line, str(exc)) from None
            except LineError as exc:
                raise InputError(path, exc.line, str(exc)) from None
            except Structural as exc:
                raise InputError(path, None, str(exc)) from None
        else:
            raise InputError(
                path, table.opened, f"table {table.name!r} has no COMMIT (truncated file?)"
            )
    return ex, total


_RULE_COMMANDS = {"-A": "A", "--append": "A", "-I": "I", "--insert": "I"}
_TARGET_FLAGS = {"-j": False, "--jump": False, "-g": True, "--goto": True}


def _keep_unreadable(ex: Executor, table: TableState, line: str, origin: Origin) -> bool:
    """Put a rule line exaudit cannot read where it stands, as a rule of unknown match and
    (unless its target can be read) unknown target; False if not even that is known."""
    words = line.split()
    if words and words[0].startswith("["):
        words = words[1:]
    if len(words) < 2 or words[0] not in _RULE_COMMANDS or words[1] not in table.chains:
        return False
    chain = table.chains[words[1]]
    target = Target(Verb.UNKNOWN, name="?")
    for k, word in enumerate(words[:-1]):
        goto = _TARGET_FLAGS.get(word)
        name = words[k + 1]
        if goto is None:
            continue
        known = name in TARGETS or name in STANDARD_TARGETS
        user = name in table.chains and not table.chains[name].builtin
        if known or user:
            errors: list[str] = []
            try:
                got, why = ex.target(name, goto, table, errors, origin.line)
            except Structural:
                break
            if not errors and why is None and got.verb is not Verb.CONTINUE:
                target = got
        break
    rule = Rule(origin, Match(), target, ("iptables-restore refuses this line",))
    if _RULE_COMMANDS[words[0]] == "A":
        chain.entries.append((rule,))
    else:
        at = int(words[2]) - 1 if len(words) > 2 and words[2].isdigit() else 0
        chain.entries.insert(max(0, min(at, len(chain.entries))), (rule,))
    return True


def _declare(ex: Executor, table: TableState, line: str, number: int, declared: set[str]) -> None:
    parts = line[1:].split()
    if not parts:
        raise Structural("chain declaration without a name")
    name = parts[0]
    policy = parts[1] if len(parts) > 1 else None
    if policy is None:
        raise Structural(f"chain {name!r} declared without a policy (use '-')")
    if name in declared:
        raise Structural(f"chain {name!r} is declared twice")
    declared.add(name)
    origin = Origin(ex.path, number, line)
    chain = table.chains.get(name)
    if chain is not None and chain.builtin:
        if policy == "-":
            ex.notes.append(
                Note(
                    origin,
                    f"{name} keeps the policy it already had in the "
                    "kernel; exaudit assumes ACCEPT, the kernel's default",
                )
            )
            return
        if policy not in POLICIES:
            raise Structural(f"bad policy {policy!r} for {name} (ACCEPT or DROP)")
        if table.name == "nat" and policy == "DROP":
            raise Structural("the nat table refuses a DROP policy")
        chain.policy = policy
        chain.policy_origin = origin
        return
    if len(name) > 28 or name in TARGETS or name in STANDARD_TARGETS:
        raise Structural(f"invalid chain name {name!r}")
    if chain is not None and chain.declared >= 0:
        raise Structural(f"chain {name!r} is declared twice")
    if chain is None:
        table.chains[name] = ChainState(name, False, declared=number)
    else:  # a rule already jumped to it: now it is declared
        chain.declared = number


def _commit(ex: Executor, table: TableState) -> None:
    for chain in table.chains.values():
        if chain.declared < 0:
            raise LineError(
                -chain.declared, f"-j {chain.name}: no such chain in table {table.name!r}"
            )
    ex.check_loops(table, None)


def read_script(text: str, path: str) -> Executor:
    script = Script(text)
    events = script.events()
    ex = Executor(path, deferred_jumps=False)
    ex.commands_fail = True
    families = {e.family for e in events if e.kind == "iptables"}
    mixed = len(families) > 1
    for ev in events:
        origin = Origin(path, ev.line, ev.text)
        if ev.kind == "issue":
            ex.issues.append(Issue(IssueKind.UNPARSED, origin, ev.message))
            continue
        if ev.kind != "iptables" or ev.words is None:
            continue
        try:
            cmd = parse_command(ev.words, family=ev.family, restore=False)
        except RuleError as exc:
            ex.issues.append(
                Issue(
                    IssueKind.UNPARSED,
                    origin,
                    f"iptables refuses this command ({exc}): it fails when run, the "
                    "script goes on, and it changes nothing",
                )
            )
            continue
        if cmd.command in ("L", "S", "Z", "C", "h", "V"):
            continue
        ex.families_used.add(ev.family)
        ex.restrict_family = ev.family if mixed else None
        try:
            table = ex.table(ev.family, cmd.table or "filter", ev.line)
            ex.run(cmd, table, origin)
        except Structural as exc:
            # bash goes on after a failing command, and so does the kernel's state
            ex.issues.append(
                Issue(
                    IssueKind.UNPARSED,
                    origin,
                    f"iptables refuses this command ({exc}): it fails when run, the "
                    "script goes on, and it changes nothing",
                )
            )
        except TooBig as exc:
            raise InputError(path, ev.line, str(exc)) from None
    if not ex.families_used:
        ex.families_used.add(4)
    return ex


# --- the ruleset --------------------------------------------------------------------------------


def _policy_target(policy: str) -> Target:
    return Target(Verb.ACCEPT if policy == "ACCEPT" else Verb.DROP, name=policy)


def _model_chains(table: TableState, sizes: dict[str, list[int]]) -> dict[str, Chain]:
    chains: dict[str, Chain] = {}
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
    return chains


def _merged_chains(ex: Executor, path: str, table_name: str) -> dict[str, Chain]:
    """Both families in one chain set: rules of each family are disjoint by address, and
    each built-in chain ends with one rule per family standing for that family's policy."""
    tables = {
        fam: ex.tables[fam].get(table_name) or TableState.fresh(table_name, fam) for fam in (4, 6)
    }
    per_family = {fam: _model_chains(t, {}) for fam, t in tables.items()}
    chains: dict[str, Chain] = {}
    for fam in (4, 6):
        for name, chain in per_family[fam].items():
            rules = list(chain.rules)
            if chain.default is not None:
                policy = chain.default
                rules = [
                    Rule(r.origin, r.match, policy, r.unknown)
                    if r.target.verb is Verb.RETURN
                    else r
                    for r in rules
                ]
                origin = chain.default_origin or Origin(
                    path,
                    0,
                    f"(IPv{fam} {name} policy {policy.name}: never set, the kernel default)",
                )
                space = addresses.ALL_V4 if fam == 4 else addresses.ALL_V6
                rules.append(Rule(origin, Match(src=space), policy))
            have = chains.get(name)
            if have is None:
                chains[name] = Chain(name, rules, chain.default, chain.default_origin)
            else:
                have.rules.extend(rules)
    return chains


def _table_chains(
    ex: Executor, path: str, families: list[int], name: str, sizes: dict[str, list[int]]
) -> dict[str, Chain]:
    if len(families) == 1:
        fam = families[0]
        table = ex.tables[fam].get(name) or TableState.fresh(name, fam)
        return _model_chains(table, sizes)
    return _merged_chains(ex, path, name)


def finish(ex: Executor, path: str, total: int) -> IptablesRuleset:
    families = sorted(ex.families_used) or [4]
    rs = IptablesRuleset("iptables", path, lines_total=total, families=frozenset(families))
    rs.issues = ex.issues
    rs.notes = ex.notes
    filter_sizes: dict[str, list[int]] = {}
    rs.chains = _table_chains(ex, path, families, "filter", filter_sizes)
    if filter_sizes:
        rs.rule_sizes["filter"] = filter_sizes
    if len(families) == 1:
        table = ex.tables[families[0]].get("filter") or TableState.fresh("filter", families[0])
        for name, chain in table.chains.items():
            if (
                chain.builtin
                and chain.policy_origin is None
                and not any(n.origin and n.origin.text.startswith(":" + name) for n in ex.notes)
            ):
                rs.notes.append(
                    Note(
                        None,
                        f"the policy of {name} is never set: exaudit "
                        "assumes ACCEPT, the kernel's default",
                    )
                )
    else:
        rs.notes.append(
            Note(
                None,
                "this script configures IPv4 and IPv6: exaudit keeps "
                "their rules apart by address family",
            )
        )
    names = sorted({n for fam in families for n in ex.tables[fam] if n != "filter"})
    for name in names:
        sizes: dict[str, list[int]] = {}
        rs.tables[name] = _table_chains(ex, path, families, name, sizes)
        if sizes:
            rs.rule_sizes[name] = sizes
        present = [ex.tables[fam][name] for fam in families if name in ex.tables[fam]]
        rs.counts[name] = TableCount(
            chains=max(len(t.chains) for t in present),
            rules=sum(len(c.entries) for t in present for c in t.chains.values()),
        )
        for table in present:
            _note_other_table(rs, table)
    # (kept for readers of the old attachment until the package split)
    rs.extra["families"] = set(families)
    rs.extra["other_tables"] = {
        n: {"chains": c.chains, "rules": c.rules} for n, c in rs.counts.items()
    }
    if filter_sizes:
        rs.extra["kernel_rule_sizes"] = filter_sizes
    return rs


def _note_other_table(rs: IptablesRuleset, table: TableState) -> None:
    """Notes on what another table does to packets before (or after) the filter table:
    one per kind, at its first line, with the count (a dump can have hundreds)."""
    for chain in table.chains.values():
        if chain.builtin and chain.policy == "DROP":
            rs.notes.append(
                Note(
                    chain.policy_origin,
                    f"the {table.name} table's {chain.name} chain drops by policy; "
                    "exaudit evaluates it with the filter table, in the kernel's order",
                )
            )
    found: dict[str, list[Origin]] = {}
    for chain in table.chains.values():
        for entry in chain.entries:
            rule = entry[0]
            name = rule.target.name
            if (
                table.name in ("raw", "mangle", "security")
                and rule.target.verb in (Verb.DROP, Verb.REJECT)
                or table.name == "nat"
                and name in REWRITES_DESTINATION
                or table.name == "raw"
                and name in UNTRACKS
            ):
                found.setdefault(name, []).append(rule.origin)
    for name, origins in found.items():
        lines = sorted(o.line for o in origins)
        more = (
            f" ({len(lines)} rules, lines {', '.join(map(str, lines[:5]))}"
            + (", ..." if len(lines) > 5 else "")
            + ")"
            if len(lines) > 1
            else ""
        )
        if table.name == "nat":
            message = (
                f"{name} in the nat table{more} rewrites destinations before the filter "
                "table sees the packets; exaudit does not follow the rewrite, so every "
                "verdict on the packets it matches is undetermined, naming the line"
            )
        elif name in UNTRACKS:
            message = (
                f"{name} in the raw table{more} changes the connection state the later "
                "tables see; verdicts on the packets it matches that depend on the state "
                "are undetermined, naming the line"
            )
        else:
            message = (
                f"{name} in the {table.name} table{more}: these packets never reach "
                "the filter table; exaudit evaluates the tables in the kernel's order"
            )
        rs.notes.append(Note(min(origins, key=lambda o: o.line), message))
