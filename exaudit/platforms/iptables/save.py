"""iptables-save / iptables-restore input, read line by line as iptables-restore does."""

from __future__ import annotations

import re

from exaudit.core.errors import InputError
from exaudit.core.model import (
    Issue,
    IssueKind,
    Match,
    Note,
    Origin,
    Rule,
    Target,
    Verb,
)
from exaudit.platforms.iptables.build import make_origin
from exaudit.platforms.iptables.command import parse_command
from exaudit.platforms.iptables.executor import Executor
from exaudit.platforms.iptables.forms import family_of
from exaudit.platforms.iptables.names import BUILTIN_CHAINS, POLICIES, STANDARD_TARGETS, TARGETS
from exaudit.platforms.iptables.state import (
    ChainState,
    LineError,
    LoopError,
    Structural,
    TableState,
    TooBig,
)
from exaudit.platforms.iptables.words import Quoted, RuleError, restore_tokens


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
    family = family_of(text)
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
                    IssueKind.REFUSED,
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
