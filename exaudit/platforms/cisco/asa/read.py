"""ASA configuration text to ACL chains, bindings, security levels and issues."""

from __future__ import annotations

from collections.abc import Callable

from exaudit.core.model import InterfaceNetwork
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.acls import AclReader
from exaudit.platforms.cisco.asa.interfaces import InterfaceReader
from exaudit.platforms.cisco.asa.model import AsaRuleset
from exaudit.platforms.cisco.asa.tables import clears, command
from exaudit.platforms.cisco.common import Block, ParseError


class _Parser(AclReader, InterfaceReader):
    """One configuration read in passes: names, objects, groups and interfaces, lists."""

    def run(self) -> AsaRuleset:
        tops = self.conf.top
        # ``clear configure all`` empties the running configuration: only what follows
        # the last one counts
        start = 0
        for i, obj in enumerate(tops):
            if clears(obj.text.split()) == "all":
                start = i + 1
        # names first (everything may use them), objects before groups (groups name
        # objects, never the reverse), then interfaces, then lists and bindings; a ``no``
        # or ``clear configure`` form is read in the pass of what it undoes
        passes: list[list[tuple[Block, list[str], str]]] = [[] for _ in range(4)]
        for obj in tops[start:]:
            words = obj.text.split()
            found = command(words)
            if found is not None:
                passes[found[0]].append((obj, words, found[1]))
        for step in passes:
            for obj, words, method in step:
                self._guard(obj.linenum, getattr(self, method), obj, words)
        self._finish()
        return self.ruleset

    def _legacy(self, obj: Block, words: list[str]) -> None:
        # filtering commands of old PIX/ASA releases: flagged, never skipped
        self.ctx.ace_lines.add(obj.linenum)
        self.ctx.not_understood(
            obj.linenum, f"'{' '.join(words[:2])}' (PIX/ASA 8.x syntax) is not supported"
        )

    def _guard(self, index: int, action: Callable[..., None], *args: object) -> None:
        try:
            action(*args)
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))

    def _finish(self) -> None:
        rs = self.ruleset
        self._settle_nameifs()
        for name, acl in self.acls.items():
            chain = cc.acl_chain(name)
            chain.rules = acl.rules()
            aces = [e for e in acl.entries if not e.remark]
            if aces and all(e.doubt_at is not None for e in aces):
                # if every entry is gone, so is the list, and what the access-groups naming
                # it then do is not modelled
                cause = min(e.doubt_at for e in aces if e.doubt_at is not None)
                chain.rules.append(
                    cc.unknown_rule(
                        self.ctx.origin(cause),
                        None,
                        f"every entry of {name} may be gone (line {cause + 1})",
                    )
                )
            rs.chains[name] = chain
        nameifs = {i.nameif for i in self.interfaces.values() if i.nameif}
        for (nameif, _direction), binding in self.bindings.items():
            if binding.acl not in self.acls:
                self.ctx.not_understood(
                    binding.index,
                    f"access-list {binding.acl} is not "
                    "defined: what this access-group does is unknown",
                )
            if nameif and nameif not in nameifs:
                self.ctx.not_understood(binding.index, f"no interface has nameif {nameif}")
        rs.interfaces = self.interfaces
        rs.interface_networks = {  # a topology names an ASA's interfaces by nameif
            i.nameif: [InterfaceNetwork(i.network[0], self.ctx.origin(i.network[1]))]
            for i in self.interfaces.values()
            if i.nameif and i.network is not None
        }
        rs.acls = self.acls
        rs.bindings = self.bindings
        rs.same_security = self.same_security
        rs.coverage = self.ctx.coverage()


def parse(text: str, path: str) -> AsaRuleset:
    """ASA configuration text to ACL chains, bindings, security levels and issues."""
    return _Parser(text, path).run()
