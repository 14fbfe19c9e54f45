"""The question exaudit is asked for one packet the kernel oracle sends (a new connection)."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import FLAGS, SYN, State
from exaudit.engine.evaluate import Question
from support.kernel_oracle import Packet


def question_for(p: Packet) -> Question:
    """A TCP SYN or a UDP datagram of a new connection, exactly as the oracle builds it."""
    return Question(
        proto=IntervalSet.point(6 if p.proto == "tcp" else 17),
        src=addresses.host(p.src),
        dst=addresses.host(p.dst),
        sport=IntervalSet.point(p.sport),
        dport=IntervalSet.point(p.dport),
        flags=SYN if p.proto == "tcp" else FLAGS,
        state=IntervalSet.point(int(State.NEW)),
        in_iface=p.in_iface,
        out_iface=p.out_iface,
    )
