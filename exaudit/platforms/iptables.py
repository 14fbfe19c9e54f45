"""The iptables platform: iptables-save/ip6tables-save dumps and iptables shell scripts."""

from __future__ import annotations

import gc
import re
import shlex

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    Chain,
    Issue,
    Origin,
    Rule,
    Ruleset,
    Verb,
)
from exaudit.platforms.api import CommentSyntax, FixRequest, Platform
from exaudit.platforms.comments import HASH, QUOTED, WORD, patterns
from exaudit.platforms.iptables_read import (
    COMMAND,
    HEAD_BYTES,
    LISTING,
    SAVE_CHAIN,
    SAVE_RULE,
    SAVE_TABLE,
    VAR_COMMAND,
    finish,
    read_save,
    read_script,
)
from exaudit.platforms.iptables_rule import (
    RuleError,
    parse_command,
)
from exaudit.platforms.iptables_ruleset import IptablesRuleset
from exaudit.platforms.iptables_stages import stages
from exaudit.platforms.iptables_tables import ChainState, Executor, Structural, TooBig

NAME = "iptables"

# --- the platform functions ----------------------------------------------------------------------


_BINARY = re.compile("[\x01-\x08\x0e-\x1f\x7f\ufffd]")


def _check_usable(text: str, path: str) -> list[str]:
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            path, text.count("\n", 0, nul) + 1, "binary data (NUL byte), not an iptables ruleset"
        )
    head = text[:HEAD_BYTES]  # binary junk shows at the start: no need to scan it all
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
        raise InputError(
            path,
            None,
            f"internal error while reading this file "
            f"({type(exc).__name__}: {exc}); please report it",
        ) from None
    finally:
        if collecting:
            gc.enable()


def _parse(text: str, path: str) -> Ruleset:
    lines = _check_usable(text, path)
    head = text[:HEAD_BYTES]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        raise InputError(path, None, "empty: no iptables rules or commands")
    if head.lstrip().startswith("<") and "<iptables-rules" in head:
        raise InputError(
            path,
            1,
            "this is iptables-xml output; give exaudit the iptables-save file it was made from",
        )
    m = LISTING.search(head)
    if m and not SAVE_TABLE.search(head):
        raise InputError(
            path,
            head.count("\n", 0, m.start()) + 1,
            "this is an `iptables -L` listing, which leaves out parts of the "
            "rules; give exaudit the output of iptables-save",
        )
    is_script = COMMAND.search(head) or VAR_COMMAND.search(head) or text.startswith("#!")
    if is_script:  # (a script may carry iptables-save text in a here-document)
        ex = read_script(text, path)
        total = sum(1 for line in lines if line.strip() and not line.lstrip().startswith("#"))
    elif SAVE_TABLE.search(head):
        ex, total = read_save(text, path, lines, listing_s=False)
    elif SAVE_RULE.search(head):
        ex, total = read_save(text, path, lines, listing_s=True)
    else:
        first = next(
            i
            for i, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")
        )
        raise InputError(
            path, first, "neither iptables-save output nor a script of iptables commands"
        )
    return finish(ex, path, total)


def parse_rule_line(
    rule: str, *, chain: str = "INPUT", table: str = "filter", family: int = 4, path: str = "<rule>"
) -> tuple[list[Rule], list[Issue]]:
    """One rule specification as ``iptables -t TABLE -A CHAIN RULE`` would take it.

    Returns the model rules and the issues; raises ``InputError`` when iptables would
    refuse the command outright.
    """
    try:
        tokens = shlex.split(rule)
    except ValueError as exc:
        raise InputError(path, 1, str(exc)) from None
    try:
        cmd = parse_command(["-t", table, "-A", chain] + tokens, family=family, restore=False)
    except RuleError as exc:
        raise InputError(path, 1, str(exc)) from None
    ex = Executor(path, deferred_jumps=False)
    try:
        tbl = ex.table(family, table, 1)
        if chain not in tbl.chains:
            tbl.chains[chain] = ChainState(chain, False, declared=1)
        ex.run(cmd, tbl, Origin(path, 1, rule.strip()))
    except (Structural, TooBig) as exc:
        raise InputError(path, 1, str(exc)) from None
    rules = [r for e in tbl.chains[chain].entries for r in e]
    return rules, ex.issues


def looks_like(text: str) -> float:
    sample = text[:65536]
    if SAVE_TABLE.search(sample) and ("COMMIT" in sample or SAVE_CHAIN.search(sample)):
        return 1.0
    if SAVE_CHAIN.search(sample) or SAVE_RULE.search(sample):
        return 0.8
    commands = len(COMMAND.findall(sample))
    if commands:
        return min(1.0, 0.6 + 0.1 * commands)
    if LISTING.search(sample) or "<iptables-rules" in sample:
        return 0.6
    if VAR_COMMAND.search(sample) and re.search(r"ip6?tables", sample):
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


def _position(ruleset: Ruleset, origin: Origin) -> tuple[str, str, int] | None:
    """The table and chain holding the rule of ``origin`` and its 1-based kernel position."""
    if not isinstance(ruleset, IptablesRuleset):
        return _positions(ruleset.chains, {}, "filter").get(origin)
    if ruleset.positions is None:
        found: dict[Origin, tuple[str, str, int]] = {}
        for table, chains in [("filter", ruleset.chains), *ruleset.tables.items()]:
            for key, value in _positions(chains, ruleset.rule_sizes.get(table, {}), table).items():
                found.setdefault(key, value)
        ruleset.positions = found
    return ruleset.positions.get(origin)


def _positions(
    chains: dict[str, Chain], sizes: dict[str, list[int]], table: str
) -> dict[Origin, tuple[str, str, int]]:
    """Every rule's chain and kernel position, computed once per ruleset (fixes are many)."""
    out: dict[Origin, tuple[str, str, int]] = {}
    for name, chain in chains.items():
        chain_sizes = sizes.get(name)
        if chain_sizes is None:
            for i, rule in enumerate(chain.rules):
                out.setdefault(rule.origin, (table, name, i + 1))
            continue
        i = 0
        for pos, size in enumerate(chain_sizes, 1):
            out.setdefault(chain.rules[i].origin, (table, name, pos))
            i += size
    return out


def _has_goto(ruleset: Ruleset) -> bool:
    found = ruleset.extra.get("_has_goto")
    if not isinstance(found, bool):
        found = any(r.target.verb is Verb.GOTO for c in ruleset.chains.values() for r in c.rules)
        ruleset.extra["_has_goto"] = found
    return found


def _fell_off(ruleset: Ruleset, request: FixRequest, chain: str) -> str:
    """The chain at whose end a policy-denied request's packets leave the rules."""
    if not _has_goto(ruleset):
        return chain
    from exaudit.engine.evaluate import Evaluator, Question

    try:
        src = IntervalSet()
        for text in request.sources:
            src = src | addresses.parse(text)
        question = Question(
            proto=IntervalSet.point(6 if request.proto == "tcp" else 17),
            src=src,
            dst=addresses.parse(request.destination),
            dport=request.ports,
            in_iface=request.in_iface,
            out_iface=request.out_iface,
        )
        stages_ = stages(
            ruleset, in_iface=request.in_iface, out_iface=request.out_iface, chain=chain
        )
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
    table, _, hook = request.stage.rpartition(" ")  # "raw PREROUTING": another table's stage
    if found is not None:
        table, chain = found[0], found[1]
        where = f"-I {chain} {found[2]}"
    elif table:
        chain = hook
        where = f"-A {chain}"
    elif chain in ruleset.chains:
        # denied by the policy: usually at the end of the chain, unless the packets fell
        # off a chain that a goto led them to (they never come back to the end then)
        chain = _fell_off(ruleset, request, chain)
        where = f"-A {chain}"
    if table and table != "filter":
        # ACCEPT ends that table's chain: the packets go on to the next table
        where = f"-t {table} {where}"
    words = [where]
    if request.in_iface and chain not in ("OUTPUT", "POSTROUTING"):
        words += ["-i", request.in_iface]
    if request.out_iface and chain not in ("INPUT", "PREROUTING"):
        words += ["-o", request.out_iface]
    if request.sources:
        words += ["-s", ",".join(request.sources)]
    words += ["-d", request.destination, "-p", request.proto]
    lines = [
        " ".join(words + _port_args(chunk) + ["-j", "ACCEPT"])
        for chunk in _multiport_chunks(request.ports)
    ]
    return "\n".join(lines)


PLATFORM = Platform(
    name=NAME,
    title="iptables (iptables-save, ip6tables-save, shell scripts)",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    # iptables-save keeps no comments, but a rule's own comment match survives a save
    comments=CommentSyntax(
        before=HASH.before,
        same=patterns(r"--comment\s+[\"']" + QUOTED, r"--comment\s+" + WORD) + HASH.same,
        skip=HASH.skip,
    ),
)
