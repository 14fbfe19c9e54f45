"""The pf.conf grammar: statements to ``pf_ir`` records, hand-written for speed.

A recursive-descent reader over ``pf_lexer`` tokens (pyparsing, measured on the benchmark's
generated pf.conf, was 20x slower than ``pf_lexer`` at merely splitting it into tokens).
Statements end at a newline outside braces; lists and tables may span lines; inline
anchors nest. Rule options are read by the handlers of ``pf_options``. A statement that
cannot be read is an EXA001 issue; a filter rule cut short keeps what was read as an
outer bound, marked unknown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IfaceMatch, Issue, Note, Origin, Target, Verb
from exaudit.platforms import pf_addr
from exaudit.platforms.pf_addr import AddrItem, Table
from exaudit.platforms.pf_ir import (
    AnchorRule,
    Conditions,
    FilterRule,
    HeadPass,
    IcmpItem,
    IfaceAlt,
    Opaque,
    Skip,
)
from exaudit.platforms.pf_lexer import (
    EOF,
    NEWLINE,
    PUNCT,
    QUOTED,
    WORD,
    Lexer,
    LexError,
    Source,
    Token,
)
from exaudit.platforms.pf_names import (
    ICMP6_CODES,
    ICMP6_TYPES,
    ICMP_CODES,
    ICMP_TYPES,
    SERVICES,
)
from exaudit.platforms.pf_options import (
    ANCHOR_WORDS,
    BINARY,
    DEFAULT_FLAGS,
    HEAD,
    OPTIONS,
    SET_OPTIONS,
    UNARY,
    RuleState,
    Syntax,
    antispoof,
    iface,
    number,
)

MAX_NESTING = 48
_NOT_PLAIN = re.compile(r"[$\"'(){<>]")
_COMMENT = re.compile(r"#[^\n]*")
_TABLE_WORD = re.compile(r"!|[^\s,!]+")
LOOPBACK_NAME = re.compile(r"^lo[0-9]*$")
MAX_INCLUDES = 16
MAX_INCLUDED_FILES = 64
MAX_LIST_DEPTH = 16


# --- shared state of one parse ----------------------------------------------------------


@dataclass
class TableRef:
    """``<name>`` in a rule, resolved once every table of the file set is known."""

    name: str
    anchor: str
    negated: bool = False


@dataclass
class Context:
    """Everything one configuration (main file, includes, loaded anchors) shares."""

    path: str
    base_dir: str
    macros: dict[str, str] = field(default_factory=dict)
    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    anchors: dict[str, list[object]] = field(default_factory=dict)
    anchor_origin: dict[str, Origin] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    head: list[HeadPass] = field(default_factory=list)
    block_policy: str = "drop"
    statements: int = 0
    not_understood: int = 0
    translations: list[Origin] = field(default_factory=list)
    pending_loads: list[tuple[str, str, Origin, str]] = field(default_factory=list)
    include_depth: int = 0
    includes: int = 0
    read_file: Callable[[str], str | None] | None = None

    def issue(self, code: str, origin: Origin, message: str) -> None:
        self.issues.append(Issue(code, origin, message))

    def find_file(self, name: str, near: str) -> str | None:
        """A file a config names, looked for where a copied config tree would keep it."""
        for candidate in candidates(name, near, self.path):
            if os.path.isfile(candidate):
                return candidate
        return None


def candidates(name: str, near: str, main: str) -> list[str]:
    """Where ``name`` may be: as given, beside the naming file, re-rooted at the config.

    pf.conf lives in /etc, so ``/etc/pf.anchors/x`` of a copied tree is ``pf.anchors/x``
    beside the copy; collections that flatten a tree into one folder fold the path into
    the file name with ``__`` after the source's prefix.
    """
    here = os.path.dirname(near) or "."
    root = os.path.dirname(main) or "."
    out = []
    if not os.path.isabs(name):
        out.append(os.path.join(here, name))
        out.append(os.path.join(root, name))
    else:
        rel = name.lstrip("/")
        under_etc = rel[4:] if rel.startswith("etc/") else rel
        out += [os.path.join(root, under_etc), os.path.join(root, rel),
                os.path.join(root, os.path.basename(name))]
        stem = os.path.basename(main)
        if "__" in stem:
            prefix = stem[:stem.rindex("__") + 2]
            out.append(os.path.join(root, prefix + under_etc.replace("/", "__")))
            out.append(os.path.join(root, prefix + os.path.basename(name)))
    return out


# --- the statement reader ---------------------------------------------------------------



class Parser:
    """Reads one file's statements; inline anchor blocks recurse."""

    def __init__(self, ctx: Context, source: Source, anchor: str) -> None:
        self.ctx = ctx
        self.src = source
        self.anchor = anchor  # path of the ruleset being read ("" for the main one)
        self.lx = Lexer(source, self._macro)
        self.buf: list[Token] = []
        self.last: Token | None = None
        self.depth = 0  # open braces since the start of the file
        self.block_depth = 0  # of which inline anchor blocks
        self.cur = self._pull()

    def _macro(self, name: str) -> str | None:
        return self.ctx.macros.get(name)

    # token access ------------------------------------------------------------------

    def _pull(self) -> Token:
        try:
            return self.lx.next()
        except LexError as e:
            raise InputError(self.src.path, e.line, e.message) from None

    def line(self, tok: Token) -> int:
        return self.src.line_of(tok.start)

    def peek(self, k: int = 0) -> Token:
        if k == 0:
            return self.cur
        while len(self.buf) < k:
            self.buf.append(self._pull())
        return self.buf[k - 1]

    def next(self) -> Token:
        tok = self.cur
        self.cur = self.buf.pop(0) if self.buf else self._pull()
        kind = tok.kind
        if kind == PUNCT:
            if tok.value == "{":
                self.depth += 1
            elif tok.value == "}":
                self.depth -= 1
        elif kind == EOF:
            self.cur = tok
            return tok
        self.last = tok
        return tok

    def at(self, *values: str) -> bool:
        tok = self.cur
        return tok.value in values and (tok.kind == WORD or tok.kind == PUNCT)

    def accept(self, *values: str) -> Token | None:
        tok = self.cur
        if tok.value in values and (tok.kind == WORD or tok.kind == PUNCT):
            return self.next()
        return None

    def expect(self, value: str) -> Token:
        if not self.at(value):
            raise Syntax(f"expected '{value}', found {self.describe(self.peek())}")
        return self.next()

    def string(self) -> str:
        tok = self.cur
        if tok.kind != WORD and tok.kind != QUOTED:
            raise Syntax(f"expected a name or value, found {self.describe(tok)}")
        return self.next().value

    @staticmethod
    def describe(tok: Token) -> str:
        return "end of line" if tok.kind in (NEWLINE, EOF) else f"'{tok.value}'"

    def end_of_statement(self) -> bool:
        tok = self.cur
        return tok.kind == NEWLINE or tok.kind == EOF or (tok.kind == PUNCT and tok.value == "}")

    def list_end(self) -> bool:
        """Inside ``{ ... }``: skip commas and newlines; True (and consume) at ``}``."""
        while True:
            tok = self.peek()
            if tok.kind == NEWLINE or (tok.kind == PUNCT and tok.value == ","):
                self.next()
            elif tok.kind == PUNCT and tok.value == "}":
                self.next()
                return True
            elif tok.kind == EOF:
                raise Syntax("a list is never closed")
            else:
                return False

    def skip_newlines(self) -> None:
        while self.peek().kind == NEWLINE:
            self.next()

    def skip_statement(self, depth: int) -> None:
        """Drop tokens up to the end of the statement that started at brace depth ``depth``."""
        while True:
            tok = self.peek()
            if tok.kind == EOF:
                return
            if tok.kind == NEWLINE and self.depth <= depth:
                return
            if tok.kind == PUNCT and tok.value == "}" and self.depth <= depth:
                return
            self.next()

    def balanced(self) -> None:
        """Consume a parenthesised or braced group, or a single token."""
        tok = self.next()
        if tok.kind != PUNCT or tok.value not in "({":
            return
        close = ")" if tok.value == "(" else "}"
        level = 1
        while level:
            t = self.next()
            if t.kind == EOF:
                raise Syntax(f"'{tok.value}' is never closed")
            if t.kind == PUNCT and t.value == tok.value:
                level += 1
            elif t.kind == PUNCT and t.value == close:
                level -= 1

    # statements ----------------------------------------------------------------------

    def origin(self, first: Token) -> Origin:
        end = self.last.end if self.last is not None and self.last.end >= first.start else first.end
        return Origin(self.src.path, self.line(first), self.src.logical_text(first.start, end))

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
                    raise InputError(self.src.path, self.line(tok),
                                     "an anchor's '{' is never closed before the end of file")
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
        self.ctx.issue("EXA001", origin, message)
        for partial in rule_box:
            # what was read of the rule is an outer bound of what it matches
            if isinstance(partial, FilterRule):
                partial.origin = origin
                partial.broken = message
                if partial.action != "match":
                    items.append(partial)
            elif isinstance(partial, AnchorRule):
                items.append(Opaque(origin, partial.cond, "anchor line not understood"))

    def _dispatch(self, first: Token, items: list[object], nested: int,
                  rule_box: list[FilterRule | AnchorRule]) -> None:
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
            raise Syntax(f"pfctl rejects the unquoted value of macro '{name}' "
                         "(quote it); exaudit defined it anyway")

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
        text = self.ctx.read_file(found) if found and self.ctx.read_file else None
        if text is None:
            table.unknown_reasons.append(f"its file \"{name}\" is not available")
            return
        pf_addr.add_words(table, _COMMENT.sub("", text).split())

    def option(self, first: Token, items: list[object]) -> None:
        self.next()
        word = self.string()
        if word == "skip":
            self.expect("on")
            alts = self.iface_list()
            if self.anchor:
                self.ctx.notes.append(Note(self.origin(first), "'set skip' in anchor "
                                           f"'{self.anchor}' is not applied: options come "
                                           "from the main ruleset only"))
                return
            self.ctx.skips.append(Skip(self.origin(first), alts))
        elif word == "block-policy":
            policy = self.string()
            if policy not in ("drop", "return"):
                raise Syntax(f"unknown block-policy '{policy}'")
            if self.anchor:
                self.ctx.notes.append(Note(self.origin(first), "'set block-policy' in anchor "
                                           f"'{self.anchor}' is not applied: options come "
                                           "from the main ruleset only"))
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
        if self.accept("log"):
            if self.at("("):
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
            self.ctx.head.append(HeadPass(origin, cond, f"'{kind} pass': the translated "
                                          "packets are passed without filter rules"))

    def include(self, first: Token, items: list[object]) -> None:
        self.next()
        name = self.string()
        origin = self.origin(first)
        found = self.ctx.find_file(name, self.src.path)
        text = self.ctx.read_file(found) if found and self.ctx.read_file else None
        if text is None:
            items.append(Opaque(origin, Conditions(), f"include file \"{name}\" is not available"))
            raise Syntax(f"include file \"{name}\" is not available; its rules are unknown")
        if self.ctx.include_depth >= MAX_INCLUDES or self.ctx.includes >= MAX_INCLUDED_FILES:
            raise InputError(self.src.path, self.line(first),
                             "includes nested too deeply (or too many included files)")
        self.ctx.includes += 1
        self.ctx.include_depth += 1
        try:
            sub = Parser(self.ctx, Source(text, found), self.anchor)  # type: ignore[arg-type]
            items.extend(sub.block())
        finally:
            self.ctx.include_depth -= 1

    def load_anchor(self, first: Token, items: list[object]) -> None:
        self.next()
        self.expect("anchor")
        name = self.string()
        self.expect("from")
        filename = self.string()
        self.ctx.pending_loads.append((self.anchor_path(name), filename, self.origin(first),
                                       self.src.path))

    def anchor_path(self, name: str) -> str:
        if name.startswith("/"):
            return name.strip("/")
        return f"{self.anchor}/{name}".strip("/") if self.anchor else name

    # filter rules --------------------------------------------------------------------

    def filter_rule(self, first: Token, items: list[object],
                    rule_box: list[FilterRule | AnchorRule]) -> None:
        action = self.next().value
        verb, name = Verb.ACCEPT, "pass"
        if action == "block":
            verb, name = self.block_spec()
        elif action == "match":
            verb, name = Verb.CONTINUE, "match"
        cond = Conditions()
        rule = FilterRule(Origin(self.src.path, self.line(first), ""), action,
                          Target(verb, name=name), False, cond, stateful=action == "pass")
        rule_box.append(rule)
        state = RuleState()
        self.rule_body(cond, state, rule)
        rule.origin = self.origin(first)
        if action == "pass":
            rule.stateful = state.state != "no"
            if cond.flags is None and not cond.flags_any and not cond.fragment \
                    and state.state != "no":
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

    def rule_body(self, cond: Conditions, state: RuleState,
                  rule: FilterRule | AnchorRule | None) -> None:
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

    # rule parts ----------------------------------------------------------------------

    def iface_list(self) -> list[IfaceAlt]:
        if self.accept("{"):
            alts: list[IfaceAlt] = []
            names: list[str] = []
            while not self.list_end():
                negated = bool(self.accept("!"))
                alt = iface(self.string(), negated)
                if alt.match is not None and not negated:
                    names.extend(alt.match.patterns)
                else:
                    alts.append(alt)
            if names:
                alts.insert(0, IfaceAlt(IfaceMatch(tuple(dict.fromkeys(names)))))
            return alts
        negated = bool(self.accept("!"))
        return [iface(self.string(), negated)]

    def nested(self) -> None:
        """Guard for lists in lists (pfctl allows them; a thousand levels is not a config)."""
        if self.depth > MAX_LIST_DEPTH + self.block_depth:
            raise Syntax("lists nested too deeply")

    def hosts(self, cond: Conditions) -> list[AddrItem | TableRef]:
        if self.accept("{"):
            self.nested()
            out: list[AddrItem | TableRef] = []
            while not self.list_end():
                out.extend(self.hosts(cond))
            return out
        negated = bool(self.accept("!"))
        items = self.host()
        if negated:
            items = [i.negated() if isinstance(i, AddrItem)
                     else TableRef(i.name, i.anchor, not i.negated) for i in items]
        return items

    def host(self) -> list[AddrItem | TableRef]:
        tok = self.next()
        if tok.kind == PUNCT and tok.value == "<":
            name = self.string()
            self.expect(">")
            return [TableRef(name, self.anchor)]
        if tok.kind == PUNCT and tok.value == "(":
            word = self.string()
            self.expect(")")
            return pf_addr.dynamic(word, self.mask())
        if tok.kind not in (WORD, QUOTED):
            if tok.value.startswith("$"):
                raise Syntax(f"'{tok.value}' is not expanded: pfctl does not expand a macro "
                             "written inside another macro's quoted value")
            raise Syntax(f"expected an address, found {self.describe(tok)}")
        word = tok.value
        if word == "any":
            return [pf_addr.ANY]
        if word in ("no-route", "urpf-failed"):
            return [pf_addr.unknown(f"'{word}' depends on the routing table")]
        if self.at("-"):
            self.next()
            last = self.string()
            item = pf_addr.address_range(word, last)
            if item is None:
                raise Syntax(f"bad address range '{word} - {last}'")
            return [item]
        return pf_addr.resolve(word, self.mask())

    def mask(self) -> int | None:
        if not self.accept("/"):
            return None
        value = self.string()
        if not value.isdigit():
            raise Syntax(f"bad mask '/{value}'")
        return int(value)

    def ports(self) -> IntervalSet:
        if self.accept("{"):
            self.nested()
            out = IntervalSet()
            while not self.list_end():
                out = out | self.ports()
            return out
        tok = self.peek()
        if tok.kind == PUNCT and tok.value in UNARY:
            op = self.next().value
            value = self.port_value(self.string())
            return UNARY[op](value)
        low_text = self.string()
        if self.peek().kind == PUNCT and self.peek().value in BINARY:
            op = self.next().value
            high = self.port_value(self.string())
            return BINARY[op](self.port_value(low_text), high)
        if ":" in low_text:
            a, _, b = low_text.partition(":")
            return IntervalSet.span(self.port_value(a), self.port_value(b))
        return IntervalSet.point(self.port_value(low_text))

    def port_value(self, text: str) -> int:
        value = number(text)
        if value is None:
            value = SERVICES.get(text)
        if value is None:
            raise Syntax(f"unknown service name '{text}' (not in exaudit's services table)")
        if not 0 <= value <= 65535:
            raise Syntax(f"port {value} is out of range")
        return value

    def icmp_items(self, proto: int) -> list[IcmpItem]:
        if self.accept("{"):
            self.nested()
            out: list[IcmpItem] = []
            while not self.list_end():
                out.extend(self.icmp_items(proto))
            return out
        types, codes = (ICMP_TYPES, ICMP_CODES) if proto == 1 else (ICMP6_TYPES, ICMP6_CODES)
        text = self.string()
        value = number(text)
        icmp_type = value if value is not None else types.get(text)
        if icmp_type is None or not 0 <= icmp_type <= 255:
            raise Syntax(f"unknown ICMP type '{text}'")
        code = None
        if self.accept("code"):
            text = self.string()
            value = number(text)
            code = value if value is not None else codes.get((icmp_type, text))
            if code is None or not 0 <= code <= 255:
                raise Syntax(f"unknown ICMP code '{text}'")
        return [IcmpItem(proto, icmp_type, code)]

    # anchors -------------------------------------------------------------------------

    def anchor_rule(self, first: Token, items: list[object], nested: int,
                    rule_box: list[FilterRule | AnchorRule]) -> None:
        self.next()
        name = None
        if self.peek().kind in (WORD, QUOTED) and (self.peek().kind == QUOTED
                                                   or self.peek().value not in ANCHOR_WORDS):
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
    "altq": Parser.consume, "queue": Parser.consume, "scrub": Parser.consume,
    "nat-anchor": Parser.consume, "rdr-anchor": Parser.consume,
    "binat-anchor": Parser.consume, "scrub-anchor": Parser.consume,
    "dummynet-anchor": Parser.consume,
    "nat": Parser.translation, "rdr": Parser.translation, "binat": Parser.translation,
    "no": Parser.translation,
    "ether": Parser.unsupported, "dummynet": Parser.unsupported,
}
