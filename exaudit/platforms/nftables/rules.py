"""One nftables rule's tokens as model rules: matches, statements and verdict maps.

A rule is a sequence of expressions read left to right. Matches exaudit models become
exact sets per dimension; anything else is kept as an unknown condition (the rule's
verdicts are then undetermined, naming its line). A verdict map or a concatenated set
becomes one model rule per element: the elements are disjoint, so first match over them
is the map lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import STATES, IfaceMatch, Rule, State, Target, Verb
from exaudit.platforms.nftables.assemble import Parts, bits, iface_pattern, model_rules, split
from exaudit.platforms.nftables.lexer import STRING, WORD, Token
from exaudit.platforms.nftables.model import RuleText, SetDef, TableDef
from exaudit.platforms.nftables.selectors import (
    SELECTORS,
    Selector,
    bitmask_any,
    compare,
    masked,
    space,
    value,
)
from exaudit.platforms.nftables.words import (
    HARMLESS_SET,
    LOG_FLAG_WORDS,
    LOG_OPTIONS,
    NEGATE,
    OPAQUE,
    OPS,
    QUIET,
    UNREADABLE,
    VERDICTS,
)

__all__ = ["UNREADABLE", "Compiler", "Env", "RuleProblem"]


class RuleProblem(Exception):
    """Input ``nft -c`` would refuse (an undefined set or chain): an error with the line."""


@dataclass
class Env:
    """What a rule may name: its table (sets, chains) and where its chain runs."""

    table: TableDef
    chain_key: dict[str, str]  # chain name -> model chain name
    # "before": the chain runs before conntrack, where every packet's ct state is
    # invalid (no entry yet); "both": it is reached before and after; "": after
    conntrack: str = ""


class Compiler:
    """Reads one rule at a time (``compile``) against its table."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.toks: list[Token] = []
        self.words: list[str] = []
        self.i = 0

    # --- tokens ----------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def word(self, ahead: int = 0) -> str:
        try:
            return self.words[self.i + ahead]
        except IndexError:
            return ""

    def load(self, toks: list[Token]) -> None:
        self.toks, self.i = toks, 0
        # a quoted string is never a keyword: its word is empty
        self.words = [t.text if t.kind != STRING else "" for t in toks] + ["", ""]

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str) -> RuleProblem:
        return RuleProblem(message)

    def selector_at(self) -> Selector | None:
        two = f"{self.word()} {self.word(1)}"
        if two in SELECTORS:
            return SELECTORS[two]
        one = self.word()
        if one in SELECTORS and " " not in one:
            return SELECTORS[one]
        return None

    def starts_expression(self) -> bool:
        w = self.word()
        return (
            self.selector_at() is not None
            or w in VERDICTS
            or w in QUIET
            or w in OPAQUE
            or w in ("limit", "vmap", "add", "update", "delete")
        )

    # --- the rule ----------------------------------------------------------------------

    def compile(self, rule: RuleText) -> list[Rule]:
        self.load(rule.tokens)
        parts = Parts()
        while self.i < len(self.toks):
            self.expression(parts)
        return model_rules(parts, rule.origin)

    def expression(self, parts: Parts) -> None:
        sel = self.selector_at()
        w = self.word()
        if sel is not None:
            self.i += len(sel.words.split())
            if self.word() == "set":
                self.set_statement(sel.words, parts)
            else:
                self.match(sel, parts)
        elif w in VERDICTS:
            self.verdict(parts)
        elif w in QUIET:
            self.quiet()
        elif w == "limit":
            start = self.take()
            words = [start.text]
            while self.peek() is not None and not self.starts_expression():
                words.append(self.take().text)
            parts.unknown.append(" ".join(words) + " (rate limits are not modelled)")
        elif w in OPAQUE:
            parts.target = Target(Verb.UNKNOWN, name=OPAQUE[w])
            self.i = len(self.toks)
        elif w in ("add", "update", "delete") and self.word(1).startswith("@"):
            self.take()
            self.take()
            self.skip_value()
        else:
            self.unknown(parts)

    def unknown(self, parts: Parts) -> None:
        """An expression exaudit does not model: up to the next one it knows."""
        words = [self.take().text]
        while self.peek() is not None and not self.starts_expression():
            tok = self.take()
            if tok.text == "vmap":
                break
            if tok.text == "set":
                self.set_statement(" ".join(words), parts, taken=True)
                return
            words.append(tok.text)
        text = " ".join(words)
        if self.word() == "vmap" or (self.i > 0 and self.toks[self.i - 1].text == "vmap"):
            parts.target = Target(Verb.UNKNOWN, name=f"{text} vmap: a map exaudit cannot read")
            self.i = len(self.toks)
            return
        parts.unknown.append(text)

    def skip_value(self) -> None:
        if self.word() == "{":
            depth = 0
            while self.peek() is not None:
                tok = self.take()
                depth += tok.is_("{") - tok.is_("}")
                if depth == 0:
                    return
        elif self.peek() is not None:
            self.take()

    def quiet(self) -> None:
        word = self.take().text
        if word == "comment":
            if self.peek() is not None:
                self.take()
            return
        options = LOG_OPTIONS if word == "log" else {"packets", "bytes", "name"}
        while self.word() in options and self.peek(1) is not None:
            option = self.take().text
            self.take()
            if option == "flags":
                while self.word() in LOG_FLAG_WORDS and self.peek() is not None:
                    self.take()

    def set_statement(self, lead: str, parts: Parts, *, taken: bool = False) -> None:
        """``X set VALUE``: the value is an expression of its own, up to a verdict."""
        if not taken:
            self.take()
        depth = 0
        while self.peek() is not None:
            w = self.word()
            if depth == 0 and (w in VERDICTS or w in QUIET or w in OPAQUE):
                break
            tok = self.take()
            depth += tok.is_("{") - tok.is_("}")
        if lead not in HARMLESS_SET:
            parts.target = Target(Verb.UNKNOWN, name=f"{lead} set: rewrites the packet")

    # --- verdicts ----------------------------------------------------------------------

    def verdict(self, parts: Parts) -> None:
        target = self.verdict_target()
        if target.verb is Verb.REJECT:
            # ``reject with`` a kind of answer implies the packets it can answer (nft adds
            # the dependency to the rule: the rule matches nothing else)
            how = target.name.split()[2:3]
            family = self.env.table.family
            if how == ["icmpx"] and family != "inet":
                raise self.fail(
                    f"reject with icmpx in a table of family {family}: only inet has it"
                )
            if how == ["icmp"]:
                parts.restrict("src", addresses.ALL_V4)
            elif how == ["icmpv6"]:
                parts.restrict("src", addresses.ALL_V6)
            elif how == ["tcp"]:
                parts.restrict("proto", IntervalSet.point(6))
        if parts.target is None:
            parts.target = target

    def verdict_target(self) -> Target:
        word = self.take().text
        if word in ("jump", "goto"):
            tok = self.peek()
            if tok is None:
                raise self.fail(f"{word}: no chain named")
            self.take()
            key = self.env.chain_key.get(tok.text)
            if key is None:
                raise self.fail(
                    f"{word} {tok.text}: no chain {tok.text} in table {self.env.table.key}"
                )
            return Target(Verb.JUMP if word == "jump" else Verb.GOTO, key, f"{word} {tok.text}")
        if word == "reject":
            words = ["reject"]
            if self.word() == "with":
                while self.peek() is not None and self.word() not in QUIET:
                    words.append(self.take().text)
            return Target(Verb.REJECT, name=" ".join(words))
        verb = {"accept": Verb.ACCEPT, "drop": Verb.DROP, "continue": Verb.CONTINUE}.get(word)
        return Target(verb or Verb.RETURN, name=word)

    # --- matches -----------------------------------------------------------------------

    def match(self, sel: Selector, parts: Parts) -> None:
        keys = [sel]
        while self.word() == ".":
            self.take()
            nxt = self.selector_at()
            if nxt is None:
                raise self.fail("a concatenation of something exaudit does not read")
            self.i += len(nxt.words.split())
            keys.append(nxt)
        if self.word() == "&" and sel.kind == "flags" and len(keys) == 1:
            self.take()
            mask = self.bits()
            op = self.take().text if self.word() in OPS else "=="
            self.apply(parts, sel, masked(mask, op, self.bits()))
            return
        if self.word() == "vmap":
            self.take()
            self.alternatives(parts, keys, self.set_elements(), is_map=True)
            return
        op = self.take().text if self.word() in OPS else ""
        tok = self.peek()
        if tok is None:
            raise self.fail(f"{sel.words}: no value")
        if len(keys) > 1:
            if op not in ("", "==", "eq"):
                parts.unknown.append(f"{op} on a concatenation")
                self.skip_value()
                return
            self.alternatives(parts, keys, self.set_elements(), is_map=False)
            return
        if tok.text == "{" or tok.text.startswith("@"):
            elements = self.set_elements()
            if elements is None:
                parts.unknown.append(f"{sel.words} {tok.text} (a set whose contents change)")
                return
            if sel.kind in ("iface", "ifindex"):
                names = [" ".join(t.text for t in e) for e in elements]
                if op in ("", "==", "eq") or op in NEGATE:
                    self.set_iface(sel, names, op in NEGATE, parts)
                else:
                    parts.unknown.append(f"{sel.words} {op} a set")
                return
            got = IntervalSet()
            for element in elements:
                got = got | self.element(sel, element, parts)
            if op in ("", "==", "eq"):
                self.apply(parts, sel, got)
            elif op in NEGATE:
                self.apply(parts, sel, space(sel) - got, negate=True)
            else:
                parts.unknown.append(f"{sel.words} {op} a set")
            return
        words = [self.take().text]
        if sel.kind in ("flags", "state"):
            while self.word() in (",", "|") and self.peek(1) is not None:
                self.take()
                words.append(self.take().text)
            if sel.kind == "flags" and self.word() == "/":
                self.take()
                mask = self.bits()
                self.apply(parts, sel, masked(mask, op or "==", bits(words)))
                return
        self.single(sel, op, words, parts)

    def bits(self) -> int:
        words = []
        if self.word() == "(":
            self.take()
            while self.peek() is not None and self.word() != ")":
                words.append(self.take().text)
            self.take() if self.peek() is not None else None
        else:
            words.append(self.take().text)
            while self.word() in (",", "|") and self.peek(1) is not None:
                self.take()
                words.append(self.take().text)
        return bits(words)

    def single(self, sel: Selector, op: str, words: list[str], parts: Parts) -> None:
        if sel.kind in ("iface", "ifindex"):
            self.iface(sel, op, words, parts)
            return
        try:
            if sel.kind == "flags" and op == "":
                got = bitmask_any(bits(words))
            elif sel.kind == "state" and len(words) > 1:
                got = IntervalSet()
                for w in words:
                    got = got | value(sel, [w])
            else:
                got = value(sel, words)
        except ValueError as exc:
            parts.unknown.append(f"{sel.words} {' '.join(words)} ({exc})")
            return
        if op in ("", "==", "eq"):
            self.apply(parts, sel, got)
        elif op in NEGATE:
            self.apply(parts, sel, space(sel) - got, negate=True)
        else:
            self.apply(parts, sel, compare(sel, op, got))

    def element(self, sel: Selector, toks: list[Token], parts: Parts) -> IntervalSet:
        try:
            return value(sel, [t.text for t in toks])
        except ValueError as exc:
            parts.unknown.append(f"{sel.words} element {' '.join(t.text for t in toks)} ({exc})")
            return IntervalSet()

    def apply(self, parts: Parts, sel: Selector, got: IntervalSet, negate: bool = False) -> None:
        if sel.kind == "state" and self.env.conntrack == "both":
            parts.unknown.append("ct state in a chain reached both before and after conntrack")
            return
        if sel.kind == "state" and self.env.conntrack == "before":
            # no conntrack entry yet: the kernel reads the state as invalid
            hit = int(State.INVALID) in got
            parts.restrict("state", STATES if hit else IntervalSet())
            return
        if sel.proto is not None:
            parts.restrict("proto", IntervalSet.point(sel.proto))
        if sel.version is not None:
            parts.restrict("src", addresses.ALL_V4 if sel.version == 4 else addresses.ALL_V6)
        if sel.any_l4:
            parts.any_l4 = True
        dim = "src" if sel.dim == "family" else sel.dim
        parts.restrict(dim, got)

    def iface(self, sel: Selector, op: str, words: list[str], parts: Parts) -> None:
        if op not in ("", "==", "eq") and op not in NEGATE:
            parts.unknown.append(f"{sel.words} {op} {' '.join(words)}")
            return
        names = list(words)
        self.set_iface(sel, names, op in NEGATE, parts)

    def set_iface(self, sel: Selector, names: list[str], negated: bool, parts: Parts) -> None:
        patterns = []
        for name in names:
            if name == "*" and sel.kind == "iface":
                raise self.fail("all-wildcard interface names are not supported (nft refuses them)")
            pattern = iface_pattern(name, sel.kind == "iface")
            if pattern is None:
                parts.unknown.append(f"{sel.words} {name}")
                return
            patterns.append(pattern)
        have = parts.iif if sel.dim == "iif" else parts.oif
        if have is not None and not (have.negated and negated):
            parts.unknown.append(f"{sel.words} {' '.join(names)} (a second interface match)")
            return
        if have is not None:  # not A and not B: not (A or B)
            patterns = list(dict.fromkeys(have.patterns + tuple(patterns)))
        found = IfaceMatch(tuple(patterns), negated)
        if sel.dim == "iif":
            parts.iif = found
        else:
            parts.oif = found

    # --- sets and maps -----------------------------------------------------------------

    def set_elements(self) -> list[list[Token]] | None:
        """An anonymous set's elements, or a named set's; None when its contents change."""
        from exaudit.platforms.nftables.script import elements

        tok = self.peek()
        if tok is None:
            raise self.fail("expected a set")
        if tok.text.startswith("@"):
            self.take()
            found: SetDef | None = self.env.table.sets.get(tok.text[1:])
            if found is None:
                raise self.fail(f"set {tok.text} is not defined in table {self.env.table.key}")
            return None if found.dynamic else found.elements
        if not tok.is_("{"):
            raise self.fail(f"expected a set, not {tok.text!r}")
        start = self.i
        depth = 0
        while self.peek() is not None:
            t = self.take()
            depth += t.is_("{") - t.is_("}")
            if depth == 0:
                break
        try:
            return elements(self.toks[start : self.i], tok)
        except InputError as exc:
            raise self.fail(exc.message) from None

    def alternatives(
        self,
        parts: Parts,
        keys: list[Selector],
        elements: list[list[Token]] | None,
        *,
        is_map: bool,
    ) -> None:
        what = " . ".join(k.words for k in keys)
        if elements is None:
            if is_map:
                parts.target = Target(Verb.UNKNOWN, name=f"{what} vmap: its contents change")
                self.i = len(self.toks)
            else:
                parts.unknown.append(f"{what} in a set whose contents change")
            return
        if parts.alternatives is not None or any(k.kind in ("iface", "ifindex") for k in keys):
            if is_map:
                parts.target = Target(Verb.UNKNOWN, name=f"{what} vmap exaudit cannot read")
            else:
                parts.unknown.append(f"{what} (a second set of elements in one rule)")
            return
        out: list[tuple[dict[str, IntervalSet], Target | None]] = []
        for element in elements:
            key_toks, target = self.map_element(element) if is_map else (element, None)
            pieces = split(key_toks, ".")
            if len(pieces) != len(keys):
                raise self.fail(f"element {' '.join(t.text for t in element)} does not fit {what}")
            dims: dict[str, IntervalSet] = {}
            for sel, piece in zip(keys, pieces, strict=True):
                try:
                    got = value(sel, [t.text for t in piece])
                except ValueError as exc:
                    if is_map:
                        parts.target = Target(Verb.UNKNOWN, name=f"{what} vmap element ({exc})")
                        self.i = len(self.toks)
                    else:
                        parts.unknown.append(f"{what} element ({exc})")
                    return
                extra = Parts()
                self.apply(extra, sel, got)
                if extra.unknown and is_map:
                    parts.target = Target(Verb.UNKNOWN, name="; ".join(extra.unknown))
                    self.i = len(self.toks)
                    return
                if extra.unknown:
                    parts.unknown.extend(extra.unknown)
                    return
                for dim, s in extra.dims.items():
                    dims[dim] = dims[dim] & s if dim in dims else s
                parts.any_l4 = parts.any_l4 or extra.any_l4
            out.append((dims, target))
        parts.alternatives = out

    def map_element(self, toks: list[Token]) -> tuple[list[Token], Target]:
        colon = next((j for j, t in enumerate(toks) if t.text == ":"), None)
        if colon is None:  # ``22:accept`` read as one word
            head = toks[0]
            key, _, verdict = head.text.rpartition(":")
            if not key or verdict not in VERDICTS:
                raise self.fail(f"map element {head.text!r} has no ': verdict'")
            rest = list(toks[1:])
            toks = [Token(WORD, key, head.line, head.file), Token(WORD, ":", head.line, head.file)]
            toks += [Token(WORD, verdict, head.line, head.file)] + rest
            colon = 1
        saved = (self.toks, self.words, self.i)
        self.load(toks[colon + 1 :])
        try:
            if self.word() not in VERDICTS:
                raise self.fail(f"map element has no verdict: {' '.join(t.text for t in toks)}")
            target = self.verdict_target()
        finally:
            self.toks, self.words, self.i = saved
        return toks[:colon], target
