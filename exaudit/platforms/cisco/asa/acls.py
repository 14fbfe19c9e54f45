"""ASA access lists as edited line by line: entries, ``line N``, removals."""

from __future__ import annotations

from exaudit.core.model import IssueKind, Verb
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.ace import AceReader
from exaudit.platforms.cisco.asa.model import Acl, Entry, signature
from exaudit.platforms.cisco.asa.tables import DISPLAY_NOISE
from exaudit.platforms.cisco.common import Block, ParseError, Tokens


class AclReader(AceReader):
    """``access-list`` lines and every way of undoing them."""

    def _access_list(self, obj: Block, words: list[str]) -> None:
        index = obj.linenum
        if obj.children:
            self.ctx.note(
                index,
                "indented lines under an access-list line (show "
                "access-list expansions) are ignored; the line itself is read",
            )
        words = [w for w in words if not DISPLAY_NOISE.match(w)]
        if len(words) >= 2 and (words[1].endswith(";") or words[1] == "cached"):
            self.ctx.note(index, "show access-list summary line: not configuration; ignored")
            return
        if len(words) < 3:
            self.ctx.ace_lines.add(index)
            self.ctx.not_understood(index, "incomplete access-list line")
            return
        name = words[1]
        try:
            position, toks = line_number(words)
        except ParseError as exc:
            self.ctx.ace_lines.add(index)
            self.ctx.not_understood(index, str(exc))
            return
        kind = toks.peek_lower()
        text = " ".join(toks.words[toks.i :])
        if kind == "remark":
            self._add(name, index, Entry(index, [], remark=True, text=text), position)
            return
        if kind in ("ethertype", "webtype"):
            self.ctx.note(
                index,
                f"{kind} access list {name} does not filter IP traffic "
                "the way exaudit evaluates it; ignored",
            )
            return
        self.ctx.ace_lines.add(index)
        entry = self._read_ace(index, toks)
        entry.text = text
        self._add(name, index, entry, position)

    def _read_ace(self, index: int, toks: Tokens) -> Entry:
        """An extended or standard entry; a line not understood is an entry of unknown
        effect (its verb kept when known)."""
        kind = toks.peek_lower()
        origin = self.ctx.origin(index)
        verb = None
        try:
            if kind not in ("extended", "standard"):
                raise ParseError(f"unknown access-list type {kind!r}")
            toks.take()
            verb = {"permit": Verb.ACCEPT, "deny": Verb.DROP}.get(toks.peek_lower() or "")
            return (
                self._extended(origin, toks) if kind == "extended" else self._standard(origin, toks)
            )
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))
            return Entry(
                index, [cc.unknown_rule(origin, verb, f"not understood: {exc}", stateful=True)]
            )

    def _add(self, name: str, index: int, entry: Entry, position: int | None) -> None:
        acl = self.acls.setdefault(name, Acl(name, index))
        if position is None or position > len(acl.entries):
            acl.add(entry)
            return
        if acl.doubts and any(e.doubt_at is not None for e in acl.entries[: position - 1]):
            # line N counts entries that may be gone: where this one lands is undetermined,
            # so nothing from the earliest place it may take on is decided for sure
            why = (
                f"line {position}: its place is undetermined (an entry before it may "
                "have been removed)"
            )
            self.ctx.not_understood(index, why)
            entry = Entry(
                index,
                [cc.unknown_rule(self.ctx.origin(index), None, why, stateful=True)],
                text=entry.text,
            )
            position = next(i for i, e in enumerate(acl.entries, 1) if e.doubt_at is not None)
        acl.add(entry, position)

    # undoing lists and bindings ---------------------------------------------------------

    def _no_access_list(self, obj: Block, words: list[str]) -> None:
        """``no access-list NAME ...`` with "the entire command syntax string as it appears
        in the configuration" deletes that entry (ASA configuration guide). Written the
        same way: deleted. Matching the same packets, written differently, or not
        understood: whether the ASA deletes it is undetermined."""
        index = obj.linenum
        words = [w for w in words[1:] if not DISPLAY_NOISE.match(w)]
        if len(words) < 2:
            raise ParseError("incomplete 'no access-list' line")
        acl = self.acls.get(words[1])
        if acl is None:
            return  # no such list: nothing to delete
        if len(words) == 2:
            # not documented (the guide removes a list with clear configure access-list)
            self.ctx.not_understood(
                index,
                f"'no access-list {acl.name}' without an entry is "
                "not documented; the list's entries are undetermined",
            )
            for entry in acl.entries:
                self._doubt(acl, entry, index, f"line {index + 1} may have deleted it")
            return
        position, toks = line_number(words)
        kind = toks.peek_lower()
        text = " ".join(toks.words[toks.i :])
        if kind in ("ethertype", "webtype"):
            return  # lists exaudit does not read
        same = acl.written(text, kind == "remark")
        at = acl.entries[position - 1] if position and position <= len(acl.entries) else None
        if kind == "remark":
            if same:
                self._remove_entry(acl, same[0], index)
            return
        sig = self._quiet_sig(index, toks)
        if len(same) == 1 and (position is None or at is same[0]):
            self._remove_entry(acl, same[0], index)
            same = []
        # the entries written the same way, or matching the same packets, or (when the
        # line is not understood) any, of those no line may have removed already
        if sig is None:
            twins = acl.sure(None)
        else:
            written = [e for e in same if not e.remark and e.doubt_at is None]
            twins = acl.in_order(dict.fromkeys([*written, *acl.sure(sig)]))
        if twins:
            self.ctx.not_understood(
                index,
                f"whether 'no access-list {acl.name} {text}' "
                f"deletes line {twins[0].index + 1} (written differently, "
                "or not understood) is not modelled; the entries it may "
                "name are undetermined",
            )
            for entry in twins:
                self._doubt(acl, entry, index, f"line {index + 1} may have deleted it")

    def _quiet_sig(self, index: int, toks: Tokens) -> tuple | None:
        """The signature of the entry a ``no`` line names (None if not understood); it is
        read only to compare, so what reading it reports is dropped."""
        left = self.masks.left  # nor does it count against the masks' budget
        with self.ctx.quiet() as said:
            entry = self._read_ace(index, toks)
        self.masks.left = left
        return None if any(i.kind is IssueKind.UNPARSED for i in said) else signature(entry)

    def _doubt(self, acl: Acl, entry: Entry, index: int, why: str) -> None:
        """``entry`` may no longer be in ``acl`` because of line ``index``."""
        if entry.doubt_at is None:
            entry.doubt_at = index
            acl.doubts += 1
            acl.doubted(entry)
        entry.rules = cc.doubtful(entry.rules, why)
        if not entry.remark:
            self.ctx.not_modelled(entry.index, why)

    def _remove_entry(self, acl: Acl, entry: Entry, index: int) -> None:
        acl.remove(entry)
        if entry.doubt_at is not None:
            acl.doubts -= 1
        if not acl.entries:
            # a list without entries no longer exists
            self._drop_acl(acl.name, index)

    def _drop_acl(self, name: str, index: int) -> None:
        """List ``name`` is gone at line ``index``: what the ASA does with access-groups
        naming it is not documented, so they may or may not still be in effect."""
        self.acls.pop(name, None)
        bound = [b for b in self.bindings.values() if b.acl == name]
        for binding in bound:
            binding.doubt = binding.doubt or f"line {index + 1} deleted access-list {name}"
        if bound:
            self.ctx.not_understood(
                index,
                f"access-list {name} is bound by an access-group: "
                "what happens to the access-group when the list is "
                "deleted is not modelled; its verdicts are undetermined",
            )

    def _clear_access_lists(self, obj: Block, words: list[str]) -> None:
        """``clear configure access-list [NAME]`` removes the list (or every list)."""
        names = words[3:4] or list(self.acls)
        for name in names:
            if name in self.acls:
                self._drop_acl(name, obj.linenum)


def line_number(words: list[str]) -> tuple[int | None, Tokens]:
    """``access-list NAME [line N] ...``: N (None without it) and the words after it."""
    toks = Tokens(words[2:])
    position = None
    if toks.take_if("line"):
        position = cc.number(toks.take("a line number"), 1, 2**31, "line")
    return position, toks
