"""Reading nftables text (``nft list ruleset`` output or an ``nft -f`` script) into tables.

Commands run in order as ``nft -f`` would run them: ``flush``, ``table`` blocks, the
``add``/``insert``/``create`` forms, ``define`` and ``$NAME``, ``include``. The result is
a set of ``TableDef`` with each rule's tokens; ``rules`` gives the tokens their meaning.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

from exaudit.core.errors import InputError
from exaudit.core.model import Note, Origin
from exaudit.platforms.nftables.lexer import NEWLINE, PUNCT, STRING, WORD, Token, tokenize
from exaudit.platforms.nftables.model import FAMILIES, ChainDef, RuleText, SetDef, TableDef

MAX_INCLUDE_DEPTH = 16
MAX_INCLUDED_FILES = 256
MAX_EXPANSIONS = 10_000  # ``$NAME`` replacements per statement: a loop ends here
# tokens one statement may expand to: definitions of definitions grow geometrically
MAX_EXPANDED = 200_000
# table-level objects that rules may name but that never decide a verdict
_OBJECTS = {
    "counter",
    "quota",
    "limit",
    "flowtable",
    "secmark",
    "synproxy",
    "ct",
}


_SET_OPTIONS = {"timeout", "size", "policy", "auto-merge", "comment", "gc-interval", "counter"}


@dataclass
class Context:
    """What one ruleset shares while read: definitions, tables, files, notes."""

    main: str
    defines: dict[str, list[Token]] = field(default_factory=dict)
    tables: dict[tuple[str, str], TableDef] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)
    files_read: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    depth: int = 0
    included: int = 0
    statements: int = 0
    created: int = 0  # chains made so far

    def origin(self, tok: Token) -> Origin:
        lines = self.lines.get(tok.file, [])
        text = lines[tok.line - 1].strip() if 0 < tok.line <= len(lines) else ""
        return Origin(tok.file, tok.line, text)


def _error(tok: Token, message: str) -> InputError:
    return InputError(tok.file, tok.line, message)


class Reader:
    """One file's tokens, read statement by statement."""

    def __init__(self, ctx: Context, text: str, path: str) -> None:
        self.ctx = ctx
        self.path = path
        ctx.lines[path] = text.splitlines()
        self.toks = tokenize(text, path)
        self.i = 0
        # definitions are used only where a ``$`` is written (or an included file uses one)
        self.has_vars = "$" in text

    # --- the token stream ------------------------------------------------------------

    def peek(self) -> Token:
        return self.toks[min(self.i, len(self.toks) - 1)]  # the last token is a line end

    def at_end(self) -> bool:
        return self.i >= len(self.toks) - 1 and self.toks[-1].kind == NEWLINE

    def skip_separators(self) -> None:
        while (
            self.i < len(self.toks)
            and self.toks[self.i].kind == NEWLINE
            or (self.i < len(self.toks) and self.toks[self.i].is_(";"))
        ):
            self.i += 1

    def statement(self, *, stop_at_brace: bool = False) -> list[Token]:
        """Tokens up to a line end or ``;`` outside braces (or an unmatched ``}``)."""
        out: list[Token] = []
        depth = 0
        while self.i < len(self.toks):
            tok = self.toks[self.i]
            if tok.kind == PUNCT:
                if tok.text == "{":
                    if stop_at_brace and depth == 0:
                        break
                    depth += 1
                elif tok.text == "}":
                    if depth == 0:
                        break
                    depth -= 1
                elif tok.text == ";" and depth == 0:
                    break
            elif tok.kind == NEWLINE:
                if depth == 0:
                    break
                self.i += 1
                continue
            out.append(tok)
            self.i += 1
        return self.expand(out)

    def expect(self, text: str, after: Token) -> None:
        tok = self.peek()
        if not tok.is_(text):
            raise _error(tok if tok.kind != NEWLINE else after, f"expected {text!r}")
        self.i += 1

    def expand(self, toks: list[Token]) -> list[Token]:
        """``$NAME`` replaced by its definition (recursively); an undefined one is an error."""
        if not self.has_vars or not any(t.text[:1] == "$" for t in toks):
            return toks
        out: list[Token] = []
        work = list(reversed(toks))
        count = 0
        while work:
            tok = work.pop()
            if tok.kind == WORD and tok.text.startswith("$"):
                count += 1
                if count > MAX_EXPANSIONS:
                    raise _error(tok, f"{tok.text} expands without end (defined by itself?)")
                value = self.ctx.defines.get(tok.text[1:])
                if value is None:
                    raise _error(tok, f"{tok.text} is not defined")
                if len(out) + len(work) + len(value) > MAX_EXPANDED:
                    raise _error(tok, f"{tok.text} expands to more than {MAX_EXPANDED} tokens")
                # the value keeps its own tokens but takes the line of the use
                work.extend(reversed([Token(v.kind, v.text, tok.line, tok.file) for v in value]))
            else:
                out.append(tok)
        return out

    # --- top level -------------------------------------------------------------------

    def run(self) -> None:
        while True:
            self.skip_separators()
            if self.i >= len(self.toks):
                return
            tok = self.peek()
            if tok.is_("}"):
                raise _error(tok, "'}' closes nothing")
            self.command()

    def command(self) -> None:
        first = self.peek()
        self.ctx.statements += 1
        word = first.text if first.kind == WORD else ""
        if word in ("define", "redefine"):
            self.define()
        elif word == "undefine":
            toks = self.statement()
            if len(toks) != 2:
                raise _error(first, "undefine takes one name")
            self.ctx.defines.pop(toks[1].text, None)
        elif word == "include":
            self.include()
        elif word == "table":
            self.i += 1
            self.table_command(first, body_required=True)
        elif word in ("add", "create", "insert", "replace", "delete", "destroy", "flush"):
            self.verb_command(first, word)
        elif word in ("list", "monitor", "describe", "reset", "export", "import", "rename"):
            raise _error(first, f"'{word}' does not build a ruleset; give exaudit the ruleset")
        else:
            raise _error(first, f"unknown command {first.text!r}")

    def define(self) -> None:
        first = self.peek()
        self.i += 1
        name = self.peek()
        if name.kind != WORD:
            raise _error(first, "define needs a name")
        self.i += 1
        self.expect("=", name)
        value = self.statement()
        if not value:
            raise _error(first, f"define {name.text} has no value")
        self.ctx.defines[name.text] = value

    def include(self) -> None:
        first = self.peek()
        toks = self.statement()
        if len(toks) != 2 or toks[1].kind != STRING:
            raise _error(first, 'include takes one quoted file name: include "file"')
        for path in self.resolve_include(toks[1].text, first):
            self.read_included(path, first)

    def resolve_include(self, name: str, first: Token) -> list[str]:
        """The files ``include`` names, kept inside the directory of the main file."""
        root = os.path.realpath(os.path.dirname(self.ctx.main) or ".")
        here = os.path.dirname(self.path) or "."
        if os.path.isabs(name):
            rel = name.lstrip("/")
            tries = [rel, rel[4:] if rel.startswith("etc/") else rel, os.path.basename(name)]
            candidates = [os.path.join(root, t) for t in dict.fromkeys(tries)]
        else:
            candidates = [os.path.join(here, name)]
        wild = any(ch in name for ch in "*?[")
        for candidate in candidates:
            found = sorted(glob.glob(candidate)) if wild else [candidate]
            found = [f for f in found if os.path.isfile(f)]
            inside = [f for f in found if _inside(os.path.realpath(f), root)]
            if found and not inside:
                raise _error(first, f'include "{name}" leads outside {root}; not read')
            if inside or (wild and candidate is candidates[-1]):
                return inside
        raise _error(first, f'include "{name}": no such file (looked for {candidates[0]})')

    def read_included(self, path: str, first: Token) -> None:
        ctx = self.ctx
        if ctx.depth >= MAX_INCLUDE_DEPTH or ctx.included >= MAX_INCLUDED_FILES:
            raise _error(first, "includes nested too deeply (or too many included files)")
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError as exc:
            raise _error(first, f"cannot read {path}: {exc.strerror or exc}") from None
        ctx.files_read[path] = text
        ctx.included += 1
        ctx.depth += 1
        try:
            Reader(ctx, text, path).run()
        finally:
            ctx.depth -= 1

    # --- tables, chains, sets --------------------------------------------------------

    def family_and_name(
        self, toks: list[Token], first: Token, what: str
    ) -> tuple[str, list[Token]]:
        if toks and toks[0].kind == WORD and toks[0].text in FAMILIES and len(toks) > 1:
            return toks[0].text, toks[1:]
        if not toks:
            raise _error(first, f"{what}: no table named")
        return "ip", toks

    def get_table(self, family: str, name: str, tok: Token) -> TableDef:
        table = self.ctx.tables.get((family, name))
        if table is None:
            raise _error(tok, f"no table {family} {name} (nft: No such file or directory)")
        return table

    def table_command(self, first: Token, *, body_required: bool) -> None:
        head = self.statement(stop_at_brace=True)
        family, rest = self.family_and_name(head, first, "table")
        if len(rest) != 1 or rest[0].kind not in (WORD, STRING):
            raise _error(first, "table: expected [family] name")
        key = (family, rest[0].text)
        table = self.ctx.tables.get(key)
        if table is None:
            table = self.ctx.tables[key] = TableDef(family, rest[0].text, self.ctx.origin(first))
        if self.peek().is_("{"):
            self.i += 1
            self.table_body(table)
        elif body_required:
            raise _error(first, "table: expected '{'")

    def table_body(self, table: TableDef) -> None:
        while True:
            self.skip_separators()
            tok = self.peek()
            if self.i >= len(self.toks):
                raise _error(tok, f"table {table.key}: missing '}}'")
            if tok.is_("}"):
                self.i += 1
                return
            head = self.statement(stop_at_brace=True)
            if not head:
                raise _error(tok, f"unexpected {tok.text!r} in table {table.key}")
            word = head[0].text
            if word == "chain" and len(head) == 2:
                chain = self.chain(table, head[1], head[0])
                if self.peek().is_("{"):
                    self.i += 1
                    self.chain_body(table, chain)
            elif word in ("set", "map") and len(head) == 2:
                found = self.set(table, head[1], head[0], word == "map")
                if self.peek().is_("{"):
                    self.i += 1
                    self.set_body(found)
            elif word == "flags":
                table.dormant = table.dormant or any(t.text == "dormant" for t in head[1:])
            elif word == "comment":
                pass
            elif word in _OBJECTS and self.peek().is_("{"):
                self.skip_block()
            else:
                raise _error(head[0], f"unknown statement {word!r} in table {table.key}")

    def skip_block(self) -> None:
        depth = 0
        while self.i < len(self.toks):
            tok = self.toks[self.i]
            self.i += 1
            if tok.is_("{"):
                depth += 1
            elif tok.is_("}"):
                depth -= 1
                if depth == 0:
                    return
        raise _error(self.toks[-1], "missing '}'")

    def chain(self, table: TableDef, name: Token, first: Token) -> ChainDef:
        chain = table.chains.get(name.text)
        if chain is None:
            self.ctx.created += 1
            chain = ChainDef(name.text, self.ctx.origin(first), created=self.ctx.created)
            table.chains[name.text] = chain
        return chain

    def chain_body(self, table: TableDef, chain: ChainDef) -> None:
        while True:
            self.skip_separators()
            tok = self.peek()
            if self.i >= len(self.toks):
                raise _error(tok, f"chain {chain.name}: missing '}}'")
            if tok.is_("}"):
                self.i += 1
                return
            toks = self.statement()
            if not toks:
                raise _error(tok, f"unexpected {tok.text!r} in chain {chain.name}")
            self.chain_statement(table, chain, toks)

    def chain_statement(self, table: TableDef, chain: ChainDef, toks: list[Token]) -> None:
        from exaudit.platforms.nftables.values import priority

        word = toks[0].text if toks[0].kind == WORD else ""
        if word == "type":
            words = [t.text for t in toks]
            if len(words) < 4 or words[2] != "hook":
                raise _error(toks[0], "expected: type TYPE hook HOOK [device D] priority P")
            chain.type, chain.hook = words[1], words[3]
            rest = words[4:]
            if rest[:1] == ["device"]:
                rest = rest[2:]
            if not rest or rest[0] != "priority":
                raise _error(toks[0], f"chain {chain.name}: no priority")
            try:
                chain.priority = priority(rest[1:], table.family, chain.hook)
            except ValueError as exc:
                raise _error(toks[0], str(exc)) from None
            chain.origin = self.ctx.origin(toks[0])
        elif word == "policy":
            if len(toks) != 2 or toks[1].text not in ("accept", "drop"):
                raise _error(toks[0], "policy must be accept or drop")
            chain.policy = toks[1].text
            chain.policy_origin = self.ctx.origin(toks[0])
        elif word in ("comment", "devices", "device", "flags"):
            pass
        else:
            chain.rules.append(RuleText(toks, self.ctx.origin(toks[0])))

    def set(self, table: TableDef, name: Token, first: Token, is_map: bool) -> SetDef:
        found = table.sets.get(name.text)
        if found is None:
            found = table.sets[name.text] = SetDef(name.text, self.ctx.origin(first), is_map)
        return found

    def set_body(self, found: SetDef) -> None:
        while True:
            self.skip_separators()
            tok = self.peek()
            if self.i >= len(self.toks):
                raise _error(tok, f"set {found.name}: missing '}}'")
            if tok.is_("}"):
                self.i += 1
                return
            toks = self.statement()
            word = toks[0].text if toks else ""
            if word in ("type", "typeof"):
                found.type_words = tuple(t.text for t in toks[1:])
            elif word == "flags":
                found.flags = tuple(t.text for t in toks[1:] if not t.is_(","))
                if {"timeout", "dynamic"} & set(found.flags):
                    found.dynamic = f"set {found.name} has flags {', '.join(found.flags)}"
            elif word == "elements":
                if len(toks) < 3 or not toks[1].is_("="):
                    raise _error(toks[0], "expected: elements = { ... }")
                found.elements.extend(elements(toks[2:], toks[0]))
            elif word in _SET_OPTIONS:
                pass
            else:
                raise _error(toks[0] if toks else tok, f"unknown statement in set {found.name}")

    # --- the command forms -----------------------------------------------------------

    def verb_command(self, first: Token, verb: str) -> None:
        self.i += 1
        obj = self.peek()
        what = obj.text if obj.kind == WORD else ""
        if verb in ("add", "create") and what == "table":
            self.i += 1
            self.table_command(first, body_required=False)
            return
        if verb in ("add", "create") and what in ("chain", "set", "map"):
            self.i += 1
            head = self.statement(stop_at_brace=True)
            family, rest = self.family_and_name(head, first, what)
            if len(rest) != 2:
                raise _error(first, f"{verb} {what}: expected [family] table name")
            table = self.get_table(family, rest[0].text, first)
            if what == "chain":
                chain = self.chain(table, rest[1], first)
                if self.peek().is_("{"):
                    self.i += 1
                    self.chain_body(table, chain)
            else:
                found = self.set(table, rest[1], first, what == "map")
                if self.peek().is_("{"):
                    self.i += 1
                    self.set_body(found)
            return
        toks = self.statement()
        if not toks:
            raise _error(first, f"{verb}: what?")
        what = toks[0].text
        args = toks[1:]
        if verb in ("add", "insert", "create") and what == "rule":
            self.rule_command(first, verb, args)
        elif verb == "add" and what == "element":
            family, rest = self.family_and_name(args, first, "element")
            if len(rest) < 3:
                raise _error(first, "add element: expected [family] table set { elements }")
            target = self.get_table(family, rest[0].text, first)
            named = target.sets.get(rest[1].text)
            if named is None:
                raise _error(first, f"no set {rest[1].text} in table {target.key}")
            named.elements.extend(elements(rest[2:], first))
        elif verb == "flush":
            self.flush(first, what, args)
        elif verb in ("delete", "destroy") and what == "table":
            family, rest = self.family_and_name(args, first, "table")
            if rest:
                self.ctx.tables.pop((family, rest[0].text), None)
        elif verb in ("delete", "destroy") and what in ("chain", "set", "map"):
            family, rest = self.family_and_name(args, first, what)
            gone = self.ctx.tables.get((family, rest[0].text)) if rest else None
            if gone is not None and len(rest) == 2:
                (gone.chains if what == "chain" else gone.sets).pop(rest[1].text, None)
        else:
            raise _error(
                first,
                f"'{verb} {what}' is not supported (rules named by handle cannot be "
                "followed); give exaudit the output of nft list ruleset",
            )

    def rule_command(self, first: Token, verb: str, args: list[Token]) -> None:
        family, rest = self.family_and_name(args, first, "rule")
        if len(rest) < 2:
            raise _error(first, f"{verb} rule: expected [family] table chain rule")
        table = self.get_table(family, rest[0].text, first)
        chain = table.chains.get(rest[1].text)
        if chain is None:
            raise _error(first, f"no chain {rest[1].text} in table {table.key}")
        body = rest[2:]
        if body and body[0].text in ("position", "handle", "index"):
            raise _error(
                first,
                f"'{verb} rule ... {body[0].text} N' places a rule by handle or index, which "
                "exaudit does not follow; give it the output of nft list ruleset",
            )
        if not body:
            raise _error(first, f"{verb} rule: the rule is empty")
        rule = RuleText(body, self.ctx.origin(first))
        if verb == "insert":
            chain.rules.insert(0, rule)
        else:
            chain.rules.append(rule)

    def flush(self, first: Token, what: str, args: list[Token]) -> None:
        tables = self.ctx.tables
        if what == "ruleset":
            family = args[0].text if args else None
            for key in [k for k in tables if family is None or k[0] == family]:
                del tables[key]
            return
        family, rest = self.family_and_name(args, first, what)
        if not rest:
            raise _error(first, f"flush {what}: expected [family] table ...")
        table = self.get_table(family, rest[0].text, first)
        if what == "table":
            for chain in table.chains.values():
                chain.rules.clear()
            for found in table.sets.values():
                found.elements.clear()
        elif what == "chain" and len(rest) == 2:
            one = table.chains.get(rest[1].text)
            if one is None:
                raise _error(first, f"no chain {rest[1].text} in table {table.key}")
            one.rules.clear()
        elif what in ("set", "map") and len(rest) == 2:
            named = table.sets.get(rest[1].text)
            if named is None:
                raise _error(first, f"no set {rest[1].text} in table {table.key}")
            named.elements.clear()
        else:
            raise _error(first, f"flush {what}: not understood")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def elements(toks: list[Token], first: Token) -> list[list[Token]]:
    """The elements of ``{ a, b . c, { d, e } }`` (nested braces flattened), as token lists."""
    if not toks or not toks[0].is_("{") or not toks[-1].is_("}"):
        raise _error(toks[0] if toks else first, "expected { elements }")
    out: list[list[Token]] = []
    current: list[Token] = []
    for tok in toks[1:-1]:
        if tok.is_("{", "}"):
            continue
        if tok.is_(","):
            if current:
                out.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        out.append(current)
    return out


def read(text: str, path: str) -> Context:
    """Every table the text leaves behind, as ``nft -f`` would leave them."""
    ctx = Context(path)
    Reader(ctx, text, path).run()
    return ctx
