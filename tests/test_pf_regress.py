"""pfctl's own regress suite as an oracle: a pf.conf and pfctl's expansion of it agree.

Each ``pfNNNN.in`` of FreeBSD's ``sbin/pfctl/tests/files`` is a pf.conf and ``pfNNNN.ok``
is ``pfctl -nv``'s expansion of it (lists and macros expanded, defaults made explicit).
exaudit parses both; their normalized rules must permit and deny exactly the same
packets, compared on sets over the whole packet space, per direction and per interface
either side mentions (and with no interface). Run with ``-s`` for the count.
"""

from __future__ import annotations

import pytest
from conftest import corpus_dir

from exaudit.core import addresses
from exaudit.core.model import PROTOCOLS
from exaudit.engine.equivalence import differences
from exaudit.engine.evaluate import Question, patterns_of
from exaudit.platforms import pf

PAIRS = 79
# Pairs exaudit cannot compare, and why. They run as strict xfails, so a pair that starts
# to agree (or one listed by mistake) fails loudly instead of passing silently.
UNSUPPORTED: dict[str, str] = {}
RESULTS: dict[str, str] = {}


def _pairs() -> list[str]:
    try:
        folder = corpus_dir("pf-regress", "freebsd")
    except pytest.skip.Exception:
        return []
    return sorted(p.stem for p in folder.glob("pf*.in"))


def _interfaces(*rulesets) -> list[str | None]:
    names: set[str] = set()
    for rs in rulesets:
        for pattern in patterns_of(rs.chains.values()):
            # a group pattern ("lo+") is exercised by two member names
            names |= (
                {pattern[:-1] + "0", pattern[:-1] + "77"} if pattern.endswith("+") else {pattern}
            )
    return [*sorted(names), None]


def _compare(name: str) -> list[str]:
    folder = corpus_dir("pf-regress", "freebsd")
    files = {ext: folder / f"{name}.{ext}" for ext in ("in", "ok")}
    left, right = (pf.parse(p.read_text(), str(p)) for p in files.values())
    problems = [
        f"{i.origin.file}:{i.origin.line}: {i.message}"
        for rs in (left, right)
        for i in rs.issues
        if i.code == "EXA001"
    ]
    for direction in ("in", "out"):
        for iface in _interfaces(left, right):
            question = Question(
                PROTOCOLS,
                addresses.ALL,
                addresses.ALL,
                in_iface=iface if direction == "in" else None,
                out_iface=iface if direction == "out" else None,
            )
            stages = [
                pf.stages(rs, in_iface=iface, out_iface=iface, chain=direction)
                for rs in (left, right)
            ]
            for diff in differences(*stages, question, limit=1):
                problems.append(
                    f"{direction} on {iface or 'any'}: {diff.example()} is "
                    f"{diff.left.verdict} in .in (line {_line(diff.left)}) but "
                    f"{diff.right.verdict} in .ok (line {_line(diff.right)})"
                )
    return problems


def _line(part) -> object:
    return part.decided_by.line if part.decided_by else None


@pytest.mark.corpus
def test_the_suite_is_complete():
    assert len(_pairs()) == PAIRS or not _pairs()
    assert set(UNSUPPORTED) <= set(_pairs()) or not _pairs()


@pytest.mark.corpus
@pytest.mark.parametrize("name", _pairs() or ["(corpus absent)"])
def test_in_and_ok_permit_and_deny_the_same_packets(name, request):
    if name == "(corpus absent)":
        corpus_dir("pf-regress", "freebsd")
    if name in UNSUPPORTED:
        request.node.add_marker(pytest.mark.xfail(reason=UNSUPPORTED[name], strict=True))
    problems = _compare(name)
    RESULTS[name] = "agree" if not problems else "differ"
    assert not problems, "\n".join(problems)


@pytest.mark.corpus
def test_summary():
    if not RESULTS:
        pytest.skip("no pair was compared in this run")
    agree = sorted(n for n, r in RESULTS.items() if r == "agree")
    print(
        f"\npf regress: {len(agree)} of {len(RESULTS)} pairs agree on every packet; "
        f"not supported: {', '.join(f'{k} ({v[:60]}...)' for k, v in UNSUPPORTED.items())}"
    )
    if len(RESULTS) == PAIRS:
        assert len(agree) == PAIRS - len(UNSUPPORTED)
