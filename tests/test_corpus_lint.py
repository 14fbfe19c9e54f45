"""Every file of the corpus goes through `exaudit lint` without a traceback.

The platform comes from the corpus folder (or, for aerleon's generated files, the file
extension); files of other kinds (policies, flow lists, READMEs) are linted with platform
detection and must end in a clean error or a report. The coverage per platform (rules
fully understood / rules) is printed with `pytest -s`.
"""

from __future__ import annotations

import fnmatch
import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import corpus_dir

from exaudit import platforms
from exaudit.cli import main

BY_FOLDER = {
    "iptables": "iptables",
    "pf": "pf",
    "pf-regress": "pf",
    "cisco-ios": "ios",
    "cisco-asa": "asa",
}
BY_SUFFIX = {".acl": "ios", ".asa": "asa", ".ipt": "iptables", ".pf": "pf"}

# The only files of the platform folders refused as a whole, each with the reason the
# platform's own tool would give (iptables-restore, pfctl) or why the file is no ruleset.
REFUSED = {
    # iptables' own test specifications (rule fragments and expected results), not rulesets
    "iptables/netfilter-extensions-t/*.t": (
        "neither iptables-save output nor a script",
        "chain declared outside a *table block",
    ),
    # Batfish's test of a command iptables-restore refuses: a policy on a user chain
    "iptables/batfish-grammar-tests/unsupported_command": ("only built-in chains have a policy",),
    # `iptables -L` listings and iptables-xml output leave out parts of the rules
    "iptables/diekmann__*_L*": ("this is an `iptables -L` listing",),
    "iptables/netfilter-dumps/*.xml": ("this is iptables-xml output",),
    # TEMPORARY: a failing command in a script is refused until it becomes a finding
    "iptables/scripts/Ariacus_DMZ-Dual-Firewall__iptables.sh": ("chain 'OUTUT' does not exist",),
    # pfctl refuses it too: the macro is passed on pfctl's command line (-D PF_IN=...)
    "pf/bluhm_pf_forward__pf.conf": ("macro 'PF_IN' is not defined",),
}


def refusal_named(relative: str, err: str) -> bool:
    return any(
        fnmatch.fnmatch(relative, pattern) and any(reason in err for reason in reasons)
        for pattern, reasons in REFUSED.items()
    )


def platform_for(root: Path, path: Path) -> str | None:
    top = path.relative_to(root).parts[0]
    if top in BY_FOLDER and path.suffix not in (".md", ".tsv"):
        return BY_FOLDER[top]
    return BY_SUFFIX.get(path.suffix)


def test_every_corpus_file_lints_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    root = corpus_dir()
    known = set(platforms.NAMES)
    coverage: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    failures = []
    refused_unnamed: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        platform = platform_for(root, path)
        if platform is not None and platform not in known:
            continue
        args = ["lint", "--format", "json", str(path)]
        if platform:
            args[1:1] = ["--platform", platform]
        code = main(args)
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "internal error" not in err, (path, err)
        if code == 2:
            assert err.startswith("exaudit: error: ") and err.count("\n") == 1, err
            coverage[platform or "detect"][3] += 1
            relative = path.relative_to(root).as_posix()
            if platform and relative.split("/")[0] in BY_FOLDER:
                failures.append(f"{relative}: {err.strip()}")
                refused_unnamed += [] if refusal_named(relative, err) else [relative]
            continue
        assert code in (0, 1), (path, code, err)
        report = json.loads(out)
        for f in report["files"]:
            c = coverage[f["platform"] if platform else "detect"]
            c[0] += f["rules_understood"]
            c[1] += f["rules"]
            c[2] += 1
    with capsys.disabled():
        print()
        for name, (ok, total, files, errors) in sorted(coverage.items()):
            pct = 100.0 * ok / total if total else 100.0
            print(
                f"corpus {name:9}: {files} files linted, {errors} input errors, "
                f"{ok}/{total} rules fully understood ({pct:.1f}%)"
            )
        for line in failures:
            print("  input error:", line)
    assert refused_unnamed == [], "refused as a whole without a reason in REFUSED"
