"""Which plaintext ports (with an SSL counterpart) a firewall opens, for EXA301 and EXA302."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from exaudit.checks._common import union_src
from exaudit.checks._exposure import approaches
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin
from exaudit.exchange.catalogue import SslPair


@dataclass
class PlaintextOpen:
    """One permit line opening a plaintext port, gathered over the servers it reaches."""

    firewall: str
    pair: SslPair
    origin: Origin | None
    servers: list[str] = field(default_factory=list)
    sources: IntervalSet = field(default_factory=IntervalSet)
    # the sources it opens the plaintext port for while the SSL port stays closed
    without_ssl: IntervalSet = field(default_factory=IntervalSet)
    servers_without_ssl: list[str] = field(default_factory=list)

    def by(self) -> str:
        return f"line {self.origin.line}" if self.origin else "the default (no rule decides)"


def plaintext_opens(ctx: object) -> Iterator[PlaintextOpen]:
    found: dict[tuple[str, int, Origin | None], PlaintextOpen] = {}
    for ap in approaches(ctx):  # type: ignore[arg-type]
        fw = ap.fa.firewall.name
        for pair in ap.server.catalogue.ssl_pairs:
            plain = [p for p in ap.ask(IntervalSet.point(pair.plaintext)) if p.verdict == "permit"]
            if not plain:
                continue
            ssl_ok = union_src(
                [p for p in ap.ask(IntervalSet.point(pair.ssl)) if p.verdict == "permit"]
            )
            for p in plain:
                key = (fw, pair.plaintext, p.decided_by)
                op = found.setdefault(key, PlaintextOpen(fw, pair, p.decided_by))
                if ap.server.name not in op.servers:
                    op.servers.append(ap.server.name)
                op.sources = op.sources | p.src
                missing = p.src - ssl_ok - _by_design(ctx, pair)
                if missing:
                    op.without_ssl = op.without_ssl | missing
                    if ap.server.name not in op.servers_without_ssl:
                        op.servers_without_ssl.append(ap.server.name)
    yield from sorted(
        found.values(),
        key=lambda op: (op.firewall, op.origin.line if op.origin else 0, op.pair.plaintext),
    )


def _by_design(ctx: object, pair: SslPair) -> IntervalSet:
    """Servers whose role uses the plaintext port by design (``unless_from``)."""
    out = IntervalSet()
    for server in ctx.topology.servers.values():  # type: ignore[attr-defined]
        if server.role in pair.unless_from:
            out = out | server.address
    return out
