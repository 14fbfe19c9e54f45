"""The iptables parser against the real-world corpus and netfilter's own extension tests.

Run with ``-s`` to see the coverage table (rules understood without unknown / rules).
"""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path

import pytest
from conftest import corpus_dir

from exaudit.core.errors import InputError
from exaudit.platforms import iptables

pytestmark = pytest.mark.corpus

# Corpus files that must give an InputError, and why that is the right answer.
EXPECTED_INPUT_ERRORS = {
    # `iptables -L -n -v` listings leave out interfaces, negations and match options
    # (and print targets and chains ambiguously): not a ruleset exaudit can evaluate.
    "diekmann__Ringofsaturn_com__iptables_Lnv": "-L",
    "diekmann__sns.ias.edu__iptables_Lnv": "-L",
    "diekmann__Synology_Diskstation_DS414__iptables_Ln_tuned": "-L",
    # iptables-xml output, the XML rendering of a dump (its source dump is in the corpus)
    "ipt-save__fedora27-iptables.xml": "iptables-xml",
    # batfish's grammar test of commands it does not support: `--policy chain ACCEPT` on
    # line 33 sets a policy on a user chain, which iptables-restore refuses
    "unsupported_command": "only built-in chains",
}
NOT_RULESETS = {"netfilter-extensions-t"}  # netfilter's test format, read below


def _corpus_files() -> list[Path]:
    root = corpus_dir("iptables")
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not NOT_RULESETS.intersection(p.relative_to(root).parts)
    )
    aerleon = root.parent / "aerleon"
    if aerleon.exists():  # aerleon's iptables renderings of its sample policies
        files += sorted(aerleon.rglob("*.ipt"))
        files += sorted((aerleon / "unit-test-refs" / "iptables").glob("*"))
    return files


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def test_every_corpus_file_parses_or_says_why() -> None:
    files = _corpus_files()
    assert len(files) > 60
    rows = []
    total_rules = total_known = 0
    errors = {}
    for path in files:
        try:
            rs = iptables.parse(_read(path), str(path))
        except InputError as exc:
            assert "internal error" not in exc.message, (path, exc)
            errors[path.name] = exc
            continue
        rules = rs.rules()
        known = sum(1 for r in rules if not r.unknown)
        total_rules += len(rules)
        total_known += known
        codes = Counter(i.code for i in rs.issues)
        rows.append((path.name, len(rules), known, codes["EXA001"], codes["EXA002"]))
        physical = len(_read(path).splitlines())
        for issue in rs.issues:  # every issue names a real line of the file
            assert 1 <= issue.origin.line <= physical
    assert set(errors) == set(EXPECTED_INPUT_ERRORS), sorted(errors)
    for name, words in EXPECTED_INPUT_ERRORS.items():
        assert words in errors[name].message, (name, errors[name])
    print(f"\n{'file':<75} {'rules':>6} {'known':>6} {'cover':>6} {'EXA001':>6} {'EXA002':>6}")
    for name, n, known, e1, e2 in rows:
        print(f"{name[:75]:<75} {n:>6} {known:>6} {known / n if n else 1:>6.1%} {e1:>6} {e2:>6}")
    print(
        f"overall: {total_known}/{total_rules} rules understood without unknown "
        f"({total_known / total_rules:.1%}); {len(rows)} files read, "
        f"{len(errors)} refused as expected"
    )
    assert total_known / total_rules > 0.6


def test_a_script_goes_on_after_its_failing_command() -> None:
    """Ariacus's `iptables -P OUTUT DROP` (line 11, a typo) fails when the script runs;
    bash runs the rest, so OUTPUT keeps the kernel's ACCEPT while the author believes it
    drops: reported at line 11 saying why, and the rest evaluated."""
    path = corpus_dir("iptables") / "scripts" / "Ariacus_DMZ-Dual-Firewall__iptables.sh"
    rs = iptables.parse(_read(path), str(path))
    failed = [i for i in rs.issues if "fails when run" in i.message]
    # lines 16 and 19 fail too: `--state RELATED, ESTABLISHED` (a space after the comma)
    assert [(i.code, i.origin.line) for i in failed] == [("EXA004", n) for n in (11, 16, 19)]
    assert "OUTUT" in failed[0].message and "does not exist" in failed[0].message
    assert rs.chains["OUTPUT"].default.verb.value == "ACCEPT"
    assert rs.chains["INPUT"].default.verb.value == "DROP"  # line 10 ran
    assert [r.origin.line for r in rs.rules()] == [15, 23, 20, 24]


def test_real_dumps_have_exact_answers_for_their_modeled_rules() -> None:
    """Spot checks on real rulesets: verdicts the files' authors obviously meant."""
    from exaudit.core import addresses
    from exaudit.core.intervals import IntervalSet
    from exaudit.core.model import State
    from exaudit.engine.evaluate import Evaluator, Question

    root = corpus_dir("iptables")
    rs = iptables.parse(_read(root / "hcl_debian-firewall__rules.v4"), "rules.v4")
    stages = iptables.stages(rs, in_iface="eth0", out_iface=None)
    q = Question(
        proto=IntervalSet.point(6),
        src=addresses.parse("198.51.100.7"),
        dst=addresses.parse("192.0.2.1"),
        dport=IntervalSet.point(22),
        state=IntervalSet.point(int(State.NEW)),
        in_iface="eth0",
    )
    ssh = Evaluator().evaluate(stages, q).verdicts
    q2 = Question(
        proto=IntervalSet.point(6),
        src=addresses.parse("198.51.100.7"),
        dst=addresses.parse("192.0.2.1"),
        dport=IntervalSet.point(9999),
        state=IntervalSet.point(int(State.NEW)),
        in_iface="eth0",
    )
    other = Evaluator().evaluate(stages, q2).verdicts
    assert ssh == {"permit"} and other == {"deny"}


# --- netfilter's extension tests ----------------------------------------------------------------

# FAIL lines no static reader can reject: they fail only because of what the kernel holds.
KNOWN_FAIL_EXCEPTIONS = {
    (
        "libxt_SET.t",
        "-j SET --add-set foo src,dst",
    ): "the ipset 'foo' does not exist in the test machine's kernel",
    (
        "libxt_set.t",
        "-m set --match-set foo src,dst",
    ): "the ipset 'foo' does not exist in the test machine's kernel",
    (
        "libxt_nfacct.t",
        "-m nfacct --nfacct-name wrong",
    ): "no nfacct object named 'wrong' exists in the kernel",
}


def _t_lines(path: Path):
    chains: list[str] = []
    table = "filter"
    for number, line in enumerate(_read(path).splitlines(), 1):
        if not line or line[0] in "#@%":
            continue
        if line[0] == ":":
            chains = line[1:].split(",")
            continue
        if line[0] == "*":
            table = line[1:].strip()
            continue
        fields = line.split(";")
        if len(fields) >= 3:
            yield number, chains, table, fields[0], fields[2]


def _refused(rule: str, chain: str, table: str, family: int, name: str) -> str | None:
    try:
        _rules, issues = iptables.parse_rule_line(
            rule, chain=chain, table=table, family=family, path=name
        )
    except InputError as exc:
        assert "internal error" not in exc.message
        return exc.message
    errors = [i.message for i in issues if i.code in ("EXA001", "EXA004")]  # unread or refused
    return errors[0] if errors else None


def test_netfilter_extension_tests() -> None:
    root = corpus_dir("iptables", "netfilter-extensions-t")
    counts: Counter[str] = Counter()
    wrong = []
    for path in sorted(root.glob("*.t")):
        if path.name.startswith(("libebt_", "libarpt_")):
            counts["skipped (ebtables/arptables syntax)"] += 1
            continue
        family = 6 if path.name.startswith("libip6t_") else 4
        for number, chains, table, rule, result in _t_lines(path):
            # the test harness runs each line in every chain listed; FAIL means it fails
            # in all of them, OK means it loads in all of them
            refusals = [_refused(rule, c, table, family, path.name) for c in chains]
            if result == "OK":
                counts["OK lines"] += 1
                if any(refusals):
                    wrong.append(
                        f"{path.name}:{number}: OK line refused: {rule} "
                        f"({next(r for r in refusals if r)})"
                    )
                else:
                    counts["OK accepted"] += 1
            elif result == "FAIL":
                counts["FAIL lines"] += 1
                if all(refusals):
                    counts["FAIL rejected"] += 1
                elif (path.name, rule) in KNOWN_FAIL_EXCEPTIONS:
                    counts["FAIL known exceptions"] += 1
                else:
                    wrong.append(f"{path.name}:{number}: FAIL line accepted: {rule}")
    print(
        "\nnetfilter extension tests: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    )
    assert not wrong, "\n".join(wrong[:30])
    assert counts["OK accepted"] > 700 and counts["FAIL rejected"] > 250


def test_parse_rule_line_gives_rules_and_issues() -> None:
    rules, issues = iptables.parse_rule_line("-p tcp --dport 22 -j ACCEPT", chain="INPUT")
    assert len(rules) == 1 and not issues
    with pytest.raises(InputError):
        iptables.parse_rule_line("-p tcp --nonsense", chain="INPUT")
    with pytest.raises(InputError):
        iptables.parse_rule_line("-j ACCEPT " + shlex.quote('unterminated "'))


# --- the fast reader agrees with the full one -------------------------------------------------


def _fingerprint(rs) -> tuple:
    chains = {
        name: [(r.origin, r.match, r.target, r.unknown) for r in c.rules]
        for name, c in rs.chains.items()
    }
    return chains, [(i.code, i.origin.line) for i in rs.issues]


def test_fast_reader_gives_what_the_full_reader_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    root = corpus_dir("iptables")
    texts = {
        p.name: _read(p)
        for p in _corpus_files()
        if p.name not in EXPECTED_INPUT_ERRORS and not p.name.endswith(".sh")
    }
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "iptables"
    texts.update({p.name: _read(p) for p in fixtures.glob("*.rules")})
    fast = {name: _fingerprint(iptables.parse(text, name)) for name, text in texts.items()}
    monkeypatch.setattr(iptables.Executor, "fast_append", lambda *a, **k: False)
    for name, text in texts.items():
        assert _fingerprint(iptables.parse(text, name)) == fast[name], name
    assert root.exists()
