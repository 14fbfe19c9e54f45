"""``exaudit query``: the verdict for one packet, the line that decides it, and its path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from exaudit.core import addresses, protocols
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    ACK,
    EPHEMERAL,
    FLAGS,
    PORTS,
    SYN,
    TCP,
    Origin,
    Ruleset,
    State,
    states,
)
from exaudit.engine.evaluate import Evaluator, Part, Question, Result, patterns_of
from exaudit.platforms.api import Platform


@dataclass(frozen=True)
class Packet:
    proto: str
    src: str
    dst: str
    dport: int | None
    sport: int | None
    in_iface: str | None
    out_iface: str | None
    chain: str | None = None
    established: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"proto": self.proto, "src": self.src, "dst": self.dst}
        if self.dport is not None:
            out["dport"] = self.dport
        if self.sport is not None:
            out["sport"] = self.sport
        if self.in_iface:
            out["in"] = self.in_iface
        if self.out_iface:
            out["out"] = self.out_iface
        if self.chain:
            out["chain"] = self.chain
        if self.established:
            out["established"] = True
        return out


_FIELDS = {"proto", "src", "dst", "dport", "sport", "in", "out", "chain", "established"}


def packet_from_json(text: str, file: str, line: int) -> Packet:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, line, f"not a JSON object: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(file, line, "each line must be a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise InputError(file, line, f"unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("src", "dst"):
        if not isinstance(data.get(key), str):
            raise InputError(file, line, f"missing or non-string {key!r}")
    for key in ("dport", "sport"):
        if key in data and (isinstance(data[key], bool) or not isinstance(data[key], int)):
            raise InputError(file, line, f"{key!r} must be a number")
    return Packet(
        str(data.get("proto", "tcp")),
        data["src"],
        data["dst"],
        data.get("dport"),
        data.get("sport"),
        data.get("in"),
        data.get("out"),
        data.get("chain"),
        bool(data.get("established", False)),
    )


def _port(value: int | None, what: str, file: str | None, line: int | None) -> IntervalSet:
    if value is None:
        return PORTS
    if not 0 <= value <= 65535:
        raise InputError(file, line, f"{what} {value} is out of range (0-65535)")
    return IntervalSet.point(value)


def question_for(p: Packet, file: str | None = None, line: int | None = None) -> Question:
    try:
        proto = protocols.number(p.proto)
    except ValueError:
        raise InputError(file, line, f"unknown protocol {p.proto!r}") from None
    try:
        src, dst = addresses.host(p.src), addresses.host(p.dst)
    except addresses.AddressError as exc:
        raise InputError(file, line, str(exc)) from None
    if (src.min() <= addresses.V4_MAX) != (dst.min() <= addresses.V4_MAX):
        raise InputError(file, line, "source and destination are of different IP versions")
    if proto in protocols.WITH_PORTS and p.dport is None:
        raise InputError(file, line, "a destination port is needed (--dport)")
    # An unspecified source port is a client's: any port >= 1024.
    sport = _port(p.sport, "source port", file, line) if p.sport is not None else EPHEMERAL
    if proto not in protocols.WITH_PORTS and p.sport is None:
        sport = PORTS
    dport = _port(p.dport, "destination port", file, line)
    flags = (ACK if p.established else SYN) if proto == TCP else FLAGS
    state = states(State.ESTABLISHED if p.established else State.NEW)
    return Question(
        IntervalSet.point(proto), src, dst, dport, sport, flags, state, p.in_iface, p.out_iface
    )


def _origin_json(o: Origin | None) -> dict[str, Any] | None:
    return None if o is None else {"file": o.file, "line": o.line, "text": o.text}


class Querier:
    """Answers packets against one parsed ruleset."""

    def __init__(self, platform: Platform, ruleset: Ruleset) -> None:
        self.platform = platform
        self.ruleset = ruleset
        self.evaluator = Evaluator(patterns_of(ruleset.chains.values()))
        self.stages: list[str] = []  # the stages the last question met

    def result(self, p: Packet, file: str | None = None, line: int | None = None) -> Result:
        question = question_for(p, file, line)
        families = self.ruleset.families
        family = 4 if question.src.min() <= addresses.V4_MAX else 6
        if families is not None and family not in families:
            raise InputError(
                file or self.ruleset.file,
                line,
                f"{self.ruleset.file} has no IPv{family} rules "
                f"(it is an IPv{'/'.join(map(str, sorted(families)))} ruleset)",
            )
        kwargs: dict[str, Any] = {"in_iface": p.in_iface, "out_iface": p.out_iface}
        if p.chain:
            kwargs["chain"] = p.chain
        stages = self.platform.stages(self.ruleset, **kwargs)
        if not stages and not (p.in_iface or p.out_iface or p.chain):
            raise InputError(
                file or self.ruleset.file,
                line,
                f"without --in or --out no filter of this {self.platform.title} "
                "config applies (its filters are bound to interfaces): give "
                "--in and/or --out",
            )
        self.stages = [s.label for s in stages]
        return self.evaluator.evaluate(stages, question)

    def answer(self, p: Packet, file: str | None = None, line: int | None = None) -> dict[str, Any]:
        result = self.result(p, file, line)
        out = answer_json(p, result)
        if not (p.in_iface or p.out_iface or p.chain):
            # say what was asked, so an answer about the firewall's own traffic is not
            # read as one about a packet it forwards
            out["assumed"] = (
                f"no --in/--out given: the packet was taken to meet "
                f"{' then '.join(self.stages)}, arriving on any interface; give "
                "--in and --out for a packet the firewall forwards"
            )
        return out


def answer_json(p: Packet, result: Result) -> dict[str, Any]:
    parts = result.parts
    first = parts[0]
    verdicts = {(x.verdict, x.decided_by) for x in parts}
    out: dict[str, Any] = {"schema": "exaudit.query/1"}
    if len(verdicts) == 1:
        out["verdict"] = first.verdict
    else:
        out["verdict"] = "undetermined"
    out["packet"] = p.to_json()
    out["decided_by"] = _origin_json(first.decided_by if len(verdicts) == 1 else None)
    out["path"] = [
        {
            "stage": s.stage,
            "chain": s.chain,
            "verdict": s.verdict,
            "line": s.origin.line if s.origin else None,
        }
        for s in first.path
    ]
    if first.depends_on:
        out["depends_on"] = [_origin_json(o) for o in first.depends_on]
    if len(verdicts) > 1:
        out["reason"] = (
            "the verdict depends on something the packet does not say "
            "(the interface or the source port); give --in/--out/--sport"
        )
        out["cases"] = [_case(x) for x in parts]
    return out


def _case(part: Part) -> dict[str, Any]:
    iif, oif = part.describe_ifaces()
    sport = part.dim("sport")
    return {
        "in": iif,
        "out": oif,
        "sport": ",".join(f"{a}-{b}" if a != b else str(a) for a, b in sport.spans),
        "verdict": part.verdict,
        "decided_by": _origin_json(part.decided_by),
    }
