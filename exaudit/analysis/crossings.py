"""Answering every required-flow crossing of a firewall: forward, then the replies."""

from __future__ import annotations

from exaudit.analysis.context import CrossingResult, FirewallAudit, Reply
from exaudit.analysis.interfaces import verify_interfaces
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ACK, EPHEMERAL, SYN, TCP, State, states
from exaudit.engine.evaluate import Part, Question, Step
from exaudit.exchange.flows import Crossing, Flow, crossings
from exaudit.exchange.topology import Topology

NEW = states(State.NEW)
ESTABLISHED = states(State.ESTABLISHED)


def forward_question(c: Crossing) -> Question:
    flow = c.flow
    return Question(
        proto=IntervalSet.point(TCP),
        src=c.src,
        dst=flow.dst.address,
        dport=flow.ports,
        flags=SYN,
        state=NEW,
        in_iface=c.in_iface,
        out_iface=c.out_iface,
    )


def _reply_local(local: str | None) -> str | None:
    return {"input": "output", "output": "input"}.get(local or "")


def _permit_steps(path: tuple[Step, ...]) -> list[Step]:
    return [s for s in path if s.verdict == "permit"]


def replies_for(fa: FirewallAudit, c: Crossing, permitted: list[Part]) -> list[Reply]:
    """Evaluate the replies (server port -> client ports >= 1024, ACK) of permitted parts.

    A stage whose forward permit created state (pf ``keep state``, every ASA permit) lets
    the replies through by itself and is left out; the others meet the replies as packets
    of their own (iptables sees them as ESTABLISHED, IOS as packets with ACK set).
    """
    if fa.platform.stateful:
        return []
    groups: dict[tuple[bool, ...], IntervalSet] = {}
    for part in permitted:
        key = tuple(s.stateful for s in _permit_steps(part.path))
        groups[key] = groups.get(key, IntervalSet()) | part.src
    out = []
    for stateful, sources in groups.items():
        if stateful and all(stateful):
            continue
        reply_stages = fa.stages(
            in_iface=c.out_iface, out_iface=c.in_iface, local=_reply_local(c.local)
        )
        if len(reply_stages) == len(stateful):
            # reply stage k meets the forward stage at the mirrored position
            reply_stages = [
                st for st, fwd in zip(reply_stages, reversed(stateful), strict=False) if not fwd
            ]
        if not reply_stages:
            continue
        question = Question(
            proto=IntervalSet.point(TCP),
            src=c.flow.dst.address,
            dst=sources,
            sport=c.flow.ports,
            dport=EPHEMERAL,
            flags=ACK,
            state=ESTABLISHED,
            in_iface=c.out_iface,
            out_iface=c.in_iface,
        )
        out.append(Reply(fa.evaluator.evaluate(reply_stages, question), reply_stages))
    return out


def evaluate_crossings(topo: Topology, flows: list[Flow], fa: FirewallAudit) -> None:
    """Evaluate every crossing; crossings that differ only in their sources share one
    question (the union of their sources), whose answer is then cut back per crossing."""
    verify_interfaces(topo, fa)
    all_crossings = crossings(topo, flows, fa.firewall)
    groups: dict[tuple[object, ...], list[Crossing]] = {}
    for c in all_crossings:
        key = (c.flow.dst.name, c.flow.ports, c.in_iface, c.out_iface, c.local)
        groups.setdefault(key, []).append(c)
    answers: dict[int, CrossingResult] = {}
    for group in groups.values():
        sources = IntervalSet()
        for c in group:
            sources = sources | c.src
        first = group[0]
        shared = Crossing(
            first.firewall, first.flow, sources, first.in_iface, first.out_iface, first.local
        )
        forward = fa.ask(forward_question(shared), shared.local)
        permitted = forward.by_verdict("permit")
        replies = replies_for(fa, shared, permitted) if permitted else []
        for c in group:
            mine = CrossingResult(c, forward.restricted("src", c.src))
            for reply in replies:
                cut = reply.result.restricted("dst", c.src)  # a reply goes to the client
                if cut.parts:
                    mine.replies.append(Reply(cut, reply.stages))
            answers[id(c)] = mine
    fa.results.extend(answers[id(c)] for c in all_crossings)
