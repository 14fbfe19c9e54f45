"""OpenBSD/FreeBSD pf: parse pf.conf into ``in``/``out`` first-match chains, build stages.

The grammar lives in ``pf_grammar`` (tokens from ``pf_lexer``, operands from
``pf_addr``), pfctl's expansion in ``pf_expand`` and the last-match semantics in
``pf_chains``; this module ties them together and provides the platform contract.
"""

from __future__ import annotations

import os
import re

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Issue, Note, Origin, Ruleset, Stage
from exaudit.platforms.api import FixRequest, Platform
from exaudit.platforms.comments import HASH
from exaudit.platforms.pf_addr import unknown
from exaudit.platforms.pf_chains import Builder
from exaudit.platforms.pf_grammar import Context, Parser, TableRef
from exaudit.platforms.pf_ir import AnchorRule, Conditions, FilterRule, Opaque
from exaudit.platforms.pf_lexer import Source

NAME = "pf"
MAX_LOADED_ANCHORS = 256


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().removeprefix("\ufeff")  # a byte-order mark is not text
    except OSError:
        return None


def _check_text(text: str, path: str) -> None:
    if not text.strip():
        raise InputError(path, None, "the file is empty")
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(path, text.count("\n", 0, nul) + 1, "binary data, not a pf.conf")
    sample = text[:4096]
    odd = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if odd > len(sample) // 20:
        raise InputError(path, None, "binary data, not a pf.conf")


def parse(text: str, path: str) -> Ruleset:
    """Parse a pf.conf (with its includes, tables and loaded anchors when present)."""
    _check_text(text, path)
    ctx = Context(path, os.path.dirname(path), read_file=_read)
    items = Parser(ctx, Source(text, path), "").block()
    _load_anchors(ctx)
    _resolve_tables(ctx, items)
    ruleset = Ruleset(NAME, path, lines_total=text.count("\n") + (not text.endswith("\n")))
    problems: dict[tuple[Origin, str], dict[str, None]] = {}
    for direction in ("in", "out"):
        builder = Builder(ctx, direction)
        ruleset.chains[direction] = builder.chain(items)
        for key, message in builder.problems.items():
            problems.setdefault(key, {}).update(dict.fromkeys(message.split("; ")))
    ruleset.issues = ctx.issues + [Issue(code, origin, "; ".join(reasons))
                                   for (origin, code), reasons in problems.items()]
    ruleset.issues.sort(key=lambda i: (i.origin.file != path, i.origin.file, i.origin.line))
    ruleset.notes = ctx.notes + _notes(ctx, items)
    ruleset.extra.update({
        "statements": ctx.statements,
        "not_understood": ctx.not_understood,
        "block_policy": ctx.block_policy,
        "skip": [s.origin for s in ctx.skips],
        "quick": _quick_origins(items, ctx),
        "anchors": sorted(ctx.anchors),
        "tables": {(f"{anchor}/" if anchor else "") + name:
                   {"entries": t.entries, "unknown": list(t.unknown_reasons)}
                   for (anchor, name), t in ctx.tables.items()},
    })
    return ruleset


def _load_anchors(ctx: Context) -> None:
    """``load anchor NAME from FILE``: the file's rules become anchor NAME's ruleset."""
    done = 0
    while ctx.pending_loads and done < MAX_LOADED_ANCHORS:
        path, filename, origin, near = ctx.pending_loads.pop(0)
        done += 1
        found = ctx.find_file(filename, near)
        text = _read(found) if found else None
        if text is None:
            ctx.issue("EXA002", origin, f"anchor file \"{filename}\" is not available; "
                      f"the rules of anchor \"{path}\" are unknown")
            continue
        try:
            _check_text(text, found)  # type: ignore[arg-type]
        except InputError as e:
            ctx.issue("EXA001", origin, f"anchor file \"{filename}\": {e.message}")
            continue
        parser = Parser(ctx, Source(text, found), path)  # type: ignore[arg-type]
        ctx.anchors[path] = parser.block()
        ctx.anchor_origin.setdefault(path, origin)


def _resolve(items: list | None, ctx: Context) -> list | None:
    if items is None:
        return None
    out: list = []
    for item in items:
        if not isinstance(item, TableRef):
            out.append(item)
            continue
        table = ctx.tables.get((item.anchor, item.name)) or ctx.tables.get(("", item.name))
        if table is None:
            resolved = unknown(f"table <{item.name}> is not defined in the config; "
                               "its contents come from the running system")
        else:
            resolved = table.item()
        out.append(resolved.negated() if item.negated else resolved)
    return out


def _walk(items: list[object]):  # noqa: ANN202 - generator of statements
    for item in items:
        yield item
        if isinstance(item, AnchorRule) and item.body is not None:
            yield from _walk(item.body)


def _resolve_tables(ctx: Context, items: list[object]) -> None:
    every = list(_walk(items))
    for body in ctx.anchors.values():
        every += list(_walk(body))
    conds: list[Conditions] = [i.cond for i in every
                               if isinstance(i, (FilterRule, AnchorRule, Opaque))]
    conds += [h.cond for h in ctx.head]
    for cond in conds:
        cond.src = _resolve(cond.src, ctx)  # type: ignore[arg-type]
        cond.dst = _resolve(cond.dst, ctx)  # type: ignore[arg-type]


def _notes(ctx: Context, items: list[object]) -> list[Note]:
    notes = []
    for (_, name), table in sorted(ctx.tables.items(), key=lambda kv: kv[0]):
        if not table.entries and not table.unknown_reasons:
            notes.append(Note(table.defined_at, f"table <{name}> has no entries in the config "
                              "(it is filled at run time, e.g. by overload or pfctl -T); "
                              "it is taken as empty"))  # type: ignore[arg-type]
    if ctx.translations:
        lines = ", ".join(str(o.line) for o in ctx.translations[:10])
        more = "..." if len(ctx.translations) > 10 else ""
        notes.append(Note(ctx.translations[0], "address translation (nat/rdr/binat, nat-to, "
                          f"rdr-to, af-to) is not evaluated: lines {lines}{more}; filter "
                          "rules are matched on the addresses exaudit is asked about"))
    referenced: set[str] = set()
    wildcards: set[str] = set()
    for item in list(_walk(items)) + list(_walk_all(ctx)):
        if isinstance(item, AnchorRule) and item.path is not None:
            (wildcards if item.wildcard else referenced).add(item.path)
    for path, origin in ctx.anchor_origin.items():
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if path not in referenced and parent not in wildcards:
            notes.append(Note(origin, f"anchor \"{path}\" is loaded but no anchor rule "
                              "evaluates it"))
    return notes


def _walk_all(ctx: Context):  # noqa: ANN202
    for body in ctx.anchors.values():
        yield from _walk(body)


def _quick_origins(items: list[object], ctx: Context) -> set[tuple[str, int]]:
    found = set()
    for item in list(_walk(items)) + list(_walk_all(ctx)):
        if isinstance(item, FilterRule) and item.quick and item.action == "block":
            found.add((item.origin.file, item.origin.line))
    return found


# --- stages -----------------------------------------------------------------------------


def stages(ruleset: Ruleset, *, in_iface: str | None, out_iface: str | None,
           chain: str | None = None, local: str | None = None) -> list[Stage]:
    """The ``in`` rules on the ingress interface, then the ``out`` rules on the egress one.

    ``local="input"``: the ``in`` rules only (traffic to the firewall itself, any
    interface when ``in_iface`` is None); ``local="output"``: the ``out`` rules only.
    ``chain`` ("in"/"out") picks one of the two explicitly.
    """
    chains = ruleset.chains
    wanted: list[tuple[str, str | None]] = []
    if chain in ("in", "out"):
        wanted = [(chain, in_iface if chain == "in" else out_iface)]
    elif local == "input":
        wanted = [("in", in_iface)]
    elif local == "output":
        wanted = [("out", out_iface)]
    else:
        if in_iface:
            wanted.append(("in", in_iface))
        if out_iface:
            wanted.append(("out", out_iface))
    return [Stage(f"{d} on {iface}" if iface else d, chains, d) for d, iface in wanted]


# --- platform guessing and fixes --------------------------------------------------------

_PF_LINE = re.compile(
    r"^\s*(?:(?:pass|block)(?:\s+(?:in|out|drop|return|log|quick|on|inet6?|proto|from|to|"
    r"all)\b|\s*$)|match\s+(?:in|out|on|log|from|to|all)\b|antispoof\b|anchor\b|"
    r"table\s*<|set\s+(?:skip|block-policy|loginterface|optimization|limit|timeout)\b|"
    r"(?:nat|rdr|binat)(?:\s+pass)?\s+on\b|scrub\b|altq\s+on\b|load\s+anchor\b|"
    r"[A-Za-z_][A-Za-z0-9_]*\s*=\s*\S)")
_NOT_PF = re.compile(r"^\s*(?:-A\s|\*filter|:[A-Z]+\s|COMMIT|access-list\s|interface\s|"
                     r"iptables\s|ip\s+access-list)")


def looks_like(text: str) -> float:
    """How much of the text reads as pf.conf statements (0..1)."""
    lines = [ln for ln in text.splitlines()[:2000]
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return 0.0
    pf = sum(1 for ln in lines if _PF_LINE.match(ln))
    other = sum(1 for ln in lines if _NOT_PF.match(ln))
    rules = sum(1 for ln in lines if re.match(r"^\s*(pass|block)\b", ln))
    score = (pf - 2 * other) / len(lines)
    if rules == 0:
        score *= 0.5
    return max(0.0, min(1.0, score))


def _ports(ports: IntervalSet) -> str:
    items = [str(a) if a == b else f"{a}:{b}" for a, b in ports.spans]
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def _family(texts: list[str]) -> str:
    sets = [addresses.parse(t) for t in texts]
    fams = set().union(*(addresses.family_of(s) for s in sets)) if sets else set()
    return {frozenset({4}): " inet", frozenset({6}): " inet6"}.get(frozenset(fams), "")


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """A ``pass ... quick`` rule for the request; where to put it when a quick block wins."""
    direction = "out" if request.stage.startswith("out") or request.local == "output" else "in"
    iface = request.out_iface if direction == "out" else request.in_iface
    sources = list(request.sources) or ["any"]
    try:
        family = _family([s for s in sources if s != "any"] + [request.destination])
    except addresses.AddressError:
        family = ""
    src = sources[0] if len(sources) == 1 else "{ " + ", ".join(sources) + " }"
    on = f" on {iface}" if iface else ""
    rule = (f"pass {direction} quick{on}{family} proto {request.proto} from {src} "
            f"to {request.destination} port {_ports(request.ports)}")
    before = request.before
    quick = ruleset.extra.get("quick", set())
    if before is not None and (before.file, before.line) in quick:  # type: ignore[operator]
        where = f"line {before.line}" if before.file == ruleset.file \
            else f"{before.file} line {before.line}"
        return f"{rule}  # insert before {where} (a quick block there decides first)"
    return rule


PLATFORM = Platform(name=NAME, title="OpenBSD/FreeBSD pf", parse=parse, looks_like=looks_like,
                    stages=stages, fix=fix, comments=HASH)
