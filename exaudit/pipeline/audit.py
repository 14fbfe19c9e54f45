"""``exaudit audit``: read each input once, audit every firewall (apart), check, triage."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit import platforms
from exaudit.analysis.context import AuditContext
from exaudit.checks.runner import topology_checks
from exaudit.core.findings import Finding, finding_from_json
from exaudit.core.textfile import read_text
from exaudit.exchange.flows import Flow, derive_flows
from exaudit.exchange.topology import Topology, load_topology
from exaudit.pipeline.cache import Cache, digest, text_digest
from exaudit.pipeline.clock import laps_text
from exaudit.pipeline.firewalls import FirewallJob, FirewallOutcome, audit_firewall
from exaudit.pipeline.runner import SERIAL, Runner
from exaudit.pipeline.sources import Commented, refuse_overwrite, suppressions
from exaudit.platforms.comments import HASH
from exaudit.report.build import audit_report
from exaudit.report.model import AuditReport, FirewallSummary
from exaudit.review import baseline as baselines
from exaudit.review.suppress import Triage, triage


@dataclass
class AuditRun:
    """Everything one audit found, before triage: what ``diff`` compares twice."""

    topology: Topology
    flows: list[Flow]
    outcomes: list[FirewallOutcome]
    findings: list[Finding]  # every enabled check's, in report order
    texts: list[Commented] = field(default_factory=list)  # every input, as read

    def triage(self, enabled: frozenset[str], baseline: str | None) -> Triage:
        base = baselines.load(baseline) if baseline else None
        return triage(self.findings, enabled, suppressions(self.texts), base)


def evaluate(
    topology_path: str,
    enabled: frozenset[str] | None = None,
    runner: Runner = SERIAL,
    compare: bool = False,
) -> AuditRun:
    """Read the topology once; audit each firewall (cached, in parallel); run the checks."""
    text = read_text(topology_path)
    topo = load_topology(topology_path, text)
    flows = derive_flows(topo)
    jobs = [
        FirewallJob(topo, flows, fw.name, read_text(fw.config), enabled, compare)
        for fw in topo.firewalls.values()
    ]
    outcomes: list[FirewallOutcome | None] = [None] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    if runner.cache is not None and not compare:
        # every catalogue a server uses (a coexistence topology has several)
        catalogue = "\n".join(read_text(c.path) for c in topo.catalogues())
        for i, job in enumerate(jobs):
            key = keys[i] = _key(job, text, catalogue)
            outcomes[i] = _cached(runner.cache, key, job)
    todo = [i for i, o in enumerate(outcomes) if o is None]
    for i, done in zip(
        todo, runner.map(audit_firewall, [jobs[i] for i in todo], "auditing firewalls"), strict=True
    ):
        outcomes[i] = done
        stored = keys[i]
        if runner.cache is not None and stored is not None:
            runner.cache.put(stored, _entry(done))
    finished = [o for o in outcomes if o is not None]
    for o in finished:
        how = laps_text(o.seconds) if o.seconds else "from the cache"
        runner.detail(
            f"{o.firewall}: {o.summary.config} ({o.summary.platform}, "
            f"{o.summary.rules} rules, {o.summary.crossings} crossings): {how}"
        )
    found = [f for o in finished for f in o.findings]
    found += topology_checks(AuditContext(topo, flows, []), enabled)
    texts = [Commented(topology_path, text, HASH)] + [t for o in finished for t in o.texts]
    return AuditRun(topo, flows, finished, sorted(found, key=Finding.sort_key), texts)


def _key(job: FirewallJob, topology_text: str, catalogue_text: str) -> str:
    fw = job.topology.firewalls[job.firewall]
    enabled = ",".join(sorted(job.enabled)) if job.enabled is not None else "*"
    return digest(
        "audit", fw.name, fw.platform, fw.config, job.text, topology_text, catalogue_text, enabled
    )


def _entry(done: FirewallOutcome) -> dict[str, object]:
    """A firewall's outcome as a cache entry (the config's own text is in the key)."""
    return {
        "deps": [[t.path, text_digest(t.text)] for t in done.texts[1:]],
        "summary": done.summary.to_json(),
        "findings": [{**f.to_json(), "text": f.text} for f in done.findings],
    }


def _cached(cache: Cache, key: str, job: FirewallJob) -> FirewallOutcome | None:
    found = cache.get(key)
    if found is None:
        return None
    entry, deps = found
    fw = job.topology.firewalls[job.firewall]
    syntax = platforms.get(fw.platform).comments
    texts = [
        Commented(path, text, syntax, fw.name) for path, text in [(fw.config, job.text), *deps]
    ]
    return FirewallOutcome(
        fw.name,
        FirewallSummary.from_json(entry["summary"]),
        [finding_from_json(f) for f in entry["findings"]],
        texts,
    )


def audit(
    topology_path: str,
    enabled: frozenset[str],
    baseline: str | None = None,
    write_baseline: str | None = None,
    runner: Runner = SERIAL,
) -> AuditReport:
    """The audit report; with ``write_baseline``, today's findings become the baseline."""
    run = evaluate(topology_path, enabled, runner)
    read = baseline if baseline and not write_baseline else None  # rewriting it: not read
    inputs = tuple(t.path for t in run.texts) + ((read,) if read else ())
    result = run.triage(enabled, None if write_baseline else baseline)
    if write_baseline:
        refuse_overwrite("--write-baseline", write_baseline, inputs)
        kept = [(f, fp) for f, fp in result.active if f.check != "EXA003"]
        baselines.write(write_baseline, kept)
        runner.notify(f"wrote {len(kept)} finding(s) to the baseline {write_baseline}")
        result = run.triage(enabled, write_baseline)
    return audit_report(
        run.topology,
        run.texts[0].text,
        len(run.flows),
        [o.summary for o in run.outcomes],
        result,
        enabled,
        inputs,
    )
