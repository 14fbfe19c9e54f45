"""The pf.conf grammar: statements to ``pf_ir`` records, hand-written for speed.

A recursive-descent reader over ``pf_lexer`` tokens (pyparsing, measured on the benchmark's
generated pf.conf, was 20x slower than ``pf_lexer`` at merely splitting it into tokens).
Statements end at a newline outside braces; lists and tables may span lines; inline
anchors nest. Rule options are read by the handlers of ``pf_options``. A statement that
cannot be read is an EXA001 issue; a filter rule cut short keeps what was read as an
outer bound, marked unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from exaudit.core.errors import InputError
from exaudit.core.model import IssueKind, Note, Origin, Target, Verb
from exaudit.platforms.pf import addr as pf_addr
from exaudit.platforms.pf.addr import Table
from exaudit.platforms.pf.ir import (
    AnchorRule,
    Conditions,
    FilterRule,
    HeadPass,
    Opaque,
    Skip,
)
from exaudit.platforms.pf.lexer import (
    EOF,
    NEWLINE,
    PUNCT,
    QUOTED,
    WORD,
    Source,
    Token,
)
from exaudit.platforms.pf.operands import Reader
from exaudit.platforms.pf.options import (
    ANCHOR_WORDS,
    HEAD,
    OPTIONS,
    SET_OPTIONS,
    RuleState,
    antispoof,
)
from exaudit.platforms.pf.values import DEFAULT_FLAGS, Syntax

MAX_NESTING = 48
_NOT_PLAIN = re.compile(r"[$\"'(){<>]")
_COMMENT = re.compile(r"#[^\n]*")
_TABLE_WORD = re.compile(r"!|[^\s,!]+")
MAX_INCLUDES = 16
MAX_INCLUDED_FILES = 64


# --- the statement reader ---------------------------------------------------------------


class Parser(Reader):
    """Reads one file's statements; inline anchor blocks recurse."""

    # statements ----------------------------------------------------------------------

    def block(self, nested: int = 0) -> list[object]:
        """Statements up to the end of the file (or the ``}`` closing an inline anchor)."""
        if nested > MAX_NESTING:
            raise InputError(self.src.path, self.line(self.peek()), "anchors nested too deeply")
        items: list[object] = []
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok.kind == EOF:
                if nested:
                    raise InputError(
                        self.src.path,
                        self.line(tok),
                        "an anchor's '{' is never closed before the end of file",
                    )
                return items
            if tok.kind == PUNCT and tok.value == "}":
                if not nested:
                    raise InputError(self.src.path, self.line(tok), "'}' without a matching '{'")
                self.next()
                return items
            self.statement(items, nested)

    def statement(self, items: list[object], nested: int) -> None:
        first = self.peek()
        depth = self.depth
        self.ctx.statements += 1
        rule_box: list[FilterRule | AnchorRule] = []
        try:
            self._dispatch(first, items, nested, rule_box)
            if not self.end_of_statement():
                raise Syntax(f"unexpected {self.describe(self.peek())}")
            return
        except Syntax as e:
            message = str(e)
        except InputError:
            raise
        except RecursionError:
            message = "nested too deeply to read"
        except (ValueError, KeyError, IndexError, OverflowError) as e:  # defensive
            message = f"cannot read this statement ({type(e).__name__}: {e})"
        self.skip_statement(depth)
        origin = self.origin(first)
        self.ctx.not_understood += 1
        self.ctx.issue(IssueKind.UNPARSED, origin, message)
        for partial in rule_box:
            # what was read of the rule is an outer bound of what it matches
            if isinstance(partial, FilterRule):
                partial.origin = origin
                partial.broken = message
                if partial.action != "match":
                    items.append(partial)
            elif isinstance(partial, AnchorRule):
                items.append(Opaque(origin, partial.cond, "anchor line not understood"))

    def _dispatch(
        self,
        first: Token,
        items: list[object],
        nested: int,
        rule_box: list[FilterRule | AnchorRule],
    ) -> None:
        if first.kind == WORD and self.peek(1).kind == PUNCT and self.peek(1).value == "=":
            self.macro_definition()
            return
        if first.kind != WORD:
            raise Syntax(f"a statement cannot start with {self.describe(first)}")
        word = first.value
        if word in ("pass", "block", "match"):
            self.filter_rule(first, items, rule_box)
        elif word == "anchor":
            self.anchor_rule(first, items, nested, rule_box)
        elif word in STATEMENTS:
            STATEMENTS[word](self, first, items)
        else:
            raise Syntax(f"unknown statement '{word}'")

    # macros, tables, options ---------------------------------------------------------

    def macro_definition(self) -> None:
        name = self.next().value
        self.expect("=")
        parts = []
        lenient = False
        while not self.end_of_statement():
            tok = self.next()
            if tok.kind == PUNCT:
                lenient = True
            parts.append(tok.value)
        if not parts:
            raise Syntax(f"macro '{name}' has no value")
        self.ctx.macros[name] = " ".join(parts)
        if lenient:
            raise Syntax(
                f"pfctl rejects the unquoted value of macro '{name}' "
                "(quote it); exaudit defined it anyway"
            )

    def table(self, first: Token, items: list[object]) -> None:
        self.next()
        name = self.table_name()
        table = Table(name)
        origin_line = first
        while not self.end_of_statement():
            if self.accept("persist", "const", "counters"):
                table.flags.add(self.last.value)  # type: ignore[union-attr]
            elif self.at("{"):
                if not self.table_body_fast(table):
                    self.next()
                    self.table_body(table)
            elif self.accept("file"):
                self.table_file(table, self.string())
            else:
                raise Syntax(f"unexpected {self.describe(self.peek())} in table definition")
        table.defined_at = self.origin(origin_line)
        self.ctx.tables[(self.anchor, name)] = table

    def table_name(self) -> str:
        self.expect("<")
        name = self.string()
        self.expect(">")
        return name

    def table_body(self, table: Table) -> None:
        while True:
            tok = self.next()
            if tok.kind == EOF:
                raise Syntax("table body is never closed")
            if tok.kind == NEWLINE or (tok.kind == PUNCT and tok.value == ","):
                continue
            if tok.kind == PUNCT and tok.value == "}":
                return
            negated = False
            if tok.kind == PUNCT and tok.value == "!":
                negated, tok = True, self.next()
            if tok.kind == PUNCT and tok.value == "(":
                word = self.string()
                self.expect(")")
                table.add(negated, pf_addr.dynamic(word, None))
                continue
            if tok.kind not in (WORD, QUOTED):
                raise Syntax(f"unexpected '{tok.value}' in table body")
            word = tok.value
            bits = None
            if self.accept("/"):
                mask = self.string()
                if not mask.isdigit():
                    raise Syntax(f"bad mask '{mask}'")
                bits = int(mask)
            if bits is None:
                table.add(negated, pf_addr.table_entry(word)[1])
            else:
                table.add(negated, pf_addr.resolve(word, bits))

    def table_body_fast(self, table: Table) -> bool:
        """Big tables: read a plain body straight from the text (no macros, quotes, ``(if)``)."""
        if self.buf:
            return False
        text = self.src.text
        start = self.lx.pos
        close = text.find("}", start)
        if close < 0:
            return False
        body = text[start:close]
        if _NOT_PLAIN.search(body):
            return False
        pf_addr.add_words(table, _TABLE_WORD.findall(_COMMENT.sub("", body)))
        self.lx.seek(close + 1)
        self.last = Token(PUNCT, "}", close, close + 1)
        self.cur = self._pull()
        return True

    def table_file(self, table: Table, name: str) -> None:
        found = self.ctx.find_file(name, self.src.path)
        text = self.ctx.read(found) if found else None
        if text is None:
            table.unknown_reasons.append(f'its file "{name}" {self.ctx.unavailable(name)}')
            return
        pf_addr.add_words(table, _COMMENT.sub("", text).split())

    def option(self, first: Token, items: list[object]) -> None:
        self.next()
        word = self.string()
        if word == "skip":
            self.expect("on")
            alts = self.iface_list()
            if self.anchor:
                self.ctx.notes.append(
                    Note(
                        self.origin(first),
                        "'set skip' in anchor "
                        f"'{self.anchor}' is not applied: options come "
                        "from the main ruleset only",
                    )
                )
                return
            self.ctx.skips.append(Skip(self.origin(first), alts))
        elif word == "block-policy":
            policy = self.string()
            if policy not in ("drop", "return"):
                raise Syntax(f"unknown block-policy '{policy}'")
            if self.anchor:
                self.ctx.notes.append(
                    Note(
                        self.origin(first),
                        "'set block-policy' in anchor "
                        f"'{self.anchor}' is not applied: options come "
                        "from the main ruleset only",
                    )
                )
                return
            self.ctx.block_policy = policy
        elif word in SET_OPTIONS:
            while not self.end_of_statement():
                if self.at("{", "("):
                    self.balanced()
                else:
                    self.next()
        else:
            raise Syntax(f"unknown option 'set {word}'")

    def consume(self, first: Token, items: list[object]) -> None:
        """Recognised statements that do not decide pass or block (queues, scrub, ...)."""
        self.next()
        while not self.end_of_statement():
            if self.at("{", "("):
                self.balanced()
            else:
                self.next()

    def unsupported(self, first: Token, items: list[object]) -> None:
        word = first.value
        self.consume(first, items)
        raise Syntax(f"'{word}' rules are not evaluated by exaudit")

    def translation(self, first: Token, items: list[object]) -> None:
        """FreeBSD ``nat``/``rdr``/``binat`` (and ``no ...``): recognised, not evaluated."""
        negated = first.value == "no"
        self.next()
        kind = self.string() if negated else first.value
        if kind == "scrub":
            self.consume(first, items)
            return
        passes = bool(self.accept("pass"))
        cond = Conditions()
        state = RuleState()
        if self.accept("log") and self.at("("):
            self.balanced()
        while not self.end_of_statement() and not self.at("->"):
            word = self.peek().value
            if word in HEAD:
                HEAD[word](self, cond, state)
            elif word == "tag" or word == "tagged":
                self.next()
                self.string()
            else:
                raise Syntax(f"unexpected {self.describe(self.peek())} in a {kind} rule")
        if self.accept("->"):
            while not self.end_of_statement():
                if self.at("{", "("):
                    self.balanced()
                else:
                    self.next()
        origin = self.origin(first)
        self.ctx.translations.append(origin)
        if passes and not negated:
            cond.direction = {"nat": "out", "rdr": "in"}.get(kind)
            self.ctx.head.append(
                HeadPass(
                    origin,
                    cond,
                    f"'{kind} pass': the translated packets are passed without filter rules",
                )
            )

    def include(self, first: Token, items: list[object]) -> None:
        self.next()
        name = self.string()
        origin = self.origin(first)
        found = self.ctx.find_file(name, self.src.path)
        text = self.ctx.read(found) if found else None
        if found is None or text is None:
            why = self.ctx.unavailable(name)
            items.append(Opaque(origin, Conditions(), f'include file "{name}" {why}'))
            raise Syntax(f'include file "{name}" {why}; its rules are unknown')
        if self.ctx.include_depth >= MAX_INCLUDES or self.ctx.includes >= MAX_INCLUDED_FILES:
            raise InputError(
                self.src.path,
                self.line(first),
                "includes nested too deeply (or too many included files)",
            )
        self.ctx.includes += 1
        self.ctx.include_depth += 1
        try:
            sub = Parser(self.ctx, Source(text, found), self.anchor)
            items.extend(sub.block())
        finally:
            self.ctx.include_depth -= 1

    def load_anchor(self, first: Token, items: list[object]) -> None:
        self.next()
        self.expect("anchor")
        name = self.string()
        self.expect("from")
        filename = self.string()
        self.ctx.pending_loads.append(
            (self.anchor_path(name), filename, self.origin(first), self.src.path)
        )

    def anchor_path(self, name: str) -> str:
        if name.startswith("/"):
            return name.strip("/")
        return f"{self.anchor}/{name}".strip("/") if self.anchor else name

    # filter rules --------------------------------------------------------------------

    def filter_rule(
        self, first: Token, items: list[object], rule_box: list[FilterRule | AnchorRule]
    ) -> None:
        action = self.next().value
        verb, name = Verb.ACCEPT, "pass"
        if action == "block":
            verb, name = self.block_spec()
        elif action == "match":
            verb, name = Verb.CONTINUE, "match"
        cond = Conditions()
        rule = FilterRule(
            Origin(self.src.path, self.line(first), ""),
            action,
            Target(verb, name=name),
            False,
            cond,
            stateful=action == "pass",
        )
        rule_box.append(rule)
        state = RuleState()
        self.rule_body(cond, state, rule)
        rule.origin = self.origin(first)
        if action == "pass":
            rule.stateful = state.state != "no"
            if (
                cond.flags is None
                and not cond.flags_any
                and not cond.fragment
                and state.state != "no"
            ):
                cond.flags = DEFAULT_FLAGS  # pfctl: 'flags S/SA' by default on stateful rules
        if state.translation:
            self.ctx.translations.append(rule.origin)
        items.append(rule)
        rule_box.clear()

    def block_spec(self) -> tuple[Verb, str]:
        word = self.peek().value if self.peek().kind == WORD else ""
        if word == "drop":
            self.next()
            return Verb.DROP, "block drop"
        if word in ("return", "return-rst", "return-icmp", "return-icmp6"):
            self.next()
            if self.at("("):
                self.balanced()
            return Verb.REJECT, f"block {word}"
        if self.ctx.block_policy == "return":
            return Verb.REJECT, "block (block-policy return)"
        return Verb.DROP, "block"

    def rule_body(
        self, cond: Conditions, state: RuleState, rule: FilterRule | AnchorRule | None
    ) -> None:
        while not self.end_of_statement() and not self.at("{"):
            tok = self.peek()
            word = tok.value
            if tok.kind == PUNCT and word == "!" and self.peek(1).value == "tagged":
                self.next()
                self.next()
                self.string()
                cond.unknown.append("'! tagged' depends on tags set at run time")
                continue
            if tok.kind != WORD:
                raise Syntax(f"unexpected {self.describe(tok)}")
            if word == "quick" and rule is not None:
                self.next()
                rule.quick = True
            elif word in HEAD:
                HEAD[word](self, cond, state)
            elif word in OPTIONS:
                OPTIONS[word](self, cond, state)
            else:
                raise Syntax(f"unknown rule option '{word}'")

    # anchors -------------------------------------------------------------------------

    def anchor_rule(
        self,
        first: Token,
        items: list[object],
        nested: int,
        rule_box: list[FilterRule | AnchorRule],
    ) -> None:
        self.next()
        name = None
        if self.peek().kind in (WORD, QUOTED) and (
            self.peek().kind == QUOTED or self.peek().value not in ANCHOR_WORDS
        ):
            name = self.next().value
        cond = Conditions()
        anchor = AnchorRule(Origin(self.src.path, self.line(first), ""), None, False, cond)
        rule_box.append(anchor)
        self.rule_body(cond, RuleState(), anchor)
        anchor.origin = self.origin(first)
        if name is not None:
            anchor.wildcard = name.endswith("/*") or name == "*"
            base = name[:-2] if name.endswith("/*") else ("" if name == "*" else name)
            anchor.path = self.anchor_path(base) if base else self.anchor
        if self.at("{"):
            self.next()
            if anchor.wildcard:
                raise Syntax("a wildcard anchor cannot have an inline block")
            outer = self.anchor
            self.anchor = anchor.path or self.anchor
            self.block_depth += 1
            try:
                body = self.block(nested + 1)
            finally:
                self.anchor = outer
                self.block_depth -= 1
            if anchor.path is not None:
                self.ctx.anchors.setdefault(anchor.path, []).extend(body)
                self.ctx.anchor_origin.setdefault(anchor.path, anchor.origin)
            else:
                anchor.body = body
        items.append(anchor)
        rule_box.clear()


STATEMENTS: dict[str, Callable[[Parser, Token, list[object]], None]] = {
    "table": Parser.table,
    "set": Parser.option,
    "include": Parser.include,
    "load": Parser.load_anchor,
    "antispoof": antispoof,
    "altq": Parser.consume,
    "queue": Parser.consume,
    "scrub": Parser.consume,
    "nat-anchor": Parser.consume,
    "rdr-anchor": Parser.consume,
    "binat-anchor": Parser.consume,
    "scrub-anchor": Parser.consume,
    "dummynet-anchor": Parser.consume,
    "nat": Parser.translation,
    "rdr": Parser.translation,
    "binat": Parser.translation,
    "no": Parser.translation,
    "ether": Parser.unsupported,
    "dummynet": Parser.unsupported,
}
