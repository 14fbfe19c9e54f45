"""``exaudit lint``: parse each config once, run the topology-free checks, triage."""

from __future__ import annotations

from collections.abc import Callable

from exaudit.checks.runner import lint_checks
from exaudit.core.findings import Finding
from exaudit.pipeline.sources import Commented, read_config, suppressions
from exaudit.report.build import lint_file, lint_report
from exaudit.report.model import LintFile, LintReport
from exaudit.review import baseline as baselines
from exaudit.review.suppress import triage


def lint(paths: list[str], platform: str | None, enabled: frozenset[str],
         baseline: str | None = None,
         notify: Callable[[str], None] | None = None) -> LintReport:
    files: list[LintFile] = []
    findings: list[Finding] = []
    texts: list[Commented] = []
    for path in paths:
        config = read_config(path, platform)
        name = config.platform.name
        if config.guessed and notify is not None:
            notify(f"{path}: platform guessed from content: {name}")
        ruleset = config.parse()
        files.append(lint_file(path, name, config.guessed, ruleset))
        findings += lint_checks(ruleset, None, enabled)
        texts += config.commented(ruleset, None)
    findings.sort(key=Finding.sort_key)
    result = triage(findings, enabled, suppressions(texts),
                    baselines.load(baseline) if baseline else None)
    return lint_report(files, result, enabled)
