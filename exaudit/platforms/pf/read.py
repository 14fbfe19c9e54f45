"""Reading a pf.conf into the model: ``in``/``out`` first-match chains and the device data."""

from __future__ import annotations

import os
from collections.abc import Iterator

from exaudit.core.errors import InputError
from exaudit.core.model import Issue, IssueKind, Note, Origin
from exaudit.core.textfile import refuse_binary
from exaudit.platforms.pf.addr import unknown
from exaudit.platforms.pf.chains import Builder
from exaudit.platforms.pf.context import Context, TableRef
from exaudit.platforms.pf.grammar import Parser
from exaudit.platforms.pf.ir import AnchorRule, Conditions, FilterRule, Opaque
from exaudit.platforms.pf.lexer import Source
from exaudit.platforms.pf.model import PfRuleset, TableContents

NAME = "pf"
MAX_LOADED_ANCHORS = 256


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().removeprefix("\ufeff")  # a byte-order mark is not text
    except OSError:
        return None


def _check_text(text: str, path: str) -> None:
    refuse_binary(text, path, "a pf.conf")
    if not text.strip():
        raise InputError(path, None, "the file is empty")


def parse(text: str, path: str) -> PfRuleset:
    """Parse a pf.conf (with its includes, tables and loaded anchors when present)."""
    _check_text(text, path)
    ctx = Context(path, os.path.dirname(path), read_file=_read)
    items = Parser(ctx, Source(text, path), "").block()
    _load_anchors(ctx)
    _resolve_tables(ctx, items)
    ruleset = PfRuleset(NAME, path, lines_total=text.count("\n") + (not text.endswith("\n")))
    problems: dict[tuple[Origin, IssueKind], dict[str, None]] = {}
    for direction in ("in", "out"):
        builder = Builder(ctx, direction)
        ruleset.chains[direction] = builder.chain(items)
        for key, message in builder.problems.items():
            problems.setdefault(key, {}).update(dict.fromkeys(message.split("; ")))
    ruleset.issues = ctx.issues + [
        Issue(code, origin, "; ".join(reasons)) for (origin, code), reasons in problems.items()
    ]
    ruleset.issues.sort(key=lambda i: (i.origin.file != path, i.origin.file, i.origin.line))
    ruleset.notes = ctx.notes + _notes(ctx, items)
    ruleset.sources = dict(ctx.files_read)
    ruleset.statements = ctx.statements
    ruleset.not_understood = ctx.not_understood
    ruleset.block_policy = ctx.block_policy
    ruleset.skips = tuple(s.origin for s in ctx.skips)
    ruleset.quick_blocks = frozenset(_quick_origins(items, ctx))
    ruleset.anchors = tuple(sorted(ctx.anchors))
    ruleset.tables = {
        (f"{anchor}/" if anchor else "") + name: TableContents(t.entries, tuple(t.unknown_reasons))
        for (anchor, name), t in ctx.tables.items()
    }
    return ruleset


def _load_anchors(ctx: Context) -> None:
    """``load anchor NAME from FILE``: the file's rules become anchor NAME's ruleset."""
    done = 0
    while ctx.pending_loads and done < MAX_LOADED_ANCHORS:
        path, filename, origin, near = ctx.pending_loads.pop(0)
        done += 1
        found = ctx.find_file(filename, near)
        text = ctx.read(found) if found else None
        if found is None or text is None:
            ctx.issue(
                IssueKind.UNSUPPORTED,
                origin,
                f'anchor file "{filename}" {ctx.unavailable(filename)}; '
                f'the rules of anchor "{path}" are unknown',
            )
            continue
        try:
            _check_text(text, found)
        except InputError as e:
            ctx.issue(IssueKind.UNPARSED, origin, f'anchor file "{filename}": {e.message}')
            continue
        parser = Parser(ctx, Source(text, found), path)
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
            resolved = unknown(
                f"table <{item.name}> is not defined in the config; "
                "its contents come from the running system"
            )
        else:
            resolved = table.item()
        out.append(resolved.negated() if item.negated else resolved)
    return out


def _walk(items: list[object]) -> Iterator[object]:
    for item in items:
        yield item
        if isinstance(item, AnchorRule) and item.body is not None:
            yield from _walk(item.body)


def _resolve_tables(ctx: Context, items: list[object]) -> None:
    every = list(_walk(items))
    for body in ctx.anchors.values():
        every += list(_walk(body))
    conds: list[Conditions] = [
        i.cond for i in every if isinstance(i, (FilterRule, AnchorRule, Opaque))
    ]
    conds += [h.cond for h in ctx.head]
    for cond in conds:
        cond.src = _resolve(cond.src, ctx)
        cond.dst = _resolve(cond.dst, ctx)


def _notes(ctx: Context, items: list[object]) -> list[Note]:
    notes = []
    for (_, name), table in sorted(ctx.tables.items(), key=lambda kv: kv[0]):
        if not table.entries and not table.unknown_reasons:
            notes.append(
                Note(
                    table.defined_at,
                    f"table <{name}> has no entries in the config "
                    "(it is filled at run time, e.g. by overload or pfctl -T); "
                    "it is taken as empty",
                )
            )
    if ctx.translations:
        lines = ", ".join(str(o.line) for o in ctx.translations[:10])
        more = "..." if len(ctx.translations) > 10 else ""
        notes.append(
            Note(
                ctx.translations[0],
                "address translation (nat/rdr/binat, nat-to, "
                f"rdr-to, af-to) is not evaluated: lines {lines}{more}; filter "
                "rules are matched on the addresses exaudit is asked about",
            )
        )
    referenced: set[str] = set()
    wildcards: set[str] = set()
    for item in list(_walk(items)) + list(_walk_all(ctx)):
        if isinstance(item, AnchorRule) and item.path is not None:
            (wildcards if item.wildcard else referenced).add(item.path)
    for path, origin in ctx.anchor_origin.items():
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if path not in referenced and parent not in wildcards:
            notes.append(Note(origin, f'anchor "{path}" is loaded but no anchor rule evaluates it'))
    return notes


def _walk_all(ctx: Context) -> Iterator[object]:
    for body in ctx.anchors.values():
        yield from _walk(body)


def _quick_origins(items: list[object], ctx: Context) -> set[tuple[str, int]]:
    found = set()
    for item in list(_walk(items)) + list(_walk_all(ctx)):
        if isinstance(item, FilterRule) and item.quick and item.action == "block":
            found.add((item.origin.file, item.origin.line))
    return found
