"""Where CI shows a finding (repository-relative paths, anchors) and its stable fingerprint."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from exaudit.core.findings import Finding
from exaudit.core.paths import repo_path

# Bump when the recipe changes: baselines written with another version no longer match.
VERSION = "v1"
SARIF_KEY = f"exauditFinding/{VERSION}"

_LINE_REFS = re.compile(r"\b(lines?) \d+(?:(?:, | and )\d+)*")
_SPACE = re.compile(r"\s+")


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
    scope = finding.firewall or (repo_path(finding.location.file) if finding.location else "")
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
