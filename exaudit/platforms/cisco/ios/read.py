"""IOS configuration text to ACL chains, interface attachments and issues."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMPV6, InterfaceNetwork, Match, Origin, Rule, Target, Verb
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import Block, ParseError
from exaudit.platforms.cisco.ios.acls import AclReader
from exaudit.platforms.cisco.ios.interfaces import InterfaceReader, interface_names
from exaudit.platforms.cisco.ios.model import IosRuleset
from exaudit.platforms.cisco.ios.tables import ICMP6_NAMES, NO_FORMS, family_space


class _Parser(AclReader, InterfaceReader):
    """One configuration read in order: groups first, then everything else."""

    def run(self) -> IosRuleset:
        tops = self.conf.top
        # object-groups first: ACLs may name groups defined further down
        for obj in tops:
            words = obj.text.split()
            if words[:1] == ["object-group"]:
                self._object_group(obj, words)
            elif words[:2] == ["no", "object-group"]:
                self._no_object_group(obj.linenum, words[1:])
        for obj in tops:
            self._top(obj)
        self._finish()
        return self.ruleset

    def _top(self, obj: Block) -> None:
        text = obj.text
        words = text.split()
        if not words or words[0].startswith("!"):
            return
        head = words[0].lower()
        try:
            if head == "access-list":
                self._numbered(obj.linenum, words)
            elif head == "ip" and words[1:2] == ["access-list"]:
                self._named(obj, words[2:], 4)
            elif head == "ipv6" and words[1:2] == ["access-list"]:
                self._named(obj, words[2:], 6)
            elif head == "no" and len(words) > 1:
                self._no(obj.linenum, words[1:])
            elif head == "interface" and len(words) >= 2:
                self._interface_block(obj, words[1:])
            elif head == "default" and words[1:2] == ["interface"] and len(words) >= 3:
                for name in interface_names(words[2:]):
                    self._default_interface(name)
        except ParseError as exc:
            self.ctx.not_understood(obj.linenum, str(exc))

    def _no(self, index: int, words: list[str]) -> None:
        """A global ``no`` form: those that undo something exaudit models (NO_FORMS)."""
        low = [w.lower() for w in words]
        for size in (2, 1):
            handler = NO_FORMS.get(tuple(low[:size]))
            if handler is not None:
                getattr(self, handler)(index, words)
                return
        # any other ``no`` form turns off something exaudit does not model

    # ACL definitions ------------------------------------------------------------------

    def _finish(self) -> None:
        rs = self.ruleset
        taken: set[str] = set()
        for (family, name), acl in sorted(self.acls.items(), key=lambda kv: kv[0]):
            key = name if name not in taken else f"{name} (ipv6)"
            taken.add(key)
            acl.key = key
            self._settle_twins(acl)
            chain = cc.acl_chain(key)
            for entry in sorted(acl.entries, key=lambda e: e.seq):
                chain.rules.extend(entry.rules)
            if family == 6 and acl.has_aces():
                chain.rules.extend(_implicit_nd(self.ctx.origin(acl.index)))
            aces = [e for e in acl.entries if not e.remark]
            if aces and all(e.doubt_at is not None for e in aces):
                # if every entry is gone the list is empty, and IOS permits all through it
                cause = min(e.doubt_at for e in aces if e.doubt_at is not None)
                chain.rules.append(
                    cc.unknown_rule(
                        self.ctx.origin(cause),
                        None,
                        f"every entry of {name} may be gone (line "
                        f"{cause + 1}): an empty list permits all",
                        space=family_space(family),
                    )
                )
            rs.chains[key] = chain
        for iface in self.interfaces.values():
            for (direction, family), att in iface.groups.items():
                attached = self.acls.get((family, att.acl))
                kind = "ip access-group" if family == 4 else "ipv6 traffic-filter"
                if attached is None:
                    self.ctx.note(
                        att.index,
                        f"{kind} {att.acl} {direction} on {iface.name}: "
                        "the ACL is not defined, so IOS permits all traffic",
                    )
                elif not attached.has_aces():
                    self.ctx.note(
                        att.index,
                        f"{kind} {att.acl} {direction} on {iface.name}: "
                        "the ACL has no entries, so IOS permits all traffic",
                    )
        rs.interfaces = self.interfaces
        rs.interface_networks = {
            name: [
                InterfaceNetwork(block, self.ctx.origin(index)) for block, index, _ in i.networks
            ]
            for name, i in self.interfaces.items()
            if i.networks
        }
        rs.acls = {acl.key: acl for acl in self.acls.values()}
        rs.coverage = self.ctx.coverage()


def _implicit_nd(origin: Origin) -> list[Rule]:
    """IOS ends every IPv6 list with permits for neighbor discovery, then the deny."""
    out = []
    for name in ("nd-na", "nd-ns"):
        match = Match(
            proto=IntervalSet.point(ICMPV6),
            src=addresses.ALL_V6,
            dst=addresses.ALL_V6,
            dport=IntervalSet.point(ICMP6_NAMES[name][0]),
        )
        out.append(Rule(origin, match, Target(Verb.ACCEPT, name=f"implicit permit {name}")))
    return out


def parse(text: str, path: str) -> IosRuleset:
    """IOS configuration text to ACL chains, interface attachments and issues."""
    return _Parser(text, path).run()
