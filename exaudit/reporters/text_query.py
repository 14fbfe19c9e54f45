"""``exaudit query`` as text: the verdict, the deciding line and the path."""

from __future__ import annotations

from typing import Any


def answer_text(answer: dict[str, Any]) -> str:
    p = answer["packet"]
    port = f":{p['dport']}" if "dport" in p else ""
    head = f"{answer['verdict']}  {p['proto']} {p['src']} -> {p['dst']}{port}"
    if p.get("in"):
        head += f" in {p['in']}"
    if p.get("out"):
        head += f" out {p['out']}"
    lines = [head]
    d = answer["decided_by"]
    if d:
        lines.append(f"  decided by {d['file']}:{d['line']}: {d['text']}")
    elif answer["verdict"] == "deny":
        lines.append("  decided by the implicit deny (no line)")
    elif answer["verdict"] == "permit" and not answer["path"]:
        lines.append("  no filter applies on this path")
    if answer.get("assumed"):
        lines.append(f"  note: {answer['assumed']}")
    for dep in answer.get("depends_on", []):
        lines.append(f"  depends on {dep['file']}:{dep['line']}: {dep['text']}")
    for step in answer["path"]:
        if step["line"]:
            where = f"line {step['line']}"
        else:
            where = "end of chain" if step["verdict"] == "return" else "implicit"
        lines.append(f"    {step['stage']:<24} {step['chain']:<16} {step['verdict']:<14} {where}")
    if "cases" in answer:
        lines.append("  " + answer["reason"])
        for case in answer["cases"]:
            where = case["decided_by"]["line"] if case["decided_by"] else "-"
            lines.append(
                f"    in {case['in']} out {case['out']} sport {case['sport']}: "
                f"{case['verdict']} (line {where})"
            )
    return "\n".join(lines)
