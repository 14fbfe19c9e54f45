"""``exaudit lint``: parse each config once (apart, cached), run the rule checks, triage."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit import platforms
from exaudit.checks.runner import lint_checks
from exaudit.core.findings import Finding, finding_from_json
from exaudit.pipeline.cache import Cache, digest, text_digest
from exaudit.pipeline.runner import SERIAL, Runner
from exaudit.pipeline.sources import Commented, Config, read_config, suppressions
from exaudit.platforms import NotAFirewall
from exaudit.report.build import lint_file, lint_report
from exaudit.report.model import LintFile, LintReport
from exaudit.review import baseline as baselines
from exaudit.review.suppress import triage


@dataclass(frozen=True)
class LintJob:
    path: str
    text: str
    platform: str
    guessed: bool
    enabled: frozenset[str]


@dataclass
class LintOutcome:
    file: LintFile
    findings: list[Finding]
    texts: list[Commented]


def lint_one(job: LintJob) -> LintOutcome:
    config = Config(job.path, job.text, platforms.get(job.platform), job.guessed)
    ruleset = config.parse()
    return LintOutcome(
        lint_file(job.path, job.platform, job.guessed, ruleset),
        lint_checks(ruleset, None, job.enabled),
        config.commented(ruleset, None),
    )


def lint(
    paths: list[str],
    platform: str | None,
    enabled: frozenset[str],
    baseline: str | None = None,
    runner: Runner = SERIAL,
    skip_unknown: bool = False,
) -> LintReport:
    """Lint each file; with ``skip_unknown``, files no platform reads are left out with a
    note (a pre-commit hook matches file names, and not every ``.rules`` is a firewall)."""
    jobs = []
    for path in paths:
        try:
            config = read_config(path, platform)
        except NotAFirewall as exc:
            if not skip_unknown:
                raise
            runner.notify(f"{exc}: skipped")
            continue
        if config.guessed:
            runner.notify(f"{config.path}: platform guessed from content: {config.platform.name}")
        jobs.append(
            LintJob(config.path, config.text, config.platform.name, config.guessed, enabled)
        )
    cache = runner.cache
    keys = (
        [
            digest("lint", j.platform, str(j.guessed), j.path, j.text, ",".join(sorted(enabled)))
            for j in jobs
        ]
        if cache is not None
        else []
    )
    outcomes: list[LintOutcome | None] = [None] * len(jobs)
    if cache is not None:
        outcomes = [_cached(cache, key, job) for key, job in zip(keys, jobs, strict=True)]
    todo = [i for i, o in enumerate(outcomes) if o is None]
    for i, done in zip(todo, runner.map(lint_one, [jobs[i] for i in todo], "linting"), strict=True):
        outcomes[i] = done
        if cache is not None:
            cache.put(
                keys[i],
                {
                    "deps": [[t.path, text_digest(t.text)] for t in done.texts[1:]],
                    "file": done.file.to_json(),
                    "findings": [{**f.to_json(), "text": f.text} for f in done.findings],
                },
            )
    finished = [o for o in outcomes if o is not None]
    findings = sorted((f for o in finished for f in o.findings), key=Finding.sort_key)
    result = triage(
        findings,
        enabled,
        suppressions(t for o in finished for t in o.texts),
        baselines.load(baseline) if baseline else None,
    )
    inputs = tuple(t.path for o in finished for t in o.texts) + ((baseline,) if baseline else ())
    return lint_report([o.file for o in finished], result, enabled, inputs)


def _cached(cache: Cache, key: str, job: LintJob) -> LintOutcome | None:
    found = cache.get(key)
    if found is None:
        return None
    entry, deps = found
    syntax = platforms.get(job.platform).comments
    texts = [Commented(path, text, syntax) for path, text in [(job.path, job.text), *deps]]
    return LintOutcome(
        LintFile.from_json(entry["file"]), [finding_from_json(f) for f in entry["findings"]], texts
    )
