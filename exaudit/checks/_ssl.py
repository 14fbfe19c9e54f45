"""Which plaintext ports (with an SSL counterpart) a firewall opens, for EXA301 and EXA302."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exaudit.catalogue import SslPair
from exaudit.checks._common import union_src
from exaudit.checks._exposure import Approach, approaches
from exaudit.intervals import IntervalSet
from exaudit.model import Origin


@dataclass
class PlaintextOpen:
    approach: Approach
    pair: SslPair
    origin: Origin | None  # the permit that opens the plaintext port
    sources: IntervalSet  # the sources it opens it for
    ssl_permitted: IntervalSet  # those of them that may also use the SSL port


def plaintext_opens(ctx: object) -> Iterator[PlaintextOpen]:
    for ap in approaches(ctx):  # type: ignore[arg-type]
        for pair in ctx.topology.catalogue.ssl_pairs:  # type: ignore[attr-defined]
            plain = [p for p in ap.ask(IntervalSet.point(pair.plaintext))
                     if p.verdict == "permit"]
            if not plain:
                continue
            ssl_ok = union_src([p for p in ap.ask(IntervalSet.point(pair.ssl))
                                if p.verdict == "permit"])
            by_line: dict[Origin | None, IntervalSet] = {}
            for p in plain:
                by_line[p.decided_by] = by_line.get(p.decided_by, IntervalSet()) | p.src
            for origin, sources in sorted(by_line.items(),
                                          key=lambda g: g[0].line if g[0] else 0):
                yield PlaintextOpen(ap, pair, origin, sources, sources & ssl_ok)
