"""Where CI shows a finding (repository-relative paths, anchors) and its stable fingerprint."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from exaudit.core.findings import Finding

# Bump when the recipe changes: baselines written with another version no longer match.
VERSION = "v1"
SARIF_KEY = f"exauditFinding/{VERSION}"

_LINE_REFS = re.compile(r"\b(lines?) \d+(?:(?:, | and )\d+)*")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=256)
def _repo_root(directory: str) -> str | None:
    """The git top-level holding ``directory`` (a ``.git`` dir, or file for worktrees)."""
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def repo_root(path: str) -> str | None:
    absolute = os.path.abspath(path)
    start = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return _repo_root(start)


def repo_path(path: str) -> str:
    """``path`` relative to its git top-level, else to the working directory, with ``/``.

    GitHub and GitLab place annotations by repository-relative paths; a path shown the
    same way from any working directory also keeps fingerprints of lint findings stable.
    """
    absolute = os.path.abspath(path)
    root = repo_root(absolute) or os.getcwd()
    return os.path.relpath(absolute, root).replace(os.sep, "/")


def anchor(report: dict[str, Any], finding: dict[str, Any]) -> tuple[str, int] | None:
    """Where a CI tool shows a finding: its location, else the firewall's topology entry.

    A finding without a location (an implicit deny: no line of the config decides) is
    shown at the line of the topology that declares the firewall, which is where the
    firewall enters the audit; without a firewall, at the topology's first line.
    """
    loc = finding.get("location")
    if loc:
        return loc["file"], int(loc["line"])
    topology = report.get("topology")
    if not topology:
        return None
    for fw in report.get("firewalls", []):
        if fw.get("name") == finding.get("firewall") and fw.get("line"):
            return topology, int(fw["line"])
    return topology, 1


def _flow_key(flow: dict[str, Any] | None) -> str:
    if not flow:
        return ""
    where = flow.get("path") or f"{flow.get('in')}>{flow.get('out')}"
    return f"{flow.get('id')}|{flow.get('src')}|{flow.get('dst')}|{where}"


def identity(finding: Finding) -> str:
    """What a finding is about, without line numbers: check, firewall, rule text, flow.

    Without a firewall (lint, topology findings) the file stands for it. A finding with
    neither rule text nor flow (topology findings) is identified by its message with
    line references removed.
    """
    scope = finding.firewall or (repo_path(finding.location.file) if finding.location
                                 else "")
    text = _SPACE.sub(" ", finding.text or "").strip()
    flow = _flow_key(finding.flow)
    message = "" if (text or flow) else _LINE_REFS.sub(r"\1 #", finding.message)
    return "\x1f".join((finding.check, scope, text, flow, message))


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order; equal identities are told apart by rank.

    The rank counts earlier findings with the same identity, in report order (firewall,
    file, line), so two identical rules keep distinct fingerprints and moving unrelated
    lines changes nothing.
    """
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        key = identity(f)
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        digest = hashlib.sha256(f"{VERSION}\x1f{key}\x1f{rank}".encode()).hexdigest()
        out.append(digest[:32])
    return out
