"""Every file of the corpus goes through `exaudit lint` without a traceback.

The platform comes from the corpus folder (or, for aerleon's generated files, the file
extension); files of other kinds (policies, flow lists, READMEs) are linted with platform
detection and must end in a clean error or a report. The coverage per platform (rules
fully understood / rules) is printed with `pytest -s`.
"""

from __future__ import annotations

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
            if platform and path.relative_to(root).parts[0] in BY_FOLDER:
                failures.append(f"{path.relative_to(root)}: {err.strip()}")
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
