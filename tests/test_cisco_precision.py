"""Exact answers where IOS/ASA semantics make them knowable: ``fragments`` entries, and
non-contiguous masks within the documented budget (undetermined, said, past it)."""

from __future__ import annotations

from types import ModuleType

import pytest

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IssueKind, Ruleset
from exaudit.engine.evaluate import Evaluator, Question
from exaudit.platforms.cisco import asa, ios
from exaudit.platforms.cisco.common import FILE_BLOCKS, MASK_BLOCKS, mask_blocks


def smtp(src: str = "10.9.9.9", dst: str = "10.0.0.2", dport: int = 25) -> Question:
    return Question(
        proto=IntervalSet.point(6),
        src=addresses.parse(src),
        dst=addresses.parse(dst),
        dport=IntervalSet.point(dport),
    )


def answer(module: ModuleType, rs: Ruleset, q: Question, chain: str) -> tuple[str, int | None]:
    """The single verdict for ``q`` against list ``chain`` and the line deciding it."""
    stages = module.stages(rs, in_iface=None, out_iface=None, chain=chain)
    result = Evaluator().evaluate(stages, q)
    assert len(result.verdicts) == 1, [(p.verdict, p.decided_by) for p in result.parts]
    part = result.parts[0]
    return part.verdict, part.decided_by.line if part.decided_by else None


def problems(rs: Ruleset) -> list[str]:
    return [f"{i.kind.name} {i.origin.line}: {i.message}" for i in rs.issues]


# --- IOS fragments: an entry for non-initial fragments never matches a first packet ----

IOS_FRAGMENTS = [
    # a deny for fragments does not stop the first packet: the permit after it decides
    (
        "ip access-list extended A\n deny tcp any host 10.0.0.2 eq 25 fragments\n"
        " permit tcp any host 10.0.0.2 eq 25\n",
        "A",
        smtp(),
        ("permit", 3),
    ),
    # a permit for fragments lets no first packet through: the implicit deny decides
    (
        "ip access-list extended A\n permit tcp any host 10.0.0.2 eq 25 fragments\n",
        "A",
        smtp(),
        ("deny", None),
    ),
    (
        "ip access-list extended A\n permit ip any any fragments\n deny ip any any log\n",
        "A",
        smtp(),
        ("deny", 3),
    ),
    # numbered lists, and words after the keyword
    (
        "access-list 101 deny ip any any fragments log\naccess-list 101 permit tcp any any\n",
        "101",
        smtp(),
        ("permit", 2),
    ),
    (
        "access-list 101 permit tcp any any log fragments\n",
        "101",
        smtp(),
        ("deny", None),
    ),
    # IPv6 lists: the same keyword, the same meaning
    (
        "ipv6 access-list V6\n deny tcp any host 2001:db8::2 eq 25 fragments\n"
        " permit tcp any any eq 25\n",
        "V6",
        smtp("2001:db8::1", "2001:db8::2"),
        ("permit", 3),
    ),
    (
        "ipv6 access-list V6\n permit tcp any any eq 25 fragments\n",
        "V6",
        smtp("2001:db8::1", "2001:db8::2"),
        ("deny", None),
    ),
]


@pytest.mark.parametrize("config,chain,q,expected", IOS_FRAGMENTS)
def test_ios_fragments_entries_never_match_first_packets(
    config: str, chain: str, q: Question, expected: tuple[str, int | None]
) -> None:
    rs = ios.parse(config, "r.cfg")
    assert not problems(rs)
    assert answer(ios, rs, q, chain) == expected
    line = next(n for n, text in enumerate(config.split("\n"), 1) if "fragments" in text)
    assert any(
        n.origin is not None and n.origin.line == line and "non-initial fragments" in n.message
        for n in rs.notes
    )
    assert ios.coverage(rs)["understood"] == ios.coverage(rs)["ace_lines"]


def test_ios_fragments_entry_is_told_apart_and_removed_by_its_own_text() -> None:
    config = (
        "ip access-list extended A\n deny tcp any host 10.0.0.2 eq 25 fragments\n"
        " deny tcp any host 10.0.0.2 eq 25\n no deny tcp any host 10.0.0.2 eq 25 fragments\n"
        " permit tcp any any\n"
    )
    rs = ios.parse(config, "r.cfg")
    # the entry without ``fragments`` is another entry: removing one leaves the other
    assert not problems(rs)
    assert answer(ios, rs, smtp(), "A") == ("deny", 3)


def test_asa_has_no_fragments_form() -> None:
    """An ASA entry has no ``fragments`` option (the ASA reassembles fragments itself):
    the word is not understood, the entry undetermined, as before."""
    rs = asa.parse(
        "access-list A extended permit tcp any host 10.0.0.2 eq 25 fragments\n", "fw.cfg"
    )
    assert [i.kind for i in rs.issues] == [IssueKind.UNPARSED]


# --- non-contiguous masks: exact within the budget, undetermined (and said) past it -----


def test_the_budget_is_every_mask_whose_scattered_bits_fit_two_octets() -> None:
    assert MASK_BLOCKS == 65_536 and FILE_BLOCKS == 4 * MASK_BLOCKS
    assert mask_blocks(0x0000FF00) == 256  # 0.0.255.0
    assert mask_blocks(0x00FFFF00) == 65_536  # 0.255.255.0
    assert mask_blocks(0x00FFFF01) == 65_536  # 0.255.255.1: the trailing run is one block
    assert mask_blocks(0x01FFFF00) == 131_072  # 1.255.255.0
    assert mask_blocks(0x000000FF) == 1  # contiguous


# (mask form, address, mask, a source it matches, one it does not, blocks)
WITHIN = [
    ("wildcard", "10.1.0.0", "0.0.255.0", "10.1.77.0", "10.1.77.1", 256),
    ("wildcard", "10.0.0.5", "0.255.255.0", "10.200.3.5", "10.200.3.6", 65_536),
    ("wildcard", "10.0.0.4", "0.255.255.1", "10.7.9.5", "10.7.9.6", 65_536),
]
PAST = [("wildcard", "10.0.0.0", "1.255.255.0"), ("wildcard", "0.0.0.0", "255.255.255.254")]


def _ios(address: str, mask: str) -> str:
    return f"ip access-list extended A\n permit tcp {address} {mask} host 10.0.0.2 eq 25\n"


def _asa(address: str, mask: str) -> str:
    # the ASA writes subnet masks: the complement of the wildcard
    netmask = addresses._text(int(addresses.parse(mask).min()) ^ 0xFFFFFFFF)
    return f"access-list A extended permit tcp {address} {netmask} host 10.0.0.2 eq 25\n"


def _ios_group(address: str, mask: str) -> str:
    netmask = addresses._text(int(addresses.parse(mask).min()) ^ 0xFFFFFFFF)
    return (
        f"object-group network N\n {address} {netmask}\nip access-list extended A\n"
        " permit tcp object-group N host 10.0.0.2 eq 25\n"
    )


FORMS = {"ios": (ios, _ios), "asa": (asa, _asa), "ios object-group": (ios, _ios_group)}


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("case", WITHIN, ids=[c[2] for c in WITHIN])
def test_non_contiguous_masks_within_the_budget_are_exact(form: str, case: tuple) -> None:
    module, render = FORMS[form]
    _kind, address, mask, inside, outside, blocks = case
    rs = module.parse(render(address, mask), "r.cfg")
    assert not problems(rs)
    (rule,) = rs.chains["A"].rules
    assert rule.match.src is not None and len(rule.match.src.spans) == blocks
    line = len(render(address, mask).rstrip("\n").split("\n"))
    assert answer(module, rs, smtp(src=inside), "A") == ("permit", line)
    assert answer(module, rs, smtp(src=outside), "A") == ("deny", None)


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("case", PAST, ids=[c[2] for c in PAST])
def test_non_contiguous_masks_past_the_budget_are_undetermined_and_said(
    form: str, case: tuple
) -> None:
    module, render = FORMS[form]
    _kind, address, mask = case
    config = render(address, mask)
    rs = module.parse(config, "r.cfg")
    line = len(config.rstrip("\n").split("\n"))
    (issue,) = rs.issues
    assert issue.kind is IssueKind.UNSUPPORTED and issue.origin.line == line  # EXA002
    assert "separate address blocks, more than the 65,536 exaudit represents" in issue.message
    assert "for one mask" in issue.message
    result = Evaluator().evaluate(
        module.stages(rs, in_iface=None, out_iface=None, chain="A"), smtp(src="10.3.3.0")
    )
    assert result.verdicts == {"undetermined"}


def test_one_configurations_masks_share_a_budget() -> None:
    """Four masks of 65,536 blocks each are exact; the fifth is past the 262,144 blocks of
    one configuration: undetermined, said at its line. A ``no`` line read only to compare
    costs nothing, and contiguous masks count for nothing."""
    entries = [f" permit tcp 10.0.0.{n} 0.255.255.0 host 10.0.0.2 eq 25" for n in range(1, 6)]
    entries.insert(2, " no permit tcp 10.0.0.9 0.255.255.0 host 10.0.0.2 eq 25")
    entries.insert(1, " permit tcp 10.0.0.0 0.0.0.255 host 10.0.0.3 eq 25")
    config = "ip access-list extended A\n" + "\n".join(entries) + "\n"
    rs = ios.parse(config, "r.cfg")
    fifth = len(config.rstrip("\n").split("\n"))
    (issue,) = [i for i in rs.issues if i.kind is IssueKind.UNSUPPORTED]
    assert issue.origin.line == fifth
    assert "already make 262,144 of the 262,144 exaudit represents exactly" in issue.message
    for n in range(1, 5):
        assert answer(ios, rs, smtp(src=f"10.{n}.{n}.{n}"), "A")[0] == "permit"
    result = Evaluator().evaluate(
        ios.stages(rs, in_iface=None, out_iface=None, chain="A"), smtp(src="10.5.5.5")
    )
    assert result.verdicts == {"undetermined"}
