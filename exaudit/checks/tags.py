"""SARIF tags of the check families (GitHub shows them; ``security`` adds a severity)."""

from __future__ import annotations

MAINTAINABILITY = ("maintainability",)
RELIABILITY = ("reliability",)
SECURITY = ("security",)
AVAILABILITY = ("reliability", "security")  # a required flow blocked: an outage
