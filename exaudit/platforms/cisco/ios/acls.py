"""IOS access lists as edited line by line: entries, sequence numbers, removals."""

from __future__ import annotations

from exaudit.core.model import Origin, Rule, Verb
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import Block, ParseError, Tokens
from exaudit.platforms.cisco.ios.ace import AceReader
from exaudit.platforms.cisco.ios.model import Acl, Entry
from exaudit.platforms.cisco.ios.tables import (
    FRAGMENTS_ONLY,
    NAMED_SETTINGS,
    NO_EFFECT,
    family_space,
    numbered_kind,
)


class AclReader(AceReader):
    """Numbered and named lists, their entries, and every way of undoing them."""

    def _acl(self, family: int, name: str, kind: str, numbered: bool, index: int) -> Acl:
        key = (family, name)
        acl = self.acls.get(key)
        if acl is None:
            acl = Acl(name, family, kind, numbered, index)
            self.acls[key] = acl
        return acl

    def _numbered(self, index: int, words: list[str]) -> None:
        if len(words) < 3:
            self._ace_line(index)
            raise ParseError("incomplete access-list line")
        name = words[1]
        kind = numbered_kind(name)
        if kind is None:
            self._ace_line(index)
            if words[2].lower() in ("extended", "standard", "line"):
                raise ParseError("not IOS syntax (ASA or NX-OS style access-list line)")
            raise ParseError(f"access-list {name} is not an IP access list")
        acl = self._acl(4, name, kind, True, index)
        self._entry(acl, index, Tokens(words[2:]), seq=None)

    def _named(self, obj: Block, words: list[str], family: int) -> None:
        kind = "extended"
        if words and words[0].lower() == "resequence":
            self._resequence(obj.linenum, family, words[1:])
            return
        if words and words[0].lower() in ("standard", "extended"):
            kind = words[0].lower()
            words = words[1:]
        elif words and words[0].lower() in NAMED_SETTINGS:
            return  # global ACL settings, or kinds that do not filter interface traffic
        if len(words) != 1:
            raise ParseError("expected one ACL name")
        name = words[0]
        if family == 4 and kind == "extended" and obj.text.split()[2:3] == [name]:
            # ``ip access-list NAME`` without a type is EOS/NX-OS syntax: extended
            self.ctx.note(obj.linenum, f"ip access-list {name} has no type; read as extended")
        acl = self._acl(family, name, kind, False, obj.linenum)
        for child in obj.children:
            self._child_entry(acl, child)

    def _child_entry(self, acl: Acl, child: Block) -> None:
        words = child.text.split()
        if not words or words[0].startswith("!"):
            return
        seq = None
        try:
            low = words[0].lower()
            if low == "no":
                self._no_child(acl, child.linenum, words[1:])
                return
            if low == "sequence":  # IPv6: ``sequence 10 permit ...``
                seq = cc.number(words[1] if len(words) > 1 else "", 1, 2**32 - 1, "sequence")
                words = words[2:]
            elif cc.DIGITS.match(words[0]):
                seq = cc.number(words[0], 1, 2**32 - 1, "sequence")
                words = words[1:]
            if (
                acl.family == 6
                and len(words) >= 3
                and words[-2].lower() == "sequence"
                and words[0].lower() != "remark"
            ):
                # IPv6 running-configs put the sequence number last
                seq = cc.number(words[-1], 1, 2**32 - 1, "sequence")
                words = words[:-2]
        except ParseError as exc:
            self._ace_line(child.linenum)
            self.ctx.not_understood(child.linenum, str(exc))
            return
        self._entry(acl, child.linenum, Tokens(words), seq)

    def _ace_line(self, index: int) -> None:
        self.ctx.ace_lines.add(index)

    # undoing ACLs and entries ---------------------------------------------------------

    def _no_numbered(self, index: int, words: list[str]) -> None:
        """``no access-list N`` deletes list N (IOS command reference). With an entry after
        the number, old releases delete the whole list and later ones may delete only that
        entry: the reference documents neither, so every entry above may be gone."""
        if len(words) < 2:
            raise ParseError("incomplete 'no access-list' line")
        acl = self.acls.get((4, words[1]))
        if len(words) == 2:
            self.acls.pop((4, words[1]), None)
            return
        if acl is None or not acl.has_aces():
            return  # nothing above it that it could remove
        self.ctx.not_understood(
            index,
            f"'no access-list {words[1]}' followed by an entry: "
            "IOS releases differ (the whole list or one entry is "
            "deleted); the entries above it are undetermined",
        )
        self._doubt_all(
            acl,
            index,
            f"line {index + 1} may have deleted it (no access-list "
            f"{words[1]} ...: IOS releases differ)",
            renumber=True,
        )

    def _remove(self, index: int, words: list[str]) -> None:
        """``no ip access-list [standard|extended] NAME`` and ``no ipv6 access-list NAME``."""
        family = 6 if words[0].lower() == "ipv6" else 4
        rest = words[2:]
        if rest and rest[0].lower() in ("standard", "extended"):
            rest = rest[1:]
        elif not rest or rest[0].lower() in NAMED_SETTINGS | {"resequence"}:
            return  # settings and kinds exaudit does not model
        if len(rest) != 1:
            raise ParseError("expected 'no ip access-list [standard|extended] NAME'")
        self.acls.pop((family, rest[0]), None)

    def _resequence(self, index: int, family: int, words: list[str]) -> None:
        """``ip access-list resequence NAME START STEP`` renumbers the entries in order."""
        if len(words) != 3:
            raise ParseError("expected 'resequence NAME START INCREMENT'")
        start = cc.number(words[1], 1, 2**31 - 1, "starting sequence number")
        step = cc.number(words[2], 1, 2**31 - 1, "increment")
        acl = self.acls.get((family, words[0]))
        if acl is None:
            return
        ordered = sorted(acl.entries, key=lambda e: e.seq)
        seq = 0
        first_doubt = None
        for entry in ordered:
            if not entry.remark:
                seq = start if seq == 0 else seq + step
                if entry.doubt_at is not None and first_doubt is None:
                    first_doubt = seq
            entry.seq = seq  # a remark keeps its place after the entry before it
        acl.entries = ordered
        if acl.renumbered is not None:
            first_doubt = min(first_doubt or start, start)
        if first_doubt is not None:
            # which numbers the entries after a possibly missing one got is undetermined
            acl.renumbered = (first_doubt, index)

    def _no_child(self, acl: Acl, index: int, words: list[str]) -> None:
        """``no SEQ`` / ``no sequence SEQ`` / ``no permit ...`` inside a named list."""
        low = [w.lower() for w in words]
        if low[:1] == ["sequence"]:
            words, low = words[1:], low[1:]
        if not words:
            raise ParseError("incomplete 'no' line")  # IOS rejects it: nothing changes
        if words and cc.DIGITS.match(words[0]):
            self._no_seq(acl, index, cc.number(words[0], 1, 2**32 - 1, "sequence"), len(words) > 1)
            return
        if low[:1] in (["permit"], ["deny"], ["remark"], ["evaluate"], ["dynamic"]):
            self._no_text(acl, index, words)
            return
        self.ctx.not_understood(
            index,
            f"'no {' '.join(words)}' is not understood; the entries of {acl.name} are undetermined",
        )
        self._doubt_all(
            acl,
            index,
            f"line {index + 1} ({self.ctx.lines[index].strip()}) "
            "may have removed it (not understood)",
        )

    def _no_seq(self, acl: Acl, index: int, seq: int, more: bool) -> None:
        """``no SEQ`` deletes the entry with that number (IOS sequence numbering)."""
        renumbered = acl.renumbered is not None and seq >= acl.renumbered[0]
        if not renumbered and not more:
            for entry in acl.at(seq):
                acl.remove(entry)
            return
        if acl.renumbered is not None and renumbered:
            first, cause = acl.renumbered
            self.ctx.not_understood(
                index,
                f"which entry of {acl.name} has sequence {seq} is "
                f"undetermined (line {cause + 1}); the entries it may "
                "be are undetermined",
            )
            hit = [e for e in acl.entries if not e.remark and e.seq >= first]
        else:
            # ``no 10 permit ...``: whether IOS goes by the number or the text is not
            # documented
            self.ctx.not_understood(
                index,
                f"'no {seq}' followed by more words is not modelled; entry {seq} is undetermined",
            )
            hit = [e for e in acl.at(seq) if not e.remark]
        for entry in hit:
            self._doubt(acl, entry, index, f"line {index + 1} may have removed it")

    def _no_text(self, acl: Acl, index: int, words: list[str]) -> None:
        """``no permit ...``: IOS removes the entry it equals (IP Access List Entry Sequence
        Numbering). Written the same way: removed. Matching the same packets, written
        differently: IOS may or may not take it as equal, so it is undetermined."""
        if words[-2:-1] and words[-2].lower() == "sequence" and acl.family == 6:
            words = words[:-2]
        text = " ".join(words)
        if words[0].lower() == "remark":
            for entry in acl.entries:
                if entry.remark and entry.text == text:
                    acl.remove(entry)
                    return
            return
        sig = self._quiet_sig(acl, index, words)
        exact = acl.texts.get(text)
        if exact is not None:
            acl.remove(exact)
        if sig is None:
            # the line itself is not understood: any entry may be the one it names
            self.ctx.not_understood(
                index, f"'no {text}' is not understood; the entries of {acl.name} are undetermined"
            )
            self._doubt_all(acl, index, f"line {index + 1} may have removed it")
            return
        twins = [e for e in acl.sigs.get(sig, ()) if e is not exact]
        if twins:
            self.ctx.not_understood(
                index,
                f"'no {text}' names an entry written differently "
                f"(line {twins[0].index + 1}); whether IOS takes them as "
                "equal is not modelled",
            )
            for entry in twins:
                self._doubt(
                    acl,
                    entry,
                    index,
                    f"line {index + 1} may have removed it (the same entry, written differently)",
                )
        elif exact is None:
            self.ctx.note(index, f"'no {text}' names no entry of {acl.name}: IOS changes nothing")

    def _quiet_sig(self, acl: Acl, index: int, words: list[str]) -> tuple | None:
        """The signature of an entry a ``no`` line names (None if it is not understood);
        the entry is read only to compare, so what reading it reports is dropped."""
        left = self.masks.left  # nor does it count against the masks' budget
        with self.ctx.quiet():
            try:
                rules = self._ace(acl, self.ctx.origin(index), Tokens(words))
            except ParseError:
                return None
            finally:
                self.masks.left = left
        return signature(rules, " ".join(words))

    def _doubt(self, acl: Acl, entry: Entry, index: int, why: str) -> None:
        """``entry`` may no longer be in ``acl`` because of line ``index``."""
        if entry.doubt_at is None:
            entry.doubt_at = index
        entry.rules = cc.doubtful(entry.rules, why)
        self.ctx.not_modelled(entry.index, why)

    def _doubt_all(self, acl: Acl, index: int, why: str, renumber: bool = False) -> None:
        seqs = [e.seq for e in acl.entries if not e.remark]
        for entry in acl.entries:
            if not entry.remark:
                self._doubt(acl, entry, index, why)
        if seqs and renumber:
            # the list may have been deleted: entries added later may be numbered anew
            first = min(seqs) if acl.renumbered is None else min(min(seqs), acl.renumbered[0])
            acl.renumbered = (first, index)

    # one entry --------------------------------------------------------------------------

    def _entry(self, acl: Acl, index: int, toks: Tokens, seq: int | None) -> None:
        word = toks.peek_lower()
        text = " ".join(toks.words[toks.i :])
        if word == "remark":
            # an unnumbered remark belongs to the entry after it and takes no number
            last = acl.last_seq()
            acl.add(Entry(seq if seq is not None else last, index, [], remark=True, text=text))
            return
        self._ace_line(index)
        explicit = seq is not None
        seq = seq if seq is not None else acl.next_seq()
        origin = self.ctx.origin(index)
        if explicit and acl.renumbered is not None and seq >= acl.renumbered[0]:
            self._misplaced(acl, index, seq, origin)
            return
        taken = [e for e in acl.at(seq) if not e.remark]
        if any(e.doubt_at is None for e in taken):
            self.ctx.not_understood(
                index, f"duplicate sequence number {seq} in {acl.name} (IOS rejects this entry)"
            )
            return
        same = acl.texts.get(text)
        if same is not None and same.doubt_at is None:
            # "an entry that matches an already existing entry (except for the sequence
            # number)": IOS makes no change
            self.ctx.note(index, f"the same entry as line {same.index + 1}: IOS makes no change")
            return
        try:
            rules = self._ace(acl, origin, toks)
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))
            verb = {"permit": Verb.ACCEPT, "deny": Verb.DROP}.get(word or "")
            rules = [
                cc.unknown_rule(
                    origin, verb, f"not understood: {exc}", space=family_space(acl.family)
                )
            ]
        kept = rules
        if any(FRAGMENTS_ONLY in r.unknown for r in rules):
            self.ctx.note(
                index,
                "'fragments': this entry matches only non-initial fragments; the packets "
                "exaudit asks about (a new connection's first packet and its replies) "
                "never are, so it matches none of them",
            )
            kept = []
        entry = Entry(seq, index, kept, text=text, sig=signature(rules, text))
        twins = acl.sigs.get(entry.sig, [])
        if twins and not (rules and rules[0].target.verb is Verb.UNKNOWN):
            entry.twin = twins[0]  # settled once the list is complete
        acl.add(entry)
        for other in taken + ([same] if same is not None else []):
            # IOS accepts it only if that entry is gone
            self._doubt(
                acl,
                entry,
                other.doubt_at or index,
                f"IOS adds it only if line "
                f"{other.index + 1} is gone (line {(other.doubt_at or 0) + 1} may "
                "have removed that one)",
            )

    def _misplaced(self, acl: Acl, index: int, seq: int, origin: Origin) -> None:
        """An entry whose place is undetermined (the list's numbering is): nothing after
        the earliest place it may take is decided for sure."""
        assert acl.renumbered is not None  # only a renumbered list misplaces entries
        first, cause = acl.renumbered
        why = (
            f"entry {seq}: where it goes is undetermined (line {cause + 1} may have "
            "deleted or renumbered entries before it)"
        )
        self.ctx.not_understood(index, why)
        rule = cc.unknown_rule(origin, None, why, space=family_space(acl.family))
        acl.add(
            Entry(
                min(seq, first),
                index,
                [rule],
                text=f"{seq} (undetermined place)",
                sig=signature([rule], why),
            )
        )

    def _settle_twins(self, acl: Acl) -> None:
        """An entry IOS may have taken for one already in the list (written differently)
        made no change, or was added: that matters where it comes first, or where the
        other one was removed later."""
        for entry in acl.entries:
            twin = entry.twin
            if twin is None or entry.doubt_at is not None:
                continue
            if twin.gone or twin.seq > entry.seq or twin.doubt_at is not None:
                where = (
                    "was removed"
                    if twin.gone
                    else "comes after it"
                    if twin.seq > entry.seq
                    else "may be gone"
                )
                self._doubt(
                    acl,
                    entry,
                    entry.index,
                    f"IOS may have taken it for the entry "
                    f"of line {twin.index + 1} (written differently), which {where}: "
                    "whether IOS added it is not modelled",
                )


def signature(rules: list[Rule], text: str) -> tuple:
    """What an entry matches and does, and its logging words: IOS compares whole entries,
    so two entries with equal signatures may be one entry to IOS, written differently."""
    logs = tuple(sorted(w for w in text.lower().split() if w in NO_EFFECT))
    return tuple((r.match, r.target.verb, r.unknown) for r in rules), logs
